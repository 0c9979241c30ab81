import pytest

from symchain.core.parse import symbol


@pytest.fixture
def x():
    return symbol("x")
