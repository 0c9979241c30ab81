"""The `symchain` group: its commands are loaded when asked for, so that `symchain derive`
starts with click alone (SymPy comes with the first derivation, rich only when it draws).

Every command module reads: options -> compute a finished result -> emit -> exit, with
exit codes 0 ok, 1 a check or a computation failed, 2 bad input or usage.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sys

import click

from ..core.errors import SymchainError
from .env import OutputFailed
from .options import SETTINGS

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

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """An unknown command named with the nearest known one (derivee: derive)."""
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name.lower(), self.list_commands(ctx), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"No such command '{name}'.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, name: str):
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module = importlib.import_module(f".{LAZY_COMMANDS[name]}", __package__)
            self.add_command(getattr(module, name))
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # past click's own EPIPE handling, which exits 1
            raise _ReaderGone() from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        if sys.stdout is None:  # >&-: Python gives no stream, and click would write nowhere
            click.echo("error: cannot write the output: stdout is closed", err=True)
            code = 2
        else:
            try:
                code = self._run(argv, args, prog_name, complete_var, extra)
            except OSError as err:  # --help, or a JSON error object, into a full disk
                if isinstance(err, BrokenPipeError) or err.errno not in _WRITE_ERRORS:
                    raise
                _quiet_stdout()
                click.echo(f"error: cannot write the output: {err.strerror}", err=True)
                code = 2
        if not standalone_mode:
            return code
        sys.exit(code)

    def _run(self, argv, args, prog_name, complete_var, extra) -> int:
        try:
            if args is None:  # the real command line, not a test calling in-process
                _limit_memory()
            return super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort as err:  # click's own form of Ctrl-C, and of Ctrl-D
            ended = isinstance(err.__cause__, EOFError)  # at --reveal's prompt
            click.echo("stopped: end of input" if ended else "interrupted (Ctrl-C)", err=True)
            return 130
        except KeyboardInterrupt:
            click.echo("interrupted (Ctrl-C)", err=True)
            return 130
        except (BrokenPipeError, _ReaderGone):  # | head -1: the reader has all it wants
            _quiet_stdout()
            return 141  # 128 + SIGPIPE, as a program killed by the signal would exit
        except OutputFailed as err:  # > /dev/full: the answer was not written, nor can be
            _quiet_stdout()
            click.echo(f"error: cannot write the output: {err.reason}", err=True)
            return 2
        except SymchainError as err:  # after the work: writing the answer ran out of time
            click.echo(f"error: {err.message}", err=True)
            if _wants_json(argv):
                click.echo(json.dumps({"input": None, "error": err.to_dict()}))
            return err.exit_code
        except click.ClickException as err:  # one line, as every other error: no usage
            click.echo(f"error: {_one_line(err, argv)}", err=True)
            if _wants_json(argv):
                kind = {"message": err.format_message(), "kind": "usage", "position": None}
                click.echo(json.dumps({"input": None, "error": kind}))
            return err.exit_code


def _one_line(err: click.ClickException, argv: list[str]) -> str:
    """click's message on one line, its first letter small as in our own errors; an
    unknown option's hint as one question (Did you mean --order?)."""
    takes_vars = bool(argv) and argv[0] in ("grad", "jacobian", "hessian")
    if isinstance(err, click.NoSuchOption) and err.option_name == "--wrt" and takes_vars:
        return "no such option '--wrt': name the variables with --vars, like --vars x,y"
    message = " ".join(err.format_message().split())
    message = re.sub(r"\(Did you mean one of: (.*)\?\)", r"Did you mean one of \1?", message)
    message = re.sub(r"'(\S+)' is not a valid (integer|float) range\.",
                     r"'\1' is not a number", message)  # fmt: skip
    if message[1:2].islower():  # "No such option", not "SYMCHAIN_MEMORY_GIB"
        message = message[:1].lower() + message[1:]
    return message


#: errno values that mean stdout cannot take the output: a full disk, a closed or bad
#: descriptor, an I/O error, a quota or a file-size limit.
_WRITE_ERRORS = {errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG}


DEFAULT_MEMORY_GIB = 8.0


class _ReaderGone(BaseException):  # noqa: N818 - a state, not an error of ours
    """stdout's reader closed it (| head): the command ends quietly, exit 141."""


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more."""
    with contextlib.suppress(OSError, ValueError):  # no descriptor (a test's stream): nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _limit_memory() -> None:
    """Cap the address space (SYMCHAIN_MEMORY_GIB, default 8): a runaway expression then
    ends in MemoryError, reported with exit 2, instead of exhausting the machine."""
    try:
        import resource
    except ImportError:  # not on this platform: time limits still apply
        return
    import math

    given = os.environ.get("SYMCHAIN_MEMORY_GIB")
    try:
        gib = float(given) if given is not None else DEFAULT_MEMORY_GIB
    except ValueError:
        gib = math.nan
    if not math.isfinite(gib) or gib < 0:
        raise click.UsageError(f"SYMCHAIN_MEMORY_GIB={given}: give the memory limit as a "
                               "number of GiB (0 for none)")  # fmt: skip
    if gib == 0 or gib > 2**30:  # none, or more than any machine has
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


@click.group(cls=_Group, context_settings=SETTINGS, epilog=EXAMPLES)
@click.version_option(package_name="symchain", prog_name="symchain")
def main() -> None:
    """Derivatives step by step, with the chain rule at the heart.

    Every step names its rule and is checked against SymPy's own diff.
    """


#: Every command, in its own module, imported only when asked for (or listed by --help).
LAZY_COMMANDS = {
    "derive": "derive",
    "grad": "partials",
    "jacobian": "partials",
    "hessian": "partials",
    "check": "check",
    "plot": "plot",
    "worksheet": "worksheet",
    "backprop": "backprop",
    "gradcheck": "gradcheck",
    "matrix": "matrix",
}
