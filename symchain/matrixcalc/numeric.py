"""The proof: the formula and its derivative evaluated with NumPy at concrete sizes and
values, and the derivative compared with central differences of the formula itself.

Sizes are drawn per named size (n, m …), different from each other where they can be, so
that a transposed answer cannot pass by symmetry; values are standard normal, or, where
the formula is not finite and real there (log det X, √ of entries), square matrices
S + K with S positive definite and K skew (det > 0, not symmetric) and positive entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .expr import (
    Add,
    Det,
    Diag,
    Differential,
    Dim,
    Divide,
    ElementPower,
    Eye,
    Func,
    Hadamard,
    Inverse,
    Mul,
    Node,
    Norm,
    Num,
    Ones,
    Power,
    Shape,
    Shapes,
    Sum,
    Trace,
    Transpose,
    Var,
)

Values = Mapping[str, np.ndarray]


def _sigma(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "sigma": _sigma, "sigma'": lambda z: _sigma(z) * (1 - _sigma(z)),
    "tanh'": lambda z: 1 - np.tanh(z) ** 2, "relu": lambda z: np.maximum(z, 0.0),
    "relu'": lambda z: (z > 0).astype(float), "softplus": lambda z: np.logaddexp(0.0, z),
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
}  # fmt: skip


class Sizes(dict[str, int]):
    """A number for each named size."""


def evaluate(node: Node, values: Values, sizes: Mapping[str, int]) -> np.ndarray:  # noqa: C901, PLR0911, PLR0912
    """The value of `node`, a 2-D array (a scalar is 1×1)."""

    def size(d: Dim) -> int:
        return d if isinstance(d, int) else sizes[d]

    def go(n: Node) -> np.ndarray:  # noqa: C901, PLR0911, PLR0912
        if isinstance(n, Var | Differential):
            return values[n.name if isinstance(n, Var) else "d" + n.name]
        if isinstance(n, Num):
            return np.array([[float(n.value)]])
        if isinstance(n, Ones):
            return np.ones((size(n.shape[0]), size(n.shape[1])))
        if isinstance(n, Eye):
            return np.eye(size(n.n))
        if isinstance(n, Add):
            return sum((go(t) for t in n.items[1:]), go(n.items[0]))
        if isinstance(n, Mul):
            out = go(n.items[0])
            for f in n.items[1:]:
                v = go(f)
                out = out * v if out.shape == (1, 1) or v.shape == (1, 1) else out @ v
            return out
        if isinstance(n, Hadamard):
            out = go(n.items[0])
            for f in n.items[1:]:
                out = out * go(f)
            return out
        if isinstance(n, Divide):
            return np.asarray(go(n.num) / go(n.den))
        if isinstance(n, Transpose):
            return np.asarray(go(n.arg).T)
        if isinstance(n, Inverse):
            a = go(n.arg)
            if np.linalg.cond(a) > 1e10:  # as good as singular: no value to check here
                raise np.linalg.LinAlgError("singular")
            return np.linalg.inv(a)
        if isinstance(n, Det):
            return np.array([[np.linalg.det(go(n.arg))]])
        if isinstance(n, Trace):
            return np.array([[np.trace(go(n.arg))]])
        if isinstance(n, Norm):
            return np.array([[np.linalg.norm(go(n.arg))]])
        if isinstance(n, Sum):
            return np.array([[go(n.arg).sum()]])
        if isinstance(n, Diag):
            a = go(n.arg)
            return np.diag(a[:, 0]) if a.shape[1] == 1 else np.diag(a).reshape(-1, 1)
        if isinstance(n, Func):
            return np.asarray(_FUNCTIONS[n.name](go(n.arg)), dtype=float)
        if isinstance(n, Power):
            a = go(n.base)
            if a.shape == (1, 1):
                return a ** float(n.exponent)
            return np.linalg.matrix_power(a, int(n.exponent))
        if isinstance(n, ElementPower):
            return go(n.base) ** float(n.exponent)
        raise TypeError(type(n).__name__)

    with np.errstate(all="ignore"):
        try:
            return go(node)
        except np.linalg.LinAlgError:  # a singular matrix here: no value at this point
            return np.full((1, 1), np.nan)


@dataclass(frozen=True)
class Point:
    sizes: dict[str, int]
    values: dict[str, np.ndarray]
    kind: str  # "normal" or "positive"


def draw(shapes: Shapes, names: list[str], rng: np.random.Generator, kind: str,
         fixed: Mapping[str, np.ndarray] | None = None, start: int = 0,
         equal: bool = False) -> Point:  # fmt: skip
    """Sizes and values for every variable in `names`."""
    fixed = dict(fixed or {})
    sizes: dict[str, int] = {}
    for name, arr in fixed.items():
        for d, k in zip(shapes.of_var[name], arr.shape, strict=True):
            if isinstance(d, str):
                sizes[d] = k
    free = sorted({d for n in names for d in shapes.of_var[n] if isinstance(d, str)} - set(sizes))
    choices = [3, 4, 2, 5, 6, 7]
    for i, d in enumerate(free):  # equal: where unequal sizes make a product singular
        sizes[d] = choices[start % len(choices)] if equal else choices[(start + i) % len(choices)]
    values: dict[str, np.ndarray] = {}
    for name in names:
        if name in fixed:
            values[name] = np.asarray(fixed[name], dtype=float)
            continue
        r, c = (d if isinstance(d, int) else sizes[d] for d in shapes.of_var[name])
        values[name] = _value(rng, r, c, kind)
    return Point(sizes, values, kind)


def _value(rng: np.random.Generator, r: int, c: int, kind: str) -> np.ndarray:
    if kind == "normal":
        return rng.standard_normal((r, c))
    if r == c and r > 1:
        b = rng.standard_normal((r, r))
        k = rng.standard_normal((r, r))
        return np.asarray(b @ b.T / r + np.eye(r) + 0.3 * (k - k.T))
    return np.asarray(rng.uniform(0.5, 1.5, (r, c)))


@dataclass(frozen=True)
class Comparison:
    worst: float  # the largest |claimed − differences| / scale
    ok: bool
    sizes: dict[str, int]
    kind: str
    point: Point | None = None
    differences: np.ndarray | None = None  # the central differences, shaped as the answer


TOLERANCE = 1e-6


def compare_gradient(
    f: Node, gradient: Node, wrt: str, point: Point, shape: Shape
) -> Comparison | None:
    """∂f/∂X from `gradient` against central differences of f, entry by entry; None where
    f is not finite and real at the point."""
    values = dict(point.values)
    base = evaluate(f, values, point.sizes)
    if not np.all(np.isfinite(base)):
        return None
    claimed = evaluate(gradient, values, point.sizes)
    if claimed.shape == (1, 1) and not np.all(np.isfinite(claimed)) and shape != (1, 1):
        return None  # the answer has no value here (a singular inverse): another point
    x = values[wrt]
    out_rows = base.shape[0]
    numeric: np.ndarray = np.zeros((out_rows, *x.shape) if base.shape != (1, 1) else x.shape)
    by_scalar = x.shape == (1, 1)
    for idx in np.ndindex(x.shape):
        h = 1e-6 * max(1.0, abs(x[idx]))
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        fp = evaluate(f, {**values, wrt: plus}, point.sizes)
        fm = evaluate(f, {**values, wrt: minus}, point.sizes)
        if not (np.all(np.isfinite(fp)) and np.all(np.isfinite(fm))):
            return None
        d = (fp - fm) / (2 * h)
        if x.shape == (1, 1):  # by a scalar: the derivative has f's shape
            numeric = d
        elif base.shape == (1, 1):
            numeric[idx] = d[0, 0]
        else:
            numeric[(slice(None),) + idx] = d[:, 0]
    if (
        base.shape != (1, 1) and not by_scalar
    ):  # a Jacobian: rows the outputs, columns the entries of x
        numeric = numeric.reshape(out_rows, -1)
    if claimed.shape != numeric.shape:
        claimed = claimed.reshape(numeric.shape) if claimed.size == numeric.size else claimed
    if claimed.shape != numeric.shape or not np.all(np.isfinite(claimed)):
        return Comparison(float("inf"), False, point.sizes, point.kind)
    scale = max(1.0, float(np.max(np.abs(numeric))), float(np.max(np.abs(base))))
    worst = float(np.max(np.abs(claimed - numeric))) / scale
    return Comparison(worst, worst <= TOLERANCE, point.sizes, point.kind, point, numeric)
