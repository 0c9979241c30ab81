"""f and f' on one picture: sampled from the verified derivation, drawn in text or by matplotlib.

The text plot needs nothing installed, so a terminal, a pipe or a notes
file always gets a picture; `--output FILE.png|svg` uses matplotlib, an
optional extra.  Points where a function is undefined or not real are left
out, never joined across.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..core.errors import UsageError
from ..core.parse import parse
from ..results import Rendered
from .derivation import Derivation, derive

SAMPLES = 401


@dataclass(frozen=True)
class Plot(Rendered):
    derivation: Derivation
    low: float
    high: float
    xs: np.ndarray
    f: np.ndarray  # nan where undefined
    df: np.ndarray
    tangent: np.ndarray | None

    @property
    def verified(self) -> bool:
        return self.derivation.verified

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.derivation.warnings


def parse_range(text: str) -> tuple[float, float]:
    """'-3,3' or '-pi,pi' into two floats, low < high."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise UsageError(f"`range` wants low,high like -3,3, not {text!r}")
    values = []
    for part in parts:
        value = parse(part)
        if value.free_symbols or not value.is_real:
            raise UsageError(f"`range` wants numbers, not {part!r}")
        values.append(float(value))
    low, high = values
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        raise UsageError("`range` wants low < high, both finite")
    return low, high


def make_plot(
    formula: str,
    low: float,
    high: float,
    wrt: str | None = None,
    at: str | None = None,
    log10: bool = False,
) -> Plot:
    d = derive(formula, wrt=wrt, at=at, tangent=bool(at), log10=log10)
    if d.expression.atoms(AppliedUndef):
        raise UsageError("plot needs a function with values: f, g, h are unknown functions")
    others = d.expression.free_symbols - {d.variable}
    if others:
        names = ", ".join(sorted(s.name for s in others))
        raise UsageError(f"plot draws a function of one variable; {names} would need values")
    xs = np.linspace(low, high, SAMPLES)
    f = _sample(d.expression, d.variable, xs)
    df = _sample(d.result, d.variable, xs)
    df[~np.isfinite(f)] = np.nan  # no slope where there is no function (1/x beside ln x)
    tangent = _sample(d.tangent.line, d.variable, xs) if d.tangent is not None else None
    if not np.isfinite(f).any():
        raise UsageError(f"the function has no real value on [{low:g}, {high:g}]")
    for samples in (xs, f, df, tangent):
        if samples is not None:
            samples.flags.writeable = False  # a finished result: read, never changed
    return Plot(d, low, high, xs, f, df, tangent)


def _sample(expr: sp.Expr, var: sp.Symbol, xs: np.ndarray) -> np.ndarray:
    """Real values at xs; nan where undefined, not real, or infinite."""
    with np.errstate(all="ignore"):
        try:
            fn = sp.lambdify(var, expr, modules=["numpy"])
            values = np.asarray(fn(xs.astype(complex)), dtype=complex)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, NameError,
                AttributeError, NotImplementedError):  # fmt: skip
            # NumPy lacks it (erfi, Si, Bessel functions, Γ of complex numbers): mpmath,
            # SymPy's own numerics, point by point; else SymPy's evalf (zeta′, Ai′)
            values = np.array(_slowly(expr, var, xs), dtype=complex)
    values = np.broadcast_to(values, xs.shape).copy()
    real = np.where(
        np.abs(values.imag) <= 1e-9 * np.maximum(1, np.abs(values.real)), values.real, np.nan
    )
    real[~np.isfinite(real)] = np.nan
    return real


def _slowly(expr: sp.Expr, var: sp.Symbol, xs: np.ndarray) -> list[complex]:
    try:
        fn = sp.lambdify(var, expr, modules=["mpmath"])
        fn(float(xs[len(xs) // 2]))
    except (NameError, AttributeError, NotImplementedError, TypeError):
        fn = None
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError):
        pass  # undefined at that point only
    if fn is not None:
        return [_point(fn, x) for x in xs]
    return [_evalf(expr, var, x) for x in xs]


def _evalf(expr: sp.Expr, var: sp.Symbol, x: float) -> complex:
    try:
        return complex(expr.subs(var, sp.Float(float(x))).evalf(15))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return complex(np.nan)


def _point(fn, x: float) -> complex:
    try:
        return complex(fn(float(x)))
    except (ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return complex(np.nan)
