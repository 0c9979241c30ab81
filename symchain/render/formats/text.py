"""Expressions and parts as plain text: SymPy's str printer, with f'(u) for unknown functions."""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from ..layout import Deriv, Formula, Math, Op, Part, Ratio, Text


class PrimeNotation:
    """Printer mix-in: f'(u) for d/du f(u), and f'(x**2) for it at u = x**2.

    A printer using it says how to write the argument, in `_prime_argument`.
    """

    def _prime_argument(self, arg) -> str:
        return f"({self._print(arg)})"

    def _print_Derivative(self, expr):
        prime = prime_form(expr)
        if prime is None:
            return super()._print_Derivative(expr)
        name, count, arg = prime
        return name + "'" * count + self._prime_argument(arg)

    def _print_Subs(self, expr):
        prime = subs_prime_form(expr)
        if prime is None:
            return super()._print_Subs(expr)
        name, count, point = prime
        return name + "'" * count + self._prime_argument(point)


class _NotesPrinter(PrimeNotation, StrPrinter):
    """str(), except f'(u) for the derivative of an unknown function f, x̄ for an adjoint."""

    def _print_Bar(self, expr) -> str:
        return bar_name(expr.node.name)

    def _print_MatrixBase(self, expr) -> str:
        rows = ", ".join(
            "[" + ", ".join(self._print(e) for e in expr.row(i)) + "]" for i in range(expr.rows)
        )
        return "[" + rows + "]"


def bar_name(name: str) -> str:
    """x̄ for the adjoint of x: a combining macron after the name's letters (ā1 for a1)."""
    letters = len(re.match(r"[A-Za-z]*", name).group())
    cut = max(letters, 1)
    return name[:cut] + "\u0304" + name[cut:]


def subs_prime_form(expr: sp.Subs):
    """(name, order, point) when expr is f^(n)(u) evaluated at u = point."""
    if len(expr.variables) != 1 or not isinstance(expr.expr, sp.Derivative):
        return None
    prime = prime_form(expr.expr)
    if prime is None or prime[2] != expr.variables[0]:
        return None
    return prime[0], prime[1], expr.point[0]


def prime_form(expr: sp.Derivative):
    """(name, order, argument) when expr is f^(n)(a) of a one-argument unknown f."""
    inner = expr.expr
    if not isinstance(inner, AppliedUndef) or len(inner.args) != 1:
        return None
    if len(expr.variable_count) != 1:
        return None
    var, count = expr.variable_count[0]
    if var != inner.args[0] or count > 3:
        return None
    return inner.func.__name__, count, var


_PRINTER = _NotesPrinter()


def expr_text(expr: sp.Expr) -> str:
    return _PRINTER.doprint(expr)


def needs_parens(expr: sp.Expr) -> bool:
    """Beside 'd/dx', a sum or product is bracketed; a power or call reads clearly."""
    return bool(expr.is_Add or expr.is_Mul)


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
        return f"{d}{expr_text(part.top)}/{d}{expr_text(part.var)}"
    if isinstance(part, Deriv):
        body = expr_text(part.expr)
        if needs_parens(part.expr):
            body = f"({body})"
        if part.n > 1:
            return f"d^{part.n}/d{part.var}^{part.n} {body}"
        return f"d/d{part.var} {body}"
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
