"""Implicit differentiation (against sympy.idiff) and tangent lines."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symchain.calculus.derivation import derive
from symchain.calculus.implicit import implicit
from symchain.cli.app import main
from symchain.core.errors import SymchainError, UsageError

x, y = sp.symbols("x y", real=True)


def run(*args):
    return CliRunner().invoke(main, ["derive", *args])


def test_circle():
    d = implicit("x**2 + y**2 = 25", "y", "x")
    assert d.result == -x / y and d.verified
    second = implicit("x**2 + y**2 = 25", "y", "x", order=2)
    assert sp.simplify(second.result - sp.idiff(x**2 + y**2 - 25, y, x, 2)) == 0


@pytest.mark.parametrize(
    "equation",
    [
        "x**3 + y**3 = 6*x*y",
        "sin(x*y) = x",
        "exp(y) = x*y",
        "x*y = 1",
        "y**2 = x**3 + x",
        "x^2 y + y^3 = 2",
    ],
)
def test_equations_match_idiff(equation):
    d = implicit(equation, "y", "x", order=2)
    lhs, rhs = (
        sp.sympify(side, locals={"x": x, "y": y})
        for side in equation.replace("^", "**").replace("x**2 y", "x**2*y").split("=")
    )
    for n, o in enumerate(d.orders, start=1):
        want = sp.idiff(lhs - rhs, y, x, n)
        for point in ((0.7, 1.3), (1.9, -0.6)):
            sub = {x: point[0], y: point[1]}
            assert abs(complex(o.result.subs(sub)) - complex(want.subs(sub))) < 1e-9
    assert d.verified


POLY = st.lists(
    st.tuples(st.integers(-3, 3), st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=5
)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(POLY)
def test_random_polynomial_curves_match_idiff(terms):
    f = sum(c * x**i * y**j for c, i, j in terms)
    if not f.has(y) or not f.has(x) or sp.diff(f, y) == 0:
        return
    try:
        d = implicit(f"{sp.sstr(f)} = 1", "y", "x")
    except SymchainError:
        return
    want = sp.idiff(f - 1, y, x)
    for point in ((0.7, 1.3), (1.9, -0.6), (-1.1, 0.4)):
        sub = {x: point[0], y: point[1]}
        got, expected = complex(d.result.subs(sub)), complex(want.subs(sub))
        assert abs(got - expected) <= 1e-9 * max(1, abs(expected))
    assert d.verified


@pytest.mark.parametrize(
    "equation, function, wrt, message",
    [
        ("x**2 = 25", "y", None, "no y"),
        ("x + y + z = 1", "y", None, "choose the variable"),
        ("x + y = 1", "y", "y", "same variable"),
        ("x == y", "y", "x", "one '='"),
        ("x = y = 1", "y", "x", "one '='"),
        ("x + y = 1", "sin", "x", "function"),
        ("x**2 + y**2 = 25", "y", "x", None),
    ],
)
def test_implicit_errors(equation, function, wrt, message):
    if message is None:
        with pytest.raises(UsageError):
            implicit(equation, function, wrt, order=4)
        return
    with pytest.raises(SymchainError, match=message):
        implicit(equation, function, wrt)


def test_cli_implicit_formats():
    r = run("x**2 + y**2 = 25", "--implicit", "y", "--wrt", "x")
    assert r.exit_code == 0 and "dy/dx = −x/y" in r.output and "chain rule" in r.output
    data = json.loads(run("x**2 + y**2 = 25", "--implicit", "y", "--format", "json").stdout)
    assert sp.parse_expr(data["result"]) == -sp.Symbol("x") / sp.Symbol("y") and data["verified"]
    for fmt in ("markdown", "latex"):
        assert run("x**2 + y**2 = 25", "--implicit", "y", "--format", fmt).exit_code == 0
    assert run("x**2 + y**2 = 25").exit_code == 2


def test_tangent_exact_and_numeric():
    d = derive("x**3", at="x=2", tangent=True)
    assert d.tangent.fa == 8 and d.tangent.slope == 12 and d.tangent.line == 12 * x - 16
    d = derive("sin(x**2)", at="x=1", tangent=True)
    assert d.tangent.line == sp.expand(sp.sin(1) + 2 * sp.cos(1) * (x - 1))
    r = run("sin(x**2)", "--at", "x=1", "--tangent")
    assert "y ≈ 1.080604612·x − 0.2391336269" in r.output


def test_tangent_errors():
    assert run("x**2", "--tangent").exit_code == 2
    assert run("log(x)", "--at", "x=-1", "--tangent").exit_code == 2
    assert run("x*y", "--wrt", "x", "--at", "x=1", "--tangent").exit_code == 2
    with pytest.raises(UsageError):
        derive("x**2", order=2, at="x=1", tangent=True)


def test_tangent_decimals_at_an_irrational_point():
    r = run("exp(x)", "--at", "x=ln(2)", "--tangent")
    assert "y ≈ 2.0·x + 0.61370563888" in r.output
    assert "y = 0" in run("x abs(x)", "--at", "x=0", "--tangent").output


def test_y_of_x_is_refused_with_implicit():
    with pytest.raises(UsageError, match="write y, not y"):
        implicit("x^2 + y(x)^2 = 1", "y", "x")


# --- implicit curves at a point (issue 12, item 7) ----------------------------------------


def test_implicit_slope_and_tangent_at_a_point_of_the_circle():
    r = implicit("x^2 + y^2 = 25", "y", "x", at="x=3,y=-4", tangent=True)
    assert r.at.exact and r.at.values == (sp.Rational(3, 4),)
    t = r.at.tangent
    assert (t.a, t.b, t.slope) == (3, -4, sp.Rational(3, 4))
    assert t.line == sp.Rational(3, 4) * x - sp.Rational(25, 4)


def test_implicit_at_a_point_in_every_order_is_the_general_answer_put_in():
    r = implicit("x^2 + y^2 = 25", "y", "x", order=2, at={"x": 3, "y": 4})
    assert r.at.values == (sp.Rational(-3, 4), sp.Rational(-25, 64))  # -25/y³ at y = 4


def test_a_vertical_tangent_is_said_not_divided_by_zero():
    r = implicit("x^2 + y^2 = 25", "y", "x", at="x=5,y=0", tangent=True)
    assert r.at.values == (None,) and r.at.tangent.slope is None and r.at.tangent.a == 5
    with pytest.raises(UsageError, match="vertical"):
        implicit("x^2 + y^2 = 25", "y", "x", order=2, at="x=5,y=0")


@pytest.mark.parametrize(
    ("equation", "at", "message"),
    [
        ("x^2 + y^2 = 25", "x=3,y=5", "not on the curve: the left side is 34"),
        ("x^2 + y^2 = 25", "x=3", "also give y"),
        ("x^3 + y^3 = 6xy", "x=0,y=0", "singular"),
        ("x^2 + y^2 = 25", "x=3.0001,y=4", "not on the curve"),
    ],
)
def test_points_that_do_not_define_a_slope_are_refused(equation, at, message):
    with pytest.raises(UsageError, match=message):
        implicit(equation, "y", "x", at=at, tangent=True)


def test_a_decimal_point_on_the_curve_is_accepted_to_12_digits_and_answered_in_decimals():
    r = implicit("x^2 + y^2 = 25", "y", "x", at="x=3,y=4.0000000000001", tangent=True)
    assert not r.at.exact and r.at.values[0].is_Float
    assert abs(float(r.at.values[0]) + 0.75) < 1e-12


def test_cli_implicit_tangent_text_and_json():
    args = ("x^2 + y^2 = 25", "--implicit", "y", "--wrt", "x", "--at", "x=3,y=-4", "--tangent")
    r = run(*args, "--detail", "brief")
    assert r.exit_code == 0, r.output
    assert "at (x, y) = (3, −4), on the curve: 3² + (−4)² = 25" in r.output
    assert "  dy/dx = 3/4\n" in r.output
    assert "  y = 3(x − 3)/4 − 4 = 3x/4 − 25/4\n" in r.output
    data = json.loads(run(*args, "--format", "json").stdout)
    assert data["value"] == "3/4" and data["on_curve"] == "exact"
    assert sp.parse_expr(data["tangent"]["line"]) == sp.parse_expr("3*x/4 - 25/4")
    off = run("x^2 + y^2 = 25", "--implicit", "y", "--at", "x=3,y=5", "--format", "json")
    assert off.exit_code == 2 and json.loads(off.stdout)["error"]["kind"] == "usage"


def test_the_point_put_in_works_out_each_functions_argument():
    """'4²·tan(1/4·π·1) = 16' showed the substitution unevaluated inside tan."""
    from click.testing import CliRunner

    from symchain.cli import main

    out = CliRunner().invoke(main, ["derive", "x^2 tan(pi y/4) = 16", "--implicit", "y",
                                    "--at", "x=4,y=1", "--format", "plain"]).stdout  # fmt: skip
    assert "at (x, y) = (4, 1), on the curve: 4²·tan(π/4) = 16" in out
