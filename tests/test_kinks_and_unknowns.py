"""Where |u| and sign(u) leave a derivative undefined, and claims about unknown functions
f, g, h: typed with primes, judged wrong by putting known functions in (issue 12 review,
M1-M3)."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain import check, derive
from symchain.cli.app import main
from symchain.core.errors import ParseError, UsageError
from symchain.core.parse import read

x = sp.Symbol("x", real=True)
f, g = sp.Function("f"), sp.Function("g")


# --- |u| and sign(u) ---------------------------------------------------------------------------


def test_sign_is_flat_on_each_side_not_a_dirac_delta():
    d = derive("abs(x)", order=2)
    assert d.result == 0 and not d.result.has(sp.DiracDelta)
    assert d.undefined_at == (0,) and d.verified


@pytest.mark.parametrize(
    ("formula", "order", "undefined"),
    [
        ("abs(x)", 1, (0,)),
        ("abs(x^2 - 1)", 1, (-1, 1)),
        ("x*abs(x)", 1, ()),  # 2|x| is continuous with equal slopes: f′(0) = 0
        ("x*abs(x)", 2, (0,)),
        ("sign(x - 2)", 1, (2,)),
        ("x^2 + 1", 1, ()),
    ],
)
def test_where_the_derivative_does_not_exist(formula, order, undefined):
    assert derive(formula, order=order).undefined_at == undefined


@pytest.mark.parametrize(
    ("formula", "order", "at", "message"),
    [
        ("abs(x)", 1, 0, "f′(0) does not exist: the slopes of f from the two sides differ "
         "there (≈ -1 from the left, ≈ 1 from the right)"),
        ("abs(x)", 2, 0, "f″(0) does not exist: f′ jumps there (≈ -1 just left of it, ≈ 1 "
         "just right)"),
        ("abs(x^2 - 1)", 1, 1, "f′(1) does not exist: the slopes of f from the two sides "
         "differ there (≈ -2 from the left, ≈ 2 from the right)"),
    ],
)  # fmt: skip
def test_at_such_a_point_the_error_says_why(formula, order, at, message):
    with pytest.raises(UsageError) as err:
        derive(formula, order=order, at={"x": at})
    assert err.value.message == message


def test_where_it_exists_the_value_is_given():
    assert derive("x*abs(x)", at={"x": 0}).value == 0


def test_cli_says_for_x_not_0_and_json_lists_the_points():
    r = CliRunner().invoke(main, ["derive", "abs(x)", "--order", "2", "--format", "plain"])
    assert "d²/dx² |x| = 0, for x ≠ 0\n" in r.output
    js = CliRunner().invoke(main, ["derive", "abs(x^2-1)", "--format", "json"])
    assert json.loads(js.output)["undefined_at"] == ["-1", "1"]


# --- letters glued to a function name ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("xsin x", x * sp.sin(x), "xsin is read as x·sin"),
        ("xln x", x * sp.log(x), "xln is read as x·ln"),
        ("xcos(x)", x * sp.cos(x), "xcos is read as x·cos"),
    ],
)
def test_a_variable_glued_to_a_function_is_a_product_and_noted(text, expected, note):
    r = read(text)
    assert r.expr == expected and note in r.notes


def test_a_longer_name_ending_in_a_function_stays_one_name_with_a_note():
    r = read("axsin x")
    assert sp.Symbol("axsin", real=True) in r.expr.free_symbols
    assert any("axsin is read as one variable" in n for n in r.notes)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("sinxcosx", "did you mean sin(x)·cos(x)?"),
        ("sinx", "did you mean sin(x)?"),
        ("sin2x", "did you mean sin(2x)?"),
    ],
)
def test_names_run_together_get_a_hint_that_reads_them_as_calls(text, hint):
    with pytest.raises(ParseError, match=hint.replace("(", r"\(").replace(")", r"\)")):
        read(text)


# --- primes and unknown functions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f'(x)", sp.Derivative(f(x), x)),
        ("f''(x)", sp.Derivative(f(x), (x, 2))),
        ("f″(x)", sp.Derivative(f(x), (x, 2))),
        ("f′(g(x))·g′(x)", sp.Derivative(f(g(x)), g(x)) * sp.Derivative(g(x), x)),
    ],
)
def test_prime_notation_reads(text, expected):
    assert read(text).expr == expected


def test_f_prime_at_an_expression_is_f_prime_evaluated_there():
    e = read("f'(3x)").expr
    assert isinstance(e, sp.Subs) and e.doit() == sp.diff(f(3 * x), x) / 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f'x", "the derivative of f needs its argument"),
        ("f''''(x)", "at most three primes"),
        ("y'", "strings are not allowed"),
        ("f'(x, y)", "takes one argument"),
    ],
)
def test_prime_misuse_is_refused(text, message):
    with pytest.raises(ParseError, match=message):
        read(text)


def test_what_check_prints_about_unknown_functions_reads_back():
    assert check("f(x)^2", "2f(x)f'(x)").correct is True
    assert check("f(g(x))", "f'(g(x)) g'(x)").correct is True
    assert check("f(3x)", "3f'(3x)").correct is True


@pytest.mark.parametrize(
    ("formula", "claim"),
    [("f(3x)", "f'(3x)"), ("f(g(x))", "f'(g(x))"), ("f(x)^2", "2f(x)"), ("x f(x)", "x f'(x)")],
)
def test_a_wrong_claim_about_unknown_functions_is_found_wrong(formula, claim):
    r = check(formula, claim)
    assert r.correct is False
    assert any("known ones were put in" in n for n in r.notes)


def test_the_forgotten_inner_derivative_of_an_unknown_function_is_named():
    r = check("f(3x)", "f'(3x)")
    assert r.mistake is not None and r.mistake.name == "inner derivative forgotten"


def test_the_unit_step_is_flat_on_each_side_as_sign_is():
    """Heaviside(x) gave DiracDelta(x), sign(x) gave 0 for x ≠ 0: side by side, a course's
    reading is the same for both, the step jumping at 0."""
    from symchain import derive

    for text in ("Heaviside(x)", "sign(x)"):
        d = derive(text)
        assert d.result == 0 and d.verified
        assert [float(k.at) for k in d.kinks] == [0.0]
    assert derive("Heaviside(x^2 - 1)").result == 0
