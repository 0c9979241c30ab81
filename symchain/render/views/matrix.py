"""A matrix derivation (symchain matrix) as lines for every text format, and as JSON."""

from __future__ import annotations

from typing import Any

from ...matrixcalc.derivation import MatrixDerivation, Reading
from ...matrixcalc.expr import Node, Shape
from ...matrixcalc.notation import latex, sympy_text, text
from .. import View, view
from ..formats import Detail
from ..layout import Formula, Line, Text


def _math(node: Node) -> Formula:
    return Formula(text(node), latex(node))


def _eq(left: str, left_tex: str, node: Node) -> tuple[Formula, ...]:
    return (Formula(f"{left} = {text(node)}", f"{left_tex} = {latex(node)}"),)


def shape_text(shape: Shape) -> str:
    return "scalar" if shape == (1, 1) else f"{shape[0]}×{shape[1]}"


def _d(name: str) -> tuple[str, str]:
    return f"d{name}", rf"\mathrm{{d}}{name}"


@view("MatrixDerivation")
class MatrixDerivationView(View):
    def lines(self, result: MatrixDerivation, detail: Detail = "normal", **_: Any) -> list[Line]:
        return matrix_lines(result, detail)

    def to_dict(self, result: MatrixDerivation) -> dict[str, Any]:
        return matrix_dict(result)


def _what(d: MatrixDerivation) -> tuple[str, str]:
    x = d.wrt
    if d.kind == "jacobian":
        return f"∂f/∂{x}", rf"\frac{{\partial f}}{{\partial {x}}}"
    if d.kind == "derivative":
        return f"df/d{x}", rf"\frac{{\mathrm{{d}} f}}{{\mathrm{{d}} {x}}}"
    return f"∂f/∂{x}", rf"\frac{{\partial f}}{{\partial {x}}}"


def matrix_lines(d: MatrixDerivation, detail: Detail = "normal") -> list[Line]:
    sh = d.differentials.shapes
    x = d.wrt
    shape = Text(f"    [{shape_text(sh(d.expression))}]")
    lines = [Line(0, (Text("f = "), _math(d.expression), shape), kind="title")]
    given = ", ".join(f"{n} [{shape_text(s)}]" for n, s in d.shapes.of_var.items())
    lines.append(Line(1, (Text(f"shapes: {given}; by {x}, the others constant"),), kind="note"))
    steps = d.differentials.steps
    for step in steps[1:]:
        parts = (
            Text(f"{step.name} = "),
            _math(step.expr),
            Text(f"    [{shape_text(sh(step.expr))}]"),
        )
        lines.append(Line(1, parts, kind="step"))
    for step in steps:
        dn, dn_tex = _d(step.name)
        parts = (*_eq(dn, dn_tex, step.differential), Text(f"    [{shape_text(sh(step.expr))}]"))
        lines.append(Line(1, parts, "; ".join(step.rules) or None, "step"))
    for step, df in zip(steps[1:], d.differentials.substituted, strict=True):
        lines.append(Line(1, _eq("df", r"\mathrm{d}f", df), f"d{step.name} put in", "step"))
    what, what_tex = _what(d)
    rearranged = _eq("df", r"\mathrm{d}f", d.read_off)
    if d.kind == "gradient":
        layout = f"{shape_text(d.shape)}, the shape of {x}: denominator layout"
        vector = sh.of_var[x][1] == 1
        rule = "a scalar is its own transpose" if vector else "cyclic property of the trace"
        lines.append(Line(1, rearranged, f"{rule}; (AB)ᵀ = BᵀAᵀ", "step"))
        read = (
            f"df = gᵀ·d{x} gives ∂f/∂{x} = g" if vector else f"df = tr(G·d{x}) gives ∂f/∂{x} = Gᵀ"
        )
    elif d.kind == "jacobian":
        layout = f"{shape_text(d.shape)}: a row per entry of f, a column per entry of {x}"
        lines.append(Line(1, rearranged, "collected as J·dx", "step"))
        read = f"df = J·d{x} gives ∂f/∂{x} = J"
    else:
        layout = f"{shape_text(d.shape)}, the shape of f"
        read = f"d{x} is a number: df/d{x} is df with d{x} = 1"
    lines.append(Line(1, (Text(f"read off: {read}"),), kind="note"))
    lines.append(Line(0, (), kind="note"))
    answer = f"{what} = {text(d.named)}"
    answer_tex = f"{what_tex} = {latex(d.named)}"
    if d.result != d.named:
        answer += f" = {text(d.result)}"
        answer_tex += f" = {latex(d.result)}"
    # the verdict is the status line's (against central differences, not SymPy's diff)
    verdict = d.status if d.status != "failed" else None
    lines.append(Line(0, (Formula(answer, answer_tex), Text(f"    [{layout}]")), kind="result",
                      verdict=verdict))  # fmt: skip
    if d.value is not None:
        lines.append(
            Line(0, (Text(f"at the given values: {_array_text(d.value)}"),), kind="result")
        )
    lines.append(Line(0, (Text(status_text(d)),), kind="status", verdict=d.status))
    for reading in d.readings:
        lines.append(Line(0, (Text(reading_text(d, reading)),), kind="note"))
    if d.sympy is not None:
        lines.append(Line(0, (Text(f"compared: {d.sympy.detail}"),), kind="status"))
    return lines


def _array_text(value) -> str:
    rows = [" ".join(f"{v:.6g}" for v in row) for row in value]
    return rows[0] if len(rows) == 1 else "[" + "; ".join(rows) + "]"


def reading_text(d: MatrixDerivation, r: Reading) -> str:
    """where y is one-hot or a distribution: the shorter answer, and whether it was proved."""
    what, _ = _what(d)
    said = f"if the entries of {r.vector} add up to 1 (one-hot, a distribution): {what} = "
    said += text(r.result)
    if r.check is None:
        return said + " (? unconfirmed: no finite point)"
    if r.check.ok:
        return said + f" (✓ with {r.vector} drawn so, largest error {r.check.worst:.1e})"
    return said + f" (✗ not verified with {r.vector} drawn so)"


def status_text(d: MatrixDerivation) -> str:
    drawn = [c for c in d.checks if c.kind != "given"]
    sizes = "; ".join(", ".join(f"{k}={v}" for k, v in c.sizes.items()) for c in drawn)
    where = f"at {len(drawn)} random points" + (f" ({sizes})" if sizes.strip("; ") else "")
    if len(drawn) < len(d.checks):
        where += " and at the given values"
    worst = max((c.worst for c in d.checks), default=float("nan"))
    if d.verified:
        return (f"✓ verified: {where}, against central differences of f "
                f"(largest error {worst:.1e})")  # fmt: skip
    if not d.checks:
        return "? unconfirmed: f is not finite and real at any point tried"
    return (f"✗ NOT verified: the answer differs from central differences of f "
            f"(largest error {worst:.1e}; {where})")  # fmt: skip


def matrix_dict(d: MatrixDerivation) -> dict[str, Any]:
    sh = d.differentials.shapes
    return {
        "input": d.input,
        "expression": sympy_text(d.expression, sh),
        "wrt": d.wrt,
        "kind": d.kind,
        "gradient": sympy_text(d.result, sh),
        "shape": list(d.shape),
        "shapes": {n: list(s) for n, s in d.shapes.of_var.items()},
        "value": d.value.tolist() if d.value is not None else None,
        "verified": d.verified,
        "status": d.status,
        "checks": [
            {"sizes": c.sizes, "values": c.kind, "largest_error": c.worst, "ok": c.ok}
            for c in d.checks
        ],  # fmt: skip
        "steps": [
            {
                "name": s.name,
                "expression": sympy_text(s.expr, sh),
                "differential": sympy_text(s.differential, sh),
                "rules": list(s.rules),
            }
            for s in d.differentials.steps
        ],  # fmt: skip
        "sympy": None
        if d.sympy is None
        else {"outcome": d.sympy.outcome, "detail": d.sympy.detail},  # fmt: skip
        "warnings": list(d.warnings),
        "if_sums_are_one": [
            {
                "vector": r.vector,
                "gradient": sympy_text(r.result, d.differentials.shapes),
                "verified": bool(r.check is not None and r.check.ok),
            }
            for r in d.readings
        ],
    }
