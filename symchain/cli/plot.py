"""The `plot` command: f and f' (and a tangent) in text on a terminal, or as an image."""

from __future__ import annotations

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


@click.command("plot", context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", callback=not_an_option)
@click.option(
    "--range", "span", default="-5,5", show_default=True, metavar="LOW,HIGH", help="The x range."
)
@click.option(
    "--ylim",
    metavar="LOW,HIGH",
    help="The y window (default: every value, leaving out the tails near poles).",
)
@click.option("--wrt", metavar="NAME", help="The variable on the horizontal axis.")
@click.option("--at", metavar="NAME=VALUE", help="Also draw the tangent line there.")
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help="Draw into FILE.png, FILE.svg or FILE.pdf (needs matplotlib).",
)
@log10_option
@output_options(
    WRITES, timeout=10.0, timeout_help="Seconds allowed for the whole plot.", detail=None
)
def plot(
    formula, span, ylim, wrt, at, output, log10, fmt, timeout, no_color, debug, notation="math"
) -> None:
    """Plot FORMULA and its derivative (verified step by step) over --range.

    \b
    Examples:
      symchain plot "sin(x**2)" --range -3,3
      symchain plot "x**3 - 3x" --range -2,2 --at x=1
      symchain plot "exp(-x^2)" --output bell.png
      symchain plot "tan(x)" --ylim -5,5 --output tan.png
    """
    env = Environment(no_color=no_color, notation=notation, flags={"tangent": "--at"})
    picture_only = bool(output) and fmt is None  # the image is the answer: no text picture
    fmt = env.format(fmt)
    result = computed_or_exit(
        lambda: _make(formula, span, ylim, wrt, at, output, log10),
        formula,
        env,
        fmt,
        timeout,
        debug,
    )
    if output:
        verdict = "f′ verified" if result.verified else "f′ NOT verified"
        env.note(f"wrote {output} ({verdict})")
    if not picture_only:
        env.emit(result, fmt)
    finish(result.verified)


def _make(formula, span, ylim, wrt, at, output, log10):
    from ..calculus.plot import make_plot, parse_range, parse_ylim
    from ..core.errors import UsageError
    from ..render.views.plot import save_plot_image

    low, high = parse_range(span)
    window = parse_ylim(ylim) if ylim is not None else None
    if output and not output.lower().endswith((".png", ".svg", ".pdf")):
        raise UsageError("--output wants a .png, .svg or .pdf file")
    result = make_plot(formula, low, high, wrt, at, log10, window)
    if output:
        save_plot_image(result, output)
    return result
