"""Time of `symchain.matrix` on the Matrix Cookbook's first-order identities and common
ML losses, after start-up (issue 15, item 6: under a second each), split into the
derivation with its numeric proof and the comparison with SymPy's diff; beside it, the
peer: bare SymPy's own matrix diff of the same formula, where it gives an answer.

    python benchmarks/matrix.py            # median of 5 runs a formula
    python benchmarks/matrix.py --runs 9
"""

from __future__ import annotations

import argparse
import statistics
import time

CASES = [
    ("a'*x", "x"),
    ("a'*X*b", "X"),
    ("x'*A*x", "x"),
    ("tr(A*X*B)", "X"),
    ("tr(X'*X)", "X"),
    ("tr(inv(X)*A)", "X"),
    ("det(X)", "X"),
    ("log(det(X))", "X"),
    ("norm2(x)", "x"),
    ("norm2(X*w - y)^2", "w"),
    ("norm2(X*w - y)^2 + lam*norm2(w)^2", "w"),
    ("-sum(y .* log(sigma(X*w)) + (1 - y) .* log(1 - sigma(X*w)))", "w"),
    ("-y'*log(softmax(W*x))", "W"),
    ("log(det(S)) + (x - mu)'*inv(S)*(x - mu)", "S"),
]


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _peer(formula: str, wrt: str) -> float | None:
    """Bare SymPy: its matrix-expression diff of the same formula at sizes 3 and 4 (no steps,
    no proof), or None where it raises, leaves it unevaluated or has no form of it."""
    import sympy as sp

    from symchain.matrixcalc.notation import text
    from symchain.matrixcalc.parse import parse
    from symchain.matrixcalc.shapes import infer, parse_shape
    from symchain.matrixcalc.sympy_check import sympy_form

    shapes = {"mu": "n"} if "mu" in formula else {}
    typed = infer(parse(formula), {k: parse_shape(v) for k, v in shapes.items()}, text)
    named = sorted({d for s in typed.shapes.of_var.values() for d in s if isinstance(d, str)})
    sizes = {d: 3 + i for i, d in enumerate(named)}
    try:
        expr, symbols = sympy_form(typed.expr, typed.shapes, sizes)
        t0 = time.perf_counter()
        d = sp.diff(expr, symbols[wrt])
        elapsed = time.perf_counter() - t0
    except Exception:  # noqa: BLE001 - the peer has no answer: no time to compare
        return None
    if d.has(sp.Derivative) or type(d).__name__ == "ArrayDerivative":
        return None
    return elapsed


def measure(repeat: int = 5) -> dict:
    """Per formula: symchain.matrix's median time and bare SymPy's (None where it has no
    answer), after start-up."""
    import symchain

    symchain.matrix("x'*A*x", "x")
    out = {}
    for formula, wrt in CASES:

        def run(formula: str = formula, wrt: str = wrt):
            return symchain.matrix(formula, wrt, shapes={"mu": "n"} if "mu" in formula else None)

        ours = _median(run, repeat)
        d = run()
        peers = [_peer(formula, wrt) for _ in range(repeat)]
        theirs = statistics.median(peers) if all(p is not None for p in peers) else None
        out[formula] = {
            "symchain": ours,
            "sympy": theirs,
            "verified": d.verified,
            "sympy_outcome": d.sympy.outcome if d.sympy else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import sympy as sp

    import symchain
    from symchain.matrixcalc import sympy_check

    symchain.matrix("x'*A*x", "x")  # warm: SymPy's matrices imported once
    print(f"{'formula':58} {'wrt':>3} {'total s':>8} {'no SymPy':>9} {'SymPy':>8}  verdict")
    import symchain.matrixcalc.derivation as derivation

    saved = sympy_check.compare_with_sympy
    for formula, wrt in CASES:

        def run(formula: str = formula, wrt: str = wrt):
            return symchain.matrix(formula, wrt, shapes={"mu": "n"} if "mu" in formula else None)

        total = _median(run, args.runs)
        derivation.compare_with_sympy = lambda *a, **k: None  # the derivation and proof alone
        try:
            alone = _median(run, args.runs)
        finally:
            derivation.compare_with_sympy = saved
        d = run()
        outcome = d.sympy.outcome if d.sympy else "-"
        print(
            f"{formula:58} {wrt:>3} {total:8.3f} {alone:9.3f} {total - alone:8.3f}  "
            f"{'verified' if d.verified else d.status}; SymPy {outcome}"
        )
    print(f"\nSymPy {sp.__version__}; median of {args.runs} runs each, after start-up")


if __name__ == "__main__":
    main()
