"""NumPy forward + backward of a 784-256-10 network, batch 1024, float64.

Timings in the same run, taking turns, median and min of --repeat runs after a warm-up:
  symchain   Network.backward (forward included) with buffers reused, as training runs it,
             and the same with fresh arrays each call (the default for one-off calls)
  matmuls    the pass's two large matrix products alone: X @ W1 and Xᵀ @ δ1
  torch      PyTorch CPU autograd on the same network and data (when torch is installed)
  jax        jax.jit(jax.grad(loss)) in float64 on the same data (when jax is installed)
Ratios are quoted against the matrix products and against each peer; the BLAS in use
is reported through threadpoolctl when it is installed, else from numpy.show_config.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, where the machine sets them, slow a current
NumPy: benchmarks/report.py runs this with both unset and reports the kernel.  On a
shared 2-core machine a 2-thread BLAS swings 3-4x with the other core's load; --threads 1
gives figures that hold still.

    python benchmarks/backprop.py
    python benchmarks/backprop.py --threads 1
    python benchmarks/backprop.py --sizes 784,256,10 --batch 1024 --repeat 30
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version  # noqa: E402


def timings(fns: dict, repeat: int) -> dict[str, dict[str, float]]:
    """Median and min seconds of `repeat` calls of each function, after a warm-up call.

    The functions take turns (rotated every round), so that a change in the machine's
    load hits all of them alike.  On a shared 2-core machine a 2-thread BLAS loses
    badly whenever the other core is busy, so the min (contention only ever adds time)
    is quoted beside the median."""
    names = list(fns)
    for name in names:
        fns[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return {n: {"median": statistics.median(t), "min": min(t)} for n, t in times.items()}


def blas() -> str:
    """The BLAS NumPy runs: threadpoolctl's view (kernel, threads), else numpy.show_config."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        try:
            info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        except Exception:  # an older NumPy without mode="dicts"
            return "unknown (pip install threadpoolctl to see it)"
        return f"{info.get('name')} {info.get('version')} (numpy.show_config; kernel unknown)"
    found = [
        f"{i.get('internal_api')} {i.get('version')} "
        f"({i.get('architecture')}, {i.get('num_threads')} "
        f"thread{'' if i.get('num_threads') == 1 else 's'})"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(found) or "none reported"


def _torch_pass(net, x, t, acts, threads: int | None):
    import torch

    torch.set_num_threads(threads or os.cpu_count() or 1)
    params = [torch.tensor(net.params[n], requires_grad=True) for n in net.names]
    tx, tt = torch.tensor(x), torch.tensor(t)
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[acts[0]]

    def torch_pass():
        a = tx
        for i in range(0, len(params), 2):
            a = act(a @ params[i] + params[i + 1])
        value = ((a - tt) ** 2).mean()
        for p in params:
            p.grad = None
        value.backward()

    return torch_pass, torch.__version__


def _jax_pass(net, x, t, acts, threads: int | None):
    # XLA reads its thread settings from XLA_FLAGS at start-up: report.py sets them for
    # one thread; here `threads` is only accepted, like torch's
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    act = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}[acts[0]]
    params = [jnp.asarray(net.params[n]) for n in net.names]
    jx, jt = jnp.asarray(x), jnp.asarray(t)

    def value(ps, xs, ts):
        a = xs
        for i in range(0, len(ps), 2):
            a = act(a @ ps[i] + ps[i + 1])
        return ((a - ts) ** 2).mean()

    grad = jax.jit(jax.grad(value))
    return (lambda: jax.block_until_ready(grad(params, jx, jt))), jax.__version__


def measure(
    sizes_text: str = "784,256,10",
    batch: int = 1024,
    repeat: int = 20,
    activation="sigmoid",
    threads: int | None = None,
) -> dict:
    """{"median": s, "min": s} for each timing; a missing or failing peer is None, with its
    reason under NAME_why.  `threads` caps NumPy's BLAS (through threadpoolctl) and torch."""
    if threads:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            sys.exit("--threads needs threadpoolctl (pip install threadpoolctl)")
        with threadpool_limits(limits=threads, user_api="blas"):
            return _measure(sizes_text, batch, repeat, activation, threads)
    return _measure(sizes_text, batch, repeat, activation, None)


def _measure(sizes_text, batch, repeat, activation, threads) -> dict:
    from symchain.nn.losses import loss
    from symchain.nn.network import Network, parse_activations, parse_sizes

    sizes = parse_sizes(sizes_text)
    acts = parse_activations(activation, len(sizes) - 1)
    rng = np.random.RandomState(0)
    net = Network(sizes, acts, loss("mse"), fast=True)  # buffers reused, as in training
    net.init(rng.randn)
    x = rng.randn(batch, sizes[0])
    t = (rng.rand(batch, sizes[-1]) > 0.5).astype(float)

    out: dict = {"sizes": list(sizes), "batch": batch, "repeat": repeat, "blas": blas()}
    out["threads"] = threads
    fresh = Network(sizes, acts, loss("mse"), params=dict(net.params))
    w1 = net.params["W1"]
    delta = rng.randn(batch, sizes[1])
    fns = {
        "symchain": lambda: net.backward(x, t),
        "fresh": lambda: fresh.backward(x, t),
        "matmuls": lambda: (x @ w1, x.T @ delta),
    }
    for name, make in (("torch", _torch_pass), ("jax", _jax_pass)):
        out[name] = None
        try:
            fns[name], out[name + "_version"] = make(net, x, t, acts, threads)
            fns[name]()  # a peer that fails here is reported, not timed
        except ImportError:
            out[name + "_why"] = "not installed"
            fns.pop(name, None)
        except Exception as exc:
            out[name + "_why"] = f"failed: {type(exc).__name__}: {exc}"[:200]
            fns.pop(name, None)
    out.update(timings(fns, repeat))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="784,256,10")
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--activation", default="sigmoid")
    parser.add_argument(
        "--threads", type=int, help="cap NumPy's BLAS and torch at this many threads"
    )
    args = parser.parse_args()

    m = measure(args.sizes, args.batch, args.repeat, args.activation, args.threads)
    coretype = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    print(f"# symchain {code_version()}")
    print(
        f"# python {platform.python_version()}, numpy {np.__version__}, kernel {platform.release()}"
    )
    print(f"# OPENBLAS_CORETYPE={coretype}; BLAS: {m['blas']}")
    print(
        f"# sizes {','.join(map(str, m['sizes']))}, batch {args.batch}, float64, "
        f"{args.repeat} runs: median / min"
    )
    ours = m["symchain"]

    def show(label: str, t: dict, versus: str = "") -> None:
        line = f"  {label:<30} {t['median'] * 1e3:8.2f} / {t['min'] * 1e3:6.2f} ms"
        if versus:
            line += f"   symchain / {versus} = {ours['median'] / t['median']:.2f}x"
            line += f" / {ours['min'] / t['min']:.2f}x"
        print(line)

    show("symchain forward+backward", ours)
    show("the same, fresh arrays", m["fresh"])
    show("its two large matmuls", m["matmuls"], "matmuls")
    for name in ("torch", "jax"):
        if m[name] is None:
            print(f"  {name:<30} {m[name + '_why']}")
        else:
            show(f"{name} {m[name + '_version']}", m[name], name)


if __name__ == "__main__":
    main()
