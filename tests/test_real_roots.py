"""Odd roots of negative numbers are real (∛(−8) = −2): values at a point use the real
branch, while the derivative is taken of x^(1/3) as usual (issue 12, review H10)."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symchain import check, derive
from symchain.core.errors import UsageError
from symchain.core.realroots import real_branch, real_subs

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    ("expr", "at", "value"),
    [
        (sp.cbrt(x), -8, -2),
        (x ** sp.Rational(2, 3), -8, 4),
        (x ** sp.Rational(-1, 3), -27, sp.Rational(-1, 3)),
        (x ** sp.Rational(5, 3), -1, -1),
        (sp.sqrt(x), 4, 2),  # an even root is untouched
    ],
)
def test_odd_roots_take_the_real_branch(expr, at, value):
    assert real_subs(expr, {x: at}) == value


def test_even_roots_of_negatives_stay_not_real():
    assert real_subs(sp.sqrt(x), {x: -4}).is_real is False


def test_complex_expressions_are_left_alone():
    e = sp.I * x ** sp.Rational(1, 3)
    assert real_branch(e) == e


@settings(deadline=None, max_examples=40)
@given(st.integers(-50, 50).filter(bool), st.sampled_from([1, 2, 4, 5]), st.sampled_from([3, 5]))
def test_the_real_branch_agrees_with_real_root(a, p, q):
    expected = sp.real_root(sp.Integer(a), q) ** p
    assert sp.simplify(real_subs(x ** sp.Rational(p, q), {x: a}) - expected) == 0


def test_derive_at_a_negative_point_and_its_tangent():
    d = derive("cbrt(x)", at="x=-8", tangent=True)
    assert d.value == sp.Rational(1, 12)
    assert d.tangent.fa == -2 and d.tangent.line == x / 12 - sp.Rational(4, 3)


def test_a_square_root_at_a_negative_point_is_still_refused():
    with pytest.raises(UsageError, match="outside its domain"):
        derive("sqrt(x)", at="x=-4")


def test_check_counts_negative_points_of_a_cube_root():
    assert check("x^(1/3)", "1/(3 x^(2/3))").correct is True
    wrong = check("x^(1/3)", "1/(3 x^(1/3))")
    assert wrong.correct is False
