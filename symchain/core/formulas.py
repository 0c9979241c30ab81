"""Derivative formulas of the named functions, in the form a textbook writes them.

Each entry maps a SymPy function class to its rule family and d/du F(u).  The
engine uses them for the outer derivative of a chain; `verify` checks each
use against SymPy's own `diff`, so a wrong entry can never pass unnoticed.
Functions not listed here use SymPy's `fdiff`, the formula SymPy itself
defines for them, under the rule "special function".
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

Formula = Callable[[sp.Expr], sp.Expr]

TRIG = "trig"
INVERSE_TRIG = "inverse trig"
HYPERBOLIC = "hyperbolic"
INVERSE_HYPERBOLIC = "inverse hyperbolic"
EXPONENTIAL = "exponential"
LOGARITHM = "logarithm"
ABSOLUTE = "absolute value"
SIGN = "sign"  # d/du sign(u) = 0 where u ≠ 0; at u = 0 sign jumps: no derivative
STEP = "step"  # d/du H(u) = 0 where u ≠ 0, as for sign: the unit step jumps at 0
SPECIAL = "special function"


def _sympy_own(cls: type[sp.Function]) -> Formula:
    return lambda u: cls(u).fdiff(1)


def _real_only(cls: type[sp.Function], textbook: Formula) -> Formula:
    """The textbook's |u| form for a real u; SymPy's own, right for every u, otherwise."""
    return lambda u: textbook(u) if u.is_real else cls(u).fdiff(1)


FORMULAS: dict[type, tuple[str, Formula]] = {
    sp.sin: (TRIG, lambda u: sp.cos(u)),
    sp.cos: (TRIG, lambda u: -sp.sin(u)),
    sp.tan: (TRIG, lambda u: sp.sec(u) ** 2),
    sp.cot: (TRIG, lambda u: -(sp.csc(u) ** 2)),
    sp.sec: (TRIG, lambda u: sp.sec(u) * sp.tan(u)),
    sp.csc: (TRIG, lambda u: -sp.csc(u) * sp.cot(u)),
    sp.asin: (INVERSE_TRIG, lambda u: 1 / sp.sqrt(1 - u**2)),
    sp.acos: (INVERSE_TRIG, lambda u: -1 / sp.sqrt(1 - u**2)),
    sp.atan: (INVERSE_TRIG, lambda u: 1 / (1 + u**2)),
    sp.acot: (INVERSE_TRIG, lambda u: -1 / (1 + u**2)),
    sp.asec: (INVERSE_TRIG, _real_only(sp.asec, lambda u: 1 / (sp.Abs(u) * sp.sqrt(u**2 - 1)))),
    sp.acsc: (INVERSE_TRIG, _real_only(sp.acsc, lambda u: -1 / (sp.Abs(u) * sp.sqrt(u**2 - 1)))),
    sp.sinh: (HYPERBOLIC, lambda u: sp.cosh(u)),
    sp.cosh: (HYPERBOLIC, lambda u: sp.sinh(u)),
    sp.tanh: (HYPERBOLIC, lambda u: sp.sech(u) ** 2),
    sp.coth: (HYPERBOLIC, lambda u: -(sp.csch(u) ** 2)),
    sp.sech: (HYPERBOLIC, lambda u: -sp.sech(u) * sp.tanh(u)),
    sp.csch: (HYPERBOLIC, lambda u: -sp.csch(u) * sp.coth(u)),
    sp.asinh: (INVERSE_HYPERBOLIC, lambda u: 1 / sp.sqrt(u**2 + 1)),
    # acosh and asech keep SymPy's own forms: they differ from the textbook's
    # 1/sqrt(u^2 - 1) off the real domain, where SymPy's are the right ones.
    sp.acosh: (INVERSE_HYPERBOLIC, _sympy_own(sp.acosh)),
    sp.atanh: (INVERSE_HYPERBOLIC, lambda u: 1 / (1 - u**2)),
    sp.acoth: (INVERSE_HYPERBOLIC, lambda u: 1 / (1 - u**2)),
    sp.asech: (INVERSE_HYPERBOLIC, _sympy_own(sp.asech)),
    sp.acsch: (
        INVERSE_HYPERBOLIC,
        _real_only(sp.acsch, lambda u: -1 / (sp.Abs(u) * sp.sqrt(1 + u**2))),
    ),
    sp.exp: (EXPONENTIAL, lambda u: sp.exp(u)),
    sp.log: (LOGARITHM, lambda u: 1 / u),
    sp.Abs: (ABSOLUTE, _sympy_own(sp.Abs)),
    # SymPy's 2δ(u) is the distribution; a calculus course's sign is flat on each side
    sp.sign: (SIGN, _real_only(sp.sign, lambda u: sp.S.Zero)),
    # and SymPy's δ(u) for the unit step: flat on each side as well, with sign's treatment
    sp.Heaviside: (STEP, _real_only(sp.Heaviside, lambda u: sp.S.Zero)),
}


def family_of(func: type) -> str:
    """The rule family a function class belongs to."""
    entry = FORMULAS.get(func)
    return entry[0] if entry else SPECIAL
