"""Tables and curves in the laid-out lines: aligned text, pipe tables, booktabs tabulars
and pgfplots figures (issue 16, item 5: backprop's tables and loss curve in LaTeX)."""

from __future__ import annotations

import re

from symchain.render import lines_text
from symchain.render.layout import Bar, Curve, Formula, Number, Table, curve, table, title

CHECK = Table(
    ("param", Formula("|a−b|", r"\lvert a - b \rvert"), ""),
    (("W1", Number(2.5e-17, ".1e"), "✓"), ("b1", Number(0.0, ".1e"), "✗")),
    "lrl",
)
NORMS = Table(
    ("", "", ""), ((Formula("‖g‖ =", r"\lVert g \rVert ="), Number(-0.5, ".3f"), Bar(3)),), "lrl"
)


def test_a_table_in_plain_text_is_aligned_columns():
    assert lines_text([title("T"), table(1, CHECK)], "plain") == (
        "T\n  param    |a−b|\n  W1     2.5e-17  ✓\n  b1     0.0e+00  ✗\n"
    )


def test_a_table_without_headings_has_no_header_row_in_text():
    assert lines_text([table(0, NORMS)], "plain") == "‖g‖ =  -0.500  ███\n"


def test_a_table_in_markdown_is_a_pipe_table_with_numbers_right_aligned():
    assert lines_text([table(1, CHECK)], "markdown") == (
        "| param | $\\lvert a - b \\rvert$ |   |\n"
        "|---|---:|---|\n"
        "| W1 | 2.5e-17 | ✓ |\n"
        "| b1 | 0.0e+00 | ✗ |\n"
    )


def test_a_table_in_latex_is_a_booktabs_tabular_its_numbers_as_powers_of_ten():
    latex = lines_text([table(1, CHECK)], "latex")
    assert latex == (
        "% needs \\usepackage{booktabs}\n"
        "\\begin{center}\n\\begin{tabular}{lrl}\n\\toprule\n"
        "param & $\\lvert a - b \\rvert$ &  \\\\\n\\midrule\n"
        "W1 & $2.5\\times 10^{-17}$ & $\\checkmark$ \\\\\n"
        "b1 & $0$ & $\\times$ \\\\\n"
        "\\bottomrule\n\\end{tabular}\n\\end{center}\n"
    )


def test_a_table_without_headings_needs_no_booktabs_and_draws_bars_as_rules():
    latex = lines_text([table(0, NORMS)], "latex")
    assert "booktabs" not in latex and "\\toprule" not in latex
    assert "$\\lVert g \\rVert =$ & $-0.500$ & \\rule{1.05em}{1ex} \\\\" in latex


def test_a_curve_is_blocks_in_text_and_a_pgfplots_figure_in_latex():
    values = tuple(1.0 / (1 + k) for k in range(1000))
    plain = lines_text([curve(1, Curve(values, "epoch", "loss"))], "plain")
    assert "█" in plain and plain.rstrip().endswith("1000")
    latex = lines_text([curve(1, Curve(values, "epoch", "loss"))], "latex")
    assert latex.startswith("% needs \\usepackage{pgfplots}\n\\begin{figure}")
    points = re.findall(r"\((\d+),([^)]+)\)", latex)
    assert 300 <= len(points) <= 401  # thinned for pgfplots, the last epoch kept
    assert points[0] == ("0", "1") and points[-1] == ("999", "0.001")
    assert "xmax=999" in latex and "\\caption{The loss at each epoch, 1000 in all}" in latex


def test_a_curve_in_markdown_is_a_code_block():
    markdown = lines_text([curve(1, Curve((3.0, 2.0, 1.0), "epoch", "loss"))], "markdown")
    assert markdown.startswith("```\n") and markdown.endswith("```\n")
