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

from ..core.errors import SymchainError
from .env import Environment
from .options import SETTINGS, formats_without, output_options
from .run import computed_or_exit, finish

WRITES = formats_without("latex", "jsonl")
DEFAULT_TIMEOUT = 60.0
FULL_TIMEOUT = 600.0  # every entry of 784-256-10 takes a minute or two

EXAMPLES = """
\b
Examples:
  symchain gradcheck cs231n/classifiers/fc_net.py:TwoLayerNet --sizes 5,4,3
  symchain gradcheck layers.py:affine --shapes x=4x5,w=5x3,b=3
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


def _init(ctx, param, value: str | None) -> dict:
    """--init '{"hidden_dims": [6, 5]}': keyword arguments, as JSON (never evaluated)."""
    import json

    if value is None:
        return {}
    try:
        found = json.loads(value)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"not JSON: {err.msg} (column {err.colno})") from None
    if not isinstance(found, dict):
        raise click.BadParameter("expected a JSON object, like '{\"reg\": 0.1}'")
    return found


def _shapes(ctx, param, value: str | None) -> dict[str, tuple[int, ...]]:
    """--shapes x=4x5,w=5x3,b=3: the shape of each array argument of a layer function."""
    if not value:
        return {}
    out = {}
    for part in value.split(","):
        name, eq, dims = part.strip().partition("=")
        try:
            shape = tuple(int(d) for d in dims.replace("×", "x").split("x"))
        except ValueError:
            shape = ()
        if not eq or not name.isidentifier() or not shape or any(d < 1 for d in shape):
            raise click.BadParameter(f"{part!r}: expected NAME=RxC, like x=4x5 or b=3")
        out[name] = shape
    return out


@click.command("gradcheck", epilog=EXAMPLES, context_settings=SETTINGS)
@click.argument("spec", metavar="FILE.py:NAME")
@click.option(
    "--loss",
    "loss_name",
    type=click.Choice(["half-sse", "mse", "bce", "softmax-ce", "ce", "hinge"]),
    default="mse",
    show_default=True,
    help="The loss whose gradient backward should apply.",
)
@click.option(
    "--reduction",
    type=click.Choice(["mean", "sum", "mean-samples", "mean-all"]),
    default="mean",
    show_default=True,
    help="mean: the loss's own average (half-sse over samples, mse and bce over samples and "
    "outputs); sum; mean-samples: average over samples, add over outputs; mean-all.",
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
    help="Finite-difference step, relative to the entry's size [default: 1e-6; float32 1e-3; "
    "seed's interface, float32: 1e-2].",
)
@click.option(
    "--rtol",
    type=click.FloatRange(min=0),
    help="Relative tolerance, beside a floor of 1e-3 × the parameter's largest gradient "
    "[default: 1e-4; float32 3e-3; seed's interface, as torch.autograd.gradcheck: 1e-3, "
    "float32 1e-2].",
)
@click.option(
    "--atol",
    type=click.FloatRange(min=0),
    help="Absolute tolerance of the seed's interface, as in torch.autograd.gradcheck "
    "[default: 1e-5; float32 1e-4]; the other checks scale theirs to the gradient.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "full", "directional"]),
    default="auto",
    show_default=True,
    help="full: every entry by central differences; directional: a few random directions "
    "per array; auto: every entry of the arrays that fit in about half a second, directions "
    "for the rest (seed's interface: full up to 5000 parameters).  With full, the default "
    f"timeout is {FULL_TIMEOUT:g} s.",
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
    "--init",
    callback=_init,
    metavar="JSON",
    help="Keyword arguments for the constructor (or a layer function's non-array "
    "arguments), as a JSON object.",
)
@click.option(
    "--shapes",
    callback=_shapes,
    metavar="NAME=RxC,...",
    help="Layer functions: the shape of each array argument of NAME_forward.",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    metavar="FILE.npz",
    help="Arrays X and y to check with (a class with loss(X, y)); random ones otherwise.",
)
@click.option("--forward", "forward_name", metavar="METHOD",
              help="Any class: the method giving the outputs [default: forward, feedforward, "
              "predict, query, ...].")  # fmt: skip
@click.option("--backward", "backward_name", metavar="METHOD",
              help="Any class: the method computing (or applying) the gradients [default: "
              "backward, backprop, propagate_backward, ...].")  # fmt: skip
@click.option(
    "--l2",
    type=click.FloatRange(min=0),
    metavar="LAMBDA",
    help="Any class: add ½·LAMBDA·Σ‖W‖² over the weight matrices to --loss.",
)
@click.option(
    "--run-all",
    "run_all",
    is_flag=True,
    help="Run the file's top-level loops and calls too (a training script outside "
    "__main__ is left out by default).",
)
@click.option(
    "--columns", is_flag=True, help="Any class: samples are columns (X is features × samples)."
)
@click.option(
    "--one-hot",
    "one_hot",
    is_flag=True,
    help="Any class, softmax-ce/ce/hinge: pass the targets one-hot.",
)
@output_options(
    WRITES,
    timeout=DEFAULT_TIMEOUT,
    timeout_help="Seconds allowed for the whole check (loading the file included).",
    detail=None,
    notation=False,
)
@click.pass_context
def gradcheck(
    ctx, spec, loss_name, reduction, sizes, batch, seed, lr, eps, rtol, atol, method, directions,
    init, shapes, data, forward_name, backward_name, l2, run_all, columns, one_hot, fmt,
    timeout, no_color, debug,
) -> None:  # fmt: skip
    """Check the gradients a hand-written NumPy backward pass computes against the true ones.

    FILE.py:NAME names one of: a class in cs231n's shape (self.params, a dict
    of arrays, and loss(X, y) returning (loss, grads), or loss(x, t) and
    gradient(x, t)); a pair of layer functions NAME_forward(x, w, ...) ->
    (out, cache) and NAME_backward(dout, cache) -> (dx, dw, ...); a class with
    the seed's interface (arrays W1, b1, ..., forward(X), backward(X, y,
    learning_rate) that updates them); or any other class, whose arrays are
    found wherever it keeps them and whose backward returns, stores or applies
    the gradients (--forward, --backward, --loss, --columns, --one-hot, --l2).
    THIS RUNS FILE.py: only check code you trust.

    Every array is checked by central differences of the loss.  Per parameter:
    the worst entry, the wrong ones, and the mistake when it is a known one.
    Exit 0 every gradient is right, 1 one is not (or could not be confirmed),
    2 bad input.
    """
    from click.core import ParameterSource

    env = Environment(no_color=no_color)
    fmt = env.format(fmt)
    if method == "full" and ctx.get_parameter_source("timeout") is ParameterSource.DEFAULT:
        timeout = FULL_TIMEOUT
    settings = _settings(locals())
    given_sizes = ctx.get_parameter_source("sizes") is not ParameterSource.DEFAULT
    explicit = {flag for flag, name in _GENERAL.items()
                if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT}  # fmt: skip
    general = dict(forward=forward_name, backward=backward_name, l2=l2, columns=columns,
                   one_hot=one_hot, loss=loss_name, reduction=reduction, lr=lr,
                   default_sizes=sizes, run_all=run_all, method=method, given=explicit)  # fmt: skip
    found = dict(sizes=sizes if given_sizes else None, init=init, shapes=shapes, data=data,
                 batch=batch, seed=seed, options=general)  # fmt: skip
    from .isolated import run_isolated
    from .progress import progress

    def isolated():  # the user's code in a child process: it cannot reach the report
        with progress(env, None, "checking", sized=True) as tick:
            return run_isolated(
                lambda told: _check(spec, settings, found, told), timeout, spec, tick
            )

    report = computed_or_exit(isolated, spec, env, fmt, timeout + 5, debug)
    env.emit(report, fmt)
    finish(report.ok if hasattr(report, "ok") else report.passed)


#: The options only the any-class check uses (its loss is symchain's), by flag.
_GENERAL = {"--loss": "loss_name", "--reduction": "reduction", "--columns": "columns",
            "--one-hot": "one_hot", "--forward": "forward_name", "--l2": "l2"}  # fmt: skip


def _settings(options: dict):
    from ..nn.gradcheck import Settings
    from ..nn.losses import loss

    return Settings(
        loss=loss(options["loss_name"], options["reduction"], labels=True),
        sizes=options["sizes"],
        batch=options["batch"],
        seed=options["seed"],
        lr=options["lr"],
        eps=options["eps"],
        rtol=options["rtol"],
        atol=options["atol"],
        method=options["method"],
        directions=options["directions"],
        run_all=options["run_all"],
    )


def _check(spec: str, settings, found: dict, progress=None):
    """The report; anything the user's code prints goes to stderr, so stdout stays the report.

    A cs231n-style class or a pair of layer functions is checked by `symchain.gradcheck`;
    a class with the seed's interface by the seed's check, which also names the loss.
    """
    from dataclasses import replace

    from ..nn import models
    from ..nn.gradcheck import gradcheck as seed_check
    from ..nn.gradients import gradcheck as check

    with contextlib.redirect_stdout(sys.stderr):
        target = models.find(spec, **found)
        if target is None:
            return seed_check(spec, settings, progress)
        report = check(
            target.loss, target.params, target.grads, settings.method,
            eps=settings.eps, rtol=settings.rtol, directions=settings.directions,
            samples=target.samples, seed=settings.seed, bind=target.bind, progress=progress,
        )  # fmt: skip
        report = replace(report, about=target.about)
        if not report.ok and target.loss_of is not None:  # any class: the loss is ours
            report = _l2_hint(_which_loss(report, target, settings))
        if not report.ok and target.loss_of is not None and target.loss_name.labels and \
                not found["options"].get("one_hot"):  # fmt: skip
            report = _one_hot_hint(spec, found, report, settings)
        if not report.ok and target.samples and target.samples > 1 and found["data"] is None:
            report = _one_sample(spec, found, report, settings)
        rate = getattr(target.grads, "rate_attribute", None)
        if rate:
            report = replace(report, about=(*report.about, (
                f"backward applies its step with self.{rate}, set to {settings.lr:g} for the "
                f"call: the gradient is (before − after)/{settings.lr:g}"
            )))  # fmt: skip
        if getattr(target.grads, "fixed_rate", False):
            report = replace(report, about=(*report.about, (
                f"backward takes no learning rate: the step it applied is read as "
                f"{settings.lr:g} × the gradient (--lr says otherwise)"
            )))  # fmt: skip
        if not report.ok and getattr(target.grads, "order_matched", False):
            order = ", ".join(target.params)
            report = replace(report, notes=(*report.notes, (
                "backward returned its gradients unnamed, and some parameters share a "
                f"shape: they were matched in the order the parameters were found ({order}); "
                "if backward returns them in another order, return a dict by name"
            )))  # fmt: skip
        return report


ONE_SAMPLE_ENTRIES = 50_000  # the most entries checked again with one sample


ONE_HOT_NOTE = ("with the targets passed one-hot (--one-hot) every gradient is right: the "
                "backward reads one-hot targets, and got integer labels here")  # fmt: skip


def _one_hot_hint(spec: str, found: dict, report, settings):
    """A label loss's failure, checked again with the targets passed one-hot: a backward
    that computes Y − A needs them so, and integer labels broadcast into nonsense."""
    from dataclasses import replace

    from ..nn import models
    from ..nn.gradients import gradcheck as check

    try:
        hot = models.find(spec, **{**found, "options": {**found["options"], "one_hot": True}})
        if hot is None:
            return report
        again = check(hot.loss, hot.params, hot.grads, "auto", eps=settings.eps,
                      rtol=settings.rtol, seed=settings.seed, bind=hot.bind)  # fmt: skip
    except SymchainError:
        return report  # one-hot targets do not suit this model either: nothing more to say
    if not again.ok:
        return report
    return replace(report, notes=(*report.notes, ONE_HOT_NOTE))


def _one_sample(spec: str, found: dict, report, settings):
    """Wrong gradients no known mistake explains, checked again with one sample.  There a
    dense layer's gradient is x·δᵀ, so a missing activation derivative shows as a factor per
    unit and can be named; in a batch the samples' factors mix."""
    from dataclasses import replace

    from ..nn import models
    from ..nn.gradients import MIXED_FACTORS
    from ..nn.gradients import gradcheck as check

    if ONE_HOT_NOTE in report.notes:
        return report  # explained already
    unnamed = [c.name for c in report.parameters if c.passed is False and c.mistake is None]
    if not unnamed:
        return report
    try:
        one = models.find(spec, **{**found, "batch": 1})
        subset = {n: one.params[n] for n in unnamed if n in one.params} if one else {}
        if not subset or sum(p.size for p in subset.values()) > ONE_SAMPLE_ENTRIES:
            return report
        again = check(one.loss, subset, one.grads, "full", eps=settings.eps, rtol=settings.rtol,
                      samples=1, seed=settings.seed, bind=one.bind)  # fmt: skip
    except SymchainError:
        return report  # one sample does not suit this model (a batchnorm, say): no more said
    words = [f"with one sample (--batch 1), {c.name}: {c.mistake}" for c in again.parameters
             if c.per_unit and not (c.mistake or "").endswith(MIXED_FACTORS)]  # fmt: skip
    return replace(report, notes=(*report.notes, *words)) if words else report


def _l2_hint(report):
    """Where every wrong gradient has the same extra λ·θ and the loss is --loss: --l2 λ adds
    that term to the loss checked, if the network's loss has it."""
    from dataclasses import replace

    notes = tuple(
        n + f" (if your loss has it, give --l2 {n.split('extra ', 1)[1].split('·θ')[0]})"
        if n.startswith("every wrong gradient has the same extra")
        else n
        for n in report.notes
    )
    return replace(report, notes=notes)


def _which_loss(report, target, settings):
    """When the gradients are wrong for --loss: the known loss they are right for, if any
    (the same kind of target: a matrix for mse, half-sse, bce; labels for the others)."""
    from dataclasses import replace

    import numpy as np

    from ..nn.gradients import gradcheck as check
    from ..nn.losses import ALL_REDUCTIONS, LABEL_LOSSES, LOSS_NAMES, REDUCTIONS, Loss

    asked = target.loss_name
    names = LABEL_LOSSES if asked.labels else LOSS_NAMES
    seen = {(asked.name, asked.scale(2, 3))}
    for name in names:
        for reduction in REDUCTIONS if asked.labels else ALL_REDUCTIONS:
            other = Loss(name, reduction)
            if (name, other.scale(2, 3)) in seen:
                continue  # the same loss by another name (half-sse mean is mean-samples)
            seen.add((name, other.scale(2, 3)))
            try:
                with np.errstate(all="ignore"):  # log of outputs outside (0, 1): not this one
                    found = check(target.loss_of(other), target.params, target.grads, "auto",
                                  seed=settings.seed)  # fmt: skip
            except SymchainError:
                continue  # bce of outputs outside (0, 1), say: not this one
            if found.ok:
                words = (f"your backward computes the gradient of {other.title} "
                         f"(--loss {other.name} --reduction {other.reduction}), not of "
                         f"{asked.title}")  # fmt: skip
                return replace(report, notes=(*report.notes, words))
    return report
