"""The `derive` command: one formula, or a file of them, derived step by step.

Its routes (plain, --let, --implicit, --method log) all end in one finished,
verified result, which the environment emits by the result's view.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ..core.errors import InternalError, SymchainError
from ..render.formats import Detail, Format
from .app import EXAMPLES
from .batch import Record
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
    "--jobs",
    "-j",
    "jobs",
    type=click.IntRange(0, 256),
    default=1,
    show_default=True,
    metavar="N",
    help="With --file: derive N lines at a time in N processes (0: one per core); "
    "the same records, in input order.",
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
    formula, wrt, order, at, file, jobs, lets, implicit_name, method, tangent, matrix, graph_format,
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
    if jobs != 1 and file is None:
        raise click.UsageError("--jobs is for a batch: add --file FILE")
    if file is None:
        sys.exit(_derive_one(formula, options, out, timeout, debug))
    from .batch import derive_file, workers

    jobs = workers(jobs)
    if jobs > 1 and (graph_format or out.reveal):
        raise click.UsageError("--jobs does not combine with --graph or --reveal")
    job = _Job.of(out, options, timeout, debug)
    sys.exit(
        derive_file(
            file,
            out,
            lambda text, line: _derived(text, options, out, timeout, debug, line),
            job,
            jobs,
        )
    )


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
    from ..core.parse import definition
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
    if equals_sign(formula) is not None and definition(formula) is None:
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
    return _derived(formula, options, out, timeout, debug, line)()


def _derived(
    formula: str,
    options: dict[str, Any],
    out: _Printer,
    timeout: float,
    debug: bool,
    line: int | None = None,
) -> Callable[[], int]:
    """Derive one formula; what then prints it (or its error) and gives the exit code.

    The two halves are apart so that a batch can write each record whole: the work can
    be stopped by Ctrl-C, the printing of its record cannot.
    """
    import time

    out.env.deadline = time.monotonic() + timeout  # writing the answer out counts too
    try:
        result = guarded(lambda: _dispatch(formula, options), timeout, debug)
    except SymchainError as err:
        if debug and not isinstance(err, InternalError):
            raise
        failed = err
        return lambda: _print_error(out, formula, failed, line)

    def printed() -> int:
        try:
            out.result(result)
        except SymchainError as err:
            return _print_error(out, formula, err, line)
        except BrokenPipeError:  # the reader went away (| head): the batch ends, quietly
            raise
        except Exception as exc:  # a printer bug: reported in one line, never hidden
            if debug:
                raise
            return _print_error(out, formula, internal(exc), line)
        return 0 if result.verified else 1

    return printed


def _print_error(out: _Printer, formula: str, err: SymchainError, line: int | None) -> int:
    out.error(formula, err, line)
    return err.exit_code


@dataclass(frozen=True)
class _Job:
    """What a worker process needs to derive one line of a batch and print it as this
    process would: the route's options, the format, and the console's width and colour."""

    options: dict[str, Any]
    fmt: Format
    detail: Detail
    timeout: float
    debug: bool
    notation: str
    no_color: bool
    color: str
    width: int | None
    terminal: bool
    color_system: str | None

    @classmethod
    def of(cls, out: _Printer, options: dict[str, Any], timeout: float, debug: bool) -> _Job:
        env = out.env
        console = env.console() if out.fmt == "rich" else None
        return cls(
            options, out.fmt, out.detail, timeout, debug, env.notation, env.no_color, env.color,
            console.width if console else None, bool(console and console.is_terminal),
            console.color_system if console else None,
        )  # fmt: skip

    def run(self, text: str, line: int) -> Record:
        """Derive and print the line into text, in the worker."""
        import io

        stdout, stderr = io.StringIO(), io.StringIO()
        env = Environment(
            stdout=stdout, stderr=stderr, no_color=self.no_color,
            notation=self.notation, color=self.color,  # type: ignore[arg-type]
        )  # fmt: skip
        if self.fmt == "rich":
            from rich.console import Console

            env._console = Console(
                file=stdout, width=self.width, force_terminal=self.terminal,
                color_system=self.color_system,  # type: ignore[arg-type]
                no_color=self.no_color, highlight=False,
            )  # fmt: skip
        out = _Printer(env, self.fmt, self.detail, None, reveal=False)
        if self.fmt == "json":
            out.collected = []
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = _derive_one(text, self.options, out, self.timeout, self.debug, line)
        return Record(stdout.getvalue(), stderr.getvalue(), out.collected, code)
