"""Claims about a curve: an implicit dy/dx, judged on the curve, and a tangent line
(issue 12, item 7)."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.calculus.claims import check_implicit, check_tangent, curve_points
from symchain.cli.app import main
from symchain.core.errors import UsageError
from symchain.core.prose import prose_str

x, y = sp.symbols("x y", real=True)


def run(*args):
    return CliRunner().invoke(main, ["check", *args])


# --- implicit derivatives ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("equation", "claim"),
    [
        ("x^2 + y^2 = 25", "-x/y"),
        ("x^2 + y^2 = 25", "dy/dx = -x/y"),
        ("x^2 + y^2 = 25", "y' = -x/y"),
        ("x^3 + y^3 = 6xy", "(2y - x^2)/(y^2 - 2x)"),  # OpenStax §3.8, the folium
        ("x^2 y + x y^2 = 6", "-(2xy + y^2)/(x^2 + 2xy)"),
        ("sin(x + y) = y^2 cos x", "(-y^2 sin x - cos(x + y))/(cos(x + y) - 2y cos x)"),
    ],
)
def test_right_implicit_claims(equation, claim):
    r = check_implicit(equation, claim)
    assert r.correct is True, r.how


def test_a_claim_equal_only_on_the_curve_is_right_and_says_so():
    # on the curve y² = 25 − x², so −x·y/(25 − x²) = −x·y/y² = −x/y; off it they differ
    r = check_implicit("x^2 + y^2 = 25", "-x y/(25 - x^2)")
    assert r.correct is True and "points of the curve" in r.how


@pytest.mark.parametrize(
    ("claim", "mistake"),
    [
        ("x/y", "the sign is wrong"),
        ("-y/x", "dx/dy"),
        ("-x/y^2", None),
    ],
)
def test_wrong_implicit_claims_name_the_mistake(claim, mistake):
    r = check_implicit("x^2 + y^2 = 25", claim)
    assert r.correct is False and r.point
    assert (r.mistake is None) == (mistake is None)
    if mistake:
        assert mistake in prose_str(r.mistake)
    point = dict(r.point)
    assert abs(float(point[x]) ** 2 + float(point[y]) ** 2 - 25) < 1e-9  # on the curve


def test_a_claim_right_on_one_branch_only_is_wrong_and_says_where_it_holds():
    r = check_implicit("x^2 + y^2 = 25", "-x/sqrt(25 - x^2)")  # the upper half only
    assert r.correct is False and "right on part of the curve only" in r.how
    assert float(dict(r.point)[y]) < 0


def test_curve_points_lie_on_the_curve():
    F = sp.sin(x + y) - y**2 * sp.cos(x)
    points = curve_points(F, x, y)
    assert len(points) >= 6
    assert all(abs(F.subs(p)) < 1e-25 for p in points)


def test_claims_for_another_derivative_or_names_are_refused():
    with pytest.raises(UsageError, match="dx/dy"):
        check_implicit("x^2 + y^2 = 25", "dx/dy = -y/x")
    with pytest.raises(UsageError, match="uses z"):
        check_implicit("x^2 + y^2 = 25", "-x/z")


# --- tangent lines --------------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["y = 12x - 16", "y - 8 = 12(x - 2)", "12x - 16", "y=12*x-16"])
def test_right_tangent_lines_in_any_form(claim):
    assert check_tangent("x^3", claim, "x=2").correct is True


@pytest.mark.parametrize(
    ("claim", "how", "mistake"),
    [
        ("y = 12x", "not through the point", None),
        ("y = 12(x - 2)", "not through the point", "f(a) = 8 was left out"),
        ("y = 12x + 8", "not through the point", "x − a was written x"),
        ("y = -x/12 + 49/6", "wrong slope", "normal line"),
        ("y = 3x^2 (x - 2) + 8", "not a straight line", "f′(x) was used"),
        ("y = 3x + 1", "neither", None),
    ],
)
def test_wrong_tangent_lines_say_what_is_wrong(claim, how, mistake):
    r = check_tangent("x^3", claim, "x=2")
    assert r.correct is False and how in r.how
    if mistake is None:
        assert r.mistake is None
    else:
        assert mistake in prose_str(r.mistake)


def test_a_tangent_line_to_an_implicit_curve():
    r = check_tangent("x^2 + y^2 = 25", "y = 3x/4 - 25/4", "x=3,y=-4", function="y")
    assert r.correct is True
    wrong = check_tangent("x^2 + y^2 = 25", "y = -3x/4 + 9/4 - 4", "x=3,y=-4", function="y")
    assert wrong.correct is False and "wrong slope" in wrong.how


# --- the command ----------------------------------------------------------------------------


def test_cli_implicit_claim_right_and_wrong():
    ok = run("x^2 + y^2 = 25", "-x/y", "--implicit", "y", "--format", "plain")
    assert ok.exit_code == 0
    assert ok.output.splitlines()[0] == "✓ right: −x/y is dy/dx on the curve x² + y² = 25"
    bad = run("x^2 + y^2 = 25", "x/y", "--implicit", "y", "--format", "json")
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data["correct"] is False and data["kind"] == "implicit"
    assert "sign" in data["mistake"] and sp.parse_expr(data["result"]) == sp.parse_expr("-x/y")


def test_cli_tangent_claim():
    ok = run("x^3", "y = 12x - 16", "--at", "x=2", "--format", "plain", "--detail", "brief")
    assert ok.exit_code == 0
    assert ok.output.startswith("✓ right: y = 12x − 16 is the tangent line to y = x³ at x = 2\n")
    bad = run("x^3", "y = 12x", "--at", "x=2", "--format", "plain", "--detail", "brief")
    assert bad.exit_code == 1 and "    the tangent line: y = 12x − 16\n" in bad.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x^3", "y = 12x"), "give the point with --at"),
        (("x^3", "12x", "--at", "x=2", "--order", "2"), "--order above 1"),
        (("x^3", "3x^2", "--at", "x=2"), "--at is for a tangent-line claim"),
        (("x^2 + y^2 = 25", "-x/y"), "add --implicit y"),
        (("x^2 + y^2 = 25", "-x/y", "--implicit", "y", "--at", "x=3,y=5"), "tangent-line"),
        (("x^2 + y^2 = 25", "y = x", "--implicit", "y", "--at", "x=3,y=5"), "not on the curve"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(args, message):
    r = run(*args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


# --- a vertical tangent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "correct", "how"),
    [
        ("x = 5", True, "the same line"),
        ("2x = 10", True, "the same line"),
        ("x = -5", False, "a vertical line, but not through the point"),
        ("y = 5", False, "not a vertical line: the tangent there is vertical"),
    ],
)
def test_a_vertical_tangent_is_judged_as_x_equals_a(claim, correct, how):
    r = check_tangent("x^2 + y^2 = 25", claim, "x=5,y=0", function="y")
    assert (r.correct, r.how, r.vertical) == (correct, how, True)
    assert r.truth == sp.Eq(x, 5)


def test_cli_vertical_tangent_claim_exit_codes():
    args = ("x^2 + y^2 = 25", "--implicit", "y", "--at", "x=5,y=0", "--format", "plain")
    right, wrong = run(args[0], "x = 5", *args[1:]), run(args[0], "y = 0", *args[1:])
    assert right.exit_code == 0 and right.output.startswith(
        "✓ right: x = 5 is the tangent line to the curve x² + y² = 25 at (5, 0)\n"
    )
    assert wrong.exit_code == 1 and "    the tangent line: x = 5\n" in wrong.output


# --- odd roots of negative numbers are real ---------------------------------------------------


def test_the_astroid_point_of_the_textbook_is_on_the_curve_with_its_slope():
    r = check_tangent("x^(2/3) + y^(2/3) = 4", "y = x/sqrt(3) + 4", "x=-3sqrt(3),y=1", function="y")
    assert r.correct is True


def test_an_implicit_claim_with_cube_roots_is_judged_on_both_signs_of_x():
    assert check_implicit("x^(2/3) + y^(2/3) = 4", "-cbrt(y)/cbrt(x)", "y").correct is True
    assert check_implicit("x^(2/3) + y^(2/3) = 4", "cbrt(y)/cbrt(x)", "y").correct is False


def test_errors_write_formulas_in_the_readers_notation_and_json_in_sympys():
    args = ["derive", "x^(2/3) + y^(2/3) = 4", "--implicit", "y", "--at", "x=-3sqrt(3),y=2"]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 2
    assert plain.output == (
        "error: the point x = −3√3, y = 2 is not on the curve: "
        "the left side is 2^(2/3) + 3 there and the right side 4\n"
    )
    sympy_form = CliRunner().invoke(main, [*args, "--notation", "sympy"])
    assert "x = -3*sqrt(3), y = 2" in sympy_form.output
    js = CliRunner().invoke(main, [*args, "--format", "json"])
    message = json.loads(js.stdout)["error"]["message"]
    assert message.startswith("the point x = -3*sqrt(3), y = 2 is not on the curve")
