"""Per-formula cost of symchain's derive() against bare SymPy, on random formulas.

For each formula of benchmarks/exprgen.py (seeded; depths 1-5 in turn) this
times, each from a cleared SymPy cache:

  (a) symchain.calculus.derivation.derive(expr): steps + verification + tidied answer
  (b) sympy.diff(expr, x)
  (c) sympy.simplify(sympy.diff(expr, x))

The formula text is parsed once with symchain.core.parse.parse (not timed) and the
same SymPy expression is passed to all three, so (a) does not include parsing
and x is the real symbol symchain itself uses.  Each timed call is capped with
SIGALRM (--cap, 10 s by default) and then counted as "> cap".

derive() is also broken down by phase (build_steps, verify_tree, compare
against sympy.diff, tidy) by wrapping those names in symchain.calculus.derivation in
this process only: symchain's files are not changed.

    python benchmarks/batch.py                 # the first 120 formulas, ~1-3 min
    python benchmarks/batch.py --count 1000    # the full set, ~16 min here

With --jobs 2 the formulas are shared between two worker processes, one per
core.  On the 2-core machine of docs/performance.md two busy processes slow
each other ~1.8x, so the figures there are from --jobs 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version, install_cap, summing_timer, timed_call  # noqa: E402
from exprgen import SEED, generate  # noqa: E402

DEFAULT_COUNT = 120
DEFAULT_CAP = 10.0


def _timed(fn, cap: float):
    """(seconds or math.inf when capped, value or None, error text or None)."""
    return timed_call(fn, cap)


# -- phase timing inside derive(), by wrapping symchain.calculus.derivation's names ---------------

_PHASES = ("build_steps", "verify_tree", "compare", "tidy", "tidy/_trig", "tidy/sympy.simplify")
_phase_time: dict[str, float] = {}


def _install_phase_timers() -> None:
    import symchain.calculus.derivation as deriv

    for name in ("build_steps", "verify_tree", "compare", "tidy"):
        setattr(deriv, name, summing_timer(_phase_time, name, getattr(deriv, name)))

    # inside tidy: its trigsimp rewrite, and its call of sympy.simplify
    import symchain.core.simplify as tidy_mod

    def timer(label, original):
        return summing_timer(_phase_time, label, original)

    tidy_mod._trig = timer("tidy/_trig", tidy_mod._trig)

    class _SympyProxy:
        """symchain.core.simplify's `sp`, with only `simplify` timed."""

        def __init__(self, module):
            self._module = module
            self.simplify = timer("tidy/sympy.simplify", module.simplify)

        def __getattr__(self, name):
            return getattr(self._module, name)

    tidy_mod.sp = _SympyProxy(tidy_mod.sp)


_worker_ready = False


def _setup() -> None:
    global _worker_ready
    if _worker_ready:
        return
    install_cap()
    _install_phase_timers()
    # warm-up: SymPy imports some modules lazily on first use (simplify pulls in
    # sympy.physics.units, ~0.1 s); keep that off the first formula's figures.
    import sympy as sp

    from symchain.calculus.derivation import derive

    derive("sin(x**2)")
    sp.simplify(sp.diff(sp.sympify("sin(x**2)*cosh(x)"), sp.Symbol("x")))
    _worker_ready = True


def measure(item: tuple[int, str, float]) -> dict:
    """All three timings for one formula."""
    index, text, cap = item
    _setup()
    import sympy as sp

    from symchain.calculus.derivation import choose_variable, derive
    from symchain.core.parse import parse

    expr = parse(text)
    x = choose_variable(expr, None)
    row = {"index": index, "text": text}

    _phase_time.clear()
    row["derive"], d, row["derive_error"] = _timed(lambda: derive(expr), cap)
    row["phases"] = dict(_phase_time)
    if d is not None:
        row["verified"] = bool(d.verified)
        row["complete"] = bool(d.complete)
        row["steps"] = sum(1 for _ in d.steps.walk())
    row["diff"], _, row["diff_error"] = _timed(lambda: sp.diff(expr, x), cap)
    row["simplify"], _, row["simplify_error"] = _timed(lambda: sp.simplify(sp.diff(expr, x)), cap)
    return row


# -- statistics and the table ------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); inf sorts last."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt(seconds: float, cap: float) -> str:
    if math.isinf(seconds):
        return f"> {cap:g} s"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def report(rows: list[dict], cap: float, wall: float, jobs: int) -> str:
    import sympy

    out = []
    n = len(rows)
    out.append(
        f"{n} formulas (exprgen seed {SEED}, depths 1-5), cap {cap:g} s per call, "
        f"{jobs} process(es), wall {wall:.0f} s"
    )
    out.append(
        f"python {platform.python_version()}, sympy {sympy.__version__}, "
        f"kernel {platform.release()}"
    )
    out.append(f"symchain code: {code_version()}")
    out.append("derive() is given the parsed SymPy expression (parsing not timed)")
    out.append("")
    head = f"{'measure':<34} {'median':>10} {'p95':>10} {'max':>10} {'capped':>7} {'errors':>7}"
    out.append(head)
    out.append("-" * len(head))
    labels = {
        "derive": "(a) symchain derive()",
        "diff": "(b) sympy.diff",
        "simplify": "(c) sympy.simplify(sympy.diff)",
    }
    for key, label in labels.items():
        times = [r[key] for r in rows]
        capped = sum(math.isinf(t) for t in times)
        errors = sum(1 for r in rows if r[f"{key}_error"])
        out.append(
            f"{label:<34} {fmt(percentile(times, 50), cap):>10} "
            f"{fmt(percentile(times, 95), cap):>10} {fmt(max(times), cap):>10} "
            f"{capped:>7} {errors:>7}"
        )
    # derive() less the time its tidy() took, for the calls that finished: the cost of the
    # steps and their verification alone
    untidy = [
        r["derive"] - r["phases"].get("tidy", 0.0) for r in rows if not math.isinf(r["derive"])
    ]
    if untidy:
        out.append(
            f"{'(a-) derive() less its tidy()':<34} {fmt(percentile(untidy, 50), cap):>10} "
            f"{fmt(percentile(untidy, 95), cap):>10} {fmt(max(untidy), cap):>10} "
            f"{'':>7} {'':>7}  ({len(untidy)} finished calls)"
        )
    finished = [r for r in rows if not math.isinf(r["derive"]) and not r["derive_error"]]
    verified = sum(r.get("verified", False) for r in finished)
    complete = sum(r.get("complete", False) for r in finished)
    out.append("")
    out.append(
        f"derive(): {len(finished)} of {n} finished within the cap; "
        f"{verified} verified, {complete} complete (no step fell back to SymPy)"
    )
    # median ratio per formula, over those where both finished
    ratios = [
        r["derive"] / r["diff"]
        for r in rows
        if not math.isinf(r["derive"]) and not math.isinf(r["diff"]) and r["diff"] > 0
    ]
    if ratios:
        out.append(f"derive()/diff per formula: median {percentile(ratios, 50):.0f}x")

    # where derive() spends its time (capped calls count up to the cap)
    totals = {p: sum(r["phases"].get(p, 0.0) for r in rows) for p in _PHASES}
    whole = sum(min(r["derive"], cap) for r in rows)
    out.append("")
    out.append("time inside derive(), summed over all formulas (tidy/...: parts of tidy):")
    for p in _PHASES:
        share = totals[p] / whole * 100 if whole else 0.0
        out.append(f"  {p:<20} {totals[p]:8.1f} s  {share:5.1f} %")
    out.append(f"  {'all':<20} {whole:8.1f} s")

    out.append("")
    capped = sum(math.isinf(r["derive"]) for r in rows)
    out.append(
        "5 slowest derive() calls"
        + (f" ({capped} hit the cap; the first by index shown):" if capped > 5 else ":")
    )
    slowest = sorted(rows, key=lambda r: r["derive"], reverse=True)[:5]
    for r in slowest:
        tidy = r["phases"].get("tidy", 0.0)
        trig = r["phases"].get("tidy/_trig", 0.0)
        out.append(
            f"  #{r['index']:<4} {fmt(r['derive'], cap):>9}  (tidy {fmt(tidy, cap)}, its trigsimp "
            f"{fmt(trig, cap)}; diff {fmt(r['diff'], cap)}, simplify {fmt(r['simplify'], cap)})"
        )
        out.append(f"          {r['text']}")
    unverified = [r for r in finished if not r.get("verified")]
    if unverified:
        out.append("")
        out.append("derive() results not verified:")
        for r in unverified[:10]:
            out.append(f"  #{r['index']}: {r['text']}")
    errors = [r for r in rows if r["derive_error"]]
    if errors:
        out.append("")
        out.append("derive() errors:")
        for r in errors[:10]:
            out.append(f"  #{r['index']}: {r['derive_error']}  {r['text']}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help="formulas (max 1000 is the set)"
    )
    parser.add_argument(
        "--cap", type=float, default=DEFAULT_CAP, help="seconds allowed per timed call"
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (2 = one per core)")
    parser.add_argument("--json", metavar="FILE", help="also write every row as JSON to FILE")
    args = parser.parse_args()

    formulas = generate(args.count, SEED)
    items = [(i, text, args.cap) for i, text in enumerate(formulas)]
    start = time.perf_counter()
    rows: list[dict] = []
    if args.jobs <= 1:
        for k, item in enumerate(items, 1):
            rows.append(measure(item))
            if k % 25 == 0:
                print(
                    f"  ... {k}/{len(items)} ({time.perf_counter() - start:.0f} s)", file=sys.stderr
                )
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.jobs) as pool:
            for k, row in enumerate(pool.imap_unordered(measure, items, chunksize=1), 1):
                rows.append(row)
                if k % 25 == 0:
                    print(
                        f"  ... {k}/{len(items)} ({time.perf_counter() - start:.0f} s)",
                        file=sys.stderr,
                    )
        rows.sort(key=lambda r: r["index"])
    wall = time.perf_counter() - start

    print(report(rows, args.cap, wall, args.jobs))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                [
                    {
                        k: (None if isinstance(v, float) and math.isinf(v) else v)
                        for k, v in r.items()
                    }
                    for r in rows
                ],
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
