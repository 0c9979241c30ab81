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
from .derivation import Derivation, derive

SAMPLES = 401
MARKS = {"f": "*", "df": "o", "tangent": "."}


@dataclass(frozen=True)
class Plot:
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

    def to_dict(self) -> dict:
        from ..render.formats.json import expr_str

        d = self.derivation
        out = {
            "input": d.input,
            "expression": expr_str(d.expression),
            "variable": d.variable.name,
            "derivative": expr_str(d.result),
            "verified": d.verified,
            "range": [self.low, self.high],
            "samples": [
                {"x": float(x), "f": _num(f), "df": _num(g)}
                for x, f, g in zip(self.xs, self.f, self.df, strict=True)
            ][:: max(1, len(self.xs) // 100)],
        }
        if d.tangent is not None:
            out["tangent"] = {"x": expr_str(d.tangent.a), "line": expr_str(d.tangent.line)}
        return out


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def parse_range(text: str) -> tuple[float, float]:
    """'-3,3' or '-pi,pi' into two floats, low < high."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise UsageError(f"--range wants low,high like -3,3, not {text!r}")
    values = []
    for part in parts:
        value = parse(part)
        if value.free_symbols or not value.is_real:
            raise UsageError(f"--range wants numbers, not {part!r}")
        values.append(float(value))
    low, high = values
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        raise UsageError("--range wants low < high, both finite")
    return low, high


def make_plot(
    formula: str, low: float, high: float, wrt: str | None = None, at: str | None = None
) -> Plot:
    d = derive(formula, wrt=wrt, at=at, tangent=bool(at))
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
    return Plot(d, low, high, xs, f, df, tangent)


def _sample(expr: sp.Expr, var: sp.Symbol, xs: np.ndarray) -> np.ndarray:
    """Real values at xs; nan where undefined, not real, or infinite."""
    fn = sp.lambdify(var, expr, modules=["numpy"])
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(fn(xs.astype(complex)), dtype=complex)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            values = np.array([_point(fn, x) for x in xs], dtype=complex)
    values = np.broadcast_to(values, xs.shape).copy()
    real = np.where(
        np.abs(values.imag) <= 1e-9 * np.maximum(1, np.abs(values.real)), values.real, np.nan
    )
    real[~np.isfinite(real)] = np.nan
    return real


def _point(fn, x: float) -> complex:
    try:
        return complex(fn(complex(x)))
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return complex(np.nan)


def text_plot(p: Plot, width: int = 72, height: int = 20) -> list[str]:
    """A character picture: * for f, o for f', . for the tangent; axes where they fall."""
    series = [("f", p.f), ("df", p.df)] + (
        [("tangent", p.tangent)] if p.tangent is not None else []
    )
    finite = np.concatenate([v[np.isfinite(v)] for _, v in series])
    low, high = np.percentile(finite, [2, 98]) if finite.size > 20 else (finite.min(), finite.max())
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    grid = [[" "] * width for _ in range(height)]
    column = np.clip(
        ((p.xs - p.low) / (p.high - p.low) * (width - 1)).round().astype(int), 0, width - 1
    )

    def row_of(y: float) -> int | None:
        if not np.isfinite(y) or y < low or y > high:
            return None
        return int(round((high - y) / (high - low) * (height - 1)))

    zero = row_of(0.0)
    if zero is not None:
        grid[zero] = ["─"] * width
    if p.low <= 0 <= p.high:
        x0 = int(round(-p.low / (p.high - p.low) * (width - 1)))
        for r in range(height):
            grid[r][x0] = "┼" if r == zero else "│"
    for name, values in reversed(series):
        for c, y in zip(column, values, strict=True):
            r = row_of(y)
            if r is not None:
                grid[r][c] = MARKS[name]
    rows = []
    for r, cells in enumerate(grid):
        label = (
            f"{high:9.3g} ┤" if r == 0 else f"{low:9.3g} ┤" if r == height - 1 else " " * 10 + "│"
        )
        rows.append((label + "".join(cells)).rstrip())
    rows.append(" " * 10 + "└" + "─" * width)
    left, right = f"{p.low:g}", f"{p.high:g}"
    rows.append(" " * 11 + left + " " * max(1, width - len(left) - len(right)) + right)
    return rows


def save_plot(p: Plot, path: str) -> None:
    """f, f' and the tangent with matplotlib (an optional extra), as PNG or SVG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError(
            "--output needs matplotlib, an optional extra: pip install 'symchain[plot]'"
        ) from None
    from ..render.formats.text import expr_text

    d = p.derivation
    x = d.variable.name
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(p.xs, p.f, color="#1f77b4", linewidth=2, label=f"f({x}) = {expr_text(d.expression)}")
    ax.plot(
        p.xs,
        p.df,
        color="#d62728",
        linewidth=1.6,
        linestyle="--",
        label=f"f'({x}) = {expr_text(d.result)}",
    )
    if p.tangent is not None:
        t = d.tangent
        ax.plot(
            p.xs,
            p.tangent,
            color="#2ca02c",
            linewidth=1.2,
            linestyle=":",
            label=f"tangent at {x} = {t.a}",
        )
        ax.plot([float(t.a)], [float(t.fa)], "o", color="#2ca02c")
    finite = np.concatenate([v[np.isfinite(v)] for v in (p.f, p.df)])
    if finite.size > 20:
        low, high = np.percentile(finite, [1, 99])
        pad = 0.1 * (high - low or 1)
        ax.set_ylim(low - pad, high + pad)
    ax.axhline(0, color="#888888", linewidth=0.8)
    if p.low <= 0 <= p.high:
        ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlim(p.low, p.high)
    ax.set_xlabel(x)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"f and f' (the derivative {'verified' if d.verified else 'NOT verified'})")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot write {path}: {err}") from None
    finally:
        plt.close(fig)
