"""The exact plain text of `symchain derive`: every rule label a reader sees, to the letter.

Other tests look for pieces of the output ("chain rule: d/dx ..." is written by the layout
itself), so a changed rule label (the "[chain rule]" at the end of a line, the "rules:" of
--detail brief) would pass them.  These would not.
"""

from __future__ import annotations

from click.testing import CliRunner

from symchain.cli import main


def _derive(*args: str) -> str:
    result = CliRunner().invoke(main, ["derive", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_seed_example_exactly():
    assert _derive("(3x+1)^2") == (
        "d/dx (3x + 1)²\n"
        "  chain rule: d/dx (3x + 1)², with u = 3x + 1\n"
        "    d/du u² = 2u    [power rule]\n"
        "    du/dx = d/dx (3x + 1) = 3    [sum rule]\n"
        "    so d/dx (3x + 1)² = 2u · 3 = 6u = 6(3x + 1)    [chain rule]\n"
        "\n"
        "d/dx (3x + 1)² = 18x + 6\n"
        "other forms: factored 6(3x + 1)\n"
        "✓ verified: 6 steps checked against SymPy's diff\n"
    )


def test_the_seed_example_brief_exactly():
    assert _derive("(3x+1)^2", "--detail", "brief") == (
        "d/dx (3x + 1)²\n"
        "  rules: chain rule, power rule, sum rule, constant multiple\n"
        "\n"
        "d/dx (3x + 1)² = 18x + 6\n"
        "other forms: factored 6(3x + 1)\n"
        "✓ verified: 6 steps checked against SymPy's diff\n"
    )


def test_the_labels_of_many_rules_exactly():
    formula = (
        "sin(x^2)*exp(3x)/(1+x^2) + x^x + asin(x) + sinh(x) + atanh(x) + abs(x) + log(x,2)"
        " + sqrt(x) + 5 x^3"
    )
    lines = _derive(formula, "--detail", "brief").splitlines()
    assert lines[1] == (
        "  rules: sum rule, root rule, logarithmic differentiation, constant multiple,"
        " power rule, logarithm base b, quotient rule, product rule, chain rule,"
        " exponential rule, trig rule, absolute value rule, inverse trig rule,"
        " inverse hyperbolic rule, hyperbolic rule"
    )
    assert (
        lines[-1] == "✓ verified: 24 steps checked against SymPy's diff, 1 of them at random points"
    )


def test_a_wrong_chain_step_is_printed_with_its_own_wrong_result():
    """The "so ..." line of a chain rule ends in what the step claims, not in a form the
    printer rebuilt from the parts (which would look right beside a WRONG mark)."""
    from dataclasses import replace

    import sympy as sp

    from symchain.core.engine import build_steps
    from symchain.core.parse import parse, symbol
    from symchain.core.verify import verify_tree
    from symchain.render.formats.plain import plain_lines
    from symchain.render.layout import StepEmitter

    tree = verify_tree(replace(build_steps(parse("(3x+1)^2"), symbol("x")), result=sp.Integer(42)))
    lines: list = []
    StepEmitter(lines, "normal").emit(tree, 0)
    last = plain_lines(lines).splitlines()[-1]
    assert last == (
        "  so d/dx (3x + 1)² = 2u · 3 = 6u = 6(3x + 1) = 42    [chain rule]"
        "  (WRONG: differs from SymPy)"
    )
