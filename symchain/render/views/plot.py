"""A plot as lines (text picture, legend, the verified derivative), pgfplots, or JSON."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...calculus.plot import Plot
from ...core.errors import UsageError
from .. import View, json_text, lines_text, view
from ..curve import write_image
from ..formats import Detail, Format
from ..formats.json import expr_str
from ..formats.text import expr_text
from ..layout import EQ, Deriv, Line, Math, Text
from .derivation import status_text

MARKS = {"f": "*", "df": "o", "tangent": "."}


@view("Plot")
class PlotView(View):
    """The text picture with its legend; LaTeX is a pgfplots picture, not an align block."""

    def lines(self, result: Plot, detail: Detail = "normal", **_: Any) -> list[Line]:
        return plot_lines(result)

    def text(self, result: Plot, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        return render_plot(result, fmt)

    def to_dict(self, result: Plot) -> dict[str, Any]:
        return plot_dict(result)


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
            verdict=d.status,
        )
    )
    return lines


def render_plot(p: Plot, fmt: str) -> str:
    if fmt == "json":
        return json_text(plot_dict(p), fmt)
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


def plot_dict(p: Plot) -> dict[str, Any]:
    d = p.derivation
    out = {
        "input": d.input,
        "expression": expr_str(d.expression),
        "variable": d.variable.name,
        "derivative": expr_str(d.result),
        "verified": d.verified,
        "warnings": list(p.warnings),
        "range": [p.low, p.high],
        "samples": [
            {"x": float(x), "f": _num(f), "df": _num(g)}
            for x, f, g in zip(p.xs, p.f, p.df, strict=True)
        ][:: max(1, len(p.xs) // 100)],
    }
    if d.tangent is not None:
        out["tangent"] = {"x": expr_str(d.tangent.a), "line": expr_str(d.tangent.line)}
    return out


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def text_plot(p: Plot, width: int = 72, height: int = 20) -> list[str]:
    """A character picture: * for f, o for f', . for the tangent; axes where they fall."""
    series = [("f", p.f), ("df", p.df)] + (
        [("tangent", p.tangent)] if p.tangent is not None else []
    )
    finite = np.concatenate([v[np.isfinite(v)] for _, v in series])
    low, high = np.percentile(finite, [2, 98]) if finite.size > 20 else (finite.min(), finite.max())
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    grid = [[" "] * width for _ in range(height)]
    column = np.clip(
        ((p.xs - p.low) / (p.high - p.low) * (width - 1)).round().astype(int), 0, width - 1
    )

    def row_of(y: float) -> int | None:
        if not np.isfinite(y) or y < low or y > high:
            return None
        return int(round((high - y) / (high - low) * (height - 1)))

    zero = row_of(0.0)
    if zero is not None:
        grid[zero] = ["─"] * width
    if p.low <= 0 <= p.high:
        x0 = int(round(-p.low / (p.high - p.low) * (width - 1)))
        for r in range(height):
            grid[r][x0] = "┼" if r == zero else "│"
    for name, values in reversed(series):
        for c, y in zip(column, values, strict=True):
            r = row_of(y)
            if r is not None:
                grid[r][c] = MARKS[name]
    rows = []
    for r, cells in enumerate(grid):
        label = (
            f"{high:9.3g} ┤" if r == 0 else f"{low:9.3g} ┤" if r == height - 1 else " " * 10 + "│"
        )
        rows.append((label + "".join(cells)).rstrip())
    rows.append(" " * 10 + "└" + "─" * width)
    left, right = f"{p.low:g}", f"{p.high:g}"
    rows.append(" " * 11 + left + " " * max(1, width - len(left) - len(right)) + right)
    return rows


def save_plot_image(p: Plot, path: str) -> None:
    """f, f' and the tangent with matplotlib (an optional extra), as PNG or SVG."""
    try:  # the object API: the user's pyplot and backend are never touched
        import matplotlib  # noqa: F401  (a blocked or missing matplotlib fails here)
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "`output` needs matplotlib, an optional extra: pip install 'symchain[plot]'"
        ) from None
    d = p.derivation
    x = d.variable.name
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ax.plot(p.xs, p.f, color="#1f77b4", linewidth=2, label=f"f({x}) = {expr_text(d.expression)}")
    ax.plot(
        p.xs,
        p.df,
        color="#d62728",
        linewidth=1.6,
        linestyle="--",
        label=f"f'({x}) = {expr_text(d.result)}",
    )
    if p.tangent is not None:
        t = d.tangent
        ax.plot(
            p.xs,
            p.tangent,
            color="#2ca02c",
            linewidth=1.2,
            linestyle=":",
            label=f"tangent at {x} = {expr_text(t.a)}",
        )
        ax.plot([float(t.a)], [float(t.fa)], "o", color="#2ca02c")
    finite = np.concatenate([v[np.isfinite(v)] for v in (p.f, p.df)])
    if finite.size > 20:
        low, high = np.percentile(finite, [1, 99])
        pad = 0.1 * (high - low or 1)
        ax.set_ylim(low - pad, high + pad)
    ax.axhline(0, color="#888888", linewidth=0.8)
    if p.low <= 0 <= p.high:
        ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlim(p.low, p.high)
    ax.set_xlabel(x)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"f and f' (the derivative {'verified' if d.verified else 'NOT verified'})")
    fig.tight_layout()
    write_image(fig, path)
