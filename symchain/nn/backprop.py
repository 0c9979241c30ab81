"""The seed's two-layer network walked through: backprop as the chain rule, layer by layer.

The backward pass is derived by the matrix engine (`nn.derived`: the network as matrix
definitions, reverse accumulation by differentials), and the local derivatives
(σ'(z), ∂ℓ/∂y) by the step engine; each closed form the text uses (σ' = σ(1 − σ)) is
checked against the derivation.  A seeded numeric instance then computes every
gradient three ways and compares them, and the derived formulas with numpy's:

1. symbolic: for a network of at most SCALAR_LIMIT parameters, the loss is
   written out as one scalar SymPy expression per sample and differentiated by
   `sympy.diff` for each parameter (lambdified); above that, the matrix engine's
   derived formulas, evaluated with NumPy.
2. numpy: the vectorized backprop of `symchain.nn.network` (hand-written
   derivatives, and the seed's σ' cancellation for cross-entropy).
3. finite differences: five-point central differences of the loss in
   float64 (a directional-derivative check above FULL_FD_LIMIT parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..calculus.derivation import Derivation, derive
from ..core.compare import Verdict, compare
from ..core.errors import UsageError
from ..core.status import Status
from ..results import Rendered
from .derived import DerivedBackward, derived_backward
from .losses import Loss
from .network import FULL_FD_LIMIT, LAYOUTS, Network, Training, relative_error

#: lambdify's modules: SymPy's Heaviside(0) is 1/2, NumPy's relu slope (z > 0) is 0 there;
#: both are subgradients at the kink, and the check must use one convention.
NUMPY = [{"Heaviside": lambda z, *_: np.greater(z, 0).astype(float)}, "numpy"]

SCALAR_LIMIT = 80  # parameters: up to this, the symbolic gradient is sympy.diff of the scalar loss
THRESHOLD = 1e-6
DIRECTIONAL_STEP = 1e-3  # relative error below which two gradients agree
MAX_BATCH = 4096

Z = sp.Symbol("z", real=True)
Y = sp.Symbol("y", real=True)
T = sp.Symbol("t", real=True)


@dataclass(frozen=True)
class LocalDerivative:
    """f'(z) or ∂ℓ/∂y: derived step by step, and the closed form the text writes."""

    label: str  # "σ'(z)", "∂ℓ/∂y"
    derivation: Derivation
    closed_form: sp.Expr | None  # e.g. σ(z)(1 − σ(z)) written with s = σ(z)
    closed_text: str | None
    check: Verdict | None  # closed form against the derivation


@dataclass(frozen=True)
class Comparison:
    name: str
    shape: tuple[int, ...]
    max_abs: float
    max_rel: float

    @property
    def passed(self) -> bool:
        return self.max_rel < THRESHOLD


@dataclass(frozen=True)
class Walkthrough(Rendered):
    """The network at a seeded instance: local derivatives, every gradient three ways and
    how they compare; with --train, the training run too.  Computed whole, then shown."""

    network: Network
    layout: str
    seed: int
    x: np.ndarray
    t: np.ndarray
    activation_derivatives: dict[str, LocalDerivative]
    loss_derivative: LocalDerivative
    gradients: dict[
        str, dict[str, np.ndarray]
    ]  # name -> {"symbolic", "numpy", "finite_difference"}
    symbolic_method: str  # "scalar" or "matrix"
    fd_method: str  # "five-point" or "directional"
    directional: list[tuple[float, float, float | None]] | None  # fd, gradient·v, step
    comparisons: dict[str, dict[str, Comparison]]  # "symbolic-numpy" / "numpy-fd" -> per parameter
    norms: dict[int, float]  # layer -> ‖∂L/∂W_l‖
    kinks: int = 0  # ReLU pre-activations within a finite-difference step of the kink
    directional_checks: tuple[dict, ...] = ()  # each direction's two numbers and verdict
    one_weight: float | None = None  # ∂L/∂W_{L-1}[0,0] by the Leibniz product (L ≥ 2)
    history: list[dict] | None = None
    predictions: list[float] | None = None
    losses: np.ndarray | None = None  # every epoch's loss, with --train
    derived: DerivedBackward | None = None  # the backward pass by the matrix engine

    @property
    def derivations_verified(self) -> bool:
        parts = [*self.activation_derivatives.values(), self.loss_derivative]
        return all(p.derivation.verified and (p.check is None or p.check.confirmed) for p in parts)

    @property
    def passed(self) -> bool:
        numeric = all(c.passed for table in self.comparisons.values() for c in table.values())
        derived = self.derived is None or self.derived.agrees
        return numeric and derived and self.derivations_verified and self._directional_ok()

    def _directional_ok(self) -> bool:
        return all(d["passed"] for d in self.directional_report())

    @property
    def status(self) -> Status:
        """verified when every gradient agrees three ways and the local derivatives are
        verified, failed otherwise (a numeric comparison decides; nothing is left open)."""
        return Status.VERIFIED if self.passed else Status.FAILED

    def directional_report(self) -> list[dict]:
        """Each direction: the two numbers, their relative error, and whether they agree
        (within THRESHOLD, or within the finite difference's rounding noise)."""
        return list(self.directional_checks)

    @property
    def max_relative_error(self) -> float:
        values = [c.max_rel for table in self.comparisons.values() for c in table.values()]
        values += [
            d["rel_error"] for d in self.directional_report() if not (d["passed"] or d["kink"])
        ]
        return max(values, default=0.0)


def local_activation(name: str, act) -> LocalDerivative:
    """f'(z) by the step engine; the textbook form in terms of f(z) checked against it."""
    d = derive(act.formula(Z), wrt=Z)
    s = act.formula(Z)
    closed = {
        "sigmoid": (s * (1 - s), "σ(z)(1 − σ(z))"),
        "tanh": (1 - sp.tanh(Z) ** 2, "1 − tanh(z)²"),
        "softplus": (1 / (1 + sp.exp(-Z)), "σ(z)"),
    }.get(name)
    if closed is None:
        return LocalDerivative(f"{act.symbol}'(z)", d, None, None, None)
    return LocalDerivative(
        f"{act.symbol}'(z)", d, closed[0], closed[1], compare(d.result, closed[0])
    )


#: Σ_{j≠k} e^{y_j}, for the softmax cross-entropy's local derivative by one score y_k.
OTHERS = sp.Symbol("s", positive=True)
SOFTMAX_LABEL = "∂ℓ/∂y_k (s = Σ_{j≠k} e^{y_j})"


def local_loss(loss: Loss) -> LocalDerivative:
    if loss.name == "softmax-ce":  # ℓ = ln Σ_j e^{y_j} − Σ_j t_j y_j, by one y_k
        d = derive(sp.log(sp.exp(Y) + OTHERS) - T * Y, wrt=Y)
        return LocalDerivative(SOFTMAX_LABEL, d, None, None, None)
    d = derive(loss.element()(Y, T), wrt=Y)
    return LocalDerivative("∂ℓ/∂y", d, None, None, None)


def walkthrough(
    network: Network,
    batch: int = 1,
    seed: int = 0,
    layout: str = "rows",
    x: np.ndarray | None = None,
    t: np.ndarray | None = None,
    training: Training | None = None,
) -> Walkthrough:
    """The seeded instance (or the given x, t and parameters): every gradient three ways;
    `training` is the run that trained the network, shown with it."""
    if layout not in LAYOUTS:
        raise UsageError(f"`layout` is rows or columns, not {layout!r}")
    if not 1 <= batch <= MAX_BATCH:
        raise UsageError(f"`batch` wants 1 to {MAX_BATCH} samples")
    if network.loss.name == "bce" and network.activations[-1] != "sigmoid":
        raise UsageError("`loss` bce needs outputs in (0, 1): use a sigmoid output layer")
    softmax = network.loss.name == "softmax-ce"
    if softmax and (network.activations[-1] != "identity" or network.sizes[-1] < 2):
        raise UsageError(
            "`loss` softmax-ce takes the scores of at least 2 classes: an output layer of 2 "
            "or more units with the identity activation (--sizes 2,4,2)"
        )
    rng = np.random.RandomState(seed)
    if x is None or t is None:
        x = rng.randn(batch, network.sizes[0])
        label = x.sum(axis=1, keepdims=True) > 0
        if softmax:  # class 1 where the inputs add up to more than 0, as one-hot rows
            t = np.eye(network.sizes[-1])[label.ravel().astype(int)]
        else:
            t = np.repeat(label.astype(float), network.sizes[-1], axis=1)
    if not network.params:
        network.init(rng.randn)
    acts = {
        name: local_activation(name, network.activation(i + 1))
        for i, name in enumerate(network.activations)
    }
    loss_d = local_loss(network.loss)
    numpy_grads = network.backward(x, t)
    derived = derived_backward(network, layout, x, t, numpy_grads)
    if network.count() <= SCALAR_LIMIT:
        symbolic, method = scalar_gradients(network, x, t), "scalar"
    else:
        symbolic, method = derived.gradients, "matrix"
    directional = None
    if network.count() <= FULL_FD_LIMIT:
        fd, fd_method = network.finite_differences(x, t), "five-point"
    else:
        fd, fd_method = None, "directional"
        directional = network.directional(x, t, numpy_grads, h=DIRECTIONAL_STEP)
    grads = {
        n: {
            "symbolic": symbolic[n],
            "numpy": numpy_grads[n],
            **({"finite_difference": fd[n]} if fd else {}),
        }
        for n in network.names
    }
    comparisons = {
        "symbolic-numpy": _compare(grads, "symbolic", "numpy", 1e-13 * _scale(numpy_grads))
    }
    kinks = relu_kinks(network, x, 1e-2) if fd else 0
    if fd and not kinks:
        noise = fd_noise(network, x, t, 1e-3)
        comparisons["numpy-finite_difference"] = _compare(
            grads, "numpy", "finite_difference", noise
        )
    norms = {
        layer: float(np.linalg.norm(numpy_grads[f"W{layer}"]))
        for layer in range(1, network.layers + 1)
    }
    checks = tuple(_directional_checks(network, x, t, directional))
    one_weight = leibniz_one_weight(network, x, t) if network.layers >= 2 else None
    return Walkthrough(
        network,
        layout,
        seed,
        x,
        t,
        acts,
        loss_d,
        grads,
        method,
        fd_method,
        directional,
        comparisons,
        norms,
        kinks,
        checks,
        one_weight,
        *((training.history, training.predictions, training.losses) if training else ()),
        derived=derived,
    )


def _directional_checks(
    network: Network, x: np.ndarray, t: np.ndarray, directional: list[tuple] | None
) -> list[dict]:
    """Each direction: the two numbers, their relative error, and whether they agree
    (within THRESHOLD, or within the finite difference's rounding noise).  A direction
    whose every step straddles a ReLU kink tests nothing: it is said, not counted."""
    out = []
    for fd, dot, step in directional or []:
        rel = float(relative_error(np.array(fd), np.array(dot)))
        entry = {"finite_difference": fd, "gradient_dot_v": dot, "rel_error": rel}
        if step is None:
            out.append({**entry, "step": None, "passed": True, "kink": True})
            continue
        noise = fd_noise(network, x, t, step)
        ok = rel < THRESHOLD or abs(fd - dot) <= noise
        out.append({**entry, "step": step, "passed": ok, "kink": False})
    return out


def leibniz_one_weight(network: Network, x: np.ndarray, t: np.ndarray) -> float:
    """∂L/∂W_{L-1}[0,0] as the Leibniz product along its paths, from the forward values,
    independently of the deltas: the walkthrough shows it beside numpy's."""
    net = network
    L = net.layers
    j = L - 1  # the weight's layer
    zs, acts = net.forward(x)
    n, kk = t.shape
    dl = net.loss.gradient(acts[-1], t)  # ∂L/∂y, scale included
    out = net.activation(L).derivative(zs[L], acts[L])
    mid = net.activation(j).derivative(zs[j], acts[j])
    total = 0.0
    for sample in range(n):
        for k in range(kk):
            total += (
                dl[sample, k]
                * out[sample, k]
                * net.params[f"W{L}"][0, k]
                * mid[sample, 0]
                * acts[j - 1][sample, 0]
            )
    return total


def _scale(grads: dict) -> float:
    return max((float(np.abs(g).max()) for g in grads.values() if g.size), default=1.0) or 1.0


def _compare(grads: dict, a: str, b: str, floor: float = 0.0) -> dict[str, Comparison]:
    """Largest absolute and relative differences per parameter.

    `floor` is the noise of the finite difference: a difference below it says
    nothing (a gradient of exactly 0 beside 1e-14 of rounding noise would
    otherwise score a relative error of 1), so such entries count as equal.
    """
    out = {}
    for name, ways in grads.items():
        diff = np.abs(ways[a] - ways[b])
        rel = np.where(diff <= floor, 0.0, relative_error(ways[a], ways[b]))
        out[name] = Comparison(name, ways[a].shape, float(diff.max()), float(rel.max()))
    return out


def fd_noise(network: Network, x: np.ndarray, t: np.ndarray, h: float) -> float:
    """Rounding noise of the five-point difference: about 18·u·|L|/(12h), with margin."""
    return 10 * np.finfo(float).eps * max(abs(network.value(x, t)), 1e-300) * 18 / (12 * h)


def relu_kinks(network: Network, x: np.ndarray, step: float) -> int:
    """ReLU pre-activations within a finite-difference step of 0 (where the slope jumps)."""
    zs, _ = network.forward(x)
    count = 0
    for layer in range(1, network.layers + 1):
        if network.activations[layer - 1] == "relu":
            count += int((np.abs(zs[layer]) <= step).sum())
    return count


def scalar_gradients(network: Network, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Each parameter's gradient as sympy.diff of the loss written out for one sample, summed."""
    xs = sp.symbols(f"x0:{network.sizes[0]}", real=True)
    ts = sp.symbols(f"t0:{network.sizes[-1]}", real=True)
    params = {
        name: sp.Matrix(
            *p.shape if p.ndim == 2 else (1, p.size),
            lambda i, j, name=name: sp.Symbol(f"{name}_{i}_{j}", real=True),
        )
        for name, p in network.params.items()
    }
    a = sp.Matrix([list(xs)])
    for layer in range(1, network.layers + 1):
        z = a * params[f"W{layer}"] + params[f"b{layer}"]
        a = z.applyfunc(network.activation(layer).formula)
    k_out = network.sizes[-1]
    if network.loss.name == "softmax-ce":  # ln Σ_k e^{y_k} − Σ_k t_k y_k: one-hot t
        sample_loss = sp.log(sp.Add(*(sp.exp(a[0, k]) for k in range(k_out)))) - sp.Add(
            *(ts[k] * a[0, k] for k in range(k_out))
        )
    else:
        element = network.loss.element()
        sample_loss = sp.Add(*(element(a[0, k], ts[k]) for k in range(k_out)))
    flat = [s for name in network.names for s in params[name]]
    derivatives = [sp.diff(sample_loss, s) for s in flat]
    fn = sp.lambdify([flat, list(xs), list(ts)], derivatives, modules=NUMPY, cse=True)
    values = [v for name in network.names for v in network.params[name].ravel()]
    total = np.zeros(len(flat))
    for row in range(x.shape[0]):
        total += np.array(fn(values, list(x[row]), list(t[row])), dtype=float)
    total *= network.loss.scale(*t.shape)
    out, start = {}, 0
    for name in network.names:
        size = network.params[name].size
        out[name] = total[start : start + size].reshape(network.params[name].shape)
        start += size
    return out
