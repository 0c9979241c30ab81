"""JSON: the derivation as data, every expression a string `sympy.parse_expr` reads."""

from __future__ import annotations

import sympy as sp

from ...core.steps import CONFIRMED, Step


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
