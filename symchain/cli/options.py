"""The options commands share, each declared once (as sqlite-utils does): --format,
--detail, --notation, --timeout, --no-color and --debug."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..render.formats import DETAILS, FORMATS, NOTATIONS

F = TypeVar("F", bound=Callable[..., Any])

#: click settings every command uses: -h as --help.
SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}
#: ...and for commands whose arguments are formulas: "-sin(x)" is an argument, not an option.
FORMULA_SETTINGS: dict[str, Any] = {**SETTINGS, "ignore_unknown_options": True}

FORMAT_HELP = "Output format [default: rich on a terminal, plain when piped]."
DETAIL_HELP = "brief: rules and answer; normal: trivial steps folded; full: every step."


STDIN_LIMIT = 100_000  # characters of a formula read from stdin ("-")


def _from_stdin(ctx: click.Context, param: click.Parameter) -> str:
    """FORMULA "-": the one formula stdin holds (a blank line or two around it is fine)."""
    if ctx.meta.get("symchain.stdin_read"):
        raise click.BadParameter("stdin is read once: give this one as text", param=param)
    ctx.meta["symchain.stdin_read"] = True
    stream = sys.stdin  # the runner's, in tests (click.get_text_stream is deprecated)
    try:
        text = stream.read(STDIN_LIMIT + 1)
    except (OSError, UnicodeDecodeError) as err:
        raise click.BadParameter(f"cannot read stdin: {err}", param=param) from None
    if len(text) > STDIN_LIMIT:
        raise click.BadParameter(f"stdin holds over {STDIN_LIMIT:,} characters", param=param)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise click.BadParameter("stdin is empty: '-' reads the formula from it", param=param)
    if len(lines) > 1:
        batch = " (for one formula a line: -f -)" if ctx.command.name == "derive" else ""
        raise click.BadParameter(f"stdin holds {len(lines)} lines, not one formula{batch}",
                                 param=param)  # fmt: skip
    return lines[0].strip()


def not_an_option(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A formula argument that looks like a long option (--verbos) is a mistyped option: the
    commands that take formulas let "-sin(x)" through as an argument, but not "--name".
    "-" is the formula on stdin."""
    if isinstance(value, tuple):
        value = tuple(_from_stdin(ctx, param) if v == "-" else v for v in value)
    elif value == "-":
        value = _from_stdin(ctx, param)
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str) and LONG_OPTION.match(text):
            known = [o for p in ctx.command.params for o in p.opts if o.startswith("--")]
            raise _no_such_option(text, known)
    return value


LONG_OPTION = re.compile(r"--[A-Za-z]")


def _no_such_option(text: str, known: Sequence[str]) -> click.NoSuchOption:
    """click's "No such option: --ordr. Did you mean --order?" for `text` (--name[=value])."""
    name = text.split("=", 1)[0]
    return click.NoSuchOption(name, possibilities=difflib.get_close_matches(name, known, n=1))


def _unknown_long_option(command: click.Command, args: Sequence[str], also: Sequence[str]) -> None:
    """--ordr anywhere before a `--` is a mistyped option: click's own "No such option:
    --ordr. Did you mean --order?", not "unexpected extra arguments" (-x^2 stays a formula)."""
    known = [o for p in command.params for o in (*p.opts, *p.secondary_opts)
             if o.startswith("--")]  # fmt: skip
    for text in args:
        if text == "--":
            return
        name = text.split("=", 1)[0]
        if LONG_OPTION.match(text) and name not in known and name not in also:
            raise _no_such_option(text, known)  # --help is known, never a guess


class FormulaCommand(click.Command):
    """A command whose arguments are formulas: "-sin(x)" is an argument, an unknown
    "--name" is a mistyped option wherever it stands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _unknown_long_option(self, args, ctx.help_option_names)
        return super().parse_args(ctx, args)


def formats_without(*left_out: str) -> tuple[str, ...]:
    """The formats a command writes: every format but these."""
    return tuple(f for f in FORMATS if f not in left_out)


def format_option(formats: Sequence[str] = FORMATS, help: str = FORMAT_HELP) -> Callable[[F], F]:
    """--format, as `fmt`: the formats this command can write."""
    return click.option("--format", "fmt", type=click.Choice(list(formats)), help=help)


def detail_option(help: str = DETAIL_HELP) -> Callable[[F], F]:
    """--detail brief|normal|full."""
    return click.option(
        "--detail", type=click.Choice(list(DETAILS)), default="normal", show_default=True, help=help
    )


MAX_TIMEOUT = 86_400.0  # a day: beyond it the alarm's timestamp overflows


class _Seconds(click.FloatRange):
    """A FloatRange that also refuses nan, which compares false with both bounds."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return number


def timeout_option(default: float, help: str) -> Callable[[F], F]:
    """--timeout SECONDS: the whole command's time limit."""
    return click.option(
        "--timeout",
        type=_Seconds(min=0.1, max=MAX_TIMEOUT),
        metavar="SECONDS",
        default=default,
        show_default=True,
        help=help,
    )


def log10_option(command: F) -> F:
    """--log10: log is the logarithm to base 10 (many courses), not ln."""
    return click.option(
        "--log10",
        is_flag=True,
        help="Read log as the logarithm to base 10, as many courses write it (default: ln).",
    )(command)


NOTATION_HELP = (
    "math: x², eˣ, ln, sin⁻¹, |x|, as people write it; sympy: x**2, exp(x), log, asin, "
    "Abs, to paste into Python. JSON is always in SymPy's syntax."
)


def notation_option(command: F) -> F:
    """--notation math|sympy: how plain and terminal output write expressions."""
    return click.option(
        "--notation",
        type=click.Choice(list(NOTATIONS)),
        default="math",
        show_default=True,
        help=NOTATION_HELP,
    )(command)


def no_color_option(command: F) -> F:
    return click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")(
        command
    )


COLOR_KEY = "symchain.color"  # ctx.meta: --color, read by Environment


def _remember_color(ctx: click.Context, param: click.Parameter, value: str) -> str:
    ctx.meta[COLOR_KEY] = value
    return value


def color_option(command: F) -> F:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        expose_value=False,
        callback=_remember_color,
        help="auto: colour on a terminal; always: colour (and the rich format) even when "
        "piped, for less -R; never: as --no-color.",
    )(command)


def debug_option(command: F) -> F:
    return click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(command)


def output_options(
    formats: Sequence[str] = FORMATS,
    *,
    timeout: float,
    timeout_help: str,
    detail: str | None = DETAIL_HELP,
    format_help: str = FORMAT_HELP,
    notation: bool = True,
) -> Callable[[F], F]:
    """--format, --detail (unless detail is None), --notation (unless the output has no
    formulas), --timeout, --no-color, --color and --debug."""

    def apply(command: F) -> F:
        for option in reversed(
            [
                format_option(formats, format_help),
                *([detail_option(detail)] if detail is not None else []),
                *([notation_option] if notation else []),
                timeout_option(timeout, timeout_help),
                no_color_option,
                color_option,
                debug_option,
            ]
        ):
            command = option(command)
        return command

    return apply
