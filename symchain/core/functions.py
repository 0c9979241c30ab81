"""The whitelist of function names a formula may call, and what each one means.

This table is the only bridge from a typed name to a SymPy callable: the parser
looks names up here and never anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import sympy as sp


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A callable name: the SymPy constructor and how many arguments it takes."""

    build: Callable[..., sp.Expr]
    arities: tuple[int, ...]


def _log(arg: sp.Expr, base: sp.Expr | None = None) -> sp.Expr:
    # SymPy's function classes construct through an untyped __new__: the result is Any
    return cast(sp.Expr, sp.log(arg) if base is None else sp.log(arg, base))


def _fixed_log(base: int) -> Callable[[sp.Expr], sp.Expr]:
    return lambda arg: sp.log(arg, base)


_ONE = (1,)
_TWO = (2,)

FUNCTIONS: dict[str, FunctionSpec] = {}


def _add(names: str, build: Callable[..., sp.Expr], arities: tuple[int, ...] = _ONE) -> None:
    for name in names.split():
        FUNCTIONS[name] = FunctionSpec(build, arities)


# Trigonometric, inverse trigonometric, hyperbolic, inverse hyperbolic.
for _n in [
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "sinh",
    "cosh",
    "tanh",
    "coth",
    "sech",
    "csch",
]:
    _add(_n, getattr(sp, _n))
for _n in ["sin", "cos", "tan", "cot", "sec", "csc"]:
    _add(f"a{_n} arc{_n}", getattr(sp, f"a{_n}"))
for _n in ["sinh", "cosh", "tanh", "coth", "sech", "csch"]:
    _add(f"a{_n} arc{_n} ar{_n}", getattr(sp, f"a{_n}"))
_add("exp", sp.exp)
_add("log", _log, (1, 2))
_add("ln", sp.log)
_add("log10 lg", _fixed_log(10))
_add("log2 lb", _fixed_log(2))
_add("sqrt", sp.sqrt)
_add("cbrt", sp.cbrt)
_add("root", sp.root, _TWO)
_add("abs Abs", sp.Abs)
_add("sign sgn", sp.sign)
_add("heaviside Heaviside", sp.Heaviside)
# Special functions SymPy knows how to differentiate.
_add("erf", sp.erf)
_add("erfc", sp.erfc)
_add("erfi", sp.erfi)
_add("gamma", sp.gamma)
_add("loggamma lgamma", sp.loggamma)
_add("digamma", sp.digamma)
_add("polygamma", sp.polygamma, _TWO)
_add("beta", sp.beta, _TWO)
_add("zeta", sp.zeta)
_add("polylog Li2", sp.polylog, _TWO)
_add("besselj", sp.besselj, _TWO)
_add("bessely", sp.bessely, _TWO)
_add("besseli", sp.besseli, _TWO)
_add("besselk", sp.besselk, _TWO)
_add("airyai", sp.airyai)
_add("airybi", sp.airybi)
_add("Ei", sp.Ei)
_add("Si", sp.Si)
_add("Ci", sp.Ci)
_add("Shi", sp.Shi)
_add("Chi", sp.Chi)
_add("li", sp.li)
_add("Li", sp.Li)
_add("expint", sp.expint, _TWO)
_add("elliptic_k", sp.elliptic_k)
_add("elliptic_e", sp.elliptic_e, (1, 2))
_add("elliptic_f", sp.elliptic_f, _TWO)
_add("LambertW lambertw W", sp.LambertW)
_add("fresnels", sp.fresnels)
_add("fresnelc", sp.fresnelc)
_add("atan2", sp.atan2, _TWO)
FUNCTIONS["Li2"] = FunctionSpec(lambda z: sp.polylog(2, z), _ONE)

# More of what SymPy prints, so that its own answers read back (an antiderivative from
# `integrate`, say).  hyper and meijerg take tuples of parameters, as SymPy prints them.
_add("zeta", sp.zeta, (1, 2))
_add("exp_polar", sp.exp_polar)  # in the arguments of hyper, as integrate prints them
_add("lerchphi", sp.lerchphi, (3,))
_add("dirichlet_eta", sp.dirichlet_eta, (1, 2))
_add("uppergamma", sp.uppergamma, _TWO)
_add("lowergamma", sp.lowergamma, _TWO)
_add("erfinv", sp.erfinv)
_add("erfcinv", sp.erfcinv)
_add("erf2", sp.erf2, _TWO)
_add("hankel1", sp.hankel1, _TWO)
_add("hankel2", sp.hankel2, _TWO)
_add("jn", sp.jn, _TWO)
_add("yn", sp.yn, _TWO)
_add("elliptic_pi", sp.elliptic_pi, (2, 3))
_add("appellf1", sp.appellf1, (6,))
_add("hyper", sp.hyper, (3,))
_add("meijerg", sp.meijerg, (3,))

#: Functions whose arguments may be tuples of parameters: hyper((1, 2), (3,), x).
TUPLE_ARGUMENTS = frozenset(["hyper", "meijerg"])

#: Names that stand for a function nobody has defined: f(g(x)) -> f'(g(x)) g'(x).
UNDEFINED_FUNCTIONS = frozenset(["f", "g", "h", "F", "G", "H"])

#: Names that stand for a number.
CONSTANTS: dict[str, sp.Expr] = {"e": sp.E, "E": sp.E, "pi": sp.pi, "I": sp.I}


#: The parser's internal name for f′, f″, f‴ (_prime2_f is f″): a user cannot type it, since
#: a name that starts with _ is refused.
PRIMED_NAME = re.compile(r"_prime([123])_([A-Za-z])$")


def is_callable_name(name: str) -> bool:
    """True when `name(...)` is a call rather than a product."""
    return name in FUNCTIONS or name in UNDEFINED_FUNCTIONS or PRIMED_NAME.match(name) is not None
