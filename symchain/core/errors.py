"""The errors symchain raises for a user's mistake, each with a kind and an exit code."""

from __future__ import annotations


class SymchainError(Exception):
    """A problem with the user's input or request: reported without a traceback."""

    kind = "error"
    exit_code = 2

    def __init__(self, message: str, *, text: str | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

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

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "position": self.position}


class ParseError(SymchainError):
    """The formula could not be read."""

    kind = "parse"


class UsageError(SymchainError):
    """The request does not make sense (a variable that is not there, say)."""

    kind = "usage"


class LimitError(SymchainError):
    """The work would exceed a limit (time, size)."""

    kind = "limit"
