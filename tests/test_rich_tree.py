"""The terminal's step tree: ├ for a step with siblings after it, └ for the last, the
ancestors' │ only where they go on, and wrapped lines under their own guide."""

from __future__ import annotations

from click.testing import CliRunner

from symchain.cli.app import main
from symchain.render.formats.rich import tree_guides
from symchain.render.layout import Line, Text


def _steps(*depths: int) -> list[Line]:
    return [Line(d, (Text(f"step {i}"),)) for i, d in enumerate(depths)]


def test_the_last_sibling_closes_with_a_corner_and_its_children_drop_the_bar():
    guides = tree_guides(_steps(0, 1, 2, 2, 1, 2))
    assert [guides[i][0] for i in range(6)] == ["", "├ ", "│ ├ ", "│ └ ", "└ ", "  └ "]
    assert guides[3][1] == "│   " and guides[4][1] == "  "  # continuation lines


def test_a_title_between_two_trees_starts_a_new_one():
    lines = [*_steps(0, 1), Line(0, (Text("next"),), kind="title"), *_steps(1, 1)]
    guides = tree_guides(lines)
    assert (guides[1][0], guides[3][0], guides[4][0]) == ("└ ", "├ ", "└ ")


def test_the_terminal_tree_of_a_nested_chain_closes():
    r = CliRunner().invoke(main, ["derive", "sin(cos(7x))", "--format", "rich", "--no-color"])
    lines = r.output.splitlines()
    assert lines[1].startswith("└ chain rule: d/dx sin(cos(7x)), with u = cos(7x)")
    assert lines[6].startswith("  │ └ so du/dx = d/dx cos(7x)")
    assert any(line.startswith("  └ so d/dx sin(cos(7x))") for line in lines)
    assert not any(line.startswith("  ├ so d/dx sin(cos(7x))") for line in lines)


def test_at_fifty_columns_wrapped_lines_keep_their_guides():
    r = CliRunner().invoke(main, ["derive", "cos(sin(x^2 + 1))^4", "--format", "rich",
                                  "--no-color"], env={"COLUMNS": "50"})  # fmt: skip
    lines = r.output.splitlines()
    assert all(len(line) <= 50 for line in lines)
    assert lines[1:3] == ["└ chain rule: d/dx cos⁴(sin(x² + 1)), with u =", "    cos(sin(x² + 1))"]
    assert "  │   with v = sin(x² + 1)" in lines


def test_at_fifty_columns_a_long_sum_is_cut_before_a_term_not_inside_one():
    """3e^(3x + 1) was cut at its own space, "3e^(3x +" / "1)·sin(x²)"."""
    r = CliRunner().invoke(main, ["derive", "sin(x^2)*exp(3x+1)", "--format", "rich",
                                  "--no-color"], env={"COLUMNS": "50"})  # fmt: skip
    lines = r.output.splitlines()
    assert all(len(line) <= 50 for line in lines)
    at = lines.index("    = 2x·cos(x²)·e^(3x + 1)")
    assert lines[at + 1] == "      + 3e^(3x + 1)·sin(x²)"


def test_at_fifty_columns_a_long_rule_wraps_under_its_guide():
    """The matrix rule line fell to column 0: "f′(U) ⊙ dU" under "│   d(AB) = …"."""
    r = CliRunner().invoke(main, ["matrix", "sigma(W*x + b)'*v", "--wrt", "W", "--format",
                                  "rich", "--no-color"], env={"COLUMNS": "50"})  # fmt: skip
    lines = r.output.splitlines()
    assert all(len(line) <= 50 for line in lines)
    at = lines.index("│   d(AB) = dA·B + A·dB; d(Aᵀ) = (dA)ᵀ; d f(U) =")
    assert lines[at + 1] == "│     f′(U) ⊙ dU"
