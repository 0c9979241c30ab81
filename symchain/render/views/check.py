"""Printers for `symchain check`, in every format of `derive`.

The verdict comes first (✓ right / ✗ not right / ? could not decide), then
its evidence: for a claim in another form, how the two forms were shown
equal; for a wrong claim, a point where they differ with both values, and
the common mistake that gives the claim, if one does.  Then the derivation
itself, laid out by `layout` exactly as `derive` prints it.  Every format
walks the same lines, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...calculus.check import CheckResult, Counterexample, Mistake
from ...core.prose import prose_str
from .. import View, json_text, lines_text, view
from ..formats import Detail, Format
from ..formats.json import expr_str
from ..formats.tex import expr_latex
from ..formats.text import decimal, expr_text
from ..layout import Deriv, Line, Math, Part, Text, prose_parts
from .derivation import derivation_dict, derivation_lines


@view("CheckResult")
class CheckView(View):
    def lines(
        self, result: CheckResult, detail: Detail = "normal", *, spaced: bool = True, **_: Any
    ) -> list[Line]:
        return check_lines(result, detail, spaced)

    def text(self, result: CheckResult, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("json", "jsonl"):
            return json_text(check_dict(result), fmt)
        # plain text and the terminal show lines as they are, so they space the derivation
        spaced = fmt in ("plain", "rich")
        return lines_text(check_lines(result, detail, spaced), "plain" if spaced else fmt)

    def warnings(self, result: CheckResult) -> tuple[str, ...]:
        return result.warnings

    def to_dict(self, result: CheckResult) -> dict[str, Any]:
        return check_dict(result)

    def notebook_latex(self, result: CheckResult) -> str:
        return answer_latex(result)


def _verdict_line(result) -> Line:
    asked = Deriv(result.variable, result.expression, result.order)
    claim = Math(result.claimed)
    if result.correct is True:
        parts: tuple[Part, ...] = (Text("✓ right: "), claim, Text(" is "), asked)
    elif result.correct is False:
        parts = (Text("✗ not right: "), claim, Text(" is not "), asked)
    else:
        parts = (Text("? could not decide whether "), claim, Text(" is "), asked)
    return Line(0, parts, kind="status", verdict=result.status)


def _step(depth: int, *parts: Part) -> Line:
    return Line(depth, tuple(parts))


def _approx(value: sp.Expr, number: float) -> list[Part]:
    """cos(1) ≈ 0.540302305868; a plain number alone."""
    parts: list[Part] = [Math(value)]
    if not (value.is_Integer or value.is_Float):
        parts.append(Text(f" ≈ {decimal(number)}"))
    return parts


def _sides(result) -> list[Line]:
    return [
        _step(1, Text("the claim:      "), Math(result.claimed)),
        _step(1, Text("the derivative: "), Math(result.truth)),
    ]


def _equality_lines(result) -> list[Line]:
    """How the claim was shown equal: nothing to show when it is the derivative's own form."""
    how = result.equality
    if how.method == "identical":
        return [_step(1, Text(how.text))]
    lines = _sides(result)
    if how.method == "rewrite":
        lines.append(_step(1, Text(f"{how.rewrite} turns both into "), Math(how.common)))
    elif how.method == "simplify":
        difference = sp.Add(result.claimed, -result.truth, evaluate=False)
        lines.append(_step(1, Text("claim − derivative = "), Math(difference)))
        lines.append(_step(2, Text("which simplifies to 0")))
    else:
        lines.append(_step(1, Text(how.text)))
    return lines


def _wrong_lines(result) -> list[Line]:
    c = result.counterexample
    where = ", ".join(f"{s} = {expr_text(v)}" for s, v in c.point)
    put: list[Part] = []
    for name, body in c.functions:  # with f(u) = sin(u) + u³/7 put in for f
        put += [Text(", " if put else "with "), Text(f"{name}(u) = "), Math(body)]
    if put:
        put.append(Text(", "))
    lines = [
        _step(1, *put, Text(f"they differ at {where}:")),
        _step(2, Text("the claim gives      "), *_approx(c.claimed, c.claimed_float)),
        _step(2, Text("the derivative gives "), *_approx(c.true, c.true_float)),
    ]
    if f"{c.claimed_float:.12g}" == f"{c.true_float:.12g}":
        lines.append(_step(2, Text(f"a difference of {decimal(c.difference, '.3g')}")))
    m = result.mistake
    if m is None:
        lines.append(_step(1, Text("no common mistake we know of gives this claim")))
        return lines
    lines.append(_step(1, Text(f"the mistake: {m.name}")))
    lines.append(_step(2, *prose_parts(m.explanation)))
    lines.append(_step(2, Text("that rule gives "), Math(m.mistaken), Text(", which is the claim")))
    return lines


def check_lines(result, detail: str = "normal", spaced: bool = False) -> list[Line]:
    """Every line of a check, in order: the verdict, its evidence, then the derivation.

    `spaced` puts an empty line before the derivation's heading, for the
    formats that show lines as they are (plain, rich); Markdown and LaTeX
    space their own paragraphs and rows.
    """
    lines = [_verdict_line(result)]
    if result.correct is True:
        lines += _equality_lines(result)
    elif result.correct is False:
        lines += _wrong_lines(result)
    else:
        lines += _sides(result)
        lines.append(_step(1, Text("neither shown equal nor found to differ at a point")))
    lines += [Line(0, (Text(f"note: {note}"),), kind="note") for note in result.notes]
    if spaced:
        lines.append(Line(0, (Text(""),), kind="note"))
    heading = "the derivation:" if result.correct else "the correct derivation:"
    lines.append(Line(0, (Text(heading),), kind="note"))
    return lines + derivation_lines(result.true, detail)


def check_dict(result: CheckResult) -> dict[str, Any]:
    """The issue's keys first (correct, claimed, result, counterexample, mistake), then the rest."""
    d = result.true
    equality = result.equality
    return {
        "correct": result.correct,
        "claimed": expr_str(result.claimed),
        "result": expr_str(result.truth),
        "counterexample": (
            counterexample_dict(result.counterexample) if result.counterexample else None
        ),
        "mistake": result.mistake.name if result.mistake else None,
        "status": result.status,
        "input": result.formula if result.formula is not None else expr_str(d.expression),
        "claimed_input": result.claimed_input,
        "expression": expr_str(d.expression),
        "variable": str(d.variable),
        "order": d.order,
        "equal_how": result.equal_how,
        "equality": None
        if equality is None
        else {
            "method": equality.method,
            "text": equality.text,
            "rewrite": equality.rewrite,
            "common": expr_str(equality.common) if equality.common is not None else None,
        },
        "mistake_detail": mistake_dict(result.mistake) if result.mistake else None,
        "notes": list(result.notes),
        "warnings": list(result.warnings),
        "derivation": derivation_dict(d),
    }


def answer_latex(result) -> str:
    """One line for Jupyter's _repr_latex_: the derivative, and the claim beside it."""
    n, var = result.order, expr_latex(result.variable)
    top = "d" if n == 1 else f"d^{{{n}}}"
    bottom = f"d{var}" if n == 1 else f"d{var}^{{{n}}}"
    lhs = rf"\frac{{{top}}}{{{bottom}}}\left({expr_latex(result.expression)}\right)"
    claim = expr_latex(result.claimed)
    if result.correct is True:
        return rf"$${lhs} = {claim}\quad\checkmark$$"
    if result.correct is False:
        return rf"$${lhs} = {expr_latex(result.truth)} \neq {claim}$$"
    return rf"$${lhs} \overset{{?}}{{=}} {claim}$$"


def mistake_dict(m: Mistake) -> dict[str, Any]:
    return {
        "name": m.name,
        "explanation": prose_str(m.explanation),
        "at": expr_str(m.at),
        "places": m.places,
        "order": m.order,
        "mistaken": expr_str(m.mistaken),
    }


def counterexample_dict(c: Counterexample) -> dict[str, Any]:
    out: dict = {str(s): float(v) for s, v in c.point}
    out["claimed"] = c.claimed_float
    out["true"] = c.true_float
    # the same point again under one key, in case a variable is called `claimed` or `true`
    out["point"] = {str(s): float(v) for s, v in c.point}
    out["difference"] = c.difference
    out["claimed_exact"] = expr_str(c.claimed)
    out["true_exact"] = expr_str(c.true)
    if c.functions:  # the known functions put in for unknown ones, to find this point
        out["functions"] = {name: expr_str(body) for name, body in c.functions}
    return out
