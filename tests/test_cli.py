"""The command line through click's runner: formats, exit codes, errors, batch."""

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from symchain.cli.app import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(main, list(args), input=input, env=env)

    return invoke


def test_plain_is_the_default_when_piped(run):
    result = run("derive", "sin(x**2)")
    assert result.exit_code == 0
    assert "\x1b" not in result.output
    assert "chain rule: d/dx sin(x²), with u = x²" in result.output
    assert "d/du sin(u) = cos(u)" in result.output
    assert "du/dx = d/dx x² = 2x" in result.output
    assert "d/dx sin(x²) = 2x·cos(x²)" in result.output
    assert "✓ verified" in result.output


def test_seed_example_reads_like_the_seed(run):
    result = run("derive", "(3x+1)^2")
    assert "with u = 3x + 1" in result.output
    assert "2u · 3 = 6u = 6(3x + 1)" in result.output


def test_json_keys_and_parseable_result(run):
    result = run("derive", "sin(x^2)", "--format", "json")
    data = json.loads(result.output)
    for key in ("input", "expression", "variable", "result", "verified", "complete", "steps"):
        assert key in data
    assert data["input"] == "sin(x^2)"
    x = sp.Symbol("x")
    assert sp.parse_expr(data["result"]) == 2 * x * sp.cos(x**2)
    assert set(data["steps"]) >= {"rule", "expression", "result", "substeps"}


def test_markdown_and_latex(run):
    md = run("derive", "x sin(x)", "--format", "markdown").output
    assert "```math" in md and "$$" not in md and "product rule" in md
    tex = run("derive", "x sin(x)", "--format", "latex").output
    assert tex.startswith("\\par\\medskip\\noindent\\textbf{$\\displaystyle \\frac{d}{dx}")
    assert "{\\allowdisplaybreaks\n\\begin{align*}" in tex and "\\tag*{(product rule)}" in tex
    assert tex.rstrip().endswith("verified: 3 steps checked against SymPy's diff\\par")
    assert "✓" not in tex


def test_rich_format_honours_no_color(run):
    result = run("derive", "sin(x)", "--format", "rich", env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and "\x1b[3" not in result.output


@pytest.mark.parametrize("detail", ["brief", "normal", "full"])
def test_detail_levels(run, detail):
    result = run("derive", "3x + x^2 + 1", "--detail", detail)
    assert result.exit_code == 0
    assert "2x + 3" in result.output
    if detail == "full":
        assert "d/dx x = 1" in result.output
    if detail == "brief":
        assert "rules:" in result.output


def test_bad_input_exits_2_with_a_caret(run):
    result = run("derive", "sin(x")
    assert result.exit_code == 2
    assert "never closed" in result.output
    assert "^" in result.output


def test_injection_runs_nothing(run, tmp_path):
    canary = tmp_path / "canary"
    result = run("derive", f"__import__('os').system('touch {canary}')")
    assert result.exit_code == 2
    assert not canary.exists()


def test_several_variables_need_wrt(run):
    result = run("derive", "x*y")
    assert result.exit_code == 2
    assert "x, y" in result.output
    assert run("derive", "x*y", "--wrt", "y").exit_code == 0


def test_bad_wrt_is_a_usage_error(run):
    assert run("derive", "x", "--wrt", "__class__").exit_code == 2


def test_order_and_at(run):
    result = run("derive", "x^3", "--order", "2", "--at", "x=2")
    assert result.exit_code == 0
    assert "Order 2" in result.output and "at x = 2: 12" in result.output


def test_at_outside_the_domain(run):
    result = run("derive", "ln(x)", "--at", "x=0")
    assert result.exit_code == 2 and "undefined" in result.output


def test_formula_and_file_together_is_a_usage_error(run):
    assert run("derive").exit_code == 2


def test_batch_keeps_going_and_reports_bad_lines(run):
    text = "sin(x)\n# a comment\n\nx^^2\r\ncos(2x)\n"
    result = run("derive", "-f", "-", "--format", "jsonl", input=text)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    objects = [json.loads(line) for line in lines]
    assert [o.get("input") for o in objects] == ["sin(x)", "x^^2", "cos(2x)"]
    assert objects[1]["error"]["kind"] == "parse" and objects[1]["line"] == 4
    assert "1 of 3 line(s) failed: 4" in result.output


def test_batch_invalid_utf8(run):
    result = run("derive", "-f", "-", "--format", "jsonl", input=b"x^2\n\xff\xfe\n")
    assert result.exit_code == 2
    assert "UTF-8" in result.output


def test_json_error_object(run):
    result = run("derive", "x +", "--format", "json")
    assert result.exit_code == 2
    start = result.output.index("{")
    data = json.loads(result.output[start:])
    assert data["error"]["kind"] == "parse" and data["error"]["position"] == 3


def test_version_and_help(run):
    assert "symchain, version" in run("--version").output
    help_text = run("derive", "--help").output
    assert "Examples:" in help_text and "--wrt" in help_text


def test_timeout_is_reported(run):
    result = run("derive", "sin(" * 200 + "x" + ")" * 200, "--timeout", "0.1")
    assert result.exit_code == 2
    assert "gave up" in result.output


def test_a_wrt_that_is_not_in_the_formula_is_a_usage_error_not_zero(run):
    """`--wrt X` for x would otherwise answer 0, verified: a typo is not a question."""
    result = run("derive", "x^2*y", "--wrt", "X")
    assert result.exit_code == 2
    assert result.output == "error: X is not in the formula (variables: x, y); did you mean x?\n"
    result = run("check", "x^2*y", "0", "--wrt", "Y")
    assert result.exit_code == 2
    assert result.output == "error: Y is not in the formula (variables: x, y); did you mean y?\n"
    # a formula without the variable otherwise has the derivative 0: a constant, a symbolic
    # constant, an x that cancels
    for formula in ("5", "c", "a*t^2 + b", "x/x + y"):
        result = run("derive", formula, "--wrt", "x", "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["result"] == "0"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["derive", "x^2", "--ordr", "2"], "No such option '--ordr'. Did you mean '--order'?"),
        (["derive", "--ordr", "2", "x^2"], "No such option '--ordr'. Did you mean '--order'?"),
        (["grad", "x^2*y", "--formt", "json"],
         "No such option '--formt'. Did you mean '--format'?"),
        (["plot", "x^2", "--rnge", "1,2"], "No such option '--rnge'. Did you mean '--range'?"),
        (["matrix", "X", "--wrt", "X", "--shap", "X=2x2"],
         "No such option '--shap'. Did you mean '--shape'?"),
    ],
)  # fmt: skip
def test_a_mistyped_option_is_named_wherever_it_stands(argv, message):
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert result.output == f"error: {message[0].lower()}{message[1:]}\n"  # the one line


def test_a_formula_that_starts_with_a_minus_is_still_a_formula():
    result = CliRunner().invoke(main, ["derive", "-x^2", "--order=2", "--format", "plain"])
    assert result.exit_code == 0 and "d²/dx² (−x²) = −2" in result.output.splitlines()


def test_color_always_colours_a_pipe_and_never_does_not():
    always = CliRunner().invoke(main, ["derive", "x^2", "--color", "always"], env={"NO_COLOR": "1"})
    assert always.exit_code == 0 and "\x1b[" in always.output  # rich, coloured, though piped
    never = CliRunner().invoke(main, ["derive", "x^2", "--color", "never", "--format", "rich"])
    assert never.exit_code == 0 and "\x1b[" not in never.output
    auto = CliRunner().invoke(main, ["derive", "x^2"])
    assert auto.output.splitlines()[0] == "d/dx x²"  # piped: plain, as before
    bad = CliRunner().invoke(main, ["derive", "x^2", "--color", "sometimes"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("argv", "stdin", "line"),
    [
        (["derive", "-"], "sin(x^2)\n", "d/dx sin(x²) = 2x·cos(x²)"),
        (["grad", "-"], "x^2*y\n", "  f = x²·y"),
        (["check", "x^2", "-"], "2x\n", "✓ verified: 1 step checked against SymPy's diff"),
        (["matrix", "-", "--wrt", "x"], "\nnorm2(x)^2\n\n",
         "∂f/∂x = 2x    [n×1, the shape of x: denominator layout]"),
    ],
)  # fmt: skip
def test_a_dash_reads_the_formula_from_stdin(argv, stdin, line):
    result = CliRunner().invoke(main, [*argv, "--format", "plain"], input=stdin)
    assert result.exit_code == 0, result.output
    assert line in result.output.splitlines()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["derive", "-"], "", "stdin is empty: '-' reads the formula from it"),
        (["derive", "-"], "x^2\nx^3\n",
         "stdin holds 2 lines, not one formula (for one formula a line: -f -)"),
        (["check", "-", "-"], "x\n", "stdin is read once: give this one as text"),
    ],
)  # fmt: skip
def test_a_dash_with_no_one_formula_on_stdin_is_a_usage_error(argv, stdin, message):
    result = CliRunner().invoke(main, argv, input=stdin)
    assert result.exit_code == 2 and message in result.output


def test_shell_completion_completes_commands_and_options():
    """docs/README.md's completion lines work: click's completion through our main."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("symchain")  # the installed entry point
    if not script.exists():
        pytest.skip("no installed symchain script beside this Python")
    env = {**os.environ, "_SYMCHAIN_COMPLETE": "bash_complete",
           "COMP_WORDS": "symchain derive x --ord", "COMP_CWORD": "3"}  # fmt: skip
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["plain,--order"]


@pytest.mark.parametrize("command", ["grad", "jacobian", "hessian"])
def test_wrt_on_a_command_of_several_variables_points_to_vars(command):
    result = CliRunner().invoke(main, [command, "x^2*y", "--wrt", "x"])
    assert result.exit_code == 2
    assert result.output == (
        "error: no such option '--wrt': name the variables with --vars, like --vars x,y\n"
    )


def test_color_always_colours_a_piped_worksheet_too():
    result = CliRunner().invoke(main, ["worksheet", "--count", "1", "--color", "always"])
    assert result.exit_code == 0 and "\x1b[" in result.stdout


def test_color_always_with_no_color_is_refused():
    result = CliRunner().invoke(main, ["derive", "x^2", "--color", "always", "--no-color"])
    assert result.exit_code == 2
    assert result.stderr == "error: --color always and --no-color ask for opposite things\n"


def test_the_worksheets_again_line_is_one_line_on_a_narrow_terminal():
    """Wrapped at 60 columns, the command to draw the sheet again broke when pasted."""
    result = CliRunner().invoke(main, ["worksheet", "--count", "1", "--color", "always"],
                                env={"COLUMNS": "60"})  # fmt: skip
    again = [line for line in result.stdout.splitlines() if "again: " in line]
    assert len(again) == 1 and again[0].rstrip().endswith("--level 1..3\x1b[0m")


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["derivee", "x"], "error: no such command 'derivee'. Did you mean 'derive'?"),
     (["grad", "x*y", "--vars", "X"], "error: --vars names X, which is not in the formula "
      "(variables: x, y); did you mean x?"),
     (["matrix", "w'*x", "--wrt", "W"], "error: W is not in the formula (variables: w, x); "
      "did you mean w?")],
)  # fmt: skip
def test_a_wrong_case_or_a_typo_gets_the_name_meant(argv, message):
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2 and result.stderr.splitlines()[0] == message
