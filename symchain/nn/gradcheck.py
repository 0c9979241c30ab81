"""Check the gradient a hand-written NumPy backward pass applies against the true one.

The network is a class written with the seed's interface: parameter arrays
W1, b1, W2, b2 (and W3, b3, ... if there are more layers), `forward(X)`
returning the outputs (N, K), and `backward(X, t, learning_rate)` that
updates the parameters in place by plain gradient descent.

**This runs the user's file.**  `load_network_class` imports FILE.py as a
module (its top level runs, as with `python FILE.py` except that
`__name__` is not "__main__", so a training script under
`if __name__ == "__main__":` does not run), then the class is constructed and
its forward and backward are called.  Only point it at code you would run.

What is checked, and the decisions behind it:

* Data: X is standard normal (`batch` rows, a numpy Generator seeded with
  `seed`), targets t ∈ {0, 1} with t[:, j] = (x_j + x_{j+1} > 0) (the seed's
  rule x0 + x1 > 0 for the first output), shaped like forward's output.  The
  global `np.random` state is seeded with `seed` while the class is
  constructed (the seed initialises with np.random.randn) and restored after.
* The applied gradient: every parameter is copied, forward(X) is called
  right before backward(X, t, lr) (as in the seed's training loop, since
  backward reads what forward saved), and g = (before − after) / lr; then
  the parameters are restored.  For plain gradient descent the update is
  lr·g exactly, so the larger lr is, the less the rounding of θ matters
  (the error of g is about ulp(θ)/lr): the default lr is 1.  backward is
  called a second time with lr/2; if the two recovered gradients differ, the
  update is not proportional to lr (backward reuses parameters it has already
  updated, or it is not plain gradient descent) and a warning says so.
* The true gradient of L(θ) = loss.value(forward(X), t) by central finite
  differences with the actual step (fl(θ ± eps) − θ, which matters in
  float32), on every entry when the network has at most FULL_LIMIT
  parameters; beyond that, along `directions` random unit directions per
  parameter array, comparing (L(θ+hv) − L(θ−hv))/2h with g·v (a few forward
  passes per array).  The report says which was used.
* Agreement as in torch.autograd.gradcheck: |applied − true| ≤ atol +
  rtol·|true|, defaults eps 1e-6, atol 1e-5, rtol 1e-3.  Each parameter also
  gets its worst element (largest relative error beyond the finite
  difference's own rounding noise), both values, the absolute and relative
  error |a − b| / max(|a| + |b|, tiny), and a grade: good below 1e-7,
  acceptable up to 1e-4 (only where a kink was within the step, otherwise
  suspicious), suspicious up to 1e-2, wrong above.  The relative error that
  grades is the part above the rounding noise of the difference quotient,
  about u·|L|/eps (u the unit roundoff of forward's outputs): a difference
  smaller than that cannot be measured, and without it a correct backward
  with small gradients would read 1e-7..1e-6 from noise alone.
* Which loss the backward computes: one set of forward evaluations serves
  every loss of `every_loss()` (the outputs at θ ± eps are computed once, each
  loss is evaluated on them).  The loss whose gradient agrees at every entry
  (the closest, if several) is named; if none agrees but one does up to a
  constant factor, that factor is named.
* Kinks: at each probe the outputs' one-sided slopes (y(θ+h) − y(θ))/h and
  (y(θ) − y(θ−h))/h are compared; when they differ markedly, a point where
  the network is not differentiable (ReLU at 0) lies within the step.  Where
  the central difference then disagrees, it is re-checked with steps eps/10
  and eps/100 and with the one-sided differences; if either agrees, the
  entry is a "kink", not a mismatch.
* Float32 (or float16) parameters: a warning, and unless given, eps 1e-2,
  atol 1e-4, rtol 1e-2, and grade thresholds 1e-4 / 1e-3 / 1e-2, since
  float32 finite differences are good to about three digits at best.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import UsageError, one_line, raised_in
from ..results import Rendered
from .losses import Loss, every_loss

FULL_LIMIT = 5000  # at most this many parameters: every entry by finite differences
DEFAULT_DIRECTIONS = 3
DEFAULT_SIZES = (2, 4, 1)
DEFAULT_LR = 1.0
SMALLER_STEPS = (10.0, 100.0)  # the kink re-check divides eps by these
NOISE_FACTOR = 4.0  # rounding noise of a difference quotient ≈ this · u · |L| / step
METHODS = ("auto", "full", "directional")

_MODULE_COUNTER = itertools.count(1)


@dataclass(frozen=True)
class Precision:
    """Defaults that fit the parameters' floating-point type."""

    name: str
    eps: float
    atol: float
    rtol: float
    grades: tuple[float, float, float]  # good below, acceptable up to, suspicious up to


DOUBLE = Precision("float64", 1e-6, 1e-5, 1e-3, (1e-7, 1e-4, 1e-2))
SINGLE = Precision("float32", 1e-2, 1e-4, 1e-2, (1e-4, 1e-3, 1e-2))


# --- loading the user's network ------------------------------------------------------


def load_network_class(spec: str, run_all: bool = False) -> type:
    """The class named by "path.py:ClassName", importing (so running) that file.

    The file is imported under a unique module name, with its own directory
    first on sys.path (as `python FILE.py` has it) so that it can import its
    neighbours.  Every way this can fail is a UsageError of one line.
    """
    path, name = _split_spec(spec)
    module = _import_file(path, run_all)
    if not hasattr(module, name):
        classes = sorted(
            n
            for n, v in vars(module).items()
            if inspect.isclass(v) and v.__module__ == module.__name__
        )
        found = f" (classes there: {', '.join(classes)})" if classes else " (it defines no class)"
        raise UsageError(f"{path} has no class {name!r}{found}")
    cls = getattr(module, name)
    if not inspect.isclass(cls):
        raise UsageError(f"{path}: {name} is a {type(cls).__name__}, not a class")
    return cls


def _split_spec(spec: str) -> tuple[Path, str]:
    if ":" not in spec:
        raise UsageError(
            f"expected FILE.py:NAME (a class, or the prefix of a layer's "
            f"NAME_forward and NAME_backward), got {spec!r}"
        )
    file_part, name = spec.rsplit(":", 1)
    if not name.isidentifier():
        raise UsageError(f"{name!r} is not a Python name (expected FILE.py:NAME)")
    path = Path(file_part)
    if not path.exists():
        raise UsageError(f"no such file: {file_part}")
    if path.is_dir():
        raise UsageError(f"{file_part} is a directory, not a Python file")
    if path.suffix != ".py":
        raise UsageError(f"{file_part} is not a Python file (.py)")
    return path, name


def _script_free(path: Path) -> tuple[Any, list[str]]:
    """The file's code without its top-level script: loops and bare calls (a training run,
    plt.show()) are left out, definitions, imports and assignments kept.  Returns the code
    object to run and what was left out, in words, line by line."""
    import ast

    source = path.read_text(encoding="utf-8", errors="replace")
    tree = ast.parse(source, filename=str(path))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    instances: set[str] = set()  # names bound to objects of the file's classes (net = Net())
    left_out: set[str] = set()  # names a left-out assignment would have bound

    def runs_script(value: ast.AST) -> bool:
        """A call of the file's own functions, or of a method of its objects (net.train()):
        a training run in an assignment (model = fit(X, y)), or a name left out before."""
        for n in ast.walk(value):
            if isinstance(n, ast.Name) and n.id in left_out:
                return True
            if isinstance(n, ast.Call):
                f = n.func
                if isinstance(f, ast.Name) and f.id in functions:
                    return True
                while isinstance(f, ast.Attribute):
                    f = f.value
                if isinstance(f, ast.Name) and f.id in instances and f is not n.func:
                    return True
        return False

    kept, skipped = [], []
    for node in tree.body:
        loop = isinstance(node, ast.For | ast.While | ast.AsyncFor)
        call = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call | ast.Await)
        assign = isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
        value = getattr(node, "value", None)
        targets = [t for t in (node.targets if isinstance(node, ast.Assign) else
                   [getattr(node, "target", None)]) if t is not None]  # fmt: skip
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        script = assign and value is not None and runs_script(value)
        if loop or call or script or (isinstance(node, ast.Expr) and runs_script(node)):
            what = "a loop" if loop else ast.unparse(node)[:40]
            end = getattr(node, "end_lineno", node.lineno)
            lines = f"line {node.lineno}" if end == node.lineno else f"lines {node.lineno}-{end}"
            skipped.append(f"{lines} ({what})")
            left_out.update(names)
        else:
            kept.append(node)
            if assign and isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                    and value.func.id in classes:  # fmt: skip
                instances.update(names)
            left_out.difference_update(names)
    tree.body = kept
    return compile(tree, str(path), "exec"), skipped


def _import_file(path: Path, run_all: bool = False):
    """Run the file as a fresh module; its failures become UsageErrors.  Unless `run_all`,
    its top-level loops and bare calls (a training script not under __main__) are skipped;
    `module.__symchain_skipped__` says which."""
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"_symchain_gradcheck_{next(_MODULE_COUNTER)}_{stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickle look the module up here
    folders = _import_folders(path)
    sys.path[0:0] = folders
    try:
        if run_all:
            spec.loader.exec_module(module)
            skipped: list[str] = []
        else:
            code, skipped = _script_free(path)
            exec(code, module.__dict__)  # noqa: S102 - the user's own file, as importing runs it
        module.__symchain_skipped__ = skipped
    except SyntaxError as err:
        sys.modules.pop(module_name, None)
        where = f"{path}:{err.lineno}" if err.lineno else str(path)
        raise UsageError(f"{where}: syntax error: {err.msg}") from err
    except ImportError as err:
        sys.modules.pop(module_name, None)
        raise UsageError(f"importing {path} failed: {err}") from err
    except OSError as err:
        sys.modules.pop(module_name, None)
        raise UsageError(f"cannot read {path}: {one_line(err)}") from err
    except SystemExit as err:
        sys.modules.pop(module_name, None)
        raise UsageError(
            f"{path} called exit() while being imported; put its script under "
            f'`if __name__ == "__main__":`'
        ) from err
    except Exception as err:  # the user's top-level code failed: their error, told in one line
        sys.modules.pop(module_name, None)
        raise UsageError(f"running {path} raised {one_line(err)}") from err
    finally:
        for folder in folders:
            if folder in sys.path:
                sys.path.remove(folder)
    return module


def _import_folders(path: Path) -> list[str]:
    """Where the file's own imports are looked up: its folder (as `python FILE.py` has it),
    the root of the package it sits in, and the current directory (so that
    cs231n/classifiers/fc_net.py, run from the assignment's root, finds `cs231n.layers`)."""
    here = path.resolve().parent
    root = here
    while (root / "__init__.py").exists() and root.parent != root:
        root = root.parent
    found = []
    for folder in (here, root, Path.cwd()):
        if str(folder) not in found and str(folder) not in sys.path:
            found.append(str(folder))
    return found


def _call(what: str, function: Callable, *args) -> Any:
    """Call the user's code; an exception there is their error (exit 2), told in one line."""
    try:
        return function(*args)
    except SystemExit as err:  # exit() inside a check must not pass for a verdict
        raise UsageError(
            f"{what} called exit({err.code!r}): a network's methods must return"
        ) from None
    except Exception as err:  # re-raised as a UsageError, the original chained for --debug
        raise UsageError(f"{what} raised {one_line(err)}{raised_in(err)}") from err


def build_network(cls: type, sizes: tuple[int, ...], seed: int) -> object:
    """cls(*sizes) with np.random seeded (the seed initialises with np.random.randn)."""
    shown = f"{cls.__name__}({', '.join(map(str, sizes))})"
    try:
        inspect.signature(cls).bind(*sizes)
    except TypeError as err:
        raise UsageError(
            f"{shown} does not fit its constructor {cls.__name__}{_signature(cls)}: {err} "
            "(give the sizes it takes with `sizes`)"
        ) from None
    except ValueError:  # no signature to read (a builtin): just try it
        pass
    return seeded(seed, lambda: _call(shown, cls, *sizes))


def seeded(seed: int, construct: Callable[[], Any]) -> Any:
    """construct() with the global np.random seeded (initialisers call np.random.randn),
    the caller's random state put back after."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return construct()
    finally:
        np.random.set_state(state)


def _signature(cls: type) -> str:
    try:
        return str(inspect.signature(cls))
    except (TypeError, ValueError):
        return "(...)"


def parameter_names(net: object) -> list[str]:
    """W1, b1, W2, b2 and any further Wk, bk; a UsageError names what is missing or wrong."""
    names = ["W1", "b1", "W2", "b2"]
    k = 3
    while hasattr(net, f"W{k}") or hasattr(net, f"b{k}"):
        names += [n for n in (f"W{k}", f"b{k}") if hasattr(net, n)]
        k += 1
    kind = type(net).__name__
    missing = [n for n in names if not hasattr(net, n)]
    missing += [m for m in ("forward", "backward") if not callable(getattr(net, m, None))]
    if missing:
        raise UsageError(
            f"{kind} lacks {', '.join(missing)}: expected arrays W1, b1, W2, b2, "
            "forward(X) and backward(X, y, learning_rate) (the seed's interface), or "
            "self.params and loss(X, y) returning (loss, grads) (cs231n's)"
        )
    for n in names:
        value = getattr(net, n)
        if not isinstance(value, np.ndarray):
            raise UsageError(f"{kind}.{n} is a {type(value).__name__}, not a NumPy array")
        if not np.issubdtype(value.dtype, np.floating):
            raise UsageError(f"{kind}.{n} has dtype {value.dtype}: parameters must be floats")
        if value.size == 0:
            raise UsageError(f"{kind}.{n} is empty")
    return names


# --- the check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Everything that decides a check; None means "the default for the precision"."""

    loss: Loss
    sizes: tuple[int, ...] = DEFAULT_SIZES
    batch: int = 16
    seed: int = 0
    lr: float = DEFAULT_LR
    eps: float | None = None
    rtol: float | None = None
    atol: float | None = None
    method: str = "auto"
    directions: int = DEFAULT_DIRECTIONS
    run_all: bool = False  # run the file's top-level script too


@dataclass(frozen=True)
class ParameterReport:
    """The verdict on one parameter array, at its worst element (or direction)."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    checked: int  # entries (full) or directions (directional)
    worst_index: tuple[int, ...] | None
    worst_direction: int | None
    applied: float
    true: float
    abs_error: float
    rel_error: float
    noise: float  # the rounding noise of the difference quotient at the worst element
    grade: str
    passed: bool
    mismatches: int
    kinks: int

    def where(self) -> str:
        if self.worst_direction is not None:
            return f"direction {self.worst_direction}"
        return str(tuple(self.worst_index or ()))


@dataclass(frozen=True)
class Match:
    """A known loss whose gradient the backward applied (times `factor`, 1 if exact)."""

    loss: Loss
    factor: float = 1.0

    def sentence(self) -> str:
        what = f"the gradient of {self.loss.title}"
        if abs(self.factor - 1.0) > 1e-9:
            what = f"{self.factor:.4g} × {what}"
        return f"your backward computes {what}"

    def option(self) -> str:
        return f"--loss {self.loss.name} --reduction {self.loss.reduction}"


@dataclass(frozen=True)
class Report(Rendered):
    """The whole check: per parameter, which loss matched, pass or fail, warnings."""

    spec: str
    settings: Settings
    method: str  # "full" or "directional"
    eps: float
    rtol: float
    atol: float
    precision: str
    parameter_count: int
    parameters: tuple[ParameterReport, ...]
    match: Match | None
    passed: bool
    warnings: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def kinks(self) -> int:
        return sum(p.kinks for p in self.parameters)

    def method_text(self) -> str:
        if self.method == "full":
            return (
                f"full finite differences (central, eps {self.eps:g}) on all "
                f"{self.parameter_count} parameter entries"
            )
        text = (
            f"directional derivatives (central, eps {self.eps:g}) along "
            f"{self.settings.directions} random unit directions per array"
        )
        if self.settings.method == "auto":
            text += (
                f" ({self.parameter_count} parameters: more than {FULL_LIMIT} for full differences)"
            )
        return text

    def verdict(self) -> str:
        loss = self.settings.loss
        if self.passed:
            return f"PASS: the backward applies the gradient of {loss.title}"
        failed = ", ".join(p.name for p in self.parameters if not p.passed)
        return f"FAIL: {failed} disagree with the gradient of {loss.title}"

    def match_text(self) -> str:
        if self.match is None:
            return "it is not the gradient of any known loss (half-sse, mse, bce; mean or sum)"
        return f"{self.match.sentence()} ({self.match.option()})"


def gradcheck(
    spec: str, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> Report:
    """Load, build and check the network named by spec ("path.py:ClassName");
    `progress(done, total)` after each entry or direction measured."""
    _validate(settings)  # before running any of the user's code
    cls = load_network_class(spec, settings.run_all)
    net = build_network(cls, settings.sizes, settings.seed)
    report = check_network(net, settings, spec, progress)
    skipped = getattr(sys.modules.get(cls.__module__), "__symchain_skipped__", [])
    if skipped:
        from dataclasses import replace

        return replace(report, warnings=(*report.warnings, skipped_words(skipped)))
    return report


def skipped_words(skipped: list[str]) -> str:
    """The note on a file's top-level script, left out when it was imported."""
    return (f"not run, as a training script would be: {', '.join(skipped)} of the file's top "
            "level (--run-all runs them)")  # fmt: skip


def check_network(
    net: object,
    settings: Settings,
    spec: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check an already built network; see the module docstring for what and why."""
    _validate(settings)
    names = parameter_names(net)
    params = {n: getattr(net, n) for n in names}
    warnings: list[str] = []
    precision = _precision(params, warnings)
    eps = settings.eps if settings.eps is not None else precision.eps
    rtol = settings.rtol if settings.rtol is not None else precision.rtol
    atol = settings.atol if settings.atol is not None else precision.atol
    tol = _Tolerance(rtol, atol)

    X, t, y0 = _data(net, params, settings)
    losses = _losses(settings.loss)
    base = _loss_values(losses, y0, t)
    if not np.isfinite(base[0]):
        raise UsageError(
            f"{settings.loss.title} is not defined at the network's outputs "
            f"(they range over [{y0.min():.3g}, {y0.max():.3g}]"
            + ("; bce needs outputs in (0, 1))" if settings.loss.name == "bce" else ")")
        )
    applied = _applied_gradient(net, params, X, t, settings.lr, tol, warnings)

    count = sum(p.size for p in params.values())
    method = settings.method
    if method == "auto":
        method = "full" if count <= FULL_LIMIT else "directional"
    rng = np.random.default_rng(settings.seed + 1)
    probes = [
        probe for n in names for probe in _probes(n, params[n], method, settings.directions, rng)
    ]
    ctx = _Context(net, X, t, y0, params, applied, losses, base, eps, tol)
    for done, probe in enumerate(probes, 1):
        ctx.measure(probe)
        if progress is not None:
            progress(done, len(probes))

    verdicts = {id(loss): [ctx.verdict(p, i) for p in probes] for i, loss in enumerate(losses)}
    chosen = verdicts[id(losses[0])]
    reports = [
        _parameter_report(n, params[n], probes, chosen, precision.grades, tol) for n in names
    ]
    passed = all(r.passed for r in reports)
    match = _identify(losses, probes, verdicts, tol)
    _kink_warning(reports, method, warnings)
    _atol_warning(reports, tol, warnings)
    return Report(
        spec=spec,
        settings=settings,
        method=method,
        eps=eps,
        rtol=rtol,
        atol=atol,
        precision=precision.name,
        parameter_count=count,
        parameters=tuple(reports),
        match=match,
        passed=passed,
        warnings=tuple(warnings),
        hints=tuple(_hints(settings.loss, match, passed, y0.shape)),
        notes=tuple(_noise_notes(reports, precision.grades[0])),
    )


def _validate(s: Settings) -> None:
    if not s.sizes or any(n < 1 for n in s.sizes):
        raise UsageError("`sizes` must be positive integers, e.g. 2,4,1")
    if not 0 <= s.seed < 2**32:
        raise UsageError("`seed` must be between 0 and 2**32 - 1")
    if s.batch < 1:
        raise UsageError("`batch` must be at least 1")
    if not s.lr > 0:
        raise UsageError("`lr` must be positive")
    for name in ("eps", "rtol", "atol"):
        value = getattr(s, name)
        if value is not None and not value >= 0:
            raise UsageError(f"`{name}` must not be negative")
    if s.eps is not None and s.eps == 0:
        raise UsageError("`eps` must be positive")
    if s.method not in METHODS:
        raise UsageError(f"unknown method {s.method!r}: choose from {', '.join(METHODS)}")
    if s.directions < 1:
        raise UsageError("`directions` must be at least 1")


def _precision(params: dict, warnings: list[str]) -> Precision:
    low = [n for n, p in params.items() if p.dtype.itemsize < 8]
    if not low:
        return DOUBLE
    kinds = sorted({str(params[n].dtype) for n in low})
    warnings.append(
        f"{', '.join(low)} {'is' if len(low) == 1 else 'are'} {'/'.join(kinds)}: finite "
        f"differences in single precision are good to about three digits, so the defaults "
        f"are eps {SINGLE.eps:g}, atol {SINGLE.atol:g}, rtol {SINGLE.rtol:g} and the grades "
        f"looser; a float64 copy of the network gives a sharper check"
    )
    return SINGLE


def _losses(chosen: Loss) -> list[Loss]:
    """The chosen loss first, then every other known loss (to name the one that matches)."""
    return [chosen] + [loss for loss in every_loss() if loss != chosen]


def _loss_values(losses: list[Loss], y, t):
    """Every loss at the outputs y (float64; NaN where a loss is not defined, as bce off (0,1))."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.array([loss.value(y, t) for loss in losses])


def _data(net, params: dict, s: Settings):
    """X, targets shaped like forward's output, and that output; checks forward's output."""
    dtype = min((p.dtype for p in params.values()), key=lambda d: d.itemsize)
    rng = np.random.default_rng(s.seed)
    X = rng.standard_normal((s.batch, s.sizes[0])).astype(dtype)
    kind = type(net).__name__
    y0 = _forward(net, X)
    if y0.ndim != 2 or y0.shape[0] != s.batch:
        raise UsageError(
            f"{kind}.forward(X) returned shape {y0.shape} for X of shape {X.shape}: "
            f"expected (N, K) = ({s.batch}, K)"
        )
    if not np.all(np.isfinite(y0)):
        raise UsageError(f"{kind}.forward(X) returned NaN or infinity")
    if not np.array_equal(_forward(net, X), y0):
        raise UsageError(
            f"{kind}.forward(X) gives different outputs on two calls (dropout or other "
            "randomness?): the check needs a deterministic forward"
        )
    x = X.astype(np.float64)
    d = x.shape[1]
    t = np.stack(
        [(x[:, j % d] + (x[:, (j + 1) % d] if d > 1 else 0.0) > 0) for j in range(y0.shape[1])],
        axis=1,
    ).astype(dtype)
    return X, t, y0


def _forward(net, X):
    return np.asarray(_call(f"{type(net).__name__}.forward(X)", net.forward, X))


@dataclass(frozen=True)
class _Tolerance:
    rtol: float
    atol: float

    def bound(self, true):
        return self.atol + self.rtol * np.abs(true)

    def close(self, applied: float, true: float) -> bool:
        return abs(applied - true) <= self.bound(true)


def _applied_gradient(net, params: dict, X, t, lr: float, tol: _Tolerance, warnings) -> dict:
    """g = (θ before − θ after) / lr, from one forward + backward; parameters restored after."""
    kind = type(net).__name__
    try:
        inspect.signature(net.backward).bind(X, t, lr)
    except TypeError as err:
        raise UsageError(
            f"{kind}.backward{_signature_of(net.backward)} cannot be called as "
            f"backward(X, y, learning_rate): {err}"
        ) from None
    except ValueError:  # no signature to read: just try it
        pass
    g = _one_update(net, params, X, t, lr)
    g_half = _one_update(net, params, X, t, lr / 2)
    if all(not np.any(v) for v in g.values()):
        warnings.append(
            f"{kind}.backward changed no parameter: it must update them in place "
            "(self.W1 -= learning_rate * dW1, or assign new arrays to the attributes)"
        )
    changed = [n for n in g if _differs(g[n], g_half[n], params[n], lr, tol)]
    if changed:
        warnings.append(
            f"the update of {', '.join(changed)} is not proportional to the learning rate "
            f"(lr {lr:g} and {lr / 2:g} give different gradients): backward may use "
            "parameters it has already updated, or it is not plain gradient descent; "
            f"the gradient is read at lr {lr:g}"
        )
    return g


def _signature_of(function) -> str:
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"


def _one_update(net, params: dict, X, t, lr: float) -> dict:
    kind = type(net).__name__
    before = {n: p.copy() for n, p in params.items()}
    data = X.copy(), t.copy()
    try:
        _forward(net, X)
        _call(f"{kind}.backward(X, y, learning_rate)", net.backward, X, t, lr)
        for name, array, kept in (("X", X, data[0]), ("y", t, data[1])):
            if not np.array_equal(array, kept, equal_nan=True):
                array[...] = kept  # put back, so no later check sees the changed data
                raise UsageError(
                    f"{kind}.backward changed its input {name} in place: the true gradient "
                    "would then be measured on other data; copy it before changing it"
                )
        g = {}
        for n, old in before.items():
            new = np.asarray(getattr(net, n, None))
            if new.shape != old.shape:
                raise UsageError(
                    f"{kind}.backward changed the shape of {n}: {old.shape} → {new.shape}"
                )
            g[n] = (old.astype(np.float64) - new.astype(np.float64)) / lr
        return g
    finally:
        for n, p in params.items():  # in place, and the original arrays put back
            p[...] = before[n]
            setattr(net, n, p)


def _differs(g, g_half, param, lr: float, tol: _Tolerance) -> bool:
    """Whether two recovered gradients differ by more than tolerance plus recovery rounding."""
    rounding = 8 * np.finfo(param.dtype).eps * np.abs(param).astype(np.float64) / (lr / 2)
    return bool(np.any(np.abs(g - g_half) > tol.bound(g) * 1e-2 + rounding))


# --- probes: an entry, or a random direction, of one parameter array ----------------


@dataclass
class _Probe:
    param: str
    index: tuple[int, ...] | None = None  # an entry (full differences)
    number: int | None = None  # a direction's number (directional check), from 1
    direction: Any = None  # its unit vector, shaped like the parameter
    # filled by _Context.measure, one entry per loss:
    applied: float = 0.0
    central: Any = None
    noise: Any = None
    kink: bool = False
    recheck: Any = None  # outputs for the kink re-check, kept only where there is a kink


def _probes(name: str, param, method: str, directions: int, rng) -> list[_Probe]:
    if method == "full":
        return [_Probe(name, index=tuple(int(i) for i in idx)) for idx in np.ndindex(param.shape)]
    out = []
    for k in range(1, directions + 1):
        v = rng.standard_normal(param.shape)
        out.append(_Probe(name, number=k, direction=v / np.linalg.norm(v)))
    return out


class _Context:
    """The network, its data and gradients, and how to measure a probe at a step."""

    def __init__(self, net, X, t, y0, params, applied, losses, base, eps, tol) -> None:
        self.net, self.X, self.t, self.y0 = net, X, t, y0
        self.params, self.applied, self.losses, self.base = params, applied, losses, base
        self.eps, self.tol = eps, tol
        self.u = float(np.finfo(y0.dtype).eps) if y0.dtype.kind == "f" else 2.0**-52

    def step(self, probe: _Probe, h: float):
        """(outputs, step along the probe, g·displacement) with the parameter moved by h."""
        p = self.params[probe.param]
        g = self.applied[probe.param]
        if probe.index is not None:
            old = p[probe.index]
            p[probe.index] = old + h
            moved = float(p[probe.index]) - float(old)  # the step p can represent
            try:
                y = _forward(self.net, self.X)
            finally:
                p[probe.index] = old
            return y, moved, float(g[probe.index]) * moved
        old = p.copy()
        p[...] = old + h * probe.direction
        moved = p.astype(np.float64) - old.astype(np.float64)
        try:
            y = _forward(self.net, self.X)
        finally:
            p[...] = old
        return y, float(np.sum(probe.direction * moved)), float(np.sum(g * moved))

    def central(self, probe: _Probe, h: float):
        """Every loss's central difference and the applied value at step h, and the outputs."""
        y_plus, s_plus, gd_plus = self.step(probe, h)
        y_minus, s_minus, gd_minus = self.step(probe, -h)
        width = s_plus - s_minus
        if width == 0:
            raise UsageError(
                f"eps {h:g} is too small to move {probe.param} (its values are too large): "
                "raise `eps`"
            )
        l_plus = _loss_values(self.losses, y_plus, self.t)
        l_minus = _loss_values(self.losses, y_minus, self.t)
        applied = (gd_plus - gd_minus) / width
        noise = NOISE_FACTOR * self.u * (abs(l_plus) + abs(l_minus)) / width
        sides = (y_plus, s_plus, l_plus, y_minus, s_minus, l_minus)
        return (l_plus - l_minus) / width, applied, noise, sides

    def measure(self, probe: _Probe) -> None:
        true, applied, noise, sides = self.central(probe, self.eps)
        probe.central, probe.noise = true, noise
        # an entry's applied value is g itself; a direction's is g·v over the displacement
        exact = probe.index is not None
        probe.applied = float(self.applied[probe.param][probe.index]) if exact else applied
        y_plus, s_plus, l_plus, y_minus, s_minus, l_minus = sides
        slope_plus = (np.asarray(y_plus, np.float64) - self.y0) / s_plus
        slope_minus = (np.asarray(y_minus, np.float64) - self.y0) / s_minus
        rounding = NOISE_FACTOR * self.u * (np.abs(self.y0) + 1) / min(abs(s_plus), abs(s_minus))
        bound = self.tol.bound(np.maximum(np.abs(slope_plus), np.abs(slope_minus))) + rounding
        probe.kink = bool(np.any(np.abs(slope_plus - slope_minus) > bound))
        if probe.kink:
            probe.recheck = [self.one_sided(sides)]
            for divisor in SMALLER_STEPS:
                true, applied, _, smaller = self.central(probe, self.eps / divisor)
                probe.recheck.append((true, applied) + self.one_sided(smaller)[2:])

    def one_sided(self, sides) -> tuple:
        """(central, None, forward, backward) differences of every loss, from a central's sides."""
        _, s_plus, l_plus, _, s_minus, l_minus = sides
        return (
            (l_plus - l_minus) / (s_plus - s_minus),
            None,
            (l_plus - self.base) / s_plus,
            (l_minus - self.base) / s_minus,
        )

    def verdict(self, probe: _Probe, i: int) -> tuple[str, float]:
        """("ok" | "kink" | "mismatch", the true value to compare with) for loss i."""
        true = float(probe.central[i])
        if self.tol.close(probe.applied, true):
            return "ok", true
        if not probe.kink or not np.isfinite(true):
            return "mismatch", true
        # a smaller step may clear the kink; else applied must lie between the one-sided values
        for central, applied, forward, backward in probe.recheck:
            if applied is not None and self.tol.close(applied, float(central[i])):
                return "kink", float(central[i])
            lo, hi = sorted((float(forward[i]), float(backward[i])))
            if lo - self.tol.bound(lo) <= probe.applied <= hi + self.tol.bound(hi):
                return "kink", min(max(probe.applied, lo), hi)
        return "mismatch", true


# --- per parameter, which loss, warnings ---------------------------------------------

TINY = float(np.finfo(np.float64).tiny)


def _parameter_report(
    name: str, param, probes: list[_Probe], verdicts: list, grades, tol: _Tolerance
) -> ParameterReport:
    """The worst element of one parameter (a failing one, if any fails), graded."""
    mine = [(p, v) for p, v in zip(probes, verdicts, strict=True) if p.param == name]
    applied = np.array([p.applied for p, _ in mine])
    true = np.array([v[1] for _, v in mine])
    noise = np.array([float(p.noise[0]) for p, _ in mine])
    status = [v[0] for _, v in mine]
    abs_err = np.abs(applied - true)
    scale = np.maximum(np.abs(applied) + np.abs(true), TINY)
    rel = abs_err / scale
    excess = np.maximum(abs_err - noise, 0.0) / scale  # what rounding noise cannot explain
    failing = np.array([s == "mismatch" for s in status])
    candidates = np.flatnonzero(failing) if failing.any() else np.arange(len(mine))
    order = np.lexsort((rel[candidates], excess[candidates]))  # by excess, then rel
    w = int(candidates[order[-1]])
    kinks = status.count("kink")
    probe = mine[w][0]
    return ParameterReport(
        name=name,
        shape=tuple(param.shape),
        dtype=str(param.dtype),
        checked=len(mine),
        worst_index=probe.index,
        worst_direction=probe.number,
        applied=float(applied[w]),
        true=float(true[w]),
        abs_error=float(abs_err[w]),
        rel_error=float(rel[w]),
        noise=float(noise[w]),
        grade=_grade(float(excess[w]), grades, kinks > 0),
        passed=not failing.any(),
        mismatches=int(failing.sum()),
        kinks=kinks,
    )


def _grade(excess: float, grades, near_kink: bool) -> str:
    """The usual reading of a relative error (cs231n's): good, acceptable, suspicious, wrong."""
    good, acceptable, suspicious = grades
    if not np.isfinite(excess) or excess > suspicious:
        return "wrong"
    if excess < good:
        return "good"
    if excess <= acceptable and near_kink:
        return "acceptable"
    return "suspicious"


def _score(probes: list[_Probe], verdicts: list, tol: _Tolerance, factor: float = 1.0) -> float:
    """The largest |applied − factor·true| / bound over the probes: at most 1 means agreement."""
    worst = 0.0
    for probe, (status, true) in zip(probes, verdicts, strict=True):
        if status == "kink" and factor == 1.0:
            continue
        true = factor * true
        if not np.isfinite(true):
            return np.inf
        worst = max(worst, abs(probe.applied - true) / max(float(tol.bound(true)), TINY))
    return worst


def _identify(losses: list[Loss], probes: list[_Probe], verdicts: dict, tol: _Tolerance):
    """The known loss whose gradient the backward applied; else one it applies a multiple of."""
    exact = [
        (_score(probes, verdicts[id(loss)], tol), loss)
        for loss in losses
        if all(status != "mismatch" for status, _ in verdicts[id(loss)])
    ]
    if exact and exact[0][1] is losses[0]:
        return Match(losses[0])  # the named loss agrees: no need to look further
    if exact:
        return Match(min(exact, key=lambda item: item[0])[1])
    scaled = []
    applied = np.array([p.applied for p in probes])
    for loss in losses:
        true = np.array([t for _, t in verdicts[id(loss)]])
        if not np.all(np.isfinite(true)) or not np.any(true):
            continue
        factor = float(applied @ true / (true @ true))
        if factor > 0 and _score(probes, verdicts[id(loss)], tol, factor) <= 1:
            scaled.append((_score(probes, verdicts[id(loss)], tol, factor), loss, factor))
    if not scaled:
        return None
    _, loss, factor = min(scaled, key=lambda item: item[0])
    return Match(loss, factor)


def _kink_warning(reports: list[ParameterReport], method: str, warnings: list[str]) -> None:
    hit = [r for r in reports if r.kinks]
    if not hit:
        return
    what = "entries" if method == "full" else "directions"
    total = sum(r.kinks for r in hit)
    each = ", ".join(f"{r.name}: {r.kinks}" for r in hit)
    warnings.append(
        f"{total} {what} ({each}) had a kink within the step (the network is not "
        "differentiable there, e.g. a ReLU pre-activation within eps of 0); re-checked with "
        "steps eps/10, eps/100 and one-sided differences, and not counted as mismatches"
    )


def _noise_notes(reports: list[ParameterReport], good: float) -> list[str]:
    """Say so where a grade is better than the raw relative error: the difference is noise."""
    quiet = [
        r for r in reports if r.grade == "good" and r.rel_error >= good and r.abs_error <= r.noise
    ]
    if not quiet:
        return []
    names = ", ".join(r.name for r in quiet)
    noise = min(r.noise for r in quiet)
    return [
        f"{names}: |applied − true| is below the rounding noise of the finite difference "
        f"(about {noise:.1e}), so a relative error up to {max(r.rel_error for r in quiet):.1e} "
        "there is not measurable and grades good"
    ]


def _atol_warning(reports: list[ParameterReport], tol: _Tolerance, warnings: list[str]) -> None:
    for r in reports:
        if r.passed and r.grade in ("suspicious", "wrong") and r.abs_error <= tol.atol:
            warnings.append(
                f"{r.name} passes only through atol {tol.atol:g}: its gradient is small "
                f"and its relative error {r.rel_error:.1e} reads {r.grade}"
            )


def _hints(chosen: Loss, match: Match | None, passed: bool, shape: tuple[int, int]) -> list[str]:
    """What a mismatch of a known kind usually means in the code."""
    if passed or match is None:
        return []
    found = match.loss
    if found.name == "bce" and chosen.name in ("mse", "half-sse") and match.factor != 1.0:
        return [
            f"{match.factor:.4g} × the cross-entropy gradient is what a squared error's backward "
            "gives when it forgets σ'(z) = a(1 − a) at a sigmoid output: dz = 2(a − t)/m "
            "needs ⊙ a(1 − a)" + _factor_note(match.factor, *shape)
        ]
    if found.name == "bce" and chosen.name in ("mse", "half-sse") and match.factor == 1.0:
        return [
            "a − t at a sigmoid output is the gradient of binary cross-entropy with respect "
            "to z; for a squared error it needs the factor σ'(z) = a(1 − a) as well "
            "(and 2 for mse)"
        ]
    if found.name == chosen.name and found.reduction != chosen.reduction:
        return [
            "the mean and the sum differ by the batch size N (N·K for mse and bce): "
            "check the division by m"
        ]
    if {found.name, chosen.name} == {"mse", "half-sse"}:
        return ["mse = 2 × half-sse, averaged over the outputs K as well as the batch N"]
    if match.factor != 1.0:
        return [
            f"a constant factor {match.factor:.4g} is missing or extra in backward"
            + _factor_note(match.factor, *shape)
        ]
    return []


def _factor_note(factor: float, n: int, k: int) -> str:
    """What a factor is, when it is one of the sizes a mean divides by."""
    named = {
        k: f"K = {k}, the number of outputs: a mean over the outputs is missing",
        1 / k: f"1/K, K = {k} outputs: a division by the outputs too many",
        n: f"N = {n}, the batch size: a division by m is missing",
        1 / n: f"1/N, N = {n}: a division by m too many",
        n * k: f"N·K = {n * k}: the mean over samples and outputs is missing",
    }
    for value, text in named.items():
        if value != 1 and abs(factor / value - 1) < 1e-6:
            return f" ({text})"
    return ""
