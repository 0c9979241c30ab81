"""Time limits, the only place that touches SIGALRM.

SymPy cannot be asked to stop, so a limit is a SIGALRM timer that interrupts
the work.  Two kinds share the one timer:

- `time_limit(seconds)`: the limit of a whole request (the command line's
  `timeout`); running out raises LimitError, which is reported to the user.
- `budget(seconds)`: a limit on one piece of work that may run long (a SymPy
  rewrite, say) and may be given up; running out raises `OverBudget`, which
  the caller catches to go on without that piece.

A budget inside a time limit saves the outer timer and re-arms it afterwards
with what is left; when the outer limit comes first, the budget leaves the
timer to it.  Where there are no timers (Windows, a thread other than the
main one) the work runs unbounded.
"""

from __future__ import annotations

import functools
import inspect
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, ParamSpec, TypeVar

from .errors import LimitError, UsageError

REPEAT = 0.5  # seconds between alarms once a limit has run out (longer than an unwind takes)


def _scale() -> float:
    """SYMCHAIN_BUDGET_SCALE multiplies every budget (not the request's time limit): on a slow
    or busy machine a rewrite or a comparison then gets the time it would have had."""
    try:
        value = float(os.environ.get("SYMCHAIN_BUDGET_SCALE", "1"))
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0


class OverBudget(BaseException):
    """The work did not finish within its budget.

    A BaseException, so that no `except Exception` inside SymPy swallows it.
    """


class _TimeUp(BaseException):
    """The request's time limit ran out: a BaseException for the same reason."""


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _alarm(seconds: float, expired: type[BaseException]) -> Iterator[None]:
    """Raise `expired` in the main thread after `seconds`, and again every REPEAT seconds
    until the block ends: an alarm that lands in a garbage-collector callback is swallowed
    as "unraisable", and a one-shot timer would then never stop the work (a trigsimp ran
    for minutes in CI that way)."""
    done = False

    def expire(signum: int, frame: FrameType | None) -> None:
        if not done:
            raise expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        while True:  # an alarm landing before `done` is set must not leave the timer armed
            try:
                done = True
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except expired:
                continue


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Run the block for at most `seconds`, else raise LimitError."""
    if not _usable():
        yield
        return
    try:
        with _alarm(seconds, _TimeUp):
            yield
    except _TimeUp:
        raise LimitError(f"gave up after {seconds:g} s (raise the limit with `timeout`)") from None


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Run the block for at most `seconds` (times SYMCHAIN_BUDGET_SCALE), else raise
    OverBudget."""
    seconds *= _scale()
    if not _usable():
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # the outer limit comes first and will stop the work itself
        return
    start = time.monotonic()
    try:
        with _alarm(seconds, OverBudget):
            yield
    finally:
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)


@contextmanager
def memory_limit(gib: float | None) -> Iterator[None]:
    """Cap this process's address space at `gib` GiB for the block (None: no cap); running
    out inside it is a LimitError.  The cap in force before is put back afterwards."""
    if gib is None:
        yield
        return
    if not isinstance(gib, int | float) or not 0 < gib < 2**30:
        raise UsageError("`memory` must be a number of GiB above 0")
    try:
        import resource
    except ImportError:  # no such limits on this platform
        raise UsageError("`memory` needs resource limits, which this platform lacks") from None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = int(gib * 2**30)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError) as err:  # below what the process already uses
        raise UsageError(f"`memory` of {gib:g} GiB cannot be set here: {err}") from None
    try:
        yield
    except MemoryError:
        raise LimitError(f"this needs more memory than `memory` allows ({gib:g} GiB)") from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


P = ParamSpec("P")
R = TypeVar("R")


def with_limits(function: Callable[P, R]) -> Callable[..., R]:
    """`function` with two more keyword arguments: `timeout` (seconds, or None for none) and
    `memory` (GiB of address space, or None): the command line's limits, in Python."""

    @functools.wraps(function)
    def limited(*args: Any, timeout: float | None = None, memory: float | None = None,
                **kwargs: Any) -> R:  # fmt: skip
        if timeout is not None:
            if not isinstance(timeout, int | float) or not 0 < timeout <= 86_400:
                raise UsageError("`timeout` must be a number of seconds, above 0 and at most "
                                 "a day")  # fmt: skip
            if not _usable():
                raise UsageError("`timeout` works in the main thread only (it uses SIGALRM)")
        with memory_limit(memory), time_limit(timeout) if timeout else _nothing():
            return function(*args, **kwargs)

    base = inspect.signature(function)
    keyword = inspect.Parameter.KEYWORD_ONLY
    extra = [inspect.Parameter(n, keyword, default=None, annotation="float | None")
             for n in ("timeout", "memory")]  # fmt: skip
    params = [p for p in base.parameters.values() if p.kind is not p.VAR_KEYWORD]
    tail = [p for p in base.parameters.values() if p.kind is p.VAR_KEYWORD]
    limited.__signature__ = base.replace(parameters=[*params, *extra, *tail])  # type: ignore[attr-defined]
    return limited


@contextmanager
def _nothing() -> Iterator[None]:
    yield
