"""Implicit differentiation as lines for every text format, and as JSON."""

from __future__ import annotations

from typing import Any

from ...calculus.implicit import Implicit
from .. import View, view
from ..formats import Detail
from ..formats.json import expr_str, step_dict
from ..layout import DEF, DOT, EQ, Deriv, Line, Math, Ratio, Text, step_lines, title


@view("Implicit")
class ImplicitView(View):
    def lines(self, result: Implicit, detail: Detail = "normal", **_: Any) -> list[Line]:
        return implicit_lines(result, detail)

    def warnings(self, result: Implicit) -> tuple[str, ...]:
        return result.warnings

    def to_dict(self, result: Implicit) -> dict[str, Any]:
        return implicit_dict(result)

    def hint(self, result: Implicit) -> str:
        return (
            f"differentiate both sides by {result.x}; each {result.y} term needs the chain rule"
        )


def implicit_lines(d: Implicit, detail: Detail = "normal") -> list[Line]:
    x, y, Y = d.x, d.y, d.function
    note = f"  with {y} = {y}({x}), a function of {x}: every {y} term needs the chain rule"
    lines = [
        Line(0, (Math(d.lhs), DEF, Math(d.rhs)), kind="result"),
        Line(0, (Text(note),), kind="note"),
    ]
    for name, side, derivation in (("left", d.lhs, d.sides[0]), ("right", d.rhs, d.sides[1])):
        lines.append(title(f"Differentiate the {name} side by {x}"))
        if detail != "brief":
            lines += step_lines(derivation, 1, detail)
        verdict = derivation.status.verdict
        parts = (Deriv(x, side.subs(y, Y)), EQ, Math(derivation.derived))
        lines.append(Line(1, parts, kind="step", verdict=verdict))
    lines.append(title(f"Solve for {y}'"))
    both = (Math(d.sides[0].derived), DEF, Math(d.sides[1].derived))
    lines.append(Line(1, both, kind="step"))
    prime = Ratio(y, x)
    collect = (Text(f"collect the {y}' terms: "), Math(d.coefficient, factor=True), DOT, prime)
    lines.append(Line(1, (*collect, DEF, Math(-d.rest)), kind="step"))
    first = d.orders[0]
    lines.append(Line(1, (prime, EQ, Math(-d.rest / d.coefficient)), kind="step"))
    for order in d.orders[1:]:
        before = f"d{y}/d{x}" if order.n == 2 else f"d^{order.n - 1}{y}/d{x}^{order.n - 1}"
        lines.append(title(f"Order {order.n}: differentiate {before} again"))
        if detail != "brief":
            lines += step_lines(order.derivation, 1, detail)
        back = (Text(f"then put {y}' = "), Math(first.result), Text(" back: "), Math(order.raw))
        lines.append(Line(1, back, kind="step"))
    lines.append(Line(0, (), kind="note"))
    for order in d.orders:
        lhs = prime if order.n == 1 else Text(f"d^{order.n}{y}/d{x}^{order.n}")
        lines.append(
            Line(0, (lhs, EQ, Math(order.result)), kind="result", verdict=order.check.status)
        )
    lines.append(Line(0, (Text(status_text(d)),), kind="status", verdict=d.status))
    return lines


def status_text(d: Implicit) -> str:
    if d.verified:
        how = {o.check.status for o in d.orders}
        numeric = " (at random points)" if "numeric" in how else ""
        return f"✓ verified: every step by SymPy's diff; the answer against sympy.idiff{numeric}"
    if d.status == "failed":
        return "✗ NOT verified: the answer differs from sympy.idiff"
    return "? unconfirmed: the answer could not be checked against sympy.idiff"


def implicit_dict(d: Implicit) -> dict[str, Any]:
    return {
        "input": d.input if d.input is not None else f"{expr_str(d.lhs)} = {expr_str(d.rhs)}",
        "equation": {"lhs": expr_str(d.lhs), "rhs": expr_str(d.rhs)},
        "variable": d.x.name,
        "function": d.y.name,
        "order": d.order,
        "result": expr_str(d.result),
        "verified": d.verified,
        "complete": d.complete,
        "status": d.status,
        "warnings": list(d.warnings),
        "sides": [step_dict(s.steps) for s in d.sides],
        "coefficient": expr_str(d.coefficient),
        "rest": expr_str(d.rest),
        "orders": [
            {"order": o.n, "result": expr_str(o.result), "check": o.check.status} for o in d.orders
        ],
        "idiff": [expr_str(o.reference) for o in d.orders],
    }
