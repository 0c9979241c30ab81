"""The `gradcheck` command: a thin click command over `symchain.nn.gradcheck`.

A plain `click.Command`, not attached to the `symchain` group here; `cli.py`
registers it (`main.add_command(gradcheck)`).  Only click is imported at
start-up: NumPy, SymPy (through `symchain.nn.losses`) and rich come when the
command runs, so other commands do not pay for them.

It runs the user's file (see `symchain.nn.gradcheck`).  What that code prints
goes to stderr, so that the report on stdout, JSON above all, stays clean.
Exit codes: 0 the backward applies the gradient of the named loss, 1 it does
not (or an internal error), 2 bad input: a missing file or class, a class
without the seed's interface, user code that raises, a bad option.
"""

from __future__ import annotations

import contextlib
import json
import sys

import click

FORMATS = ("rich", "plain", "markdown", "json")
DEFAULT_TIMEOUT = 60.0
_SETTINGS = {"help_option_names": ["-h", "--help"]}

EXAMPLES = """
\b
Examples:
  symchain gradcheck tests/fixtures/seed_network.py:SimpleNeuralNetwork --loss mse
  symchain gradcheck net.py:Net --loss bce --sizes 3,8,2 --batch 32
  symchain gradcheck net.py:Net --loss mse --reduction sum --format json
  symchain gradcheck net.py:Net --eps 1e-5 --rtol 1e-4 --atol 1e-7
"""


def _sizes(ctx, param, value: str) -> tuple[int, ...]:
    """--sizes 2,4,1 → (2, 4, 1): the constructor's positional arguments."""
    try:
        sizes = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected integers separated by commas, e.g. 2,4,1"
        ) from None
    if any(n < 1 for n in sizes):
        raise click.BadParameter(f"{value!r}: every size must be at least 1")
    return sizes


@click.command("gradcheck", epilog=EXAMPLES, context_settings=_SETTINGS)
@click.argument("spec", metavar="FILE.py:CLASS")
@click.option(
    "--loss",
    "loss_name",
    type=click.Choice(["half-sse", "mse", "bce"]),
    default="mse",
    show_default=True,
    help="The loss whose gradient backward should apply.",
)
@click.option(
    "--reduction",
    type=click.Choice(["mean", "sum"]),
    default="mean",
    show_default=True,
    help="Average the loss over the batch (mean) or add it up (sum).",
)
@click.option(
    "--sizes",
    default="2,4,1",
    show_default=True,
    callback=_sizes,
    metavar="N,N,...",
    help="Passed to the constructor positionally: (input_size, hidden_size, output_size).",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 100_000),
    default=16,
    show_default=True,
    metavar="N",
    help="Rows of the random input X.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Seeds X, and np.random while the network is constructed.",
)
@click.option(
    "--lr",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="learning_rate passed to backward; the applied gradient is Δθ / lr.",
)
@click.option(
    "--eps",
    type=click.FloatRange(min=0, min_open=True),
    help="Finite-difference step [default: 1e-6; 1e-2 for float32].",
)
@click.option(
    "--rtol",
    type=click.FloatRange(min=0),
    help="Relative tolerance, as in torch.autograd.gradcheck [default: 1e-3; 1e-2 for float32].",
)
@click.option(
    "--atol",
    type=click.FloatRange(min=0),
    help="Absolute tolerance, as in torch.autograd.gradcheck [default: 1e-5; 1e-4 for float32].",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "full", "directional"]),
    default="auto",
    show_default=True,
    help="full: every entry by finite differences; directional: a few random directions "
    "per array; auto: full up to 5000 parameters.",
)
@click.option(
    "--directions",
    type=click.IntRange(1, 1000),
    default=3,
    show_default=True,
    metavar="N",
    help="Random directions per array for the directional check.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: rich on a terminal, plain when piped].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds allowed for the whole check (loading the file included).",
)
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def gradcheck(
    spec, loss_name, reduction, sizes, batch, seed, lr, eps, rtol, atol, method, directions,
    fmt, timeout, no_color, debug,
) -> None:  # fmt: skip
    """Check the gradient a NumPy network's backward applies against the true one.

    FILE.py:CLASS names a class with the seed's interface: arrays W1, b1, W2,
    b2 (W3, b3, ... too), forward(X) and backward(X, y, learning_rate) that
    updates them in place.  THIS RUNS FILE.py: only check code you trust.

    The gradient backward applied is read from its update; the true gradient
    of --loss comes from finite differences of forward.  Per parameter: the
    worst element, both values, the errors and a grade; and which known loss
    the backward really computes.  Exit 0 they agree, 1 they do not, 2 bad input.
    """
    from .app import _Output, computed_or_exit, default_format

    out = _Output(default_format(fmt), "normal", no_color)
    settings = _settings(locals())
    report = computed_or_exit(lambda: _check(spec, settings), spec, out, timeout, debug)
    _show(report, out)
    sys.exit(0 if report.passed else 1)


def _settings(options: dict):
    from ..nn.gradcheck import Settings
    from ..nn.losses import loss

    return Settings(
        loss=loss(options["loss_name"], options["reduction"]),
        sizes=options["sizes"],
        batch=options["batch"],
        seed=options["seed"],
        lr=options["lr"],
        eps=options["eps"],
        rtol=options["rtol"],
        atol=options["atol"],
        method=options["method"],
        directions=options["directions"],
    )


def _check(spec: str, settings):
    """The report; anything the user's code prints goes to stderr, so stdout stays the report."""
    from ..nn.gradcheck import gradcheck as check

    with contextlib.redirect_stdout(sys.stderr):
        return check(spec, settings)


# --- output --------------------------------------------------------------------------

COLUMNS = ("param", "shape", "worst", "applied", "true", "abs err", "rel err", "grade", "")
GRADE_STYLES = {"good": "green", "acceptable": "cyan", "suspicious": "yellow", "wrong": "bold red"}


def _show(report, out) -> None:
    if out.fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif out.fmt == "rich":
        _print_rich(report, out.console())
    elif out.fmt == "markdown":
        click.echo(_markdown(report))
    else:
        click.echo(_plain(report))


def _rows(report) -> list[tuple[str, ...]]:
    """One row of text cells per parameter, in COLUMNS order (kinks added when there are any)."""
    rows = []
    for p in report.parameters:
        row = (
            p.name,
            "×".join(map(str, p.shape)),
            p.where(),
            f"{p.applied:.6g}",
            f"{p.true:.6g}",
            f"{p.abs_error:.1e}",
            f"{p.rel_error:.1e}",
            p.grade,
            "ok" if p.passed else f"✗ {p.mismatches}/{p.checked}",
        )
        rows.append(row + ((str(p.kinks),) if report.kinks else ()))
    return rows


def _columns(report) -> tuple[str, ...]:
    return COLUMNS + (("kinks",) if report.kinks else ())


def _header(report) -> list[tuple[str, str]]:
    s = report.settings
    return [
        ("loss", f"{s.loss.title} (--loss {s.loss.name} --reduction {s.loss.reduction})"),
        (
            "data",
            f"X {s.batch}×{s.sizes[0]} standard normal (seed {s.seed}), targets in {{0, 1}}; "
            f"constructed with sizes {','.join(map(str, s.sizes))}; "
            f"backward called with learning_rate {s.lr:g}",
        ),
        ("method", report.method_text()),
        (
            "tolerance",
            f"|applied − true| ≤ atol + rtol·|true|, atol {report.atol:g}, rtol {report.rtol:g}"
            + (f" ({report.precision})" if report.precision != "float64" else ""),
        ),
    ]


def _closing(report) -> list[str]:
    lines = [("✓ " if report.passed else "✗ ") + report.verdict(), "  " + report.match_text()]
    lines += [f"  hint: {hint}" for hint in report.hints]
    return lines


def _plain(report) -> str:
    lines = [f"gradcheck {report.spec}"]
    width = max(len(key) for key, _ in _header(report)) + 1
    lines += [f"  {key + ':':<{width}} {value}" for key, value in _header(report)]
    table = [_columns(report), *_rows(report)]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines.append("")
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    lines += _closing(report)
    lines += [f"warning: {w}" for w in report.warnings]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def _markdown(report) -> str:
    lines = [f"### gradcheck `{report.spec}`", ""]
    lines += [f"- **{key}**: {value}" for key, value in _header(report)]
    columns = _columns(report)
    lines += ["", "| " + " | ".join(c or "verdict" for c in columns) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in _rows(report)]
    verdict, *rest = _closing(report)
    lines += ["", f"**{verdict}**", ""]
    lines += [f"- {line.strip()}" for line in rest]
    lines += [f"- ⚠ {w}" for w in report.warnings]
    lines += [f"- note: {n}" for n in report.notes]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _print_rich(report, console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"gradcheck {report.spec}", style="bold"))
    for key, value in _header(report):
        console.print(Text.assemble(("  " + key + ": ", "dim"), value))
    rows = _rows(report)
    table = Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, header_style="bold")
    for i, name in enumerate(_columns(report)):
        right = name in ("applied", "true", "abs err", "rel err", "kinks")
        widest = max(len(row[i]) for row in rows)  # numbers whole; shape and worst may fold
        least = widest if right or name in ("param", "grade", "") else len(name)
        table.add_column(name, justify="right" if right else "left", min_width=least)
    for p, row in zip(report.parameters, rows, strict=True):
        cells = list(row)
        cells[7] = Text(row[7], style=GRADE_STYLES.get(p.grade, ""))
        cells[8] = Text(row[8], style="green" if p.passed else "bold red")
        table.add_row(*cells)
    console.print()
    console.print(table)
    console.print()
    verdict, *rest = _closing(report)
    console.print(Text(verdict, style="bold green" if report.passed else "bold red"))
    for line in rest:
        console.print(Text(line, style="cyan" if "hint:" in line else ""))
    for w in report.warnings:
        console.print(Text(f"warning: {w}", style="yellow"))
    for n in report.notes:
        console.print(Text(f"note: {n}", style="dim"))
