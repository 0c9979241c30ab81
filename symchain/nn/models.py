"""Find what to check in a user's file, in the shapes hand-written NumPy code has in the wild,
and turn it into `gradients.gradcheck`'s (loss, params, grads).

* a class in cs231n's shape: `self.params`, a dict of arrays, and `loss(X, y)` returning
  (loss, grads); constructed with `--sizes` (positionally) and `--init` (keywords, JSON),
  with dtype float64 when its constructor takes a dtype and none is given;
* a pair of layer functions `NAME_forward(x, w, b, ...) -> (out, cache)` and
  `NAME_backward(dout, cache) -> (dx, dw, db)`: every array input is checked, dx too,
  through the scalar loss sum(out ⊙ R) for a fixed random R (so dout = R).

**This runs the user's file** (see `gradcheck.load_network_class`): only point it at
code you would run.  A class with the seed's interface (forward, backward(X, y, lr))
is not handled here: `gradcheck.check_network` checks it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import UsageError, one_line
from .gradcheck import _call, _import_file, _split_spec, seeded, skipped_words


@dataclass(frozen=True)
class Target:
    """What is checked, ready for gradients.gradcheck."""

    loss: Callable[[], float]
    params: dict[str, np.ndarray]
    grads: Callable[[], Mapping[str, Any]]
    samples: int | None  # the batch size, to name a missing 1/N
    about: tuple[str, ...]  # what was checked, in words, for the report
    # the loss function for another known loss (to say which one the backward computes)
    loss_of: Callable[[Any], Callable[[], float]] | None = None
    loss_name: Any = None  # the Loss checked against, when loss_of is given
    # put(name, array): where the model reads a parameter (see gradients.gradcheck's bind)
    bind: Callable[[str, np.ndarray], Any] | None = None


def find(
    spec: str,
    *,
    sizes: tuple[int, ...] | None,
    init: dict[str, Any],
    shapes: dict[str, tuple[int, ...]],
    data: str | None,
    batch: int,
    seed: int,
    options: dict[str, Any] | None = None,
) -> Target | None:
    """The target named by FILE.py:NAME, or None for a class with the seed's interface."""
    path, name = _split_spec(spec)
    run_all = bool((options or {}).get("run_all"))
    module = _import_file(path, run_all)
    skipped = getattr(module, "__symchain_skipped__", [])
    target = _target(module, path, name, sizes, init, shapes, data, batch, seed, options)
    if target is not None and skipped:
        return replace(target, about=(*target.about, skipped_words(skipped)))
    return target


def _target(module, path, name, sizes, init, shapes, data, batch, seed, options):
    """The target in an imported module (see find)."""
    pair = _layer_pair(module, name, (options or {}).get("backward"))
    if pair is not None:
        return _layer(*pair, shapes, init, seed)
    if not hasattr(module, name):
        near = sorted(
            n for n in vars(module) if n.startswith(f"{name}_forward")
            and callable(getattr(module, n.replace("forward", "backward"), None))
        )  # fmt: skip
        if near:
            raise UsageError(f"{path} has no {name!r} (and no {name}_forward, {name}_backward "
                             f"pair): did you mean {path}:{near[0]} (with "
                             f"{near[0].replace('forward', 'backward')})?")  # fmt: skip
        raise UsageError(f"{path} has no {name!r} (and no {name}_forward, {name}_backward pair)"
                         f"{_found(module)}")  # fmt: skip
    cls = getattr(module, name)
    if not inspect.isclass(cls):
        raise UsageError(f"{path}: {name} is a {type(cls).__name__}, not a class "
                         f"(for layer functions, name the prefix of NAME_forward)")  # fmt: skip
    if not callable(getattr(cls, "loss", None)):
        return _other_class(cls, sizes, init, data, batch, seed, options or {})
    options = options or {}
    return _loss_method(cls, sizes, init, data, batch, seed, Path(path).name,
                        options.get("method") == "full", options.get("backward"),
                        float(options.get("l2") or 0.0), options.get("given", set()))  # fmt: skip


def _layer_pair(module, name: str, backward_name: str | None = None):
    """((forward's name, backward's name), forward, backward) for `affine` (affine_forward,
    affine_backward) or for a forward function named itself (conv_forward_naive, with
    conv_backward_naive); else None."""
    if "forward" in name:
        forward, backward = name, name.replace("forward", "backward")
    elif "backward" in name and callable(getattr(module, name, None)):
        backward = name  # batchnorm_backward_alt: its forward is batchnorm_forward
        forward = name.replace("backward", "forward")
        if not callable(getattr(module, forward, None)):
            forward = name.split("backward")[0] + "forward"
    elif hasattr(module, name):
        return None
    else:
        forward, backward = f"{name}_forward", f"{name}_backward"
    if backward_name is not None:  # batchnorm_backward_alt, against batchnorm_forward
        backward = backward_name
    f, b = getattr(module, forward, None), getattr(module, backward, None)
    if backward_name is not None and callable(f) and not callable(b):
        raise UsageError(f"the file has no function {backward_name!r} (--backward)")
    if callable(f) and callable(b):
        return (forward, backward), f, b
    return None


def _found(module) -> str:
    names = sorted(n for n, v in vars(module).items()
                   if (inspect.isclass(v) or inspect.isfunction(v)) and not n.startswith("_")
                   and getattr(v, "__module__", None) == module.__name__)  # fmt: skip
    more = f", … ({len(names)} in all)" if len(names) > 12 else ""
    return f" (it defines {', '.join(names[:12])}{more})" if names else " (it defines none)"


# --- any other class -------------------------------------------------------------------------

_SEED_NAMES = ("W1", "b1", "W2", "b2")


def _other_class(cls, sizes, init, data, batch, seed, options) -> Target | None:
    """The seed's interface (arrays W1, b1, W2, b2; forward, backward(X, y, lr)) keeps its own
    check, unless an option only the general check has is given; any other class is
    checked by `anyclass`: its arrays wherever they are, its backward however it answers."""
    from . import anyclass
    from .losses import loss as known_loss

    general = any(options.get(k) for k in ("forward", "backward", "l2", "columns", "one_hot"))
    lost = known_loss(options.get("loss", "mse"), options.get("reduction", "mean"), labels=True)
    found_data = _npz(data) if data is not None else None
    init = {**init, **_data_arguments(cls, init, found_data)}  # NeuralNetwork(x, y)
    args = tuple(sizes or (options.get("default_sizes", ()) if _needs_sizes(cls, init) else ()))
    args = _as_list(cls, args, init)  # Network(sizes): --sizes 3,4,2 is Network([3, 4, 2])
    given = {k: (v if not isinstance(v, np.ndarray) else _Named("X" if v is (found_data or
             (None,))[0] else "y")) for k, v in init.items()}  # fmt: skip
    shown = _shown_call(cls.__name__, args, given)
    model = _construct(cls, args, init, seed, shown)
    seed_like = all(isinstance(getattr(model, n, None), np.ndarray) for n in _SEED_NAMES)
    if seed_like and not general and not lost.labels:
        return None

    def checked(batch: int) -> tuple[Any, ...]:
        return anyclass.any_class(
            model, shown, loss=lost, l2=float(options.get("l2") or 0.0), data=found_data,
            batch=batch, seed=seed, lr=float(options.get("lr", 1.0)),
            forward_name=options.get("forward"), backward_name=options.get("backward"),
            columns=bool(options.get("columns")), one_hot=bool(options.get("one_hot")),
        )  # fmt: skip

    loss, params, grads, samples, about, loss_of, put = checked(batch)
    if found_data is None and batch > 1:
        try:
            grads()
        except anyclass.PerSample as err:  # Nielsen's backprop(x, y): one sample at a time
            loss, params, grads, samples, about, loss_of, put = checked(1)
            about.append(f"checked with one sample (--batch 1): at batch {batch}, "
                         f"{err.detail}, as a backward for one sample at a time does")  # fmt: skip
        except UsageError:
            pass  # the check calls grads() again and reports this itself
    return Target(loss, params, grads, samples, tuple(about), loss_of, lost, put)


class _Named:
    """Shown as its name in a call (x=X): the data, not its numbers."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def _data_arguments(cls: type, init: dict[str, Any], data) -> dict[str, Any]:
    """A constructor that takes the data (NeuralNetwork(x, y)) gets X and y from --data.
    Only names that mean arrays count: `inputs` or `n_in` are sizes more often than not."""
    inputs, targets = {"x", "x_train", "data", "features"}, {"y", "y_train", "labels"}
    try:
        parameters = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return {}
    wanted = {p.name: p.name.lower() for p in parameters
              if p.name not in init and p.default is inspect.Parameter.empty
              and p.name.lower() in inputs | targets}  # fmt: skip
    if not wanted:
        return {}
    if data is None:
        raise UsageError(f"{cls.__name__} takes the data ({', '.join(wanted)}) in its "
                         "constructor: give it with --data FILE.npz (arrays X and y)")  # fmt: skip
    X, y = data
    return {name: (X if low in inputs else y) for name, low in wanted.items()}


def _construct(cls: type, args: tuple, init: dict[str, Any], seed: int, shown: str) -> Any:
    """cls(*args, **init) with np.random seeded (initialisers use np.random.randn); a call
    that does not fit the constructor is a usage error that shows the signature."""
    try:
        signature = inspect.signature(cls)
        signature.bind(*args, **init)
    except TypeError as err:
        raise UsageError(
            f"{shown} does not fit its constructor {cls.__name__}{signature}: {err} "
            "(give the sizes it takes with `sizes`, keywords with --init)"
        ) from None
    except ValueError:  # no signature to read: just try it
        pass
    return _built(cls, args, init, seed, shown)


def _built(cls: type, args: tuple, kwargs: dict[str, Any], seed: int, shown: str) -> Any:
    """cls(*args, **kwargs), seeded; when it raises, the message shows what it takes."""
    try:
        return seeded(seed, lambda: _call(shown, lambda: cls(*args, **kwargs)))
    except UsageError as err:
        if not isinstance(err.__cause__, TypeError | ValueError | AttributeError | IndexError):
            raise
        try:
            signature = f"{cls.__name__}{inspect.signature(cls)}"
        except (TypeError, ValueError):
            raise err from None
        raise UsageError(
            f"{err}; it takes {signature}: --sizes gives numbers in order, "
            "--init lists and keywords as JSON"
        ) from err.__cause__


_LIST_NAMES = re.compile(
    r"^(sizes|layers|layer_sizes|layer_dims|layers_dims|dims|shape|"
    r"architecture|topology|nodes|neurons|units|layer_list|net_sizes)$"
)


def _as_list(cls: type, args: tuple, init: dict[str, Any]) -> tuple:
    """(list(args),) when the constructor's one required argument is a list of layer sizes
    (Nielsen's Network(sizes)), else args."""
    if len(args) < 2:
        return args
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return args
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters
                if p.default is inspect.Parameter.empty and p.name not in init
                and p.kind in positional]  # fmt: skip
    if len(required) == 1 and _LIST_NAMES.match(required[0].name):
        return (list(args),)
    return args


def _needs_sizes(cls: type, init: dict[str, Any]) -> bool:
    """Whether the constructor has required arguments that --init does not give."""
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.default is inspect.Parameter.empty and p.name not in init
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in parameters
    )  # fmt: skip


# --- a cs231n-style class ------------------------------------------------------------------


def _loss_method(cls, sizes, init, data, batch, seed, filename, full=False, backward=None,
                 l2=0.0, given=frozenset()) -> Target:  # fmt: skip
    kwargs = dict(init)
    about = []
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        signature = None
    if signature is not None and "dtype" in signature.parameters and "dtype" not in kwargs:
        kwargs["dtype"] = np.float64
        about.append("constructed with dtype=float64 (give --init '{\"dtype\": ...}' for "
                     "another): finite differences need double precision to be sharp")  # fmt: skip
    args = tuple(sizes or ())
    shown = _shown_call(cls.__name__, args, init)
    if signature is not None:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as err:
            raise UsageError(f"{shown} does not fit {cls.__name__}{signature}: {err} "
                             "(give its arguments with --sizes and --init)") from None  # fmt: skip
    model = _built(cls, args, kwargs, seed, shown)
    params = getattr(model, "params", None)
    if not isinstance(params, dict) or not params:
        raise UsageError(f"{cls.__name__} has a loss method but no self.params dict of arrays: "
                         "symchain gradcheck checks the arrays in self.params")  # fmt: skip
    keys = {str(k): k for k, v in params.items() if isinstance(v, np.ndarray)}  # ('W', 0) too
    arrays = {name: params[k] for name, k in keys.items()}
    skipped = [str(k) for k in params if str(k) not in arrays]
    if not arrays:
        raise UsageError(f"{cls.__name__}.params holds no NumPy arrays")
    X, y, where = _data(model, arrays, data, batch, seed)
    about.insert(0, f"{shown}: its own loss(X, y) and gradients, every array in self.params "
                    f"({', '.join(arrays)})")  # fmt: skip
    about.append(where)
    if skipped:
        about.append(f"not arrays, so not checked: {', '.join(skipped)}")
    kind = cls.__name__
    foreign = sorted(set(given) - {"--l2"})
    if foreign:
        raise UsageError(f"{', '.join(foreign)} do{'es' if len(foreign) == 1 else ''} not apply "
                         f"to {kind}: its own loss(X, y) is what is checked")  # fmt: skip
    training = _training_flag(model.loss)
    strength = _strength_argument(model.loss)
    flags: dict[str, Any] = {training: True} if training else {}
    if strength is not None:  # cs231n's loss(X, y=None, reg=0.0)
        name, default = strength
        if "--l2" in given:
            flags[name] = l2
        else:
            about.append(f"loss takes {name}, left at its default {default!r}: give --l2 λ to "
                         f"check with {name}=λ")  # fmt: skip
    elif "--l2" in given:
        raise UsageError(f"--l2 does not apply to {kind}: its own loss(X, y) is checked, with "
                         "the L2 strength the model keeps (set it with --init)")  # fmt: skip
    passed = "".join(f", {k}={v!r}" for k, v in flags.items())
    shown_loss = f"{kind}.loss(X, y{passed})"

    unchanged = _Unchanged(kind, X, y, params, keys, arrays, model)

    def own() -> Any:
        return unchanged.after(shown_loss, _call(shown_loss, lambda: model.loss(X, y, **flags)))

    gradient = None if _is_pair(own()) else _gradient_method(model, kind, backward)
    if gradient is None:  # cs231n's shape: loss(X, y) -> (loss, grads)

        def loss() -> float:
            return _pair(kind, own())[0]

        def raw_grads() -> Any:
            return _pair(kind, own())[1]
    else:  # Saito's (deep-learning-from-scratch): loss(x, t) a number, gradient(x, t) a dict
        about[0] = (f"{shown}: its own loss(X, y) and {gradient.__name__}(X, y), every array "
                    f"in self.params ({', '.join(arrays)})")  # fmt: skip

        def loss() -> float:
            return own()

        def raw_grads() -> Any:
            called = f"{kind}.{gradient.__name__}(X, y)"
            return unchanged.after(called, _call(called, lambda: gradient(X, y)))

    if training:
        about.append(f"loss called with {training}=True, in training mode, as the gradients "
                     "are computed")  # fmt: skip
    if strength is not None and strength[0] in flags:
        about.append(f"loss called with {strength[0]}={l2:g} (--l2)")

    def grads() -> Mapping[str, Any]:
        out = raw_grads()
        if not isinstance(out, Mapping):
            raise UsageError(f"{kind}'s gradients came back as {type(out).__name__}, "
                             "not a dict of name -> array")  # fmt: skip
        return {str(k): v for k, v in out.items() if str(k) in arrays}

    if full:  # two loss calls per entry: spare them the backward that loss(X, y) also runs
        found = _scores_loss(model, kind, X, y, arrays, loss, unchanged)
        if found is not None:
            loss, words = found
            about.append(words)

    def put(name: str, array: np.ndarray) -> None:  # where the model reads it
        params[keys[name]] = array
        unchanged.bound[name] = array

    return Target(loss, arrays, grads, len(X), tuple(about), bind=put)


class _Unchanged:
    """After every call of the model's code: the data as given and self.params holding the
    arrays the check moves.  A loss that relabels y, or a params dict that now holds a
    copy (self.params['W1'] = W1.astype(...)), would make the check measure another
    function than the one it names."""

    def __init__(
        self,
        kind: str,
        X: np.ndarray,
        y: np.ndarray,
        params: dict,
        keys: dict[str, Any],
        arrays: dict[str, np.ndarray],
        model: Any,
    ) -> None:
        self.kind, self.X, self.y, self.params, self.keys = kind, X, y, params, keys
        self.model = model
        self.saved = {"X": X.copy(), "y": y.copy()}
        self.bound = dict(arrays)  # the array each name is read from now

    def after(self, called: str, out: Any) -> Any:
        for name, now in (("X", self.X), ("y", self.y)):
            if not np.array_equal(now, self.saved[name], equal_nan=True):
                raise UsageError(f"{called} changed its input {name} in place: the check "
                                 "needs the data as given (work on a copy)")  # fmt: skip
        if getattr(self.model, "params", None) is not self.params:
            raise UsageError(
                f"{called} put a new dict in self.params: the check moves the arrays of the one "
                "that was there, so the model must keep it (update its arrays in place, and "
                "convert dtypes once, in __init__)"
            )
        for name, key in self.keys.items():
            if self.params.get(key) is not self.bound[name]:
                raise UsageError(
                    f"{called} put a new array in self.params[{key!r}]: the check moves the "
                    "array that was there, so the model must keep reading it (update it in "
                    "place, W -= lr·dW or W[...] = ..., and convert dtypes once, in __init__)"
                )
        return out


SAME_POINTS = 3  # the points where a loss of the scores must equal loss(X, y)'s value
SAME_TO = 1e-10  # relative


def _scores_loss(model, kind: str, X, y, arrays: dict[str, np.ndarray], own: Callable[[], float],
                 unchanged: _Unchanged):  # fmt: skip
    """(a loss computed from loss(X)'s scores, words) when one of cs231n's (mean softmax
    cross-entropy or hinge loss, plus ½·reg·Σ‖W‖² or reg·Σ‖W‖² over the weight matrices)
    equals loss(X, y)'s value at SAME_POINTS points (the model's, and points moved off it);
    else None.  A forward alone is a fraction of a loss that also computes the gradients."""
    from .losses import Loss

    def scores() -> Any:
        return unchanged.after(f"{kind}.loss(X)", model.loss(X))

    try:
        first = scores()
    except Exception:  # noqa: BLE001 - loss(X) without y is a convention only, not required
        return None
    if not (isinstance(first, np.ndarray) and first.shape == (len(X), first.shape[-1])
            and first.ndim == 2):  # fmt: skip
        return None
    reg = getattr(model, "reg", 0.0)
    reg = float(reg) if isinstance(reg, int | float) and np.isfinite(reg) else None
    if reg is None:
        return None
    weights = [n for n, p in arrays.items() if p.ndim >= 2]
    candidates = [(Loss(name), c) for name in ("softmax-ce", "hinge")
                  for c in ((0.5 * reg, reg) if reg else (0.0,))]  # fmt: skip

    def value(chosen: Loss, c: float) -> float:
        total = chosen.value(np.asarray(scores(), dtype=np.float64), y)
        if c:
            total += c * sum(float(np.sum(arrays[n].astype(np.float64) ** 2)) for n in weights)
        return total

    saved = {n: p.copy() for n, p in arrays.items()}
    rng = np.random.default_rng(0)
    alive = list(candidates)
    try:
        with np.errstate(all="ignore"):
            for point in range(SAME_POINTS):
                if point:  # a point moved off the model's, where kinks sit elsewhere
                    for n, p in arrays.items():
                        size = float(np.sqrt(np.mean(saved[n].astype(np.float64) ** 2))) or 1.0
                        p[...] = saved[n] + 1e-2 * size * rng.standard_normal(p.shape)
                target = float(own())
                near = SAME_TO * max(1.0, abs(target))
                alive = [(ch, c) for ch, c in alive if abs(value(ch, c) - target) <= near]
                if not alive:
                    return None
    except Exception:  # noqa: BLE001 - a model that cannot do this is checked the slow way
        return None
    finally:
        for n, p in arrays.items():
            np.copyto(p, saved[n])
    chosen, c = alive[0]
    term = "" if not c else f" + {'½·' if c == 0.5 * reg else ''}reg·Σ‖W‖² (reg = {reg:g})"
    words = (f"the finite differences use {chosen.title} of loss(X)'s scores{term}, which "
             f"equals loss(X, y)'s value at {SAME_POINTS} points (to {SAME_TO:g}) and skips "
             "the gradients loss(X, y) computes as well")  # fmt: skip
    return (lambda: value(chosen, c)), words


GRADIENT_METHODS = ("gradient", "gradients", "grads", "backward", "backprop")


def _training_flag(method: Callable) -> str | None:
    """The name of loss's training-mode switch (train_flg, training), if it has one."""
    try:
        names = list(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        return None
    return next((n for n in names[2:] if "train" in n.lower()), None)


_STRENGTHS = ("reg", "l2", "lam", "lmbda", "lambda_", "weight_decay", "l2_reg", "reg_lambda")


def _strength_argument(method: Callable) -> tuple[str, Any] | None:
    """(name, default) of an L2 strength loss takes as an argument (cs231n's reg=0.0)."""
    try:
        parameters = list(inspect.signature(method).parameters.values())[2:]
    except (TypeError, ValueError):
        return None
    for p in parameters:
        if p.name.lower() in _STRENGTHS and p.default is not inspect.Parameter.empty:
            return p.name, p.default
    return None


def _is_pair(result: Any) -> bool:
    return isinstance(result, tuple) and len(result) == 2


def _gradient_method(model: Any, kind: str, name: str | None) -> Callable:
    """The method giving the gradients when loss(X, y) gives only the loss: --backward, or
    gradient, gradients, ... (never numerical_gradient: that is the finite differences)."""
    from .anyclass import named_method

    method = named_method(model, name, GRADIENT_METHODS, "--backward")
    if method is not None:
        return method
    raise UsageError(f"{kind}.loss(X, y) returned one number and {kind} has none of "
                     f"{', '.join(GRADIENT_METHODS)}: name the method that returns the "
                     "gradients (a dict by parameter name) with --backward")  # fmt: skip


def _pair(kind: str, result: Any) -> tuple[Any, Any]:
    if not _is_pair(result):
        raise UsageError(f"{kind}.loss(X, y) must return (loss, grads), not "
                         f"{type(result).__name__}")  # fmt: skip
    return result


def _shown_call(name: str, args: tuple, kwargs: Mapping[str, Any]) -> str:
    parts = [str(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _data(model, arrays, data, batch, seed):
    """X and y from --data FILE.npz, or standard normal X shaped for the first weight matrix
    and integer labels below the number of scores the model gives."""
    if data is not None:
        return (*_npz(data), f"data: X and y from {data}")
    first = next((p for p in arrays.values() if p.ndim == 2), None)
    if first is None:
        raise UsageError("no 2-D weight to shape random inputs after: give --data FILE.npz "
                         "with X and y")  # fmt: skip
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, first.shape[0])).astype(first.dtype)
    classes = _classes(model, X, arrays)
    y = rng.integers(0, classes, batch)
    where = (f"data: X {batch}×{first.shape[0]} standard normal, y integer labels in "
             f"0..{classes - 1} (seed {seed}); --data FILE.npz gives your own")  # fmt: skip
    return X, y, where


def _classes(model, X, arrays) -> int:
    """The number of classes: the width of the scores loss(X) or predict(X) returns (cs231n:
    no y gives the scores), else the length of the last bias."""
    for method in ("loss", "predict"):  # cs231n's loss(X), Saito's predict(x)
        try:
            scores = getattr(model, method)(X)
        except Exception:  # noqa: BLE001 - a convention only, not required
            continue
        if isinstance(scores, np.ndarray) and scores.ndim == 2 and scores.shape[0] == len(X):
            return int(scores.shape[1])
    last = [p for p in arrays.values() if p.ndim == 1]
    if last:
        return int(last[-1].shape[0])
    weights = [p for p in arrays.values() if p.ndim == 2]
    if weights:  # a linear classifier's W: inputs × classes
        return int(weights[-1].shape[1])
    raise UsageError("cannot tell the number of classes: give --data FILE.npz with X and y")


def _npz(path: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as found:
            keys = {k.lower(): k for k in found.files}
            if "x" not in keys or "y" not in keys:
                raise UsageError(f"{path} must hold arrays X and y (it has "
                                 f"{', '.join(found.files) or 'none'})")  # fmt: skip
            X, y = np.array(found[keys["x"]]), np.array(found[keys["y"]])
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read {path} as .npz: {one_line(err)}") from None
    for name, array in (("X", X), ("y", y)):
        if array.dtype.kind not in "biuf":  # bool, integer, float: complex is not a datum
            raise UsageError(
                f"{path}: {name} has dtype {array.dtype}; the check needs real numbers"
            )
    return X, y


# --- a pair of layer functions ---------------------------------------------------------------


def _layer(names, forward, backward, shapes, init, seed) -> Target:
    name, back = names  # affine_forward, affine_backward
    try:
        signature = inspect.signature(forward)
    except (TypeError, ValueError):
        raise UsageError(f"cannot read the arguments of {name}") from None
    wanted = [p for p in signature.parameters.values()
              if p.default is inspect.Parameter.empty and p.name not in init]  # fmt: skip
    missing = [p.name for p in wanted if p.name not in shapes]
    if missing:
        raise UsageError(
            f"{name}{signature} needs the shape of {', '.join(missing)}: give "
            f"--shapes {','.join(f'{m}=...' for m in missing)} (like x=4x5,w=5x3,b=3), and "
            "non-array arguments with --init as JSON"
        )
    unknown = sorted(set(shapes) - set(signature.parameters))
    if unknown:
        raise UsageError(f"{name} has no argument {', '.join(unknown)}")
    rng = np.random.default_rng(seed)
    arrays = {n: rng.standard_normal(shape) for n, shape in shapes.items()}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    arguments = {**{k: v for k, v in init.items() if takes_any or k in signature.parameters},
                 **arrays}  # --init keys only the backward takes go to the backward  # fmt: skip
    out = _output(name, _call(name, lambda: forward(**arguments)))
    weights = rng.standard_normal(np.shape(out))
    array_names = [p for p in signature.parameters if p in arrays]

    extra = _backward_extras(backward, back, init)

    def loss() -> float:
        result = _output(name, _call(name, lambda: forward(**arguments)))
        return float(np.sum(np.asarray(result, dtype=np.float64) * weights))

    def grads() -> Mapping[str, Any]:
        _, cache = _call(name, lambda: forward(**arguments))
        got = _call(back, lambda: backward(weights.copy(), cache, **extra))  # a copy of dout
        if isinstance(got, Mapping):
            return got
        got = got if isinstance(got, tuple) else (got,)
        if len(got) != len(array_names):
            raise UsageError(
                f"{back} returned {len(got)} arrays; expected one per array input "
                f"of {name}, in order: d{', d'.join(array_names)}"
            )
        return dict(zip(array_names, got, strict=True))

    shown = ", ".join(f"{n} {'×'.join(map(str, s))}" for n, s in shapes.items())
    about = (
        f"{name} and {back}: the loss sum(out ⊙ R) for a fixed random R "
        f"(so dout = R); every array input checked ({shown}, standard normal, seed {seed})",
    )
    return Target(loss, arrays, grads, None, about, bind=arguments.__setitem__)


def _backward_extras(backward: Callable, name: str, init: dict[str, Any]) -> dict[str, Any]:
    """The arguments a layer's backward takes after (dout, cache), from --init by name
    (affine_norm_relu_backward(dout, cache, norm_type))."""
    try:
        parameters = list(inspect.signature(backward).parameters.values())[2:]
    except (TypeError, ValueError):
        return {}
    varargs = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    missing = [p.name for p in parameters if p.default is inspect.Parameter.empty
               and p.kind not in varargs and p.name not in init]  # fmt: skip
    if missing:
        them = "it" if len(missing) == 1 else "them"
        raise UsageError(f"{name} takes {', '.join(missing)} after (dout, cache): give "
                         f"{them} with --init as JSON")  # fmt: skip
    return {p.name: init[p.name] for p in parameters if p.name in init}


def _output(name: str, result: Any) -> Any:
    if not (isinstance(result, tuple) and len(result) == 2):
        raise UsageError(f"{name} must return (out, cache), not {type(result).__name__}")
    return result[0]
