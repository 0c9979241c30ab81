"""A time budget for one piece of work that may run long (a SymPy rewrite, say).

SymPy cannot be asked to stop, so the budget is a SIGALRM timer: the work is
interrupted and `OverBudget` raised.  An outer timer (the CLI's --timeout) is
saved and re-armed afterwards with what is left of it.  Where there are no
timers (Windows, a thread other than the main one) the work runs unbounded.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

REPEAT = 0.05  # seconds between alarms once a budget has run out


class OverBudget(BaseException):
    """The work did not finish within its budget.

    A BaseException, so that no `except Exception` inside SymPy swallows it.
    """


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def budget(seconds: float):
    """Run the block for at most `seconds`, else raise OverBudget."""
    if not _usable():
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # the outer limit comes first and will stop the work itself
        return

    def expire(signum, frame):
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    start = time.monotonic()
    # Re-fire every 50 ms until cleared: an alarm that lands in a garbage-collector
    # callback is swallowed as "unraisable", and a one-shot timer would then never stop
    # the work (a trigsimp ran for minutes in CI that way).
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)
