"""The public names of the package: the same before and after the layers moved."""

from __future__ import annotations

import pytest

import symchain


def test_public_functions_are_callables():
    for name in ("derive", "check", "gradient", "jacobian", "hessian", "worksheet"):
        assert callable(getattr(symchain, name)), name
    assert symchain.check("x^2", "2x").correct is True
    assert str(symchain.derive("x^2").result) == "2*x"


def test_errors_are_public_and_the_old_module_still_names_them():
    import symchain.errors as old
    from symchain.core import errors

    for name in ("SymchainError", "ParseError", "UsageError", "LimitError"):
        assert getattr(symchain, name) is getattr(errors, name) is getattr(old, name)
    with pytest.raises(symchain.ParseError, match="never closed"):
        symchain.derive("sin(x")


def test_library_errors_name_the_parameter_and_the_cli_the_flag():
    from symchain.cli.run import message

    with pytest.raises(symchain.UsageError) as caught:
        symchain.derive("x*y")
    assert caught.value.message.endswith("choose one with `wrt`")
    assert message(caught.value).endswith("choose one with --wrt")


def test_an_unknown_name_in_backticks_is_left_as_it_is():
    from symchain.cli.run import message

    error = symchain.UsageError("needs Graphviz's `dot` program; see `lets`")
    assert message(error) == "needs Graphviz's `dot` program; see --let"


def _run(*args: str):
    from click.testing import CliRunner

    from symchain.cli import main

    return CliRunner().invoke(main, list(args))


def test_a_mistyped_option_is_not_a_formula():
    result = _run("derive", "--verbos")
    assert result.exit_code == 2
    assert "no such option '--verbos'" in result.stderr and "--verbose" in result.stderr
    assert _run("derive", "-sin(x)", "--format", "plain").exit_code == 0  # a formula still


def test_plot_names_its_own_flag():
    result = _run("plot", "x*y", "--wrt", "x", "--at", "x=1")
    assert result.exit_code == 2
    assert result.stderr == "error: --at needs a value for every variable: also give y\n"


def test_the_nesting_limit_is_the_parsers():
    deep = "sin(" * 201 + "x" + ")" * 201
    with pytest.raises(symchain.ParseError, match="nested more than 200 deep"):
        symchain.derive(deep)
    assert symchain.derive("sin(" * 120 + "x" + ")" * 120).verified


def test_the_api_takes_the_command_lines_limits():
    """timeout= and memory= on derive, check, gradient, ... (issue 14, item 2)."""
    import inspect

    import symchain

    for name in ("derive", "check", "worksheet", "gradient", "jacobian", "hessian"):
        parameters = inspect.signature(getattr(symchain, name)).parameters
        assert parameters["timeout"].default is None and parameters["memory"].default is None
    assert symchain.derive("sin(x^2)", timeout=5, memory=16).verified
    with pytest.raises(symchain.LimitError, match="gave up after 1 s"):
        symchain.derive("x**(10**100)", at={"x": 2}, timeout=1)
    for bad in (float("nan"), 0, -1, 1e300, "5"):
        with pytest.raises(symchain.UsageError, match="`timeout` must be a number of seconds"):
            symchain.derive("x", timeout=bad)
    with pytest.raises(symchain.UsageError, match="`memory` must be a number of GiB"):
        symchain.derive("x", memory=float("inf"))


@pytest.mark.parametrize("at", [[1], 5, (2,), {"x": [1]}])
def test_a_point_of_the_wrong_type_is_a_usage_error(at):
    import symchain

    with pytest.raises(symchain.UsageError, match="`at` wants|a point's value must be"):
        symchain.derive("x^2", at=at)


def test_a_sympy_symbol_as_wrt_is_the_formula_variable_of_that_name():
    """The parser's x is real; Symbol('x') is another symbol, which would give 0."""
    import sympy as sp

    x = sp.Symbol("x")
    assert symchain.derive("x^2", wrt=x).result == 2 * symchain.derive("x").variable
    assert symchain.check("x^2", "0", wrt=x).correct is False
    assert symchain.check("x^2", "2*x", wrt=x).correct is True
    assert symchain.check("x^2", 2 * x, wrt="x").correct is True  # a SymPy claim, too
    assert str(symchain.derive(x**3, wrt=x).result) == "3*x**2"


def test_two_symbols_that_print_alike_are_refused():
    import sympy as sp

    with pytest.raises(symchain.UsageError, match="two different symbols named x"):
        symchain.derive(sp.Symbol("x") ** 2 + sp.Symbol("x", real=True) ** 3, wrt="x")


def test_dir_shows_the_api_before_anything_is_imported():
    import subprocess
    import sys

    code = "import symchain; print(' '.join(dir(symchain)))"
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    shown = names.stdout.split()
    assert {"derive", "gradient", "jacobian", "hessian", "matrix", "check", "gradcheck"} <= set(
        shown
    )


def test_a_result_repr_is_short_and_says_the_answer_and_the_verdict():
    import symchain

    derived = repr(symchain.derive("sin(x^2)"))
    assert derived == "<Derivation d/dx sin(x²) = 2x·cos(x²) (✓ verified)>"
    assert repr(symchain.gradient("x^2*y")) == "<Gradient Gradient of f by (x, y) (✓ verified)>"
    assert repr(symchain.check("x^2", "3x")) == "<CheckResult ✗ not right: 3x is not d/dx x²>"
    assert len(repr(symchain.hessian("x^2*y"))) < 100  # it was a 1.4 kB dataclass dump


def test_derive_takes_let_as_the_command_line_takes_it():
    import symchain

    by_dict = symchain.derive("x**2 + y**2", wrt="t", let={"x": "t**2", "y": "sin(t)"})
    by_text = symchain.derive("x**2 + y**2", wrt="t", let=["x=t**2", "y=sin(t)"])
    assert type(by_dict).__name__ == "ChainDerivation" and by_dict.verified
    assert by_dict.result == by_text.result
    with pytest.raises(symchain.UsageError, match="first derivative only"):
        symchain.derive("x**2", wrt="t", let={"x": "t**2"}, order=2)
