"""The `backprop` command: the seed's network walked through, proved against NumPy, trained.

Only click is imported at start-up; NumPy, SymPy and rich come when it runs.
Exit codes: 0 every gradient agrees, 1 they do not, 2 bad input or usage.
"""

from __future__ import annotations

import click

from ..core.errors import SymchainError, UsageError
from .env import Environment
from .options import SETTINGS, formats_without, output_options
from .run import computed_or_exit, fail, finish

WRITES = formats_without("jsonl")

EXAMPLES = """
\b
Examples:
  symchain backprop
  symchain backprop --batch 4 --layout columns
  symchain backprop --sizes 2,8,8,8,8,1 --activation sigmoid
  symchain backprop --activation tanh,sigmoid --loss bce
  symchain backprop --sizes 2,4,3 --batch 4 --loss softmax-ce
  symchain backprop --train --seed 42 --loss bce
  symchain backprop --format json
"""


@click.command("backprop", epilog=EXAMPLES, context_settings=SETTINGS)
@click.option("--sizes", default="2,4,1", show_default=True, help="Layer widths, input first.")
@click.option(
    "--activation",
    default="sigmoid",
    show_default=True,
    help="sigmoid, tanh, relu, softplus or identity: one for every layer, or one per layer.",
)
@click.option(
    "--loss",
    "loss_name",
    default="half-sse",
    show_default=True,
    help="half-sse, mse, bce or softmax-ce (of the output layer's scores, one-hot targets; "
    "a single --activation is then the hidden layers', the output's is identity).",
)
@click.option(
    "--batch", type=int, default=1, show_default=True, help="Samples in the numeric instance."
)
@click.option("--seed", type=int, default=None, help="Random seed [default: 0; 42 with --train].")
@click.option(
    "--layout",
    type=click.Choice(["rows", "columns"]),
    default="rows",
    show_default=True,
    help="rows: samples as rows, X @ W1 as the seed's code; columns: a = σ(Wx + b).",
)
@click.option(
    "--train", is_flag=True, help="Train on the seed's data set as the seed's script does."
)
@click.option("--epochs", type=int, default=1000, show_default=True, help="With --train.")
@click.option("--lr", default="0.1", show_default=True, help="Learning rate, with --train.")
@click.option(
    "--plot",
    "plot",
    metavar="FILE.png",
    help="With --train: the loss curve as an image (needs matplotlib).",
)
@click.option(
    "--graph",
    "graph_format",
    type=click.Choice(["dot", "svg"]),
    help="Draw the network's scalar computation graph at the instance, each node with its "
    "value and gradient, as Graphviz DOT (or SVG, needs Graphviz).",
)
@click.option("--output", "-o", "output", metavar="FILE", help="Write the --graph picture to FILE.")
@output_options(
    WRITES,
    timeout=120.0,
    timeout_help="Seconds allowed for the whole command (training included).",
    detail="brief: leave out the local derivatives and the one-weight example; "
    "normal and full: all of it.",
)
def backprop(
    sizes, activation, loss_name, batch, seed, layout, train, epochs, lr, plot,
    graph_format, output, fmt, detail, timeout, no_color, debug, notation="math",
) -> None:  # fmt: skip
    """Backpropagation as the chain rule, layer by layer, proved three ways.

    The seed's network (2 inputs, 4 hidden, 1 output, sigmoid, L = ½(y − t)²)
    unless told otherwise: forward equations, local derivatives derived by
    the step engine, the deltas and every gradient in matrix form with
    shapes, and a seeded numeric instance whose gradients are computed
    symbolically (SymPy), by NumPy backprop and by finite differences.
    """
    env = Environment(no_color=no_color, notation=notation)
    fmt = env.format(fmt)

    def compute():
        options = _options(sizes, activation, loss_name, lr, epochs, train, plot)
        return _run(env, options, batch, seed, layout, train, epochs, plot)

    walk = computed_or_exit(compute, None, env, fmt, timeout, debug)
    try:
        if graph_format:
            _draw(env, walk, graph_format, output)
        else:
            env.emit(walk, fmt, detail)
    except SymchainError as err:
        fail(env, None, err, fmt)
    finish(walk.passed)


def _draw(env: Environment, walk, fmt: str, output: str | None) -> None:
    from ..nn.scalar_graph import at_instance
    from ..render.dot import network_dot
    from .graphviz import emit_dot

    if fmt == "svg" and not output:
        raise UsageError("--graph svg needs --output FILE.svg")
    if walk.network.loss.name == "softmax-ce":
        raise UsageError("--graph draws a loss that is a sum over the outputs, one node each; "
                         "softmax-ce couples them: use --graph with another --loss")  # fmt: skip
    emit_dot(env, network_dot(at_instance(walk.network, walk.x, walk.t)), fmt, output)


def _options(sizes, activation, loss_name, lr, epochs, train, plot) -> dict:
    from ..nn.losses import loss
    from ..nn.network import parse_activations, parse_sizes

    widths = parse_sizes(sizes)
    try:
        rate = float(lr)
    except ValueError:
        raise UsageError(f"--lr wants a number, like 0.1, not {lr!r}") from None
    if not 0 < rate < 1e6 or rate != rate:
        raise UsageError("--lr wants a positive number")
    if not 1 <= epochs <= 1_000_000:
        raise UsageError("--epochs wants 1 to 1,000,000")
    if plot and not train:
        raise UsageError("--plot draws the loss curve of --train: add --train")
    chosen = loss(loss_name, backprop=True)
    layers = len(widths) - 1
    if chosen.name == "softmax-ce" and "," not in activation:
        activations = (*parse_activations(activation, layers)[:-1], "identity")
    else:
        activations = parse_activations(activation, layers)
    return {"sizes": widths, "activations": activations, "loss": chosen, "lr": rate}


def _run(
    env: Environment,
    options: dict,
    batch: int,
    seed: int | None,
    layout: str,
    train: bool,
    epochs: int,
    plot,
):
    if seed is not None and not 0 <= seed < 2**32:
        raise UsageError("--seed wants a whole number from 0 to 2**32 - 1")
    if train and batch > 100:
        raise UsageError("--batch with --train is at most 100: the seed's data set has 100 samples")
    from ..nn.backprop import walkthrough
    from ..nn.network import Network
    from ..nn.network import train as train_network

    if not train:
        net = Network(options["sizes"], options["activations"], options["loss"])
        return walkthrough(net, batch=batch, seed=0 if seed is None else seed, layout=layout)
    seed = 42 if seed is None else seed
    from .progress import progress

    with progress(env, epochs, "training") as tick:
        run = train_network(
            options["sizes"],
            options["activations"],
            options["loss"],
            epochs,
            options["lr"],
            seed,
            progress=tick,
        )
    if plot:
        from ..render.curve import save_plot

        save_plot(run.losses, plot, f"{options['loss'].title}, lr {options['lr']:g}")
        env.note(f"wrote {plot}")
    return walkthrough(
        run.network,
        batch=batch,
        seed=seed,
        layout=layout,
        x=run.x[:batch],
        t=run.t[:batch],
        training=run,
    )
