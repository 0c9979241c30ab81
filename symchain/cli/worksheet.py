"""The `worksheet` command: a thin click command over `symchain.worksheet`.

Loaded by the group when asked for; SymPy and rich come when it runs.  Exit
codes are those of `derive`: 0 every answer verified, 1 some answer not
verified (or an internal error), 2 bad input or usage.
"""

from __future__ import annotations

import click

from ..core.errors import UsageError
from .env import Environment
from .options import SETTINGS, formats_without, output_options
from .run import computed_or_exit, finish, message

WRITES = formats_without("jsonl")
DEFAULT_TIMEOUT = 120.0
MAX_COUNT = 100  # the same as symchain.calculus.worksheet.MAX_COUNT, kept here to import only click
#: --output's extension picks the format when --format is not given.
_BY_EXTENSION = {".md": "markdown", ".tex": "latex", ".json": "json", ".txt": "plain"}

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

    if value is None:
        return TOPICS
    try:
        return parse_topics(value)
    except UsageError as err:
        raise click.BadParameter(message(err)) from None


def _level(ctx, param, value):
    """--level as (low, high); '2', '1..3' and '1-3' are accepted."""
    from ..calculus.worksheet import parse_level

    try:
        return parse_level(value)
    except UsageError as err:
        raise click.BadParameter(message(err)) from None


@click.command("worksheet", epilog=EXAMPLES, context_settings=SETTINGS)
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
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the sheet to FILE instead of standard output.",
)
@click.option("--no-solutions", is_flag=True, help="Only the exercises and the answer key.")
@output_options(
    WRITES,
    timeout=DEFAULT_TIMEOUT,
    timeout_help="Seconds allowed for the whole sheet.",
    detail="How much of each solution to show, as in `derive`.",
    format_help="Output format [default: from --output's extension, else rich on a terminal, "
    "plain when piped].",
)
def worksheet(
    count,
    seed,
    topics,
    level,
    output,
    no_solutions,
    fmt,
    detail,
    timeout,
    no_color,
    debug,
    notation="math",
) -> None:
    """A worksheet of differentiation exercises, with an answer key and full solutions.

    Each exercise is derived by the step engine, so the rules it needs are
    known, and its answer is verified against SymPy's diff.  Exercises take
    the topics in turn and rise from the lowest level to the highest.
    """
    from ..calculus.worksheet import worksheet as make_worksheet

    env = Environment(no_color=no_color, notation=notation)
    if fmt is None and output:
        if _extension(output) not in _BY_EXTENSION:
            known = ", ".join(_BY_EXTENSION)
            raise click.UsageError(f"--output {output}: give --format, or a file ending in {known}")
        fmt = _BY_EXTENSION[_extension(output)]
    fmt = fmt or ("plain" if output else env.format(None))  # --color always: rich, piped too

    def made():  # the file is written inside the guard: its errors are reported as any are
        from .progress import progress

        with progress(env, count, "exercises") as tick:
            sheet = make_worksheet(count, seed, topics, level, progress=tick)
        if output is not None:
            _write(sheet, fmt, detail, output, not no_solutions)
        return sheet

    sheet = computed_or_exit(made, None, env, fmt, timeout, debug)
    if output is None:
        env.emit(sheet, fmt, detail, solutions=not no_solutions)
    else:
        env.note(f"wrote {output}: {sheet.count} exercises, {'plain' if fmt == 'rich' else fmt}")
    finish(sheet.verified)


def _extension(path: str) -> str:
    dot = path.rfind(".")
    return path[dot:].lower() if dot > path.rfind("/") else ""


def _write(sheet, fmt, detail, output: str, solutions: bool) -> None:
    """The sheet in `output`, whole or not at all (rich output to a file is plain text)."""
    from .. import render
    from ..core.files import write_file

    fmt = "plain" if fmt == "rich" else fmt
    write_file(output, render.render(sheet, fmt, detail, solutions=solutions))
