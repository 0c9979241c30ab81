"""A bounded simplification: cheap rewrites tried in turn, the shortest kept.

`sympy.simplify` can take seconds on a derivative a student would call
easy; these rewrites are each fast, and none runs on an expression so big
that it could take long.
"""

from __future__ import annotations

import time

import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

_MAX_OPS = 300  # above this, the derivative is shown as derived
_SIMPLIFY_OPS = 20  # below this, SymPy's full simplify is cheap enough to try
_BUDGET = 0.5  # seconds: no new rewrite starts after this


def _size(expr: sp.Expr) -> tuple[int, int]:
    return sp.count_ops(expr), len(str(expr))


def tidy(expr: sp.Expr, var: sp.Symbol | None = None) -> sp.Expr:
    """The shortest of a few equivalent forms of `expr` (by operation count, then length)."""
    ops = sp.count_ops(expr)
    if ops > _MAX_OPS or expr.is_Atom:
        return expr
    start = time.perf_counter()
    rewrites = [sp.factor_terms, sp.cancel, _trig, sp.powsimp]
    if ops <= _SIMPLIFY_OPS:
        rewrites.append(sp.simplify)
    best, best_size = expr, _size(expr)
    for rewrite in rewrites:
        if time.perf_counter() - start > _BUDGET:
            break
        if rewrite is sp.cancel and expr.has(sp.Function):
            continue
        candidate = rewrite(best)
        size = _size(candidate)
        if size < best_size:
            best, best_size = candidate, size
    return best


def _trig(expr: sp.Expr) -> sp.Expr:
    if not expr.has(TrigonometricFunction, HyperbolicFunction):
        return expr
    return sp.trigsimp(expr)
