"""Answers in the book's form, and other forms offered (issue 12, item 6)."""

from __future__ import annotations

import pytest
import sympy as sp

from symchain import derive
from symchain.core.compare import compare
from symchain.core.parse import parse, symbol
from symchain.core.simplify import alternate_forms, tidy

x = symbol("x")


@pytest.mark.parametrize(
    ("formula", "book"),
    [
        ("sin^2(3x) cos x", None),  # no product-to-sum: no cos(2x), cos(4x)
        ("csc x cot x", None),  # csc and cot kept, not 1/sin
        ("sec x tan x", None),
        ("(x^2 + 1)/(x - 1)", "(x**2 - 2*x - 1)/(x - 1)**2"),  # the denominator as it is
    ],
)
def test_the_answer_stays_in_the_exercises_family(formula, book):
    d = derive(formula)
    expr = parse(formula)
    atoms = {(type(f), f.args) for f in d.orders[0].derived.atoms(sp.sin, sp.cos, sp.tan)}
    atoms |= {(type(f), f.args) for f in d.orders[0].derived.atoms(sp.sec, sp.csc, sp.cot)}
    used = {
        (type(f), f.args) for f in d.result.atoms(sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot)
    }
    assert used <= atoms, d.result
    if book is not None:
        assert d.result == sp.parse_expr(book, local_dict={"x": x})
    assert compare(d.result, sp.diff(expr, x)).confirmed


def test_a_far_shorter_new_angle_is_still_taken():
    assert tidy(2 * sp.cos(x) ** 2 - 2 * sp.sin(x) ** 2, x) == 2 * sp.cos(2 * x)


def test_other_forms_are_new_and_equal():
    forms = {name: str(form) for name, form in alternate_forms(18 * x + 6)}
    assert forms == {"factored": "6*(3*x + 1)"}  # 6(3x + 1) would evaluate back to 18x + 6
    quotient = (x**2 - 2 * x - 1) / (x - 1) ** 2
    assert dict(alternate_forms(quotient)) == {"expanded": (x**2 - 2 * x - 1) / (x**2 - 2 * x + 1)}
    assert alternate_forms(x) == ()
    for name, form in alternate_forms(sp.sin(x) ** 3 + sp.sin(x) * sp.cos(x) ** 2):
        assert compare(form, sp.sin(x) ** 3 + sp.sin(x) * sp.cos(x) ** 2).confirmed, name


def test_other_forms_in_plain_output_exactly():
    from click.testing import CliRunner

    from symchain.cli import main

    out = CliRunner().invoke(main, ["derive", "x^3 - 3x", "--detail", "brief"]).output
    assert out.splitlines()[-2:] == [
        "other forms: factored 3(x − 1)·(x + 1)",
        "✓ verified: 4 steps checked against SymPy's diff",
    ]


def test_a_factored_form_is_a_product_and_an_expanded_one_keeps_exponentials_whole():
    """factor() that only regroups a sum is no factoring (worksheet.md printed "factored
    x²·cos(x) + 2x·sin(x) − 3cos(x)"); expanding never splits e^(3x + 1) into e·e³ˣ."""
    import sympy as sp

    from symchain.core.simplify import alternate_forms

    x = sp.Symbol("x", real=True)
    forms = dict(alternate_forms(x**2 * sp.cos(x) + 2 * x * sp.sin(x) - 3 * sp.cos(x)))
    assert "factored" not in forms
    forms = dict(alternate_forms((2 * x * sp.cos(x**2) + 3 * sp.sin(x**2)) * sp.exp(3 * x + 1)))
    assert forms["expanded"].has(sp.exp(3 * x + 1))
    assert dict(alternate_forms(x**2 - 1))["factored"] == (x - 1) * (x + 1)
