"""Expressions in SymPy's own syntax (x**2*exp(-x)), with f'(u) for unknown functions:
what `--notation sympy` prints, for pasting into Python."""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter


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


class NotesPrinter(PrimeNotation, StrPrinter):
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
