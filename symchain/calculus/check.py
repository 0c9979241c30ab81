"""Is a claimed derivative right?  `check(formula, claimed)` answers, and names the mistake.

The truth is derived by `derive` (every step verified).  The claim is
compared with it by `compare`; a claim is called right only when it is
shown equal (symbolically, by a rewrite that turns both into one form, or at
random points where the function is defined) and wrong only at a point of
the function's domain where both are finite, real and differ (re-checked at
60 digits).  Anything else is "could not decide": never a guess.

A wrong claim is matched against common mistakes by *recomputing* the
derivative with a mistaken rule (`_Differentiator`, a small differentiator
that mirrors the textbook rules with one rule replaced, at one place or at
every place) and comparing that with the claim: a mistake is named only when
the claim equals what the mistaken rule gives, never from the claim's text.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.core.function import AppliedUndef, ArgumentIndexError
from sympy.functions.elementary.hyperbolic import HyperbolicFunction

from ..core.budget import OverBudget, budget
from ..core.compare import Verdict, compare
from ..core.engine import Namer
from ..core.errors import ParseError, UsageError
from ..core.formulas import FORMULAS
from ..core.parse import read
from ..core.prose import Prose, prose_str
from ..core.realroots import real_branch
from ..core.steps import FAILED, NUMERIC, SYMBOLIC
from ..results import Rendered
from .derivation import Derivation, choose_variable, derive

__all__ = ["check", "CheckResult", "Counterexample", "Equality", "Mistake", "MISTAKES"]

# --- time and size limits: every search below stops early rather than hang -------------

_REWRITE_SECONDS = 0.5  # one rewrite of both sides (expand_trig, simplify, ...)
_REWRITES_SECONDS = 2.0  # all rewrites together
_SCAN_SECONDS = 2.0  # the search for a point where the claim and the truth differ
_MISTAKE_SECONDS = 3.0  # the whole mistake search
_REWRITE_MAX_OPS = 200  # larger than this, no symbolic rewrite is tried
_MAX_SITES = 12  # places per mistake tried one at a time
_RANDOM_POINTS = 24
_DIGITS = 60  # both sides evaluated at this precision ...
_SAME_DIGITS = 40  # ... are equal at a point when they agree to this many digits
_RECHECK_DIGITS = 100  # a difference must stand at this precision too
_AGREEMENTS_NEEDED = 3
_HUGE = mpmath.mpf(10) ** 50

#: Simple points first, so that a counterexample reads well (x = 1 before x = 0.7316...).
#: 0 is left out: a kink there (|x|, sign) makes a poor witness.
_SIMPLE_VALUES = tuple(
    sp.Rational(v)
    for v in ("1", "2", "1/2", "-1", "3", "-1/2", "3/2", "-2", "1/3", "5/2", "-3", "4/3")
)

#: Then 0, points near it and far from it: an error may live only there (|x - 4|, e^(-10⁴x²)).
_WIDE_VALUES = tuple(
    sp.Rational(v)
    for v in ("0", "5", "-5", "1/100", "-1/100", "10", "-10", "100", "-100", "1000", "-1000",
              "1000000", "7/1000", "-7/1000")
)  # fmt: skip

# --- the mistakes ------------------------------------------------------------------------

CHAIN = "inner derivative forgotten"
PRODUCT = "product rule written as the product of derivatives"
QUOTIENT_SIGN = "quotient rule's sign swapped"
EXPONENTIAL_POWER = "power rule applied to an exponential"
QUOTIENT_NO_SQUARE = "quotient rule without the square in the denominator"
QUOTIENT_OF_DERIVATIVES = "quotient rule written as the quotient of derivatives"
COS_SIGN = "sign error in the derivative of cos"
POWER_NOT_REDUCED = "exponent not reduced in the power rule"
LN_FORGOTTEN = "ln a forgotten in the derivative of a^u"

VARIABLE_POWER_AS_POWER = "power rule applied to a variable exponent (xˣ)"
VARIABLE_POWER_AS_EXPONENTIAL = "exponential rule alone applied to a variable base (xˣ)"
TAN_SQUARE = "square dropped from d tan u = sec²u"
COT_CSC_SIGN = "sign error in the derivative of cot or csc"
LOG_BASE_FORGOTTEN = "ln b forgotten in the derivative of log_b"
INVERSE_NOT_SUBSTITUTED = "x written for u in the derivative of an inverse trig function"
ABS_DROPPED = "|u| dropped from the derivative of sec⁻¹ or csc⁻¹"

#: Every mistake looked for, in the order tried: the issue's four first.
MISTAKES = (
    CHAIN,
    PRODUCT,
    QUOTIENT_SIGN,
    EXPONENTIAL_POWER,
    QUOTIENT_NO_SQUARE,
    QUOTIENT_OF_DERIVATIVES,
    COS_SIGN,
    POWER_NOT_REDUCED,
    LN_FORGOTTEN,
    VARIABLE_POWER_AS_POWER,
    VARIABLE_POWER_AS_EXPONENTIAL,
    TAN_SQUARE,
    COT_CSC_SIGN,
    LOG_BASE_FORGOTTEN,
    INVERSE_NOT_SUBSTITUTED,
    ABS_DROPPED,
)


@dataclass(frozen=True)
class Mistake:
    """A common mistake that reproduces the claim exactly."""

    name: str  # one of MISTAKES
    explanation: Prose  # the rule, and what was done wrong, at the first place
    at: sp.Expr  # the sub-expression the wrong rule was applied to (the first, if several)
    places: int  # how many places the wrong rule was applied at
    order: int | None  # the differentiation it was made in, when --order is above 1
    mistaken: sp.Expr  # the derivative the mistaken rule gives

    def __str__(self) -> str:
        return f"{self.name}: {prose_str(self.explanation)}"


@dataclass(frozen=True)
class Counterexample:
    """A point of the function's domain where the claim and the true derivative differ."""

    point: tuple[tuple[sp.Symbol, sp.Expr], ...]
    claimed: sp.Expr  # the claim's value there (exact when the point is)
    true: sp.Expr  # the derivative's value there
    claimed_float: float
    true_float: float
    difference: float  # claimed − true, computed before rounding to floats
    # known functions put in for unknown ones (name, body in u) to find this point
    functions: tuple[tuple[str, sp.Expr], ...] = ()


@dataclass(frozen=True)
class Equality:
    """How the claim was shown equal to the true derivative."""

    method: str  # "identical", "rewrite", "simplify" or "numeric"
    text: str  # in words, for people
    rewrite: str | None = None  # the rewrite that turned both into one form
    common: sp.Expr | None = None  # that form


@dataclass(frozen=True)
class CheckResult(Rendered):
    """The verdict on a claimed derivative, with the evidence for it."""

    formula: str | None  # as typed, when it was text
    claimed_input: str | None
    claimed: sp.Expr
    true: Derivation
    truth: sp.Expr  # what the claim was compared with: the derivation's answer
    correct: bool | None  # None: could not decide
    equality: Equality | None = None
    counterexample: Counterexample | None = None
    mistake: Mistake | None = None
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = ()  # how the formula and the claim were read, where it mattered

    @property
    def expression(self) -> sp.Expr:
        return self.true.expression

    @property
    def variable(self) -> sp.Symbol:
        return self.true.variable

    @property
    def order(self) -> int:
        return self.true.order

    @property
    def result(self) -> sp.Expr:
        return self.truth

    @property
    def equal_how(self) -> str | None:
        return self.equality.text if self.equality else None

    @property
    def status(self) -> str:
        return verdict_word(self.correct)


def verdict_word(correct: bool | None) -> str:
    """right, wrong or undecided: a claim's verdict as JSON and the exit code name it."""
    return {True: "right", False: "wrong", None: "undecided"}[correct]


# --- the front door -----------------------------------------------------------------------


def check(
    formula: str | sp.Expr,
    claimed: str | sp.Expr,
    wrt: str | sp.Symbol | None = None,
    order: int = 1,
    log10: bool = False,
) -> CheckResult:
    """Is `claimed` the `order`-th derivative of `formula` by `wrt`?

    Both are parsed as `derive` parses (text never reaches eval or sympify);
    the claim may use only the formula's variables.  Raises ParseError or
    UsageError for bad input, like `derive`.
    """
    expr, _ = _read(formula, "the formula", log10, _names(wrt))
    # the claim's letters are the formula's variables: axn in a claim for ax^2/(n^2 + x^2)
    claim, claim_notes = _read(
        claimed, "the claim", log10, {s.name for s in expr.free_symbols} | _names(wrt)
    )
    var = choose_variable(expr, wrt)
    # a symbol is its name: Symbol("x") in a claim is the formula's (real) x
    same_name = {s.name: s for s in expr.free_symbols | {var}}
    claim = claim.xreplace(
        {s: same_name[s.name] for s in claim.free_symbols if s.name in same_name}
    )
    extra = claim.free_symbols - expr.free_symbols - {var}
    if extra:
        names = ", ".join(sorted(s.name for s in extra))
        known = ", ".join(sorted(s.name for s in expr.free_symbols | {var}))
        raise UsageError(
            f"the claim uses {names}, which the formula does not have (variables: {known})"
        )
    derivation = derive(formula if isinstance(formula, str) else expr, var, order, log10=log10)
    truth, notes = _truth(derivation)
    judged = _judge(
        formula if isinstance(formula, str) else None,
        claimed if isinstance(claimed, str) else None,
        claim,
        derivation,
        truth,
        notes,
    )
    claim_warnings = tuple(f"the claim: {note}" for note in claim_notes)
    return replace(judged, warnings=derivation.warnings + claim_warnings)


def _read(
    value: str | sp.Expr, what: str, log10: bool, variables: set[str]
) -> tuple[sp.Expr, tuple[str, ...]]:
    """Text through the whitelisting parser (errors say which input), with the notes on how
    it was read; an expression as it is."""
    if isinstance(value, str):
        try:
            reading = read(value, log10=log10, variables=variables)
            return reading.expr, reading.notes
        except ParseError as err:
            raise ParseError(
                f"{what}: {err.message}", text=err.text, position=err.position
            ) from None
    if isinstance(value, sp.Expr):
        return value, ()
    raise UsageError(f"{what} must be text or a SymPy expression")


def _truth(derivation: Derivation) -> tuple[sp.Expr, tuple[str, ...]]:
    """The derivative to compare with: the verified answer, or SymPy's own if not verified."""
    if derivation.verified:
        return derivation.result, ()
    own = sp.diff(derivation.expression, derivation.variable, derivation.order)
    return own, (
        "the step-by-step derivation could not be fully verified; "
        "the claim was compared with SymPy's own derivative",
    )


def _judge(formula, claimed_input, claim, derivation, truth, notes) -> CheckResult:
    """Right, wrong or undecided, with the evidence; a wrong claim is matched to a mistake."""

    def result(correct, **evidence) -> CheckResult:
        return CheckResult(
            formula, claimed_input, claim, derivation, truth, correct, notes=notes, **evidence
        )

    if truth.has(sp.Derivative, sp.Subs) and not _has_unknown_function(derivation.expression):
        notes += ("SymPy has no closed form for this derivative",)
        return result(None)
    verdict = compare(claim, truth)
    if claim == derivation.derived and derivation.verified:
        return result(True, equality=_SAME_AS_DERIVED)
    if verdict.status == SYMBOLIC:
        return result(True, equality=_shown_equal(claim, truth))
    if verdict.status != FAILED:  # a difference at a real point is not argued away by a rewrite
        rewritten = _rewrite_equal(claim, truth)
        if rewritten is not None:
            return result(True, equality=rewritten)
    scan = _scan(derivation.expression, claim, truth, verdict.point, derivation.undefined_at)
    if scan.counterexample is not None:
        mistake = find_mistake(claim, derivation, truth)
        return result(False, counterexample=scan.counterexample, mistake=mistake)
    unknown = _has_unknown_function(truth) or _has_unknown_function(claim)
    stand_ins = _stand_ins(derivation.expression, claim, truth) if unknown else None
    if stand_ins is not None:  # before any numeric "equal": f's random values prove nothing
        (function, concrete_claim, concrete_truth), chosen = stand_ins
        wrong = _scan(function, concrete_claim, concrete_truth, None)
        if wrong.counterexample is not None:
            notes += (
                "unknown functions have no values, so known ones were put in: a claim true "
                "for every function must hold for these, and it does not",
            )
            mistake = find_mistake(claim, derivation, truth)
            point = replace(wrong.counterexample, functions=chosen)
            return result(False, counterexample=point, mistake=mistake)
    if verdict.status == NUMERIC or scan.agreed >= _AGREEMENTS_NEEDED:
        witness = _constant_difference(derivation.expression, claim, truth)
        if witness is not None:
            return result(False, counterexample=witness, mistake=None)
        return result(True, equality=_numeric_equality(verdict, scan, derivation))
    if verdict.status == FAILED:
        notes += (_outside_domain_note(verdict),)
    if unknown:
        notes += (
            "unknown functions (f, g, ...) have no value at a point, so only a symbolic "
            "proof could decide, and none was found",
        )
    return result(None)


#: Functions put in for f, g, h (and F, G, H) to look for a counterexample: smooth on the
#: whole line, with no derivative that vanishes identically, and unlike each other.
_U = sp.Symbol("u", real=True)
_STAND_INS = {
    "f": sp.sin(_U) + _U**3 / 7,
    "g": sp.exp(_U / 3) + _U**2 / 5,
    "h": sp.cos(_U / 2) + _U / 3,
    "F": sp.atan(_U) + _U**2,
    "G": _U**3 - _U,
    "H": sp.sin(2 * _U) + _U,
}


def _stand_ins(
    *exprs: sp.Expr,
) -> tuple[tuple[sp.Expr, ...], tuple[tuple[str, sp.Expr], ...]] | None:
    """The expressions with known functions put in for f, g, ... (each of one argument),
    worked out; and which were put in.  None when a function has several arguments."""
    applied = set().union(*(e.atoms(AppliedUndef) for e in exprs))
    names = sorted({type(a).__name__ for a in applied})
    if any(len(a.args) != 1 for a in applied) or any(n not in _STAND_INS for n in names):
        return None
    put = {sp.Function(n): sp.Lambda(_U, _STAND_INS[n]) for n in names}
    try:
        concrete = tuple(e.subs(put).doit() for e in exprs)
    except (ValueError, TypeError, NotImplementedError):
        return None
    if any(c.atoms(AppliedUndef) or c.has(sp.Derivative) for c in concrete):
        return None
    return concrete, tuple((n, _STAND_INS[n]) for n in names)


def _has_unknown_function(expr: sp.Expr) -> bool:
    return bool(expr.atoms(AppliedUndef))


def _outside_domain_note(verdict: Verdict) -> str:
    where = ", ".join(f"{name} = {value:.6g}" for name, value in (verdict.point or {}).items())
    return (
        f"they differ at {where}, but at no point tried where the function itself is real "
        "and both sides are finite"
    )


# --- shown equal ----------------------------------------------------------------------------


_SAME_AS_DERIVED = Equality("identical", "the same expression as the derived answer")


def _shown_equal(claim: sp.Expr, truth: sp.Expr) -> Equality:
    """Proven equal by `compare`; say how, by a named rewrite when one shows it."""
    if claim == truth:
        return Equality("identical", "the same expression as the derivative")
    rewritten = _rewrite_equal(claim, truth)
    if rewritten is not None:
        return rewritten
    return Equality("simplify", "simplify(claim − derivative) = 0")


def _rewrites() -> tuple[tuple[str, object], ...]:
    """Rewrites a reader can redo by hand, cheapest first; simplify is the last resort."""
    return (
        ("expand", sp.expand),
        ("expand_trig", lambda e: sp.expand(sp.expand_trig(e))),
        ("cancel", sp.cancel),
        ("factor", sp.factor),
        ("expand_log", lambda e: sp.expand(sp.expand_log(e, force=False))),
        ("trigsimp", sp.trigsimp),
        ("rewriting tan, cot, sec, csc in sin and cos (then trigsimp)", _in_sin_cos),
        ("rewriting hyperbolic functions with exp (then cancel)", _in_exp),
        ("simplify", sp.simplify),
    )


def _in_sin_cos(expr: sp.Expr) -> sp.Expr:
    """tan = sin/cos and so on, then trigsimp: 1 + tan(x)**2 and sec(x)**2 both become 1/cos²."""
    expr = expr.replace(sp.tan, lambda u: sp.sin(u) / sp.cos(u))
    expr = expr.replace(sp.cot, lambda u: sp.cos(u) / sp.sin(u))
    expr = expr.replace(sp.sec, lambda u: 1 / sp.cos(u))
    expr = expr.replace(sp.csc, lambda u: 1 / sp.sin(u))
    return sp.trigsimp(expr)


def _in_exp(expr: sp.Expr) -> sp.Expr:
    """sinh, tanh, sech ... as exponentials, over one denominator: cosh² − sinh² becomes 1."""
    if not expr.has(HyperbolicFunction):
        return expr
    return sp.cancel(sp.expand(expr.rewrite(sp.exp)))


def _rewrite_equal(claim: sp.Expr, truth: sp.Expr) -> Equality | None:
    """A rewrite that turns both sides into the same expression: an exact proof, shown."""
    if claim == truth:
        return Equality("identical", "the same expression as the derivative")
    if max(sp.count_ops(claim), sp.count_ops(truth)) > _REWRITE_MAX_OPS:
        return None
    if claim.has(AppliedUndef, sp.Derivative, sp.Subs):
        return None  # left to compare, which treats unknown functions with care
    deadline = time.monotonic() + _REWRITES_SECONDS
    for name, rewrite in _rewrites():
        left = deadline - time.monotonic()
        if left <= 0.01:
            return None
        try:
            with budget(min(left, _REWRITE_SECONDS)):
                a, b = rewrite(claim), rewrite(truth)
        except OverBudget:
            continue
        if a == b:
            return Equality(
                "rewrite", f"{name} turns both into {sp.sstr(a)}", rewrite=name, common=a
            )
    return None


def _numeric_equality(verdict: Verdict, scan: _Scan, derivation: Derivation) -> Equality:
    if scan.agreed == 0:  # compare's own points: complex values off the real domain included
        return Equality(
            "numeric", "equal at 3 random points, to 15 digits (not shown symbolically)"
        )
    where = "" if verdict.status == NUMERIC else " where the function is defined"
    if derivation.undefined_at:
        x = derivation.variable
        joins = " and ".join(f"{x} = {sp.sstr(b)}" for b in derivation.undefined_at)
        where += f" (not at {joins}, where the derivative does not exist)"
    return Equality(
        "numeric",
        f"equal at {scan.agreed} points{where}, to {_SAME_DIGITS} digits (not shown symbolically)",
    )


# --- a point where they differ ------------------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    agreed: int  # points of the domain where the claim and the truth agree
    counterexample: Counterexample | None


def _points(symbols: list[sp.Symbol], found: dict | None) -> Iterator[dict]:
    """Simple points first, then near the point `compare` found a difference at, then random
    ones (seeded: the same every run).  Every point is exact (a rational), so that the
    claim and the truth can be evaluated there to any precision.

    Each variable gets a different simple value, so that x − y is not 0 at every point.
    """
    n = len(_SIMPLE_VALUES)
    for i in range(n):
        yield {s: _SIMPLE_VALUES[(i + 5 * j) % n] for j, s in enumerate(symbols)}
    if found and set(found) == {s.name for s in symbols}:
        yield {s: sp.Rational(f"{found[s.name]:.6g}") for s in symbols}
    m = len(_WIDE_VALUES)
    for i in range(m):
        yield {s: _WIDE_VALUES[(i + 3 * j) % m] for j, s in enumerate(symbols)}
    rng = random.Random(20261125)
    bands = ((0.1, 0.95), (1.05, 3.0), (-3.0, -0.1), (3.0, 60.0), (-60.0, -3.0), (-0.1, 0.1))
    for i in range(_RANDOM_POINTS):
        yield {
            s: sp.Rational(f"{rng.uniform(*bands[(i + j) % len(bands)]):.9g}")
            for j, s in enumerate(symbols)
        }


def _real(expr: sp.Expr, point: dict, digits: int):
    """expr's value at point as an mpf, or None when it is not a finite real number."""
    try:
        value = real_branch(expr).xreplace(point).evalf(digits)
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, RecursionError):
        return None
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return None
    re, im = value.as_real_imag()
    if not (re.is_Number and im.is_Number):
        return None
    re = mpmath.mpf(re)
    if abs(mpmath.mpf(im)) > mpmath.mpf(10) ** (-(digits - 5)) * max(1, abs(re)):
        return None
    if abs(re) > _HUGE:
        return None
    return re


def _differ(a, b) -> bool:
    """Different beyond what evaluation at _DIGITS can blur: 2x + 1e-20 is not 2x."""
    return abs(a - b) > max(1, abs(a), abs(b)) * mpmath.mpf(10) ** (-_SAME_DIGITS)


def _scan(
    function: sp.Expr,
    claim: sp.Expr,
    truth: sp.Expr,
    found: dict | None,
    undefined_at: tuple[sp.Expr, ...] = (),
) -> _Scan:
    """Points where the function is real and both sides finite: the first that differs.

    Both sides are evaluated at 60 digits and must agree to 40 to count as
    equal there; a difference must stand again at 100 digits before it counts,
    so a claim off by 1e-20 is found wrong and rounding never makes one wrong.
    Points outside the function's domain are skipped: there the claim owes
    nothing (1/|x| is right for ln x, whose domain is x > 0); so are the joins of
    a piecewise function where the derivative does not exist (`undefined_at`).
    """
    symbols = sorted(function.free_symbols | claim.free_symbols | truth.free_symbols, key=str)
    agreed = 0
    deadline = time.monotonic() + _SCAN_SECONDS
    with mpmath.workdps(_RECHECK_DIGITS + 20):
        try:
            with budget(_SCAN_SECONDS):
                for point in _points(symbols, found):
                    if time.monotonic() > deadline:
                        break
                    if _real(function, point, 15) is None or _at_any(point, undefined_at):
                        continue
                    a, b = _real(claim, point, _DIGITS), _real(truth, point, _DIGITS)
                    if a is None or b is None:
                        continue
                    if not _differ(a, b):
                        if _provably_different(claim, truth, point):
                            return _Scan(agreed, _counterexample(point, claim, truth, a, b))
                        agreed += 1
                        continue
                    a, b = (
                        _real(claim, point, _RECHECK_DIGITS),
                        _real(truth, point, _RECHECK_DIGITS),
                    )
                    if a is not None and b is not None and _differ(a, b):
                        return _Scan(agreed, _counterexample(point, claim, truth, a, b))
        except OverBudget:
            pass  # out of time: what was found so far stands, and decides nothing more
    return _Scan(agreed, None)


def _at_any(point: dict, places: tuple[sp.Expr, ...]) -> bool:
    """A one-variable point that is one of `places`."""
    if not places or len(point) != 1:
        return False
    (value,) = point.values()
    return any(sp.simplify(value - p) == 0 for p in places)


def _provably_different(claim: sp.Expr, truth: sp.Expr, point: dict) -> bool:
    """claim − truth at an exact point, to 30 digits of its own value, is not 0.

    SymPy's strict evalf raises its precision (up to 2,000 digits) until the
    difference itself is known to 30 significant digits, or gives up when it
    cannot tell it from 0, as for sin² + cos² − 1.  A value it does return is
    therefore a proof: 2x·(1 + 10⁻⁴⁵) is not 2x, though 60 digits agree.
    """
    try:
        value = real_branch(claim - truth).xreplace(point).evalf(30, strict=True, maxn=2000)
    except (PrecisionExhausted, ValueError, TypeError, ZeroDivisionError, ArithmeticError):
        return False
    if not value.is_number or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return False
    return bool(value != 0)


def _constant_difference(function: sp.Expr, claim: sp.Expr, truth: sp.Expr):
    """A counterexample when claim − truth expands to a nonzero constant (2x + 10^-50 against
    2x): a difference too small for any sampling precision, but exact.  Else None."""
    try:
        with budget(_REWRITE_SECONDS):
            difference = sp.expand(claim - truth)
    except OverBudget:
        return None
    if difference.free_symbols or not difference.is_number or difference.is_zero is not False:
        return None
    symbols = sorted(function.free_symbols | claim.free_symbols | truth.free_symbols, key=str)
    with mpmath.workdps(_RECHECK_DIGITS + 20):
        for point in _points(symbols, None):
            if _real(function, point, 15) is None:
                continue
            a, b = _real(claim, point, _RECHECK_DIGITS), _real(truth, point, _RECHECK_DIGITS)
            if a is not None and b is not None:
                return _counterexample(point, claim, truth, a, b)
    return None


def _counterexample(point: dict, claim: sp.Expr, truth: sp.Expr, a, b) -> Counterexample:
    pairs = tuple(sorted(point.items(), key=lambda kv: kv[0].name))
    claimed, true = _exact(claim, point), _exact(truth, point)
    return Counterexample(pairs, claimed, true, float(a), float(b), float(a - b))


def _exact(expr: sp.Expr, point: dict) -> sp.Expr:
    """The value at the point as SymPy writes it (cos(1)), or a decimal when it is long."""
    value = real_branch(expr).xreplace(point)
    if sp.count_ops(value) > 20:
        return value.evalf(15)
    return value


# --- the mistakes, recomputed -----------------------------------------------------------------


def find_mistake(claim: sp.Expr, derivation: Derivation, truth: sp.Expr) -> Mistake | None:
    """The first common mistake whose derivative equals the (wrong) claim, or None.

    For --order n a mistake may be made in any one of the n differentiations;
    the others are done right.  The search stops after a few seconds.
    """
    var, n = derivation.variable, derivation.order
    deadline = time.monotonic() + _MISTAKE_SECONDS
    try:
        with budget(_MISTAKE_SECONDS):
            for name in MISTAKES:
                for order in derivation.orders:
                    for mistaken, sites in _variants(order.expr, var, name):
                        if time.monotonic() > deadline:
                            return None
                        if order.n < n:
                            mistaken = sp.diff(mistaken, var, n - order.n)
                        if mistaken == truth or not compare(claim, mistaken).confirmed:
                            continue
                        return _mistake(name, sites, order.n if n > 1 else None, mistaken)
    except OverBudget:
        return None
    return None


def _mistake(name: str, sites: list[_Site], order: int | None, mistaken: sp.Expr) -> Mistake:
    first = sites[0]
    explanation = first.explanation
    if len(sites) > 1:
        more = len(sites) - 1
        explanation += (f" (and the same at {more} more place{'s' if more > 1 else ''})",)
    if order is not None:
        explanation = (f"in differentiation {order}: ", *explanation)
    return Mistake(name, explanation, first.expr, len(sites), order, mistaken)


def _variants(expr: sp.Expr, var: sp.Symbol, name: str) -> Iterator[tuple[sp.Expr, list]]:
    """The derivative with the mistake made at the outermost place, at every place, then at
    each other place alone; each distinct derivative once."""
    probe = _Differentiator(var, name, only=-1, taken=_names(expr))
    probe.d(expr)
    if probe.seen == 0:
        return
    order = [0] + ([None] if probe.seen > 1 else []) + list(range(1, min(probe.seen, _MAX_SITES)))
    seen: set = set()
    for only in order:
        run = _Differentiator(var, name, only=only, taken=_names(expr))
        result = run.d(expr)
        if run.applied and result not in seen:
            seen.add(result)
            yield result, run.applied


def _names(value: sp.Expr | str | None) -> set[str]:
    """The variable names of an expression, or the one name given (`wrt`)."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {s.name for s in value.free_symbols}


@dataclass(frozen=True)
class _Site:
    expr: sp.Expr
    explanation: Prose


class _Differentiator:
    """d/dx by the textbook rules, with the rule of one mistake made wrongly.

    The places where the mistake can be made are numbered outermost first
    (pre-order); `only` picks one of them (None: every one; -1: none, to count
    them in `seen`).  Each place applied is recorded in `applied`, with the
    rule and what was done wrong, for the explanation.
    """

    def __init__(self, var: sp.Symbol, mistake: str, only: int | None, taken: set[str]):
        self.x = var
        self.mistake = mistake
        self.only = only
        self.seen = 0
        self.applied: list[_Site] = []
        self.u = Namer(taken | {var.name}).fresh()  # the inner function's name in explanations

    def wrong_here(self, *mistakes: str) -> bool:
        """Is this place, which invites `mistakes`, the one to get wrong?"""
        if self.mistake not in mistakes:
            return False
        index = self.seen
        self.seen += 1
        return self.only is None or index == self.only

    def record(self, expr: sp.Expr, *explanation: str | sp.Basic) -> None:
        self.applied.append(_Site(expr, explanation))

    def d(self, expr: sp.Expr) -> sp.Expr:
        x = self.x
        if not expr.has(x):
            return sp.S.Zero
        if expr == x:
            return sp.S.One
        if expr.is_Add:
            return sp.Add(*(self.d(term) for term in expr.args))
        if expr.is_Mul:
            return self.mul(expr)
        if expr.is_Pow:
            return self.power(expr)
        if isinstance(expr, sp.Function) and len(expr.args) == 1:
            return self.function(expr)  # f(3x) too: its inner derivative can be forgotten
        return sp.diff(expr, x)  # nothing a mistake here is looked for in

    # -- products and quotients ------------------------------------------------------------

    def mul(self, expr: sp.Expr) -> sp.Expr:
        coeff, dependent = expr.as_independent(self.x, as_Add=False)
        if coeff != 1:
            logs = [f for f in sp.Mul.make_args(coeff) if f.is_Pow and f.exp == -1
                    and isinstance(f.base, sp.log)]  # fmt: skip
            if logs and isinstance(dependent, sp.log) and self.wrong_here(LOG_BASE_FORGOTTEN):
                kept = coeff * sp.Mul(*(f.base for f in logs))
                mistaken = kept * self.d(dependent)
                self.record(
                    expr,
                    "d/dx ", expr, " was taken as ", mistaken, ": log_b u = ln u/ln b, so its "
                    "derivative is u′/(u·ln b), and the factor 1/", sp.Mul(*(f.base for f in logs)),
                    " was left out",
                )  # fmt: skip
                return mistaken
            return coeff * self.d(dependent)
        factors = sp.Mul.make_args(dependent)
        numerator = [f for f in factors if not _is_reciprocal(f)]
        denominator = [1 / f for f in factors if _is_reciprocal(f)]
        if numerator and denominator:
            return self.quotient(expr, sp.Mul(*numerator), sp.Mul(*denominator))
        return self.product(expr, factors)

    def product(self, expr: sp.Expr, factors: tuple[sp.Expr, ...]) -> sp.Expr:
        wrong = self.wrong_here(PRODUCT)
        derivatives = [self.d(f) for f in factors]
        if wrong:
            mistaken = sp.Mul(*derivatives)
            self.record(
                expr,
                "(f·g)' was taken as f'·g' = ", mistaken, " for ", expr,
                "; the product rule is (f·g)' = f'·g + f·g'",
            )  # fmt: skip
            return mistaken
        return sp.Add(
            *(
                sp.Mul(derivatives[i], *(f for j, f in enumerate(factors) if j != i))
                for i in range(len(factors))
            )
        )

    def quotient(self, expr: sp.Expr, f: sp.Expr, g: sp.Expr) -> sp.Expr:
        wrong = self.wrong_here(QUOTIENT_SIGN, QUOTIENT_NO_SQUARE, QUOTIENT_OF_DERIVATIVES)
        df, dg = self.d(f), self.d(g)
        right = "the quotient rule is (f/g)' = (f'·g − f·g')/g²"
        where = ("with f = ", f, ", g = ", g, "; ", right)
        if wrong and self.mistake == QUOTIENT_SIGN:
            self.record(expr, "(f/g)' was taken as (f·g' − f'·g)/g², ", *where)
            return (f * dg - df * g) / g**2
        if wrong and self.mistake == QUOTIENT_NO_SQUARE:
            self.record(expr, "(f/g)' was taken as (f'·g − f·g')/g, ", *where)
            return (df * g - f * dg) / g
        if wrong and self.mistake == QUOTIENT_OF_DERIVATIVES and dg != 0:
            quotient = sp.Mul(f, sp.Pow(g, -1), evaluate=False)  # eˣ/x in (1/2)·eˣ/x, named
            self.record(expr, "(f/g)' was taken as f'/g' = ", df / dg, " for ", quotient,
                        ", ", *where)  # fmt: skip
            return df / dg
        return (df * g - f * dg) / g**2

    # -- powers and exponentials -----------------------------------------------------------

    def power(self, expr: sp.Pow) -> sp.Expr:
        x = self.x
        base, exponent = expr.base, expr.exp
        if base.has(x) and exponent.has(x):
            wrong = self.wrong_here(VARIABLE_POWER_AS_POWER, VARIABLE_POWER_AS_EXPONENTIAL)
            du, dv = self.d(base), self.d(exponent)
            right = (
                "; with both varying, write it as e^(v·ln u): (u^v)′ = u^v·(v′·ln u + v·u′/u)",
            )
            if wrong and self.mistake == VARIABLE_POWER_AS_POWER:
                mistaken = exponent * base ** (exponent - 1) * du
                self.record(
                    expr, "d/dx ", expr, " was taken as ", mistaken,
                    ", the power rule, which needs a constant exponent", *right,
                )  # fmt: skip
                return mistaken
            if wrong and self.mistake == VARIABLE_POWER_AS_EXPONENTIAL:
                mistaken = expr * sp.log(base) * dv
                self.record(
                    expr, "d/dx ", expr, " was taken as ", mistaken,
                    ", the exponential rule, which needs a constant base", *right,
                )  # fmt: skip
                return mistaken
            return expr * (dv * sp.log(base) + exponent * du / base)
        if base.has(x):
            return self.power_rule(expr, base, exponent)
        return self.exponential(expr, base, exponent)

    def power_rule(self, expr: sp.Pow, base: sp.Expr, n: sp.Expr) -> sp.Expr:
        invites = (POWER_NOT_REDUCED,) + ((CHAIN,) if base != self.x else ())
        wrong = self.wrong_here(*invites)
        du = self.d(base)
        u = self.u
        if wrong and self.mistake == CHAIN:
            self.forgot_inner(expr, u**n, n * u ** (n - 1), base, du)
            return n * base ** (n - 1)
        if wrong and self.mistake == POWER_NOT_REDUCED:
            self.record(
                expr,
                "d/dx ", expr, " was taken as ", n * base**n * du,
                ": the power rule is d/du uⁿ = n·uⁿ⁻¹, so ", n * u ** (n - 1),
                ", not ", n * u**n,
            )  # fmt: skip
            return n * base**n * du
        return n * base ** (n - 1) * du

    def exponential(self, expr: sp.Expr, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        """a**u, and exp(u) with base e: d/dx a^u = a^u·ln a·u'."""
        invites = [EXPONENTIAL_POWER] + ([LN_FORGOTTEN] if base != sp.E else [])
        if exponent != self.x:
            invites.append(CHAIN)
        wrong = self.wrong_here(*invites)
        du = self.d(exponent)
        u = self.u
        outer = sp.exp(u) if base == sp.E else base**u
        outer_derivative = outer * sp.log(base)
        if wrong and self.mistake == CHAIN:
            self.forgot_inner(expr, outer, outer_derivative, exponent, du)
            return outer_derivative.xreplace({u: exponent})
        if wrong and self.mistake == EXPONENTIAL_POWER:
            mistaken = exponent * base ** (exponent - 1) * du
            self.record(
                expr,
                "d/dx ", expr, " was taken as ", mistaken,
                ", the power rule, which needs a constant exponent; here the exponent "
                "varies: d/du ", outer, " = ", outer_derivative,
            )  # fmt: skip
            return mistaken
        if wrong and self.mistake == LN_FORGOTTEN:
            mistaken = expr * du
            self.record(
                expr,
                "d/dx ", expr, " was taken as ", mistaken, ": d/du ", outer, " = ",
                outer_derivative, ", and the factor ", sp.log(base), " was left out",
            )  # fmt: skip
            return mistaken
        return outer_derivative.xreplace({u: exponent}) * du

    # -- named functions ---------------------------------------------------------------------

    def function(self, expr: sp.Function) -> sp.Expr:
        (arg,) = expr.args
        if type(expr) is sp.exp:
            return self.exponential(expr, sp.E, arg)
        u = self.u
        outer_derivative = _outer_derivative(type(expr), u)
        if outer_derivative is None:
            return sp.diff(expr, self.x)
        kind = type(expr)
        invites = [CHAIN] if arg != self.x else []
        invites += [mistake for mistake, f in _WRONG_OUTER if f is kind]
        if arg != self.x and kind in _NOT_SUBSTITUTED:
            invites.append(INVERSE_NOT_SUBSTITUTED)
        wrong = self.wrong_here(*invites)
        du = self.d(arg)
        # f'(u) at u = 3x is f'(3x) (a Subs): substituted, not replaced
        put = outer_derivative.subs if outer_derivative.has(sp.Derivative) else None
        at_arg = put(u, arg) if put else outer_derivative.xreplace({u: arg})
        if wrong and self.mistake == CHAIN:
            self.forgot_inner(expr, type(expr)(u), outer_derivative, arg, du)
            return at_arg
        if wrong and self.mistake == INVERSE_NOT_SUBSTITUTED:
            mistaken = outer_derivative.xreplace({u: self.x}) * du
            self.record(
                expr, "d/dx ", expr, " was taken as ", mistaken, ": d/du ", kind(u), " = ",
                outer_derivative, " needs ", u, " = ", arg, " put in, not ", self.x,
            )  # fmt: skip
            return mistaken
        if wrong and (self.mistake, kind) in _WRONG_OUTER:
            taken = _WRONG_OUTER[self.mistake, kind](u)
            mistaken = taken.xreplace({u: arg}) * du
            self.record(
                expr, "d/dx ", expr, " was taken as ", mistaken, ": d/du ", kind(u), " = ",
                outer_derivative, ", not ", taken,
            )  # fmt: skip
            return mistaken
        return at_arg * du

    def forgot_inner(self, expr, outer, outer_derivative, inner, du) -> None:
        u = self.u
        self.record(
            expr,
            "d/dx ", outer, " = ", outer_derivative, "·", u, "' with ", u, " = ", inner,
            " (in ", expr, "), and ", u, "' = ", du, " was left out",
        )  # fmt: skip


#: What a named function's outer derivative is mistaken for: (mistake, function) -> d/du.
_WRONG_OUTER: dict[tuple[str, type], Callable[[sp.Expr], sp.Expr]] = {
    (COS_SIGN, sp.cos): sp.sin,
    (TAN_SQUARE, sp.tan): sp.sec,
    (COT_CSC_SIGN, sp.cot): lambda u: sp.csc(u) ** 2,
    (COT_CSC_SIGN, sp.csc): lambda u: sp.csc(u) * sp.cot(u),
    (ABS_DROPPED, sp.asec): lambda u: 1 / (u * sp.sqrt(u**2 - 1)),
    (ABS_DROPPED, sp.acsc): lambda u: -1 / (u * sp.sqrt(u**2 - 1)),
}
_NOT_SUBSTITUTED = (sp.asin, sp.acos, sp.atan, sp.acot, sp.asec, sp.acsc)


def _outer_derivative(func: type, u: sp.Symbol) -> sp.Expr | None:
    """d/du F(u) as the engine's table states it, else SymPy's fdiff; None when unknown."""
    if func in FORMULAS:
        return FORMULAS[func][1](u)
    try:
        derivative = func(u).fdiff(1)
    except (ArgumentIndexError, NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    if isinstance(func(u), AppliedUndef):  # f'(u): the chain rule's mistakes apply to f too
        return derivative if derivative == sp.Derivative(func(u), u) else None
    if derivative.has(sp.Derivative, sp.Subs):
        return None
    return derivative


def _is_reciprocal(factor: sp.Expr) -> bool:
    return bool(factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative)
