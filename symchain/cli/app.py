"""The command line: thin click commands over `symchain.derive`.

Only click is imported at start-up; SymPy comes with the first derivation,
rich only when it draws.  Domain errors become a message on stderr and an
exit code: 0 ok, 1 a derivation could not be verified, 2 bad input or usage.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import threading

import click

FORMATS = ("rich", "plain", "markdown", "latex", "json", "jsonl")
DETAILS = ("brief", "normal", "full")
DEFAULT_TIMEOUT = 10.0

EXAMPLES = """
\b
Examples:
  symchain derive "sin(x**2)"
  symchain derive "(3x+1)^2" --detail full
  symchain derive "x^2 y" --wrt y
  symchain derive "exp(-x) sin(x)" --order 2 --at x=0
  symchain derive "f(g(x))" --format latex
  symchain derive -f formulas.txt --format jsonl
  symchain derive "x**2 + y**2" --let x="t**2" --let y="sin(t)" --wrt t
  symchain derive "u*v" --let u="x*y" --let v="x+y" --wrt x --matrix
  symchain derive "u*v" --let u="x*y" --let v="x+y" --wrt x --graph dot
  symchain grad "x**2*y + sin(x*y)"
  symchain jacobian "r*cos(t)" "r*sin(t)" --vars r,t
  symchain hessian "x**3*y**2"
"""


class _Group(click.Group):
    """click's group, with commands loaded lazily (LAZY_COMMANDS), and with --format json
    a usage error is a JSON object too.

    Option errors (--order 0, --batch x) happen before a command runs, so
    the command cannot report them; a script asking for JSON still gets
    {"input": null, "error": {...}} on stdout, and the message on stderr.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str):
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module = importlib.import_module(f".{LAZY_COMMANDS[name]}", __package__)
            self.add_command(getattr(module, name))
        return super().get_command(ctx, name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None:  # the real command line, not a test calling in-process
            _limit_memory()
        argv = list(sys.argv[1:] if args is None else args)
        try:
            return super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            code = 1
        except click.ClickException as err:
            err.show()
            if _wants_json(argv):
                kind = {"message": err.format_message(), "kind": "usage", "position": None}
                click.echo(json.dumps({"input": None, "error": kind}))
            code = err.exit_code
        if not standalone_mode:
            return code
        sys.exit(code)


DEFAULT_MEMORY_GIB = 8.0


def _limit_memory() -> None:
    """Cap the address space (SYMCHAIN_MEMORY_GIB, default 8): a runaway expression then
    ends in MemoryError, reported with exit 2, instead of exhausting the machine."""
    try:
        import resource
    except ImportError:  # not on this platform: time limits still apply
        return
    try:
        gib = float(os.environ.get("SYMCHAIN_MEMORY_GIB", DEFAULT_MEMORY_GIB))
    except ValueError:
        gib = DEFAULT_MEMORY_GIB
    if gib <= 0:
        return
    wanted = int(gib * 2**30)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        with contextlib.suppress(ValueError, OSError):  # not allowed here: time limits still apply
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _wants_json(argv: list[str]) -> bool:
    for i, arg in enumerate(argv):
        if arg in ("--format", "-F") and i + 1 < len(argv) and argv[i + 1] in ("json", "jsonl"):
            return True
        if arg in ("--format=json", "--format=jsonl"):
            return True
    return False


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXAMPLES)
@click.version_option(package_name="symchain", prog_name="symchain")
def main() -> None:
    """Derivatives step by step, with the chain rule at the heart.

    Every step names its rule and is checked against SymPy's own diff.
    """


@main.command(epilog=EXAMPLES, context_settings={"ignore_unknown_options": True})
@click.argument("formula", required=False)
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
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: rich on a terminal, plain when piped].",
)
@click.option(
    "--detail",
    type=click.Choice(DETAILS),
    default="normal",
    show_default=True,
    help="brief: rules and answer; normal: trivial steps folded; full: every step.",
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
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds allowed for one derivation.",
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
    help="With --at: the value there, the slope and the tangent line y = f(a) + f'(a)(x − a).",
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
@click.option("--verbose", "-v", is_flag=True, help="The same as --detail full.")
@click.option(
    "--reveal",
    is_flag=True,
    help="On a terminal: the first rule as a hint, then one step per key press "
    "(Enter reveals, q prints the rest). Piped, everything is printed.",
)
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def derive(
    formula, wrt, order, at, fmt, detail, file, timeout, implicit_name, method, tangent, lets,
    matrix, graph_format, output, verbose, reveal, no_color, debug,
) -> None:  # fmt: skip
    """Derive FORMULA step by step and check every step against SymPy.

    FORMULA uses SymPy/Python syntax or what people type: x^2, 2x, 3(x+1),
    x sin(x), ln, arcsin, e, pi, sqrt, abs, and unknown functions f, g, h.
    """
    if (formula is None) == (file is None):
        raise click.UsageError("give a FORMULA or --file, not both and not neither")
    fmt = fmt or ("rich" if _stdout_is_terminal() else "plain")
    options = {"wrt": wrt, "order": order, "at": list(at) or None}
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
        if lets or at:
            raise click.UsageError("--implicit does not combine with --let or --at")
        options = {"function": implicit_name, "wrt": wrt, "order": order}
    if lets:
        options = _chain_options(options, lets, matrix)
    elif matrix or graph_format:
        raise click.UsageError("--matrix and --graph work on a --let graph: add --let NAME=FORMULA")
    if output and not graph_format:
        raise click.UsageError("--output is for --graph: add --graph dot or --graph svg")
    if graph_format == "svg" and not output:
        raise click.UsageError("--graph svg needs --output FILE.svg")
    if graph_format == "svg" and shutil.which("dot") is None:
        raise click.UsageError(
            "--graph svg needs Graphviz's `dot` program, which is not installed "
            "(--graph dot writes the DOT text without it)"
        )
    detail = "full" if verbose else detail
    out = _Output(fmt, detail, no_color, (graph_format, output) if graph_format else None)
    out.reveal = reveal and fmt == "rich" and sys.stdin.isatty()
    if file is None:
        code = _derive_one(formula, options, out, timeout, debug)
        sys.exit(code)
    sys.exit(_derive_batch(file, options, out, timeout, debug))


def _printers(result):
    """(lines(detail), text(fmt, detail), the --reveal hint or None) for a result of derive.

    Every route (plain, --let, --implicit, --method log) lays its result out
    as lines; a terminal, a pipe and --reveal only differ in what they do with them.
    """
    if hasattr(result, "graph"):
        from ..render.views.chain import chain_lines, render_chain

        return (lambda d: chain_lines(result, d)), (lambda f, d: render_chain(result, f, d)), None
    if hasattr(result, "sides"):
        from ..render.views.implicit import implicit_lines, render_implicit

        hint = f"differentiate both sides by {result.x}; each {result.y} term needs the chain rule"
        return (
            (lambda d: implicit_lines(result, d)),
            (lambda f, d: render_implicit(result, f, d)),
            hint,
        )
    if hasattr(result, "log_sum"):
        from ..render.views.logdiff import logdiff_lines, render_logdiff

        hint = "take ln of both sides and split it with the log laws"
        return (
            (lambda d: logdiff_lines(result, d)),
            (lambda f, d: render_logdiff(result, f, d)),
            hint,
        )
    from ..render import render
    from ..render.layout import label, layout

    hint = f"start with the {label(result.steps.rule)}"
    return (lambda d: layout(result, d)), (lambda f, d: render(result, f, d)), hint


def _chain_options(options: dict, lets: tuple[str, ...], matrix: bool) -> dict:
    """Options for the multivariable chain rule; what it does not take is a usage error."""
    if options["order"] != 1:
        raise click.UsageError("--order above 1 does not work with --let yet")
    if options["at"]:
        raise click.UsageError("--at does not work with --let yet")
    return {"wrt": options["wrt"], "lets": list(lets), "matrix": matrix}


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


class _Output:
    """Where results go, in the chosen format."""

    def __init__(self, fmt: str, detail: str, no_color: bool, graph=None) -> None:
        self.fmt = fmt
        self.graph = graph  # (format, file) to draw the --let graph instead
        self.collected: list | None = None  # batch --format json: one array at the end
        self.reveal = False  # one step per key press (a terminal only)
        self.detail = detail
        self.no_color = no_color or "NO_COLOR" in os.environ
        self._console = None
        self.count = 0

    def console(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(no_color=self.no_color, highlight=False)
        return self._console

    def separator(self, label: str) -> None:
        if self.fmt in ("json", "jsonl"):
            return
        text = {"markdown": f"\n---\n<!-- {label} -->\n", "latex": f"% {label}"}.get(
            self.fmt, f"\n── {label} ──"
        )
        click.echo(text)

    def result(self, derivation) -> None:
        self.count += 1
        if self.graph is not None:
            from ..render.dot import write_graph

            write_graph(derivation, *self.graph)
            return
        if self.collected is not None:
            self.collected.append(derivation.to_dict())
            return
        lines, text, hint = _printers(derivation)
        if self.reveal and hint:
            from .reveal import reveal_lines

            reveal_lines(lines(self.detail), self.console(), hint)
        elif self.fmt == "rich":
            from ..render.formats.rich import print_lines

            print_lines(lines(self.detail), self.console())
        else:
            click.echo(text(self.fmt, self.detail), nl=False)

    def error(self, text: str | None, error, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        pointer = error.pointer()
        click.echo(f"error: {where}{error.message}", err=True)
        if pointer:
            click.echo(pointer, err=True)
        if self.fmt in ("json", "jsonl"):
            payload = {"input": text, "error": error.to_dict()}
            if line is not None:
                payload["line"] = line
            if self.collected is not None:
                self.collected.append(payload)
                return
            click.echo(
                json.dumps(payload, indent=2 if self.fmt == "json" else None, ensure_ascii=False)
            )


class _TimeUp(BaseException):
    """SIGALRM fired; a BaseException so that no `except Exception` in SymPy swallows it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise LimitError after `seconds` (SIGALRM; a no-op where there is none)."""
    from ..core.errors import LimitError

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    state = {"done": False}

    def on_alarm(signum, frame):
        if not state["done"]:
            raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)  # repeating: see budget.REPEAT
    try:
        yield
    except _TimeUp:
        state["done"] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise LimitError(f"gave up after {seconds:g} s (raise the limit with --timeout)") from None
    finally:
        state["done"] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(compute, timeout: float, debug: bool):
    """compute() within `timeout`, or a SymchainError / InternalError saying why not.

    Every command runs its work through this one place, so that a limit, a
    bug or a SymPy failure is reported the same way everywhere.
    """
    from ..core.errors import LimitError, SymchainError

    try:
        with _time_limit(timeout):
            return compute()
    except SymchainError:
        raise
    except RecursionError:
        raise LimitError("the formula is nested too deeply to derive") from None
    except MemoryError:
        raise LimitError("this needs more memory than there is (SYMCHAIN_MEMORY_GIB)") from None
    except Exception as exc:  # a bug or a SymPy failure: reported, never hidden
        if debug:
            raise
        detail = " ".join(str(exc).split())
        raise InternalError(f"internal error: {type(exc).__name__}: {detail}") from exc


def computed_or_exit(compute, inputs, out: _Output, timeout: float, debug: bool):
    """compute()'s result; on an error, the error in `out`'s format and the exit it earns."""
    from ..core.errors import SymchainError

    try:
        return guarded(compute, timeout, debug)
    except SymchainError as err:
        if debug:
            raise
        out.error(inputs, err)
        sys.exit(err.exit_code)
    except InternalError as err:
        out.error(inputs, err)
        sys.exit(1)


def default_format(fmt: str | None) -> str:
    """rich on a terminal, plain when piped, unless --format says otherwise."""
    return fmt or ("rich" if _stdout_is_terminal() else "plain")


def _compute(formula: str, options: dict, timeout: float, debug: bool):
    """The derivation, or a SymchainError / InternalError describing why there is none."""
    return guarded(lambda: _dispatch(formula, options), timeout, debug)


def _dispatch(formula: str, options: dict):
    """The route the options ask for: --let, --method log, --implicit, or plain derive."""
    from ..calculus.derivation import derive as derive_formula

    if "lets" in options:
        from ..calculus.multivariable import derive_chain

        return derive_chain(formula, **options)
    if options.get("method") == "log":
        from ..calculus.logdiff import log_derive

        return log_derive(formula, options["wrt"])
    if "function" in options:
        from ..calculus.implicit import implicit

        return implicit(formula, **options)
    if "=" in formula:
        from ..calculus.implicit import split_equation
        from ..core.errors import UsageError

        split_equation(formula)  # text that is no equation is a parse error, as ever
        raise UsageError(
            "an equation: add --implicit y to differentiate y implicitly as a function"
        )
    return derive_formula(formula, **options)


class InternalError(Exception):
    """Something failed that is not the user's fault: reported, exit code 1."""

    kind = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message + " (run with --debug for the traceback)"
        self.position = None

    def pointer(self) -> str:
        return ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "position": None}


def _derive_one(
    formula: str, options: dict, out: _Output, timeout: float, debug: bool, line: int | None = None
) -> int:
    """Derive one formula and print it; the exit code it earns."""
    from ..core.errors import SymchainError

    try:
        derivation = _compute(formula, options, timeout, debug)
    except SymchainError as err:
        if debug:
            raise
        out.error(formula, err, line)
        return err.exit_code
    except InternalError as err:
        out.error(formula, err, line)
        return 1
    try:
        out.result(derivation)
    except SymchainError as err:
        out.error(formula, err, line)
        return err.exit_code
    except Exception as exc:  # a printer bug: reported in one line, never hidden
        if debug:
            raise
        detail = " ".join(str(exc).split())
        out.error(formula, InternalError(f"internal error: {type(exc).__name__}: {detail}"), line)
        return 1
    return 0 if derivation.verified else 1


def _derive_batch(file, options: dict, out: _Output, timeout: float, debug: bool) -> int:
    from ..core.errors import ParseError

    bad, unverified, seen = [], [], 0
    if out.fmt == "json":
        out.collected = []
    for number, raw in enumerate(file, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if seen:
                out.separator(f"line {number}")
            seen += 1
            out.error(None, ParseError("the line is not valid UTF-8"), number)
            bad.append(number)
            continue
        text = line.split("#", 1)[0].strip().strip("\ufeff")
        if not text:
            continue
        if seen:
            out.separator(f"line {number}")
        seen += 1
        code = _derive_one(text, options, out, timeout, debug, number)
        if code == 2:
            bad.append(number)
        elif code == 1:
            unverified.append(number)
    if out.collected is not None:
        click.echo(json.dumps(out.collected, indent=2, ensure_ascii=False))
    if not seen:
        click.echo("note: the file has no formulas (only blank lines and comments)", err=True)
    if bad:
        click.echo(f"{len(bad)} of {seen} line(s) failed: {_numbers(bad)}", err=True)
    if unverified:
        click.echo(f"{len(unverified)} line(s) not verified: {_numbers(unverified)}", err=True)
    return 2 if bad else 1 if unverified else 0


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (", ..." if len(numbers) > 20 else "")


#: The other commands, each in its own module, imported only when asked for (or listed
#: by --help), so that `symchain derive` starts without them.
LAZY_COMMANDS = {
    "grad": "partials",
    "jacobian": "partials",
    "hessian": "partials",
    "check": "check",
    "plot": "plot",
    "worksheet": "worksheet",
    "backprop": "backprop",
    "gradcheck": "gradcheck",
}
