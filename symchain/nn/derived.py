"""The network's backward pass derived by the matrix engine, not written from a template.

The forward pass is written as a program of matrix definitions (samples as rows,
Z1 = X·W1 + 1·b1ᵀ, or as columns, Z1 = W1·X + b1·1ᵀ), the loss summed over the batch, and
`matrixcalc.backward.reverse` pulls ∂L/∂(each name) back through the differentials, rule
by rule: δ2 = ∂L/∂Z2, ∂L/∂W2 = A1ᵀ·δ2, ∂L/∂b2 = δ2ᵀ·1, δ1 = (δ2·W2ᵀ) ⊙ σ′(Z1), …
Each formula it gives is then evaluated at the walkthrough's instance and compared with
NumPy's backprop, parameter by parameter, so a printed formula is one that was checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..matrixcalc.backward import Reverse, reverse
from ..matrixcalc.differential import differential_of, gradient
from ..matrixcalc.expr import (
    Add,
    Divide,
    Func,
    Hadamard,
    Mul,
    Node,
    Norm,
    Num,
    Ones,
    Power,
    Shape,
    Shapes,
    Sum,
    Transpose,
    Var,
)
from .network import Network, relative_error

#: The engine's name of each activation (identity has none: A = Z).
FUNCTION = {"sigmoid": "sigma", "tanh": "tanh", "relu": "relu", "softplus": "softplus"}
AGREE = 1e-9  # relative difference below which a derived gradient is numpy's


@dataclass(frozen=True)
class DerivedBackward:
    """The program, the reverse pass over it, and how each gradient compares with numpy."""

    program: tuple[tuple[str, Node], ...]
    reverse: Reverse
    names: dict[str, str]  # what each role is called here: "x", "y", "t", "a1", "z1", …
    differences: dict[str, float]  # parameter -> largest relative difference to numpy
    gradients: dict[str, np.ndarray]  # the formulas' values, shaped as the network's own

    @property
    def agrees(self) -> bool:
        return all(d <= AGREE for d in self.differences.values())


def _names(network: Network, batch: int) -> dict[str, str]:
    """x or X, z1 or Z1: capitals for a batch, as the walkthrough writes them."""

    def name(base: str, layer: int | None = None) -> str:
        return (base.upper() if batch > 1 else base) + ("" if layer is None else str(layer))

    out = {"x": name("x"), "t": name("t"), "y": name("y")}
    for layer in range(1, network.layers + 1):
        out[f"z{layer}"] = name("z", layer)
        out[f"a{layer}"] = out["y"] if layer == network.layers else name("a", layer)
    return out


def program(network: Network, layout: str, batch: int) -> tuple[list[tuple[str, Node]], dict]:
    """The forward pass and the loss as matrix definitions, with the leaves' shapes."""
    rows = layout == "rows"
    n, sizes = batch, network.sizes
    names = _names(network, batch)
    leaves: dict[str, Shape] = {
        names["x"]: (n, sizes[0]) if rows else (sizes[0], n),
        names["t"]: (n, sizes[-1]) if rows else (sizes[-1], n),
    }
    steps: list[tuple[str, Node]] = []
    previous: Node = Var(names["x"])
    for layer in range(1, network.layers + 1):
        w, b = f"W{layer}", f"b{layer}"
        leaves[w] = (sizes[layer - 1], sizes[layer]) if rows else (sizes[layer], sizes[layer - 1])
        leaves[b] = (sizes[layer], 1)
        z = names[f"z{layer}"]
        steps.append((z, _affine(previous, Var(w), Var(b), n, rows)))
        act = network.activations[layer - 1]
        if act == "identity":
            previous = Var(z)
            if layer == network.layers:  # y = z, named so that the loss reads L(y, t)
                steps.append((names["y"], Var(z)))
        else:
            steps.append((names[f"a{layer}"], Func(FUNCTION[act], Var(z))))
            previous = Var(names[f"a{layer}"])
    y_shape = leaves[names["t"]]
    if network.loss.name == "softmax-ce":  # S, each sample's softmax, for the adjoints
        steps.append(("S", _softmax(Var(names["y"]), network.sizes[-1], rows)))
    steps.append(("L", _loss(network, Var(names["y"]), Var(names["t"]), y_shape, rows)))
    return steps, leaves


def _log_sum_exp(y: Var, k: int, rows: bool) -> Node:
    """Σ_n ln Σ_k e^{y_nk}: exp(Y)·1 adds each row (1ᵀ·exp(Y) each column)."""
    ones = Ones((k, 1))
    sums = Mul((Func("exp", y), ones)) if rows else Mul((Transpose(ones), Func("exp", y)))
    return Sum(Func("log", sums))


def _softmax(y: Var, k: int, rows: bool) -> Node:
    """exp(Y) ⊘ (exp(Y)·1·1ᵀ): each row divided by its sum (each column, as columns)."""
    ones = Ones((k, 1))
    e = Func("exp", y)
    sums = Mul((e, ones, Transpose(ones))) if rows else Mul((ones, Transpose(ones), e))
    return Divide(e, sums)


def _affine(a: Node, w: Var, b: Var, n: int, rows: bool) -> Node:
    """A·W + 1·bᵀ (samples as rows) or W·A + b·1ᵀ (as columns); with one sample, no 1."""
    if rows:
        bias: Node = Transpose(b) if n == 1 else Mul((Ones((n, 1)), Transpose(b)))
        return Add((Mul((a, w)), bias))
    bias = b if n == 1 else Mul((b, Ones((1, n))))
    return Add((Mul((w, a)), bias))


def _loss(network: Network, y: Var, t: Var, shape: tuple[int, int], rows: bool) -> Node:
    """L summed over the batch, with the loss's own scale (1/N, 1/(N·k), …)."""
    loss = network.loss
    k = network.sizes[-1]
    n = shape[0] if rows else shape[1]
    scale = Fraction(loss.scale(n, k)).limit_denominator(10**9)
    minus = Num(Fraction(-1))
    if loss.name in ("half-sse", "mse"):
        half = Fraction(1, 2) if loss.name == "half-sse" else Fraction(1)
        return Mul((Num(scale * half), Power(Norm(Add((y, Mul((minus, t))))), Fraction(2))))
    if loss.name == "bce":
        ones: Node = Num(Fraction(1)) if shape == (1, 1) else Ones(shape)
        body = Add(
            (
                Hadamard((t, Func("log", y))),
                Hadamard((Add((ones, Mul((minus, t)))), Func("log", Add((ones, Mul((minus, y))))))),
            )
        )
        return Mul((Num(-scale), Sum(body)))
    if loss.name == "softmax-ce":  # Σ_n [ln Σ_k e^{y_nk} − Σ_k t_nk y_nk]: one-hot rows of t
        body = Add((_log_sum_exp(y, k, rows), Mul((minus, Sum(Hadamard((t, y)))))))
        return Mul((Num(scale), body))
    raise ValueError(f"no matrix form for the loss {loss.name}")


def _softmax_form(y: Var, shape: Shape, k: int, rows: bool) -> Node:
    """How the engine writes ∂/∂Y of Σ_n ln Σ_k e^{y_nk}, which is S: found by deriving it."""
    shapes = Shapes({y.name: shape})
    df, _ = differential_of(_log_sum_exp(y, k, rows), shapes, {y.name})
    return gradient(df, y.name, shapes)


def derived_backward(
    network: Network, layout: str, x: np.ndarray, t: np.ndarray, numpy_grads: dict
) -> DerivedBackward:
    """The reverse pass by the matrix engine, evaluated at (x, t) and compared with numpy's
    gradients (given in the rows layout's shapes, W [in×out] and b [out])."""
    batch = x.shape[0]
    steps, leaves = program(network, layout, batch)
    names = _names(network, batch)
    symbols = {names[f"z{layer}"]: f"delta{layer}" for layer in range(1, network.layers + 1)}
    params = [p for layer in range(network.layers, 0, -1) for p in (f"W{layer}", f"b{layer}")]
    aliases = {}
    if network.loss.name == "softmax-ce":  # the log-sum-exp's gradient is S, written S
        y_shape = leaves[names["t"]]
        aliases["S"] = _softmax_form(Var(names["y"]), y_shape, network.sizes[-1], layout == "rows")
    rev = reverse(steps, leaves, params, symbols, aliases)
    rows = layout == "rows"
    values = {names["x"]: x if rows else x.T, names["t"]: t if rows else t.T}
    for name, p in network.params.items():
        values[name] = p.reshape(-1, 1) if name.startswith("b") else (p if rows else p.T)
    got = rev.evaluate(values)
    gradients = {}
    for name in network.names:
        value = got[name]
        if name.startswith("b"):
            value = value.ravel()
        elif not rows:
            value = value.T
        gradients[name] = value
    differences = {
        name: float(np.max(relative_error(gradients[name], numpy_grads[name]), initial=0.0))
        for name in network.names
    }
    return DerivedBackward(tuple(steps), rev, names, differences, gradients)


__all__ = ["DerivedBackward", "derived_backward", "program"]
