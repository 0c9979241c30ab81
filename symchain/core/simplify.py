"""A bounded simplification: cheap rewrites tried in turn, the shortest kept.

`sympy.simplify` can take seconds on a derivative a student would call
easy (and its first call imports sympy.physics.units: 80 ms of start-up);
these rewrites are usually fast, none runs on a very big expression,
and all of them together run under a time budget: one that overruns is
abandoned and the best form so far is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import cast

import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from .budget import OverBudget, budget
from .compare import compare

_MAX_OPS = 300  # above this, the derivative is shown as derived
_TRIG_OPS = 25  # up to this, trigsimp (17 ms median, seconds at worst: benchmarks/tidy_rewrites.py)
_BUDGET = 0.4  # seconds for all rewrites together; a rewrite past it is abandoned
_TRIG_SHARE = 0.15  # trigsimp shortens one answer in ten: it gets this much at most


def _size(expr: sp.Expr) -> tuple[int, int]:
    return sp.count_ops(expr), len(str(expr))


def tidy(expr: sp.Expr, var: sp.Symbol | None = None) -> sp.Expr:
    """The shortest of a few equivalent forms of `expr` (by operation count, then length)."""
    ops = sp.count_ops(expr)
    if ops > _MAX_OPS or expr.is_Atom:
        return expr
    start = time.perf_counter()
    rewrites: list[Callable[[sp.Expr], sp.Expr]] = [
        _numerator_expanded,  # first: cancel, after it, would expand the denominator too
        sp.factor_terms,
        sp.cancel,
        sp.powsimp,
    ]
    if expr.has(sp.sign):
        rewrites.append(_sign_as_ratio)
    if ops <= _TRIG_OPS and _trig_powered(expr):
        rewrites.append(_trig)
    best, best_size = expr, _size(expr)
    family = _trig_atoms(expr)
    for rewrite in rewrites:
        left = _BUDGET - (time.perf_counter() - start)
        if left <= 0.01:
            break
        if rewrite is sp.cancel and expr.has(sp.Function):
            continue
        try:
            with budget(min(left, _TRIG_SHARE) if rewrite is _trig else left):
                candidate = rewrite(best)
        except OverBudget:
            continue
        except OverflowError:  # fu's TR8 on sin(x)^(10^9999): this rewrite cannot, others may
            continue
        size = _size(candidate)
        if not _in_family(candidate, family) and size[0] * 2 > best_size[0]:
            continue  # 2cos(2x) for 2cos²x − 2sin²x, yes; 1/sin x for csc x only if far shorter
        if size < best_size:
            best, best_size = candidate, size
    return best


def _trig_powered(expr: sp.Expr) -> bool:
    """A trigonometric function squared (or to another power), or two of one angle
    multiplied, is where trigsimp's identities shorten an answer (sec²x − tan²x,
    1 − cos²x, 2·sin x·cos x); with neither, trigsimp kept its input in every trial of
    benchmarks/batch.py and cost a third of its time there."""
    if any(
        isinstance(p.base, TrigonometricFunction) and p.exp not in (1, -1)
        for p in expr.atoms(sp.Pow)
    ):
        return True
    for product in expr.atoms(sp.Mul):
        angles = [f.args for f in product.args if isinstance(f, TrigonometricFunction)] + [
            f.base.args
            for f in product.args
            if isinstance(f, sp.Pow) and isinstance(f.base, TrigonometricFunction)
        ]
        if len(angles) != len(set(angles)):
            return True
    return False


def _trig_atoms(expr: sp.Expr) -> set[tuple[type, tuple[sp.Basic, ...]]]:
    return {(type(f), f.args) for f in expr.atoms(TrigonometricFunction, HyperbolicFunction)}


def _in_family(candidate: sp.Expr, family: set[tuple[type, tuple[sp.Basic, ...]]]) -> bool:
    """The answer stays in the exercise's functions, as a book's does: sec and cot are kept
    (not 1/cos, 1/tan), and no new angle appears (no product-to-sum, no double angle)."""
    return _trig_atoms(candidate) <= family


def _numerator_expanded(expr: sp.Expr) -> sp.Expr:
    """A quotient with its numerator multiplied out and its denominator as it is:
    (x² − 2x − 1)/(x − 1)², as books print it (cancel would expand the denominator too)."""
    numerator, denominator = sp.fraction(sp.together(expr))
    if denominator == 1 or denominator.has(sp.exp):  # e⁻ᶻ/(1 + e⁻ᶻ)² stays as derived
        return expr
    return cast(sp.Expr, sp.expand(numerator) / denominator)


def _trig(expr: sp.Expr) -> sp.Expr:
    return cast(sp.Expr, sp.trigsimp(expr))  # trigsimp is unannotated


def _sign_as_ratio(expr: sp.Expr) -> sp.Expr:
    """sign(u) as u/|u|, so that sign(x)/|x| (d/dx ln|x|) cancels to the book's 1/x; kept only
    where it comes out shorter (sign(x) alone stays sign(x))."""
    return cast(sp.Expr, expr.replace(sp.sign, lambda u: u / sp.Abs(u)))


_ALTERNATE_OPS = 60  # alternate forms are offered for answers up to this size


def alternate_forms(
    expr: sp.Expr, shown: tuple[sp.Expr, ...] = ()
) -> tuple[tuple[str, sp.Expr], ...]:
    """Other forms of an answer, as WolframAlpha offers them: factored and expanded, each
    new (not `expr`, nor one of `shown`, nor another) and shown equal to `expr` by compare;
    a form that could not be confirmed is left out, never offered."""
    if sp.count_ops(expr) > _ALTERNATE_OPS or expr.is_Atom:
        return ()
    seen = {expr, *shown}
    out: list[tuple[str, sp.Expr]] = []
    start = time.perf_counter()
    rewrites: list[tuple[str, Callable[[sp.Expr], sp.Expr]]] = [("expanded", _expanded)]
    if expr.is_Add:  # a product is already factored, in some form
        rewrites.insert(0, ("factored", sp.factor))
    for name, rewrite in rewrites:
        left = _BUDGET - (time.perf_counter() - start)
        if left <= 0.01:
            break
        try:
            with budget(left):
                form = rewrite(expr)
        except OverBudget:
            continue
        if form in seen or sp.count_ops(form) > 3 * max(sp.count_ops(expr), 4):
            continue
        if name == "factored" and form.is_Add:  # the terms regrouped is not a factoring
            continue
        if not compare(form, expr).confirmed:
            continue
        seen.add(form)
        out.append((name, form))
    return tuple(out)


def _expanded(expr: sp.Expr) -> sp.Expr:
    """Multiplied out; a quotient's top and bottom each, not split into a sum of fractions;
    an exponential kept whole (e^(3x + 1), not e·e³ˣ)."""
    numerator, denominator = sp.fraction(sp.together(expr))
    if denominator == 1 or denominator.has(sp.exp):  # e⁻ˣ is a factor, not a denominator
        return cast(sp.Expr, sp.expand(expr, power_exp=False))
    return cast(
        sp.Expr,
        sp.expand(numerator, power_exp=False) / sp.expand(denominator, power_exp=False),
    )
