"""The `grad`, `jacobian` and `hessian` commands: thin click commands over `symchain.gradient`,
`symchain.jacobian` and `symchain.hessian`.

Loaded by the group when one of them is asked for; SymPy and rich come when it
runs.  Exit codes are those of `derive`: 0 verified, 1 not verified (or an
internal error), 2 bad input or usage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .env import Environment
from .options import FORMULA_SETTINGS, FormulaCommand, log10_option, not_an_option, output_options
from .run import computed_or_exit, finish

DEFAULT_TIMEOUT = 10.0

EXAMPLES = """
\b
Examples:
  symchain grad "x^2 y + sin(x y)"
  symchain grad "x^2 y z" --vars x,z --detail brief
  symchain jacobian "r cos(t)" "r sin(t)" --vars r,t
  symchain hessian "x^3 y^2 + exp(x y)" --format json
"""


def _common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every partial-derivative command shares, as in `derive`."""
    command = output_options(
        timeout=DEFAULT_TIMEOUT,
        timeout_help="Seconds allowed for the whole command (every entry together).",
        detail="brief: the answer and one line per entry; normal: trivial steps folded; "
        "full: every step.",
    )(command)
    command = log10_option(command)
    return click.option(
        "--vars",
        "variables",
        metavar="NAMES",
        help="Variables to differentiate by, comma-separated (e.g. x,y) "
        "[default: every variable, sorted by name].",
    )(command)


@click.command("grad", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", callback=not_an_option)
@_common_options
def grad(formula, variables, log10, **options: Any) -> None:
    """The gradient of FORMULA: each partial derivative step by step, every step checked.

    Without --vars, every variable of FORMULA is used, sorted by name.
    """
    from ..calculus.partials import gradient

    _run(lambda: gradient(formula, variables, log10), formula, **options)


@click.command("jacobian", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formulas", nargs=-1, required=True, callback=not_an_option)
@_common_options
def jacobian(formulas, variables, log10, **options: Any) -> None:
    """The Jacobian of FORMULAS (one row each), every entry derived step by step.

    Without --vars, every variable of any of the formulas is used, sorted by name.
    """
    from ..calculus.partials import jacobian as jacobian_of

    texts = list(formulas)
    _run(lambda: jacobian_of(texts, variables, log10), texts, **options)


@click.command("hessian", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", callback=not_an_option)
@_common_options
def hessian(formula, variables, log10, **options: Any) -> None:
    """The Hessian of FORMULA: each first partial derived again by each variable.

    The whole matrix is also checked against sympy.hessian, and for symmetry.
    """
    from ..calculus.partials import hessian as hessian_of

    _run(lambda: hessian_of(formula, variables, log10), formula, **options)


def _run(compute: Callable[[], Any], text, fmt, detail, timeout, no_color, debug, notation) -> None:
    """Compute, print in the chosen format, and exit with the code the result earns."""
    env = Environment(no_color=no_color, notation=notation)
    fmt = env.format(fmt)
    result = computed_or_exit(compute, text, env, fmt, timeout, debug)
    env.emit(result, fmt, detail)
    finish(result.verified)
