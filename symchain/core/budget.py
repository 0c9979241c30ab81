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

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import LimitError

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
