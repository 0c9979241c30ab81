"""How every command runs its work: within its time limit, with errors mapped to a message
and an exit code (0 ok, 1 a check or a computation failed, 2 bad input or usage)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from ..core.errors import InternalError, LimitError, SymchainError

if TYPE_CHECKING:
    from ..render.formats import Format
    from .env import Environment

T = TypeVar("T")

#: The flag that sets each library parameter, where it is not `--` + the name.
FLAGS = {
    "function": "--implicit",
    "lets": "--let",
    "activations": "--activation",
    "shapes": "--shape",
}
#: Parameters whose flag is `--` + the name.
_SAME = {
    "wrt", "order", "at", "tangent", "method", "matrix", "vars", "range", "layout", "batch",
    "loss", "sizes", "seed", "lr", "eps", "rtol", "atol", "directions", "graph", "output",
    "plot", "timeout", "values",
}  # fmt: skip


def flag(parameter: str, overrides: dict[str, str] | None = None) -> str | None:
    """The command-line flag of a library parameter (`wrt` -> --wrt), or None; a command
    whose flags differ (plot's tangent comes from --at) gives `overrides`."""
    if overrides and parameter in overrides:
        return overrides[parameter]
    if parameter in FLAGS:
        return FLAGS[parameter]
    return f"--{parameter}" if parameter in _SAME else None


def message(
    error: SymchainError,
    overrides: dict[str, str] | None = None,
    write: Callable[[Any], str] | None = None,
) -> str:
    """The error's message as the command line says it: parameters named by their flags,
    formulas written by `write` (the reader's notation) where the message has any."""
    return error.worded(lambda p: flag(p, overrides) or f"`{p}`", write)


def guarded(compute: Callable[[], T], timeout: float, debug: bool) -> T:
    """compute() within `timeout`, or a SymchainError saying why not.

    Every command runs its work through this one place, so that a limit, a
    bug or a SymPy failure is reported the same way everywhere.
    """
    from ..core.budget import time_limit

    try:
        with time_limit(timeout):
            return compute()
    except SymchainError:
        raise
    except BrokenPipeError:  # the reader went away (| head): not a failure of the work
        raise
    except RecursionError:
        raise LimitError("the formula is nested too deeply to derive") from None
    except MemoryError:
        raise LimitError("this needs more memory than there is (SYMCHAIN_MEMORY_GIB)") from None
    except Exception as exc:  # a bug or a SymPy failure: reported, never hidden
        if debug:
            raise
        raise internal(exc) from exc


def internal(exc: BaseException) -> InternalError:
    """A failure that is not the user's fault, in one line."""
    detail = " ".join(str(exc).split())
    return InternalError(
        f"internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback)"
    )


def computed_or_exit(
    compute: Callable[[], T],
    inputs: object,
    env: Environment,
    fmt: Format,
    timeout: float,
    debug: bool,
) -> T:
    """compute()'s result; on an error, the error in `fmt` and the exit it earns."""
    import time

    env.deadline = time.monotonic() + timeout  # what is left of it bounds the printing
    try:
        return guarded(compute, timeout, debug)
    except SymchainError as err:
        if debug and not isinstance(err, InternalError):
            raise
        fail(env, inputs, err, fmt)


def fail(env: Environment, inputs: object, err: SymchainError, fmt: Format) -> NoReturn:
    """Report the error and exit with its code."""
    env.error(inputs, err, fmt)
    sys.exit(err.exit_code)


def finish(ok: bool | None) -> NoReturn:
    """Exit 0 when the result checked out, 1 when it did not or could not be decided."""
    sys.exit(0 if ok else 1)
