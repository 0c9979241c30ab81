"""A formula too long for one row of the page, broken over several as books break it.

An align* row cannot wrap, so a long expression is cut into pieces of its own LaTeX:
before a term of a sum (the continuation starts with its sign), or between the factors
of a product (the continuation starts with ·), inside brackets too, where the row ends
with an invisible \\right. and the next starts with \\left., so that every row is valid
LaTeX on its own.  A function's argument, a power and a fraction are never cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .tex import expr_latex
from .text import expr_text


@dataclass(frozen=True, slots=True)
class _Piece:
    latex: str
    width: int  # its width as plain text, the measure of ROW_CHARS
    depth: int  # the brackets open around it
    cut: str | None = None  # what a row starting here begins with; None: no cut before it


def _width(expr: sp.Expr) -> int:
    return len(expr_text(expr))


def _pieces(expr: sp.Expr, depth: int, width: int) -> list[_Piece]:
    """A sum's terms, each one's sign in front of it (a cut before every term but the first);
    a term is cut inside only when it is wider than a row by itself."""
    if not isinstance(expr, sp.Add):
        return _factors(expr, depth, width)
    out: list[_Piece] = []
    for k, term in enumerate(expr.as_ordered_terms()):
        negative = term.could_extract_minus_sign()
        body = _factors(-term if negative else term, depth, width)
        sign = "- " if negative else "+ " if k else ""
        first = body[0]
        out.append(_Piece(sign + first.latex, first.width + len(sign), depth, "" if k else None))
        out += body[1:]
    return out


def _factors(expr: sp.Expr, depth: int, width: int) -> list[_Piece]:
    """A product's factors, a sum among them in brackets that may be cut inside; a product
    that fits a row, or has a fraction in it (a negative power), stays whole."""
    factors = expr.as_ordered_factors() if isinstance(expr, sp.Mul) else [expr]
    whole = _width(expr) <= width
    if whole or len(factors) < 2 or any(f.is_Pow and f.exp.is_negative for f in factors):
        return [_Piece(expr_latex(expr), _width(expr), depth)]  # never a sum: _pieces cut it
    out: list[_Piece] = []
    for k, factor in enumerate(factors):
        cut = r"\cdot " if k else None
        if isinstance(factor, sp.Add) and _width(factor) > width:
            out += _bracketed(factor, depth, cut, width)
            continue
        if isinstance(factor, sp.Add):
            latex = r"\left(" + expr_latex(factor) + r"\right)"
            out.append(_Piece(latex, _width(factor) + 2, depth, cut))
            continue
        latex = expr_latex(factor)
        if k and (latex[:1].isdigit() or out[-1].latex[-1:].isdigit()):
            latex = r"\cdot " + latex  # 2 · 3ˣ, never "2 3^{x}"
        out.append(_Piece(latex, _width(factor), depth, cut))
    return out


def _bracketed(expr: sp.Expr, depth: int, cut: str | None, width: int) -> list[_Piece]:
    inner = _pieces(expr, depth + 1, width)
    return [
        _Piece(r"\left(", 1, depth, cut),
        *inner,
        _Piece(r"\right)", 1, depth + 1),
    ]


def tex_rows(expr: sp.Expr, first: int, width: int, bracket: bool = False) -> list[str]:
    """`expr`'s LaTeX in rows of at most `width` characters of plain text (the first row has
    `first` left), each a whole formula; one row when no cut can make it shorter.  With
    `bracket`, the whole is in brackets (a factor beside ·)."""
    pieces = _bracketed(expr, 0, None, width) if bracket else _pieces(expr, 0, width)
    rows: list[list[str]] = [[]]
    budget, used = first, 0
    for piece in pieces:
        if piece.cut is not None and rows[-1] and used + piece.width > budget:
            rows[-1].append(r"\right." * piece.depth)
            rows.append([r"\left." * piece.depth + piece.cut])
            budget, used = width, 0
        rows[-1].append(piece.latex)
        used += piece.width + 1
    return [" ".join(p for p in row if p) for row in rows]
