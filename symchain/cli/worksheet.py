"""The `worksheet` command: a thin click command over `symchain.worksheet`.

A plain `click.Command`, not attached to the `symchain` group here: `cli.py`
registers it (`main.add_command(worksheet)`).  Only click is imported at
start-up; SymPy, rich and the shared helpers of `cli.py` come when the
command runs.  Exit codes are those of `derive`: 0 every answer verified,
1 some answer not verified (or an internal error), 2 bad input or usage.
"""

from __future__ import annotations

import sys

import click

FORMATS = ("rich", "plain", "markdown", "latex", "json")
DETAILS = ("brief", "normal", "full")
DEFAULT_TIMEOUT = 120.0
MAX_COUNT = 100  # the same as symchain.calculus.worksheet.MAX_COUNT, kept here to import only click
#: --output's extension picks the format when --format is not given.
_BY_EXTENSION = {".md": "markdown", ".tex": "latex", ".json": "json", ".txt": "plain"}
_SETTINGS = {"help_option_names": ["-h", "--help"]}

EXAMPLES = """
\b
Examples:
  symchain worksheet
  symchain worksheet --count 20 --seed 7 --topics chain,product,quotient,trig,exp-log --level 1..3
  symchain worksheet --topics chain --level 2 --format markdown --no-solutions
  symchain worksheet --count 12 --seed 3 --output sheet.tex && pdflatex sheet.tex
\b
Topics: chain, product, quotient, power, trig, exp-log, inverse-trig.
Levels: 1 one rule on a simple inside, 2 two rules combined, 3 three or more.
"""


def _topics(ctx, param, value):
    """--topics as a tuple of names; an unknown one is a usage error (exit 2)."""
    from ..calculus.worksheet import TOPICS, parse_topics
    from ..core.errors import UsageError

    if value is None:
        return TOPICS
    try:
        return parse_topics(value)
    except UsageError as err:
        raise click.BadParameter(err.message) from None


def _level(ctx, param, value):
    """--level as (low, high); '2', '1..3' and '1-3' are accepted."""
    from ..calculus.worksheet import parse_level
    from ..core.errors import UsageError

    try:
        return parse_level(value)
    except UsageError as err:
        raise click.BadParameter(err.message) from None


@click.command("worksheet", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.option(
    "--count",
    type=click.IntRange(1, MAX_COUNT),
    default=10,
    show_default=True,
    metavar="N",
    help=f"Number of exercises, 1 to {MAX_COUNT}.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    metavar="N",
    help="Random seed: the same seed and options give the same sheet.",
)
@click.option(
    "--topics",
    callback=_topics,
    metavar="LIST",
    help="Comma-separated topics, taking turns [default: every topic].",
)
@click.option(
    "--level",
    callback=_level,
    default="1..3",
    show_default=True,
    metavar="RANGE",
    help="A level (2) or a range (1..3); levels rise through the sheet.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: from --output's extension, else rich on a terminal, "
    "plain when piped].",
)
@click.option(
    "--detail",
    type=click.Choice(DETAILS),
    default="normal",
    show_default=True,
    help="How much of each solution to show, as in `derive`.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the sheet to FILE instead of standard output.",
)
@click.option("--no-solutions", is_flag=True, help="Only the exercises and the answer key.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Seconds allowed for the whole sheet.",
)
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def worksheet(
    count, seed, topics, level, fmt, detail, output, no_solutions, timeout, no_color, debug
) -> None:
    """A worksheet of differentiation exercises, with an answer key and full solutions.

    Each exercise is derived by the step engine, so the rules it needs are
    known, and its answer is verified against SymPy's diff.  Exercises take
    the topics in turn and rise from the lowest level to the highest.
    """
    from ..calculus.worksheet import worksheet as make_worksheet
    from .app import _Output, _stdout_is_terminal, computed_or_exit

    if fmt is None and output:
        if _extension(output) not in _BY_EXTENSION:
            known = ", ".join(_BY_EXTENSION)
            raise click.UsageError(f"--output {output}: give --format, or a file ending in {known}")
        fmt = _BY_EXTENSION[_extension(output)]
    fmt = fmt or ("rich" if _stdout_is_terminal() and not output else "plain")
    out = _Output(fmt, detail, no_color)
    sheet = computed_or_exit(
        lambda: make_worksheet(count, seed, topics, level), None, out, timeout, debug
    )
    _write(sheet, out, output, not no_solutions)
    sys.exit(0 if sheet.verified else 1)


def _extension(path: str) -> str:
    dot = path.rfind(".")
    return path[dot:].lower() if dot > path.rfind("/") else ""


def _write(sheet, out, output: str | None, solutions: bool) -> None:
    """The sheet on standard output, or in `output` (rich output to a file is plain text)."""
    from ..render.views.worksheet import print_worksheet_rich, render_worksheet

    if output is None and out.fmt == "rich":
        print_worksheet_rich(sheet, out.console(), solutions, out.detail)
        return
    fmt = "plain" if out.fmt == "rich" else out.fmt
    text = render_worksheet(sheet, fmt, solutions, out.detail)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        click.echo(f"error: cannot write {output}: {err.strerror}", err=True)
        sys.exit(2)
    click.echo(f"wrote {output}: {sheet.count} exercises, {fmt}", err=True)
