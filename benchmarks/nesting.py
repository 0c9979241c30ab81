"""Deep chains: sin(sin(...sin(x)...)) at depths 10, 50, 100, 200.

For each depth, from a cleared SymPy cache each time:
  derive   symchain.calculus.derivation.derive(expr), steps + verification + tidied answer
  diff     bare sympy.diff(expr, x)
and the number of lines `symchain derive` prints in plain output
(symchain.render.render(d, "plain")), plus whether the result was verified.
Both sides run with sys.setrecursionlimit(12000) (derive() raises it to that
itself).  The expression is built in SymPy directly, with the real x that
symchain's parser makes; the text form is also parsed once to check that the
parser accepts that depth.  Each derive()/diff call is capped (--cap, 120 s).

    python benchmarks/nesting.py
    python benchmarks/nesting.py --depths 10,50,100,200,250 --repeat 1
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version, install_cap, summing_timer, timed_call  # noqa: E402

DEFAULT_DEPTHS = (10, 50, 100, 200)


def timed(fn, cap: float):
    return timed_call(fn, cap, capped_error="capped", error_chars=100)


_spent: dict[str, float] = {}


def _install_phase_timers() -> None:
    """Time derive()'s parts by wrapping names in symchain.calculus.derivation (here only)."""
    import symchain.calculus.derivation as deriv

    def timer(label, original):
        return summing_timer(_spent, label, original)

    for name in ("build_steps", "verify_tree", "tidy"):
        setattr(deriv, name, timer(name, getattr(deriv, name)))

    class _SympyProxy:
        """derivation's `sp`, with `diff` (the whole-answer check's own diff) timed."""

        def __init__(self, module):
            self._module = module
            self.diff = timer("check diff", module.diff)

        def __getattr__(self, name):
            return getattr(self._module, name)

    deriv.sp = _SympyProxy(deriv.sp)


def nested(depth: int, x):
    import sympy as sp

    expr = x
    for _ in range(depth):
        expr = sp.sin(expr)
    return expr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default=",".join(map(str, DEFAULT_DEPTHS)))
    parser.add_argument("--repeat", type=int, default=3, help="runs per depth (median shown)")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds allowed per call")
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]

    sys.setrecursionlimit(12_000)
    install_cap()
    import sympy as sp

    from symchain.calculus.derivation import derive
    from symchain.core.parse import parse, symbol
    from symchain.render import render

    _install_phase_timers()
    derive("sin(x**2)")  # warm-up: SymPy's lazy imports stay off the first row
    x = symbol("x")

    print(
        f"kernel {platform.release()}, python {platform.python_version()}, sympy {sp.__version__}"
    )
    print(f"symchain code: {code_version()}")
    print(f"recursion limit {sys.getrecursionlimit()}, cap {args.cap:g} s, median of {args.repeat}")
    print()
    head = (
        f"{'depth':>5} {'derive()':>10} {'sympy.diff':>11} {'ratio':>7} {'plain lines':>11} "
        f"{'steps':>6} {'verified':>8} {'parses':>6}  notes"
    )
    print(head)
    print("-" * len(head))
    phases: dict[int, dict[str, float]] = {}
    for depth in depths:
        expr = nested(depth, x)
        text = "sin(" * depth + "x" + ")" * depth
        try:
            parses = parse(text) == expr
        except Exception as exc:  # a ParseError for too deep, say
            parses = False
            parse_note = f"parse: {type(exc).__name__}"
        else:
            parse_note = ""
        derive_times, diff_times, notes = [], [], []
        d = None
        for _ in range(args.repeat):
            _spent.clear()
            t, value, err = timed(lambda e=expr: derive(e), args.cap)
            phases[depth] = dict(_spent)
            derive_times.append(t)
            if err:
                notes.append(f"derive: {err}")
            else:
                d = value
            t, _, err = timed(lambda e=expr: sp.diff(e, x), args.cap)
            diff_times.append(t)
            if err:
                notes.append(f"diff: {err}")
        td, tf = statistics.median(derive_times), statistics.median(diff_times)
        if d is not None:
            t_render, text_out, err = timed(lambda d=d: render(d, "plain"), args.cap)
            lines = str(len(text_out.splitlines())) if text_out is not None else "-"
            if err:
                notes.append(f"render: {err}")
            steps = str(sum(1 for _ in d.steps.walk()))
            verified = "yes" if d.verified else "NO"
            notes.append(f"render {t_render:.2f} s")
        else:
            lines, steps, verified = "-", "-", "-"
        if parse_note:
            notes.append(parse_note)

        def show(t):
            return f"> {args.cap:g} s" if math.isinf(t) else f"{t:.3f} s"

        ratio = f"{td / tf:.1f}x" if math.isfinite(td) and math.isfinite(tf) and tf > 0 else "-"
        print(
            f"{depth:>5} {show(td):>10} {show(tf):>11} {ratio:>7} {lines:>11} {steps:>6} "
            f"{verified:>8} {'yes' if parses else 'no':>6}  {'; '.join(dict.fromkeys(notes))}"
        )

    print()
    print("inside derive() (last run of each depth): build_steps, verify_tree, the whole-answer")
    print("check's own sympy.diff(expr, x) in derivation.derive, and tidy")
    labels = ("build_steps", "verify_tree", "check diff", "tidy")
    print(f"{'depth':>5} " + " ".join(f"{label:>12}" for label in labels))
    for depth, spent in phases.items():
        print(f"{depth:>5} " + " ".join(f"{spent.get(label, 0.0):>10.3f} s" for label in labels))


if __name__ == "__main__":
    main()
