"""The environment a command runs in: its streams, whether they are terminals, colour.

One object holds what the command line depends on outside its arguments
(as httpie's Environment does), so that a test can fake a terminal and the
commands never ask `sys` themselves.  It also emits: a finished result in
the chosen format (through render's views), or an error.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import click

from ..render.formats import Detail, Format, Notation

if TYPE_CHECKING:
    from rich.console import Console

    from ..core.errors import SymchainError


class OutputFailed(BaseException):  # noqa: N818 - a state: the command cannot go on
    """stdout cannot be written (a full disk, /dev/full): no later result nor error object
    can reach it either, so the command ends (app.main says why on stderr, exit 2)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextlib.contextmanager
def _written() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:  # the reader went away: app.main ends quietly
        raise
    except OSError as err:
        raise OutputFailed(err.strerror or str(err)) from None


def _color_asked() -> str:
    """--color of the command being run (auto outside one, as in the library)."""
    import click

    from .options import COLOR_KEY

    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get(COLOR_KEY, "auto")) if ctx is not None else "auto"


@dataclass
class Environment:
    """Streams, terminal detection and colour for one run of a command."""

    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    no_color: bool = False
    #: how plain and terminal output write expressions: x²·eˣ, or x**2*exp(x)
    notation: Notation = "math"
    #: library parameters this command sets by another flag than --name (plot: tangent=--at)
    flags: dict[str, str] = field(default_factory=dict)
    _console: Console | None = field(default=None, repr=False)
    #: time.monotonic() by which the command must be done (set by run.computed_or_exit):
    #: writing the answer counts too
    deadline: float | None = None

    #: in a batch: each note given so far, and how many times it was not given again
    repeated: dict[str, int] | None = None

    #: --color: auto (colour on a terminal), always (even when piped) or never
    color: str = field(default_factory=lambda: _color_asked())

    def __post_init__(self) -> None:
        if self.color == "always" and self.no_color:
            raise click.UsageError("--color always and --no-color ask for opposite things")
        if self.color == "always":  # the flag is asked for now: it wins over NO_COLOR
            self.no_color = False
        else:
            self.no_color = self.no_color or self.color == "never" or "NO_COLOR" in os.environ

    @property
    def stdout_isatty(self) -> bool:
        return self.stdout.isatty() and os.environ.get("TERM") != "dumb"

    @property
    def stdin_isatty(self) -> bool:
        return self.stdin.isatty()

    @property
    def stderr_isatty(self) -> bool:
        return self.stderr.isatty()

    def format(self, fmt: Format | None) -> Format:
        """rich on a terminal, plain when piped, unless --format says otherwise."""
        return fmt or ("rich" if self.stdout_isatty or self.color == "always" else "plain")

    def console(self) -> Console:
        """The rich console for stdout (made once, when first drawn on)."""
        if self._console is None:
            from rich.console import Console

            forced = True if self.color == "always" else None
            self._console = Console(no_color=self.no_color, highlight=False, force_terminal=forced)
        return self._console

    def emit(self, result: object, fmt: Format, detail: Detail = "normal", **options: Any) -> None:
        """A finished result on stdout, in `fmt`, by its view."""
        from .. import render

        for warning in render.find_view(result).warnings(result):
            self.note(f"note: {warning}")
        with self._in_time():  # the whole text is made first: never half-written
            if fmt == "rich":
                console = self.console()
                with _written(), console.capture() as captured:  # rich flushes on leaving
                    render.print_rich(result, console, detail, notation=self.notation, **options)
                text = captured.get()
            else:
                text = render.render(result, fmt, detail, notation=self.notation, **options)
        if fmt == "rich":  # its colour codes as rich chose them (click.echo would strip them)
            with _written():
                self.console().file.write(text)
                self.console().file.flush()
        else:
            self.echo(text, nl=False)

    @contextlib.contextmanager
    def _in_time(self) -> Iterator[None]:
        """The block within what is left of the command's time limit (at least half a
        second); running out is the command's time-out, reported as any error is."""
        if self.deadline is None:
            yield
            return
        from ..core.budget import time_limit
        from ..core.errors import LimitError

        left = max(self.deadline - time.monotonic(), 0.5)
        try:
            with time_limit(left):
                yield
        except LimitError:
            raise LimitError("gave up writing the answer out within the time limit "
                             "(--timeout): ask for less (--detail brief, a lower --order)"
                             ) from None  # fmt: skip

    def write(self, text: str) -> None:
        """Text on stdout as it is, colour codes kept (a batch worker's printed record)."""
        with _written():
            self.stdout.write(text)
            self.stdout.flush()

    def echo(self, text: str, nl: bool = True) -> None:
        with _written():
            click.echo(text, nl=nl)

    def note(self, text: str) -> None:
        """A message for the person, on stderr (above the progress bar, while one is drawn).

        In a batch (`repeated` set) a note already given ("note: log is read as ln") is
        counted, not given again: a thousand lines would otherwise repeat it a thousand
        times.  Errors are always given.
        """
        if self.repeated is not None and text.startswith("note: "):
            if text in self.repeated:
                self.repeated[text] += 1
                return
            self.repeated[text] = 0
        from .progress import live_console

        console = live_console()
        if console is not None:
            console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)
            return
        click.echo(text, err=True)

    def error(
        self,
        inputs: object,
        error: SymchainError,
        fmt: Format,
        line: int | None = None,
        collected: list[dict[str, Any]] | None = None,
    ) -> None:
        """The error on stderr, in one line (with a caret under the column when known);
        in the JSON formats also a JSON object on stdout (or into `collected`)."""
        from ..render import json_text
        from ..render.formats.text import expr_text, using_notation
        from .run import message

        with using_notation(self.notation):
            text = message(error, self.flags, expr_text)
        where = f"line {line}: " if line is not None else ""
        self.note(f"error: {where}{text}")
        pointer = error.pointer()
        if pointer:
            self.note(pointer)
        if fmt in ("json", "jsonl"):
            sympy_syntax = message(error, self.flags)  # JSON reads back: SymPy's syntax
            shown = inputs
            if isinstance(inputs, str) and len(inputs) > ECHOED:  # a 10 MB line: its start
                shown = inputs[:ECHOED] + "…"
            payload: dict[str, Any] = {"input": shown, "error": error.to_dict(sympy_syntax)}
            if error.position is not None and error.text not in (None, inputs):
                payload["error"]["text"] = error.text  # the position is a column of this
            if shown is not inputs:
                payload["input_length"] = len(inputs)  # type: ignore[arg-type]
            if line is not None:
                payload["line"] = line
            if collected is not None:
                collected.append(payload)
                return
            self.echo(json_text(payload, fmt).rstrip("\n"))


ECHOED = 200  # characters of a bad input the error JSON repeats
