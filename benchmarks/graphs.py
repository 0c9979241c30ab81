"""--let graphs through the real command line, start-up included.

Cases:
  chain N     x1 = sin(t), x2 = sin(x1), ..., f = xN: N --let definitions, one path
  layers 20   a1 = sin(t), b1 = cos(t), a_k = sin(a_{k-1} + b_{k-1}),
              b_k = cos(a_{k-1} * b_{k-1}), f = a20 * b20: 40 definitions, 2^20 paths
For each: the median wall time of `symchain derive ... --wrt t` (piped, plain
output) over --repeat runs, the lines it prints, its exit code, and for the
layered graph the path count it reports.  Run it with the symchain on PATH
(a non-editable install measures what users get: see startup.py --setup).

    python benchmarks/graphs.py
    python benchmarks/graphs.py --repeat 5 --symchain /tmp/benchvenv/bin/symchain
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version  # noqa: E402


def chain(n: int) -> tuple[str, list[str]]:
    lets = ["x1=sin(t)"] + [f"x{k}=sin(x{k - 1})" for k in range(2, n + 1)]
    return f"x{n}", lets


def layers(n: int) -> tuple[str, list[str]]:
    lets = ["a1=sin(t)", "b1=cos(t)"]
    for k in range(2, n + 1):
        lets += [f"a{k}=sin(a{k - 1}+b{k - 1})", f"b{k}=cos(a{k - 1}*b{k - 1})"]
    return f"a{n}*b{n}", lets


def run(exe: str, formula: str, lets: list[str]) -> tuple[float, str, int]:
    args = [exe, "derive", formula, "--wrt", "t", "--format", "plain"]
    for let in lets:
        args += ["--let", let]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - start, done.stdout, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--symchain", default=shutil.which("symchain") or "symchain")
    args = parser.parse_args()
    print(f"# symchain {code_version()}, {args.symchain}")
    machine = f"{platform.python_version()}, {platform.machine()}, kernel {platform.release()}"
    print(f"# python {machine}")
    print(f"# {'case':<12} {'seconds':>8} {'lines':>6} {'exit':>4}  paths")
    cases = [(f"chain {n}", *chain(n)) for n in (10, 50, 200)] + [("layers 20", *layers(20))]
    for name, formula, lets in cases:
        times, out, code = [], "", 0
        for _ in range(args.repeat):
            seconds, out, code = run(args.symchain, formula, lets)
            times.append(seconds)
        found = re.search(r"^Paths from t to f: (.+)$", out, re.M)
        paths = found.group(1) if found else "?"
        lines = out.count("\n")
        print(f"  {name:<12} {statistics.median(times):8.2f} {lines:6d} {code:4d}  {paths}")


if __name__ == "__main__":
    main()
