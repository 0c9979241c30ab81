"""Printers for the gradient, the Jacobian and the Hessian, in every format of `derive`.

Each entry's steps are printed by the ordinary derivation printers (`render`,
`print_rich`) under a heading naming the entry (∂f/∂x); around them come the
formulas, the matrix with its shape in brackets (J [2×2]) and a status line.
The gradient shows its entries first and ∇f last; the Jacobian and the
Hessian show their matrix first, then the entries (at --detail brief, one
line per entry instead of the steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from ...calculus.partials import Partials
from ...core import engine
from ...core.steps import FAILED
from .. import View, json_text, view
from ..formats import Detail, Format
from ..formats.json import expr_str, step_dict
from ..formats.latex import PIECE_CHARS
from ..formats.tex import expr_latex
from ..formats.texbreak import tex_rows
from ..formats.text import expr_text
from ..layout import label
from .derivation import derivation_lines

if TYPE_CHECKING:
    from rich.console import Console

PLAIN_WIDTH = 80  # piped text's width: a matrix wider than its page is listed entry by entry
LATEX_MATRIX_COLUMNS = 10  # amsmath's default MaxMatrixCols


@dataclass(frozen=True)
class Label:
    """A name written twice: as plain text and as LaTeX."""

    text: str
    latex: str


# --- names ---------------------------------------------------------------------------


def _var(var: sp.Symbol) -> Label:
    return Label(str(var), expr_latex(var))


def function_labels(obj) -> list[Label]:
    """f for a gradient or Hessian; f1, f2, ... for the rows of a Jacobian."""
    if obj.kind == "jacobian":
        return [Label(f"f{i}", f"f_{{{i}}}") for i in range(1, len(obj.expressions) + 1)]
    return [Label("f", "f")]


def definitions(obj) -> list[tuple[Label, sp.Expr]]:
    exprs = obj.expressions if obj.kind == "jacobian" else (obj.expression,)
    return list(zip(function_labels(obj), exprs, strict=True))


def matrix_label(obj) -> Label:
    return {
        "gradient": Label("∇f", r"\nabla f"),
        "jacobian": Label("J", "J"),
        "hessian": Label("H", "H"),
    }[obj.kind]


def shape_text(obj) -> str:
    rows, columns = obj.shape
    return f"[{rows}×{columns}]"


def shape_latex(obj) -> str:
    rows, columns = obj.shape
    return rf"[{rows} \times {columns}]"


def entry_label(obj, entry) -> Label:
    """∂f/∂x, ∂f2/∂t, ∂²f/∂y∂x (= ∂/∂y of ∂f/∂x) or ∂²f/∂x²."""
    if obj.kind == "hessian":
        first, second = (_var(v) for v in entry.variables)
        if entry.variables[0] == entry.variables[1]:
            return Label(
                f"∂²f/∂{first.text}²", rf"\frac{{\partial^{{2}} f}}{{\partial {first.latex}^{{2}}}}"
            )
        return Label(
            f"∂²f/∂{second.text}∂{first.text}",
            rf"\frac{{\partial^{{2}} f}}{{\partial {second.latex}\,\partial {first.latex}}}",
        )
    f = function_labels(obj)[entry.row]
    v = _var(entry.variables[0])
    return Label(f"∂{f.text}/∂{v.text}", rf"\frac{{\partial {f.latex}}}{{\partial {v.latex}}}")


def entry_heading(obj, entry) -> Label:
    """The entry's name; a Hessian entry also says which gradient entry it derives."""
    name = entry_label(obj, entry)
    if obj.kind != "hessian":
        return name
    first, second = (_var(v) for v in entry.variables)
    return Label(
        f"{name.text} = ∂/∂{second.text} ∂f/∂{first.text}",
        rf"{name.latex} = \frac{{\partial}}{{\partial {second.latex}}}"
        rf"\frac{{\partial f}}{{\partial {first.latex}}}",
    )


def derivations(obj) -> list[tuple[Label, object]]:
    """Every derivation to print, under its heading.

    A Hessian prints the first partial derivatives its entries start from,
    then its own entries: without them, where ∂f/∂x came from is never shown.
    """
    shown = [(entry_heading(obj, e), e.derivation) for e in obj.entries]
    if obj.kind == "hessian":
        shown = derivations(obj.gradient) + shown
    return shown


def title_text(obj) -> str:
    labels = function_labels(obj)
    names = ", ".join(f.text for f in labels)
    variables = ", ".join(str(v) for v in obj.variables)
    what = f"({names})" if obj.kind == "jacobian" and len(labels) > 1 else names
    by = f"({variables})" if len(obj.variables) > 1 else variables
    return f"{obj.kind.capitalize()} of {what} by {by}"


def title_latex(obj) -> str:
    names = ", ".join(f.latex for f in function_labels(obj))
    variables = ", ".join(_var(v).latex for v in obj.variables)
    what = names if obj.kind != "jacobian" else f"({names})"
    return f"{obj.kind.capitalize()} of ${what}$ by $({variables})$"


# --- status --------------------------------------------------------------------------


def _steps(collection) -> int:
    own = sum(1 for e in collection.entries for o in e.derivation.orders for _ in o.steps.walk())
    return own + sum(_steps(c) for c in collection.sources)


_REFERENCE = {"gradient": "sympy.diff", "jacobian": "Matrix.jacobian", "hessian": "sympy.hessian"}


def _problems(obj) -> list[str]:
    """What keeps `obj` from being verified, one phrase each, naming the entry."""
    out = []
    for source in obj.sources:
        out += [f"{p} (in the gradient)" for p in _problems(source)]
    for e in obj.entries:
        if not e.verified:
            how = "differs from SymPy" if e.failed else "could not be checked either way"
            out.append(f"{entry_label(obj, e).text} {how}")
    if obj.kind == "hessian":
        n = len(obj.variables)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        for (i, j), verdict in zip(pairs, obj.symmetry, strict=True):
            if not verdict.confirmed:
                xi, xj = obj.variables[i], obj.variables[j]
                how = "differ" if verdict.status == FAILED else "could not be shown equal"
                out.append(f"∂²f/∂{xj}∂{xi} and ∂²f/∂{xi}∂{xj} {how}")
    return out


def _count(obj) -> str:
    """How many partial derivatives were derived: '2 first and 4 second' for a Hessian."""
    count = len(obj.entries)
    if obj.kind == "hessian":
        return f"{len(obj.gradient.entries)} first and {count} second partial derivatives"
    return _plural(count, "partial derivative")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def status_text(obj) -> str:
    """One line: ✓ verified (with what was checked), ✗ NOT verified or ? unconfirmed (why)."""
    name = matrix_label(obj).text
    if obj.verified:
        text = (
            f"✓ verified: {_count(obj)} ({_plural(_steps(obj), 'step')}) checked against "
            f"SymPy's diff, "
            f"{name} against {_REFERENCE[obj.kind]}"
        )
        return text + (", and H is symmetric" if obj.kind == "hessian" else "")
    prefix = "✗ NOT verified: " if obj.status == FAILED else "? unconfirmed: "
    return prefix + "; ".join(_problems(obj))


def _mark(entry) -> str:
    if entry.verified:
        return ""
    return "  (WRONG: differs from SymPy)" if entry.failed else "  (unconfirmed)"


def rules_used(entry) -> str:
    seen: list[str] = []
    for order in entry.derivation.orders:
        for step in order.steps.walk():
            name = label(step.rule)
            if step.rule not in (engine.CONSTANT, engine.VARIABLE) and name not in seen:
                seen.append(name)
    return ", ".join(seen or [label(entry.derivation.steps.rule)])


def _matrix_first(obj) -> bool:
    """The gradient ends with ∇f; a Jacobian or Hessian starts with its matrix."""
    return obj.kind != "gradient"


def _one_line_entries(obj, detail: str) -> bool:
    return detail == "brief" and obj.kind != "gradient"


# --- plain ---------------------------------------------------------------------------


def _cells(obj) -> list[list[str]]:
    m = obj.matrix
    return [[expr_text(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def grid_lines(
    cells: list[list[str]], indent: str = "  ", width: int = PLAIN_WIDTH
) -> list[str] | None:
    """The matrix drawn in parentheses, columns aligned; None when it is wider than `width`
    (a bracket broken over two lines is no matrix)."""
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    rows = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    n = len(rows)
    out = []
    for i, row in enumerate(rows):
        if n == 1:
            left, right = "(", ")"
        else:
            left, right = ("⎛", "⎞") if i == 0 else ("⎝", "⎠") if i == n - 1 else ("⎜", "⎟")
        out.append(f"{indent}{left} {row} {right}")
    if max(len(line) for line in out) > width:
        return None
    return out


def matrix_lines(obj, width: int = PLAIN_WIDTH) -> list[str]:
    """`J [2×2] =` and the matrix; a matrix too wide to draw is listed entry by entry."""
    head = f"{matrix_label(obj).text} {shape_text(obj)} ="
    cells = _cells(obj)
    grid = grid_lines(cells, width=width)
    if grid is not None:
        return [head, *grid]
    lines = [head[:-2] + ", too wide to draw; by entry:"]
    for i, row in enumerate(cells, start=1):
        lines += [f"  [{i},{j}] {cell}" for j, cell in enumerate(row, start=1)]
    return lines


def _brief_lines(obj) -> list[str]:
    return [
        f"  {entry_label(obj, e).text} = {expr_text(e.result)}    [{rules_used(e)}]{_mark(e)}"
        for e in obj.entries
    ]


def render_plain(obj, detail: str = "normal") -> str:
    from .. import render

    out = [title_text(obj)]
    out += [f"  {f.text} = {expr_text(expr)}" for f, expr in definitions(obj)]
    if _matrix_first(obj):
        out += ["", *matrix_lines(obj)]
    if _one_line_entries(obj, detail):
        out += ["", *_brief_lines(obj)]
    else:
        for heading, d in derivations(obj):
            out += ["", f"── {heading.text} ──"]
            out.append(render(d, "plain", detail).rstrip("\n"))
    if not _matrix_first(obj):
        out += ["", *matrix_lines(obj)]
    out += ["", status_text(obj)]
    if not obj.complete:
        out.append("note: some steps are SymPy's own answer, not a named rule")
    return "\n".join(out) + "\n"


# --- LaTeX and Markdown --------------------------------------------------------------


def pmatrix(obj) -> str:
    m = obj.matrix
    rows = [" & ".join(expr_latex(m[i, j]) for j in range(m.cols)) for i in range(m.rows)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


def _text_latex(text: str) -> str:
    """Plain words for \\text{...}: the status line's marks dropped, specials escaped."""
    text = text.replace("✓ ", "").replace("✗ ", "").replace("? ", "")
    for char, repl in (
        ("\\", r"\backslash "),
        ("{", r"\{"),
        ("}", r"\}"),
        ("_", r"\_"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
        ("$", r"\$"),
        ("^", r"\^{}"),
    ):
        text = text.replace(char, repl)
    return text


def _status_latex(obj) -> str:
    """The status line as a paragraph, which wraps, its symbols spelled out."""
    return r"\noindent " + _text_latex(_ascii_names(status_text(obj))) + r"\par"


def _ascii_names(text: str) -> str:
    """∂, ∇, ² and × have no place in \\text{}: spell them out."""
    for char, repl in (("∂²", "d2 "), ("∂", "d"), ("∇", "grad "), ("²", "^2"), ("×", "x")):
        text = text.replace(char, repl)
    return text


#: A matrix wider than this as plain text is written entry by entry in LaTeX too: a
#: pmatrix cannot break across lines.
LATEX_GRID_CHARS = 60


def _matrix_row_latex(obj) -> str:
    grid = grid_lines(_cells(obj), indent="", width=LATEX_GRID_CHARS)
    label = matrix_label(obj).latex
    if grid is not None:
        return rf"{label} &= {pmatrix(obj)} \tag*{{${shape_latex(obj)}$}}"
    m = obj.matrix

    def name(i: int, j: int) -> str:  # H₁₂; a column's entries (∇f)₁
        return rf"\left({label}\right)_{{{i + 1}}}" if m.cols == 1 else \
            rf"{label}_{{{i + 1}{j + 1}}}"  # fmt: skip

    rows = []
    for i in range(m.rows):
        for j in range(m.cols):  # a long entry over rows, as a step's formula is broken
            pieces = tex_rows(m[i, j], PIECE_CHARS - 6, PIECE_CHARS)
            rows.append(rf"{name(i, j)} &= {pieces[0]}")
            rows += [rf"&\quad {piece}" for piece in pieces[1:]]
    first = rows[0] + rf" \tag*{{${label}$ ${shape_latex(obj)}$, by entry}}"
    return " \\\\\n".join([first, *rows[1:]])


def _brief_rows_latex(obj) -> list[str]:
    rows = []
    for e in obj.entries:
        rule = _text_latex(rules_used(e) + _mark(e))
        rows.append(rf"{entry_label(obj, e).latex} &= {expr_latex(e.result)} \tag*{{({rule})}}")
    return rows


def render_latex(obj, detail: str = "normal") -> str:
    from .. import render

    out = []
    if obj.shape[1] > LATEX_MATRIX_COLUMNS:
        out.append(rf"\setcounter{{MaxMatrixCols}}{{{obj.shape[1]}}}")
    out.append(r"\noindent " + title_latex(obj) + ":")
    defs = [rf"{f.latex} &= {expr_latex(expr)}" for f, expr in definitions(obj)]
    first = defs + ([_matrix_row_latex(obj)] if _matrix_first(obj) else [])
    out.append(_align(first))
    if _one_line_entries(obj, detail):
        out.append(_align(_brief_rows_latex(obj)))
    else:
        for heading, d in derivations(obj):
            # a heading of its own, set as a display sets it, with space above
            out.append(rf"\par\bigskip\noindent ${{\displaystyle {heading.latex}}}$:\par")
            out.append(render(d, "latex", detail).rstrip("\n"))
    last = [] if _matrix_first(obj) else [_matrix_row_latex(obj)]
    if last:
        out.append(_align(last))
    out.append(_status_latex(obj))
    return "\n".join(out) + "\n"


def _align(rows: list[str]) -> str:
    """Rows of an align* that may break across pages."""
    return "{\\allowdisplaybreaks\n\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}}"


def _matrix_markdown(obj) -> str:
    return f"$${matrix_label(obj).latex} = {pmatrix(obj)}\\quad {shape_latex(obj)}$$"


def _definitions_markdown(obj) -> str:
    rows = [rf"{f.latex} &= {expr_latex(expr)}" for f, expr in definitions(obj)]
    if len(rows) == 1:
        return "$$" + rows[0].replace("&=", "=") + "$$"
    return r"$$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"


def render_markdown(obj, detail: str = "normal") -> str:
    from .. import render
    from ..formats.markdown import demoted

    out = [f"## {title_latex(obj)}", "", _definitions_markdown(obj)]
    if _matrix_first(obj):
        out += ["", _matrix_markdown(obj)]
    if _one_line_entries(obj, detail):
        out.append("")
        for e in obj.entries:
            rule = rules_used(e).replace("*", r"\*")
            out.append(
                f"- ${entry_label(obj, e).latex} = {expr_latex(e.result)}$ *({rule})*"
                + (f" **{_mark(e).strip()}**" if _mark(e) else "")
            )
    else:
        for heading, d in derivations(obj):
            out += ["", f"### ${heading.latex}$", ""]
            out.append(demoted(render(d, "markdown", detail), 2).rstrip("\n"))
    if not _matrix_first(obj):
        out += ["", _matrix_markdown(obj)]
    out += ["", status_text(obj)]
    if not obj.complete:
        out += ["", "note: some steps are SymPy's own answer, not a named rule"]
    return "\n".join(out) + "\n"


def answer_latex(obj) -> str:
    """The matrix on one line, for Jupyter's _repr_latex_."""
    mark = r"\quad\checkmark" if obj.verified else r"\quad\text{(unverified)}"
    return f"$${matrix_label(obj).latex} = {pmatrix(obj)}{mark}$$"


# --- rich ----------------------------------------------------------------------------


def print_rich(obj, console, detail: str = "normal") -> None:
    """The plain layout, with colour, and each entry's steps drawn as a rich tree."""
    from rich.text import Text

    from ..formats.rich import print_lines

    console.print(Text(title_text(obj), style="bold underline"))
    for f, expr in definitions(obj):
        console.print(Text(f"  {f.text} = {expr_text(expr)}", style="bold"))

    def matrix() -> None:
        console.print()
        for line in matrix_lines(obj, console.width):  # the terminal's width
            console.print(Text(line, style="bold"), soft_wrap=False, overflow="fold")

    if _matrix_first(obj):
        matrix()
    if _one_line_entries(obj, detail):
        console.print()
        for line in _brief_lines(obj):
            console.print(Text(line), soft_wrap=False, overflow="fold")
    else:
        for heading, d in derivations(obj):
            console.print()
            console.print(Text(f"── {heading.text} ──", style="bold cyan"))
            print_lines(derivation_lines(d, detail), console)
    if not _matrix_first(obj):
        matrix()
    console.print()
    style = {"verified": "bold green", FAILED: "bold red"}.get(obj.status, "bold yellow")
    console.print(Text(status_text(obj), style=style), soft_wrap=False, overflow="fold")
    if not obj.complete:
        console.print(Text("note: some steps are SymPy's own answer, not a named rule"))


# --- JSON ----------------------------------------------------------------------------


def _entry_dict(obj, entry) -> dict:
    d = entry.derivation
    out: dict = {}
    if obj.kind != "gradient":
        out.update(row=entry.row, column=entry.column)
    if obj.kind == "hessian":
        out["variables"] = [str(v) for v in entry.variables]
    else:
        out["variable"] = str(entry.variables[0])
    out.update(
        expression=expr_str(d.expression),
        result=expr_str(entry.result),
        verified=entry.verified,
        complete=entry.complete,
        status="verified" if entry.verified else FAILED if entry.failed else "unconfirmed",
        steps=step_dict(d.steps),
    )
    return out


def _matrix_strings(obj) -> list[list[str]]:
    m = obj.matrix
    return [[expr_str(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def partials_dict(obj) -> dict:
    """The JSON object: inputs, variables, the matrix as strings, verdicts, every entry."""
    if obj.kind == "jacobian":
        out: dict = {
            "input": [
                t if t is not None else expr_str(e)
                for t, e in zip(obj.inputs, obj.expressions, strict=True)
            ],
            "expressions": [expr_str(e) for e in obj.expressions],
        }
    else:
        out = {
            "input": obj.input if obj.input is not None else expr_str(obj.expression),
            "expression": expr_str(obj.expression),
        }
    out["variables"] = [str(v) for v in obj.variables]
    if obj.kind == "gradient":
        out["gradient"] = {str(e.variables[0]): expr_str(e.result) for e in obj.entries}
    else:
        out[obj.kind] = _matrix_strings(obj)
    out["shape"] = list(obj.shape)
    out["verified"] = obj.verified
    out["complete"] = obj.complete
    out["status"] = obj.status
    out["warnings"] = list(obj.warnings)
    if obj.kind == "hessian":
        out["symmetric"] = obj.symmetric
    out["entries"] = [_entry_dict(obj, e) for e in obj.entries]
    if obj.kind == "hessian":
        first = partials_dict(obj.gradient)
        out["gradient"] = first["gradient"]
        out["gradient_entries"] = first["entries"]
    return out


# --- the view ------------------------------------------------------------------------


@view("Partials")
class PartialsView(View):
    """A gradient, Jacobian or Hessian: its own layouts per format, not shared lines."""

    def text(self, result: Partials, fmt: Format, detail: Detail = "normal", **_: Any) -> str:
        if fmt in ("plain", "rich"):
            return render_plain(result, detail)
        if fmt == "markdown":
            return render_markdown(result, detail)
        if fmt == "latex":
            return render_latex(result, detail)
        return json_text(partials_dict(result), fmt)

    def rich(self, result: Partials, console: Console, detail: Detail = "normal", **_: Any) -> None:
        print_rich(result, console, detail)

    def to_dict(self, result: Partials) -> dict[str, Any]:
        return partials_dict(result)

    def notebook_latex(self, result: Partials) -> str:
        return answer_latex(result)
