"""The answer compared with SymPy's own matrix-expression diff, at the proof's first point.

SymPy's matrix calculus is partial and sometimes wrong (in 1.14, log(det X) by X gives 0):
its answer is never trusted, only compared, and the report says which way it went —
"agrees", "disagrees" (with both values' distance from central differences, so the
reader sees which side is wrong) or "no answer" (it raised, ran out of time, or gave
something that is not a number there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.budget import OverBudget, budget
from ..core.errors import SymchainError
from .expr import (
    Add,
    Det,
    Diag,
    Divide,
    ElementPower,
    Eye,
    Func,
    Hadamard,
    Inverse,
    Mul,
    Node,
    Norm,
    Num,
    Ones,
    Power,
    Shapes,
    Sum,
    Trace,
    Transpose,
    Var,
)

SECONDS = 2.0  # SymPy's diff gets this long, then "no answer"


@dataclass(frozen=True)
class SympyVerdict:
    outcome: str  # "agrees", "disagrees", "no answer"
    detail: str


class _Unsupported(SymchainError):
    """A node SymPy's matrix expressions have no form of (caught here, said in words)."""


def compare_with_sympy(f: Node, wrt: str, shapes: Shapes, sizes: dict[str, int],
                       values: dict[str, np.ndarray], ours: np.ndarray,
                       differences: np.ndarray | None) -> SympyVerdict:  # fmt: skip
    """SymPy's ∂f/∂X at `values` against `ours` (the answer there)."""
    import sympy as sp

    try:
        expr, symbols = sympy_form(f, shapes, sizes)
    except _Unsupported as err:
        return SympyVerdict("no answer", f"SymPy has no matrix form of {err}")
    try:
        with budget(SECONDS):
            d = sp.diff(expr, symbols[wrt])
    except OverBudget:
        return SympyVerdict("no answer", f"SymPy's diff took over {SECONDS:g} s")
    except Exception as err:  # noqa: BLE001 - SymPy's failures are reported, in one line
        return SympyVerdict("no answer", f"SymPy's diff raised {type(err).__name__}")
    if d.has(sp.Derivative) or type(d).__name__ == "ArrayDerivative":
        return SympyVerdict("no answer", "SymPy's diff leaves it unevaluated")
    try:
        with budget(SECONDS):
            at = {s: (sp.Matrix(values[n]) if isinstance(s, sp.MatrixSymbol)
                      else float(values[n][0, 0])) for n, s in symbols.items()
                  if n in values}  # fmt: skip
            value = d.subs(at).doit()
            got = np.array(sp.Matrix(value).evalf() if hasattr(value, "shape") else [[value]],
                           dtype=float)  # fmt: skip
    except OverBudget:
        return SympyVerdict("no answer", "SymPy's answer took too long to evaluate")
    except Exception as err:  # noqa: BLE001 - said, in one line
        return SympyVerdict("no answer", f"SymPy's answer could not be evaluated "
                                         f"({type(err).__name__})")  # fmt: skip
    if got.size != ours.size:
        return SympyVerdict("no answer", f"SymPy's answer has {got.size} entries, not {ours.size}")
    got = got.reshape(ours.shape)
    scale = max(1.0, float(np.max(np.abs(ours))))
    if float(np.max(np.abs(got - ours))) <= 1e-8 * scale:
        return SympyVerdict("agrees", "SymPy's diff agrees")
    if differences is not None:
        off = float(np.max(np.abs(got - differences.reshape(ours.shape)))) / scale
        words = f"SymPy's diff disagrees, and is {off:.2g} off the central differences"
        return SympyVerdict("disagrees", words + " (so SymPy's answer is wrong)")
    return SympyVerdict("disagrees", "SymPy's diff disagrees")


def sympy_form(f: Node, shapes: Shapes, sizes: dict[str, int]) -> tuple[Any, dict[str, Any]]:
    """f as a SymPy matrix expression at these sizes, and its symbols by name (a scalar is a
    real Symbol, anything else a MatrixSymbol); _Unsupported where SymPy has no form of f."""
    import sympy as sp

    def size(d: Any) -> int:
        return d if isinstance(d, int) else sizes[d]

    symbols: dict[str, Any] = {}
    for name, (r, c) in shapes.of_var.items():
        r, c = size(r), size(c)
        scalar = (r, c) == (1, 1)
        symbols[name] = sp.Symbol(name, real=True) if scalar else sp.MatrixSymbol(name, r, c)
    return _to_sympy(f, symbols, shapes, size), symbols


def _to_sympy(node: Node, symbols: dict[str, Any], shapes: Shapes,  # noqa: C901, PLR0911, PLR0912
              size: Callable[[Any], int]) -> Any:  # fmt: skip
    import sympy as sp

    def go(n: Node) -> Any:  # noqa: C901, PLR0911, PLR0912
        if isinstance(n, Var):
            return symbols[n.name]
        if isinstance(n, Num):
            return sp.Rational(n.value.numerator, n.value.denominator)
        if isinstance(n, Ones):
            return sp.OneMatrix(size(n.shape[0]), size(n.shape[1]))
        if isinstance(n, Eye):
            return sp.Identity(size(n.n))
        if isinstance(n, Add):
            return (
                sp.Add(*[go(t) for t in n.items])
                if shapes(n) == (1, 1)
                else sp.MatAdd(*[go(t) for t in n.items])
            )
        if isinstance(n, Mul):
            out = go(n.items[0])
            for f in n.items[1:]:
                out = out * go(f)
            return out
        if isinstance(n, Transpose):
            a = go(n.arg)
            return a if shapes(n.arg) == (1, 1) and not hasattr(a, "T") else a.T
        if isinstance(n, Inverse):
            return go(n.arg).I
        if isinstance(n, Det):
            return sp.Determinant(go(n.arg))
        if isinstance(n, Trace):
            return sp.Trace(go(n.arg))
        if isinstance(n, Norm):
            a = go(n.arg)
            return sp.sqrt(sp.Trace(a.T * a))
        if isinstance(n, Power) and shapes(n.base) == (1, 1):
            return _scalar(go(n.base)) ** sp.Rational(n.exponent.numerator, n.exponent.denominator)
        if isinstance(n, Power):
            return sp.MatPow(go(n.base), int(n.exponent))
        if isinstance(n, Hadamard):
            return sp.HadamardProduct(*[go(f) for f in n.items])
        if isinstance(n, Func) and shapes(n.arg) == (1, 1) and n.name in ("log", "exp", "sqrt"):
            return getattr(sp, n.name)(_scalar(go(n.arg)))
        name = {Func: "an entrywise function", Divide: "⊘", ElementPower: ".^", Sum: "sum",
                Diag: "diag"}.get(type(n), type(n).__name__)  # fmt: skip
        raise _Unsupported(name)

    return go(node)


def _scalar(value: Any) -> Any:
    """A 1×1 matrix expression as the scalar it is (Trace of it), for log, exp, powers."""
    import sympy as sp

    return sp.Trace(value) if getattr(value, "shape", None) == (1, 1) else value
