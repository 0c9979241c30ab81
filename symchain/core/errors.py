"""The one error hierarchy: what symchain raises, each error with a kind and an exit code.

A message names the Python parameter a problem is about in backticks
(`wrt`, `at`); a front end that calls the parameter something else shows
its own name there (the command line shows --wrt) through `worded`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy as sp

    from .prose import Prose

_PARAMETER = re.compile(r"`([a-z][a-z_]*)`")


class SymchainError(Exception):
    """A problem with the user's input or request: reported without a traceback."""

    kind = "error"
    exit_code = 2

    def __init__(
        self,
        message: str | Prose,
        *,
        text: str | None = None,
        position: int | None = None,
    ):
        """`message` is text, or prose (words and formulas) when it names a formula, so
        that each front end can write the formulas in its reader's notation."""
        self.prose: Prose | None = None
        if isinstance(message, tuple):
            from .prose import prose_str

            self.prose, message = message, prose_str(message)
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def worded(
        self, name_of: Callable[[str], str], write: Callable[[sp.Basic], str] | None = None
    ) -> str:
        """The message with each `parameter` written as `name_of(parameter)` (a flag), and
        its formulas by `write` (SymPy's syntax without it)."""
        text = self.message
        if self.prose is not None and write is not None:
            text = "".join(p if isinstance(p, str) else write(p) for p in self.prose)
        return _PARAMETER.sub(lambda m: name_of(m.group(1)), text)

    def pointer(self) -> str:
        """The input with a caret under the offending column, when both are known."""
        if self.text is None or self.position is None or not self.text.strip():
            return ""
        line = self.text.replace("\t", " ")
        if any(not c.isprintable() for c in line):
            line = "".join(c if c.isprintable() else "?" for c in line)
        start = max(0, self.position - 60)
        shown = line[start : start + 100]
        prefix = "..." if start else ""
        return f"  {prefix}{shown}\n  {' ' * (len(prefix) + self.position - start)}^"

    def to_dict(self, message: str | None = None) -> dict[str, Any]:
        return {"kind": self.kind, "message": message or self.message, "position": self.position}


class ParseError(SymchainError):
    """The formula could not be read."""

    kind = "parse"


class UsageError(SymchainError):
    """The request does not make sense (a variable that is not there, say)."""

    kind = "usage"


class LimitError(SymchainError):
    """The work would exceed a limit (time, size)."""

    kind = "limit"


class InternalError(SymchainError):
    """Something failed that is not the user's fault (a bug, a SymPy failure): exit 1."""

    kind = "internal"
    exit_code = 1


def one_line(err: BaseException) -> str:
    """An exception as one line, its type first: for an error in the user's own code."""
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def raised_in(err: BaseException) -> str:
    """' (at net.py:42)': the innermost line of the traceback outside symchain and outside
    Python's own installation (the standard library, NumPy), which is where in the user's
    code an error came from; '' when there is none."""
    import os
    import sys
    import traceback

    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        path = os.path.abspath(frame.filename)
        if path.startswith(ours + os.sep) or any(path.startswith(p + os.sep) for p in installed):
            continue
        if frame.filename.startswith("<"):  # <string>, <frozen ...>
            continue
        return f" (at {os.path.basename(path)}:{frame.lineno})"
    return ""
