"""The `derive` command: one formula, or a file of them, derived step by step.

Its routes (plain, --let, --implicit, --method log) all end in one finished,
verified result, which the environment emits by the result's view.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import click

from ..core.errors import InternalError, ParseError, SymchainError
from ..render.formats import Detail, Format
from .app import EXAMPLES
from .env import Environment
from .options import FORMULA_SETTINGS, FormulaCommand, log10_option, not_an_option, output_options
from .run import guarded, internal

DEFAULT_TIMEOUT = 10.0


@click.command("derive", epilog=EXAMPLES, context_settings=FORMULA_SETTINGS, cls=FormulaCommand)
@click.argument("formula", required=False, callback=not_an_option)
@click.option("--wrt", "wrt", metavar="NAME", help="Variable to differentiate by.")
@click.option(
    "--order",
    type=click.IntRange(1, 20),
    metavar="N",
    default=1,
    show_default=True,
    help="Order of the derivative; each order is shown with its steps.",
)
@click.option(
    "--at",
    "at",
    multiple=True,
    metavar="NAME=VALUE",
    help="Evaluate the derivative at a point, e.g. --at x=2.",
)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.File("rb"),
    metavar="FILE",
    help="Derive every line of FILE ('-' for stdin); '#' starts a comment.",
)
@click.option(
    "--let",
    "lets",
    multiple=True,
    metavar="NAME=FORMULA",
    help="Define a quantity the formula uses, e.g. --let x=t**2 (repeatable): "
    "the multivariable chain rule, one term per path.",
)
@click.option(
    "--implicit",
    "implicit_name",
    metavar="NAME",
    help="FORMULA is an equation (x**2 + y**2 = 25): differentiate NAME implicitly as a "
    "function of --wrt.",
)
@click.option(
    "--method",
    type=click.Choice(["direct", "log"]),
    default="direct",
    show_default=True,
    help="log: logarithmic differentiation, for u^v and long products and quotients.",
)
@click.option(
    "--tangent",
    is_flag=True,
    help=(
        "With --at: the value there, the slope and the tangent line y = f(a) + f'(a)(x − a); "
        "with --implicit, at a point of the curve (--at x=3,y=-4)."
    ),
)
@click.option("--matrix", is_flag=True, help="With --let: the matrix form J(f∘g) = J_f(g)·J_g.")
@click.option(
    "--graph",
    "graph_format",
    type=click.Choice(["dot", "svg"]),
    help="With --let: write the computation graph as Graphviz DOT (or SVG, needs Graphviz).",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the --graph picture to FILE instead of stdout.",
)
@log10_option
@click.option("--verbose", "-v", is_flag=True, help="The same as --detail full.")
@click.option(
    "--reveal",
    is_flag=True,
    help="On a terminal: the first rule as a hint, then one step per key press "
    "(Enter reveals, q prints the rest). Piped, everything is printed.",
)
@output_options(timeout=DEFAULT_TIMEOUT, timeout_help="Seconds allowed for one derivation.")
def derive(
    formula, wrt, order, at, file, lets, implicit_name, method, tangent, matrix, graph_format,
    output, log10, verbose, reveal, fmt, detail, timeout, no_color, debug, notation="math",
) -> None:  # fmt: skip
    """Derive FORMULA step by step and check every step against SymPy.

    FORMULA uses SymPy/Python syntax or what people type: x^2, 2x, 3(x+1),
    x sin(x), ln, arcsin, e, pi, sqrt, abs, and unknown functions f, g, h;
    textbook notation too: sin x, sin^2 x, sin^-1 x, |x|, log_2 x.  A reading
    that depends on a convention (e^2x, log) is said in a note on stderr.
    """
    if (formula is None) == (file is None):
        raise click.UsageError("give a FORMULA or --file, not both and not neither")
    env = Environment(no_color=no_color, notation=notation)
    options = _route(wrt, order, at, tangent, method, implicit_name, lets, matrix, graph_format)
    if log10:
        options["log10"] = True
    if output and not graph_format:
        raise click.UsageError("--output is for --graph: add --graph dot or --graph svg")
    if graph_format == "svg" and not output:
        raise click.UsageError("--graph svg needs --output FILE.svg")
    if graph_format == "svg" and shutil.which("dot") is None:
        raise click.UsageError(
            "--graph svg needs Graphviz's `dot` program, which is not installed "
            "(--graph dot writes the DOT text without it)"
        )
    fmt = env.format(fmt)
    out = _Printer(
        env,
        fmt,
        "full" if verbose else detail,
        (graph_format, output) if graph_format else None,
        reveal=reveal and fmt == "rich" and env.stdin_isatty,
    )
    if file is None:
        sys.exit(_derive_one(formula, options, out, timeout, debug))
    sys.exit(_derive_batch(file, options, out, timeout, debug))


def _route(
    wrt, order, at, tangent, method, implicit_name, lets, matrix, graph_format
) -> dict[str, Any]:
    """The keyword arguments of the route the options ask for; what does not combine is a
    usage error."""
    options: dict[str, Any] = {"wrt": wrt, "order": order, "at": list(at) or None}
    if tangent:
        if not at:
            raise click.UsageError("--tangent needs a point: add --at x=a")
        options["tangent"] = True
    if method == "log":
        if implicit_name or lets or at or order != 1:
            raise click.UsageError(
                "--method log works alone: no --implicit, --let, --at or --order"
            )
        options = {"wrt": wrt, "method": "log"}
    if implicit_name:
        if lets:
            raise click.UsageError("--implicit does not combine with --let")
        options = {"function": implicit_name, "wrt": wrt, "order": order, "at": list(at) or None}
        if tangent:
            options["tangent"] = True
    if lets:
        if options["order"] != 1:
            raise click.UsageError("--order above 1 does not work with --let yet")
        if options["at"]:
            raise click.UsageError("--at does not work with --let yet")
        return {"wrt": wrt, "lets": list(lets), "matrix": matrix}
    if matrix or graph_format:
        raise click.UsageError("--matrix and --graph work on a --let graph: add --let NAME=FORMULA")
    return options


def _dispatch(formula: str, options: dict[str, Any]) -> Any:
    """The route the options ask for: --let, --method log, --implicit, or plain derive."""
    from ..calculus.derivation import derive as derive_formula
    from ..core.piecewise import equals_sign

    if "lets" in options:
        from ..calculus.multivariable import derive_chain

        return derive_chain(formula, **options)
    if options.get("method") == "log":
        from ..calculus.logdiff import log_derive

        return log_derive(formula, options["wrt"], options.get("log10", False))
    if "function" in options:
        from ..calculus.implicit import implicit

        return implicit(formula, **options)
    if equals_sign(formula) is not None:
        from ..calculus.implicit import split_equation
        from ..core.errors import UsageError

        split_equation(formula)  # text that is no equation is a parse error, as ever
        raise UsageError(
            "an equation: add `function` y to differentiate y implicitly as a function"
        )
    return derive_formula(formula, **options)


class _Printer:
    """Where derive's results go: the chosen format, a --graph picture, --reveal on a
    terminal, or (batch --format json) one array at the end."""

    def __init__(
        self,
        env: Environment,
        fmt: Format,
        detail: Detail,
        graph: tuple[str, str | None] | None,
        reveal: bool,
    ) -> None:
        self.env = env
        self.fmt = fmt
        self.detail = detail
        self.graph = graph
        self.reveal = reveal
        self.collected: list[dict[str, Any]] | None = None

    def separator(self, label: str) -> None:
        if self.fmt in ("json", "jsonl"):
            return
        text = {"markdown": f"\n---\n<!-- {label} -->\n", "latex": f"% {label}"}.get(
            self.fmt, f"\n── {label} ──"
        )
        self.env.echo(text)

    def result(self, result: Any) -> None:
        from .. import render

        if self.graph is not None:
            self._draw(result)
        elif self.collected is not None:
            self.collected.append(render.to_dict(result))
        elif self.reveal and render.find_view(result).hint(result):
            from .reveal import reveal_lines

            view = render.find_view(result)
            reveal_lines(view.lines(result, self.detail), self.env.console(), view.hint(result))
        else:
            self.env.emit(result, self.fmt, self.detail)

    def _draw(self, result: Any) -> None:
        from ..calculus.multivariable import ChainDerivation
        from ..core.errors import UsageError
        from ..render.dot import graph_dot
        from .graphviz import emit_dot

        if not isinstance(result, ChainDerivation):
            raise UsageError("--graph draws a --let graph")
        fmt, output = self.graph  # type: ignore[misc]
        emit_dot(self.env, graph_dot(result), fmt, output)

    def error(self, text: str | None, error: SymchainError, line: int | None = None) -> None:
        self.env.error(text, error, self.fmt, line, self.collected)


def _derive_one(
    formula: str,
    options: dict[str, Any],
    out: _Printer,
    timeout: float,
    debug: bool,
    line: int | None = None,
) -> int:
    """Derive one formula and print it; the exit code it earns."""
    import time

    out.env.deadline = time.monotonic() + timeout  # writing the answer out counts too
    try:
        result = guarded(lambda: _dispatch(formula, options), timeout, debug)
    except SymchainError as err:
        if debug and not isinstance(err, InternalError):
            raise
        out.error(formula, err, line)
        return err.exit_code
    try:
        out.result(result)
    except SymchainError as err:
        out.error(formula, err, line)
        return err.exit_code
    except BrokenPipeError:  # the reader went away (| head): the batch ends, quietly
        raise
    except Exception as exc:  # a printer bug: reported in one line, never hidden
        if debug:
            raise
        out.error(formula, internal(exc), line)
        return 1
    return 0 if result.verified else 1


def _derive_batch(
    file: IO[bytes], options: dict[str, Any], out: _Printer, timeout: float, debug: bool
) -> int:
    bad, unverified, seen = [], [], 0
    if out.fmt == "json":
        out.collected = []
    stopped: BaseException | None = None
    progress = [0, 0]  # formulas begun and finished, kept when a stop cuts the batch short
    with _stoppable():
        try:
            _batch_lines(file, options, out, timeout, debug, bad, unverified, progress)
        except (KeyboardInterrupt, _Terminated) as err:  # the finished results still count
            stopped = err
    seen, finished = progress
    if out.collected is not None:
        from ..render import json_text

        out.env.echo(json_text(out.collected, "json").rstrip("\n"))
    if stopped is not None:
        by = "Ctrl-C" if isinstance(stopped, KeyboardInterrupt) else stopped.name
        out.env.note(f"stopped ({by}) after {finished} formula(s); their results are above")
        return 130 if isinstance(stopped, KeyboardInterrupt) else stopped.code
    if not seen:
        out.env.note("note: the file has no formulas (only blank lines and comments)")
    if bad:
        out.env.note(f"{len(bad)} of {seen} line(s) failed: {_numbers(bad)}")
    if unverified:
        out.env.note(f"{len(unverified)} line(s) not verified: {_numbers(unverified)}")
    return 2 if bad else 1 if unverified else 0


class _Terminated(BaseException):
    """SIGTERM or SIGHUP (the terminal closed) during a batch: ends it as Ctrl-C does,
    with what was finished printed, and the exit code the signal would give (143, 129)."""

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__(signum)
        self.name = signal.Signals(signum).name
        self.code = 128 + signum


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM and SIGHUP raise _Terminated while a batch runs (in the main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        raise _Terminated(signum)

    caught = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.signal(signum, terminated) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _batch_lines(file, options, out, timeout, debug, bad, unverified, progress) -> None:
    """Derive each line in turn, counting the formulas in progress[0]."""
    for number, raw in enumerate(_bounded_lines(file), start=1):
        if isinstance(raw, _TooLong):
            if progress[0]:
                out.separator(f"line {number}")
            progress[0] += 1
            out.error(None, ParseError(raw.words()), number)
            bad.append(number)
            progress[1] = progress[0]
            if raw.endless:
                return
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if progress[0]:
                out.separator(f"line {number}")
            progress[0] += 1
            out.error(None, ParseError("the line is not valid UTF-8"), number)
            bad.append(number)
            progress[1] = progress[0]
            continue
        text = line.split("#", 1)[0].strip().strip("\ufeff")
        if not text:
            continue
        if progress[0]:
            out.separator(f"line {number}")
        progress[0] += 1
        code = _derive_one(text, options, out, timeout, debug, number)
        if code == 2:
            bad.append(number)
        elif code == 1:
            unverified.append(number)
        progress[1] = progress[0]


LINE_BYTES = 4 * 2000 + 8  # a formula's 2,000 characters, in UTF-8 at most, and its newline
SKIP_BYTES = 16 * 2**20  # read past a long line this far for the next one, no further


@dataclass(frozen=True)
class _TooLong:
    """A line over the formula limit, not read whole; `endless` when no line end came
    within SKIP_BYTES either (/dev/zero), so the rest of the file is not read."""

    endless: bool

    def words(self) -> str:
        rest = "; no line end followed, so the rest of the input is not read" if \
            self.endless else ""  # fmt: skip
        return f"the line is longer than a formula may be (2,000 characters): not read{rest}"


def _bounded_lines(file: IO[bytes]) -> Iterator[bytes | _TooLong]:
    """The file's lines, none read past LINE_BYTES: a longer one is skipped to its end."""
    while True:
        raw = file.readline(LINE_BYTES)
        if not raw:
            return
        if raw.endswith(b"\n") or len(raw) < LINE_BYTES:
            yield raw
            continue
        skipped = 0
        while skipped < SKIP_BYTES:
            chunk = file.readline(65536)
            skipped += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                break
        else:
            yield _TooLong(endless=True)
            return
        yield _TooLong(endless=False)


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (", ..." if len(numbers) > 20 else "")
