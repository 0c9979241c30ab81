"""The front door: `matrix("norm2(X*w - y)^2", wrt="w")`, derived by differentials and
proved at random sizes and values against central differences of the formula."""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from ..core.errors import LimitError, UsageError
from ..core.parse import case_hint
from ..results import Rendered
from .differential import Differentials, differentials, expanded, gradient, jacobian
from .expr import (
    ONE,
    Differential,
    Func,
    Mul,
    Node,
    Norm,
    Shape,
    Shapes,
    Sum,
    Trace,
    Transpose,
    Var,
    replaced,
)
from .notation import text
from .numeric import Comparison, compare_gradient, draw, evaluate
from .parse import parse_noted
from .shapes import GREEK_SCALARS, infer, parse_shape
from .simplify import tidy
from .sympy_check import SympyVerdict, compare_with_sympy

POINTS = 2  # random points the answer is proved at


@dataclass(frozen=True)
class Reading:
    """The answer where a vector's entries add up to 1 (one-hot, a distribution): sum(y)
    is then 1, and the shorter form is proved with y drawn so."""

    vector: str
    result: Node
    check: Comparison | None


@dataclass(frozen=True)
class MatrixDerivation(Rendered):
    """∂f/∂X (or the Jacobian, or d/dλ) of a matrix formula, with its steps and proof."""

    input: str
    expression: Node
    wrt: str
    shapes: Shapes
    kind: str  # "gradient" (scalar f), "jacobian" (vector f, vector x), "derivative" (by a scalar)
    differentials: Differentials
    named: Node  # the answer in the names of the steps (2Xᵀu)
    read_off: Node  # df rearranged: tr(G·dX), gᵀ·dx or J·dx, in the names of the steps
    result: Node  # the answer in the formula's own letters (2Xᵀ(Xw − y))
    checks: tuple[Comparison, ...]
    value: np.ndarray | None = None  # the answer at --values
    sympy: SympyVerdict | None = None  # SymPy's own diff, compared (gradients only)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    readings: tuple[Reading, ...] = ()  # where sum(y) = 1

    @property
    def shape(self) -> Shape:
        return self.differentials.shapes(self.result)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def status(self) -> str:
        if not self.checks:
            return "unconfirmed"
        return "numeric" if self.verified else "failed"

    def __repr__(self) -> str:
        mark = "verified" if self.verified else self.status
        shown = f"∂/∂{self.wrt} {text(self.expression)} = {text(self.result)}"
        return f"<MatrixDerivation {shown} ({mark})>"


def matrix(
    formula: str,
    wrt: str,
    shapes: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> MatrixDerivation:
    """The derivative of `formula` by `wrt`, step by step by differentials, proved
    numerically.  `shapes` maps names to "m×n", "n" or "scalar"; `values` maps names to
    numbers or nested lists (the derivative is also evaluated there).

    Parameters
    ----------
    formula : str
        A matrix formula: ``"x'*A*x"``, ``"trace(X'*X)"``, ``"log(det(X))"``.
    wrt : str
        The matrix or vector to differentiate by.
    shapes : mapping of str to str, optional
        Shapes the formula does not tell, ``{"A": "3×3"}``.
    values : mapping of str to array-like, optional
        Numbers to evaluate the derivative at.
    seed : int, default 0
        The seed of the random instance the proof evaluates at.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    MatrixDerivation
        ``.result`` (a SymPy matrix expression), its shape, the steps, and
        ``.verified`` (finite differences at a random instance agree).

    Examples
    --------
    >>> d = matrix("x'*A*x", "x")
    >>> d
    <MatrixDerivation ∂/∂x xᵀAx = (A + Aᵀ)x (verified)>
    >>> d.verified
    True
    """
    if not isinstance(formula, str):
        raise UsageError("give the formula as text")
    declared: dict[str, Shape | str] = {}
    for name, shape in (shapes or {}).items():
        declared[str(name)] = parse_shape(str(shape))
    arrays = _arrays(values or {})
    for name, arr in arrays.items():
        if name not in declared:
            declared[name] = "scalar" if arr.shape == (1, 1) else (arr.shape[0], arr.shape[1])
    tree, read_notes = parse_noted(formula)
    names = sorted({n.name for n in tree.walk() if isinstance(n, Var)})
    if not isinstance(wrt, str) or wrt not in names:
        hint = case_hint([wrt], names) if isinstance(wrt, str) else ""
        raise UsageError(
            f"{wrt} is not in the formula (variables: {', '.join(names) or 'none'}){hint}"
        )
    unknown = sorted(set(arrays) - set(names))
    if unknown:
        raise UsageError(f"`values` names {', '.join(unknown)}, which the formula does not have")
    stray = sorted(set(declared) - set(names))
    if stray:
        raise UsageError(f"`shapes` names {', '.join(stray)}, which the formula does not have "
                         f"(variables: {', '.join(names)})")  # fmt: skip
    typed = infer(tree, declared, text)
    _provable(typed.shapes, wrt)
    for name, arr in arrays.items():
        _fits(name, arr, typed.shapes.of_var[name])
    warnings = tuple(read_notes) + tuple(
        f"{n} is read as a scalar"
        + (" (a Greek letter's name)" if n in GREEK_SCALARS else ", for the shapes to fit")
        + f"; shape {n}=n makes it a vector"
        for n in typed.read_as_scalar
        if n not in declared
    )
    f, sh = typed.expr, typed.shapes
    out = sh(f)
    x = sh.of_var[wrt]
    D = differentials(f, wrt, sh, set(names))
    if x == (1, 1):
        kind = "derivative"
        named = tidy(replaced(D.df, lambda n: ONE if n == Differential(wrt) else None), D.shapes)
    elif out == (1, 1):
        kind, named = "gradient", gradient(D.df, wrt, D.shapes)
    elif out[1] == 1 and x[1] == 1:
        kind, named = "jacobian", jacobian(D.df, wrt, D.shapes)
    elif out[0] == 1 and x[1] == 1:
        raise UsageError(f"f is a row vector ({_shape_text(out)}): transpose it, (…)', for "
                         "the Jacobian of the column")  # fmt: skip
    else:
        raise UsageError(
            f"the derivative of a {_shape_text(out)} formula by a {_shape_text(x)} {wrt} has "
            "more than two indices: symchain matrix gives gradients of scalars, Jacobians of "
            "vectors by vectors, and derivatives by scalars"
        )
    result = tidy(expanded(named, D.definitions), D.shapes)
    dx = Differential(wrt)
    if kind == "gradient" and x[1] != 1:
        read_off: Node = Trace(_times(tidy(Transpose(named), D.shapes), dx))
    elif kind == "gradient":
        read_off = Mul((Transpose(named), dx))
    else:
        read_off = _times(named, dx)
    rng = np.random.default_rng(seed)
    checks: list[Comparison] = []
    first = None
    for i in range(POINTS):
        check = _proved(f, result, wrt, sh, names, rng, {}, i)
        if check is not None:
            checks.append(check)
            first = first or check
    value = None
    if arrays:
        missing = sorted(set(names) - set(arrays))
        if missing:
            raise UsageError(f"`values` gives no value for {', '.join(missing)}")
        at = _proved(f, result, wrt, sh, names, rng, arrays)
        if at is None:
            raise UsageError("the formula is not finite and real at the given values")
        sizes = at.sizes
        kinks = _kinks(f, arrays, sizes)
        if not kinks:  # at a kink the differences straddle two slopes: no check there
            checks.append(at)
        value = evaluate(result, arrays, sizes)
        warnings += tuple(kinks)
    verdict = None
    if kind == "gradient" and first is not None and first.point is not None:
        p = first.point
        ours = evaluate(result, p.values, p.sizes)
        verdict = compare_with_sympy(f, wrt, sh, p.sizes, p.values, ours, first.differences)
    readings = tuple(_distributions(f, result, wrt, D.shapes, names, seed))
    return MatrixDerivation(formula, f, wrt, sh, kind, D, named, read_off, result, tuple(checks),
                            value=value, sympy=verdict, warnings=warnings,
                            readings=readings)  # fmt: skip


def _kinks(f: Node, values: Mapping[str, np.ndarray], sizes: Mapping[str, int]) -> list[str]:
    """Where the given values put relu or abs at 0, or a norm at a zero vector, f has no
    derivative there: said, since the central differences straddle the kink."""
    out = []
    for node in f.walk():
        if isinstance(node, Func) and node.name in ("relu", "abs"):
            inner, what = node.arg, f"{node.name} has no derivative where its argument is 0"
            said = "has an entry 0"
        elif isinstance(node, Norm):
            inner, what, said = node.arg, "‖·‖ has no derivative at the zero vector", "is 0"
        else:
            continue
        at = evaluate(inner, values, sizes)
        hit = np.all(at == 0) if isinstance(node, Norm) else np.any(at == 0)
        if hit:
            out.append(
                f"{what}, and {text(inner)} {said} at the given values: the answer is not "
                "checked there (the value shown takes relu′(0) = 0, sign(0) = 0)"
            )
    return list(dict.fromkeys(out))


def _as_one(node: Node, part: Node) -> Node:
    return replaced(node, lambda n: ONE if n == part else None)


def _distributions(f: Node, result: Node, wrt: str, shapes: Shapes, names: list[str],
                   seed: int) -> list[Reading]:  # fmt: skip
    """For each vector y whose sum(y) the answer holds: the answer with sum(y) = 1, proved
    at points where y is a distribution (|y| over its sum)."""
    out = []
    for name in names:
        r, c = shapes.of_var[name]
        total = Sum(Var(name))
        if name == wrt or c != 1 or r == 1 or not result.has(partial(operator.eq, total)):
            continue
        shorter = tidy(_as_one(result, total), shapes)
        rng = np.random.default_rng(seed + 1)
        point = draw(shapes, names, rng, "normal")
        y = np.abs(point.values[name])
        point.values[name] = y / y.sum()
        out.append(Reading(name, shorter, compare_gradient(f, shorter, wrt, point,
                                                           shapes.of_var[wrt])))  # fmt: skip
    return out


def _times(a: Node, b: Node) -> Node:
    """a·b with a product's factors in line: tr(BA·dX), not tr((BA)·dX)."""
    return Mul((*(a.items if isinstance(a, Mul) else (a,)), b))


MAX_ENTRIES = 250_000  # entries of one variable at a given size: the proof evaluates f often
MAX_WRT_ENTRIES = 2_500  # entries of the variable differentiated by: two evaluations each


def _provable(shapes: Shapes, wrt: str) -> None:
    """Sizes given as numbers are the sizes of the proof: bounded, so that it ends."""
    for name, (r, c) in shapes.of_var.items():
        entries = (r if isinstance(r, int) else 1) * (c if isinstance(c, int) else 1)
        limit = MAX_WRT_ENTRIES if name == wrt else MAX_ENTRIES
        if entries > limit:
            raise LimitError(f"{name} is {r}×{c}: the numeric proof differentiates at the sizes "
                             f"given, and allows {limit:,} entries here; give sizes as names "
                             f"({name}=m×n) to prove it at small ones")  # fmt: skip


def _proved(f: Node, result: Node, wrt: str, shapes: Shapes, names: list[str],
            rng: np.random.Generator, fixed: Mapping[str, np.ndarray],
            start: int = 0) -> Comparison | None:  # fmt: skip
    # det(AXB) with A n×m, B p×n is 0 unless n ≤ m, p: equal sizes are tried last
    for kind, equal in (("normal", False), ("positive", False), ("normal", True),
                        ("positive", True)):  # fmt: skip
        point = draw(shapes, names, rng, "given" if fixed else kind, fixed, start, equal)
        check = compare_gradient(f, result, wrt, point, shapes.of_var[wrt])
        if check is not None or fixed:
            return check
    return None


def _arrays(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    out = {}
    for name, value in values.items():
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise UsageError(
                f"the value of {name} is not a number or a nested list of numbers"
            ) from None
        if arr.ndim == 0:
            arr = arr.reshape(1, 1)
        elif arr.ndim == 1:
            arr = arr.reshape(-1, 1)  # a list is a column vector
        elif arr.ndim > 2:
            raise UsageError(f"the value of {name} has {arr.ndim} dimensions; at most 2")
        if not np.all(np.isfinite(arr)):
            raise UsageError(f"the value of {name} is not finite")
        out[str(name)] = arr
    return out


def _fits(name: str, arr: np.ndarray, shape: Shape) -> None:
    for d, k in zip(shape, arr.shape, strict=True):
        if isinstance(d, int) and d != k:
            raise UsageError(f"the value of {name} is {arr.shape[0]}×{arr.shape[1]}, but the "
                             f"formula needs {_shape_text(shape)}")  # fmt: skip


def _shape_text(shape: Shape) -> str:
    if shape == (1, 1):
        return "scalar"
    return f"{shape[0]}×{shape[1]}"


MAX_VALUES_BYTES = 16 * 2**20


def read_values(path: str) -> dict[str, Any]:
    """--values FILE.json: an object of name -> number or nested list."""
    try:
        with open(path, encoding="utf-8") as handle:
            text_read = handle.read(MAX_VALUES_BYTES + 1)
        if len(text_read) > MAX_VALUES_BYTES:
            raise UsageError(f"{path} is over {MAX_VALUES_BYTES // 2**20} MB")
        data = json.loads(text_read)
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read {path} as JSON: {err}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON object of name -> number or nested list")
    return data
