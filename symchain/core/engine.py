"""The rule engine: one dispatcher, small rules, a tree of Steps out.

`build_steps(expr, x)` looks at the top of the expression, picks the rule a
student would pick, asks for the steps of the parts and combines them.  A
rule never guesses: what no rule covers is handed to SymPy's `diff` and the
step is marked with the fallback rule, so the tree knows it is incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeGuard, cast

import sympy as sp
from sympy.core.function import AppliedUndef, ArgumentIndexError

from .formulas import FORMULAS, Formula, family_of
from .steps import FALLBACK, Step

CONSTANT = "constant"
VARIABLE = "variable"
CONSTANT_MULTIPLE = "constant multiple"
SUM = "sum"
PRODUCT = "product"
QUOTIENT = "quotient"
POWER = "power"
ROOT = "root"
CHAIN = "chain"
GENERAL_POWER = "general power"
LOG_BASE = "logarithm base b"
UNDEFINED = "undefined function"
SEVERAL_ARGUMENTS = "multivariable chain"
PIECEWISE = "piecewise"

_NAME_POOL = ("u", "v", "w", "s", "r", "q", "p")


class Namer:
    """Hands out names for inner functions (u, v, w, ...), avoiding the formula's own."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self._candidates = self._generate()

    def _generate(self) -> Iterator[str]:
        yield from _NAME_POOL
        n = 1
        while True:
            yield f"u{n}"
            n += 1

    def fresh(self, real: bool = True) -> sp.Symbol:
        """A new name, real only when what it names is real (|u|' = sign(u) needs that)."""
        for name in self._candidates:
            if name not in self.taken:
                self.taken.add(name)
                return sp.Symbol(name, real=True) if real else sp.Symbol(name)
        raise AssertionError("the name generator is endless")


def build_steps(expr: sp.Expr, var: sp.Symbol, namer: Namer | None = None) -> Step:
    """The step tree of d/d(var) expr."""
    if namer is None:
        # SymPy types free_symbols as set[Basic]; those of a formula are Symbols
        namer = Namer({s.name for s in cast("set[sp.Symbol]", expr.free_symbols)} | {var.name})
    return _Engine(var, namer).derive(expr)


class _Engine:
    def __init__(self, var: sp.Symbol, namer: Namer) -> None:
        self.var = var
        self.namer = namer

    def derive(self, expr: sp.Expr) -> Step:
        x = self.var
        if not expr.has(x):
            return Step(CONSTANT, expr, x, sp.S.Zero)
        if expr == x:
            return Step(VARIABLE, expr, x, sp.S.One)
        if expr.is_Add:
            return self.sum(expr)
        if expr.is_Mul:
            return self.mul(expr)
        if expr.is_Pow:
            return self.power(cast(sp.Pow, expr))  # is_Pow does not narrow the type for mypy
        if isinstance(expr, sp.Piecewise):
            return self.piecewise(expr)
        if isinstance(expr, AppliedUndef):
            return self.undefined(expr)
        if isinstance(expr, sp.Function) and all(isinstance(a, sp.Expr) for a in expr.args):
            return self.function(expr)
        return self.fallback(expr)

    def fallback(self, expr: sp.Expr, note: str | None = None) -> Step:
        """No rule of ours applies: take SymPy's answer and say so."""
        return Step(FALLBACK, expr, self.var, sp.diff(expr, self.var), note=note)

    def piecewise(self, expr: sp.Piecewise) -> Step:
        """Each piece differentiated on its own interval: the derivative inside each one.
        Where the pieces meet, the derivative is judged apart (calculus.derivation)."""
        pieces = cast("tuple[tuple[sp.Expr, sp.Basic], ...]", expr.args)
        if any(condition.has(self.var) is False and condition is not sp.true
               for _, condition in pieces):  # fmt: skip
            return self.fallback(expr)
        parts = tuple(self.derive(piece) for piece, _ in pieces)
        result = sp.Piecewise(*((p.result, c) for p, (_, c) in zip(parts, pieces, strict=True)))
        return Step(PIECEWISE, expr, self.var, result, parts)

    # -- sums and products ------------------------------------------------

    def sum(self, expr: sp.Expr) -> Step:
        # SymPy types args as tuple[Basic, ...]; those of an Add are Exprs
        parts = tuple(self.derive(term) for term in cast("tuple[sp.Expr, ...]", expr.args))
        return Step(SUM, expr, self.var, sp.Add(*(p.result for p in parts)), parts)

    def mul(self, expr: sp.Expr) -> Step:
        x = self.var
        coeff, dependent = expr.as_independent(x, as_Add=False)
        log_base = _log_base(coeff, dependent)
        if log_base is not None:
            factor, base = log_base
            step = self.log_base(cast(sp.Expr, dependent.args[0]), base)  # args: Basic
            if factor == 1:
                return step
            return Step(CONSTANT_MULTIPLE, expr, x, factor * step.result, (step,), factor=factor)
        if coeff != 1:
            inner = self.derive(dependent)
            return Step(CONSTANT_MULTIPLE, expr, x, coeff * inner.result, (inner,), factor=coeff)
        factors = sp.Mul.make_args(dependent)
        numerator = [f for f in factors if not _is_reciprocal(f)]
        denominator = [f.base ** (-f.exp) for f in factors if _is_reciprocal(f)]
        if denominator and (numerator or len(denominator) > 1):
            num, den = sp.Mul(*numerator), sp.Mul(*denominator)
            if num / den == expr:
                return self.quotient(expr, num, den)
        return self.product(expr, factors)

    def product(self, expr: sp.Expr, factors: tuple[sp.Expr, ...]) -> Step:
        parts = tuple(self.derive(f) for f in factors)
        terms = []
        for i, part in enumerate(parts):
            others = [f for j, f in enumerate(factors) if j != i]
            terms.append(sp.Mul(part.result, *others))
        return Step(PRODUCT, expr, self.var, sp.Add(*terms), parts)

    def quotient(self, expr: sp.Expr, num: sp.Expr, den: sp.Expr) -> Step:
        top, bottom = self.derive(num), self.derive(den)
        result = (top.result * den - num * bottom.result) / den**2
        return Step(QUOTIENT, expr, self.var, result, (top, bottom))

    # -- powers -----------------------------------------------------------

    def power(self, expr: sp.Pow) -> Step:
        x = self.var
        base, exponent = expr.base, expr.exp
        if base.has(x) and exponent.has(x):
            return self.general_power(expr)
        if base.has(x):
            rule = ROOT if _is_root(exponent) else POWER
            return self.apply(
                rule, lambda u: u**exponent, expr, base, lambda u: exponent * u ** (exponent - 1)
            )
        # a**u with a constant: e**u is the exponential rule, a**u = e**(u ln a)
        return self.apply(
            "exponential",
            lambda u: base**u,
            expr,
            exponent,
            lambda u: base**u * sp.log(base),
        )

    def general_power(self, expr: sp.Pow) -> Step:
        """u**v with both depending on x: logarithmic differentiation."""
        base, exponent = expr.base, expr.exp
        db, de = self.derive(base), self.derive(exponent)
        result = expr * (de.result * sp.log(base) + exponent * db.result / base)
        return Step(GENERAL_POWER, expr, self.var, result, (db, de))

    # -- functions --------------------------------------------------------

    def function(self, expr: sp.Function) -> Step:
        x = self.var
        args = cast("tuple[sp.Expr, ...]", expr.args)  # SymPy says Basic; derive lets in only Exprs
        dependent = [i for i, a in enumerate(args) if a.has(x)]
        if len(dependent) > 1:
            return self.several_arguments(expr, dependent)
        index = dependent[0]
        func = type(expr)
        if func is sp.Abs and not args[0].is_real:
            return self.fallback(expr, note="|u| of a u that may be complex")
        # Heaviside(u) carries its value at 0 as a second argument: still one u
        one_argument = len(expr.args) == 1 or (func is sp.Heaviside and index == 0)
        if func in FORMULAS and one_argument:
            family, formula = FORMULAS[func]
            return self.apply(family, func, expr, args[0], formula)

        def outer(u: sp.Expr) -> sp.Expr:
            return cast(sp.Expr, expr.func(*_replace_at(expr.args, index, u)))  # func: untyped

        def derivative(u: sp.Expr) -> sp.Expr:
            # F(u) is a Function unless F evaluated itself away: the AttributeError is caught
            # below.  fdiff is unannotated.
            return cast(sp.Expr, cast(sp.Function, outer(u)).fdiff(index + 1))

        probe = sp.Dummy("u", real=True)
        try:
            known = derivative(probe)
        except (ArgumentIndexError, NotImplementedError, TypeError, ValueError, AttributeError):
            return self.fallback(expr, note=f"no derivative formula for {func.__name__}")
        if known.has(sp.Derivative, sp.Subs):
            return self.fallback(expr, note=f"no closed derivative formula for {func.__name__}")
        return self.apply(family_of(func), outer, expr, args[index], derivative)

    def several_arguments(self, expr: sp.Function, dependent: list[int]) -> Step:
        """F(g(x), h(x)): one term per argument that depends on x."""
        parts, terms, partials = [], [], []
        for index in dependent:
            try:
                partial = expr.fdiff(index + 1)
            except (ArgumentIndexError, NotImplementedError, TypeError, ValueError, AttributeError):
                return self.fallback(expr)
            if partial.has(sp.Derivative, sp.Subs):
                return self.fallback(expr)
            part = self.derive(cast(sp.Expr, expr.args[index]))  # SymPy types args as Basic
            parts.append(part)
            partials.append(partial)
            terms.append(partial * part.result)
        return Step(
            SEVERAL_ARGUMENTS, expr, self.var, sp.Add(*terms), tuple(parts), extra=tuple(partials)
        )

    def undefined(self, expr: AppliedUndef) -> Step:
        if len(expr.args) != 1:
            return self.fallback(expr, note="a function of several arguments")
        func = expr.func
        inner = cast(sp.Expr, expr.args[0])  # SymPy types args as Basic
        return self.apply(UNDEFINED, func, expr, inner, lambda u: sp.Derivative(func(u), u))

    def log_base(self, arg: sp.Expr, base: sp.Expr) -> Step:
        expr = sp.log(arg) / sp.log(base)
        return self.apply(
            LOG_BASE,
            lambda u: sp.log(u) / sp.log(base),
            expr,
            arg,
            lambda u: 1 / (u * sp.log(base)),
        )

    # -- the chain rule -----------------------------------------------------

    def apply(
        self, rule: str, outer: Formula, expr: sp.Expr, inner: sp.Expr, derivative: Formula
    ) -> Step:
        """A one-argument rule F(inner): direct when inner is x, else the chain rule.

        `outer(u)` rebuilds F(u) and `derivative(u)` is d/du F(u) as the rule states it.
        """
        x = self.var
        if inner == x:
            return Step(rule, expr, x, derivative(x))
        u = self.namer.fresh(real=bool(inner.is_real))
        outer_step = Step(rule, outer(u), u, derivative(u))
        inner_step = self.derive(inner)
        result = substitute(outer_step.result, u, inner) * inner_step.result
        return Step(CHAIN, expr, x, result, (outer_step, inner_step), names=((u, inner),))


def substitute(expr: sp.Expr, name: sp.Symbol, value: sp.Expr) -> sp.Expr:
    """Put the inner function back for its name; f'(u) at u = x**2 becomes a Subs."""
    if expr.has(sp.Derivative):
        return expr.subs(name, value)
    return cast(sp.Expr, expr.xreplace({name: value}))  # xreplace is unannotated


def _replace_at(args: tuple[sp.Basic, ...], index: int, value: sp.Expr) -> tuple[sp.Basic, ...]:
    return args[:index] + (value,) + args[index + 1 :]


def _is_reciprocal(factor: sp.Expr) -> TypeGuard[sp.Pow]:
    power = cast(sp.Pow, factor)  # read only when factor.is_Pow, on which mypy cannot narrow
    return bool(factor.is_Pow and power.exp.is_Rational and power.exp.is_negative)


def _is_root(exponent: sp.Expr) -> bool:
    rational = cast(sp.Rational, exponent)  # read only when exponent.is_Rational
    return bool(exponent.is_Rational and rational.p == 1 and rational.q > 1)


def _log_base(coeff: sp.Expr, dependent: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """c/log(b) * log(u): SymPy's spelling of c * log_b(u). Returns (c, b) or None."""
    if not isinstance(dependent, sp.log) or coeff == 1:
        return None
    for factor in sp.Mul.make_args(coeff):
        power = cast(sp.Pow, factor)  # read only when factor.is_Pow
        if (
            factor.is_Pow
            and power.exp == -1
            and isinstance(power.base, sp.log)
            and power.base.args[0].is_Number
        ):
            return coeff / factor, cast(sp.Expr, power.base.args[0])  # args: Basic
    return None
