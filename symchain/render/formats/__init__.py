"""The output formats, detail levels and notations, named once for render and the command line."""

from __future__ import annotations

from typing import Literal, get_args

Format = Literal["rich", "plain", "markdown", "latex", "json", "jsonl"]
TextFormat = Literal["plain", "markdown", "latex"]
Detail = Literal["brief", "normal", "full"]
#: How plain and terminal output write an expression: x²·eˣ, or SymPy's x**2*exp(x).
Notation = Literal["math", "sympy"]

FORMATS: tuple[Format, ...] = get_args(Format)
DETAILS: tuple[Detail, ...] = get_args(Detail)
NOTATIONS: tuple[Notation, ...] = get_args(Notation)
