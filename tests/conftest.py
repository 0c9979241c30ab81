import pytest

from symchain.parse import symbol


@pytest.fixture
def x():
    return symbol("x")
