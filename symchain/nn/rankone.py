"""Products with a parameter while one of its entries is moved, without redoing them.

A full check moves one entry of W at a time and evaluates the loss twice for each, so a
784 × 256 weight costs 400,000 evaluations, and in each the product X @ W dominates
(X @ W is 26 MFLOP for a batch of 64; the rest of a small net is a tenth of that).  But
moving W[i, j] by d changes X @ W only in column j, by d · X[:, i].  `Tracked` is a view
of W that the loss reads in place of W: its `@` (and `np.dot`) answers from a product
cached at the unmoved W plus that rank-one term, and every other operation is NumPy's
own on the plain array.  The check stays a check of the user's loss: the numbers are the
same up to rounding (the first use of every cached product is compared with the product
computed afresh, and a difference turns the shortcut off), and code that multiplies in
another way (`X.dot(W)`, `W.T`, einsum) simply gets the plain, slower product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

CACHED = 4  # the products kept: one per distinct other operand (X, or a layer's input)


@dataclass
class _Cached:
    other: np.ndarray  # a copy of the other operand, to know it again
    left: bool  # W on the left: W @ other
    product: np.ndarray  # the product at the unmoved W
    verified: bool = False


@dataclass
class Tracker:
    """What `Tracked` needs: the unmoved values, the entry moved, the cached products."""

    base: np.ndarray
    moved: tuple[int, int] | None = None
    cached: list[_Cached] = field(default_factory=list)
    hits: int = 0
    broken: str | None = None  # why the shortcut was turned off, if it was

    def product(self, w: np.ndarray, other: np.ndarray, left: bool) -> np.ndarray | None:
        """w @ other (left) or other @ w from the cache, or None to compute it plainly."""
        if self.broken or not _usable(other, left):
            return None
        entry = self._entry(other, left)
        out = entry.product.copy()
        if self.moved is not None:
            i, j = self.moved
            d = w[i, j] - self.base[i, j]
            if left:
                if other.ndim == 1:
                    out[i] += d * other[j]
                else:
                    out[i, :] += d * other[j, :]
            else:
                out[..., j] += d * other[..., i]
            if not entry.verified:
                entry.verified = True
                fresh = w @ other if left else other @ w
                if not _close(out, fresh, np.abs(w) + np.abs(self.base), other, left):
                    self.broken = "a cached product differed from the product computed afresh"
                    return fresh
        self.hits += 1
        return out

    def _entry(self, other: np.ndarray, left: bool) -> _Cached:
        for entry in self.cached:
            if (entry.left == left and entry.other.shape == other.shape
                    and entry.other.dtype == other.dtype
                    and np.array_equal(entry.other, other)):  # fmt: skip
                return entry
        product = self.base @ other if left else other @ self.base
        entry = _Cached(np.array(other, copy=True), left, product)
        self.cached = [entry, *self.cached[: CACHED - 1]]
        return entry


def _usable(other: Any, left: bool) -> bool:
    if not isinstance(other, np.ndarray) or isinstance(other, Tracked):
        return False
    if not np.issubdtype(other.dtype, np.number) or np.issubdtype(other.dtype, np.complexfloating):
        return False
    return other.ndim in (1, 2) if left else other.ndim >= 1


def _close(fast: np.ndarray, fresh: np.ndarray, size: np.ndarray, other: np.ndarray,
           left: bool) -> bool:  # fmt: skip
    """Equal up to the rounding of sums of k products, the cached one's included (`size`:
    |W| + |W unmoved|, as the moved entry may nearly cancel its old value)."""
    if fast.shape != fresh.shape:
        return False
    scale = size @ np.abs(other) if left else np.abs(other) @ size
    k = size.shape[1] if left else size.shape[0]
    eps = np.finfo(np.result_type(fast.dtype, np.float16)).eps
    return bool(np.all(np.abs(fast - fresh) <= 4 * k * eps * scale + np.finfo(float).tiny))


class Tracked(np.ndarray):
    """A view of a 2-D parameter whose products come from its tracker (see the module)."""

    tracker: Tracker | None

    def __array_finalize__(self, obj: Any) -> None:
        self.tracker = None  # views of the view (W.T, W[0]) are plain arrays in disguise

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if ufunc is np.matmul and method == "__call__" and not kwargs and len(inputs) == 2:
            fast = _fast(*inputs)
            if fast is not None:
                return fast
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        return getattr(ufunc, method)(*(_plain(x) for x in inputs), **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.dot and not kwargs and len(args) == 2:
            fast = _fast(*args)
            if fast is not None:
                return fast
        return func(*(_plain_deep(a) for a in args),
                    **{k: _plain_deep(v) for k, v in kwargs.items()})  # fmt: skip


def track(p: np.ndarray) -> tuple[Tracked, Tracker]:
    """A tracked view of `p` (which shares its memory) and its tracker."""
    view = p.view(Tracked)
    tracker = Tracker(p.copy(order="K"))
    view.tracker = tracker
    return view, tracker


def _fast(a: Any, b: Any) -> np.ndarray | None:
    for w, other, left in ((a, b, True), (b, a, False)):
        if isinstance(w, Tracked) and w.tracker is not None and not isinstance(other, Tracked):
            return w.tracker.product(_plain(w), other, left)
    return None


def _plain(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, Tracked) else x


def _plain_deep(x: Any) -> Any:
    if isinstance(x, list | tuple):
        return type(x)(_plain_deep(v) for v in x)
    return _plain(x)
