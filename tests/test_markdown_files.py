"""Markdown for files: one heading scheme, ```math for display mathematics, and nothing that
GitHub collapses or pandoc's pdflatex cannot set (issue 16, item 6).

A notebook's `_repr_markdown_` keeps `$$...$$`: Jupyter typesets that, not ```math.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

import symchain
from symchain.cli import main
from symchain.render.formats.markdown import demoted, for_files

#: A command of every kind whose Markdown a student or an engineer puts in notes.
COMMANDS = [
    ["derive", "(3x+1)^2"],
    ["derive", "x^2 e^(-x) / (1 + ln(x))", "--detail", "full"],
    ["derive", "sin(x)^2", "--order", "2"],
    ["derive", "x^2+y^2=25", "--implicit", "y"],
    ["derive", "x^x", "--method", "log"],
    ["derive", "x^2", "--let", "x=t^2"],
    ["derive", "x*y", "--let", "x=s*t", "--let", "y=s+t", "--wrt", "s", "--matrix"],
    ["grad", "x^2*y + sin(x*y)"],
    ["jacobian", "r*cos(t)", "r*sin(t)", "--vars", "r,t"],
    ["hessian", "x^3*y^2 + exp(x*y)"],
    ["check", "sin(x^2)", "cos(x^2)"],
    ["worksheet", "--count", "2", "--seed", "1"],
    ["backprop"],
    ["backprop", "--loss", "softmax-ce", "--sizes", "2,3,3"],  # ⊘ in its differentials
    ["matrix", "x'*A*x", "--wrt", "x"],
    ["plot", "sin(x)"],
]

#: What pdflatex sets in text with pandoc's template (T1 fonts, textcomp): the rest of
#: Unicode must be mathematics.
TEXT_SAFE = set("·×±½¹²³—–’‘“”…›é")


def _markdown(argv: list[str]) -> str:
    result = CliRunner().invoke(main, [*argv, "--format", "markdown"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _outside_mathematics(markdown: str) -> str:
    text = re.sub(r"(?s)```math\n.*?```", "", markdown)
    return re.sub(r"\$[^$]+\$", "", text)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_markdown_has_one_heading_scheme_and_no_display_dollars(argv):
    markdown = _markdown(argv)
    headings = re.findall(r"(?m)^(#+) ", markdown)
    assert headings and headings[0] == "##" and markdown.startswith("## "), markdown[:200]
    assert "#" not in {h for h in headings}, "no level-1 heading: the notes' own title is"
    assert headings.count("##") == 1, "one result, one level-2 heading"
    assert "$$" not in markdown, "display mathematics goes in ```math blocks"
    deepest = max((len(m) // 2 for m in re.findall(r"(?m)^( *)- ", markdown)), default=0)
    assert deepest < 4, "LaTeX nests lists 4 deep at most"


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_markdown_has_no_symbol_pdflatex_cannot_set(argv):
    markdown = _markdown(argv)
    strange = {c for c in _outside_mathematics(markdown) if ord(c) > 127} - TEXT_SAFE
    assert not strange, f"outside mathematics: {sorted(strange)}"


def test_display_mathematics_becomes_a_math_block_and_symbols_mathematics():
    given = "## σ′(z)\n\n$$\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}$$\n\n- ∂ℓ/∂y = $y - t$ ✓\n"
    assert for_files(given) == (
        "## $\\sigma'$(z)\n\n```math\n\\begin{pmatrix}1 \\\\ 2\\end{pmatrix}\n```\n\n"
        "- $\\partial\\ell$/$\\partial$y = $y - t$ $\\checkmark$\n"
    )
    assert for_files(for_files(given)) == for_files(given)


def test_a_symbol_against_a_formula_joins_it_rather_than_open_a_display():
    assert for_files("σ$x$ and x̄") == "$\\sigma x$ and $\\bar{x}$"
    assert for_files("1 − σ(z), 2×3") == "1 - $\\sigma$(z), 2×3"


def test_a_run_of_superscripts_is_one_superscript():
    assert for_files("e⁻ˣ and x⁴⁵") == "e$^{-x}$ and x$^{45}$"


def test_code_blocks_are_drawn_in_ascii_and_math_blocks_left_alone():
    given = "```\nf\n└─ x ✓\n```\n```math\n\\sigma ∂\n```"
    assert for_files(given) == "```\nf\n`- x ok\n```\n```math\n\\sigma ∂\n```"


def test_a_nested_result_goes_under_the_heading_it_sits_in():
    assert demoted("## d/dx\n\n### Order 1\ntext # not a heading", 2) == (
        "#### d/dx\n\n##### Order 1\ntext # not a heading"
    )


def test_a_notebook_keeps_dollar_display_mathematics():
    shown = symchain.derive("(3x+1)^2")._repr_markdown_()
    assert "$$" in shown and "```math" not in shown
    assert shown.startswith("## ")


def _pandoc_3() -> str | None:
    found = shutil.which("pandoc")
    if found is None:
        try:
            import pypandoc  # type: ignore[import-not-found]

            found = pypandoc.get_pandoc_path()
        except (ImportError, OSError):
            return None
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    major = re.match(r"pandoc\S* (\d+)", version)
    return found if major and int(major.group(1)) >= 3 else None


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
@pytest.mark.skipif(_pandoc_3() is None, reason="needs pandoc 3 (reads ```math with -f gfm)")
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_pandoc_turns_the_markdown_into_a_pdf(argv, tmp_path):
    source = tmp_path / "notes.md"
    source.write_text(_markdown(argv), encoding="utf-8")
    pandoc = _pandoc_3()
    assert pandoc is not None
    done = subprocess.run(
        [pandoc, "-f", "gfm", str(source), "-o", str(tmp_path / "notes.pdf")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
