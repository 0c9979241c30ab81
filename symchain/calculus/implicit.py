"""Implicit differentiation: both sides of an equation by x, with y a function of x.

For x² + y² = 25: write y as y(x), differentiate each side with the step
engine (so every y term gets the chain rule, y(x)² → 2·y(x)·y'(x)), collect
the y' terms and solve the linear equation for y'.  The result is checked
against `sympy.idiff`; higher orders differentiate the previous answer
again and put y' back, and are checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import sympy as sp

from ..core.compare import Verdict, compare
from ..core.errors import ParseError, UsageError
from ..core.parse import read, symbol
from ..core.piecewise import equals_sign
from ..core.realroots import real_subs
from ..core.simplify import tidy
from ..core.status import Status, combine
from ..results import Rendered
from .derivation import Derivation, check_name, derive, parse_point

MAX_IMPLICIT_ORDER = 3


@dataclass(frozen=True)
class ImplicitOrder:
    n: int
    derivation: Derivation | None  # d/dx of the previous answer (order ≥ 2)
    raw: sp.Expr  # before simplification, y' put back
    result: sp.Expr  # d^n y/dx^n in x and y
    check: Verdict  # against sympy.idiff
    reference: sp.Expr  # sympy.idiff's own answer


@dataclass(frozen=True)
class CurveTangent:
    """The tangent to the curve at (a, b): y = b + m(x − a), or the vertical line x = a
    where the curve stands straight up (y' has a zero denominator there)."""

    a: sp.Expr
    b: sp.Expr
    slope: sp.Expr | None  # None: vertical
    line: sp.Expr | None  # y = line, in x; None when vertical


@dataclass(frozen=True)
class CurvePoint:
    """A point of the curve: how it was shown to lie on it, and the derivatives there."""

    point: tuple[tuple[sp.Symbol, sp.Expr], ...]
    residual: sp.Expr  # lhs − rhs at the point: 0, or a tiny decimal when checked numerically
    exact: bool  # the residual is exactly 0
    values: tuple[sp.Expr | None, ...]  # dⁿy/dxⁿ there, order by order; None: vertical
    tangent: CurveTangent | None


@dataclass(frozen=True)
class Implicit(Rendered):
    input: str | None
    lhs: sp.Expr
    rhs: sp.Expr
    x: sp.Symbol
    y: sp.Symbol
    sides: tuple[Derivation, Derivation]  # d/dx of each side, y = y(x)
    coefficient: sp.Expr  # a in a·y' + b = 0 (in x, y)
    rest: sp.Expr  # b
    orders: tuple[ImplicitOrder, ...]
    warnings: tuple[str, ...] = ()  # how the equation was read where a convention decided it
    at: CurvePoint | None = None  # the slope (and tangent) at a point of the curve

    @property
    def result(self) -> sp.Expr:
        return self.orders[-1].result

    @property
    def order(self) -> int:
        return len(self.orders)

    @property
    def verified(self) -> bool:
        steps = all(d.verified for d in self.sides) and all(
            o.derivation is None or o.derivation.verified for o in self.orders
        )
        return steps and all(o.check.confirmed for o in self.orders)

    @property
    def complete(self) -> bool:
        return all(d.complete for d in self.sides)

    @property
    def function(self) -> sp.Expr:
        return sp.Function(self.y.name)(self.x)

    @property
    def status(self) -> Status:
        parts = (*(d.status for d in self.sides), *(o.check.status for o in self.orders))
        later = (o.derivation.status for o in self.orders if o.derivation is not None)
        return combine((*parts, *later))


def split_equation(
    text: str,
    variables: Collection[str] = (),
    notes: list[str] | None = None,
    log10: bool = False,
) -> tuple[sp.Expr, sp.Expr]:
    """'x**2 + y**2 = 25' into its two sides; no '=' means '= 0'.  The one-letter names of
    the whole equation (and `variables`) are its variables on both sides: 6xy is 6·x·y.
    How each side was read where a convention decided it goes into `notes`."""
    if not isinstance(text, str):
        raise UsageError("give the equation as text, like x**2 + y**2 = 25")
    if "==" in text:
        raise ParseError(
            "write one '=' between the two sides", text=text, position=text.index("==")
        )
    first = equals_sign(text)
    parts = [text] if first is None else [text[:first], text[first + 1 :]]
    if first is not None:
        second = equals_sign(parts[1])
        if second is not None:
            raise ParseError("an equation has one '='", text=text, position=first + 1 + second)
    known = set(variables) | set(re.findall(r"(?<![A-Za-z0-9_])[A-Za-z](?![A-Za-z0-9_])", text))
    notes = notes if notes is not None else []

    def side(part: str) -> sp.Expr:
        reading = read(part, variables=known, log10=log10)
        notes.extend(n for n in reading.notes if n not in notes)
        return reading.expr

    if len(parts) == 1:
        return side(text), sp.Integer(0)
    left, right = parts
    try:
        lhs = side(left)
    except ParseError as err:
        raise ParseError(f"left side: {err.message}", text=text, position=err.position) from None
    try:
        rhs = side(right)
    except ParseError as err:
        offset = len(left) + 1 + (err.position or 0)
        raise ParseError(f"right side: {err.message}", text=text, position=offset) from None
    return lhs, rhs


def implicit(
    equation: str,
    function: str = "y",
    wrt: str | None = None,
    order: int = 1,
    at: dict | str | list | None = None,
    tangent: bool = False,
    log10: bool = False,
) -> Implicit:
    """dⁿy/dxⁿ from an equation in x and y, y a function of x; with `at` (x=3, y=-4, a
    point of the curve) also its value there, and with `tangent` the tangent line."""
    if (
        not isinstance(order, int)
        or isinstance(order, bool)
        or not 1 <= order <= MAX_IMPLICIT_ORDER
    ):
        raise UsageError(f"`order` with `function` is 1 to {MAX_IMPLICIT_ORDER}")
    y = symbol(check_name(function, "`function` name"))
    if isinstance(equation, str) and re.search(rf"\b{re.escape(y.name)}\s*\(", equation):
        raise UsageError(
            f"write {y.name}, not {y.name}(...): `function` already makes it a function"
        )
    notes: list[str] = []
    lhs, rhs = split_equation(equation, {y.name} | ({wrt} if wrt else set()), notes, log10)
    free = {s.name: s for s in lhs.free_symbols | rhs.free_symbols}
    if y.name not in free:
        raise UsageError(f"the equation has no {y.name} to differentiate implicitly")
    others = sorted(n for n in free if n != y.name)
    if wrt is None:
        if len(others) != 1:
            listed = ", ".join(others) or "none"
            raise UsageError(f"choose the variable with `wrt` (the equation's others: {listed})")
        wrt = others[0]
    x = symbol(check_name(wrt))
    if x.name == y.name:
        raise UsageError("`wrt` and `function` name the same variable")
    if x.name not in free:
        raise UsageError(f"the equation has no {x.name}")
    Y = sp.Function(y.name)(x)
    sides = (derive(lhs.subs(y, Y), wrt=x), derive(rhs.subs(y, Y), wrt=x))
    p = sp.Dummy("p")
    moved = (sides[0].derived - sides[1].derived).subs(sp.Derivative(Y, x), p)
    moved = sp.expand(moved)
    if sp.diff(moved, p, 2) != 0:
        raise UsageError("y' does not appear linearly after differentiating: cannot solve for it")
    a = moved.coeff(p).subs(Y, y)
    b = moved.subs(p, 0).subs(Y, y)
    if a == 0:
        raise UsageError("y' cancels out: the equation does not define y as a function of x")
    F = lhs - rhs
    first_raw = -b / a
    first = tidy(first_raw, x)
    if not compare(first, first_raw).confirmed:
        first = first_raw
    reference = sp.idiff(F, y, x)
    orders = [ImplicitOrder(1, None, first_raw, first, compare(first, reference), reference)]
    for n in range(2, order + 1):
        previous = orders[-1].result.subs(y, Y)
        d = derive(previous, wrt=x)
        raw = d.derived.subs(sp.Derivative(Y, x), first.subs(y, Y)).subs(Y, y)
        result = tidy(raw, x)
        if not compare(result, raw).confirmed:
            result = raw
        reference = sp.idiff(F, y, x, n)
        orders.append(ImplicitOrder(n, d, raw, result, compare(result, reference), reference))
    text = equation if isinstance(equation, str) else None
    if tangent and not at:
        raise UsageError("`tangent` needs a point of the curve: add `at` x=a, y=b")
    if tangent and order != 1:
        raise UsageError("`tangent` is for the first derivative (`order` 1)")
    point = _on_curve(lhs, rhs, x, y, a, b, orders, at, tangent) if at else None
    return Implicit(text, lhs, rhs, x, y, sides, a, b, tuple(orders), tuple(notes), point)


ON_CURVE_DIGITS = 12  # a decimal point is on the curve when lhs − rhs vanishes to 12 digits


def _on_curve(lhs, rhs, x, y, a, b, orders, at, tangent: bool) -> CurvePoint:
    """The point, refused unless it is on the curve and y' is defined there (or the
    tangent is vertical); the derivative of each order there; the tangent line."""
    F = lhs - rhs
    point = parse_point(at, F)
    values = dict(point)
    missing = sorted(s.name for s in F.free_symbols if s not in values)
    if missing:
        raise UsageError(f"`at` needs a value for every variable: also give {', '.join(missing)}")
    where_prose: list[str | sp.Basic] = []
    for i, (s, v) in enumerate(point):
        where_prose += [f"{', ' if i else ''}{s} = ", v]
    residual = sp.simplify(real_subs(F, values))
    exact = residual == 0
    if not exact:
        size = 1 + max(abs(sp.N(real_subs(t, values), 30)) for t in sp.Add.make_args(sp.expand(F)))
        error = abs(sp.N(residual, 30))
        if not error.is_number or error > size * sp.Float(10) ** -ON_CURVE_DIGITS:
            left, right = sp.simplify(real_subs(lhs, values)), sp.simplify(real_subs(rhs, values))
            raise UsageError(
                ("the point ", *where_prose, " is not on the curve: the left side is ", left,
                 " there and the right side ", right)
            )  # fmt: skip
        residual = sp.N(residual, 3)
    coefficient, rest = sp.simplify(real_subs(a, values)), sp.simplify(real_subs(b, values))
    vertical = coefficient == 0
    if vertical and rest == 0:
        raise UsageError(
            (
                "the curve is singular at ",
                *where_prose,
                f": both sides of the equation for {y}′ "
                "are 0 there, so the slope is not defined by it",
            )  # fmt: skip
        )
    if vertical and len(orders) > 1:
        raise UsageError(
            ("the tangent is vertical at ", *where_prose, f": {y}′ and higher orders are infinite")
        )
    slopes: list[sp.Expr | None] = []
    for o in orders:
        if vertical:
            slopes.append(None)
            continue
        value = real_subs(o.result, values)
        value = sp.simplify(value) if sp.count_ops(value) <= 60 else value
        slopes.append(value if exact else sp.N(value, 12))  # a decimal point: decimals
    line = None
    if tangent:
        x0, y0 = values[x], values[y]
        if not exact:
            x0, y0 = sp.N(x0, 12), sp.N(y0, 12)
        m = slopes[0]
        line = CurveTangent(x0, y0, m, None if m is None else sp.expand(y0 + m * (x - x0)))
    if not exact:  # a point typed in decimals is shown in decimals
        point = tuple((s, v if v.is_Integer else sp.Float(v, 15)) for s, v in point)
    return CurvePoint(point, residual, bool(exact), tuple(slopes), line)
