"""The one SIGALRM timer (core/budget.py): a time-out is raised once, and afterwards the
timer is disarmed and the previous handler back, however the work unwinds (issue 14,
item 2: a second alarm during the unwind once left it armed, and SIGALRM killed the
process)."""

from __future__ import annotations

import signal
import time

import pytest

from symchain.core.budget import OverBudget, budget, time_limit
from symchain.core.errors import LimitError


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.parametrize("unwind", [0.0, 0.3, 1.2])  # 1.2 s: two repeats land in the unwind
def test_a_time_out_leaves_no_timer_behind(unwind):
    before = signal.getsignal(signal.SIGALRM)
    for _ in range(5):
        with pytest.raises(LimitError, match="gave up after 0.05 s"), time_limit(0.05):
            try:
                _spin(5)
            finally:
                _spin(unwind)  # a slow finally, as SymPy's caches have
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is before


def test_a_budget_inside_a_limit_gives_the_rest_back():
    with time_limit(5):
        with pytest.raises(OverBudget), budget(0.05):
            _spin(5)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 4 < left <= 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
