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
from ..core.simplify import tidy
from ..core.status import Status, combine
from ..results import Rendered
from .derivation import Derivation, check_name, derive

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
    text: str, variables: Collection[str] = (), notes: list[str] | None = None
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
    parts = text.split("=")
    if len(parts) > 2:
        second = text.index("=", text.index("=") + 1)
        raise ParseError("an equation has one '='", text=text, position=second)
    known = set(variables) | set(re.findall(r"(?<![A-Za-z0-9_])[A-Za-z](?![A-Za-z0-9_])", text))
    notes = notes if notes is not None else []

    def side(part: str) -> sp.Expr:
        reading = read(part, variables=known)
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
    equation: str, function: str = "y", wrt: str | None = None, order: int = 1
) -> Implicit:
    """dⁿy/dxⁿ from an equation in x and y, y a function of x."""
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
    lhs, rhs = split_equation(equation, {y.name} | ({wrt} if wrt else set()), notes)
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
    return Implicit(text, lhs, rhs, x, y, sides, a, b, tuple(orders), tuple(notes))
