"""The `plot` command: f and f' (and a tangent) in text on a terminal, or as an image."""

from __future__ import annotations

import sys

import click

FORMATS = ("rich", "plain", "markdown", "latex", "json")


@click.command(
    "plot", context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]}
)
@click.argument("formula")
@click.option(
    "--range", "span", default="-5,5", show_default=True, metavar="LOW,HIGH", help="The x range."
)
@click.option("--wrt", metavar="NAME", help="The variable on the horizontal axis.")
@click.option("--at", metavar="NAME=VALUE", help="Also draw the tangent line there.")
@click.option(
    "--output", "-o", metavar="FILE", help="Draw into FILE.png or FILE.svg (needs matplotlib)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: rich on a terminal, plain when piped].",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS"
)
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def plot(formula, span, wrt, at, output, fmt, timeout, no_color, debug) -> None:
    """Plot FORMULA and its derivative (verified step by step) over --range.

    \b
    Examples:
      symchain plot "sin(x**2)" --range -3,3
      symchain plot "x**3 - 3x" --range -2,2 --at x=1
      symchain plot "exp(-x^2)" --output bell.png
    """
    from .app import _Output, computed_or_exit, default_format

    out = _Output(default_format(fmt), "normal", no_color)
    result = computed_or_exit(
        lambda: _make(formula, span, wrt, at, output), formula, out, timeout, debug
    )
    if output:
        click.echo(f"wrote {output}", err=True)
    _show(result, out)
    sys.exit(0 if result.verified else 1)


def _make(formula, span, wrt, at, output):
    from ..calculus.plot import make_plot, parse_range, save_plot
    from ..core.errors import UsageError

    low, high = parse_range(span)
    if output and not output.lower().endswith((".png", ".svg", ".pdf")):
        raise UsageError("--output wants a .png, .svg or .pdf file")
    result = make_plot(formula, low, high, wrt, at)
    if output:
        save_plot(result, output)
    return result


def _show(result, out) -> None:
    from ..render.views.plot import render_plot

    if out.fmt == "rich":
        from ..render.formats.rich import print_lines
        from ..render.views.plot import plot_lines

        print_lines(plot_lines(result), out.console())
        return
    click.echo(render_plot(result, out.fmt), nl=False)
