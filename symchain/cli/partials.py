"""The `grad`, `jacobian` and `hessian` commands: thin click commands over `symchain.gradient`,
`symchain.jacobian` and `symchain.hessian`.

They are plain `click.Command` objects, not attached to the `symchain` group
here; `cli.py` registers them (`main.add_command(grad)` and so on).  As in
`cli.py`, only click is imported at start-up: SymPy, rich and the shared
helpers of `cli.py` are imported when a command runs (which also keeps
`cli.py` free to import this module).  Exit codes are those of `derive`:
0 verified, 1 not verified (or an internal error), 2 bad input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

FORMATS = ("rich", "plain", "markdown", "latex", "json", "jsonl")
DETAILS = ("brief", "normal", "full")
DEFAULT_TIMEOUT = 10.0
_SETTINGS = {"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}

EXAMPLES = """
\b
Examples:
  symchain grad "x^2 y + sin(x y)"
  symchain grad "x^2 y z" --vars x,z --detail brief
  symchain jacobian "r cos(t)" "r sin(t)" --vars r,t
  symchain hessian "x^3 y^2 + exp(x y)" --format json
"""


def _common_options(command: Callable) -> Callable:
    """The options every partial-derivative command shares, as in `derive`."""
    options = [
        click.option(
            "--vars",
            "variables",
            metavar="NAMES",
            help="Variables to differentiate by, comma-separated (e.g. x,y) "
            "[default: every variable, sorted by name].",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            help="Output format [default: rich on a terminal, plain when piped].",
        ),
        click.option(
            "--detail",
            type=click.Choice(DETAILS),
            default="normal",
            show_default=True,
            help="brief: the answer and one line per entry; normal: trivial steps folded; "
            "full: every step.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            metavar="SECONDS",
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds allowed for the whole command (every entry together).",
        ),
        click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too)."),
        click.option("--debug", is_flag=True, help="Show tracebacks for errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("grad", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.argument("formula")
@_common_options
def grad(formula, variables, fmt, detail, timeout, no_color, debug) -> None:
    """The gradient of FORMULA: each partial derivative step by step, every step checked.

    Without --vars, every variable of FORMULA is used, sorted by name.
    """
    from ..calculus.partials import gradient

    _run(lambda: gradient(formula, variables), formula, fmt, detail, timeout, no_color, debug)


@click.command("jacobian", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.argument("formulas", nargs=-1, required=True)
@_common_options
def jacobian(formulas, variables, fmt, detail, timeout, no_color, debug) -> None:
    """The Jacobian of FORMULAS (one row each), every entry derived step by step.

    Without --vars, every variable of any of the formulas is used, sorted by name.
    """
    from ..calculus.partials import jacobian as jacobian_of

    texts = list(formulas)
    _run(lambda: jacobian_of(texts, variables), texts, fmt, detail, timeout, no_color, debug)


@click.command("hessian", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.argument("formula")
@_common_options
def hessian(formula, variables, fmt, detail, timeout, no_color, debug) -> None:
    """The Hessian of FORMULA: each first partial derived again by each variable.

    The whole matrix is also checked against sympy.hessian, and for symmetry.
    """
    from ..calculus.partials import hessian as hessian_of

    _run(lambda: hessian_of(formula, variables), formula, fmt, detail, timeout, no_color, debug)


def _run(compute: Callable, text, fmt, detail, timeout, no_color, debug) -> None:
    """Compute, print in the chosen format, and exit with the code the result earns."""
    from .app import _Output, computed_or_exit, default_format

    out = _Output(default_format(fmt), detail, no_color)
    result = computed_or_exit(compute, text, out, timeout, debug)
    _show(result, out)
    sys.exit(0 if result.verified else 1)


def _show(result, out) -> None:
    if out.fmt == "rich":
        from ..render.views.partials import print_rich

        print_rich(result, out.console(), out.detail)
        return
    from ..render.views.partials import render_partials

    click.echo(render_partials(result, out.fmt, out.detail), nl=False)
