"""Expressions and parts as one line of text, in the notation chosen for this output:
mathematics as people write it (x², eˣ, ln) or SymPy's syntax (`--notation sympy`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sympy as sp

from ..layout import (
    Bar,
    Cell,
    Curve,
    Deriv,
    Formula,
    Line,
    Math,
    Number,
    Op,
    Part,
    Ratio,
    Table,
    Text,
    Tree,
)
from . import NOTATIONS, Notation
from .mathtext import MathPrinter, superscript
from .sympytext import NotesPrinter

_NOTATION: ContextVar[Notation] = ContextVar("notation", default="math")
_PRINTERS = {"math": MathPrinter(), "sympy": NotesPrinter()}


@contextmanager
def using_notation(name: Notation) -> Iterator[None]:
    """Print expressions in `name` within the block: "math" (x², eˣ) or "sympy" (x**2)."""
    if name not in _PRINTERS:
        raise ValueError(f"unknown notation {name!r}: use one of {', '.join(NOTATIONS)}")
    token = _NOTATION.set(name)
    try:
        yield
    finally:
        _NOTATION.reset(token)


def expr_text(expr: sp.Expr) -> str:
    return _PRINTERS[_NOTATION.get()].doprint(expr)


def decimal(number: float, spec: str = ".12g") -> str:
    """A float as text: with the minus sign (−0.3) in mathematics, a hyphen in SymPy's."""
    text = format(number, spec)
    return text.replace("-", "−") if _NOTATION.get() == "math" and "e" not in text else text


def _order(n: int) -> str:
    """d²/dx² in mathematics, d^2/dx^2 in SymPy's notation."""
    if _NOTATION.get() == "math":
        return superscript(str(n))
    return f"^{n}"


def needs_parens(expr: sp.Expr) -> bool:
    """Beside 'd/dx', a sum or product is bracketed; a power or call reads clearly."""
    return bool(expr.is_Add or expr.is_Mul)


def _one_call(body: str) -> bool:
    """log₂(x² + 1): a product SymPy holds (ln u/ln 2) that is written as one call."""
    match = re.fullmatch(r"log[₀-₉]+\((.*)\)", body)
    if match is None:
        return False
    depth = 0
    for char in match.group(1):
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def factor_needs_parens(expr: sp.Expr) -> bool:
    """Beside '·', a sum, a negative factor or a fraction is bracketed: (1/u) · 2*x."""
    if expr.is_Add or expr.could_extract_minus_sign():
        return True
    factors = sp.Mul.make_args(expr)
    return any(f.is_Pow and f.exp.is_negative for f in factors) or bool(
        expr.is_Rational and not expr.is_Integer
    )


def part_text(part: Part) -> str:
    if isinstance(part, (Text, Formula)):
        return part.text
    if isinstance(part, Math):
        body = expr_text(part.expr)
        return f"({body})" if part.factor and factor_needs_parens(part.expr) else body
    if isinstance(part, Op):
        return f" {part.symbol} "
    if isinstance(part, Ratio):
        d = "∂" if part.partial else "d"
        n = _order(part.n) if part.n > 1 else ""
        return f"{d}{n}{expr_text(part.top)}/{d}{expr_text(part.var)}{n}"
    if isinstance(part, Deriv):
        body = expr_text(part.expr)
        if needs_parens(part.expr) and not _one_call(body):
            body = f"({body})"
        var = expr_text(part.var)  # dθ for theta
        if part.n > 1:
            return f"d{_order(part.n)}/d{var}{_order(part.n)} {body}"
        return f"d/d{var} {body}"
    raise TypeError(part)


def parts_text(parts) -> str:
    return "".join(part_text(p) for p in parts)


def line_texts(parts, indent: str, width: int = 80) -> list[str]:
    """A line as text; a long one breaks before each top-level '=' so notes stay readable."""
    whole = indent + parts_text(parts)
    if len(whole) <= width:
        return [whole]
    pieces: list[list] = [[]]
    for part in parts:
        if isinstance(part, Op) and part.symbol == "=" and part.breaks:
            pieces.append([])
        pieces[-1].append(part)
    if len(pieces) == 1:
        return [whole]
    out = [indent + parts_text(pieces[0]).rstrip()]
    for piece in pieces[1:]:
        out.append(indent + "    " + parts_text(piece).strip())
    return out


def cell_text(cell: Cell) -> str:
    if isinstance(cell, Formula):
        return cell.text
    if isinstance(cell, Number):
        return format(cell.value, cell.spec)
    if isinstance(cell, Bar):
        return "█" * cell.length
    return cell


def table_rows(t: Table) -> list[str]:
    """A table as lines of text, its columns two spaces apart, numbers right-aligned."""
    cells = [[cell_text(c) for c in row] for row in t.rows]
    if any(t.header):
        cells.insert(0, [cell_text(h) for h in t.header])
    widths = [max(len(row[i]) for row in cells) for i in range(len(t.align))]
    return [
        "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(row, widths, t.align, strict=True)
        ).rstrip()
        for row in cells
    ]


#: Kinds of line that are rows of text as they stand: preformatted text, a table, a curve.
BLOCKS = ("pre", "table", "curve", "tree")


def tree_rows(t: Tree) -> list[str]:
    """A tree's rows with guides: ├─ before a node with a sibling below it, └─ before the
    last, and │ carried down past each ancestor that still has one."""
    last = [False] * len(t.nodes)
    later: list[bool] = []  # later[k]: a node at level k comes later, under the same parent
    for i in range(len(t.nodes) - 1, -1, -1):
        level = t.nodes[i][0]
        del later[level + 1 :]
        later += [False] * (level + 1 - len(later))
        last[i] = not later[level]
        later[level] = True
    rows = []
    guides: list[str] = []
    for (level, node, remark), is_last in zip(t.nodes, last, strict=True):
        del guides[max(level - 1, 0) :]
        lead = "".join(guides) + ("" if level == 0 else "└─ " if is_last else "├─ ")
        rows.append(lead + node.name + (f"  {remark}" if remark else ""))
        if level:
            guides.append("   " if is_last else "│  ")
    return rows


def block_rows(line: Line) -> list[str]:
    """A block line's rows of text: preformatted text as it is, a table's aligned columns,
    a curve in block characters, a tree with its guides."""
    part = line.parts[0]
    if isinstance(part, Text):
        return [part.text]
    if isinstance(part, Table):
        return table_rows(part)
    if isinstance(part, Tree):
        return tree_rows(part)
    from ..curve import text_curve

    assert isinstance(part, Curve)
    return text_curve(part.values)
