"""A small fully connected network in NumPy: forward, backprop, finite differences, training.

Parameters are stored the seed's way whatever the layout shown: W_l is
(inputs × outputs) and a layer computes Z = A @ W + b with samples as rows
(`X @ W1` in the seed's code).  The other convention, a = σ(Wx + b) with W
(outputs × inputs), is the same network transposed; `shown()` converts.

The backward pass is the seed's, generalised: δ_L = ∂L/∂Y ⊙ f'(Z_L)
(simplified to the scaled Y − T for a sigmoid output under cross-entropy, as
the seed does), ∂L/∂W_l = A_{l-1}ᵀ δ_l, ∂L/∂b_l = Σ_rows δ_l,
δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(Z_{l-1}); no gradient for the input layer, the
activation derivative taken from the saved activation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import UsageError
from .activations import Activation, activation
from .losses import Loss, softmax_rows

LAYOUTS = ("rows", "columns")
FULL_FD_LIMIT = 5000  # parameters: above this, a directional-derivative check instead


def parse_sizes(text: str) -> tuple[int, ...]:
    """'2,4,1' → (2, 4, 1): at least an input and an output layer, each 1 to 4096 wide."""
    parts = [p.strip() for p in str(text).split(",")]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise UsageError(
            f"`sizes` wants whole numbers separated by commas, like 2,4,1, not {text!r}"
        ) from None
    if len(sizes) < 2 or any(not 1 <= s <= 4096 for s in sizes) or len(sizes) > 12:
        raise UsageError("`sizes` wants 2 to 12 layer widths, each from 1 to 4096, like 2,4,1")
    return sizes


def parse_activations(text: str, layers: int) -> tuple[str, ...]:
    """One name for every layer, or one per layer ('tanh,sigmoid')."""
    names = [p.strip() for p in str(text).split(",")]
    for name in names:
        activation(name)
    if len(names) == 1:
        return tuple(names) * layers
    if len(names) != layers:
        raise UsageError(
            f"`activations` gives {len(names)} names for {layers} layers: give 1 or {layers}"
        )
    return tuple(names)


@dataclass
class Network:
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: Loss
    params: dict[str, np.ndarray] = field(default_factory=dict)
    fast: bool = False  # reuse buffers: results are overwritten by the next call
    _buffers: dict = field(default_factory=dict, repr=False)

    @property
    def layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def names(self) -> list[str]:
        return [f"{kind}{i}" for i in range(1, self.layers + 1) for kind in ("W", "b")]

    def activation(self, layer: int) -> Activation:
        return activation(self.activations[layer - 1])

    def init(self, rng_randn, scale: float | None = None) -> None:
        """W_l = randn(n_{l-1}, n_l) · scale in layer order, b_l = 0, as the seed's __init__.

        `scale` None is 1/sqrt(n_{l-1}), which keeps a deep walkthrough's
        numbers in a readable range; the seed's training uses 0.01.
        """
        for layer in range(1, self.layers + 1):
            n_in, n_out = self.sizes[layer - 1], self.sizes[layer]
            factor = scale if scale is not None else 1 / np.sqrt(n_in)
            self.params[f"W{layer}"] = rng_randn(n_in, n_out) * factor
            self.params[f"b{layer}"] = np.zeros(n_out)

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(Z, A) per layer; A[0] is the input, A[-1] the output."""
        if self.fast:
            return self._forward_into(x)
        zs, acts = [None], [x]
        for layer in range(1, self.layers + 1):
            z = acts[-1] @ self.params[f"W{layer}"] + self.params[f"b{layer}"]
            zs.append(z)
            acts.append(self.activation(layer).forward(z))
        return zs, acts

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)[1][-1]

    def value(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.loss.value(self.predict(x), t)

    def output_delta(self, z: np.ndarray, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """δ_L = ∂L/∂Z_L; for sigmoid + cross-entropy the σ' cancels: scale·(Y − T)."""
        last = self.activation(self.layers)
        if self.loss.name == "bce" and last.name == "sigmoid":
            n, k = y.shape
            return (y - t) * self.loss.scale(n, k)
        return self.loss.gradient(y, t) * last.derivative(z, y)

    def backward(self, x: np.ndarray, t: np.ndarray, cache=None) -> dict[str, np.ndarray]:
        """Every parameter's gradient.

        `cache` is forward(x)'s (Z, A), when the caller has it already.
        """
        zs, acts = cache if cache is not None else self.forward(x)
        if self.fast:
            return self._backward_into(zs, acts, t)
        grads: dict[str, np.ndarray] = {}
        delta = self.output_delta(zs[-1], acts[-1], t)
        for layer in range(self.layers, 0, -1):
            grads[f"W{layer}"] = acts[layer - 1].T @ delta
            grads[f"b{layer}"] = delta.sum(axis=0)
            if layer > 1:
                back = delta @ self.params[f"W{layer}"].T
                delta = back * self.activation(layer - 1).derivative(zs[layer - 1], acts[layer - 1])
        return grads

    def _buffer(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        buf = self._buffers.get(key)
        if buf is None or buf.shape != shape:
            buf = self._buffers[key] = np.empty(shape)
        return buf

    def _forward_into(self, x: np.ndarray):
        """forward() writing into reused buffers: the training loop's hot path."""
        from .activations import FORWARD_INTO

        zs, acts = [None], [x]
        for layer in range(1, self.layers + 1):
            shape = (x.shape[0], self.sizes[layer])
            z = self._buffer(f"z{layer}", shape)
            np.matmul(acts[-1], self.params[f"W{layer}"], out=z)
            z += self.params[f"b{layer}"]
            a = self._buffer(f"a{layer}", shape)
            FORWARD_INTO[self.activations[layer - 1]](z, a)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def _backward_into(self, zs: list, acts: list, t: np.ndarray) -> dict[str, np.ndarray]:
        """backward() with reused buffers; no gradient for the input layer."""
        from .activations import SLOPE_INTO

        grads: dict[str, np.ndarray] = {}
        delta = self.output_delta(zs[-1], acts[-1], t)
        for layer in range(self.layers, 0, -1):
            gw = self._buffer(f"gW{layer}", self.params[f"W{layer}"].shape)
            np.matmul(acts[layer - 1].T, delta, out=gw)
            grads[f"W{layer}"] = gw
            grads[f"b{layer}"] = np.sum(
                delta, axis=0, out=self._buffer(f"gb{layer}", (delta.shape[1],))
            )
            if layer > 1:
                back = self._buffer(f"back{layer - 1}", zs[layer - 1].shape)
                np.matmul(delta, self.params[f"W{layer}"].T, out=back)
                slope = self._buffer(f"slope{layer - 1}", back.shape)
                SLOPE_INTO[self.activations[layer - 2]](zs[layer - 1], acts[layer - 1], slope)
                back *= slope
                delta = back
        return grads

    def finite_differences(self, x: np.ndarray, t: np.ndarray, h: float = 1e-3) -> dict:
        """The loss's gradient by the five-point central difference, entry by entry (float64).

        (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h is exact to O(h⁴):
        with h = 1e-3 both its truncation and its rounding error are near
        1e-12, so a correct backward pass agrees to about 1e-9 relative.
        """
        grads = {}
        for name in self.names:
            p = self.params[name]
            g = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                keep = p[index]
                values = []
                for step in (2 * h, h, -h, -2 * h):
                    p[index] = keep + step
                    values.append(self.value(x, t))
                p[index] = keep
                g[index] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
            grads[name] = g
        return grads

    def directional(self, x, t, grads: dict, directions: int = 3, h: float = 1e-3, seed: int = 0):
        """(finite difference, gradient·v, step) along random unit directions v.

        The five-point difference of L(θ + s·v) in s, as in `finite_differences`.  A
        ReLU's slope jumps at 0: where a pre-activation changes sign within ±2h the
        difference straddles two slopes and tests nothing, so the step is cut by 10
        (down to h/1000) until none does; the step is None where that never happens.
        """
        rng = np.random.default_rng(seed)
        out = []
        keep = {n: self.params[n].copy() for n in self.names}
        relu = [i for i, a in enumerate(self.activations, start=1) if a == "relu"]
        signs = _signs(self.forward(x)[0], relu)
        for _ in range(directions):
            v = {n: rng.standard_normal(self.params[n].shape) for n in self.names}
            norm = np.sqrt(sum(float((d**2).sum()) for d in v.values()))
            step_used = None
            for size in (h, h / 10, h / 100, h / 1000):
                values, crossed = [], False
                for step in (2 * size, size, -size, -2 * size):
                    for n in self.names:
                        self.params[n] = keep[n] + (step / norm) * v[n]
                    zs, acts = self.forward(x)  # one pass gives the loss and the signs
                    values.append(self.loss.value(acts[-1], t))
                    if relu and abs(step) == 2 * size:
                        crossed |= any(
                            not np.array_equal(a, b)
                            for a, b in zip(signs, _signs(zs, relu), strict=True)
                        )
                self.params.update({n: keep[n].copy() for n in self.names})
                if not crossed:
                    step_used = size
                    break
            fd = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * size)
            dot = sum(float((grads[n] * v[n]).sum()) for n in self.names) / norm
            out.append((fd, dot, step_used))
        return out

    def count(self) -> int:
        return sum(p.size for p in self.params.values())


def _signs(zs: list, layers: list[int]) -> list[np.ndarray]:
    """Which ReLU pre-activations are positive, in each of these layers."""
    return [zs[i] > 0 for i in layers]


def shown(array: np.ndarray, name: str, layout: str) -> np.ndarray:
    """A weight matrix in the layout shown: transposed for a = σ(Wx + b)."""
    if layout == "columns" and name.startswith("W"):
        return array.T
    return array


def relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max(|a| + |b|, tiny), element by element."""
    tiny = np.finfo(np.float64).tiny
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)


SEED_TEST_INPUTS = np.array([[1, 1], [-1, -1], [1, -1]])


@dataclass
class Training:
    network: Network
    x: np.ndarray
    t: np.ndarray
    history: list[dict]  # every 100 epochs: epoch, loss, mse (before that epoch's update)
    losses: np.ndarray  # the loss at every epoch, for the curve
    predictions: list[float] | None  # for the seed's three test inputs


def seed_data(seed: int, n_in: int, n_out: int, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """The seed script's data: 100 points from randn, label x0 + x1 > 0."""
    rng = rng or np.random.RandomState(seed)
    x = rng.randn(100, n_in)
    label = x[:, 0] + x[:, 1] > 0 if n_in > 1 else x[:, 0] > 0
    return x, np.repeat(label.astype(float).reshape(-1, 1), n_out, axis=1)


def train(
    sizes: tuple[int, ...],
    activations: tuple[str, ...],
    loss: Loss,
    epochs: int = 1000,
    lr: float = 0.1,
    seed: int = 42,
    every: int = 100,
    progress=None,
) -> Training:
    """The seed script's run: the same draws in the same order, the same updates.

    np.random.seed(seed), X = randn(100, n), y, then W1 = randn·0.01, b1 = 0,
    W2 = randn·0.01, ... (RandomState(seed) is that same stream); each epoch
    measures the loss and the MSE before its update, as the seed prints them.
    """
    rng = np.random.RandomState(seed)
    x, t = seed_data(seed, sizes[0], sizes[-1], rng)
    softmax = loss.name == "softmax-ce"
    if softmax:  # the seed's label as a class: one-hot rows of 2 or more columns
        t = np.eye(sizes[-1])[t[:, 0].astype(int)]
    net = Network(tuple(sizes), tuple(activations), loss)
    net.init(rng.randn, scale=0.01)
    net.fast = True  # buffers reused: each epoch's results are used before the next
    history, losses = [], np.empty(epochs)
    for epoch in range(epochs):
        cache = net.forward(x)
        y = cache[1][-1]
        losses[epoch] = loss.value(y, t)
        if epoch % every == 0:
            out = softmax_rows(y) if softmax else y  # softmax-ce: the MSE of probabilities
            mse = float(np.mean((out - t) ** 2))
            history.append({"epoch": epoch, "loss": float(losses[epoch]), "mse": mse})
        grads = net.backward(x, t, cache)
        for name in net.names:
            net.params[name] -= lr * grads[name]
        if progress is not None:
            progress(epoch + 1)
    predictions = None
    if sizes[0] == 2:
        scores = net.predict(SEED_TEST_INPUTS)
        if softmax:  # the probability of class 1 (x0 + x1 > 0), as the seed's y says it
            scores = softmax_rows(scores)[:, 1:]
        predictions = [float(v) for v in scores[:, 0]]
    net.fast = False  # what callers get back computes fresh arrays again
    return Training(net, x, t, history, losses, predictions)
