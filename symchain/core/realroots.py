"""Odd roots of negative numbers are real: ∛(−8) = −2, as a calculus student's x is real.

SymPy's x**(1/3) is the principal (complex) root, so at x = −8 it is
1 + √3·i, and a point such as (−3√3, 1) of the astroid x^(2/3) + y^(2/3) = 4
looks off the curve.  Derivatives are still taken of x**(1/3) (the rules are
the same on either branch); only values at a point go through `real_subs`,
which writes each power b^(p/q) with q odd as sign(b)^p·|b|^(p/q) first.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sympy as sp


def real_subs(expr: sp.Expr, values: Mapping[Any, Any]) -> sp.Expr:
    """expr at `values`, with every odd root taken on the real branch."""
    result: sp.Expr = real_branch(expr).subs(dict(values))
    return result


@lru_cache(maxsize=256)
def real_branch(expr: sp.Expr) -> sp.Expr:
    """expr with b^(p/q), q odd, written sign(b)^p·|b|^(p/q): the same for b ≥ 0, and the
    real root for b < 0.  An expression with the imaginary unit is complex: left alone."""
    if expr.has(sp.I) or not expr.has(sp.Pow):
        return expr
    changed: sp.Expr = expr.replace(_odd_root, _real_root)  # type: ignore[assignment]
    return changed


def _odd_root(e: sp.Basic) -> bool:
    if not isinstance(e, sp.Pow):
        return False
    base, exp = e.args
    return bool(
        isinstance(exp, sp.Rational)
        and not exp.is_Integer
        and exp.q % 2 == 1
        and base.is_nonnegative is not True
    )


def _real_root(e: sp.Pow) -> sp.Expr:
    base, exp = e.args
    assert isinstance(exp, sp.Rational)
    magnitude: sp.Expr = sp.Pow(sp.Abs(base), exp)
    return magnitude if exp.p % 2 == 0 else sp.sign(base) * magnitude
