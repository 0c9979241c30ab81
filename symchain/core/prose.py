"""Sentences with formulas in them, kept as parts until they are shown.

A mistake's explanation ("d/dx sin(u) = cos(u)·u' with u = x², ...") is computed
in the calculus layer but printed in the notation the reader chose: x² on a
terminal, x^{2} in LaTeX, x**2 in JSON.  So it is stored as words and
expressions side by side, and each view writes the expressions its own way.
"""

from __future__ import annotations

import sympy as sp

#: Words (str) and formulas (SymPy expressions), in reading order.
Prose = tuple[str | sp.Basic, ...]


def prose_str(prose: Prose) -> str:
    """The prose with every formula in SymPy's syntax: for JSON and for str()."""
    return "".join(part if isinstance(part, str) else sp.sstr(part) for part in prose)


_DIGITS_UP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def prime_name(order: int, name: str = "f") -> str:
    """f, f′, f″, f‴, f⁽⁴⁾: the order-th derivative's name as a textbook writes it."""
    if order <= 3:
        return name + ("", "′", "″", "‴")[order]
    return f"{name}⁽{str(order).translate(_DIGITS_UP)}⁾"
