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
from ..layout import EQ, Deriv, Line, Math, Text
from .derivation import status_text

#: The glyph of each series in the text picture (the legend names them): told apart by
#: character where there is no colour, by colour too on a terminal.
MARKS = {"f": "*", "df": "o", "tangent": "."}
STYLES = {"f": "bold blue", "df": "red", "tangent": "green", "axis": "dim"}
NAMES = {"f": "f({x})", "df": "f′({x})", "tangent": "tangent"}
WIDTH = 80  # piped output is 80 columns wide
_LEFT = 11  # "  -4.04 ┤" and the axis: the columns before the picture
_MIN_WIDTH = 40


@view("Plot")
class PlotView(View):
    """The text picture with its legend; LaTeX is a pgfplots picture, not an align block."""

    def lines(
        self, result: Plot, detail: Detail = "normal", width: int = WIDTH, **_: Any
    ) -> list[Line]:
        return plot_lines(result, width)

    def text(self, result: Plot, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        return render_plot(result, fmt)

    def rich(self, result: Plot, console: Any, detail: Detail = "normal", **_: Any) -> None:
        print_plot(result, console)

    def notebook_png(self, result: Plot) -> bytes | None:
        return plot_png(result)

    def has_picture(self, result: Plot) -> bool:
        return has_matplotlib()

    def to_dict(self, result: Plot) -> dict[str, Any]:
        return plot_dict(result)


def plot_lines(p: Plot, width: int = WIDTH) -> list[Line]:
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
    lines += [Line(0, (Text(row),), kind="pre") for row in text_plot(p, width)]
    lines.append(Line(1, (Text(legend_text(p)),), kind="note"))
    lines.append(
        Line(
            0,
            (Text(status_text(d)),),
            kind="status",
            verdict=d.status,
        )
    )
    return lines


def legend_text(p: Plot) -> str:
    """* f(x)   o f′(x)   . tangent: each glyph and what it draws."""
    return "   ".join(f"{MARKS[c.name]} {_name(p, c.name)}" for c in p.curves)


def _name(p: Plot, series: str) -> str:
    return NAMES[series].format(x=p.derivation.variable)


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
    var = expr_latex(d.variable)
    low, high = p.ylim
    margin = 0.05 * (high - low)  # lines run just past the axis, which clips them

    def coordinates(name: str) -> str:
        curve = p.curve(name)
        assert curve is not None
        xs, ys = clip_band(curve.xs, curve.ys, low - margin, high + margin)
        # a break (a pole, a jump, outside the band) is a nan point, which `unbounded
        # coords=jump` leaves a gap at; an empty line between points would be joined
        pieces: list[str] = []
        for x, y in zip(xs, ys, strict=True):
            if np.isfinite(y):
                pieces.append(f"({x:.6g},{y:.6g})")
            elif pieces and not pieces[-1].endswith("\n"):  # one nan per gap
                pieces.append(f"({x:.6g},nan)\n")
        return " ".join(pieces).rstrip()

    body = [
        "% needs \\usepackage{pgfplots}",
        "\\begin{tikzpicture}",
        "\\begin{axis}[axis lines=middle, xlabel=$" + d.variable.name + "$, unbounded coords=jump,",
        f"  xmin={p.low:.6g}, xmax={p.high:.6g}, ymin={low:.6g}, ymax={high:.6g},",
        "  legend style={at={(0.5,-0.12)}, anchor=north, legend columns=-1},",
        "  width=0.9\\linewidth, height=7cm]",
        "\\addplot[blue, thick] coordinates {" + coordinates("f") + "};",
        "\\addlegendentry{$f(" + var + ") = " + expr_latex(d.expression) + "$}",
        "\\addplot[red, dashed] coordinates {" + coordinates("df") + "};",
        "\\addlegendentry{$f'(" + var + ") = " + expr_latex(d.result) + "$}",
    ]
    if p.tangent is not None:
        body += ["\\addplot[green!50!black, dotted] coordinates {" + coordinates("tangent") + "};",
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
        "ylim": [p.ylim[0], p.ylim[1]],
        "ylim_given": p.ylim_given,
        "breaks": {c.name: list(c.breaks) for c in p.curves if c.name != "tangent"},
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


def clip_band(
    xs: np.ndarray, ys: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """The polyline cut to low ≤ y ≤ high: where a segment leaves the band, the point where
    it crosses the edge is added and the line is broken (NaN) until it comes back."""
    out_x: list[float] = []
    out_y: list[float] = []
    for k in range(len(xs)):
        x1, y1 = float(xs[k]), float(ys[k])
        if k and np.isfinite(y1) and np.isfinite(ys[k - 1]):
            x0, y0 = float(xs[k - 1]), float(ys[k - 1])
            inside0, inside1 = low <= y0 <= high, low <= y1 <= high
            if not (inside0 and inside1):
                for edge in sorted((low, high), key=lambda e: abs(e - y0)):
                    if (y0 - edge) * (y1 - edge) < 0:  # crosses this edge
                        t = (edge - y0) / (y1 - y0)
                        if not inside0 and out_y and np.isfinite(out_y[-1]):
                            out_x.append(x0)
                            out_y.append(float("nan"))
                        out_x.append(x0 + t * (x1 - x0))
                        out_y.append(edge)
                        inside0 = not inside0
        if np.isfinite(y1) and low <= y1 <= high:
            out_x.append(x1)
            out_y.append(y1)
        elif not out_y or np.isfinite(out_y[-1]):
            out_x.append(x1)
            out_y.append(float("nan"))
    return np.array(out_x), np.array(out_y)


def plot_grid(p: Plot, width: int = WIDTH, height: int = 20) -> list[list[tuple[str, str]]]:
    """The picture as cells (glyph, series or "axis" or ""), `width` columns in all with
    the labels at the left: each series drawn as line segments within the y window,
    never across a break, f on top."""
    columns = max(width, _MIN_WIDTH) - _LEFT
    low, high = p.ylim
    grid = [[(" ", "")] * columns for _ in range(height)]

    def row_of(y: float) -> float:
        return (high - y) / (high - low) * (height - 1)

    def column_of(x: float) -> float:
        return (x - p.low) / (p.high - p.low) * (columns - 1)

    zero = int(round(row_of(0.0))) if low <= 0 <= high else None
    if zero is not None:
        grid[zero] = [("─", "axis")] * columns
    if p.low <= 0 <= p.high:
        x0 = int(round(column_of(0.0)))
        for r in range(height):
            grid[r][x0] = ("┼" if r == zero else "│", "axis")
    for curve in reversed(p.curves):  # f last: on top
        xs, ys = clip_band(curve.xs, curve.ys, low, high)
        cols, rows = column_of(xs), row_of(ys)
        for k in range(len(xs)):
            if not np.isfinite(rows[k]):
                continue
            c0, r0 = (
                (cols[k - 1], rows[k - 1]) if k and np.isfinite(rows[k - 1]) else (cols[k], rows[k])
            )
            n = int(np.ceil(max(abs(cols[k] - c0), abs(rows[k] - r0)))) + 1
            for t in np.linspace(0.0, 1.0, n):
                c = int(round(c0 + t * (cols[k] - c0)))
                r = int(round(r0 + t * (rows[k] - r0)))
                if 0 <= r < height and 0 <= c < columns:
                    grid[r][c] = (MARKS[curve.name], curve.name)
    return grid


def text_plot(p: Plot, width: int = WIDTH, height: int = 20) -> list[str]:
    """A character picture at most `width` columns wide (at least 40): * for f, o for f′,
    . for the tangent; axes where they fall; the y window's ends at the left."""
    return ["".join(cell for cell, _ in row) for row in _rows(p, width, height)]


def _rows(p: Plot, width: int, height: int) -> list[list[tuple[str, str]]]:
    """The picture's rows with their labels, as (text, style) runs, trailing blanks cut."""
    grid = plot_grid(p, width, height)
    columns = len(grid[0])
    low, high = p.ylim
    out: list[list[tuple[str, str]]] = []
    for r, cells in enumerate(grid):
        label = (
            f"{high:9.3g} ┤" if r == 0 else f"{low:9.3g} ┤" if r == height - 1 else " " * 10 + "│"
        )
        row = [(label, "")] + list(cells)
        while len(row) > 1 and row[-1][0] == " ":
            row.pop()
        out.append(row)
    out.append([(" " * 10 + "└" + "─" * columns, "")])
    left, right = f"{p.low:g}", f"{p.high:g}"
    out.append([(" " * _LEFT + left + " " * max(1, columns - len(left) - len(right)) + right, "")])
    return out


def print_plot(p: Plot, console: Any) -> None:
    """On a terminal: the lines as every format has them, the picture and its legend in the
    series' colours, as wide as the terminal."""
    from rich.text import Text as RichText

    from ..formats.rich import print_lines

    lines = plot_lines(p, console.width)
    picture = [i for i, line in enumerate(lines) if line.kind == "pre"]
    print_lines(lines[: picture[0]], console)
    for row in _rows(p, console.width, 20):
        text = RichText()
        for cell, style in row:
            text.append(cell, style=STYLES.get(style, ""))
        console.print(text, soft_wrap=False, overflow="crop")
    legend = RichText("  ")
    for k, c in enumerate(p.curves):
        legend.append(("   " if k else "") + MARKS[c.name], style=STYLES[c.name])
        legend.append(" " + _name(p, c.name), style=STYLES[c.name])
    console.print(legend, soft_wrap=False, overflow="fold")
    print_lines(lines[picture[-1] + 2 :], console)


def mathtext_label(head: str, expr: Any) -> str:
    """ "head = expr" for a matplotlib legend, typeset ($…$ mathtext, from the LaTeX
    output's printer); as written by hand (x², eˣ) where mathtext cannot read that LaTeX
    (Piecewise's cases)."""
    from matplotlib.mathtext import MathTextParser

    from ..formats.mathtext import math_text
    from ..formats.tex import expr_latex

    label = f"${head} = {expr_latex(expr)}$"
    try:
        MathTextParser("path").parse(label)
    except ValueError:
        return f"{head} = {math_text(expr)}"
    return label


def save_plot_image(p: Plot, path: str) -> None:
    """f, f' and the tangent with matplotlib (an optional extra), as PNG or SVG (by the
    name's ending), written whole or not at all."""
    write_image(plot_figure(p), path)


def plot_png(p: Plot) -> bytes | None:
    """The picture as PNG bytes (a notebook's display); None without matplotlib."""
    import io

    try:
        figure = plot_figure(p)
    except UsageError:  # matplotlib missing: the notebook shows the text plot instead
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def has_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def plot_figure(p: Plot) -> Any:
    """f, f' and the tangent as a matplotlib Figure (an optional extra): broken at poles
    and jumps, jumps and holes marked with dots, within the plot's y window."""
    try:  # the object API: the user's pyplot and backend are never touched
        import matplotlib  # noqa: F401  (a blocked or missing matplotlib fails here)
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "`output` needs matplotlib, an optional extra: pip install 'symchain[plot]'"
        ) from None
    from ..formats.tex import expr_latex

    d = p.derivation
    x = expr_latex(d.variable)
    colours = {"f": "#1f77b4", "df": "#d62728", "tangent": "#2ca02c"}
    labels = {
        "f": mathtext_label(f"f({x})", d.expression),
        "df": mathtext_label(f"f'({x})", d.result),
    }
    if d.tangent is not None:
        t = d.tangent
        labels["tangent"] = f"tangent at ${x} = {expr_latex(t.a)}$"
    styles = {"f": ("-", 2.0), "df": ("--", 1.6), "tangent": (":", 1.4)}
    from ..formats.mathtext import math_text

    long = max(len(math_text(e)) for e in (d.expression, d.result)) > 36  # as it will read
    fig = Figure(figsize=(7, 5 if long else 4.5), layout="constrained")
    ax = fig.subplots()
    low, high = p.ylim
    for curve in p.curves:  # f on top, its dots over f′'s
        style, width = styles[curve.name]
        ax.plot(curve.xs, curve.ys, color=colours[curve.name], linestyle=style,
                linewidth=width, label=labels[curve.name],
                zorder=2.5 if curve.name == "f" else 2)  # fmt: skip
        for m in curve.marks:
            if low <= m.y <= high:
                ax.plot([m.x], [m.y], "o", markersize=6 if curve.name == "f" else 5,
                        color=colours[curve.name],
                        markerfacecolor=colours[curve.name] if m.filled else "white",
                        zorder=4 if curve.name == "f" else 3)  # fmt: skip
    if d.tangent is not None:
        ax.plot([float(d.tangent.a)], [float(d.tangent.fa)], "o", color=colours["tangent"])
    ax.set_ylim(low, high)
    ax.axhline(0, color="#888888", linewidth=0.8)
    if p.low <= 0 <= p.high:
        ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlim(p.low, p.high)
    ax.set_xlabel(f"${x}$")
    ax.grid(alpha=0.3)
    if long:
        fig.legend(loc="outside lower center", fontsize=9)
    else:
        ax.legend(fontsize=9, loc="best")
    ax.set_title(f"f and f′ (the derivative {'verified' if d.verified else 'NOT verified'})")
    return fig
