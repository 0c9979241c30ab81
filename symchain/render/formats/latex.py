"""LaTeX that fits the page: steps in align* blocks, the rule of each at the right margin,
headings and sentences as paragraphs.

An align* row cannot wrap, so a long one is broken before each top-level '=' (as the
plain text breaks at 80 columns), continuations indented; each rule label is a
`\\tag*`, which amsmath sets at the right margin and moves below a row too long to
share its line with it.  Blocks may break across pages (`\\allowdisplaybreaks`, in a
group: the fragment changes nothing around it).  Words are paragraphs, not `\\text`
rows, so that they wrap.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..layout import Bar, Curve, Formula, Line, Math, Number, Op, Table, Text
from .tex import MARKS, expr_latex, part_latex, text_latex
from .text import parts_text

#: A row longer than this, as plain text, is broken before each top-level '='.
ROW_CHARS = 60
#: The kinds of line that are words with formulas in them: paragraphs, which wrap.
PROSE = ("title", "status", "note")


def _row(line: Line) -> str:
    parts = list(line.parts)
    lead = []
    while parts and isinstance(parts[0], Text):
        lead.append(part_latex(parts.pop(0)))
    body = "".join(part_latex(p) for p in parts).strip()
    indent = r"\quad " * max(line.depth - 1, 0)
    row = f"&{indent}{''.join(lead)}{body}"
    if line.rule:
        row += r" \tag*{(" + text_latex(line.rule) + ")}"
    return row


def _paragraph(line: Line) -> str:
    """Words with inline formulas; a title in bold."""
    style = r"\displaystyle " if line.kind == "title" else ""
    text = "".join(
        text_latex(p.text) if isinstance(p, Text) else f"${style}{part_latex(p).strip()}$"
        for p in line.parts
    ).strip()
    if line.kind == "title":
        return r"\par\medskip\noindent\textbf{" + text + r"}\par"
    if line.depth > 0:  # a step in words: indented as the rows are, every line of it
        return rf"{{\par\raggedright\leftskip={line.depth}em\noindent " + text + r"\par}"
    return r"\par\noindent " + text + r"\par"


def _words(line: Line) -> bool:
    """A heading, a note, a step in words only, or an answer's other form ("simplified:
    …"): a paragraph, which wraps (inline mathematics breaks after = and +)."""
    if line.kind in PROSE or all(isinstance(p, Text) for p in line.parts):
        return True
    return line.kind == "result" and bool(line.parts) and isinstance(line.parts[0], Text)


def broken(lines: list[Line], width: int = ROW_CHARS) -> list[Line]:
    """Long step lines split before each top-level '=', the continuations indented."""
    out: list[Line] = []
    for line in lines:
        if line.kind in ("pre", "table", "curve", *PROSE) or len(parts_text(line.parts)) <= width:
            out.append(line)
            continue
        pieces: list[list] = [[]]
        for part in line.parts:
            if isinstance(part, Op) and part.symbol == "=" and part.breaks and pieces[-1]:
                pieces.append([])
            pieces[-1].append(part)
        rows = [replace(line, parts=tuple(pieces[0]))]
        rows += [Line(line.depth + 2, tuple(piece), kind="step") for piece in pieces[1:]]
        for row in rows:
            out += _by_terms(row, width)
    return out


def _by_terms(line: Line, width: int) -> list[Line]:
    """A row still too long whose last part is a sum: the sum's terms over several rows,
    each continuation starting with its sign, as books break a long sum."""
    last = line.parts[-1] if line.parts else None
    if len(parts_text(line.parts)) <= width or not isinstance(last, Math):
        return [line]
    terms = last.expr.as_ordered_terms() if isinstance(last.expr, sp.Add) else []
    if len(terms) < 2:
        return [line]
    budget = max(width - len(parts_text(line.parts[:-1])), width // 2)
    chunks: list[list[str]] = [[]]
    used = 0
    for term in terms:
        size = len(parts_text((Math(term),)))
        if chunks[-1] and used + size > budget:
            chunks.append([])
            used, budget = 0, width
        chunks[-1].append(expr_latex(term))
        used += size + 3
    rows = []
    for k, chunk in enumerate(chunks):
        body = chunk[0] if k == 0 or chunk[0].startswith("-") else "+ " + chunk[0]
        body += "".join(" " + t if t.startswith("-") else " + " + t for t in chunk[1:])
        formula = Formula(body, body)  # a row of LaTeX: its text is never shown
        if k == 0:
            rows.append(replace(line, parts=(*line.parts[:-1], formula)))
        else:
            rows.append(Line(line.depth + 1, (formula,), kind="step"))
    return rows


#: How many points of a curve the figure plots at most: pgfplots is slow past a few hundred.
CURVE_POINTS = 400
BAR_EM = 0.35  # the width of one block of a Bar


def _number(n: Number) -> str:
    """2.2e-19 as $2.2\times 10^{-19}$, an exact zero as 0, in mathematics (a real minus)."""
    text = format(n.value, n.spec)
    if n.value == 0:
        return "$0$"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"${mantissa}\times 10^{{{int(exponent)}}}$"
    return f"${text}$"


def _cell(cell) -> str:
    if isinstance(cell, Formula):
        return f"${cell.latex}$"
    if isinstance(cell, Number):
        return _number(cell)
    if isinstance(cell, Bar):
        return rf"\rule{{{cell.length * BAR_EM:.2f}em}}{{1ex}}" if cell.length else ""
    return f"${MARKS[cell]}$" if cell in MARKS else text_latex(cell)


def _tabular(t: Table) -> str:
    """A centred tabular; with a header, booktabs' rules above, below it and at the end."""
    rows = [" & ".join(_cell(c) for c in row) + r" \\" for row in t.rows]
    if any(t.header):
        head = " & ".join(_cell(h) for h in t.header) + r" \\"
        rows = [r"\toprule", head, r"\midrule", *rows, r"\bottomrule"]
    top = ["\\begin{center}", "\\begin{tabular}{" + t.align + "}"]
    return "\n".join([*top, *rows, "\\end{tabular}", "\\end{center}"])


def _figure(c: Curve) -> str:
    """A curve as a pgfplots figure, at most CURVE_POINTS points of it (evenly spaced)."""
    n = len(c.values)
    step = max(1, -(-n // CURVE_POINTS))
    picks = sorted({*range(0, n, step), n - 1})
    points = [f"({i},{c.values[i]:.6g})" for i in picks]
    rows = "\n  ".join(" ".join(points[k : k + 8]) for k in range(0, len(points), 8))
    return "\n".join([
        r"\begin{figure}[htb]",
        r"\centering",
        r"\begin{tikzpicture}",
        rf"\begin{{axis}}[width=0.8\linewidth, height=6cm, xmin=0, xmax={max(n - 1, 1)},",
        rf"  xlabel={{{text_latex(c.xlabel)}}}, ylabel={{{text_latex(c.ylabel)}}}, grid=major,",
        r"  scaled y ticks=false, y tick label style={/pgf/number format/.cd, fixed, precision=4}]",
        r"\addplot[blue, thick, no markers] coordinates {",
        "  " + rows + "};",
        r"\end{axis}",
        r"\end{tikzpicture}",
        rf"\caption{{The {text_latex(c.ylabel)} at each {text_latex(c.xlabel)}, {n} in all}}",
        r"\end{figure}",
    ])  # fmt: skip


def _needs(lines: list[Line]) -> str:
    """The packages beyond amsmath and amssymb that the fragment uses, as comments."""
    parts = [line.parts[0] for line in lines if line.parts]
    needs = []
    if any(isinstance(p, Table) and any(p.header) for p in parts):
        needs.append("booktabs")
    if any(isinstance(p, Curve) for p in parts):
        needs.append("pgfplots")
    return "".join(f"% needs \\usepackage{{{name}}}\n" for name in needs)


def latex_lines(lines: list[Line]) -> str:
    """Laid-out lines as LaTeX: the packages it needs and preformatted lines (a graph) as
    comments first, then the paragraphs, align* blocks, tables and figures in order."""
    comments = "".join(f"% {line.parts[0].text}\n" for line in lines if line.kind == "pre")
    comments = _needs(lines) + comments
    out: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        if rows:
            body = " \\\\\n".join(rows)
            out.append("{\\allowdisplaybreaks\n\\begin{align*}\n" + body + "\n\\end{align*}}")
            rows.clear()

    for line in broken([line for line in lines if line.kind != "pre"]):
        if line.kind in ("table", "curve"):
            flush()
            part = line.parts[0]
            out.append(_tabular(part) if isinstance(part, Table) else _figure(part))
        elif _words(line):
            flush()
            out.append(_paragraph(line))
        else:
            rows.append(_row(line))
    flush()
    return comments + "\n".join(out) + "\n"
