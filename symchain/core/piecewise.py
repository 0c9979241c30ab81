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
from typing import Any, cast

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
    "!=": sp.Ne,
    "≠": sp.Ne,
}
_RELATION = re.compile(r"<=|>=|!=|≤|≥|≠|<|>")
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


def brace_blocks(text: str) -> list[tuple[int, int]]:
    """The (start, end) columns of each {…} at the top level; a ParseError for a brace that
    is not matched or a block inside a block."""
    blocks, start = [], None
    for i, char in enumerate(text):
        if char == "{":
            if start is not None:
                raise ParseError("a piecewise function cannot hold another one", text=text,
                                 position=i)  # fmt: skip
            start = i
        elif char == "}":
            if start is None:
                raise ParseError("this '}' closes nothing", text=text, position=i)
            blocks.append((start, i))
            start = None
    if start is not None:
        raise ParseError("this '{' is never closed", text=text, position=start)
    if len(blocks) > MAX_PIECES:
        raise ParseError(f"at most {MAX_PIECES} piecewise functions in a formula", text=text)
    return blocks


def read_piecewise(
    text: str, read_piece: PieceReader, begin: int | None = None
) -> tuple[sp.Expr, tuple[str, ...]]:
    """`{piece if condition; ...}` as a Piecewise, with the notes of every piece; `begin` is
    the column of its '{' when the text holds more than the function."""
    start = (text.index("{") if begin is None else begin) + 1
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
    notes += _coverage_notes(cases, [" ".join(piece.split()) for piece, _ in pieces])
    return sp.Piecewise(*cases), tuple(dict.fromkeys(notes))


def _coverage_notes(cases: list[tuple[sp.Expr, sp.Basic]], typed: list[str]) -> list[str]:
    """A piece that can never apply (the pieces before it cover its condition, or the
    condition holds nowhere), and where no piece applies: said, not silently dropped."""
    symbols = set().union(*(c.free_symbols for _, c in cases))
    if len(symbols) != 1:
        return []
    (x,) = symbols
    notes, covered = [], sp.S.EmptySet
    try:
        for (_, condition), text in zip(cases, typed, strict=True):
            where = sp.S.Reals if condition is sp.true else cast(Any, condition).as_set()
            if (where - covered) is sp.S.EmptySet or where.is_empty:
                notes.append(
                    f"the piece '{text}' never applies: the pieces before it cover its "
                    "condition, or nothing meets it"
                )
            covered = covered | where
    except (NotImplementedError, TypeError, ValueError):
        return notes
    gap = sp.S.Reals - covered
    if gap is not sp.S.EmptySet and not gap.is_empty:
        notes.append(f"the function is not defined for {x} in {_interval_text(gap)}: no piece "
                     "applies there")  # fmt: skip
    return notes


def _interval_text(region: sp.Set) -> str:
    """(1, 2] as a textbook writes an interval; a union joined with ∪."""
    parts = region.args if isinstance(region, sp.Union) else (region,)
    out = []
    for part in parts:
        if isinstance(part, sp.Interval):
            left = "(" if part.left_open else "["
            right = ")" if part.right_open else "]"
            out.append(f"{left}{_end(part.start)}, {_end(part.end)}{right}")
        else:
            out.append(sp.sstr(part))
    return " ∪ ".join(out)


def _end(value: sp.Expr) -> str:
    return {sp.oo: "∞", -sp.oo: "−∞"}.get(value) or str(sp.sstr(value))


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


# --- SymPy's own spelling, as JSON writes it: Piecewise((x**2, x <= 1), (2*x - 1, True)) -----

_SYMPY_CALL = re.compile(r"\bPiecewise\s*\(")
_RELATION_CALL = re.compile(r"^(Ne|Eq)\((.*)\)$", re.S)


def sympy_blocks(text: str) -> list[tuple[int, int]]:
    """The (start, end) columns of each Piecewise(...) call in the text."""
    blocks: list[tuple[int, int]] = []
    for match in _SYMPY_CALL.finditer(text):
        if blocks and match.start() <= blocks[-1][1]:
            raise ParseError("a piecewise function cannot hold another one", text=text,
                             position=match.start())  # fmt: skip
        end = _closing(text, match.end() - 1)
        blocks.append((match.start(), end))
    return blocks


def read_sympy_piecewise(
    text: str, start: int, end: int, read_piece: PieceReader
) -> tuple[sp.Expr, tuple[str, ...]]:
    """Piecewise((expr, cond), ...) from text[start : end + 1], conditions as SymPy prints
    them: comparisons, chains joined by & or |, Ne(a, b), Eq(a, b), True."""
    open_at = text.index("(", start)
    cases: list[tuple[sp.Expr, sp.Basic]] = []
    notes: list[str] = []
    for arg, col in _top_level(text, open_at + 1, end - 1, ","):
        stripped = arg.strip()
        if not (stripped.startswith("(") and stripped.endswith(")")):
            raise ParseError("Piecewise takes (expression, condition) pairs", text=text,
                             position=col)  # fmt: skip
        inner_col = col + arg.index("(") + 1
        parts = _top_level(text, inner_col, inner_col + len(stripped) - 3, ",")
        if len(parts) != 2:
            raise ParseError("each Piecewise pair is (expression, condition)", text=text,
                             position=col)  # fmt: skip
        (expr_text, expr_col), (cond_text, cond_col) = parts
        expr = _expr(expr_text, expr_col, read_piece, notes)
        cases.append((expr, _sympy_condition(cond_text, cond_col, text, read_piece, notes)))
    if not cases:
        raise ParseError("Piecewise needs at least one (expression, condition) pair", text=text,
                         position=start)  # fmt: skip
    return sp.Piecewise(*cases), tuple(dict.fromkeys(notes))


def _sympy_condition(
    cond: str, col: int, text: str, read_piece: PieceReader, notes: list[str]
) -> sp.Basic:
    stripped = cond.strip()
    lead = col + cond.index(stripped[:1]) if stripped else col
    if stripped == "True":
        return sp.true
    for joiner, combine in (("|", sp.Or), ("&", sp.And)):
        parts = _top_level(text, lead, lead + len(stripped) - 1, joiner)
        if len(parts) > 1:
            each = [_sympy_condition(p, c, text, read_piece, notes) for p, c in parts]
            return cast(sp.Basic, combine(*cast(list[Any], each)))
    if stripped.startswith("(") and _closing(text, lead) == lead + len(stripped) - 1:
        return _sympy_condition(stripped[1:-1], lead + 1, text, read_piece, notes)
    call = _RELATION_CALL.match(stripped)
    if call is not None:
        sides = _top_level(text, lead + len(call.group(1)) + 1, lead + len(stripped) - 2, ",")
        if len(sides) != 2:
            raise ParseError(f"{call.group(1)} compares two formulas", text=text, position=lead)
        a, b = (_expr(s, c, read_piece, notes) for s, c in sides)
        relation = sp.Ne(a, b) if call.group(1) == "Ne" else sp.Eq(a, b)
        return cast(sp.Basic, relation)
    return _condition(stripped, lead, text, read_piece, notes)


def _closing(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        depth += (text[i] == "(") - (text[i] == ")")
        if depth == 0:
            return i
    raise ParseError("this '(' is never closed", text=text, position=open_at)


def _top_level(text: str, begin: int, end: int, separator: str) -> list[tuple[str, int]]:
    """text[begin:end + 1] cut at `separator` outside parentheses, with each part's column."""
    parts, depth, start = [], 0, begin
    for i in range(begin, end + 1):
        char = text[i]
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append((text[start:i], start))
            start = i + 1
    parts.append((text[start : end + 1], start))
    return [(p, c) for p, c in parts if p.strip()]
