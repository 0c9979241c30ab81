"""Piecewise functions: typed as books print them, differentiated piece by piece, and
judged where the pieces meet (issue 12, item 1)."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain import derive
from symchain.cli.app import main
from symchain.core.errors import ParseError, UsageError
from symchain.core.parse import read, symbol
from symchain.core.piecewise import equals_sign
from symchain.render.formats.mathtext import math_text

x = symbol("x")
F = sp.Piecewise((x**2, x <= 1), (2 * x - 1, True))


@pytest.mark.parametrize(
    "text",
    [
        "{x^2 if x <= 1; 2x - 1 if x > 1}",
        "{x^2 if x <= 1; 2x - 1 otherwise}",
        "{x^2 if x ≤ 1, 2x - 1 else}",
        "{x <= 1: x^2, 2x - 1}",  # Desmos
        "  {x^2 if x <= 1; 2x - 1}  ",
    ],
)
def test_the_forms_people_type(text):
    assert read(text).expr == F


def test_chained_conditions_and_textbook_pieces():
    r = read("{sin x if x < 0; x^2 if 0 <= x <= 2; 4 otherwise}").expr
    assert r.subs(x, -1) == sp.sin(-1) and r.subs(x, 1) == 1 and r.subs(x, 3) == 4


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("{x^2; 2x}", "each piece but the last needs a condition", 1),
        ("{x^2 if 1 < 2}", "must depend on a variable", 8),
        ("{x^2 if x <= 1; 2x +}", "ends too early", 20),
        ("{x^2 if x; 2}", "a condition compares", 8),
        ("{x^2 if x <=; 2}", "a formula on each side", 12),
        ("{}", "empty piece", 1),
        ("{x if x < 0; {1 if x < 1; 2}}", "cannot hold another one", 13),
        ("{__import__('os') if x < 0; 1}", "names starting with '_'", 1),
    ],
)
def test_bad_piecewise_input_names_the_column(text, message, column):
    with pytest.raises(ParseError) as info:
        read(text)
    assert message in info.value.message and info.value.position == column


def test_equals_sign_skips_comparisons_and_braces():
    assert equals_sign("x^2 + y^2 = 25") == 10
    assert equals_sign("{x^2 if x <= 1; 2}") is None
    assert equals_sign("x >= 1") is None


def test_each_piece_is_derived_and_verified():
    d = derive("{x^2 if x <= 1; 2x - 1 otherwise}")
    assert d.verified and d.result == sp.Piecewise((2 * x, x <= 1), (2, True))
    assert [s.rule for s in d.orders[0].steps.walk()][0] == "piecewise"


@pytest.mark.parametrize(
    ("text", "continuous", "differentiable"),
    [
        ("{x^2 if x <= 1; 2x - 1 otherwise}", True, True),
        ("{x^2 if x <= 1; 3x - 2 otherwise}", True, False),  # a corner
        ("{x^2 if x < 1; x + 5 otherwise}", False, False),  # a jump
    ],
)
def test_the_join_is_judged(text, continuous, differentiable):
    (join,) = derive(text).joins
    assert join.at == 1
    assert join.continuous is continuous and join.differentiable is differentiable


def test_math_notation_writes_the_syntax_it_reads():
    for text in ("{x^2 if x <= 1; 2x - 1}", "{sin x if x < 0; x^2 if 0 < x <= 2; 4 else}"):
        expr = read(text).expr
        assert read(math_text(expr)).expr == expr
    assert math_text(F) == "{x² if x ≤ 1; 2x − 1 otherwise}"


def test_cli_plain_shows_each_piece_and_the_join_exactly():
    r = CliRunner().invoke(main, ["derive", "{x^2 if x <= 1; 3x - 2 otherwise}"])
    assert r.exit_code == 0, r.output
    assert r.output == (
        "d/dx {x² if x ≤ 1; 3x − 2 otherwise}\n"
        "  piecewise rule: d/dx {x² if x ≤ 1; 3x − 2 otherwise}   each piece differentiated"
        " on its own interval\n"
        "    where x ≤ 1: d/dx x² = 2x    [power rule]\n"
        "    otherwise: d/dx (3x − 2) = 0 + 3 = 3    [sum rule]\n"
        "    so d/dx {x² if x ≤ 1; 3x − 2 otherwise} = {2x if x ≤ 1; 3 otherwise}"
        "    [piecewise rule]\n"
        "\n"
        "d/dx {x² if x ≤ 1; 3x − 2 otherwise} = {2x if x ≤ 1; 3 otherwise}, for x ≠ 1\n"
        "\n"
        "where the pieces meet\n"
        "  at x = 1: x² → 1 from the left, 3x − 2 → 1 from the right, f(1) = 1\n"
        "    continuous; slopes 2 from the left, 3 from the right: not differentiable there\n"
        "  so f′ is the pieces' derivative everywhere but at x = 1, where it does not exist\n"
        "✓ verified: 6 steps checked against SymPy's diff\n"
    )
    data = json.loads(
        CliRunner().invoke(main, ["derive", "{x^2 if x <= 1; 3x - 2}", "--format", "json"]).stdout
    )
    assert data["joins"][0]["differentiable"] is False and data["joins"][0]["at"] == "1"
    assert sp.parse_expr(data["result"]) == sp.parse_expr("Piecewise((2*x, x <= 1), (3, True))")


# --- joins at every order, and the point where a derivative does not exist ---------------------


def test_order_two_looks_at_the_joins_of_f_prime_too():
    d = derive("{x^2 if x <= 1; 2x - 1 otherwise}", order=2)
    assert [(j.order, j.at, j.differentiable) for j in d.joins] == [(0, 1, True), (1, 1, False)]
    assert d.undefined_at == (1,)


def test_a_join_lost_at_order_one_is_not_looked_at_again():
    d = derive("{x if x < 0; x^2 otherwise}", order=2)
    assert [(j.order, j.at) for j in d.joins] == [(0, 0)]
    assert d.undefined_at == (0,)


def test_cli_order_two_names_f_and_f_prime_and_limits_the_answer():
    r = CliRunner().invoke(
        main,
        ["derive", "{x^2 if x <= 1; 2x - 1 otherwise}", "--order", "2", "--format", "plain",
         "--detail", "brief"],
    )  # fmt: skip
    assert r.exit_code == 0
    assert (
        "d²/dx² {x² if x ≤ 1; 2x − 1 otherwise} = {2 if x ≤ 1; 0 otherwise}, for x ≠ 1\n"
        "\n"
        "where the pieces meet\n"
        "  f at x = 1: x² → 1 from the left, 2x − 1 → 1 from the right, f(1) = 1\n"
        "    continuous; slopes 2 from the left, 2 from the right: differentiable, f′(1) = 2\n"
        "  f′ at x = 1: 2x → 2 from the left, 2 → 2 from the right, f′(1) = 2\n"
        "    continuous; slopes 2 from the left, 0 from the right: not differentiable there\n"
        "  so f″ is the pieces' derivative everywhere but at x = 1, where it does not exist\n"
    ) in r.output
    js = CliRunner().invoke(
        main, ["derive", "{x^2 if x <= 1; 2x - 1 otherwise}", "--order", "2", "--format", "json"]
    )
    joins = json.loads(js.output)["joins"]
    assert [(j["order"], j["differentiable"]) for j in joins] == [(0, True), (1, False)]


@pytest.mark.parametrize(
    ("formula", "order", "message"),
    [
        (
            "{x^2 if x < 0; x+1 otherwise}",
            1,
            "f′(0) does not exist: f is not continuous there (it tends to 0 from the left and 1 "
            "from the right, and f(0) = 1)",
        ),
        (
            "{x^2 if x < 0; x otherwise}",
            1,
            "f′(0) does not exist: the slopes of f from the two sides differ there (0 from the "
            "left, 1 from the right)",
        ),
        (
            "{x^2 if x <= 1; 2x - 1 otherwise}",
            2,
            "f″(1) does not exist: the slopes of f′ from the two sides differ there (2 from the "
            "left, 0 from the right)",
        ),
    ],
)
def test_at_a_lost_join_the_error_says_why_exactly(formula, order, message):
    with pytest.raises(UsageError) as err:
        derive(formula, order=order, at={"x": 0 if order == 1 else 1})
    assert err.value.message == message


def test_a_claim_that_differs_only_where_the_derivative_does_not_exist_is_right():
    from symchain import check

    r = check("{x if x<0; x^2 otherwise}", "{1 if x<=0; 2x otherwise}")
    assert r.correct is True
    assert "not at x = 0, where the derivative does not exist" in r.equality.text
    assert check("{x if x<0; x^2 otherwise}", "{1 if x<=0; 3x otherwise}").correct is False


# --- piecewise functions inside formulas, SymPy's spelling, dead pieces ----------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2{x if x<0; x^2 otherwise}", 2 * sp.Piecewise((x, x < 0), (x**2, True))),
        ("{x if x<0; x^2 otherwise} + 1", sp.Piecewise((x, x < 0), (x**2, True)) + 1),
        ("sin({x if x<0; -x otherwise})", sp.sin(sp.Piecewise((x, x < 0), (-x, True)))),
        (
            "{x if x<0; x^2 otherwise} + {x if x < 2; 2 otherwise}",
            sp.Piecewise((x, x < 0), (x**2, True)) + sp.Piecewise((x, x < 2), (2, True)),
        ),
        ("{x^2 sin(1/x) if x != 0; 0 otherwise}",
         sp.Piecewise((x**2 * sp.sin(1 / x), sp.Ne(x, 0)), (0, True))),
    ],
)  # fmt: skip
def test_piecewise_functions_inside_a_formula(text, expected):
    assert read(text).expr == expected


@pytest.mark.parametrize(
    "expr",
    [
        F,
        2 * sp.Piecewise((x, x < 0), (x**2, True)) + 1,
        sp.Piecewise((x**2 * sp.sin(1 / x), sp.Ne(x, 0)), (0, True)),
        sp.Piecewise((-x, x < 0), (x**2, x < 1), (1, True)),
        sp.Piecewise((x, (x < 0) | (x > 1)), (0, True)),
    ],
)
def test_sympys_own_piecewise_syntax_reads_back(expr):
    assert read(sp.sstr(expr)).expr == expr


def test_the_derivative_at_a_join_is_the_limit_of_the_difference_quotient():
    """x² sin(1/x) is differentiable at 0 (f′(0) = 0), though f′ has no limit there."""
    d = derive("{x^2 sin(1/x) if x != 0; 0 otherwise}")
    (j,) = d.joins
    assert j.differentiable and j.left_slope == 0 and d.undefined_at == ()
    (k,) = derive("{x sin(1/x) if x != 0; 0 otherwise}").joins
    assert k.continuous and not k.differentiable


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("{x if x < 1; x^2 if x < 0; 3 otherwise}", "the piece 'x^2 if x < 0' never applies"),
        ("{x if 1 < x < 0; 0 otherwise}", "the piece 'x if 1 < x < 0' never applies"),
        ("{x^2 if x <= 1; 2x if x > 2}", "the function is not defined for x in (1, 2]"),
    ],
)
def test_dead_pieces_and_gaps_are_said(text, note):
    assert any(note in n for n in read(text).notes)


def test_a_dead_pieces_bound_is_not_a_join():
    assert [j.at for j in derive("{x if x < 1; x^2 if x < 0; 3 otherwise}").joins] == [1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{x {y}}", "cannot hold another one"),
        ("x}", "closes nothing"),
        ("{x if x<0; 1", "never closed"),
    ],
)
def test_broken_braces_are_refused_with_their_column(text, message):
    with pytest.raises(ParseError, match=message):
        read(text)
