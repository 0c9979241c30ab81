"""Loss functions, defined once: L = scale · Σ over samples and outputs of ℓ(y, t).

    half-sse  ℓ = ½(y − t)²                       scale 1/N   (the seed's L = ½(y − t)², averaged)
    mse       ℓ = (y − t)²                        scale 1/(N·K)  (np.mean, as the seed prints)
    bce       ℓ = −(t·ln y + (1 − t)·ln(1 − y))   scale 1/(N·K)  (mean binary cross-entropy)

N is the number of samples (rows), K the number of outputs.  With
reduction="sum" the scale is 1.  Every gradient here is exactly the
gradient of the value computed next to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.errors import UsageError

LOSS_NAMES = ("half-sse", "mse", "bce")
#: Losses of class scores against integer labels (for gradcheck of a classifier).
LABEL_LOSSES = ("softmax-ce", "ce", "hinge")
REDUCTIONS = ("mean", "sum")
#: What `symchain backprop` walks through: softmax-ce there takes one-hot rows of T.
BACKPROP_LOSSES = (*LOSS_NAMES, "softmax-ce")
#: Every reduction: "mean" is the loss's own convention (over samples for half-sse, over
#: samples and outputs for mse and bce); "mean-samples" averages over the samples and adds
#: over the outputs, "mean-all" averages over both.
ALL_REDUCTIONS = ("mean", "sum", "mean-samples", "mean-all")


@dataclass(frozen=True)
class Loss:
    name: str
    reduction: str = "mean"

    @property
    def labels(self) -> bool:
        """Targets are integer class labels (softmax-ce, ce, hinge), not a matrix."""
        return self.name in LABEL_LOSSES

    @property
    def title(self) -> str:
        if self.labels:
            words = {
                "softmax-ce": "softmax cross-entropy",
                "ce": "cross-entropy (of probabilities)",
                "hinge": "multiclass hinge loss (SVM, margin 1)",
            }[self.name]
            return f"{'mean' if self.reduction == 'mean' else 'summed'} {words}"
        words = {
            "half-sse": "half the sum of squared errors",
            "mse": "mean squared error",
            "bce": "binary cross-entropy",
        }[self.name]
        if self.reduction == "mean-samples":
            return f"{'squared error' if self.name == 'mse' else words}, averaged over the " \
                "samples and summed over the outputs"  # fmt: skip
        if self.reduction == "mean-all":
            return f"{'squared error' if self.name == 'mse' else words}, averaged over the " \
                "samples and the outputs"  # fmt: skip
        if self.name == "mse":
            return words if self.reduction == "mean" else "sum of squared errors"
        return f"{'mean' if self.reduction == 'mean' else 'summed'} {words}"

    def scale(self, n: int, k: int) -> float:
        if self.reduction == "sum":
            return 1.0
        if self.labels:  # a class loss is one number per sample: mean over the samples
            return 1.0 / n
        if self.reduction == "mean-samples":
            return 1.0 / n
        if self.reduction == "mean-all":
            return 1.0 / (n * k)
        return 1.0 / n if self.name == "half-sse" else 1.0 / (n * k)

    def element(self) -> Callable:
        """ℓ(y, t) as SymPy, for the walkthrough and the symbolic check (SymPy loads here)."""
        import sympy as sp

        return {
            "half-sse": lambda y, t: sp.Rational(1, 2) * (y - t) ** 2,
            "mse": lambda y, t: (y - t) ** 2,
            "bce": lambda y, t: -(t * sp.log(y) + (1 - t) * sp.log(1 - y)),
        }[self.name]

    def value(self, y: np.ndarray, t: np.ndarray) -> float:
        n, k = y.shape
        if self.labels:
            return self._label_value(y, class_labels(t, y.shape))
        if self.name == "bce":
            terms = -(t * np.log(y) + (1 - t) * np.log1p(-y))
        else:
            terms = (y - t) ** 2 * (0.5 if self.name == "half-sse" else 1.0)
        return float(terms.sum() * self.scale(n, k))

    def _label_value(self, y: np.ndarray, labels: np.ndarray) -> float:
        n = y.shape[0]
        rows = np.arange(n)
        if self.name == "softmax-ce":
            shifted = y - y.max(axis=1, keepdims=True)
            terms = np.log(np.exp(shifted).sum(axis=1)) - shifted[rows, labels]
        elif self.name == "ce":
            terms = -np.log(y[rows, labels])
        else:  # hinge: Σ over j ≠ label of max(0, s_j − s_label + 1)
            margins = np.maximum(0.0, y - y[rows, labels][:, None] + 1.0)
            margins[rows, labels] = 0.0
            terms = margins.sum(axis=1)
        return float(terms.sum() / (1 if self.reduction == "sum" else n))

    def gradient(self, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        """∂L/∂y, the same shape as y."""
        n, k = y.shape
        if self.labels:
            return self._label_gradient(y, class_labels(t, y.shape))
        if self.name == "bce":
            grad = (y - t) / (y * (1 - y))
        else:
            grad = (y - t) * (1.0 if self.name == "half-sse" else 2.0)
        return grad * self.scale(n, k)

    def _label_gradient(self, y: np.ndarray, labels: np.ndarray) -> np.ndarray:
        n = y.shape[0]
        rows = np.arange(n)
        if self.name == "softmax-ce":
            grad = softmax_rows(y)
            grad[rows, labels] -= 1
        elif self.name == "ce":
            grad = np.zeros_like(y)
            grad[rows, labels] = -1 / y[rows, labels]
        else:  # hinge: 1 for each violated margin, minus their count at the label
            active = (y - y[rows, labels][:, None] + 1.0 > 0).astype(float)
            active[rows, labels] = 0.0
            grad = active
            grad[rows, labels] = -active.sum(axis=1)
        return grad / (1 if self.reduction == "sum" else n)


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Each row's softmax, shifted by the row's largest score so that exp cannot overflow."""
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def class_labels(t: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Integer labels, given as labels or as one-hot rows of y's shape (backprop's T)."""
    t = np.asarray(t)
    if t.ndim == 2 and t.shape == tuple(shape) and shape[1] > 1:
        if not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)):
            raise UsageError("a class loss takes labels, or one-hot rows (one 1 in each)")
        return t.argmax(axis=1)
    return t.astype(int).ravel()


def loss(name: str, reduction: str = "mean", labels: bool = False, backprop: bool = False) -> Loss:
    """The named loss; `labels` admits the losses of scores against integer labels too
    (gradcheck's), `backprop` the walkthrough's softmax-ce of one-hot targets."""
    names = (BACKPROP_LOSSES if backprop else LOSS_NAMES) + (LABEL_LOSSES if labels else ())
    if name not in names:
        raise UsageError(f"unknown loss {name!r}: choose from {', '.join(names)}")
    if reduction not in ALL_REDUCTIONS:
        raise UsageError(f"unknown reduction {reduction!r}: {', '.join(ALL_REDUCTIONS)}")
    return Loss(name, reduction)


def every_loss() -> list[Loss]:
    """The known losses, each averaged and summed: what a backward pass might compute."""
    return [Loss(name, r) for name in LOSS_NAMES for r in REDUCTIONS]
