"""A claim about a curve (an implicit dy/dx, a tangent line) judged: as lines and JSON."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...calculus.claims import CurveCheck
from ...calculus.implicit import Implicit
from ...core.prose import prose_str
from .. import View, json_text, lines_text, view
from ..formats import Detail, Format
from ..formats.json import expr_str
from ..layout import DEF, Line, Math, Part, Ratio, Text, prose_parts
from .derivation import derivation_dict, derivation_lines
from .implicit import implicit_dict, implicit_lines


@view("CurveCheck")
class CurveCheckView(View):
    def lines(self, result: CurveCheck, detail: Detail = "normal", **_: Any) -> list[Line]:
        return curve_check_lines(result, detail, spaced=True)

    def text(self, result: CurveCheck, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("json", "jsonl"):
            return json_text(curve_check_dict(result), fmt)
        spaced = fmt in ("plain", "rich")
        return lines_text(curve_check_lines(result, detail, spaced), "plain" if spaced else fmt)

    def warnings(self, result: CurveCheck) -> tuple[str, ...]:
        return result.warnings

    def to_dict(self, result: CurveCheck) -> dict[str, Any]:
        return curve_check_dict(result)


def _asked(result: CurveCheck) -> tuple[Part, ...]:
    """What the claim is claimed to be: dy/dx on the curve, or the tangent line at x = a."""
    work = result.derivation
    if isinstance(work, Implicit):
        curve = (Math(work.lhs), DEF, Math(work.rhs))
        if result.kind == "implicit":
            return (Ratio(work.y, work.x), Text(" on the curve "), *curve)
        return (Text("the tangent line to the curve "), *curve, *_at(result))
    graph = (Text("the tangent line to y = "), Math(work.expression))
    return (*graph, *_at(result))


def _at(result: CurveCheck) -> tuple[Part, ...]:
    work = result.derivation
    if isinstance(work, Implicit) and work.at is not None:
        return (Text(" at "), Math(sp.Tuple(*(v for _, v in work.at.point))))
    (x, a), *_ = result.point
    return (Text(f" at {x} = "), Math(a))


def _claim(result: CurveCheck) -> tuple[Part, ...]:
    if result.vertical:  # both are equations
        return (Math(result.claimed),)
    if result.kind == "tangent":
        y = result.derivation.y if isinstance(result.derivation, Implicit) else sp.Symbol("y")
        return (Math(y), DEF, Math(result.claimed))
    return (Math(result.claimed),)


def curve_check_lines(result: CurveCheck, detail: Detail, spaced: bool) -> list[Line]:
    claim, asked = _claim(result), _asked(result)
    if result.correct is True:
        head: tuple[Part, ...] = (Text("✓ right: "), *claim, Text(" is "), *asked)
    elif result.correct is False:
        head = (Text("✗ not right: "), *claim, Text(" is not "), *asked)
    else:
        head = (Text("? could not decide whether "), *claim, Text(" is "), *asked)
    lines = [Line(0, head, kind="status", verdict=result.status), Line(1, (Text(result.how),))]
    if result.correct is False:
        lines += _difference(result)
    if spaced:
        lines.append(Line(0, (Text(""),), kind="note"))
    heading = "the derivation:" if result.correct else "the correct derivation:"
    lines.append(Line(0, (Text(heading),), kind="note"))
    work = result.derivation
    if isinstance(work, Implicit):
        return lines + implicit_lines(work, detail)
    return lines + derivation_lines(work, detail)


def _difference(result: CurveCheck) -> list[Line]:
    lines: list[Line] = []
    if result.kind == "implicit":
        point: list[Part] = [Text("at ")]
        for i, (s, v) in enumerate(result.point):
            point += [Text(", " * bool(i) + f"{s} = "), Math(_short(v))]
        lines.append(Line(2, (*point, Text(":"))))
        lines.append(Line(3, (Text("the claim gives "), Math(sp.Float(result.claimed_value, 12)))))
        lines.append(Line(3, (Text("dy/dx is        "), Math(sp.Float(result.true_value, 12)))))
    elif result.vertical:
        lines.append(Line(2, (Text("the tangent line: "), Math(result.truth))))
    else:
        (x, a), *_ = result.point
        lines.append(Line(2, (Text(f"the claim at {x} = "), Math(a), Text(": y = "),
                              Math(result.claimed_value))))  # fmt: skip
        lines.append(Line(2, (Text("the point of tangency: y = "), Math(result.true_value))))
        lines.append(Line(2, (Text("the tangent line: y = "), Math(result.truth))))
    if result.mistake is not None:
        lines.append(Line(1, (Text("the mistake: "), *prose_parts(result.mistake))))
    return lines


def _short(value: sp.Expr) -> sp.Float:
    """A coordinate to 6 significant digits, as a number that prints no trailing zeros."""
    text = f"{float(value):.6g}"
    digits = len(text.lstrip("-").replace(".", "").split("e")[0].lstrip("0")) or 1
    return sp.Float(text, digits)


def curve_check_dict(result: CurveCheck) -> dict[str, Any]:
    work = result.derivation
    return {
        "correct": result.correct,
        "kind": result.kind,
        "vertical": result.vertical,
        "claimed": expr_str(result.claimed),
        "result": expr_str(result.truth),
        "status": result.status,
        "how": result.how,
        "input": result.formula,
        "claimed_input": result.claimed_input,
        "point": {s.name: expr_str(v) for s, v in result.point},
        "claimed_value": None if result.claimed_value is None else expr_str(result.claimed_value),
        "true_value": None if result.true_value is None else expr_str(result.true_value),
        "mistake": None if result.mistake is None else prose_str(result.mistake),
        "warnings": list(result.warnings),
        "derivation": implicit_dict(work) if isinstance(work, Implicit) else derivation_dict(work),
    }
