"""A plot as lines (text picture, legend, the verified derivative), pgfplots, or JSON."""

from __future__ import annotations

import numpy as np

from ...calculus.plot import MARKS, Plot, text_plot
from .. import json_text, lines_text
from ..layout import EQ, Deriv, Line, Math, Text, status_text


def plot_lines(p: Plot) -> list[Line]:
    d = p.derivation
    x = d.variable
    lines = [
        Line(0, (Text(f"f({x}) = "), Math(d.expression)), kind="result"),
        Line(0, (Deriv(x, d.expression), EQ, Math(d.result)), kind="result"),
    ]
    if d.tangent is not None:
        lines.append(Line(0, (Text(f"tangent at {x} = "), Math(d.tangent.a), Text(": y = "),
                              Math(d.tangent.line)), kind="result"))  # fmt: skip
    lines.append(Line(0, (), kind="note"))
    lines += [Line(0, (Text(row),), kind="pre") for row in text_plot(p)]
    legend = f"{MARKS['f']} f({x})   {MARKS['df']} f'({x})"
    if p.tangent is not None:
        legend += f"   {MARKS['tangent']} tangent"
    lines.append(Line(1, (Text(legend),), kind="note"))
    lines.append(
        Line(
            0,
            (Text(status_text(d)),),
            kind="status",
            verdict="verified" if d.verified else "failed",
        )
    )
    return lines


def render_plot(p: Plot, fmt: str) -> str:
    if fmt == "json":
        return json_text(p.to_dict(), fmt)
    if fmt == "latex":
        return _pgfplots(p)
    return lines_text(plot_lines(p), "markdown" if fmt == "markdown" else "plain")


def _pgfplots(p: Plot) -> str:
    """A tikzpicture for \\usepackage{pgfplots}: f and f' as coordinate lists."""
    from ..formats.tex import expr_latex

    d = p.derivation

    def coordinates(values: np.ndarray) -> str:
        step = max(1, len(p.xs) // 200)
        pieces = []
        for x, y in zip(p.xs[::step], values[::step], strict=True):
            pieces.append(f"({x:.6g},{y:.6g})" if np.isfinite(y) else "")
        return " ".join(pieces).replace("  ", " \n")

    body = [
        "% needs \\usepackage{pgfplots}",
        "\\begin{tikzpicture}",
        "\\begin{axis}[axis lines=middle, xlabel=$" + d.variable.name + "$, unbounded coords=jump,",
        "  legend pos=outer north east, width=10cm, height=7cm]",
        "\\addplot[blue, thick] coordinates {" + coordinates(p.f) + "};",
        "\\addlegendentry{$" + expr_latex(d.expression) + "$}",
        "\\addplot[red, dashed] coordinates {" + coordinates(p.df) + "};",
        "\\addlegendentry{$" + expr_latex(d.result) + "$}",
    ]
    if p.tangent is not None:
        body += ["\\addplot[green!50!black, dotted] coordinates {" + coordinates(p.tangent) + "};",
                 "\\addlegendentry{tangent}"]  # fmt: skip
    body += ["\\end{axis}", "\\end{tikzpicture}"]
    return "\n".join(body) + "\n"
