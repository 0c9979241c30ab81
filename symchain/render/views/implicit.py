"""Implicit differentiation as lines for every text format, and as JSON."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...calculus.implicit import ON_CURVE_DIGITS as _DIGITS
from ...calculus.implicit import CurvePoint, Implicit
from .. import View, view
from ..formats import Detail
from ..formats.json import expr_str, step_dict
from ..formats.mathtext import signed_terms, superscript
from ..layout import (
    DEF,
    DOT,
    EQ,
    Deriv,
    Line,
    Math,
    Part,
    Ratio,
    Text,
    point_slope,
    step_lines,
    title,
)


@view("Implicit")
class ImplicitView(View):
    def lines(self, result: Implicit, detail: Detail = "normal", **_: Any) -> list[Line]:
        return implicit_lines(result, detail)

    def warnings(self, result: Implicit) -> tuple[str, ...]:
        return result.warnings

    def to_dict(self, result: Implicit) -> dict[str, Any]:
        return implicit_dict(result)

    def hint(self, result: Implicit) -> str:
        return f"differentiate both sides by {result.x}; each {result.y} term needs the chain rule"


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
        before = (
            f"d{y}/d{x}"
            if order.n == 2
            else f"d{superscript(str(order.n - 1))}{y}/d{x}{superscript(str(order.n - 1))}"
        )
        lines.append(title(f"Order {order.n}: differentiate {before} again"))
        if detail != "brief":
            lines += step_lines(order.derivation, 1, detail)
        back = (Text(f"then put {y}' = "), Math(first.result), Text(" back: "), Math(order.raw))
        lines.append(Line(1, back, kind="step"))
    lines.append(Line(0, (), kind="note"))
    for order in d.orders:
        lhs = Ratio(y, x, n=order.n)
        lines.append(
            Line(0, (lhs, EQ, Math(order.result)), kind="result", verdict=order.check.status)
        )
    if d.at is not None:
        lines += _point_lines(d, d.at)
    lines.append(Line(0, (Text(status_text(d)),), kind="status", verdict=d.status))
    return lines


def _point_lines(d: Implicit, at: CurvePoint) -> list[Line]:
    """The point, how it is on the curve, the derivatives there and the tangent line."""
    x, y = d.x, d.y
    values = dict(at.point)
    names = ", ".join(s.name for s, _ in at.point)
    coordinates = sp.Tuple(*(v for _, v in at.point))
    head: tuple[Part, ...] = (Text(f"at ({names}) = "), Math(coordinates))
    if at.exact:  # 3² + (−4)² = 25: the point put in, not yet worked out, terms in order
        head += (Text(", on the curve: "), *_put_in(d.lhs, values), DEF, *_put_in(d.rhs, values))
    else:
        off = f"{float(at.residual):.1e}"
        head += (Text(f", on the curve to {_DIGITS} digits (left − right = {off})"),)
    lines = [Line(0, (), kind="note"), Line(0, head, kind="result")]
    for order, value in zip(d.orders, at.values, strict=True):
        lhs = Ratio(y, x, n=order.n)
        if value is None:
            lines.append(
                Line(1, (lhs, Text(" is undefined: the tangent is vertical")), kind="note")
            )
        else:
            lines.append(Line(1, (lhs, EQ, Math(value)), kind="note"))
    t = at.tangent
    if t is not None:
        point = (Math(coordinates),)  # in the order of the head line, as the point was given
        if t.slope is None:
            lines.append(
                Line(0, (Text("tangent line at "), *point, Text(": vertical")), kind="result")
            )
            lines.append(Line(1, (Math(x), DEF, Math(t.a)), kind="note"))
        else:
            head = (Text("tangent line at "), *point, Text(": the slope "), Math(t.slope))
            lines.append(Line(0, head, kind="result"))
            form = point_slope(t.b, t.slope, x, t.a)
            parts = (Math(y), DEF, Math(form))
            if form != t.line:
                parts += (EQ, Math(t.line))
            lines.append(Line(1, parts, kind="note"))
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
        **(_point_dict(d.at) if d.at is not None else {}),
    }


def _point_dict(at: CurvePoint) -> dict[str, Any]:
    t = at.tangent
    out: dict[str, Any] = {
        "at": {s.name: expr_str(v) for s, v in at.point},
        "on_curve": "exact" if at.exact else f"to {_DIGITS} digits",
        "values": [None if v is None else expr_str(v) for v in at.values],
        "value": None if at.values[-1] is None else expr_str(at.values[-1]),
    }
    if t is not None:
        out["tangent"] = {
            "x": expr_str(t.a),
            "y": expr_str(t.b),
            "slope": None if t.slope is None else expr_str(t.slope),
            "line": None if t.line is None else expr_str(t.line),
            "vertical": t.slope is None,
        }
    return out


def _put_in(side: sp.Expr, values: dict) -> tuple[Part, ...]:
    """The side with the point's numbers put in, term by term in the order it is printed."""
    parts: list[Part] = []
    for i, (subtracted, term) in enumerate(signed_terms(side)):
        # a function's argument worked out (tan(π/4), not tan(1/4·π·1)); the rest as typed
        calls = {
            f: f.func(*(a.xreplace(values) for a in f.args), evaluate=False)
            for f in term.atoms(sp.Function)
            if f.args
        }
        with sp.evaluate(False):
            number = term.xreplace({**calls, **values})
        if i:
            parts.append(Text(" − " if subtracted else " + "))
        elif subtracted:
            parts.append(Text("−"))
        parts.append(Math(number))
    return tuple(parts)
