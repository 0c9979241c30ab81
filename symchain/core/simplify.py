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
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from .budget import OverBudget, budget

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
    rewrites: list[Callable[[sp.Expr], sp.Expr]] = [sp.factor_terms, sp.cancel, sp.powsimp]
    if expr.has(sp.sign):
        rewrites.append(_sign_as_ratio)
    if ops <= _TRIG_OPS and expr.has(TrigonometricFunction):
        rewrites.append(_trig)
    best, best_size = expr, _size(expr)
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
        size = _size(candidate)
        if size < best_size:
            best, best_size = candidate, size
    return best


def _trig(expr: sp.Expr) -> sp.Expr:
    return cast(sp.Expr, sp.trigsimp(expr))  # trigsimp is unannotated


def _sign_as_ratio(expr: sp.Expr) -> sp.Expr:
    """sign(u) as u/|u|, so that sign(x)/|x| (d/dx ln|x|) cancels to the book's 1/x; kept only
    where it comes out shorter (sign(x) alone stays sign(x))."""
    return cast(sp.Expr, expr.replace(sp.sign, lambda u: u / sp.Abs(u)))
