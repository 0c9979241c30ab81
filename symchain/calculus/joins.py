"""Where the pieces of a piecewise function meet: continuous there, differentiable there?

Differentiating each piece gives the derivative inside each interval.  At a
join x = b the derivative exists only when the function is continuous there and
the slopes from the two sides agree; that is the question a textbook asks
about a piecewise function, and it is answered here, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

_MAX_JOINS = 12


@dataclass(frozen=True)
class Join:
    """The join x = b of two pieces of f, or of f′, f″, ... (`order` 0, 1, 2, ...)."""

    at: sp.Expr  # b
    left: sp.Expr  # the piece just left of b
    right: sp.Expr  # the piece just right of b
    left_value: sp.Expr  # its limit at b
    right_value: sp.Expr
    value: sp.Expr | None  # f(b), None where f is not defined there
    left_slope: sp.Expr | None  # the left piece's derivative at b (None: not finite)
    right_slope: sp.Expr | None
    order: int = 0  # the pieces of the order-th derivative meet here

    @property
    def continuous(self) -> bool:
        return (
            self.value is not None
            and _same(self.left_value, self.value)
            and _same(self.right_value, self.value)
        )

    @property
    def differentiable(self) -> bool:
        return (
            self.continuous
            and self.left_slope is not None
            and self.right_slope is not None
            and _same(self.left_slope, self.right_slope)
        )


def joins(expr: sp.Expr, var: sp.Symbol, order: int = 0) -> tuple[Join, ...]:
    """The joins of a piecewise function of `var` (only one variable, numeric bounds);
    `order` says which derivative of the user's function `expr` is (0: the function)."""
    if expr.has(sp.Piecewise) and not isinstance(expr, sp.Piecewise):
        expr = sp.piecewise_fold(expr)  # 2{…} + 1 is one piecewise function
    if not isinstance(expr, sp.Piecewise) or expr.free_symbols != {var}:
        return ()
    points: set[sp.Expr] = set()
    for _, condition in expr.args:
        for rel in condition.atoms(sp.Rel):
            other = rel.rhs if rel.lhs == var else rel.lhs if rel.rhs == var else None
            if other is None or other.free_symbols or not other.is_real:
                return ()  # a condition symchain cannot place on the line
            points.add(other)
    out = []
    for b in sorted(points, key=lambda p: float(p))[:_MAX_JOINS]:
        left, right = _piece_near(expr, var, b, -1), _piece_near(expr, var, b, +1)
        if left is None or right is None:
            continue
        if left == right == _piece_near(expr, var, b, 0):
            continue  # one piece on both sides and at b: no join there (a dead piece's bound)
        value = _at(expr, var, b)
        out.append(
            Join(
                b,
                left,
                right,
                sp.limit(left, var, b, "-"),
                sp.limit(right, var, b, "+"),
                value,
                _one_sided_slope(left, var, b, "-"),
                _one_sided_slope(right, var, b, "+"),
                order,
            )
        )
    return tuple(out)


def _one_sided_slope(piece: sp.Expr, var: sp.Symbol, b: sp.Expr, side: str) -> sp.Expr | None:
    """lim (piece(x) − piece(b⁻ or b⁺)) / (x − b) from one side: the definition, which exists
    for x² sin(1/x) at 0 though the limit of its derivative does not."""
    edge = sp.limit(piece, var, b, side)
    if not edge.is_finite:
        return None
    return _finite(sp.limit((piece - edge) / (var - b), var, b, side))


def _piece_near(expr: sp.Piecewise, var: sp.Symbol, b: sp.Expr, side: int) -> sp.Expr | None:
    """The piece that holds just to one side of b (the first whose condition is true)."""
    gap = sp.Rational(1, 10**9) * max(1, abs(sp.Integer(int(float(b)))))
    point = b + side * gap
    for piece, condition in expr.args:
        if condition.subs(var, point) is sp.true:
            return piece
    return None


def _at(expr: sp.Expr, var: sp.Symbol, b: sp.Expr) -> sp.Expr | None:
    value = expr.subs(var, b)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or isinstance(value, sp.Piecewise):
        return None
    return sp.simplify(value)


def _finite(value: sp.Expr) -> sp.Expr | None:
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.AccumBounds) or isinstance(value, sp.Limit):
        return None  # infinite, or no limit at all (x·sin(1/x) at 0 oscillates)
    return sp.simplify(value)


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return bool(sp.simplify(a - b) == 0)
