import os

import pytest

# The suite runs on shared, busy machines: give the budgets for optional work (a rewrite,
# a numeric comparison) three times their time, so that load cannot turn a verified step
# into an unconfirmed one.  Subprocesses inherit it.  The request's --timeout is unchanged.
os.environ.setdefault("SYMCHAIN_BUDGET_SCALE", "3")

from symchain.core.parse import symbol


@pytest.fixture
def x():
    return symbol("x")
