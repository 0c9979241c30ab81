"""--at off the domain or at a kink, unicode input, batch JSON: regressions from a user trial."""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.calculus.derivation import derive
from symchain.cli.app import main
from symchain.core.errors import ParseError, UsageError
from symchain.core.parse import parse

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize(
    "formula, point, message",
    [
        ("abs(x)", "x=0", "f′(0) does not exist: the slopes of f from the two sides differ"),
        ("abs(x^2-1)", "x=1", "f′(1) does not exist: the slopes of f from the two sides differ"),
        ("abs(sin(x))", "x=pi", "no derivative"),
        ("heaviside(x)", "x=0", "f′(0) does not exist: f jumps there"),
        ("sign(x)", "x=0", "f′(0) does not exist: f jumps there"),
        ("log(x)", "x=-1", "function is undefined"),
        ("asec(sqrt(x))", "x=-2/5", "function is undefined"),
        ("1/x", "x=0", "undefined"),
    ],
)
def test_points_without_a_derivative_are_refused(formula, point, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        derive(formula, at=point)


@pytest.mark.parametrize(
    "formula, point, value",
    [
        ("x*abs(x)", "x=0", 0),
        ("abs(x)**3", "x=0", 0),
        ("abs(x)", "x=2", 1),
        ("log(x)", "x=2", sp.S.Half),
    ],
)
def test_smooth_points_still_have_values(formula, point, value):
    assert derive(formula, at=point).value == value


def test_unknown_function_at_a_point_is_printed_not_evaluated():
    d = derive("f(x) + x**2", at="x=1")
    assert "f'(1)" in str(d)


@pytest.mark.parametrize(
    "formula, expr",
    [
        ("asec(sqrt(x))", sp.asec(sp.sqrt(x))),
        ("acsc(log(x))", sp.acsc(sp.log(x))),
        ("acsch(sqrt(1-x^2))", sp.acsch(sp.sqrt(1 - x**2))),
    ],
)
def test_inverse_secants_of_complex_inner_functions_match_sympy_everywhere(formula, expr):
    d = derive(formula)
    for point in (-0.4, 0.5, 1.3, 2.5):
        got = complex(d.result.subs(x, point).evalf())
        want = complex(sp.diff(expr, x).subs(x, point).evalf())
        assert abs(got - want) < 1e-9
    assert d.verified


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x²³", x**23),
        ("x⁻¹", 1 / x),
        ("√x", sp.sqrt(x)),
        ("2√(x+1)", 2 * sp.sqrt(x + 1)),
        ("θ²", sp.Symbol("theta", real=True) ** 2),
    ],
)
def test_unicode_input(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("sin^x(x)", "asin(x) for its inverse"),
        ("sin^-2 x", "a power of the inverse or of the reciprocal"),
        ("ln^-1 x", "no inverse function"),
        ("sin^2", "sin needs an argument"),
        ("|x + 1", "this '|' is never closed"),
        ("(x|)", "before the '|' opened before it is closed"),
        ("x⁻", "superscript"),
    ],
)
def test_helpful_parse_errors(text, message):
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_repeated_point_name_is_refused():
    with pytest.raises(UsageError, match="twice"):
        derive("x**2", at="x=2, x=3")


def test_batch_json_is_one_array():
    r = CliRunner().invoke(main, ["derive", "-f", "-", "--format", "json"], input="x^2\nbad(\n")
    data = json.loads(r.stdout)
    assert [("error" in item) for item in data] == [False, True]
    assert r.exit_code == 2


def test_value_float_is_null_beyond_float_range():
    r = CliRunner().invoke(main, ["derive", "exp(x)", "--at", "x=1000", "--format", "json"])
    assert json.loads(r.stdout)["value_float"] is None


@pytest.mark.parametrize("at", ["x=", "x = ", "x=1,y="])
def test_a_point_with_no_value_says_so(at):
    """--at x= was "the formula is empty", as if the formula were missing."""
    result = CliRunner().invoke(main, ["derive", "x^2*y", "--wrt", "x", "--at", at])
    assert result.exit_code == 2
    name = at.rstrip("= ").split(",")[-1].strip()
    assert result.stderr == f"error: --at gives {name} no value: write it like x=2\n"
