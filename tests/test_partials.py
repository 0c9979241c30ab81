"""Gradient, Jacobian and Hessian: the API against SymPy, errors, the CLI, one property."""

import dataclasses
import json
import sys

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from symchain.calculus.partials import Entry, Gradient, gradient
from symchain.calculus.partials import hessian as hessian_of
from symchain.calculus.partials import jacobian as jacobian_of
from symchain.cli.partials import grad, hessian, jacobian
from symchain.core.compare import Verdict
from symchain.core.errors import LimitError, ParseError, UsageError
from symchain.core.parse import symbol
from symchain.core.steps import FAILED, UNCONFIRMED
from symchain.render import render as render_partials

x, y, z, r, t = (symbol(n) for n in "xyzrt")

# derive() raises the recursion limit itself; doing it up front keeps hypothesis from
# warning that the limit changed during a test (as in test_properties.py).
sys.setrecursionlimit(max(sys.getrecursionlimit(), 12_000))


def same(a, b) -> bool:
    return sp.simplify(a - b) == 0


def read(text: str) -> sp.Expr:
    """A JSON string as SymPy, with real symbols as symchain uses."""
    expr = sp.parse_expr(text)
    return expr.xreplace({s: symbol(s.name) for s in expr.free_symbols})


# --- the API against SymPy -------------------------------------------------------------


def test_gradient_equals_sympy():
    f = x**2 * y + sp.sin(x * y)
    g = gradient("x**2*y + sin(x*y)")
    assert g.variables == (x, y)
    assert g.verified and g.complete and g.status == "verified"
    assert same(g["x"], sp.diff(f, x)) and same(g[y], sp.diff(f, y))
    assert g.shape == (2, 1) and g.matrix.shape == (2, 1)
    assert all(e.derivation.steps.substeps for e in g.entries)  # each has a step tree


def test_jacobian_polar_to_cartesian():
    j = jacobian_of(["r*cos(t)", "r*sin(t)"], "r,t")
    expected = sp.Matrix([r * sp.cos(t), r * sp.sin(t)]).jacobian([r, t])
    assert j.verified and j.shape == (2, 2)
    assert (j.matrix - expected).applyfunc(sp.simplify) == sp.zeros(2, 2)
    assert same(j.determinant(), r)


def test_hessian_is_symmetric_and_equals_sympy():
    f = x**3 * y**2 + sp.exp(x * y)
    h = hessian_of("x**3*y**2 + exp(x*y)")
    assert h.verified and h.symmetric and h.gradient.verified
    assert (h.matrix - sp.hessian(f, (x, y))).applyfunc(sp.simplify) == sp.zeros(2, 2)
    assert same(h.matrix[0, 1], h.matrix[1, 0])
    # an entry is the derivative of the tidied gradient entry by the second variable
    entry = next(e for e in h.entries if (e.row, e.column) == (0, 1))
    assert entry.variables == (x, y)
    assert entry.derivation.expression == h.gradient.entries[0].result


def test_vars_order_and_forms():
    assert gradient("x*y*z", "z, x").variables == (z, x)
    assert gradient("x*y*z", ["y"]).variables == (y,)
    assert [v.name for v in gradient("x10 + x2 + x1").variables] == ["x1", "x2", "x10"]
    assert gradient(x * y, [x]).results == (y,)
    plain = sp.Symbol("q")  # a SymPy expression keeps its own symbols
    assert gradient(plain**2).results == (2 * plain,)


def test_jacobian_var_absent_from_one_row_is_a_zero_entry():
    j = jacobian_of(["x*y", "x"], "x,y")
    assert j.matrix == sp.Matrix([[y, x], [1, 0]])
    assert j.verified


def test_jacobian_defaults_to_all_variables_of_all_rows():
    assert jacobian_of(["x", "z*y"]).variables == (x, y, z)


def test_a_failed_entry_check_is_not_verified():
    g = gradient("x*y")
    wrong = Entry(0, 0, (x,), g.entries[0].derivation, Verdict(FAILED))
    bad = Gradient(g.input, g.expression, g.variables, (wrong, g.entries[1]))
    assert not bad.verified and bad.status == "failed"
    assert "✗ NOT verified: ∂f/∂x differs from SymPy" in str(bad)


def test_an_asymmetric_hessian_is_not_verified():
    h = hessian_of("x**2*y")
    assert h.verified
    bad = dataclasses.replace(h, symmetry=(Verdict(FAILED),))
    assert not bad.verified and not bad.symmetric and bad.status == "failed"
    assert "∂²f/∂y∂x and ∂²f/∂x∂y differ" in str(bad)
    unsure = dataclasses.replace(h, symmetry=(Verdict(UNCONFIRMED),))
    assert unsure.status == "unconfirmed" and unsure.to_dict()["verified"] is False


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gradient("x*y", "x,z"), UsageError, "z, which is not in the formula (var"),
        (lambda: hessian_of("x*y", ["w"]), UsageError, "not in the formula"),
        (lambda: gradient("x", ""), UsageError, "empty"),
        (lambda: gradient("x", []), UsageError, "empty"),
        (lambda: gradient("x*y", "x,,y"), UsageError, "empty name"),
        (lambda: gradient("x*y", "x,y,x"), UsageError, "x more than once"),
        (lambda: gradient("x", "2z"), UsageError, "not a plain name"),
        (lambda: gradient("x", "x y"), UsageError, "not a plain name"),
        (lambda: gradient("5"), UsageError, "no variables"),
        (lambda: gradient("sin("), ParseError, "never closed"),
        (lambda: jacobian_of(["x", "y"], "z"), UsageError, "not in any of the formulas"),
        (lambda: jacobian_of([]), UsageError, "at least one formula"),
        (lambda: jacobian_of(["x", "sin("]), ParseError, "formula 2"),
        (lambda: jacobian_of(["x"] * 21), LimitError, "limit is 20"),
        (lambda: gradient("+".join(f"a{i}" for i in range(21))), LimitError, "limit is 20"),
        (lambda: gradient(3), UsageError, "text or a SymPy expression"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in info.value.message


# --- rendering -------------------------------------------------------------------------


def test_formats_name_the_entries_and_the_shape():
    j = jacobian_of(["r*cos(t)", "r*sin(t)"], "r,t")
    plain = render_partials(j, "plain")
    assert "J [2×2] =" in plain and "── ∂f1/∂r ──" in plain and "d/dt (r·sin(t))" in plain
    brief = render_partials(j, "plain", "brief")
    assert "∂f2/∂t = r·cos(t)" in brief and "d/dt" not in brief
    assert r"\begin{pmatrix}" in render_partials(j, "markdown")
    latex = render_partials(j, "latex")
    assert r"\begin{align*}" in latex and r"\frac{\partial f_{1}}{\partial r}" in latex
    assert j._repr_latex_().startswith("$$J = ") and "\\checkmark" in j._repr_latex_()
    h = render_partials(hessian_of("x**2*y"), "plain")
    assert "── ∂f/∂x ──" in h and "── ∂²f/∂y∂x = ∂/∂y ∂f/∂x ──" in h and "symmetric" in h


# --- the CLI ---------------------------------------------------------------------------


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(command, *args):
        return runner.invoke(command, list(args))

    return invoke


def test_cli_grad_plain(run):
    result = run(grad, "x^2 y + sin(x y)")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "── ∂f/∂x ──" in result.output and "∇f [2×1] =" in result.output
    assert "✓ verified" in result.output


def test_cli_grad_json_reads_back(run):
    result = run(grad, "x^2 y + sin(x y)", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    f = read(data["expression"])
    assert data["variables"] == ["x", "y"] and data["verified"] is True
    for name, text in data["gradient"].items():
        assert same(read(text), sp.diff(f, symbol(name)))
    for entry in data["entries"]:
        assert same(read(entry["result"]), read(data["gradient"][entry["variable"]]))
        assert same(read(entry["steps"]["result"]), read(entry["result"]))
        assert entry["verified"] is True and entry["steps"]["substeps"]


def test_cli_jacobian_json(run):
    result = run(jacobian, "r cos(t)", "r sin(t)", "--vars", "r,t", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["input"] == ["r cos(t)", "r sin(t)"] and data["shape"] == [2, 2]
    matrix = sp.Matrix([[read(s) for s in row] for row in data["jacobian"]])
    assert same(matrix.det(), r)
    assert [(e["row"], e["column"], e["variable"]) for e in data["entries"]][1] == (0, 1, "t")


def test_cli_hessian_json(run):
    result = run(hessian, "x^3 y^2 + exp(x y)", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["symmetric"] is True and data["verified"] is True
    f = read(data["expression"])
    matrix = sp.Matrix([[read(s) for s in row] for row in data["hessian"]])
    assert (matrix - sp.hessian(f, (x, y))).applyfunc(sp.simplify) == sp.zeros(2, 2)
    assert data["entries"][1]["variables"] == ["x", "y"]


@pytest.mark.parametrize("fmt", ["markdown", "latex", "rich"])
def test_cli_other_formats(run, fmt):
    result = run(hessian, "x^2 y", "--format", fmt, "--no-color")
    assert result.exit_code == 0 and "\x1b" not in result.output


def test_cli_formula_starting_with_minus(run):
    result = run(grad, "-x^2 y", "--detail", "brief")
    assert result.exit_code == 0 and "−2x·y" in result.output


def test_cli_bad_input_exit_2(run):
    result = run(grad, "x y", "--vars", "x,z")
    assert result.exit_code == 2
    assert "error: --vars names z" in result.output  # CliRunner mixes stderr in
    assert "Traceback" not in result.output


def test_cli_bad_input_json_error_object(run):
    result = run(jacobian, "sin(", "x", "--format", "json")
    assert result.exit_code == 2
    start = result.output.index("{")
    data = json.loads(result.output[start:])
    assert data["input"] == ["sin(", "x"]
    assert data["error"] == {
        "kind": "parse",
        "message": "formula 1: this '(' is never closed",
        "position": 3,
        "text": "sin(",  # the input the column counts in
    }


def test_cli_debug_raises(run):
    result = run(grad, "x y", "--vars", "q", "--debug")
    assert isinstance(result.exception, UsageError)


# --- a property --------------------------------------------------------------------------

_atoms = st.sampled_from([x, y, sp.Integer(2), sp.Integer(-3), sp.Rational(1, 2)])


def _combine(children):
    unary = st.sampled_from([sp.sin, sp.cos, sp.exp, lambda e: e**2, lambda e: e**3])
    return st.one_of(
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda f, a: f(a), unary, children),
    )


_formulas = st.recursive(_atoms, _combine, max_leaves=6)


@settings(deadline=None, max_examples=30)
@given(_formulas)
def test_gradient_matches_sympy_diff(f):
    if not f.free_symbols:
        with pytest.raises(UsageError):
            gradient(f)
        return
    g = gradient(f)
    assert g.verified
    for e in g.entries:
        assert same(e.result, sp.diff(f, e.variables[0]))


def test_a_symmetric_hessian_writes_both_mixed_partials_in_one_form():
    """∂²f/∂y∂x and ∂²f/∂x∂y come out of their derivations in different forms; proved
    equal, both are shown in the shorter (issue 16: two forms under "H is symmetric")."""
    h = hessian_of("x^3*y^2 + exp(x*y) + sin(x*y^2)")
    assert h.symmetric
    (upper,) = [e for e in h.entries if (e.row, e.column) == (0, 1)]
    (lower,) = [e for e in h.entries if (e.row, e.column) == (1, 0)]
    assert upper.derivation.result != lower.derivation.result  # the derivations' own forms
    assert upper.result == lower.result == h.matrix[0, 1] == h.matrix[1, 0]
    assert sp.count_ops(upper.result) <= min(
        sp.count_ops(upper.derivation.result), sp.count_ops(lower.derivation.result)
    )


@pytest.mark.parametrize(("columns", "drawn"), [("80", False), ("200", True)])
def test_a_matrix_is_drawn_only_where_its_brackets_fit_the_terminal(columns, drawn):
    formula = "x^3 y^2 + exp(x y) + x^2 sin(y)"  # a matrix about 90 columns wide
    rich = CliRunner().invoke(hessian, [formula, "--format", "rich", "--color", "never"],
                              env={"COLUMNS": columns})  # fmt: skip
    assert rich.exit_code == 0, rich.output
    assert ("⎛" in rich.output) == drawn
    assert ("too wide to draw; by entry:" in rich.output) != drawn
    assert all(len(line) <= int(columns) for line in rich.output.splitlines() if "⎛" in line)


def test_piped_text_draws_a_matrix_only_within_80_columns():
    plain = CliRunner().invoke(hessian, ["x^3 y^2 + exp(x y) + x^2 sin(y)", "--format", "plain"])
    assert "too wide to draw; by entry:" in plain.output
    narrow = CliRunner().invoke(hessian, ["x^2 y^2", "--format", "plain"]).output
    grid = [line for line in narrow.splitlines() if line.lstrip().startswith(("⎛", "⎝"))]
    assert grid and all(len(line) <= 80 for line in grid)


def test_a_jacobian_typed_as_one_comma_list_is_told_to_give_the_rows_apart():
    from click.testing import CliRunner

    from symchain.cli import main

    result = CliRunner().invoke(main, ["jacobian", "x*y, x+y, sin(x)"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        'error: formula 1: one formula per argument: give the rows apart, like jacobian "x*y" "x+y"'
    )


def test_a_heading_brackets_only_lists():
    from symchain import gradient, jacobian

    assert str(gradient("x^2")).splitlines()[0] == "Gradient of f by x"
    assert str(jacobian(["x*y"])).splitlines()[0] == "Jacobian of f1 by (x, y)"
    assert str(jacobian(["x*y", "x+y"])).splitlines()[0] == "Jacobian of (f1, f2) by (x, y)"
