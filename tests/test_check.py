"""`symchain check`: is a claimed derivative right, and which common mistake gives it?"""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner
from test_properties import hostile_strings

import symchain
import symchain.calculus.check  # noqa: F401  (the submodule loaded must not shadow the function)
from symchain.calculus.check import (
    ABS_DROPPED,
    CHAIN,
    COS_SIGN,
    COT_CSC_SIGN,
    EXPONENTIAL_POWER,
    INVERSE_NOT_SUBSTITUTED,
    LN_FORGOTTEN,
    LOG_BASE_FORGOTTEN,
    MISTAKES,
    POWER_NOT_REDUCED,
    PRODUCT,
    QUOTIENT_NO_SQUARE,
    QUOTIENT_OF_DERIVATIVES,
    QUOTIENT_SIGN,
    TAN_SQUARE,
    VARIABLE_POWER_AS_EXPONENTIAL,
    VARIABLE_POWER_AS_POWER,
    _Differentiator,
    check,
)
from symchain.cli.check import check as check_command
from symchain.core.compare import compare
from symchain.core.errors import ParseError, SymchainError, UsageError
from symchain.core.parse import parse, symbol
from symchain.core.prose import prose_str


def run(*args):
    return CliRunner().invoke(check_command, list(args))


# --- each mistake, detected by recomputing it ---------------------------------------------

MISTAKE_CASES = [
    ("sin(x**2)", "cos(x**2)", CHAIN),
    ("ln(x^2 + 1)", "1/(x^2 + 1)", CHAIN),
    ("(3x+1)^5", "5(3x+1)^4", CHAIN),
    ("x*sin(x)", "cos(x)", PRODUCT),
    ("x^2 exp(x)", "2x exp(x)", PRODUCT),
    ("sin(x)/x", "(sin(x) - x*cos(x))/x**2", QUOTIENT_SIGN),
    ("x^2/(x+1)", "(x^2 - 2x(x+1))/(x+1)^2", QUOTIENT_SIGN),
    ("2**x", "x*2**(x-1)", EXPONENTIAL_POWER),
    ("exp(x)", "x*exp(x-1)", EXPONENTIAL_POWER),
    ("sin(x)/x", "(x*cos(x) - sin(x))/x", QUOTIENT_NO_SQUARE),
    ("sin(x)/x", "cos(x)", QUOTIENT_OF_DERIVATIVES),
    ("cos(x)", "sin(x)", COS_SIGN),
    ("x**3", "3*x**3", POWER_NOT_REDUCED),
    ("2**x", "2**x", LN_FORGOTTEN),
    ("x^x", "x x^(x-1)", VARIABLE_POWER_AS_POWER),
    ("x^x", "x^x ln x", VARIABLE_POWER_AS_EXPONENTIAL),
    ("(sin x)^x", "x (sin x)^(x-1) cos x", VARIABLE_POWER_AS_POWER),
    ("tan(3x)", "3 sec(3x)", TAN_SQUARE),
    ("cot x", "csc^2 x", COT_CSC_SIGN),
    ("csc(2x)", "2 csc(2x) cot(2x)", COT_CSC_SIGN),
    ("log_2(x^2 + 1)", "2x/(x^2 + 1)", LOG_BASE_FORGOTTEN),
    ("log(x, 10)", "1/x", LOG_BASE_FORGOTTEN),
    ("tan^-1(x^2)", "2x/(1 + x^2)", INVERSE_NOT_SUBSTITUTED),
    ("sin^-1(3x)", "3/sqrt(1 - x^2)", INVERSE_NOT_SUBSTITUTED),
    ("sec^-1 x", "1/(x sqrt(x^2 - 1))", ABS_DROPPED),
    ("csc^-1(2x)", "-2/(2x sqrt(4x^2 - 1))", ABS_DROPPED),
]


@pytest.mark.parametrize(("formula", "claim", "mistake"), MISTAKE_CASES)
def test_each_mistake_is_named(formula, claim, mistake):
    result = check(formula, claim)
    assert result.correct is False
    assert result.mistake is not None and result.mistake.name == mistake
    assert sp.simplify(result.mistake.mistaken - result.claimed) == 0
    assert result.counterexample is not None


def test_every_mistake_has_a_case():
    assert {m for _, _, m in MISTAKE_CASES} == set(MISTAKES)


def test_inner_derivative_explained():
    m = check("sin(x**2)", "cos(x**2)").mistake
    explanation = prose_str(m.explanation)
    assert "u = x**2" in explanation and "2*x was left out" in explanation
    assert m.at == sp.sin(symbol("x") ** 2) and m.places == 1


def test_mistake_in_a_nested_place():
    # the outer chain done right, the inner one (cos(x**2)) without its 2x
    m = check("sin(cos(x**2))", "-cos(cos(x**2)) sin(x**2)").mistake
    assert m.name == CHAIN and m.at == sp.cos(symbol("x") ** 2)
    # a product inside a chain
    assert check("sin(x exp(x))", "cos(x exp(x)) exp(x)").mistake.name == PRODUCT


def test_mistake_made_everywhere():
    m = check("sin(x^2) + cos(x^3)", "cos(x^2) - sin(x^3)").mistake
    assert m.name == CHAIN and m.places == 2


def test_mistake_in_the_second_order():
    # d/dx (2x cos(x^2)) with cos(x^2)'s inner 2x forgotten
    result = check("sin(x^2)", "2cos(x^2) - 2x sin(x^2)", order=2)
    assert result.correct is False
    assert result.mistake.name == CHAIN and result.mistake.order == 2


def test_wrong_claim_without_a_known_mistake():
    result = check("x**2", "5")
    assert result.correct is False and result.mistake is None
    c = result.counterexample
    assert c.claimed_float == 5.0 and c.true_float == pytest.approx(2 * float(c.point[0][1]))


def test_counterexample_values_are_the_two_sides_there():
    result = check("exp(x) sin(x)", "exp(x) cos(x)")
    c = result.counterexample
    x = symbol("x")
    at = dict(c.point)
    assert c.claimed_float == pytest.approx(float((sp.exp(x) * sp.cos(x)).subs(at)))
    true = sp.diff(sp.exp(x) * sp.sin(x), x).subs(at)
    assert c.true_float == pytest.approx(float(true))
    assert c.claimed_float != pytest.approx(c.true_float)


@pytest.mark.parametrize("claim", ["2x + 1e-20", "2x + 10^-50", "2x (1 + 10^-30)"])
def test_a_claim_off_by_a_tiny_amount_is_wrong(claim):
    result = check("x^2", claim)
    assert result.correct is False
    assert result.counterexample.difference != 0


def test_a_claim_wrong_only_for_negative_x_is_wrong():
    result = check("x*abs(x)", "2x")
    assert result.correct is False
    assert dict(result.counterexample.point)[symbol("x")] < 0


# --- right claims, in any form, are never flagged ------------------------------------------

RIGHT_CASES = [
    ("sin(x**2)", "2*x*cos(x**2)"),
    ("sin(x**2)", "cos(x**2)*x*2"),
    ("sin(x)^2", "2 sin(x) cos(x)"),
    ("sin(x)^2", "sin(2x)"),
    ("tan(x)", "1 + tan(x)^2"),
    ("tan(x)", "1/cos(x)^2"),
    ("cosh(x)^2", "sinh(2x)"),
    ("sin(x)/x", "cos(x)/x - sin(x)/x^2"),
    ("x^x", "x^x (1 + ln(x))"),
    ("ln(x)", "1/abs(x)"),  # equal on ln's domain, x > 0
    ("5", "0"),
]


@pytest.mark.parametrize(("formula", "claim"), RIGHT_CASES)
def test_right_claims_in_other_forms(formula, claim):
    result = check(formula, claim)
    assert result.correct is True, result.notes
    assert result.mistake is None and result.counterexample is None
    assert result.equal_how


def test_how_the_forms_were_shown_equal():
    assert check("sin(x)^2", "sin(2x)").equality.method == "identical"  # the tidied answer
    shown = check("sin(x)^2", "2 sin(x) cos(x)").equality
    assert shown.method == "identical"  # the derived answer, before tidying
    shown = check("tan(x)", "1 + tan(x)^2").equality
    assert shown.method == "rewrite" and shown.common == 1 / sp.cos(symbol("x")) ** 2


def test_the_differentiator_without_a_mistake_is_sympy_diff():
    """So a mistaken derivative differs from the truth by its one wrong rule and nothing else."""
    x = symbol("x")
    for text in (
        "x^2 e^(-x)/(1 + ln(x))",
        "sqrt(1 + x^2)",
        "x^x",
        "sin(x)^cos(x)",
        "10^(x^2)",
        "1/(x sin(x))",
        "abs(x) x",
        "erf(x^2)",
        "cot(x)/csc(x)",
        "log(x, 2)",
        "tan(x^2) cot(x) csc(3x)",
        "atan(x^2) + asec(x) + acsc(2x) + asin(3x)",
        "(sin x)^x",
    ):
        expr = parse(text)
        for mistake in MISTAKES:
            d = _Differentiator(x, mistake, only=-1, taken=set())
            assert compare(d.d(expr), sp.diff(expr, x)).confirmed, (text, mistake)


def test_undecided_is_never_right_or_wrong():
    # f of two arguments is unknown: no point can be evaluated, and no known function put in
    result = check("x*f(x, x)", "f(x, x)")
    assert result.correct is None and result.mistake is None
    out = run("x*f(x, x)", "f(x, x)", "--format", "plain")
    assert out.exit_code == 1 and out.output.startswith("? could not decide")


# --- the command ----------------------------------------------------------------------------


def test_right_exits_0_and_says_so_first():
    out = run("sin(x**2)", "2*x*cos(x**2)", "--format", "plain")
    assert out.exit_code == 0
    assert out.output.splitlines()[0] == "✓ right: 2x·cos(x²) is d/dx sin(x²)"
    assert "chain rule: d/dx sin(x²), with u = x²" in out.output


def test_wrong_exits_1_with_point_mistake_and_derivation():
    out = run("sin(x**2)", "cos(x**2)", "--format", "plain")
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert lines[0] == "✗ not right: cos(x²) is not d/dx sin(x²)"
    assert "they differ at x = 1:" in out.output
    assert "the claim gives      cos(1) ≈ 0.540302305868" in out.output
    assert "the derivative gives 2cos(1) ≈ 1.08060461174" in out.output
    assert "the mistake: inner derivative forgotten" in out.output
    assert "the correct derivation:" in out.output
    assert "d/dx sin(x²) = 2x·cos(x²)" in out.output


def test_a_claim_starting_with_minus():
    assert run("cos(x)", "-sin(x)", "--format", "plain").exit_code == 0


def test_order_and_wrt():
    assert run("x^3", "6x", "--order", "2", "--format", "plain").exit_code == 0
    assert run("x^3", "3x^2", "--order", "2", "--format", "plain").exit_code == 1
    assert run("x^2 y", "x^2", "--wrt", "y", "--format", "plain").exit_code == 0
    assert run("x^2 y", "2 x y", "--wrt", "y", "--format", "plain").exit_code == 1
    assert run("x^2 y", "2 x y", "--wrt", "x", "--format", "plain").exit_code == 0


@pytest.mark.parametrize("fmt", ["rich", "plain", "markdown", "latex", "json"])
def test_every_format(fmt):
    for claim, code in (("2*x*cos(x**2)", 0), ("cos(x**2)", 1)):
        out = run("sin(x**2)", claim, "--format", fmt, "--no-color")
        assert out.exit_code == code, out.output
        assert "\x1b[" not in out.output
        if fmt == "json":
            assert json.loads(out.output)["correct"] is (code == 0)
        elif fmt == "latex":
            assert out.output.startswith("\\par\\noindent ")  # the verdict, a paragraph
            assert "\\begin{align*}" in out.output
        else:
            assert ("right" in out.output.splitlines()[0]) is True


def test_json_keys():
    data = json.loads(run("sin(x**2)", "cos(x**2)", "--format", "json").output)
    assert list(data)[:5] == ["correct", "claimed", "result", "counterexample", "mistake"]
    assert data["correct"] is False
    assert data["claimed"] == "cos(x**2)" and data["result"] == "2*x*cos(x**2)"
    assert data["counterexample"]["x"] == 1.0
    assert data["counterexample"]["claimed"] == pytest.approx(0.5403023058681398)
    assert data["counterexample"]["true"] == pytest.approx(1.0806046117362795)
    assert data["mistake"] == CHAIN
    right = json.loads(run("sin(x**2)", "2x cos(x^2)", "--format", "json").output)
    assert right["correct"] is True
    assert right["counterexample"] is None and right["mistake"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sin(x", "x"), "the formula: this '(' is never closed"),
        (("sin(x)", "cos(x"), "the claim: this '(' is never closed"),
        (("x", ""), "the claim: the formula is empty"),
        (("x^2", "2y"), "the claim uses y, which the formula does not have"),
        (("x^2 y", "2x"), "the formula has several variables (x, y)"),
        (("x^2", "2x", "--wrt", "True"), "is a Python keyword"),
        (("x^2", "2x", "--wrt", "pi"), "is a reserved name"),
        (("x^2", "2x", "--order", "0"), "0 is not in the range"),
    ],
)
def test_bad_input_exits_2(args, message):
    out = run(*args)
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output


def test_bad_input_with_json_gives_an_error_object():
    out = run("x^2", "2y", "--format", "json")
    assert out.exit_code == 2
    data = json.loads(out.stdout)
    assert data["error"]["kind"] == "usage" and data["input"] == ["x^2", "2y"]


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "CANARY"
    yield path
    assert not path.exists(), "hostile text created the canary file"


def test_hostile_text_runs_nothing(canary):
    for text in hostile_strings(canary):
        for args in ((text, "1"), ("x", text)):
            out = run(*args, "--format", "json")
            assert out.exit_code == 2, (text, out.output)
            json.loads(out.stdout)
        with pytest.raises(SymchainError):
            check("x", text)
    assert not canary.exists()


def test_timeout_exits_2():
    out = run("(sin(x)^cos(x))^tan(x)", "0", "--order", "6", "--timeout", "0.3")
    assert out.exit_code == 2 and "gave up after 0.3 s" in out.output


# --- the Python API -------------------------------------------------------------------------


def test_python_api():
    result = check("sin(x^2)", "cos(x^2)")
    assert result.claimed == sp.cos(symbol("x") ** 2)
    assert result.true.result == 2 * symbol("x") * sp.cos(symbol("x") ** 2)
    assert result.to_dict()["mistake"] == CHAIN
    assert str(result).startswith("✗ not right")
    assert result._repr_markdown_().startswith("## ✗ not right: $")  # a notebook has ✗
    assert r"\neq" in result._repr_latex_()
    assert symchain.check("x^2", "2x").correct is True  # the function, though its module is loaded
    assert check(sp.sin(symbol("x")), "cos(x)").correct is True
    with pytest.raises(ParseError):
        check("x", "x +")
    with pytest.raises(UsageError):
        check("x", 3)


@pytest.mark.parametrize(
    "formula, claim",
    [
        ("x^2", "2x + abs(x-4) + x - 4"),  # differs only beyond x = 4
        ("x^2", "2x + Heaviside(x-10)"),
        ("x^2", "2x + abs(x-0.01) + abs(x+0.01) - 2abs(x)"),  # only near 0
        ("exp(x)", "exp(x) + exp(-10000 x^2)"),
        ("x^2", "2x + 10^-50 x"),  # tiny, not constant: 60 digits agree
        ("x^2", "2x*(1+10^-45)"),
        ("exp(x)", "exp(x)*(1+exp(-1000))"),
        ("x^2", "2x + exp(x-150)"),
        ("x^2", "2x + (x/1000)^50"),  # only for large x
        ("x^2", "2x + sin(6*10^6 pi x)^2"),  # zero at every simple point
        ("ln(x-5)", "1/(x+5)"),  # domain beyond [-3, 3]
    ],
)
def test_wrong_claims_that_agree_almost_everywhere_are_still_wrong(formula, claim):
    from symchain.calculus.check import check

    result = check(formula, claim)
    assert result.correct is False, (formula, claim)
    assert result.counterexample is not None


def test_a_quotient_of_derivatives_names_the_quotient_it_was_taken_for():
    """In e^x/(2x) the quotient is eˣ/x, beside ½: the mistake named f = eˣ, g = x and
    f'/g' = eˣ, but not which f/g, so 'that rule gives eˣ/2' did not follow from it."""
    from click.testing import CliRunner

    from symchain.cli import main

    out = CliRunner().invoke(main, ["check", "e^x/(2x)", "e^x/2", "--format", "plain"]).stdout
    assert "(f/g)' was taken as f'/g' = eˣ for eˣ/x, with f = eˣ, g = x;" in out
