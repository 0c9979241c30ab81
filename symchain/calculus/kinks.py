"""Where |u| or sign(u) breaks the derivative: |x| has none at 0, though sign(0) = 0.

The rules give |u|′ = sign(u)·u′ and sign(u)′ = 0, true wherever u ≠ 0.
At a real root c of u the n-th derivative exists only when every lower
derivative is continuous at c and the last one has the same slope from both
sides; that is judged here from one-sided values at c ± 10⁻¹² (exact
rationals, evaluated at 30 digits), for a function of one variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..core.budget import OverBudget, budget
from ..core.realroots import real_subs

_MAX_POINTS = 8
_SOLVE_SECONDS = 2.0


@dataclass(frozen=True)
class Kink:
    """A point where the derivative of order `order` + 1 does not exist, and why."""

    at: sp.Expr
    order: int  # the derivative that breaks there: 0 for f itself, 1 for f′, ...
    jumps: bool  # True: it is not continuous there; False: its slopes differ
    left: float  # its value (jumps) or slope just left of the point
    right: float


def kinks(functions: list[sp.Expr], var: sp.Symbol) -> tuple[Kink, ...]:
    """`functions` are f, f′, ..., f⁽ⁿ⁾ (f⁽ⁿ⁾ last): the points where f⁽ⁿ⁾ does not exist."""
    if any(f.free_symbols - {var} for f in functions):
        return ()
    candidates = _roots(functions, var)
    found = []
    for c in candidates:
        kink = _first_break(functions, var, c)
        if kink is not None:
            found.append(kink)
    return tuple(found)


def _roots(functions: list[sp.Expr], var: sp.Symbol) -> list[sp.Expr]:
    """The real roots of every |u|, sign(u) and Heaviside(u) argument: the only candidates."""
    arguments = {
        a.args[0]
        for f in functions
        for a in f.atoms(sp.Abs, sp.sign, sp.Heaviside)
        if a.args[0].has(var)
    }
    points: set[sp.Expr] = set()
    try:
        with budget(_SOLVE_SECONDS):
            for u in arguments:
                roots = sp.solveset(u, var, sp.S.Reals)
                if not isinstance(roots, sp.FiniteSet):
                    continue
                points |= {r for r in roots if r.is_real and not r.free_symbols}
    except OverBudget:
        return []
    return sorted(points, key=lambda p: float(p))[:_MAX_POINTS]


def _first_break(functions: list[sp.Expr], var: sp.Symbol, c: sp.Expr) -> Kink | None:
    h = sp.Rational(1, 10**12) * max(1, abs(sp.Integer(int(float(c)))))
    for k, f in enumerate(functions):
        left, right = _side(f, var, c - h), _side(f, var, c + h)
        if left is None or right is None:
            return None
        if k < len(functions) - 1 and _differ(left, right):
            # f⁽ᵏ⁾ jumps: the next derivative, and every one after, does not exist
            return Kink(c, k, True, left, right)
        if k == len(functions) - 1 and _differ(left, right):
            return Kink(c, k - 1, False, left, right)  # the slopes of f⁽ᵏ⁻¹⁾ differ
    return None


def _side(f: sp.Expr, var: sp.Symbol, x: sp.Expr) -> float | None:
    """f just beside the kink, or None where it has no real value there."""
    try:
        value = real_subs(f, {var: x}).evalf(30)
    except ValueError as err:  # Heaviside(asec(x)) at x = −10⁻¹²: asec is not real there
        if "Real" not in str(err):
            raise
        return None
    if not value.is_number or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    z = complex(value)
    if abs(z.imag) > 1e-20:
        return None
    return 0.0 if abs(z.real) < 1e-9 else z.real


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > 1e-6 * max(1.0, abs(a), abs(b))
