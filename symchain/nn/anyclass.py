"""A network class of any shape: its weights wherever they live, its backward however it
hands the gradients over, and a known loss of its outputs.

* Parameters: every float array held by the instance right after construction: in an
  attribute (`self.W1`), a list or tuple (`self.weights[0]`), a dict (`self.params['W1']`),
  or an object in a list (`self.layers[0].W`), except arrays the forward pass writes
  into (activations kept for the backward pass are state, not parameters).
* Calls: `forward(X)` (or --forward NAME) and `backward(...)` (or --backward NAME), whose
  arguments are bound by name: X, x, inputs → the inputs; y, t, targets, labels → the
  targets; lr, learning_rate, eta, alpha → the learning rate; momentum, mu → 0; output,
  outputs, y_pred, yhat → forward's output.  Forward is called right before backward,
  since a backward reads what forward kept.
* The claimed gradients: what backward returns (a dict by name, or arrays in the order of
  the parameters); else what it applied, (before − after)/lr, checked at a second learning
  rate to make sure the update is proportional to it; else what it stored in attributes
  named after the parameters (dW1, grad_W1, W1_grad, or a dict of them).
* The loss: `--loss` of forward's output against targets made to fit it (losses.py).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import UsageError
from .gradcheck import _call

FORWARD_NAMES = ("forward", "feedforward", "feed_forward", "propagate_forward", "predict", "query")
BACKWARD_NAMES = ("backward", "backprop", "backpropagate", "back_propagation", "backpropagation",
                  "propagate_backward", "backward_pass")  # fmt: skip
_INPUTS = {"x", "inputs", "input", "data", "features", "a0", "input_list", "inputs_list"}
_TARGETS = {"y", "t", "target", "targets", "labels", "label", "y_true", "targets_list"}
_RATES = {"lr", "learning_rate", "eta", "alpha", "lrate", "step_size", "rate"}
_ZEROS = {"momentum", "mu", "beta", "weight_decay_momentum"}
_OUTPUTS = {"output", "outputs", "y_pred", "yhat", "y_hat", "prediction", "predictions", "out"}
#: The gradient of the loss with respect to forward's output, as a layer's backward takes it.
_OUTPUT_GRADS = {"dout", "d_out", "grad_output", "grad_out", "output_error", "output_grad",
                 "output_gradient", "delta", "dy", "grad", "gradient", "upstream", "dl_dy",
                 "error", "err", "dvalues", "d_values", "da", "d_a"}  # fmt: skip


@dataclass(frozen=True)
class Slot:
    """Where a parameter lives, so it can be read and put back: obj.attr, obj.attr[key]."""

    name: str  # as shown: W1, weights[0], params['W1'], layers[0].W
    owner: Any
    key: Any  # attribute name (str), or an index / dict key into `container`
    container: Any = None  # the list or dict, when the array sits in one

    def get(self) -> Any:
        if self.container is not None:
            return self.container[self.key]
        return getattr(self.owner, self.key)

    def put(self, value: Any) -> None:
        if self.container is not None:
            self.container[self.key] = value
        else:
            setattr(self.owner, self.key, value)


_DEPTH = 3  # model.layers[0].params['w']: three steps down, and no further


def slots(model: Any) -> list[Slot]:
    """Every float array the model holds: in attributes, lists, dicts and the objects in
    them (self.fc1.W, self.layers[0].params['w']), up to three steps down."""
    found: list[Slot] = []
    seen: set[int] = set()

    def add(slot: Slot) -> None:
        value = slot.get()
        floating = isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)
        if floating and id(value) not in seen and value.size:
            seen.add(id(value))
            found.append(slot)

    def walk(owner: Any, prefix: str, depth: int, visited: frozenset[int]) -> None:
        if depth > _DEPTH or id(owner) in visited:
            return
        visited = visited | {id(owner)}
        for attr, value in _attributes(owner):
            name = f"{prefix}.{attr}" if prefix else attr
            if isinstance(value, np.ndarray):
                add(Slot(name, owner, attr))
            else:
                inside(value, name, depth, visited)

    def inside(value: Any, name: str, depth: int, visited: frozenset[int]) -> None:
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, np.ndarray):
                    if isinstance(value, list):
                        add(Slot(f"{name}[{i}]", value, i, value))
                else:
                    inside(item, f"{name}[{i}]", depth + 1, visited)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, np.ndarray):
                    add(Slot(f"{name}[{key!r}]", value, key, value))
                else:
                    inside(item, f"{name}[{key!r}]", depth + 1, visited)
        elif _is_object(value):
            walk(value, name, depth + 1, visited)

    walk(model, "", 0, frozenset())
    return found


def _is_object(value: Any) -> bool:
    """An instance of a user's class (a layer), not a module, class, function or number."""
    import types

    plain = (types.ModuleType, types.FunctionType, types.MethodType, type, str, bytes,
             int, float, complex, bool, np.generic, np.random.Generator,
             np.random.RandomState)  # fmt: skip
    return hasattr(value, "__dict__") and not isinstance(value, plain)


def _attributes(obj: Any) -> list[tuple[str, Any]]:
    try:
        items = vars(obj)
    except TypeError:
        return []
    return [(k, v) for k, v in items.items() if not k.startswith("__")]


def named_method(model: Any, given: str | None, names: tuple[str, ...], option: str
                 ) -> Callable | None:  # fmt: skip
    """The method `given` by the user (an error if the model has none), else the first of
    `names` it has, else None."""
    if given is not None:
        found = getattr(model, given, None)
        if not callable(found):
            raise UsageError(f"{type(model).__name__} has no method {given!r} ({option})")
        return found
    return next((m for m in (getattr(model, n, None) for n in names) if callable(m)), None)


def method(model: Any, given: str | None, names: tuple[str, ...], what: str) -> Callable:
    found = named_method(model, given, names, what)
    if found is not None:
        return found
    if what == "backward":  # Rashid's train(inputs, targets): one step, whatever its name
        step = getattr(model, "train", None)
        if callable(step) and _one_step(step):
            return step
    words = (
        r"grad|prime|train|back|update|step|deriv"
        if what == "backward"
        else r"forward|predict|query|output|run|eval|call"
    )
    near = sorted(n for n in dir(model) if not n.startswith("_") and callable(
        getattr(model, n, None)) and re.search(words, n, re.IGNORECASE))  # fmt: skip
    hint = f" (it has {', '.join(near[:8])})" if near else ""
    raise UsageError(f"{type(model).__name__} has none of {', '.join(names)} for {what}: "
                     f"name it with --{what}{hint}")  # fmt: skip


def _returning(model: Any, forward: Callable) -> Callable:
    """forward, or, when it returns None and keeps its result (self.output = ..., as the
    "Neural Networks from Scratch" layers do), forward then that array."""

    @functools.wraps(forward)
    def call(*args: Any, **kwargs: Any) -> Any:
        out = forward(*args, **kwargs)
        if out is not None:
            return out
        for name in ("output", "outputs", "out", "a", "y_pred", "yhat", "y_hat"):
            value = getattr(model, name, None)
            if isinstance(value, np.ndarray):
                return value
        raise UsageError(f"{type(model).__name__}.{forward.__name__} returned None and kept no "
                         "output (self.output) to read: it must return its outputs or keep "
                         "them")  # fmt: skip

    return call


def _one_step(train: Callable) -> bool:
    """A train method that takes inputs and targets and no count of epochs or iterations:
    one step of gradient descent, as a backward that applies its update."""
    try:
        names = [n.lower() for n in inspect.signature(train).parameters]
    except (TypeError, ValueError):
        return False
    loops = ("epoch", "iter", "steps", "n_iter", "num_iters", "batch_size")
    return (any(n in _INPUTS for n in names) and any(n in _TARGETS for n in names)
            and not any(word in n for n in names for word in loops))  # fmt: skip


def bind(function: Callable, values: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Arguments by name: inputs, targets, learning rate, momentum 0, forward's output."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        raise UsageError(f"cannot read the arguments of {what}") from None
    out, unknown, used = {}, [], set()
    for p in signature.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        kind = _kind(p.name)
        if kind is not None and kind in values:
            out[p.name] = values[kind]
            used.add(kind)
        elif p.default is inspect.Parameter.empty:
            unknown.append(p.name)
    free = [k for k in ("X", "y") if k in values and k not in used]
    if what == "forward":  # feedforward(a): a lone unknown argument is the inputs
        while unknown and free:
            out[unknown.pop(0)] = values[free.pop(0)]
    if unknown:
        raise UsageError(
            f"{what}{signature}: cannot tell what to pass as {', '.join(unknown)} (symchain "
            "passes inputs as X or x, targets as y or t, the learning rate as lr or eta, "
            "forward's output as output)"
        )
    return out


def _kind(name: str) -> str | None:
    low = name.lower()
    for kind, names in (("X", _INPUTS), ("y", _TARGETS), ("lr", _RATES), ("zero", _ZEROS),
                        ("output", _OUTPUTS), ("output_grad", _OUTPUT_GRADS)):  # fmt: skip
        if low in names:
            return kind
    return None


def claimed_gradients(
    model: Any,
    found: list[Slot],
    forward: Callable,
    backward: Callable,
    values: dict[str, Any],
    lr: float,
    kind: str,
    output_grad: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Callable[[], dict[str, np.ndarray]]:
    """A function giving the claimed gradients, whichever way backward hands them over; the
    parameters are put back after every call."""

    rate_attribute = _rate_attribute(model, backward)
    try:
        takes_rate = bool({n.lower() for n in inspect.signature(backward).parameters} & _RATES)
    except (TypeError, ValueError):
        takes_rate = False
    fixed_rate = not takes_rate and rate_attribute is None  # its step is its own: read as lr·g

    def once(rate: float) -> tuple[Any, dict[str, np.ndarray], dict[str, Any]]:
        before = {s.name: s.get() for s in found}
        copies = {n: v.copy() for n, v in before.items()}
        kept_rate = getattr(model, rate_attribute) if rate_attribute else None
        if rate_attribute:  # self.lr, read by a backward that takes none: set for the call
            setattr(model, rate_attribute, rate)
        try:
            output = _call(f"{kind}.{forward.__name__}",
                           lambda: forward(**bind(forward, values, "forward")))  # fmt: skip
            call_values = {**values, "lr": rate, "zero": 0.0, "output": output}
            if output_grad is not None:  # backward(dout): the loss's gradient at the output
                call_values["output_grad"] = output_grad(np.asarray(output))
            result = _call(f"{kind}.{backward.__name__}",
                           lambda: backward(**bind(backward, call_values, "backward")))  # fmt: skip
            after = {s.name: np.array(s.get(), dtype=np.float64) for s in found}  # a copy
            stored = _stored_now(model, found)
        finally:
            for s in found:  # the original arrays, with their original values, back in place
                array = before[s.name]
                array[...] = copies[s.name]
                s.put(array)
            if rate_attribute:
                setattr(model, rate_attribute, kept_rate)
        applied = {n: (copies[n].astype(np.float64) - after[n]) / rate for n in copies}
        return result, applied, stored

    def grads() -> dict[str, np.ndarray]:
        result, applied, stored = once(lr)
        returned = _returned(result, found)
        if returned is not None:
            shapes = [s.get().shape for s in found]
            # unnamed, in order, with shapes that repeat: say so if the check then fails
            grads.order_matched = not isinstance(result, Mapping) and len(set(shapes)) < len(
                shapes
            )  # type: ignore[attr-defined]  # fmt: skip
            return returned
        if any(np.any(g) for g in applied.values()):
            _, same, _ = once(lr)
            for n, g in applied.items():
                if np.max(np.abs(g - same[n])) > 1e-9 * (np.max(np.abs(g)) + 1e-300):
                    raise UsageError(
                        f"the update of {n} differs between two calls from the same "
                        "parameters: backward keeps optimizer state (momentum, Adam), so "
                        "its step is not the gradient; give the gradients through the "
                        "Python API instead"
                    )
            if fixed_rate:
                grads.fixed_rate = True  # type: ignore[attr-defined]
                return applied
            grads.rate_attribute = rate_attribute  # type: ignore[attr-defined]
            _, again, _ = once(lr / 2)
            for n, g in applied.items():
                scale = np.max(np.abs(g)) + 1e-300
                if np.max(np.abs(g - again[n])) > 1e-6 * scale + 1e-12:
                    raise UsageError(
                        f"the update of {n} is not proportional to the learning rate (lr "
                        f"{lr:g} and {lr / 2:g} give different steps): momentum or an "
                        "optimizer other than plain gradient descent; give the gradients "
                        "through the Python API instead"
                    )
            return applied
        if stored is not None:
            return stored
        one = _one_sample_shaped(result, found)
        if one is not None:
            raise PerSample(f"{kind}.{backward.__name__} returned {one}: it computes one "
                            "sample's gradients; give --batch 1", detail=f"{kind}."
                            f"{backward.__name__} returned {one}")  # fmt: skip
        raise UsageError(
            f"{kind}.backward returned no gradients, changed no parameter and stored none "
            f"that symchain could find (looked for d{found[0].key}, grad_{found[0].key}, ...)"
        )

    return grads


def _rate_attribute(model: Any, backward: Callable) -> str | None:
    """The attribute holding the learning rate (self.lr, self.eta), when backward takes no
    learning rate of its own."""
    try:
        names = {p.lower() for p in inspect.signature(backward).parameters}
    except (TypeError, ValueError):
        names = set()
    if names & _RATES:
        return None
    for name, value in _attributes(model):
        if name.lower() in _RATES and isinstance(value, int | float) and value > 0:
            return name
    return None


def _flat(result: Any) -> list[Any]:
    """(nabla_b, nabla_w) lists, or a tuple of arrays, as one list in order."""
    if isinstance(result, np.ndarray):
        return [result]
    if isinstance(result, list | tuple):
        return [a for item in result for a in _flat(item)]
    return [result]


class PerSample(UsageError):
    """A backward that handles one sample at a time (Nielsen's backprop(x, y)) was given a
    batch: its bias gradients come back with a column per sample."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail  # what came back, in words


def _one_sample_shaped(result: Any, found: list[Slot]) -> str | None:
    """'biases[0]'s gradient 4×16 for a 4×1 array' when backward returned one array per
    parameter, in order, and those that do not fit have a column (or row) per sample where
    the parameter has 1: a per-sample backward's deltas."""
    if not (isinstance(result, list | tuple) and result):
        return None
    arrays = [np.asarray(r) for r in _flat(result)]
    if len(arrays) != len(found):
        return None
    for a, slot in zip(arrays, found, strict=True):
        shape = slot.get().shape
        if a.shape == shape:
            continue
        if a.ndim == len(shape) == 2 and 1 in shape and a.shape[shape.index(1) - 1] == (
                shape[shape.index(1) - 1]) and a.shape[shape.index(1)] > 1:  # fmt: skip
            shown = "×".join(map(str, a.shape)), "×".join(map(str, shape))
            return f"{slot.name}'s gradient {shown[0]} for a {shown[1]} array"
        return None
    return None


def _returned(result: Any, found: list[Slot]) -> dict[str, np.ndarray] | None:
    if isinstance(result, Mapping):
        out = {}
        for s in found:
            for base in {s.name, str(s.key)}:  # p['W'] may come back as W, dW, grad_W, W_grad
                for key in (base, f"d{base}", f"grad_{base}", f"{base}_grad"):
                    if key in result:
                        out[s.name] = np.asarray(result[key])
        return out if len(out) == len(found) else None
    if isinstance(result, list | tuple) and result:
        arrays = [np.asarray(r) for r in _flat(result)]
        if len(arrays) != len(found) or not all(isinstance(a.dtype, np.dtype) for a in arrays):
            return None
        shapes = [s.get().shape for s in found]
        if all(a.shape == shape for a, shape in zip(arrays, shapes, strict=True)):
            return {s.name: a for s, a in zip(found, arrays, strict=True)}  # in order
        if len(set(shapes)) == len(shapes):  # every shape once: matched by shape
            by_shape = {a.shape: a for a in arrays}
            if set(by_shape) == set(shapes):
                return {s.name: by_shape[s.get().shape] for s in found}
    return None


def _stored_now(model: Any, found: list[Slot]) -> dict[str, np.ndarray] | None:
    """The gradients backward stored, copied: next to each parameter on the object that
    holds it (self.dW1, self.fc1.dW, layer.grad_W, W_grad), or in a `grads` dict beside
    its `params` dict (layer.grads['w'])."""
    out = {}
    for s in found:
        key = str(s.key)
        holder = s.owner if s.container is None else None
        names = (f"d{key}", f"grad_{key}", f"{key}_grad", f"d_{key}", f"grad{key}")
        for name in names:
            value = getattr(holder, name, None) if holder is not None else None
            if value is None and s.container is not None and isinstance(s.container, dict):
                value = s.container.get(name)
            if isinstance(value, np.ndarray) and value.size == s.get().size:
                out[s.name] = np.array(value, dtype=np.float64).reshape(s.get().shape)
        if s.name not in out:
            for dict_name in ("grads", "gradients", "grad"):
                for owner in (model, *_dict_owners(model, s)):
                    grads = getattr(owner, dict_name, None)
                    if isinstance(grads, Mapping) and key in grads:
                        out[s.name] = np.array(grads[key], dtype=np.float64)
    return out if len(out) == len(found) else None


def _dict_owners(model: Any, slot: Slot) -> list[Any]:
    """The objects whose attribute is the dict a parameter sits in (layer.params['w'])."""
    found = []

    def look(obj: Any, depth: int) -> None:
        if depth > _DEPTH:
            return
        for _, value in _attributes(obj):
            if value is slot.container:
                found.append(obj)
            elif isinstance(value, list | tuple):
                for item in value:
                    if _is_object(item):
                        look(item, depth + 1)
            elif _is_object(value):
                look(value, depth + 1)

    look(model, 0)
    return found


def any_class(
    model: Any,
    shown: str,
    *,
    loss: Any,  # losses.Loss
    l2: float,
    data: tuple[np.ndarray, np.ndarray] | None,
    batch: int,
    seed: int,
    lr: float,
    forward_name: str | None,
    backward_name: str | None,
    columns: bool,
    one_hot: bool = False,
) -> tuple[Any, ...]:
    """(loss, params, grads, samples, about, loss_of, put) for a built model of any shape
    (see above); loss_of(another Loss) is the loss function for that one, and put(name, a)
    puts an array where the model reads that parameter."""
    kind = type(model).__name__
    forward = _returning(model, method(model, forward_name, FORWARD_NAMES, "forward"))
    backward = method(model, backward_name, BACKWARD_NAMES, "backward")
    found = slots(model)
    if not found:
        raise UsageError(f"{shown} holds no float arrays to check")
    before = {s.name: s.get().copy() for s in found}
    candidates = [data] if data is not None else _inputs(found, batch, seed, columns)
    for number, (X, t) in enumerate(candidates):  # the input size: one axis of W, or the other
        values = {"X": X, "y": t}
        arguments = bind(forward, values, "forward")
        try:
            output = np.asarray(_call(f"{kind}.{forward.__name__}",
                                      lambda a=arguments: forward(**a)))  # fmt: skip
            break
        except UsageError as err:
            for s in found:
                s.get()[...] = before[s.name]
            if number == len(candidates) - 1:
                if data is not None:
                    raise
                other = "rows? leave out --columns" if columns else "columns? give --columns"
                raise UsageError(f"{err} (samples as {other})") from err
    n = X.shape[1] if columns else X.shape[0]
    # rows in, columns out (Rashid's np.array(inputs_list, ndmin=2).T): outputs per column
    flip = not columns and output.ndim == 2 and output.shape[1] == n != output.shape[0]
    outputs_in_columns = columns or flip
    rows_out = output.T if flip else output  # what the targets are shaped after
    state_arrays = [s.name for s in found if not np.array_equal(s.get(), before[s.name])]
    for s in found:
        s.get()[...] = before[s.name]
    data_arrays = [s.name for s in found if s.get() is X or s.get() is t]  # its own data
    params_slots = [s for s in found if s.name not in state_arrays + data_arrays]
    if data is None:
        t = _targets(loss, rows_out, seed, columns)
    else:
        _check_targets(loss, t, rows_out, columns)
    values["y"] = _encoded(t, rows_out, columns) if one_hot and loss.labels else t

    def output_grad(y: np.ndarray) -> np.ndarray:
        yy = y.T if outputs_in_columns else y
        target = t.T if columns and t.ndim == 2 else t
        g = loss.gradient(np.asarray(yy, dtype=np.float64), target)
        return (g.T if outputs_in_columns else g).astype(y.dtype)

    grads = claimed_gradients(model, params_slots, forward, backward, values, lr, kind,
                              output_grad)  # fmt: skip
    params = {s.name: s.get() for s in params_slots}
    weights = [s for s in params_slots if s.get().ndim >= 2 and not _is_bias(s)]

    def loss_of(chosen: Any) -> Callable[[], float]:
        """The loss to check against, for `loss` or another known one (which loss does the
        backward compute?)."""

        def value() -> float:
            y = np.asarray(forward(**bind(forward, values, "forward")), dtype=np.float64)
            if outputs_in_columns:
                y = y.T
            target = t.T if columns and t.ndim == 2 else t
            total = chosen.value(y, target)
            if l2:
                total += 0.5 * l2 * sum(float(np.sum(s.get().astype(np.float64) ** 2))
                                        for s in weights)  # fmt: skip
            return total

        return value

    loss_value = loss_of(loss)
    with np.errstate(all="ignore"):
        first = loss_value()
    if not np.isfinite(first):
        low, high = float(np.min(output)), float(np.max(output))
        needs = {"bce": "outputs in (0, 1)", "ce": "probabilities, each in (0, 1]"}
        raise UsageError(
            f"{loss.title} is not defined at {forward.__name__}'s outputs (they range over "
            f"[{low:.3g}, {high:.3g}])"
            + (f": {loss.name} needs {needs[loss.name]}" if loss.name in needs else "")
        )

    about = [
        f"{shown}: {forward.__name__} and {backward.__name__}; parameters "
        f"{', '.join(params)}"
        + (f" (not {', '.join(state_arrays)}, which forward writes)" if state_arrays else "")
        + (f" (not {', '.join(data_arrays)}: the data)" if data_arrays else ""),  # fmt: skip
        f"loss: {loss.title}, of {forward.__name__}'s output"
        + (f", plus ½·{l2:g}·Σ‖W‖² over the weight matrices" if l2 else ""),
    ]
    strength = _regularization(model)
    if strength is not None and not l2:  # found, not guessed: its form is the code's
        name, value = strength
        about.append(f"the model has {name} = {value:g}, and no L2 term was added to the loss "
                     f"checked; if its loss has ½·{name}·‖W‖², give --l2 {value:g}")  # fmt: skip
    if flip:
        about.append(f"{forward.__name__} takes samples as rows and returns them as columns "
                     f"({'×'.join(map(str, output.shape))} for {n} samples): read so")  # fmt: skip
    samples = n
    where = {s.name: s for s in params_slots}

    def put(name: str, array: np.ndarray) -> None:
        where[name].put(array)

    return loss_value, params, grads, samples, about, loss_of, put


_BIAS = re.compile(r"^(b|bias|biases|beta|w0|intercept|c)\d*$", re.IGNORECASE)


def _is_bias(slot: Slot) -> bool:
    """A bias by its name (b1, biases[0], p['b'], w0), kept as a column or row: no L2."""
    key = slot.key if isinstance(slot.key, str) else slot.name.rsplit("[", 1)[0].split(".")[-1]
    return bool(_BIAS.match(str(key)))


_REGULARIZATION = ("reg", "l2", "lam", "lmbda", "lambda_", "lamda", "weight_decay", "alpha_l2",
                   "reg_lambda", "l2_reg", "weight_decay_lambda")  # fmt: skip


def _regularization(model: Any) -> tuple[str, float] | None:
    """(attribute, value) of an L2 strength the model keeps (self.reg = 0.1), if any."""
    for name, value in _attributes(model):
        if name.lower() in _REGULARIZATION and isinstance(value, int | float) and value > 0:
            return name, float(value)
    return None


def _check_targets(loss: Any, t: np.ndarray, output: np.ndarray, columns: bool) -> None:
    """y from --data must fit forward's output: the same shape (labels: one per sample)."""
    samples = output.shape[1] if columns else output.shape[0]
    if loss.labels:
        if np.ndim(t) != 1 or len(t) != samples:
            raise UsageError(f"y from --data has shape {np.shape(t)}; {loss.name} needs one "
                             f"integer label per sample: shape ({samples},)")  # fmt: skip
    elif np.shape(t) != output.shape:
        raise UsageError(f"y from --data has shape {np.shape(t)}, but forward's output has "
                         f"{output.shape}: they must match")  # fmt: skip


def _encoded(labels: np.ndarray, output: np.ndarray, columns: bool) -> np.ndarray:
    """Integer labels as one-hot rows (columns with --columns), for a backward that wants
    them so; the loss still reads the labels."""
    k = output.shape[0] if columns else output.shape[1]
    hot = np.eye(k, dtype=output.dtype)[np.asarray(labels, dtype=int)]
    return hot.T if columns else hot


def _inputs(found: list[Slot], batch: int, seed: int, columns: bool):
    matrices = [s.get() for s in found if s.get().ndim == 2]
    # a weight matrix, not a bias kept as a column (n, 1)
    first = next((m for m in matrices if min(m.shape) > 1), matrices[0] if matrices else None)
    if first is None:
        raise UsageError("no weight matrix to shape random inputs after: give --data FILE.npz")
    sizes = (first.shape[1], first.shape[0]) if columns else first.shape
    out = []
    for d in dict.fromkeys(sizes):  # x @ W's W is in × out, W @ x's out × in: try both
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((d, batch) if columns else (batch, d)).astype(first.dtype)
        out.append((X, None))
    return out


def _targets(loss: Any, output: np.ndarray, seed: int, columns: bool) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    y = output.T if columns else output
    if y.ndim != 2:
        raise UsageError(f"forward returned shape {output.shape}: expected one row of "
                         "outputs per sample (or a column, with --columns)")  # fmt: skip
    n, k = y.shape
    if getattr(loss, "labels", False):
        labels = rng.integers(0, k, n)
        return labels
    targets = (rng.random((n, k)) > 0.5).astype(output.dtype)
    return targets.T if columns else targets
