"""Which of tidy()'s rewrites cost the time, and which of them win?

symchain.core.simplify.tidy tries factor_terms, cancel, a trigsimp (_trig),
powsimp and, for small results, sympy.simplify, each on the best form so far,
and keeps the shortest.  Here each rewrite is timed on its own (cap --cap
seconds each, SIGALRM, instead of tidy's shared 0.5 s budget), on the raw
derived result of the exprgen formulas, in the order above with tidy's size
limits (_MAX_OPS for every rewrite, _TRIG_OPS for trigsimp; sympy.simplify, which
tidy no longer calls, is timed as the rewrite it replaced), and counted when
its candidate is strictly smaller than the best so far (a "win": the answer
users see changes).
symchain's files are read, not changed.

    python benchmarks/tidy_rewrites.py              # first 120 formulas, ~1-2 min
    python benchmarks/tidy_rewrites.py --count 300 --cap 5
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Capped, code_version, install_cap  # noqa: E402
from exprgen import SEED, generate  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--cap", type=float, default=3.0, help="seconds allowed per rewrite")
    args = parser.parse_args()

    sys.setrecursionlimit(12_000)
    install_cap()
    import sympy as sp
    from sympy.core.cache import clear_cache

    import symchain.core.simplify as tidy_mod
    from symchain.calculus.derivation import choose_variable
    from symchain.core.engine import build_steps
    from symchain.core.parse import parse

    sp.simplify(sp.sin(sp.Symbol("x")) ** 2 + sp.cos(sp.Symbol("x")) ** 2)  # lazy imports

    names = ("factor_terms", "cancel", "_trig", "powsimp", "simplify")
    times = {n: [] for n in names}
    wins = dict.fromkeys(names, 0)
    capped = dict.fromkeys(names, 0)
    skipped_big = 0
    # tidy itself no longer calls simplify; it is timed here as the rewrite it replaced
    limits = f"all rewrites up to {tidy_mod._MAX_OPS} ops, _trig up to {tidy_mod._TRIG_OPS} ops"
    for text in generate(args.count, SEED):
        expr = parse(text)
        x = choose_variable(expr, None)
        derived = build_steps(expr, x).result
        ops = sp.count_ops(derived)
        if ops > tidy_mod._MAX_OPS or derived.is_Atom:
            skipped_big += 1
            continue
        rewrites = {
            "factor_terms": sp.factor_terms,
            "cancel": sp.cancel,
            "_trig": tidy_mod._trig,
            "powsimp": sp.powsimp,
            "simplify": sp.simplify,
        }
        best, best_size = derived, tidy_mod._size(derived)
        for name in names:
            if ops > tidy_mod._MAX_OPS:
                continue
            if name == "_trig" and ops > tidy_mod._TRIG_OPS:
                continue
            if name == "cancel" and derived.has(sp.Function):
                continue
            clear_cache()
            signal.setitimer(signal.ITIMER_REAL, args.cap)
            start = time.perf_counter()
            try:
                candidate = rewrites[name](best)
                elapsed = time.perf_counter() - start
            except Capped:
                candidate, elapsed = None, math.inf
                capped[name] += 1
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times[name].append(elapsed)
            if candidate is not None:
                size = tidy_mod._size(candidate)
                if size < best_size:
                    best, best_size = candidate, size
                    wins[name] += 1

    print(
        f"{args.count} exprgen formulas (seed {SEED}); {skipped_big} skipped by tidy "
        f"(over {tidy_mod._MAX_OPS} ops or an atom); cap {args.cap:g} s per rewrite"
    )
    print(f"symchain code: {code_version()}; tidy's limits: {limits}")
    print()
    head = f"{'rewrite':<14} {'runs':>5} {'median':>9} {'p95':>9} {'total':>9} "
    head += f"{'capped':>7} {'wins':>5}"
    print(head)
    print("-" * len(head))
    for name in names:
        t = times[name]
        if not t:
            continue
        finite = sum(v for v in t if math.isfinite(v)) + capped[name] * args.cap

        def show(v):
            if math.isinf(v):
                return f"> {args.cap:g} s"
            return f"{v:.2f} s" if v >= 1 else f"{v * 1000:.1f} ms"

        print(
            f"{name:<14} {len(t):>5} {show(percentile(t, 50)):>9} {show(percentile(t, 95)):>9} "
            f"{finite:>7.1f} s {capped[name]:>7} {wins[name]:>5}"
        )
    print()
    print("total counts capped rewrites at the cap; wins: the rewrite shortened the answer")


if __name__ == "__main__":
    main()
