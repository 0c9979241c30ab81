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
from itertools import groupby

from ..layout import Bar, Curve, Deriv, Formula, Line, Math, Number, Op, Table, Text, Tree
from .tex import MARKS, expr_latex, part_latex, text_latex, with_symbols_in_math
from .texbreak import tex_rows
from .text import factor_needs_parens, parts_text

#: A row longer than this, as plain text, is broken before each top-level '='.
ROW_CHARS = 60
#: The rows a long formula is cut into, as plain text: narrower, since LaTeX sets sin, cos
#: and brackets wider than their letters, and continuations are indented.
PIECE_CHARS = 44
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
        "".join(text_latex(p.text) for p in run)
        if words
        else f"${style}{''.join(part_latex(p) for p in run).strip()}$"
        for words, run in groupby(with_symbols_in_math(line.parts), lambda p: isinstance(p, Text))
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
        if (
            line.kind in ("pre", "table", "curve", "tree", *PROSE)
            or len(parts_text(line.parts)) <= width
        ):
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
    """A row still too long: its longest formula over several rows (texbreak), the words
    after it on one more; each continuation indented one step further."""
    maths = [i for i, p in enumerate(line.parts) if isinstance(p, Math)]
    if len(parts_text(line.parts)) <= width:
        return [line]
    if not maths:  # "product rule: d/dx (…)   (fg)' = f'g + fg'": the rule's formula below
        last = max((i for i, p in enumerate(line.parts) if isinstance(p, Deriv)), default=-1)
        tail = line.parts[last + 1 :]
        if last < 0 or not tail or not any(isinstance(p, Formula) for p in tail):
            return [line]
        head = replace(line, parts=line.parts[: last + 1])
        formula = tuple(p for p in tail if not (isinstance(p, Text) and not p.text.strip()))
        return [head, Line(line.depth + 1, formula, kind="step")]
    at = max(maths, key=lambda i: len(parts_text(line.parts[i : i + 1])))
    math = line.parts[at]
    assert isinstance(math, Math)
    pieces = min(width, PIECE_CHARS)
    first = max(pieces - len(parts_text(line.parts[:at])), pieces // 2)
    bracket = math.factor and factor_needs_parens(math.expr)
    rows = tex_rows(math.expr, first, pieces, bracket)
    if len(rows) == 1:
        return [line]
    head, tail = line.parts[:at], line.parts[at + 1 :]
    out = [replace(line, parts=(*head, Formula(rows[0], rows[0])))]  # its text is never shown
    out += [Line(line.depth + 1, (Formula(row, row),), kind="step") for row in rows[1:]]
    if tail:  # the words after the formula, on a row of their own: the last may be full
        out.append(Line(line.depth + 1, tail, kind="step"))
    return out


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
    if any(isinstance(p, Tree) for p in parts):
        needs.append("dirtree")
    return "".join(f"% needs \\usepackage{{{name}}}\n" for name in needs)


def _dirtree(t: Tree) -> str:
    """A tree as dirtree draws it, with the guides of the text: `.level node.` per row."""
    rows = "".join(
        f".{level + 1} ${expr_latex(node)}$" + (f" {text_latex(remark)}" if remark else "") + ".\n"
        for level, node, remark in t.nodes
    )
    return "\\dirtree{%\n" + rows + "}"


def latex_lines(lines: list[Line]) -> str:
    """Laid-out lines as LaTeX: the packages it needs and preformatted lines as comments
    first, then the paragraphs, align* blocks, tables, trees and figures in order."""
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
        if line.kind in ("table", "curve", "tree"):
            flush()
            part = line.parts[0]
            if isinstance(part, Tree):
                out.append(_dirtree(part))
            else:
                out.append(_tabular(part) if isinstance(part, Table) else _figure(part))
        elif _words(line):
            flush()
            out.append(_paragraph(line))
        else:
            rows.append(_row(line))
    flush()
    return comments + "\n".join(out) + "\n"
