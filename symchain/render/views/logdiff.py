"""Logarithmic differentiation as lines for every text format, and as JSON."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...calculus.logdiff import LogDerivation
from .. import View, view
from ..formats import Detail
from ..formats.json import expr_str, step_dict
from ..layout import DEF, DOT, EQ, Deriv, Line, Math, Text, rules_used, step_lines

Y = sp.Symbol("y")


@view("LogDerivation")
class LogDerivationView(View):
    def lines(self, result: LogDerivation, detail: Detail = "normal", **_: Any) -> list[Line]:
        return logdiff_lines(result, detail)

    def to_dict(self, result: LogDerivation) -> dict[str, Any]:
        return logdiff_dict(result)

    def hint(self, result: LogDerivation) -> str:
        return "take ln of both sides and split it with the log laws"


def logdiff_lines(d: LogDerivation, detail: Detail = "normal") -> list[Line]:
    x = d.variable
    title = (Text("Logarithmic differentiation of "), Math(Y), DEF, Math(d.expression))
    both_sides = f"differentiate both sides by {x}; on the left, d/d{x} ln y = y'/y (chain rule):"
    lines = [
        Line(0, title, kind="title"),
        Line(1, (Text("take ln of both sides, and split it with the log laws:"),), kind="note"),
        Line(2, (Text("ln y = "), Math(d.log_sum)), kind="step"),
        Line(1, (Text(both_sides),), kind="note"),
    ]
    for term in d.terms:
        derivation = term.derivation
        if detail == "full":
            lines += step_lines(derivation, 2, "normal")
        rules = ", ".join(rules_used(derivation))
        verdict = derivation.status.verdict
        parts = (Deriv(x, derivation.expression), EQ, Math(derivation.result))
        lines.append(Line(2, parts, rules, "step", verdict))
    lines.append(Line(1, (Text("y'/y = "), Math(d.ratio)), kind="step"))
    lines.append(Line(1, (Text("multiply by y: y' = "), Math(d.expression, factor=True), DOT,
                          Math(d.ratio, factor=True)), kind="step"))  # fmt: skip
    lines.append(Line(0, (), kind="note"))
    lines.append(
        Line(
            0, (Deriv(x, d.expression), EQ, Math(d.derived)), kind="result", verdict=d.check.status
        )
    )
    if d.result != d.derived:
        lines.append(Line(0, (Text("simplified: "), Math(d.result)), kind="result"))
    lines.append(Line(0, (Text(status_text(d)),), kind="status", verdict=d.status))
    return lines


def status_text(d: LogDerivation) -> str:
    if d.verified:
        how = "" if d.check.status == "symbolic" else " at random points"
        return f"✓ verified: each term by SymPy's diff; the answer{how} equals the direct route"
    if d.status == "failed":
        return "✗ NOT verified: the answer differs from the direct route"
    return "? unconfirmed: the answer could not be checked against the direct route"


def logdiff_dict(d: LogDerivation) -> dict[str, Any]:
    return {
        "input": d.input if d.input is not None else expr_str(d.expression),
        "expression": expr_str(d.expression),
        "variable": d.variable.name,
        "method": "log",
        "log": expr_str(d.log_sum),
        "ratio": expr_str(d.ratio),
        "result": expr_str(d.result),
        "derived": expr_str(d.derived),
        "verified": d.verified,
        "complete": d.complete,
        "status": d.status,
        "warnings": list(d.warnings),
        "terms": [
            {
                "exponent": expr_str(t.exponent),
                "base": expr_str(t.base),
                "steps": step_dict(t.derivation.steps),
            }
            for t in d.terms
        ],
    }
