"""symchain.gradcheck against torch.autograd.gradcheck and jax.test_util.check_grads, on the
same ReLU network with softmax cross-entropy, float64, in the same run.

  auto   symchain's method="auto" (every entry of the parameters that fit in about half a
         second of loss evaluations, random directions for the rest) against torch's
         fast_mode=True and jax's check_grads(modes=["rev"], order=1), which also check
         random directions
  full   every entry: symchain method="full" against torch fast_mode=False (jax has no
         per-entry mode), on the small net; with --full-large also on the large one, where
         torch's full check (about six minutes) is estimated from its own loss evaluation
         time, 2 evaluations per entry, which is the least its finite differences cost

Each checker gets the model in its own form: symchain a NumPy loss and the NumPy backward
pass as the claimed gradient; torch and jax the loss in their own arrays, whose backward is
their autograd.  Times are the median of --repeat runs (one for the full checks).

    python benchmarks/gradcheck.py
    python benchmarks/gradcheck.py --sizes 784,256,10 --batch 64 --repeat 3 --full-large
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version  # noqa: E402


def network(sizes: tuple[int, int, int], batch: int, seed: int = 0):
    """Parameters, data, and the loss and gradient of a d-h-k ReLU net, softmax CE, mean."""
    d, h, k = sizes
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.standard_normal((d, h)) * np.sqrt(2 / d),
        "b1": rng.standard_normal(h) * 0.1,
        "W2": rng.standard_normal((h, k)) * np.sqrt(2 / h),
        "b2": rng.standard_normal(k) * 0.1,
    }
    X = rng.standard_normal((batch, d))
    y = rng.integers(0, k, batch)

    def loss_and_grads(need_grads: bool = True):
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
        z = X @ W1 + b1
        a = np.maximum(z, 0)
        s = a @ W2 + b2
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(batch), y]).mean())
        if not need_grads:
            return loss, None
        d = p
        d[np.arange(batch), y] -= 1
        d /= batch
        da = d @ W2.T * (z > 0)
        return loss, {"W1": X.T @ da, "b1": da.sum(0), "W2": a.T @ d, "b2": d.sum(0)}

    return params, X, y, loss_and_grads


def symchain_check(sizes, batch, method: str) -> tuple[float, bool]:
    from symchain import gradcheck

    params, _, _, f = network(sizes, batch)
    start = time.perf_counter()
    report = gradcheck(lambda: f(False)[0], params, lambda: f()[1], method=method)
    return time.perf_counter() - start, report.ok


def torch_check(sizes, batch, fast: bool) -> tuple[float, bool] | None:
    try:
        import torch
    except ImportError:
        return None
    params, X, y, _ = network(sizes, batch)
    tensors = [torch.tensor(params[n], requires_grad=True) for n in ("W1", "b1", "W2", "b2")]
    tx, ty = torch.tensor(X), torch.tensor(y)

    def loss(W1, b1, W2, b2):
        s = torch.relu(tx @ W1 + b1) @ W2 + b2
        return torch.nn.functional.cross_entropy(s, ty)

    start = time.perf_counter()
    ok = torch.autograd.gradcheck(loss, tensors, fast_mode=fast, raise_exception=False)
    return time.perf_counter() - start, bool(ok)


def jax_check(sizes, batch) -> tuple[float, bool] | None:
    try:
        import jax
        from jax.test_util import check_grads
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    params, X, y, _ = network(sizes, batch)
    args = [jnp.asarray(params[n]) for n in ("W1", "b1", "W2", "b2")]
    jx, jy = jnp.asarray(X), jnp.asarray(y)

    def loss(W1, b1, W2, b2):
        s = jax.nn.relu(jx @ W1 + b1) @ W2 + b2
        return -jnp.mean(jax.nn.log_softmax(s)[jnp.arange(len(y)), jy])

    start = time.perf_counter()
    try:
        check_grads(loss, args, order=1, modes=["rev"])
        ok = True
    except AssertionError:
        ok = False
    return time.perf_counter() - start, ok


def median_of(fn, repeat: int):
    runs = [fn() for _ in range(repeat)]
    if runs[0] is None:
        return None
    return statistics.median(r[0] for r in runs), all(r[1] for r in runs)


def torch_full_estimate(sizes, batch, evals: int = 200) -> float | None:
    """2 loss evaluations per entry, from torch's own forward time: a lower bound on what
    torch.autograd.gradcheck(fast_mode=False) spends on its finite differences."""
    try:
        import torch
    except ImportError:
        return None
    params, X, y, _ = network(sizes, batch)
    tensors = [torch.tensor(params[n]) for n in ("W1", "b1", "W2", "b2")]
    tx, ty = torch.tensor(X), torch.tensor(y)

    def loss(W1, b1, W2, b2):
        s = torch.relu(tx @ W1 + b1) @ W2 + b2
        return torch.nn.functional.cross_entropy(s, ty)

    with torch.no_grad():
        for _ in range(10):
            loss(*tensors)
        start = time.perf_counter()
        for _ in range(evals):
            loss(*tensors)
    per = (time.perf_counter() - start) / evals
    return 2 * sum(p.size for p in params.values()) * per


def measure(sizes=(784, 256, 10), batch=64, small=(64, 32, 10), repeat=3,
            full_large: bool = False) -> dict:  # fmt: skip
    out: dict = {"sizes": sizes, "batch": batch, "small": small, "code": code_version()}
    out["auto"] = {
        "symchain": median_of(lambda: symchain_check(sizes, batch, "auto"), repeat),
        "torch fast_mode": median_of(lambda: torch_check(sizes, batch, True), repeat),
        "jax check_grads": median_of(lambda: jax_check(sizes, batch), repeat),
    }
    out["full_small"] = {
        "symchain": median_of(lambda: symchain_check(small, batch, "full"), 1),
        "torch": median_of(lambda: torch_check(small, batch, False), 1),
    }
    if full_large:
        out["full_large"] = {
            "symchain": median_of(lambda: symchain_check(sizes, batch, "full"), 1),
            "torch (estimated)": torch_full_estimate(sizes, batch),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="784,256,10")
    parser.add_argument("--small", default="64,32,10")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--full-large",
        action="store_true",
        help="also check every entry of the large net (about a minute)",
    )
    args = parser.parse_args()
    sizes = tuple(int(n) for n in args.sizes.split(","))
    small = tuple(int(n) for n in args.small.split(","))
    m = measure(sizes, args.batch, small, args.repeat, args.full_large)
    print(f"code {m['code']}; batch {args.batch}; float64; softmax cross-entropy")
    net = "-".join(map(str, sizes))
    for name, value in m["auto"].items():
        print(f"auto  {net:>12}  {name:<16} " + ("not installed" if value is None else
              f"{value[0]:8.3f} s  {'passes' if value[1] else 'FAILS'}"))  # fmt: skip
    small_net = "-".join(map(str, small))
    for name, value in m["full_small"].items():
        print(f"full  {small_net:>12}  {name:<16} " + ("not installed" if value is None else
              f"{value[0]:8.3f} s  {'passes' if value[1] else 'FAILS'}"))  # fmt: skip
    if "full_large" in m:
        ours, theirs = m["full_large"]["symchain"], m["full_large"]["torch (estimated)"]
        print(f"full  {net:>12}  {'symchain':<16} {ours[0]:8.1f} s  "
              f"{'passes' if ours[1] else 'FAILS'}")  # fmt: skip
        print(
            f"full  {net:>12}  {'torch (estimated: 2 loss evaluations per entry)':<16} "
            + ("not installed" if theirs is None else f"{theirs:8.1f} s")
        )


if __name__ == "__main__":
    main()
