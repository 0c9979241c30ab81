"""f and f' on one picture: sampled from the verified derivation, drawn in text or by matplotlib.

The text plot needs nothing installed, so a terminal, a pipe or a notes
file always gets a picture; `--output FILE.png|svg` uses matplotlib, an
optional extra.  Points where a function is undefined or not real are left
out, never joined across.

A curve is never joined across a pole or a jump either.  The places to look
at come from SymPy (zeros of denominators, of cos u under tan u, of the
arguments of log, sign, Heaviside and |u|, integer crossings under floor,
the bounds of Piecewise conditions; the kinks and joins the derivation
proved) and from the samples (a step between neighbours far larger than the
steps beside it).  Each is then judged from one-sided values at b ± s·10⁻ᵏ
(s the width of the range): a side that does not settle, or two sides that
settle apart, is a break, and the curve gets a NaN there; two sides that
agree around an undefined point are a hole (sin x / x at 0), drawn open.
The y window leaves out the tails near poles (`auto_ylim`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..core.budget import OverBudget, budget
from ..core.errors import ParseError, UsageError
from ..core.parse import parse
from ..results import Rendered
from .derivation import Derivation, derive

SAMPLES = 401
#: One-sided probes at b ± span·10⁻ᵏ: 3-5 are drawn (the curve reaches the break), 6-8
#: judge whether each side settles.
_PROBES = (3, 4, 5, 6, 7, 8)
_MAX_SUSPECTS = 60  # points judged per series; a wilder function is drawn as sampled
_SOLVE_SECONDS = 2.0  # SymPy's share of the plot's time, for all the zeros together
_BISECTIONS = 40

Sampler = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Mark:
    """A point drawn as a dot: a value at a jump (filled) or a missing one (open)."""

    x: float
    y: float
    filled: bool


@dataclass(frozen=True)
class Curve:
    """One series as it is drawn: x increasing, NaN between pieces never to be joined."""

    name: str  # "f", "df" or "tangent"
    xs: np.ndarray
    ys: np.ndarray
    breaks: tuple[float, ...] = ()  # where it jumps or has a pole: a NaN in ys
    marks: tuple[Mark, ...] = ()

    def pieces(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The runs of finite values, each to be drawn as one line."""
        finite = np.isfinite(self.ys)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.view(np.int8), [0]))))
        return [(self.xs[a:b], self.ys[a:b]) for a, b in zip(edges[::2], edges[1::2], strict=True)]


@dataclass(frozen=True)
class Plot(Rendered):
    derivation: Derivation
    low: float
    high: float
    xs: np.ndarray
    f: np.ndarray  # nan where undefined
    df: np.ndarray
    tangent: np.ndarray | None
    curves: tuple[Curve, ...] = ()  # f, df (and the tangent): as drawn, broken at breaks
    ylim: tuple[float, float] = (-1.0, 1.0)  # the y window, automatic or --ylim
    ylim_given: bool = False
    clipped: bool = field(default=False)  # the automatic window leaves tails out

    @property
    def verified(self) -> bool:
        return self.derivation.verified

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.derivation.warnings

    def curve(self, name: str) -> Curve | None:
        return next((c for c in self.curves if c.name == name), None)


def parse_range(text: str, option: str = "range") -> tuple[float, float]:
    """'-3,3' or '-pi,pi' into two floats, low < high."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"`{option}` wants low,high like -3,3, not {text!r}")
    values = []
    for part in parts:
        try:
            value = parse(part)
        except (ParseError, UsageError):
            raise UsageError(f"`{option}` wants numbers, not {part!r}") from None
        if value.free_symbols or not value.is_real or not value.is_finite:
            raise UsageError(f"`{option}` wants numbers, not {part!r}")
        values.append(float(value))
    low, high = values
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        raise UsageError(f"`{option}` wants low < high, both finite")
    return low, high


def parse_ylim(text: str) -> tuple[float, float]:
    """--ylim LOW,HIGH, read as --range is: two finite numbers, low < high."""
    return parse_range(text, "ylim")


def make_plot(
    formula: str,
    low: float,
    high: float,
    wrt: str | None = None,
    at: str | None = None,
    log10: bool = False,
    ylim: tuple[float, float] | None = None,
) -> Plot:
    d = derive(formula, wrt=wrt, at=at, tangent=bool(at), log10=log10)
    if d.expression.atoms(AppliedUndef):
        raise UsageError("plot needs a function with values: f, g, h are unknown functions")
    others = d.expression.free_symbols - {d.variable}
    if others:
        names = ", ".join(sorted(s.name for s in others))
        raise UsageError(f"plot draws a function of one variable; {names} would need values")
    if ylim is not None and not (np.isfinite(ylim).all() and ylim[0] < ylim[1]):
        raise UsageError("`ylim` wants low < high, both finite")
    xs = np.linspace(low, high, SAMPLES)
    var = d.variable
    f_of, df_of = sampler(d.expression, var), sampler(d.result, var)
    f = f_of(xs)
    df = df_of(xs)
    df[~np.isfinite(f)] = np.nan  # no slope where there is no function (1/x beside ln x)
    tangent = sampler(d.tangent.line, var)(xs) if d.tangent is not None else None
    if not np.isfinite(f).any():
        raise UsageError(f"the function has no real value on [{low:g}, {high:g}]")
    f_proved, df_proved = proved_breaks(d, low, high)
    f_suspects = {**suspects(d.expression, var, xs, f_of), **f_proved}
    f_curve = broken_curve("f", f_of, xs, f, f_suspects, set(f_proved),
                           exact=lambda a: _exact(d.expression, var, a))  # fmt: skip
    # f′ does not exist where f breaks, nor where the derivation proved it does not
    df_sure = set(df_proved) | set(f_curve.breaks)
    df_suspects = {**suspects(d.result, var, xs, df_of), **df_proved}
    df_curve = broken_curve("df", df_of, xs, df, df_suspects, df_sure, derivative=True,
                            domain=f_of)  # fmt: skip
    curves = [f_curve, df_curve]
    if tangent is not None:
        curves.append(Curve("tangent", xs, tangent))
    if ylim is None:
        point = float(d.tangent.fa) if d.tangent is not None else None
        window, clipped = auto_ylim(f, df, point)
    else:
        window, clipped = (float(ylim[0]), float(ylim[1])), False
    for samples in (xs, f, df, tangent, *(a for c in curves for a in (c.xs, c.ys))):
        if samples is not None:
            samples.flags.writeable = False  # a finished result: read, never changed
    return Plot(d, low, high, xs, f, df, tangent, tuple(curves), window, ylim is not None,
                clipped)  # fmt: skip


# ---- the y window --------------------------------------------------------------------------


def series_window(values: np.ndarray) -> tuple[float, float, bool] | None:
    """(low, high, heavy) for one series: all its finite values, unless its tails are a
    pole's (the whole range over three times the robust one, the 5-95% quantiles widened
    by half their spread on each side): then the robust range, and heavy is True."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return None
    low, high = float(v.min()), float(v.max())
    if v.size < 20:
        return low, high, False
    q5, q95 = (float(q) for q in np.quantile(v, [0.05, 0.95]))
    spread = q95 - q5
    rlow, rhigh = max(low, q5 - spread / 2), min(high, q95 + spread / 2)
    if high - low > 3 * (rhigh - rlow):
        return rlow, rhigh, True
    return low, high, False


def auto_ylim(
    f: np.ndarray, df: np.ndarray, point: float | None = None
) -> tuple[tuple[float, float], bool]:
    """The window for f and f′, and whether it leaves tails out.  f decides it; f′ widens
    it when bounded, and when its robust range is within three times f's (tan x's sec² x
    would squash tan x flat); the tangent's point is always inside."""
    wf, wd = series_window(f), series_window(df)
    assert wf is not None  # make_plot refused a function with no real value
    low, high, clipped = wf
    if wd is not None:
        dlow, dhigh, dheavy = wd
        both = min(low, dlow), max(high, dhigh)
        if not dheavy or both[1] - both[0] <= 3 * max(high - low, 1e-12):
            low, high = both
            clipped = clipped or dheavy
        else:
            clipped = True
    if point is not None and np.isfinite(point):
        low, high = min(low, point), max(high, point)
    if high - low < 1e-9 * max(1.0, abs(low), abs(high)):
        low, high = low - 1, high + 1
    pad = 0.05 * (high - low)
    return (low - pad, high + pad), clipped


# ---- where a series breaks -------------------------------------------------------------


def proved_breaks(
    d: Derivation, low: float, high: float
) -> tuple[dict[float, sp.Expr], dict[float, sp.Expr]]:
    """Breaks the derivation proved: f jumps (a kink or join of order 0 that is not
    continuous), and f′ does not exist (every point of `undefined_at`)."""

    def inside(points: Iterable[sp.Expr]) -> dict[float, sp.Expr]:
        out = {}
        for p in points:
            try:
                value = float(p)
            except (TypeError, ValueError):
                continue
            if low < value < high:
                out[value] = p
        return out

    f_jumps = [k.at for k in d.kinks if k.order == 0 and k.jumps]
    f_jumps += [j.at for j in d.joins if j.order == 0 and not j.continuous]
    return inside(f_jumps), inside(d.undefined_at)


def suspects(
    expr: sp.Expr, var: sp.Symbol, xs: np.ndarray, values: Sampler
) -> dict[float, sp.Expr | None]:
    """Points of (xs[0], xs[-1]) where expr may jump or have a pole, from its formula: the
    zeros of every denominator, of cos u under tan u and sec u (sin u under cot u, csc u),
    of the arguments of log, sign, Heaviside and |u|, the ends of asin's and acos's domain,
    the integers under floor and ceiling, the bounds of Piecewise conditions; each with
    its exact value where SymPy found it (None where it was bisected)."""
    zeros: set[sp.Expr] = set()
    crossings: set[sp.Expr] = set()
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, sp.Basic) or not node.has(var):
            continue
        if isinstance(node, sp.Pow) and node.base.has(var):
            exp = node.exp
            if exp.is_negative or (exp.is_Rational and not exp.is_Integer):
                zeros.add(node.base)
        elif isinstance(node, (sp.tan, sp.sec)):
            zeros.add(sp.cos(node.args[0]))
        elif isinstance(node, (sp.cot, sp.csc)):
            zeros.add(sp.sin(node.args[0]))
        elif isinstance(node, (sp.coth, sp.csch, sp.log, sp.sign, sp.Heaviside, sp.Abs)):
            zeros.add(node.args[0])
        elif isinstance(node, (sp.asin, sp.acos, sp.atanh, sp.acoth)):
            zeros |= {node.args[0] - 1, node.args[0] + 1}
        elif isinstance(node, (sp.floor, sp.ceiling, sp.frac)):
            crossings.add(node.args[0])
        elif isinstance(node, sp.Piecewise):
            for _, condition in node.args:
                if isinstance(condition, sp.Basic):
                    zeros |= {r.lhs - r.rhs for r in condition.atoms(sp.Rel)}
    low, high = float(xs[0]), float(xs[-1])
    found: dict[float, sp.Expr | None] = {}
    try:
        with budget(_SOLVE_SECONDS):
            for u in zeros:
                found |= _zeros(u, var, xs, low, high)
            for u in crossings:
                found |= dict.fromkeys(_integer_crossings(u, var, xs))
    except OverBudget:
        pass
    return {p: exact for p, exact in found.items() if low < p < high}


def _zeros(
    u: sp.Expr, var: sp.Symbol, xs: np.ndarray, low: float, high: float
) -> dict[float, sp.Expr | None]:
    """u's real zeros on [low, high]: SymPy's when it finds finitely many, else the sign
    changes of u's samples, bisected."""
    if u.free_symbols != {var}:
        return {}
    try:
        roots = sp.solveset(u, var, sp.Interval(low, high))
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        roots = None
    if isinstance(roots, sp.FiniteSet):
        out: dict[float, sp.Expr | None] = {}
        for r in roots:
            try:
                out[float(r)] = r
            except (TypeError, ValueError):
                continue
        return out
    return dict.fromkeys(_crossings(sampler(u, var), xs, 0.0))


def _integer_crossings(u: sp.Expr, var: sp.Symbol, xs: np.ndarray) -> set[float]:
    """Where u passes an integer (floor u jumps there), bisected from u's samples."""
    values = sampler(u, var)
    us = values(xs)
    out: set[float] = set()
    finite = us[np.isfinite(us)]
    if finite.size == 0:
        return out
    for k in range(int(np.floor(finite.min())), int(np.ceil(finite.max())) + 1):
        out |= _crossings(values, xs, float(k), us)
        if len(out) > _MAX_SUSPECTS:
            break
    return out


def _crossings(
    values: Sampler, xs: np.ndarray, level: float, us: np.ndarray | None = None
) -> set[float]:
    """The points where values(x) − level changes sign between samples (or is 0 at one)."""
    us = values(xs) if us is None else us
    g = us - level
    exact = set(xs[g == 0].tolist())
    i = np.flatnonzero(np.isfinite(g[:-1]) & np.isfinite(g[1:]) & (g[:-1] * g[1:] < 0))
    lo, hi = xs[i].copy(), xs[i + 1].copy()
    glo = g[i]
    for _ in range(_BISECTIONS):
        if lo.size == 0:
            break
        mid = (lo + hi) / 2
        gm = values(mid) - level
        left = np.sign(gm) == np.sign(glo)
        lo = np.where(left, mid, lo)
        glo = np.where(left, gm, glo)
        hi = np.where(left, hi, mid)
    return exact | set(((lo + hi) / 2).tolist())


def _sampled_suspects(values: Sampler, xs: np.ndarray, ys: np.ndarray, scale: float) -> set[float]:
    """What SymPy's formula did not say, from the samples: a step between neighbours over
    twice the steps beside it (and not negligible), or a large one that changes sign,
    bisected towards the largest step; a lone undefined sample (Γ at −1); the edge of the
    domain, bisected."""
    steps = np.abs(np.diff(ys))
    beside = np.fmax(np.concatenate(([0.0], steps[:-1])), np.concatenate((steps[1:], [0.0])))
    big = np.isfinite(steps) & (steps > 2 * np.nan_to_num(beside, nan=0.0)) & (steps > 1e-3 * scale)
    # a pole with a sample close to it on one side only: the step beside is as large
    big |= np.isfinite(steps) & (ys[:-1] * ys[1:] < 0) & (steps > 0.25 * scale)
    i = np.flatnonzero(big)
    if i.size > _MAX_SUSPECTS:
        i = i[np.argsort(steps[i])[-_MAX_SUSPECTS:]]
    lo, hi = xs[i].copy(), xs[i + 1].copy()
    ylo, yhi = ys[i].copy(), ys[i + 1].copy()
    for _ in range(_BISECTIONS):
        if lo.size == 0:
            break
        mid = (lo + hi) / 2
        ym = values(mid)
        gone = ~np.isfinite(ym)  # undefined inside: a gap, judged as a break at mid
        left = gone | (np.abs(ym - ylo) >= np.abs(yhi - ym))
        hi, yhi = np.where(left, mid, hi), np.where(left, ym, yhi)
        lo = np.where(gone, mid, np.where(left, lo, mid))
        ylo = np.where(left, ylo, ym)
    found = set(((lo + hi) / 2).tolist())
    finite = np.isfinite(ys)
    lone = np.flatnonzero(~finite[1:-1] & finite[:-2] & finite[2:]) + 1
    found |= set(xs[lone].tolist())
    edge = np.flatnonzero(finite[:-1] != finite[1:])
    edge = edge[~np.isin(edge, lone) & ~np.isin(edge + 1, lone)]
    if edge.size > _MAX_SUSPECTS:
        edge = edge[:_MAX_SUSPECTS]
    inside, outside = xs[edge].copy(), xs[edge + 1].copy()
    flip = ~finite[edge]
    inside[flip], outside[flip] = outside[flip], inside[flip].copy()
    for _ in range(_BISECTIONS):
        if inside.size == 0:
            break
        mid = (inside + outside) / 2
        ok = np.isfinite(values(mid))
        inside, outside = np.where(ok, mid, inside), np.where(ok, outside, mid)
    return found | set(((inside + outside) / 2).tolist())


def _distinct(points: Iterable[float], sure: set[float], tolerance: float) -> list[float]:
    """The points, sorted, with near copies (SymPy's π/2 and a bisected one) merged: a
    proved point wins over a found one."""
    out: list[float] = []
    for p in sorted(points, key=lambda p: (p not in sure, p)):
        if all(abs(p - q) > tolerance for q in out):
            out.append(p)
    return sorted(out)


@dataclass(frozen=True)
class _Side:
    value: float  # at the closest probe, nan where undefined
    settled: bool  # the probes converge (so `value` is the one-sided limit)
    error: float  # how far the limit may still be from `value`


def _side(values: np.ndarray) -> _Side:
    """One side's probes, nearest last: settled when each step is under 0.6 of the last."""
    if not np.isfinite(values).all():
        return _Side(float("nan"), False, float("inf"))
    near = np.abs(np.diff(values[-3:]))
    settled = bool(near[1] <= 0.6 * near[0] + 1e-9 * (1 + abs(values[-1])))
    return _Side(float(values[-1]), settled, float(near[1]))


def broken_curve(
    name: str,
    values: Sampler,
    xs: np.ndarray,
    ys: np.ndarray,
    suspected: dict[float, sp.Expr | None],
    sure: set[float],
    *,
    exact: Callable[[sp.Expr], float] | None = None,
    derivative: bool = False,
    domain: Sampler | None = None,
) -> Curve:
    """The series with each break (a NaN, probes drawn up to it on both sides), holes and
    jumps marked.  `sure` points break whatever the probes say.  A jump's value is
    `exact` at the exact point where SymPy gave one (sign(sin x) at π is 0, not sign of
    a rounding error); a derivative has none at a jump (f′ never jumps where it exists,
    and sign(x)′ = 0 is not f′ at 0)."""
    low, high = float(xs[0]), float(xs[-1])
    span = high - low
    window = series_window(ys)
    scale = (window[1] - window[0]) if window is not None else 1.0
    scale = scale if scale > 0 else 1.0
    points = set(suspected) | sure | _sampled_suspects(values, xs, ys, scale)
    margin = 1e-7 * span
    inside = (p for p in points if low + margin < p < high - margin)
    centres = np.array(_distinct(inside, sure | {p for p, e in suspected.items() if e is not None},
                                 margin))  # fmt: skip
    if centres.size > _MAX_SUSPECTS:
        centres = centres[np.isin(centres, list(sure))][:_MAX_SUSPECTS]
    offsets = span * 10.0 ** -np.array(_PROBES, dtype=float)  # far to near
    n = len(_PROBES)
    probe_x = np.concatenate([centres[:, None] - offsets, centres[:, None] + offsets,
                              centres[:, None]], axis=1)  # fmt: skip
    probe_y = values(probe_x.ravel()).reshape(probe_x.shape)
    if domain is not None:  # no slope where there is no function
        probe_y[~np.isfinite(domain(probe_x.ravel()).reshape(probe_x.shape))] = np.nan
    breaks: list[float] = []
    cuts: list[float] = []  # breaks, holes and the ends of the domain: a NaN in the curve
    marks: list[Mark] = []
    tolerance = 1e-6 * scale
    for k, b in enumerate(centres):
        left, right = _side(probe_y[k, :n]), _side(probe_y[k, n : 2 * n])
        value = float(probe_y[k, -1])
        at = float("nan") if derivative else value
        defined = np.isfinite(left.value), np.isfinite(right.value)
        if not any(defined):
            continue  # nothing to draw on either side
        both = left.settled and right.settled
        apart = both and abs(left.value - right.value) > 4 * (left.error + right.error) + tolerance
        if all(defined) and (b in sure or not both or apart):
            breaks.append(float(b))
            if both:  # a jump: its one-sided limits open, its value (if any) filled
                point = suspected.get(float(b))
                if point is not None and exact is not None and not derivative:
                    at = exact(point)
                for side in (left, right):
                    if not np.isfinite(at) or abs(side.value - at) > tolerance:
                        marks.append(Mark(float(b), side.value, False))
                if np.isfinite(at):
                    marks.append(Mark(float(b), at, True))
            marks = _once(marks, tolerance)
        elif all(defined) and not np.isfinite(value):
            marks.append(Mark(float(b), (left.value + right.value) / 2, False))  # a hole
        elif all(defined):
            continue  # a suspect that is continuous there after all
        cuts.append(float(b))
    extra_x: list[float] = []
    extra_y: list[float] = []
    for b in cuts:  # the drawn probes, 10⁻³…10⁻⁵ of the range from it, and a NaN on it
        k = int(np.searchsorted(centres, b))
        for j in range(3):
            extra_x += [float(b - offsets[j]), float(b + offsets[j])]
            extra_y += [float(probe_y[k, j]), float(probe_y[k, n + j])]
        extra_x.append(float(b))
        extra_y.append(float("nan"))
    keep = _away_from(xs, cuts, offsets[2])
    all_x = np.concatenate([xs[keep], np.array(extra_x)])
    all_y = np.concatenate([ys[keep], np.array(extra_y)])
    order = np.argsort(all_x, kind="stable")
    return Curve(name, all_x[order], all_y[order], tuple(breaks), tuple(marks))


def _once(marks: list[Mark], tolerance: float) -> list[Mark]:
    """One dot per place: sign(x)′ has the same open dot from either side."""
    out: list[Mark] = []
    for m in marks:
        if not any(m.x == o.x and abs(m.y - o.y) <= tolerance for o in out):
            out.append(m)
    return out


def _away_from(xs: np.ndarray, cuts: list[float], nearest: float) -> np.ndarray:
    """The samples not closer to a cut than its nearest drawn probe: the probes draw the
    curve up to the cut, and a sample on it (sign(0) = 0) belongs to neither piece."""
    keep = np.ones(xs.shape, dtype=bool)
    for b in cuts:
        keep &= np.abs(xs - b) >= nearest * 0.999
    return keep


# ---- values --------------------------------------------------------------------------------


def _exact(expr: sp.Expr, var: sp.Symbol, a: sp.Expr) -> float:
    """expr at the exact point a, as a float (nan where it has no real value there)."""
    from ..core.realroots import real_subs

    try:
        with budget(0.5):
            value = complex(real_subs(expr, {var: a}).evalf(20))
    except (OverBudget, TypeError, ValueError, ArithmeticError):
        return float("nan")
    return value.real if abs(value.imag) < 1e-12 and np.isfinite(value.real) else float("nan")


def sampler(expr: sp.Expr, var: sp.Symbol) -> Sampler:
    """xs ↦ expr's real values (nan where undefined, not real, or infinite), with the
    expression compiled once: the breaks are looked for by many small calls.  Odd roots
    of negative numbers are real (∛x is drawn for x < 0), as at a point (realroots)."""
    from ..core.realroots import real_branch

    expr = real_branch(expr)
    with np.errstate(all="ignore"):
        try:
            fast = sp.lambdify(var, expr, modules=["numpy"])
        except (TypeError, NameError, AttributeError, NotImplementedError):
            fast = None

    def values(xs: np.ndarray) -> np.ndarray:
        xs = np.asarray(xs, dtype=float)
        if xs.size == 0:
            return np.zeros(xs.shape)
        return _sample(expr, var, xs, fast)

    return values


def _sample(expr: sp.Expr, var: sp.Symbol, xs: np.ndarray, fn=None) -> np.ndarray:
    """Real values at xs; nan where undefined, not real, or infinite."""
    with np.errstate(all="ignore"):
        try:
            fn = fn or sp.lambdify(var, expr, modules=["numpy"])
            values = np.asarray(fn(xs.astype(complex)), dtype=complex)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, NameError,
                AttributeError, NotImplementedError):  # fmt: skip
            # NumPy lacks it (erfi, Si, Bessel functions, Γ of complex numbers): mpmath,
            # SymPy's own numerics, point by point; else SymPy's evalf (zeta′, Ai′)
            values = np.array(_slowly(expr, var, xs.ravel()), dtype=complex).reshape(xs.shape)
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


def plot(
    formula: str,
    range: str | tuple[float, float] = "-5,5",  # noqa: A002 - the command line's --range
    wrt: str | None = None,
    at: str | None = None,
    ylim: str | tuple[float, float] | None = None,
    log10: bool = False,
) -> Plot:
    """f and its derivative f′ (verified step by step), and with `at` the tangent there,
    sampled and broken at poles and jumps, as `symchain plot` draws them.

    Parameters
    ----------
    formula : str
        A function of one variable.
    range : str or (float, float), default "-5,5"
        The x range, as text (``"-pi,pi"``) or two numbers.
    wrt : str, optional
        The variable, where the name is not clear.
    at : str, optional
        A point, ``"x=1"``: the tangent there is drawn too.
    ylim : str or (float, float), optional
        The y window; by default every value, the tails near poles left out.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    Plot
        The sampled curves, broken at poles and jumps, and the derivation.  In Jupyter
        it shows as a PNG with matplotlib (the `plot` extra), else as a text plot.

    Examples
    --------
    >>> p = plot("x^2", range=(-2, 2), at="x=1")
    >>> p.derivation.result, p.verified
    (2*x, True)
    """
    low, high = parse_range(range) if isinstance(range, str) else _pair(range, "range")
    window = None
    if ylim is not None:
        window = parse_ylim(ylim) if isinstance(ylim, str) else _pair(ylim, "ylim")
    return make_plot(formula, low, high, wrt, at, log10, window)


def _pair(values: object, option: str) -> tuple[float, float]:
    """(low, high) given as two numbers: finite, low < high."""
    try:
        low, high = (float(v) for v in values)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise UsageError(f"`{option}` wants two numbers low, high, not {values!r}") from None
    if not (np.isfinite([low, high]).all() and low < high):
        raise UsageError(f"`{option}` wants low < high, both finite, not {values!r}")
    return low, high
