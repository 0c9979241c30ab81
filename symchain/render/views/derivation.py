"""The view of a Derivation: its steps order by order, the answer, the point, the tangent
line and the verdict; its JSON form; its one-line LaTeX for Jupyter."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import sympy as sp

from ...calculus.derivation import Derivation, Order
from ...core.prose import prime_name
from ...core.steps import CONFIRMED, FAILED, NUMERIC
from .. import View, view
from ..formats import Detail
from ..formats.json import expr_str, step_dict
from ..formats.tex import expr_latex
from ..formats.text import decimal, expr_text
from ..layout import (
    DEF,
    EQ,
    Deriv,
    Line,
    Math,
    Part,
    StepEmitter,
    Text,
    is_big,
    label,
    point_slope,
    rules_in,
)


@view("Derivation")
class DerivationView(View):
    def lines(self, result: Derivation, detail: Detail = "normal", **_: Any) -> list[Line]:
        return derivation_lines(result, detail)

    def warnings(self, result: Derivation) -> tuple[str, ...]:
        return result.warnings

    def to_dict(self, result: Derivation) -> dict[str, Any]:
        return derivation_dict(result)

    def notebook_latex(self, result: Derivation) -> str:
        return answer_latex(result)

    def hint(self, result: Derivation) -> str:
        return f"start with the {label(result.steps.rule)}"


def derivation_lines(d: Derivation, detail: str = "normal") -> list[Line]:
    """Every line of the derivation, in order."""
    lines: list[Line] = []
    if d.order > 1:  # what is asked, above the orders that build it
        lines.append(Line(0, (Deriv(d.variable, d.expression, d.order),), kind="title"))
    for order in d.orders:
        title: list[Part] = [] if d.order == 1 else [Text(f"Order {order.n}: ")]
        title += [Deriv(d.variable, order.expr)]
        lines.append(Line(0, tuple(title), kind="title"))
        if detail == "brief":
            rules = rules_in(order.steps)
            lines.append(Line(1, (Text("rules: " + ", ".join(rules)),), kind="note"))
        else:
            # only big inner functions are written by name elsewhere: u = -x stays -x
            names = {
                inner: name for s in order.steps.walk() for name, inner in s.names if is_big(inner)
            }
            StepEmitter(lines, detail, names).emit(order.steps, 1)
        lines.extend(_answer(order, d))
    lines.extend(_footer(d))
    return lines


def _answer(order: Order, d: Derivation) -> list[Line]:
    lines = [
        Line(
            0,
            (Deriv(d.variable, order.expr), EQ, Math(order.derived)),
            kind="result",
            verdict=order.check.status,
        )
    ]
    if order.result != order.derived:
        lines.append(Line(0, (Text("simplified: "), Math(order.result)), kind="result"))
    if d.order == 1 and d.undefined_at:
        lines[-1] = replace(lines[-1], parts=(*lines[-1].parts, *_except(d)))
    if order is d.orders[-1] and d.alternates:
        parts: list[Part] = [Text("other forms: ")]
        for i, (name, form) in enumerate(d.alternates):
            parts += [Text(("; " if i else "") + f"{name} "), Math(form)]
        lines.append(Line(0, tuple(parts), kind="result"))
    return lines


def _footer(d: Derivation) -> list[Line]:
    lines = []
    if d.order > 1:
        parts = (Deriv(d.variable, d.expression, d.order), EQ, Math(d.result), *_except(d))
        lines.append(Line(0, parts, kind="result"))
    if d.point:
        where = ", ".join(f"{s} = {expr_text(v)}" for s, v in d.point)
        parts: list[Part] = [Text(f"at {where}: "), Math(d.value)]
        if (
            d.value is not None
            and not (d.value.is_Float or d.value.is_Integer)
            and not d.value.free_symbols
            and not d.value.has(sp.Derivative, sp.Subs)
        ):
            approx = d.value.evalf(12)
            if approx != d.value and approx.is_finite:
                parts += [Text(" ≈ " + _short_number(approx))]
        lines.append(Line(0, tuple(parts), kind="result"))
    if d.tangent is not None:
        lines += _tangent_lines(d)
    if d.joins:
        lines += _join_lines(d)
    lines.append(Line(0, (Text(status_text(d)),), kind="status", verdict=d.status))
    if not d.complete:
        lines.append(
            Line(
                0, (Text("note: some steps are SymPy's own answer, not a named rule"),), kind="note"
            )
        )
    return lines


def _except(d: Derivation) -> tuple[Part, ...]:
    """ ", for x ≠ 0": the answer holds everywhere but where the joins lose the derivative."""
    if not d.undefined_at:
        return ()
    parts: list[Part] = [Text(f", for {d.variable} ≠ ")]
    for i, b in enumerate(d.undefined_at):
        parts += [Text(", ")] * bool(i) + [Math(b)]
    return tuple(parts)


def _join_lines(d: Derivation) -> list[Line]:
    """At each join: the limits from both sides and f(b), then the slopes from both sides."""
    x, several = d.variable, d.order > 1
    lines = [Line(0, (), kind="note"), Line(0, (Text("where the pieces meet"),), kind="result")]
    missing = []
    for j in d.joins:
        of = f"{prime_name(j.order)} at " if several else "at "
        head: list[Part] = [Text(f"{of}{x} = "), Math(j.at), Text(": "), Math(j.left)]
        head += [Text(" → "), Math(j.left_value), Text(" from the left, "), Math(j.right)]
        head += [Text(" → "), Math(j.right_value), Text(" from the right")]
        if j.value is not None:
            head += [Text(f", {prime_name(j.order)}("), Math(j.at), Text(") = "), Math(j.value)]
        lines.append(Line(1, tuple(head), kind="note"))
        if not j.continuous:
            lines.append(
                Line(2, (Text("not continuous there, so not differentiable"),), kind="note")
            )
            missing.append(j.at)
            continue
        slopes: list[Part] = [Text("continuous; slopes "), _slope(j.left_slope)]
        slopes += [Text(" from the left, "), _slope(j.right_slope), Text(" from the right: ")]
        if j.differentiable:
            slopes += [Text(f"differentiable, {prime_name(j.order + 1)}("), Math(j.at),
                       Text(") = "), Math(j.left_slope)]  # fmt: skip
        else:
            slopes += [Text("not differentiable there")]
            missing.append(j.at)
        lines.append(Line(2, tuple(slopes), kind="note"))
    if missing:
        note: list[Part] = [
            Text(f"so {prime_name(d.order)} is the pieces' derivative everywhere but at ")
        ]
        for i, b in enumerate(missing):
            note += [Text((" and " if i else "") + f"{x} = "), Math(b)]
        lines.append(Line(1, (*note, Text(", where it does not exist")), kind="note"))
    return lines


def _slope(value: sp.Expr | None) -> Part:
    return Text("none (no finite limit)") if value is None else Math(value)


def _tangent_lines(d: Derivation) -> list[Line]:
    """The point, the slope and the line y = f(a) + f'(a)(x − a), with decimals when it
    holds numbers that are not rational (log(2), pi, cos(1))."""
    t, x = d.tangent, d.variable
    y = sp.Symbol("y")
    lines = [
        Line(0, (Text(f"tangent line at {x} = "), Math(t.a), Text(": the point ("), Math(t.a),
                 Text(", "), Math(t.fa), Text("), the slope "), Math(t.slope)), kind="result"),
    ]  # fmt: skip
    if t.slope == 0:
        lines.append(Line(1, (Math(y), DEF, Math(t.line)), kind="note"))
    else:
        form = point_slope(t.fa, t.slope, x, t.a)
        lines.append(Line(1, (Math(y), DEF, Math(form), EQ, Math(t.line)), kind="note"))
    coefficients = sp.Poly(t.line, x).coeffs() if t.line.is_polynomial(x) else [t.line]
    if not all(c.is_Rational for c in coefficients):
        fa, slope = t.numeric()
        approx = sp.Float(fa, 10) + sp.Float(slope, 10) * (x - t.a.evalf(15))
        lines.append(Line(1, (Math(y), Text(" ≈ "), Math(sp.expand(approx))), kind="note"))
    return lines


def status_text(d: Derivation) -> str:
    steps = [s for o in d.orders for s in o.steps.walk()]
    total = len(steps)
    numeric = sum(1 for s in steps if s.verdict == NUMERIC)
    if d.verified:
        how = f"{total} step{'s' if total != 1 else ''} checked against SymPy's diff"
        if numeric:
            how += f", {numeric} of them at random points"
        return f"✓ verified: {how}"
    failed = sum(1 for s in steps if s.verdict == FAILED)
    unconfirmed = sum(1 for s in steps if s.verdict not in CONFIRMED) - failed
    if d.status == FAILED:
        return f"✗ NOT verified: {failed} step(s) disagree with SymPy's diff"
    return f"? unconfirmed: {unconfirmed} step(s) could not be checked either way"


def _short_number(value: sp.Expr) -> str:
    """12 significant digits, no trailing zeros: 0.75, not 0.750000000000."""
    re, im = value.as_real_imag()
    text = _digits(re)
    if im != 0:
        text += f" {'+' if im > 0 else '-'} {_digits(abs(im))}*I"
    return text


def _digits(number: sp.Expr) -> str:
    """A float's 12 digits, or SymPy's own for one beyond float range (exp(1000))."""
    as_float = float(number)
    if abs(as_float) == float("inf") or (as_float == 0 and number != 0):
        return sp.sstr(sp.Float(number, 12))
    return decimal(as_float)


def derivation_dict(d: Derivation) -> dict[str, Any]:
    out = {
        "input": d.input if d.input is not None else expr_str(d.expression),
        "expression": expr_str(d.expression),
        "variable": str(d.variable),
        "order": d.order,
        "result": expr_str(d.result),
        "derived": expr_str(d.orders[-1].derived),
        "alternates": [{"form": name, "expression": expr_str(form)} for name, form in d.alternates],
        "verified": d.verified,
        "complete": d.complete,
        "status": d.status,
        "warnings": list(d.warnings),
        "steps": step_dict(d.steps),
    }
    if d.order > 1:
        out["orders"] = [
            {
                "order": o.n,
                "expression": expr_str(o.expr),
                "result": expr_str(o.result),
                "verified": o.verified,
                "steps": step_dict(o.steps),
            }
            for o in d.orders
        ]
    if d.point:
        out["at"] = {str(s): expr_str(v) for s, v in d.point}
        out["value"] = expr_str(d.value)
        out["value_float"] = None
        if d.value is not None and d.value.is_number and not d.value.has(sp.Derivative, sp.Subs):
            number = complex(d.value.evalf(17))
            finite = math.isfinite(number.real) and number.imag == 0
            out["value_float"] = number.real if finite else None
    if d.tangent is not None:
        t = d.tangent
        out["tangent"] = {
            "x": expr_str(t.a),
            "y": expr_str(t.fa),
            "slope": expr_str(t.slope),
            "line": expr_str(t.line),
            "exact": t.exact,
        }
    if d.undefined_at:  # the answer holds everywhere else
        out["undefined_at"] = [expr_str(b) for b in d.undefined_at]
    if d.joins:
        out["joins"] = [
            {
                "at": expr_str(j.at),
                "order": j.order,
                "continuous": j.continuous,
                "differentiable": j.differentiable,
                "value": None if j.value is None else expr_str(j.value),
                "left_limit": expr_str(j.left_value),
                "right_limit": expr_str(j.right_value),
                "left_slope": None if j.left_slope is None else expr_str(j.left_slope),
                "right_slope": None if j.right_slope is None else expr_str(j.right_slope),
            }
            for j in d.joins
        ]
    return out


def answer_latex(derivation: Derivation) -> str:
    """The one-line answer, for Jupyter's _repr_latex_."""
    d = derivation
    lhs = rf"\frac{{d}}{{d{expr_latex(d.variable)}}}\left({expr_latex(d.expression)}\right)"
    if d.order > 1:
        lhs = (
            rf"\frac{{d^{{{d.order}}}}}{{d{expr_latex(d.variable)}^{{{d.order}}}}}"
            rf"\left({expr_latex(d.expression)}\right)"
        )
    mark = r"\quad\checkmark" if d.verified else r"\quad\text{(unverified)}"
    return f"$${lhs} = {expr_latex(d.result)}{mark}$$"
