"""The `gradcheck` command: a thin click command over `symchain.nn.gradcheck`.

Loaded by the group when asked for: NumPy, SymPy (through `symchain.nn.losses`)
and rich come when the command runs, so other commands do not pay for them.

It runs the user's file (see `symchain.nn.gradcheck`).  What that code prints
goes to stderr, so that the report on stdout, JSON above all, stays clean.
Exit codes: 0 the backward applies the gradient of the named loss, 1 it does
not (or an internal error), 2 bad input: a missing file or class, a class
without the seed's interface, user code that raises, a bad option.
"""

from __future__ import annotations

import contextlib
import sys

import click

from .env import Environment
from .options import SETTINGS, formats_without, output_options
from .run import computed_or_exit, finish

WRITES = formats_without("latex", "jsonl")
DEFAULT_TIMEOUT = 60.0

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


@click.command("gradcheck", epilog=EXAMPLES, context_settings=SETTINGS)
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
@output_options(
    WRITES,
    timeout=DEFAULT_TIMEOUT,
    timeout_help="Seconds allowed for the whole check (loading the file included).",
    detail=None,
    notation=False,
)
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
    env = Environment(no_color=no_color)
    fmt = env.format(fmt)
    settings = _settings(locals())
    report = computed_or_exit(lambda: _check(spec, settings), spec, env, fmt, timeout, debug)
    env.emit(report, fmt)
    finish(report.passed)


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
