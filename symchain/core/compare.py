"""Are two expressions equal?  Symbolically where cheap, at random points otherwise.

The answer is a verdict, not a bool: equal symbolically, equal at every
sampled point, unequal at a real point (a counterexample), or unknown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import cast

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from .budget import OverBudget, budget
from .steps import FAILED, NUMERIC, SYMBOLIC, UNCONFIRMED

_POINTS_NEEDED = 3
_ATTEMPTS = 15
_DIGITS = 30
_RECHECK_DIGITS = 60
_HUGE = mpmath.mpf(10) ** 50
_SMALL = 60  # operation count below which a symbolic simplification is tried
_NUMERIC_SECONDS = 3.0  # a comparison that takes longer is left unconfirmed, never guessed
_SYMBOLIC_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    point: dict[str, float] | None = None  # a counterexample: symbol name -> value
    values: tuple[float, float] | None = None  # (a, b) at that point

    @property
    def confirmed(self) -> bool:
        return self.status in (SYMBOLIC, NUMERIC)


def compare(a: sp.Expr, b: sp.Expr) -> Verdict:
    """Decide whether a == b as functions of their free symbols."""
    if a == b:
        return Verdict(SYMBOLIC)
    difference = a - b
    if difference == 0:
        return Verdict(SYMBOLIC)
    try:
        if difference.has(AppliedUndef, sp.Derivative, sp.Subs):
            with budget(_SYMBOLIC_SECONDS):
                symbolic = _symbolic(difference.doit())
            if symbolic.confirmed:
                return symbolic
            return _with_unknowns_as_symbols(a, b)
        with budget(_NUMERIC_SECONDS):
            verdict = _numeric(a, b)
        if verdict.status == UNCONFIRMED and sp.count_ops(difference) <= _SMALL:
            with budget(_SYMBOLIC_SECONDS):
                symbolic = _symbolic(difference)
            if symbolic.confirmed:
                return symbolic
    except OverBudget:
        return Verdict(UNCONFIRMED)
    return verdict


def _with_unknowns_as_symbols(a: sp.Expr, b: sp.Expr) -> Verdict:
    """f(x), f'(x), f'(g(x)) ... replaced by free symbols, then compared at random points.

    Their values at a point can be anything, so a and b agreeing for every
    value of those symbols proves them equal.  The converse does not hold
    (two spellings of one derivative become two symbols), so a difference
    found this way is only ever reported as unconfirmed, never as failed.
    """
    mapping: dict[sp.Basic, sp.Dummy] = {}
    for kind in (sp.Subs, sp.Derivative, AppliedUndef):
        found = sorted((a.atoms(kind) | b.atoms(kind)) - set(mapping), key=sp.default_sort_key)
        for node in found:
            mapping[node] = sp.Dummy("unknown", real=True)
        a, b = a.xreplace(mapping), b.xreplace(mapping)
    with budget(_NUMERIC_SECONDS):
        verdict = _numeric(a, b)
    return verdict if verdict.confirmed else Verdict(UNCONFIRMED)


def _symbolic(difference: sp.Expr) -> Verdict:
    if difference == 0:
        return Verdict(SYMBOLIC)
    if sp.count_ops(difference) > _SMALL:
        return Verdict(UNCONFIRMED)
    if sp.simplify(difference) == 0:
        return Verdict(SYMBOLIC)
    return Verdict(UNCONFIRMED)


def _sample(rng: random.Random, attempt: int) -> float:
    """Points inside the usual domains first: (0, 1) for asin, (1, 3) for acosh, then negatives."""
    band = attempt % 3
    if band == 0:
        return rng.uniform(0.1, 0.95)
    if band == 1:
        return rng.uniform(1.05, 3.0)
    return rng.uniform(-3.0, -0.1)


def _value(
    expr: sp.Expr, point: dict[sp.Symbol, sp.Float], digits: int
) -> mpmath.mpf | mpmath.mpc | None:
    try:
        value = expr.xreplace(point).evalf(digits)
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, RecursionError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    re, im = value.as_real_imag()
    if not (re.is_Number and im.is_Number):
        return None
    return mpmath.mpc(mpmath.mpf(re), mpmath.mpf(im)) if im != 0 else mpmath.mpf(re)


def _close(a: mpmath.mpf | mpmath.mpc, b: mpmath.mpf | mpmath.mpc, digits: int) -> bool:
    scale = max(1, abs(a), abs(b))
    return cast(bool, abs(a - b) <= scale * mpmath.mpf(10) ** (-(digits // 2)))  # mpmath: untyped


def _numeric(a: sp.Expr, b: sp.Expr) -> Verdict:
    # SymPy types free_symbols as set[Basic]; those of a formula are Symbols
    free = a.free_symbols | b.free_symbols
    symbols = sorted(cast("set[sp.Symbol]", free), key=lambda s: s.name)
    rng = random.Random(20261124)
    agreed = 0
    with mpmath.workdps(_RECHECK_DIGITS + 10):
        for attempt in range(_ATTEMPTS):
            point = {s: sp.Float(_sample(rng, attempt), _DIGITS) for s in symbols}
            va, vb = _value(a, point, _DIGITS), _value(b, point, _DIGITS)
            if va is None or vb is None or max(abs(va), abs(vb)) > _HUGE:
                continue  # astronomically large values say little: try another point
            if not _close(va, vb, _DIGITS):
                # 30 digits can be too few (tan of 1e33): look again at 60 before judging
                va, vb = _value(a, point, _RECHECK_DIGITS), _value(b, point, _RECHECK_DIGITS)
                if va is None or vb is None:
                    continue
                if not _close(va, vb, _DIGITS):
                    both_real = isinstance(va, mpmath.mpf) and isinstance(vb, mpmath.mpf)
                    if not both_real:
                        continue  # branches of complex roots may differ off the real domain
                    shown = {s.name: float(v) for s, v in point.items()}
                    return Verdict(FAILED, shown, (float(va), float(vb)))
            agreed += 1
            if agreed >= _POINTS_NEEDED or not symbols:
                return Verdict(NUMERIC)
    return Verdict(NUMERIC) if agreed >= 1 and not symbols else Verdict(UNCONFIRMED)
