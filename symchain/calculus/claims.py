"""Claims that are about a curve: an implicit derivative, and a tangent line.

`check` judges a claimed derivative of a function.  Two claims students make
are not that: dy/dx = −x/y for the circle x² + y² = 25, which only has to hold
on the curve (−x/y and −x/√(25 − x²) are both right, and differ off it), and a
tangent line y = m·x + c at a point.  Each is judged here against a verified
derivation, and a wrong one gets a point where it fails and, where one fits, the
mistake that gives it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..core.compare import compare
from ..core.errors import ParseError, UsageError
from ..core.parse import read
from ..core.piecewise import equals_sign
from ..core.prose import Prose
from ..core.realroots import real_subs
from ..results import Rendered
from .check import CheckResult, verdict_word
from .check import check as check_derivative
from .derivation import Derivation, derive
from .implicit import Implicit, implicit, split_equation

#: Points of the curve a claim must agree with the derivative at, to be called right
#: without a symbolic proof.
CURVE_POINTS_NEEDED = 6
_CURVE_POINTS_TRIED = 40
_DIGITS = 30


@dataclass(frozen=True)
class CurveCheck(Rendered):
    """The verdict on a claimed dy/dx of an implicit curve, or on a claimed tangent line."""

    kind: str  # "implicit" or "tangent"
    formula: str | None  # as typed
    claimed_input: str | None
    claimed: sp.Expr  # dy/dx in x and y, or the line's y in x
    truth: sp.Expr  # the verified dy/dx, or the true tangent line's y
    derivation: Implicit | Derivation  # the work the truth comes from
    correct: bool | None  # None: could not decide
    how: str  # in words: how it was shown right, or why it is wrong
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()  # a point of the curve where they differ
    claimed_value: sp.Expr | None = None  # the claim there
    true_value: sp.Expr | None = None  # the truth there
    mistake: Prose | None = None  # the mistake that gives the claim, when one does
    warnings: tuple[str, ...] = ()
    vertical: bool = False  # a vertical tangent: the claim and the truth are x = c, x = a

    @property
    def status(self) -> str:
        return verdict_word(self.correct)


def check(
    formula: str | sp.Expr,
    claimed: str | sp.Expr,
    wrt: str | sp.Symbol | None = None,
    order: int = 1,
    log10: bool = False,
    *,
    function: str | None = None,
    at: dict | str | list | None = None,
) -> CheckResult | CurveCheck:
    """Is `claimed` right?  The derivative of `formula` (a CheckResult); with `function`
    (y), dy/dx on the curve `formula`; with `at`, the tangent line there (`claimed` is
    y = m·x + c, or any equation linear in y).  The routes are named in docs/check.md.

    Parameters
    ----------
    formula : str or sympy.Expr
        The function (or, with `function`, the curve's equation ``"x^2 + y^2 = 25"``).
    claimed : str or sympy.Expr
        The derivative someone claims, or the tangent line with `at`.
    wrt : str or sympy.Symbol, optional
        The variable, where the formula has several.
    order : int, default 1
        The order of the claimed derivative.
    log10 : bool, default False
        Read ``log`` as the logarithm to base 10.
    function : str, optional
        The name differentiated implicitly (y), for a claimed dy/dx on a curve.
    at : dict or str, optional
        A point: `claimed` is then the tangent line there.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    CheckResult or CurveCheck
        ``.correct`` (True, False or None: undecided), the mistake named where it is
        a common one (``.mistake.name``), a counterexample where it is wrong.

    Examples
    --------
    >>> r = check("sin(x^2)", "cos(x^2)")
    >>> r.correct, r.mistake.name
    (False, 'inner derivative forgotten')
    >>> check("x^2 + y^2 = 25", "-x/y", function="y").correct
    True
    """
    line = (
        isinstance(claimed, str)
        and equals_sign(claimed) is not None
        and not names_a_derivative(claimed)
    )
    if (function or line or at) and order != 1:
        raise UsageError("`order` above 1 is for a claimed derivative of a function")
    if line:
        if not at:
            raise UsageError("a claim with '=' is a tangent line: give the point with `at` x=a")
        assert isinstance(claimed, str) and isinstance(formula, str)
        return check_tangent(formula, claimed, at, _name(wrt), function, log10)
    if at:
        raise UsageError("`at` is for a tangent-line claim: write it as y = m·x + c")
    if function:
        if not isinstance(formula, str) or not isinstance(claimed, str):
            raise UsageError("with `function`, give the equation and the claim as text")
        return check_implicit(formula, claimed, function, _name(wrt), log10)
    if isinstance(formula, str) and equals_sign(formula) is not None:
        raise UsageError("the formula is an equation: add `function` y to check dy/dx on its curve")
    return check_derivative(formula, claimed, wrt, order, log10)


def _name(wrt: str | sp.Symbol | None) -> str | None:
    return wrt.name if isinstance(wrt, sp.Symbol) else wrt


# --- an implicit derivative ----------------------------------------------------------------

_PRIME = re.compile(
    r"^\s*(?:d\s*(?P<y1>[A-Za-z]\w*)\s*/\s*d\s*(?P<x1>[A-Za-z]\w*)|(?P<y2>[A-Za-z]\w*)\s*['′])\s*="
)


def check_implicit(
    equation: str,
    claimed: str,
    function: str = "y",
    wrt: str | None = None,
    log10: bool = False,
) -> CurveCheck:
    """Is `claimed` dy/dx for the curve `equation`?  It needs to hold on the curve only:
    shown equal as expressions, or equal at several points of the curve."""
    if not isinstance(claimed, str):
        raise UsageError("give the claim as text, like -x/y")
    work = implicit(equation, function, wrt, log10=log10)
    x, y = work.x, work.y
    claim_text = _without_prime(claimed, x, y)
    try:
        reading = read(claim_text, log10=log10, variables={x.name, y.name})
    except ParseError as err:
        offset = len(claimed) - len(claim_text)
        raise ParseError(
            f"the claim: {err.message}", text=claimed, position=(err.position or 0) + offset
        ) from None
    claim = reading.expr.xreplace(
        {s: {x.name: x, y.name: y}.get(s.name, s) for s in reading.expr.free_symbols}
    )
    extra = claim.free_symbols - {x, y} - work.lhs.free_symbols - work.rhs.free_symbols
    if extra:
        names = ", ".join(sorted(s.name for s in extra))
        raise UsageError(f"the claim uses {names}, which the equation does not have")
    truth = work.result
    notes = tuple(f"the claim: {n}" for n in reading.notes) + work.warnings

    def verdict(correct, how, **evidence) -> CurveCheck:
        return CurveCheck(
            "implicit", work.input, claimed, claim, truth, work, correct, how, warnings=notes,
            **evidence,
        )  # fmt: skip

    how_equal = compare(claim, truth).status
    small = sp.count_ops(claim) + sp.count_ops(truth) <= 200  # cancel is quick on these
    if how_equal == "symbolic" or (small and sp.cancel(sp.together(claim - truth)) == 0):
        return verdict(True, "the same as the derived dy/dx, as expressions")
    if how_equal == "numeric":  # equal at random points off the curve too: no caveat needed
        return verdict(True, "equal to the derived dy/dx at random points (not shown symbolically)")
    F = work.lhs - work.rhs
    values = []
    for point in curve_points(F, x, y):
        c, t = _value(claim, point), _value(truth, point)
        if c is not None and t is not None:
            values.append((point, c, t))
    differ = [v for v in values if not _close(v[1], v[2])]
    if differ:
        point, c, t = differ[0]
        agreed = len(values) - len(differ)
        how = "they differ at a point of the curve"
        if agreed:
            how += (
                f" (they agree at {agreed} of the {len(values)} points tried: right on part "
                f"of the curve only, a branch, say, where the curve has several)"
            )
        return verdict(
            False,
            how,
            point=tuple((s, sp.Float(v, 15)) for s, v in point.items()),
            claimed_value=sp.Float(c, 15),
            true_value=sp.Float(t, 15),
            mistake=_implicit_mistake([(c, t) for _, c, t in values]),
        )
    if len(values) >= CURVE_POINTS_NEEDED:
        return verdict(
            True,
            f"equal at {len(values)} points of the curve (off the curve they may differ: "
            f"only on it does {y} depend on {x})",
        )
    return verdict(None, f"only {len(values)} points of the curve could be found to compare at")


def names_a_derivative(claimed: str) -> bool:
    """'dy/dx = ...' or "y' = ...": a claimed derivative written as an equation."""
    return _PRIME.match(claimed) is not None


def _without_prime(claimed: str, x: sp.Symbol, y: sp.Symbol) -> str:
    """'dy/dx = -x/y' and "y' = -x/y" are the claim -x/y; names must be the curve's."""
    match = _PRIME.match(claimed)
    if match is None:
        return claimed
    top = match.group("y1") or match.group("y2")
    bottom = match.group("x1") or x.name
    if top != y.name or bottom != x.name:
        raise UsageError(f"the claim is for d{top}/d{bottom}; this check is for d{y}/d{x}")
    return claimed[match.end() :]


def _implicit_mistake(values: list[tuple]) -> Prose | None:
    """The common mistakes in implicit differentiation that give the claim at every point
    of the curve tried (claim, truth pairs)."""
    if all(_close(c, -t) for c, t in values):
        return ("the sign is wrong: from a·y' + b = 0, y' = −b/a",)
    if all(t != 0 and _close(c, 1 / t) for c, t in values):
        return ("this is dx/dy, the reciprocal of dy/dx: the x and y terms were swapped",)
    return None


def curve_points(F: sp.Expr, x: sp.Symbol, y: sp.Symbol, seed: int = 12) -> list[dict]:
    """Real points of F(x, y) = 0, to 30 digits: y solved numerically at random x."""
    rng = random.Random(seed)
    numerator = sp.numer(sp.together(F))
    polynomial = numerator.is_polynomial(y)
    found: list[dict] = []
    for _ in range(_CURVE_POINTS_TRIED):
        x0 = sp.Rational(rng.randint(-300, 300), 100)
        g = numerator.subs(x, x0)
        roots: list = []
        try:
            if polynomial:
                poly = sp.Poly(g, y)
                if poly.degree() < 1:
                    continue
                roots = [r for r in poly.nroots(n=_DIGITS) if r.is_real]
            else:
                f = sp.lambdify(y, g, "mpmath")
                roots = _numeric_roots(f, rng)
        except (
            ValueError,
            ZeroDivisionError,
            TypeError,
            sp.PolynomialError,
            mpmath.libmp.NoConvergence,
        ):
            continue
        for r in roots[:2]:
            found.append({x: sp.Float(x0, _DIGITS), y: sp.Float(r, _DIGITS)})
        if len(found) >= 2 * CURVE_POINTS_NEEDED:
            break
    return found


def _numeric_roots(f, rng: random.Random) -> list:
    """Real roots of f(y) = 0 found from a few random starts (a transcendental curve)."""
    roots: list = []
    for _ in range(4):
        try:
            with mpmath.workdps(_DIGITS):
                root = mpmath.findroot(f, mpmath.mpf(rng.uniform(-3, 3)))
        except (ValueError, ZeroDivisionError, TypeError, mpmath.libmp.NoConvergence):
            continue
        if mpmath.im(root) == 0:
            value = sp.Float(mpmath.re(root), _DIGITS)
            if all(abs(value - r) > 1e-12 for r in roots):
                roots.append(value)
    return roots


def _value(expr: sp.Expr, point: dict) -> complex | None:
    """The expression at the point, to 30 digits; None where it is not a finite real."""
    try:
        v = sp.N(real_subs(expr, point), _DIGITS)
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    re_, im_ = v.as_real_imag()
    if abs(im_) > sp.Float(10) ** -20 * (1 + abs(re_)):
        return None
    return re_


def _close(a, b) -> bool:
    return bool(abs(a - b) <= sp.Float(10) ** -18 * (1 + abs(b)))


# --- a tangent line -------------------------------------------------------------------------


def check_tangent(
    formula: str,
    claimed: str,
    at: dict | str | list,
    wrt: str | None = None,
    function: str | None = None,
    log10: bool = False,
) -> CurveCheck:
    """Is `claimed` (y = m·x + c, or any equation linear in y) the tangent line to the graph
    of `formula` (or, with `function`, to the curve `formula`) at `at`?"""
    if not isinstance(claimed, str):
        raise UsageError("give the tangent line as text, like y = 12x - 16")
    if function is not None:
        work: Implicit | Derivation = implicit(
            formula, function, wrt, at=at, tangent=True, log10=log10
        )
        assert isinstance(work, Implicit) and work.at is not None and work.at.tangent is not None
        x, y_name = work.x, work.y.name
        tangent = work.at.tangent
        a, fa, slope, line = tangent.a, tangent.b, tangent.slope, tangent.line
        if line is None:
            return _vertical_check(formula, claimed, work, x, y_name, a, fa, log10)
    else:
        work = derive(formula, wrt, at=at, tangent=True, log10=log10)
        assert isinstance(work, Derivation) and work.tangent is not None
        x, y_name = work.variable, "y"
        a, fa, slope, line = work.tangent.a, work.tangent.fa, work.tangent.slope, work.tangent.line
    claim, notes = _line(claimed, x, y_name, log10)
    warnings = tuple(f"the claim: {n}" for n in notes) + work.warnings

    def verdict(correct, how, mistake=None) -> CurveCheck:
        here = ((x, a),)
        value = real_subs(claim, {x: a})
        return CurveCheck(
            "tangent", work.input, claimed, claim, line, work, correct, how, here,
            value, fa, mistake, warnings,
        )  # fmt: skip

    if sp.expand(claim - line) == 0 or compare(claim, line).status == "symbolic":
        return verdict(True, "the same line")
    if not claim.is_polynomial(x) or sp.degree(claim, x) > 1:
        return verdict(
            False,
            "not a straight line: a tangent line is y = m·x + c, with numbers m and c",
            _not_a_line_mistake(claim, x, a, fa, slope, work),
        )
    m = sp.expand(claim).coeff(x, 1)
    through = sp.simplify(real_subs(claim, {x: a}) - fa) == 0
    right_slope = sp.simplify(m - slope) == 0
    if right_slope and not through:
        return verdict(False, "the right slope, but not through the point of tangency",
                       _offset_mistake(claim, x, a, fa, slope))  # fmt: skip
    if through and not right_slope:
        mistake: Prose | None = None
        if slope != 0 and sp.simplify(m + 1 / slope) == 0:
            mistake = ("this is the normal line: its slope is −1/f′(a) = ", m,
                       "; the tangent's is f′(a) = ", slope)  # fmt: skip
        return verdict(False, "through the point, but with the wrong slope", mistake)
    return verdict(False, "neither the slope nor the point is the tangent's")


def _vertical_check(formula, claimed, work, x, y_name, a, b, log10: bool) -> CurveCheck:
    """The tangent is vertical, x = a: a claim x = c is right when c = a; a line with y in
    it is not vertical, so not right.  Claim and truth are kept as equations."""
    notes: list[str] = []
    if equals_sign(claimed) is None:
        raise UsageError(f"the tangent there is vertical: write the claim as {x} = c")
    lhs, rhs = split_equation(claimed, {x.name, y_name}, notes)
    names = {s.name for s in (lhs - rhs).free_symbols}
    if names - {x.name, y_name}:
        extra = ", ".join(sorted(names - {x.name, y_name}))
        raise UsageError(f"the claimed line uses {extra}: only {x} and {y_name}")
    y = sp.Symbol(y_name, real=True)
    equation = (lhs - rhs).xreplace(
        {s: x if s.name == x.name else y for s in (lhs - rhs).free_symbols}
    )
    if not equation.is_polynomial(x, y) or sp.Poly(equation, x, y).total_degree() != 1:
        raise UsageError(f"the claimed line must be a straight line, like {x} = c")
    truth = sp.Eq(x, a)
    warnings = tuple(f"the claim: {n}" for n in notes) + work.warnings
    if equation.has(y):
        solved = sp.solve(equation, y)
        claim = sp.Eq(y, sp.expand(solved[0])) if len(solved) == 1 else sp.Eq(lhs, rhs)
        correct, how = False, "not a vertical line: the tangent there is vertical"
    else:
        c = sp.simplify(sp.solve(equation, x)[0])
        claim = sp.Eq(x, c)
        correct = sp.simplify(c - a) == 0
        how = "the same line" if correct else "a vertical line, but not through the point"
    return CurveCheck(
        "tangent", work.input, claimed, claim, truth, work, correct, how, ((x, a),), None, b,
        None, warnings, vertical=True,
    )  # fmt: skip


def _line(claimed: str, x: sp.Symbol, y_name: str, log10: bool) -> tuple[sp.Expr, tuple[str, ...]]:
    """The claim as y in terms of x: 'y = 12x - 16', 'y - 8 = 12(x - 2)' or '12x - 16'."""
    notes: list[str] = []
    if equals_sign(claimed) is not None:
        lhs, rhs = split_equation(claimed, {x.name, y_name}, notes)
    else:
        reading = read(claimed, log10=log10, variables={x.name})
        lhs, rhs, notes = sp.Symbol(y_name, real=True), reading.expr, list(reading.notes)
    names = {s.name: s for s in (lhs - rhs).free_symbols}
    y = names.get(y_name)
    if y is None:
        raise UsageError(f"the claimed line has no {y_name}: write it as {y_name} = m·{x} + c")
    equation = (lhs - rhs).xreplace({s: x for s in (lhs - rhs).free_symbols if s.name == x.name})
    extra = {s.name for s in equation.free_symbols} - {x.name, y_name}
    if extra:
        raise UsageError(f"the claimed line uses {', '.join(sorted(extra))}: only {x} and {y_name}")
    if not equation.is_polynomial(y) or sp.degree(equation, y) != 1:
        raise UsageError(
            f"the claimed line must be an equation for {y_name}, like {y_name} = 3x - 2"
        )
    solved = sp.solve(equation, y)
    if len(solved) != 1:
        raise UsageError(f"the claimed line does not fix {y_name}")
    return sp.expand(solved[0]), tuple(notes)


def _offset_mistake(claim, x, a, fa, slope) -> Prose | None:
    if sp.expand(claim - slope * (x - a)) == 0:
        return ("f(a) = ", fa, " was left out: the line is y = f(a) + f′(a)(x − a)")
    if sp.expand(claim - (fa + slope * x)) == 0:
        return ("x − a was written x: the line is y = f(a) + f′(a)(x − a), with a = ", a)
    if sp.expand(claim - (fa + slope * (x + a))) == 0:
        return ("x − a was written x + a: the line is y = f(a) + f′(a)(x − a), with a = ", a)
    return None


def _not_a_line_mistake(claim, x, a, fa, slope, work) -> Prose | None:
    derivative = work.result if isinstance(work, Derivation) else None
    if derivative is not None and sp.expand(claim - (fa + derivative * (x - a))) == 0:
        return ("f′(x) was used instead of the number f′(a) = ", slope,
                ": the slope is the derivative at the point")  # fmt: skip
    return None
