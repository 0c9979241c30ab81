"""The `check` command: a thin click command over `symchain.check`.

Loaded by the group when asked for; SymPy and rich come when it runs.

Exit codes: 0 the claim is the derivative (in any form), 1 it is not, or it
could not be decided (or an internal error), 2 bad input or usage.
"""

from __future__ import annotations

from typing import Any

import click

from .env import Environment
from .options import (
    FORMULA_SETTINGS,
    FormulaCommand,
    formats_without,
    log10_option,
    not_an_option,
    output_options,
)
from .run import computed_or_exit, finish

WRITES = formats_without("jsonl")
DEFAULT_TIMEOUT = 10.0

EXAMPLES = """
\b
Examples:
  symchain check "sin(x**2)" "2*x*cos(x**2)"
  symchain check "sin(x**2)" "cos(x**2)"
  symchain check "cos(x)" "-sin(x)"
  symchain check "x^3" "6x" --order 2
  symchain check "x^2 y" "x^2" --wrt y --format json
  symchain check "x^2 + y^2 = 25" "-x/y" --implicit y
  symchain check "x^3" "y = 12x - 16" --at x=2
  symchain check "x^2 + y^2 = 25" "y = 3x/4 - 25/4" --implicit y --at x=3,y=-4
"""


@click.command("check", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", callback=not_an_option)
@click.argument("claimed", callback=not_an_option)
@click.option("--wrt", "wrt", metavar="NAME", help="Variable to differentiate by.")
@click.option(
    "--order",
    type=click.IntRange(1, 20),
    metavar="N",
    default=1,
    show_default=True,
    help="Order of the derivative the claim is for.",
)
@click.option(
    "--implicit",
    "implicit_name",
    metavar="NAME",
    help="FORMULA is an equation (x^2 + y^2 = 25) and CLAIMED is dNAME/dx on its curve "
    "(-x/y, or dy/dx = -x/y).",
)
@click.option(
    "--at",
    "at",
    metavar="NAME=VALUE",
    multiple=True,
    help="CLAIMED is the tangent line there (y = 12x - 16); with --implicit, give the "
    "point of the curve (x=3,y=-4).",
)
@log10_option
@output_options(
    WRITES,
    timeout=DEFAULT_TIMEOUT,
    timeout_help="Seconds allowed for the whole check.",
    detail="How much of the correct derivation to show: brief, normal or full.",
)
def check(
    formula,
    claimed,
    wrt,
    order,
    implicit_name,
    at,
    log10,
    fmt,
    detail,
    timeout,
    no_color,
    debug,
    notation="math",
) -> None:
    """Is CLAIMED the derivative of FORMULA?  With --implicit y, is it dy/dx on the
    curve FORMULA (an equation)?  With --at, is CLAIMED (y = m·x + c) the tangent line?

    Exit 0 when it is (in any form: the two forms are shown equal), 1 when it
    is not (a point where they differ, the common mistake that gives the
    claim if there is one, and the correct derivation), or when it cannot be
    decided either way.
    """
    from ..calculus.claims import check as check_claim

    env = Environment(no_color=no_color, notation=notation)
    fmt = env.format(fmt)
    inputs = [formula, claimed]

    where = list(at) or None

    def judge() -> Any:
        return check_claim(formula, claimed, wrt, order, log10, function=implicit_name, at=where)

    result = computed_or_exit(judge, inputs, env, fmt, timeout, debug)
    env.emit(result, fmt, detail)
    finish(result.correct is True)
