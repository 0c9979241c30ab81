"""Piecewise functions as students type them, read into SymPy's Piecewise.

    {x^2 if x <= 1; 2x - 1 if x > 1}      the book's cases, one per ';' (or ',')
    {x^2 if x <= 1; 2x - 1 otherwise}     the last case may be `otherwise` or `else`
    {x <= 1: x^2, 2x - 1}                 Desmos's form: condition, then the piece

Each piece and each side of a condition is read by the formula reader it is
given (so by the same whitelist), never evaluated as text.  Conditions compare
with < <= > >= (or ≤ ≥) and may be chained: 0 < x <= 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import sympy as sp
from sympy.logic.boolalg import Boolean

from .errors import ParseError

MAX_PIECES = 20

#: Reads one formula: (text, its column in the whole input) -> (expression, notes).
PieceReader = Callable[[str, int], tuple[sp.Expr, tuple[str, ...]]]

_RELATIONS: dict[str, Callable[[sp.Expr, sp.Expr], Boolean]] = {
    "<=": sp.Le,
    "≤": sp.Le,
    ">=": sp.Ge,
    "≥": sp.Ge,
    "<": sp.Lt,
    ">": sp.Gt,
}
_RELATION = re.compile(r"<=|>=|≤|≥|<|>")
_IF = re.compile(r"\s+if\s+")
_OTHERWISE = re.compile(r"\s+(otherwise|else)\s*$")


def is_piecewise(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def equals_sign(text: str) -> int | None:
    """The column of an equation's '=' (x² + y² = 25), not of <=, >= or == and not inside
    a piecewise function's braces; None when the text is no equation."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if char != "=" or depth:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if before not in "<>=!" and after != "=":
            return i
    return None


def read_piecewise(text: str, read_piece: PieceReader) -> tuple[sp.Expr, tuple[str, ...]]:
    """`{piece if condition; ...}` as a Piecewise, with the notes of every piece."""
    start = text.index("{") + 1
    body = text[start : text.rindex("}")]
    if "{" in body or "}" in body:
        raise ParseError("a piecewise function cannot hold another one", text=text,
                         position=start + body.find("{") if "{" in body else None)  # fmt: skip
    cases: list[tuple[sp.Expr, sp.Basic]] = []
    notes: list[str] = []
    pieces = _split(body, start, text)
    if len(pieces) > MAX_PIECES:
        raise ParseError(f"a piecewise function has at most {MAX_PIECES} pieces", text=text)
    for k, (piece, col) in enumerate(pieces):
        last = k == len(pieces) - 1
        expr, condition = _case(piece, col, last, text, read_piece, notes)
        cases.append((expr, condition))
    if all(condition is sp.true for _, condition in cases):
        raise ParseError(
            "braces hold a piecewise function, like {x^2 if x <= 1; 2x - 1 otherwise}: "
            "use ( ) for grouping",
            text=text,
            position=start - 1,
        )
    return sp.Piecewise(*cases), tuple(dict.fromkeys(notes))


def _split(body: str, start: int, text: str) -> list[tuple[str, int]]:
    """The pieces, cut at the ';' and ',' outside parentheses and bars, with their columns."""
    pieces, depth, bars, begin = [], 0, 0, 0
    for i, char in enumerate(body):
        depth += (char == "(") - (char == ")")
        if char == "|":
            bars ^= 1
        if char in ";," and depth == 0 and not bars:
            pieces.append((body[begin:i], start + begin))
            begin = i + 1
    pieces.append((body[begin:], start + begin))
    for piece, col in pieces:
        if not piece.strip():
            raise ParseError("an empty piece in the piecewise function", text=text, position=col)
    return pieces


def _case(
    piece: str, col: int, last: bool, text: str, read_piece: PieceReader, notes: list[str]
) -> tuple[sp.Expr, sp.Basic]:
    """One piece: 'expr if condition', 'expr otherwise' (the last), 'condition: expr'
    (Desmos), or a bare expr as the last piece."""
    if ":" in piece:
        condition_text, expr_text = piece.split(":", 1)
        condition = _condition(condition_text, col, text, read_piece, notes)
        return _expr(expr_text, col + len(condition_text) + 1, read_piece, notes), condition
    match = _IF.search(piece)
    if match is not None:
        expr = _expr(piece[: match.start()], col, read_piece, notes)
        condition = _condition(piece[match.end() :], col + match.end(), text, read_piece, notes)
        return expr, condition
    other = _OTHERWISE.search(piece)
    if not last:
        raise ParseError(
            "each piece but the last needs a condition: write 'x^2 if x <= 1'",
            text=text,
            position=col,
        )
    if other is not None:
        piece = piece[: other.start()]
    return _expr(piece, col, read_piece, notes), sp.true


def _expr(piece: str, col: int, read_piece: PieceReader, notes: list[str]) -> sp.Expr:
    expr, piece_notes = read_piece(piece, col)
    notes.extend(piece_notes)
    return expr


def _condition(
    text_: str, col: int, text: str, read_piece: PieceReader, notes: list[str]
) -> sp.Basic:
    """x <= 1, 0 < x <= 1: a chain of comparisons, each side a formula."""
    found = list(_RELATION.finditer(text_))
    if not found:
        raise ParseError("a condition compares, like x <= 1 or 0 < x < 2", text=text, position=col)
    bounds = [0, *(b for m in found for b in (m.start(), m.end())), len(text_)]
    sides = []
    for begin, end in zip(bounds[::2], bounds[1::2], strict=True):
        part = text_[begin:end]
        if not part.strip():
            raise ParseError(
                "a comparison needs a formula on each side", text=text, position=col + begin
            )
        sides.append(_expr(part, col + begin, read_piece, notes))
    links = [_RELATIONS[m.group()](a, b) for m, a, b in zip(found, sides, sides[1:], strict=False)]
    for link in links:
        if link in (sp.true, sp.false):
            raise ParseError("a condition must depend on a variable", text=text, position=col)
    return cast(sp.Basic, sp.And(*links))  # And's constructor is untyped
