"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_version() -> str:
    """The commit measured, and whether symchain/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", REPO, "status", "--porcelain", "--", "symchain"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" + uncommitted changes in symchain/" if dirty else "")


class Capped(BaseException):
    """Raised by SIGALRM; a BaseException so that no `except Exception` in SymPy swallows it."""


def install_cap() -> None:
    """SIGALRM raises Capped: what `timed_call`'s cap relies on."""
    import signal

    def on_alarm(signum, frame):
        raise Capped()

    signal.signal(signal.SIGALRM, on_alarm)


def timed_call(fn, cap: float, capped_error: str | None = None, error_chars: int = 200):
    """(seconds or math.inf when capped, value or None, error text or None), from a cleared
    SymPy cache; a failure is recorded, never fatal.  install_cap() must have run."""
    import math
    import signal
    import time

    from sympy.core.cache import clear_cache

    clear_cache()
    signal.setitimer(signal.ITIMER_REAL, cap)
    start = time.perf_counter()
    try:
        value = fn()
        return time.perf_counter() - start, value, None
    except Capped:
        return math.inf, None, capped_error
    except Exception as exc:  # a symchain or SymPy failure: recorded, not fatal
        return time.perf_counter() - start, None, f"{type(exc).__name__}: {exc}"[:error_chars]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def summing_timer(spent: dict[str, float], label: str, original):
    """`original`, with the seconds each call takes added to spent[label]."""
    import time

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    return timed
