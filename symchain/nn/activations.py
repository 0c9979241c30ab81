"""Activation functions, each three ways: a SymPy formula (for the walkthrough),
NumPy forward, and NumPy derivative (from the saved activation where it can be).

The derivative from the output is what backprop code uses (σ' = a(1 − a)),
and it saves recomputing exp; `derivative` takes both z and a for that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Activation:
    name: str
    symbol: str  # how the walkthrough writes it: σ, tanh, ...
    formula: Callable[[sp.Expr], sp.Expr]  # the SymPy definition
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (z, a) -> f'(z)
    in_terms_of_output: str | None  # f'(z) written with a = f(z), when it can be


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, z)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", "σ", lambda z: 1 / (1 + sp.exp(-z)), _sigmoid,
            lambda z, a: a * (1 - a), "σ(z)(1 − σ(z))",
        ),
        Activation(
            "tanh", "tanh", sp.tanh, np.tanh, lambda z, a: 1 - a * a, "1 − tanh(z)²"
        ),
        Activation(
            "relu", "relu", lambda z: sp.Max(0, z), lambda z: np.maximum(z, 0),
            lambda z, a: (z > 0).astype(z.dtype), "1 where z > 0, else 0",
        ),
        Activation(
            "softplus", "softplus", lambda z: sp.log(1 + sp.exp(z)), _softplus,
            lambda z, a: _sigmoid(z), "σ(z)",
        ),
        Activation("identity", "id", lambda z: z, lambda z: z, lambda z, a: np.ones_like(z), "1"),
    )
}  # fmt: skip


def _sigmoid_into(z: np.ndarray, out: np.ndarray) -> None:
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)


def _sigmoid_slope_into(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
    np.subtract(1, a, out=out)
    out *= a


def _tanh_slope_into(z: np.ndarray, a: np.ndarray, out: np.ndarray) -> None:
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)


#: In-place forms for the training loop: no new arrays (a fresh 2 MB array costs
#: more in page faults than the exp it holds).
FORWARD_INTO = {
    "sigmoid": _sigmoid_into,
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0, out=out),
    "softplus": lambda z, out: np.logaddexp(0, z, out=out),
    "identity": lambda z, out: np.copyto(out, z),
}
SLOPE_INTO = {
    "sigmoid": _sigmoid_slope_into,
    "tanh": _tanh_slope_into,
    "relu": lambda z, a, out: np.greater(z, 0, out=out),
    "softplus": lambda z, a, out: _sigmoid_into(z, out),
    "identity": lambda z, a, out: out.fill(1.0),
}


def activation(name: str) -> Activation:
    from ..core.errors import UsageError

    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise UsageError(f"unknown activation {name!r}: choose from {known}") from None
