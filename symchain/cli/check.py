"""The `check` command: a thin click command over `symchain.check`.

A plain `click.Command`, not attached to the `symchain` group here; `cli.py`
registers it (`main.add_command(check)`).  As in `cli_partials.py`, only
click is imported at start-up; SymPy, rich and the shared helpers of
`cli.py` come when the command runs.

Exit codes: 0 the claim is the derivative (in any form), 1 it is not, or it
could not be decided (or an internal error), 2 bad input or usage.
"""

from __future__ import annotations

import sys

import click

FORMATS = ("rich", "plain", "markdown", "latex", "json")
DETAILS = ("brief", "normal", "full")
DEFAULT_TIMEOUT = 10.0
# ignore_unknown_options: a claim such as "-sin(x)" is an argument, not an option
_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}

EXAMPLES = """
\b
Examples:
  symchain check "sin(x**2)" "2*x*cos(x**2)"
  symchain check "sin(x**2)" "cos(x**2)"
  symchain check "cos(x)" "-sin(x)"
  symchain check "x^3" "6x" --order 2
  symchain check "x^2 y" "x^2" --wrt y --format json
"""


@click.command("check", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.argument("formula")
@click.argument("claimed")
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
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: rich on a terminal, plain when piped].",
)
@click.option(
    "--detail",
    type=click.Choice(DETAILS),
    default="normal",
    show_default=True,
    help="How much of the correct derivation to show: brief, normal or full.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds allowed for the whole check.",
)
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def check(formula, claimed, wrt, order, fmt, detail, timeout, no_color, debug) -> None:
    """Is CLAIMED the derivative of FORMULA?

    Exit 0 when it is (in any form: the two forms are shown equal), 1 when it
    is not (a point where they differ, the common mistake that gives the
    claim if there is one, and the correct derivation), or when it cannot be
    decided either way.
    """
    from ..calculus.check import check as check_claim
    from .app import _Output, computed_or_exit, default_format

    out = _Output(default_format(fmt), detail, no_color)
    result = computed_or_exit(
        lambda: check_claim(formula, claimed, wrt, order), [formula, claimed], out, timeout, debug
    )
    _show(result, out)
    sys.exit(0 if result.correct is True else 1)


def _show(result, out) -> None:
    if out.fmt == "rich":
        from ..render.views.check import print_check_rich

        print_check_rich(result, out.console(), out.detail)
        return
    from ..render.views.check import render_check

    click.echo(render_check(result, out.fmt, out.detail), nl=False)
