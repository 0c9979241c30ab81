"""NumPy forward + backward of a 784-256-10 network, batch 1024, float64.

Three timings in the same run, each the median of --repeat runs after a warm-up:
  symchain   Network.backward (forward included) with buffers reused, as training runs it,
             and the same with fresh arrays each call (the default for one-off calls)
  matmuls    the pass's two large matrix products alone: X @ W1 and Xᵀ @ δ1
  torch      PyTorch CPU autograd on the same network and data (when torch is installed)
Ratios are quoted against the matrix products and against torch; the BLAS in use
is reported through threadpoolctl when it is installed.

    python benchmarks/backprop.py
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


def median_time(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see it)"
    found = [
        f"{i.get('internal_api')} {i.get('version')} "
        f"({i.get('architecture')}, {i.get('num_threads')} threads)"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(found) or "none reported"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="784,256,10")
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--activation", default="sigmoid")
    args = parser.parse_args()

    from symchain.nn.losses import loss
    from symchain.nn.network import Network, parse_activations, parse_sizes

    sizes = parse_sizes(args.sizes)
    acts = parse_activations(args.activation, len(sizes) - 1)
    rng = np.random.RandomState(0)
    net = Network(sizes, acts, loss("mse"), fast=True)  # buffers reused, as in training
    net.init(rng.randn)
    x = rng.randn(args.batch, sizes[0])
    t = (rng.rand(args.batch, sizes[-1]) > 0.5).astype(float)

    ours = median_time(lambda: net.backward(x, t), args.repeat)
    fresh = Network(sizes, acts, loss("mse"), params=dict(net.params))
    allocating = median_time(lambda: fresh.backward(x, t), args.repeat)
    w1 = net.params["W1"]
    delta = rng.randn(args.batch, sizes[1])
    matmuls = median_time(lambda: (x @ w1, x.T @ delta), args.repeat)

    print(f"# symchain {code_version()}")
    print(
        f"# python {platform.python_version()}, numpy {np.__version__}, kernel {platform.release()}"
    )
    print(f"# OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; BLAS: {blas()}")
    print(
        f"# sizes {','.join(map(str, sizes))}, batch {args.batch}, float64, median of {args.repeat}"
    )
    print(f"  symchain forward+backward  {ours * 1e3:8.2f} ms")
    print(
        f"  the same, fresh arrays     {allocating * 1e3:8.2f} ms"
        "   (Network(fast=False), the default)"
    )
    print(
        f"  its two large matmuls      {matmuls * 1e3:8.2f} ms"
        f"   symchain / matmuls = {ours / matmuls:.2f}x"
    )
    try:
        import torch
    except ImportError:
        print("  torch                      not installed (pip install torch==2.13.0)")
        return
    torch.set_num_threads(os.cpu_count() or 1)
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

    theirs = median_time(torch_pass, args.repeat)
    print(
        f"  torch {torch.__version__} autograd  {theirs * 1e3:8.2f} ms"
        f"   symchain / torch = {ours / theirs:.2f}x"
    )


if __name__ == "__main__":
    main()
