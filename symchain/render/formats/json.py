"""JSON: the derivation as data, every expression a string `sympy.parse_expr` reads."""

from __future__ import annotations

import json
import math

import sympy as sp

from ...core.steps import CONFIRMED, Step
from ..layout import status


def expr_str(expr: sp.Expr) -> str:
    return sp.sstr(expr)


def step_dict(step: Step) -> dict:
    out = {
        "rule": step.rule,
        "expression": expr_str(step.expr),
        "variable": str(step.var),
        "result": expr_str(step.result),
        "verified": step.verdict in CONFIRMED,
        "verdict": step.verdict,
        "substeps": [step_dict(s) for s in step.substeps],
    }
    if step.names:
        out["names"] = {str(name): expr_str(value) for name, value in step.names}
    if step.factor is not None:
        out["factor"] = expr_str(step.factor)
    if step.note:
        out["note"] = step.note
    return out


def derivation_dict(d) -> dict:
    out = {
        "input": d.input if d.input is not None else expr_str(d.expression),
        "expression": expr_str(d.expression),
        "variable": str(d.variable),
        "order": d.order,
        "result": expr_str(d.result),
        "derived": expr_str(d.orders[-1].derived),
        "verified": d.verified,
        "complete": d.complete,
        "status": status(d),
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
    return out


def error_dict(text: str | None, error) -> dict:
    return {"input": text, "error": error.to_dict()}


def render_json(derivation, indent: int | None = 2) -> str:
    return json.dumps(derivation_dict(derivation), indent=indent, ensure_ascii=False) + "\n"
