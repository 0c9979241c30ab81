"""The `matrix` command: a thin click command over `symchain.matrix`.

Exit codes as elsewhere: 0 verified, 1 not verified, 2 bad input or usage (a shape
that does not fit included).
"""

from __future__ import annotations

from typing import Any

import click

from .env import Environment
from .options import FORMULA_SETTINGS, FormulaCommand, not_an_option, output_options
from .run import computed_or_exit, finish

EXAMPLES = """
\b
Examples:
  symchain matrix "norm2(X*w - y)^2" --wrt w
  symchain matrix "x'*A*x" --wrt x
  symchain matrix "log(det(X))" --wrt X --values values.json
  symchain matrix "sigma(W*x)" --wrt x --shape W=3x4
"""


@click.command("matrix", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", callback=not_an_option)
@click.option(
    "--wrt", required=True, metavar="NAME", help="The matrix, vector or scalar to differentiate by."
)
@click.option("--shape", "shape_options", multiple=True, metavar="NAME=SHAPE",
              help="A name's shape: W=m×n, W=3x4, x=n (a column vector), lam=scalar. "
                   "[default: a capital is a matrix, a lower-case name a column vector, "
                   "a Greek letter's name (lam, alpha) a scalar]")  # fmt: skip
@click.option("--values", "values_file", metavar="FILE.json",
              help="Values to evaluate the derivative at: a JSON object of name -> number "
                   "or nested list (rows).")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1),
              help="Seed of the random sizes and values of the proof.")  # fmt: skip
@output_options(timeout=10.0, timeout_help="Seconds allowed for the whole command.",
                detail="The steps are the same at every detail.")  # fmt: skip
def matrix(formula, wrt, shape_options, values_file, seed, fmt, detail, timeout, no_color,
           debug, notation) -> None:  # fmt: skip
    """The derivative of a matrix FORMULA by --wrt, by differentials, every quantity's
    shape in brackets, and proved against central differences of FORMULA."""
    from ..core.errors import UsageError
    from ..matrixcalc.derivation import matrix as derive_matrix
    from ..matrixcalc.derivation import read_values

    def compute() -> Any:
        shapes = {}
        for item in shape_options:
            if "=" not in item:
                raise UsageError(f"--shape wants NAME=SHAPE, like W=3x4, not {item!r}")
            name, shape = item.split("=", 1)
            shapes[name.strip()] = shape
        values = read_values(values_file) if values_file else None
        return derive_matrix(formula, wrt, shapes, values, seed)

    env = Environment(no_color=no_color, notation=notation)
    fmt = env.format(fmt)
    result = computed_or_exit(compute, formula, env, fmt, timeout, debug)
    env.emit(result, fmt, detail)
    finish(result.verified)
