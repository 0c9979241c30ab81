"""`symchain.errors`, where the errors were before the layers: the same classes, from
`symchain.core.errors` (new code can use `symchain.ParseError` and the others)."""

from .core.errors import InternalError, LimitError, ParseError, SymchainError, UsageError

__all__ = ["InternalError", "LimitError", "ParseError", "SymchainError", "UsageError"]
