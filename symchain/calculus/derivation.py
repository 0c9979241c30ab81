"""The public derivation object and `derive`, the library's front door.

`derive` parses (when given text), builds the step tree for each order,
verifies every step, checks the whole answer against `sympy.diff`, and
tidies the answer, checking that too.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from functools import cached_property

import sympy as sp
from sympy.core.function import AppliedUndef

from ..core.compare import Verdict, compare
from ..core.engine import Namer, build_steps
from ..core.errors import LimitError, ParseError, UsageError
from ..core.parse import MAX_DIGITS, case_hint, definition, parse, read, symbol
from ..core.prose import prime_name
from ..core.realroots import real_subs
from ..core.simplify import alternate_forms, tidy
from ..core.status import Status, combine
from ..core.steps import SYMBOLIC, Step
from ..core.verify import verify_tree
from ..results import Rendered
from .joins import Join, joins
from .kinks import Kink, kinks

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RECURSION_LIMIT = 12_000  # a chain 250 deep needs several frames per level
MAX_ORDER = 20
_INDUCTION_ENOUGH = 150  # steps: above this, a fully verified tree skips the end-to-end diff


@dataclass(frozen=True)
class Order:
    """One order of differentiation: its steps, and what was checked."""

    n: int
    expr: sp.Expr  # what this order differentiates
    steps: Step  # the verified step tree
    check: Verdict  # the derived result against sympy.diff(expr)
    result: sp.Expr  # the tidied result
    tidy_check: Verdict  # the tidied result against the derived one

    @property
    def derived(self) -> sp.Expr:
        return self.steps.result

    @property
    def verified(self) -> bool:
        return self.steps.verified and self.check.confirmed and self.tidy_check.confirmed


@dataclass(frozen=True)
class Tangent:
    """The tangent line at x = a: y = f(a) + f'(a)(x − a)."""

    a: sp.Expr
    fa: sp.Expr
    slope: sp.Expr
    line: sp.Expr  # expanded, in the variable
    exact: bool  # False when f(a) or f'(a) is only known as a decimal

    def numeric(self) -> tuple[float, float]:
        return float(self.fa.evalf(15)), float(self.slope.evalf(15))


@dataclass(frozen=True)
class Derivation(Rendered):
    """d^n/dx^n of an expression, derived step by step and checked."""

    input: str | None
    expression: sp.Expr
    variable: sp.Symbol
    orders: tuple[Order, ...]
    point: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    value: sp.Expr | None = None  # the derivative at `point`
    tangent: Tangent | None = None
    warnings: tuple[str, ...] = ()  # how the text was read where a convention decided it
    joins: tuple[Join, ...] = ()  # where the pieces of f, f′, ... meet (up to the last order)
    kinks: tuple[Kink, ...] = ()  # where |u| or sign(u) leaves the last order undefined

    @property
    def order(self) -> int:
        return len(self.orders)

    @property
    def undefined_at(self) -> tuple[sp.Expr, ...]:
        """The joins where the derivative of the last order does not exist: f (or a lower
        derivative) is not continuous there, or its slopes from the two sides differ."""
        lost = {j.at for j in self.joins if not j.differentiable} | {k.at for k in self.kinks}
        return tuple(sorted(lost, key=float))

    @property
    def steps(self) -> Step:
        """The step tree of the first order."""
        return self.orders[0].steps

    @property
    def result(self) -> sp.Expr:
        return self.orders[-1].result

    @property
    def derived(self) -> sp.Expr:
        """The last order's answer as the steps derived it, before simplification."""
        return self.orders[-1].derived

    @property
    def verified(self) -> bool:
        return all(o.verified for o in self.orders)

    @property
    def complete(self) -> bool:
        return all(o.steps.complete for o in self.orders)

    @cached_property
    def alternates(self) -> tuple[tuple[str, sp.Expr], ...]:
        """Other forms of the answer (factored, expanded), each shown equal to it: worked
        out when first asked for, so the derivations a command makes and never shows (a
        Hessian's entries, the terms of a log derivative) do not pay for them."""
        last = self.orders[-1]
        return alternate_forms(last.result, (last.derived,))

    @property
    def status(self) -> Status:
        """verified, failed (a step or an answer differs from SymPy) or unconfirmed."""
        steps = (s.verdict for o in self.orders for s in o.steps.walk())
        checks = (c.status for o in self.orders for c in (o.check, o.tidy_check))
        return combine((*steps, *checks))


def derive(
    formula: str | sp.Expr,
    wrt: str | sp.Symbol | None = None,
    order: int = 1,
    at: dict | str | None = None,
    tangent: bool = False,
    log10: bool = False,
) -> Derivation:
    """One formula's derivation, every step checked: the work behind `symchain.derive`
    (symchain/calculus/entry.py), whose docstring is the reference."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    text = formula if isinstance(formula, str) else None
    defined = definition(text) if text is not None else None
    if defined is not None:  # f(x) = e^(2x): the right side, by x
        by = wrt.name if isinstance(wrt, sp.Symbol) else wrt
        if by == defined.name:
            raise UsageError(f"{by} is what {defined.left} = … defines: "
                             "differentiate by a variable of its right side")  # fmt: skip
        formula = defined.formula
        wrt = wrt if wrt is not None else defined.argument
    named = {wrt} if isinstance(wrt, str) else {wrt.name} if isinstance(wrt, sp.Symbol) else set()
    try:
        reading = read(formula, log10=log10, variables=named) if isinstance(formula, str) else None
    except ParseError as err:
        if defined is None or text is None or err.position is None:
            raise
        at = defined.column + err.position  # the column in what was typed
        raise ParseError(f"right side: {err.message}", text=text, position=at) from None
    if reading is not None and defined is not None:
        reading = replace(reading, notes=(defined.note, *reading.notes))
    expr = reading.expr if reading is not None else _checked_expr(formula)
    var = choose_variable(expr, wrt)
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= MAX_ORDER:
        raise UsageError(f"the order must be a whole number from 1 to {MAX_ORDER}")
    namer = Namer({s.name for s in expr.free_symbols} | {var.name})
    orders: list[Order] = []
    current = expr
    for n in range(1, order + 1):
        steps = verify_tree(build_steps(current, var, namer))
        check = _whole_answer_check(steps, current, var)
        result = tidy(steps.result, var)
        tidy_check = compare(result, steps.result)
        if not tidy_check.confirmed:
            result, tidy_check = steps.result, Verdict(check.status)
        orders.append(Order(n, current, steps, check, result, tidy_check))
        current = result
    meets = _joins(orders, var)
    breaks = () if meets else kinks([o.expr for o in orders] + [orders[-1].result], var)
    point = parse_point(at, expr) if at else ()
    if point:
        _refuse_lost_join(meets, dict(point).get(var), order)
        _refuse_kink(breaks, dict(point).get(var), order)
    value = _value_at(expr, orders[-1].result, var, point) if point else None
    line = _tangent(expr, var, point, value, order) if tangent else None
    warnings = reading.notes if reading is not None else ()
    return Derivation(text, expr, var, tuple(orders), point, value, line, warnings, meets, breaks)


def _joins(orders: list[Order], var: sp.Symbol) -> tuple[Join, ...]:
    """The joins of f, then of f′, ...: the n-th derivative exists at a join when each
    lower one is differentiable there, so a join already lost at a lower order is not
    looked at again."""
    found: list[Join] = []
    lost: set[sp.Expr] = set()
    for o in orders:
        for j in joins(o.expr, var, o.n - 1):
            if j.at not in lost:
                found.append(j)
                if not j.differentiable:
                    lost.add(j.at)
    return tuple(found)


def _refuse_lost_join(meets: tuple[Join, ...], a: sp.Expr | None, order: int) -> None:
    """At a join where the derivative does not exist, say why, from the exact limits."""
    for j in meets:
        if a is None or j.differentiable or sp.simplify(j.at - a) != 0:
            continue
        f, wanted = prime_name(j.order), prime_name(order)
        if not j.continuous:
            sides: tuple[str | sp.Basic, ...] = (
                "it tends to ", j.left_value, " from the left and ", j.right_value,
                " from the right",
            )  # fmt: skip
            if j.value is None:
                sides += (f", and {f}(", j.at, ") is not defined")
            elif not j.right_value.equals(j.value) or not j.left_value.equals(j.value):
                sides += (f", and {f}(", j.at, ") = ", j.value)
            raise UsageError(
                (f"{wanted}(", j.at, f") does not exist: {f} is not continuous there (", *sides,
                 ")")
            )  # fmt: skip
        left = "∞" if j.left_slope is None else j.left_slope
        right = "∞" if j.right_slope is None else j.right_slope
        raise UsageError(
            (f"{wanted}(", j.at, f") does not exist: the slopes of {f} from the two sides differ "
             "there (", left, " from the left, ", right, " from the right)")
        )  # fmt: skip


def _refuse_kink(breaks: tuple[Kink, ...], a: sp.Expr | None, order: int) -> None:
    """At a root of |u| or sign(u) where the derivative does not exist, say why."""
    for k in breaks:
        if a is None or sp.simplify(k.at - a) != 0:
            continue
        f, wanted = prime_name(k.order), prime_name(order)
        left, right = (_rounded(v) for v in (k.left, k.right))
        if k.jumps:
            raise UsageError(
                (f"{wanted}(", k.at, f") does not exist: {f} jumps there (≈ ", left,
                 " just left of it, ≈ ", right, " just right)")
            )  # fmt: skip
        raise UsageError(
            (f"{wanted}(", k.at, f") does not exist: the slopes of {f} from the two sides "
             "differ there (≈ ", left, " from the left, ≈ ", right, " from the right)")
        )  # fmt: skip


def _rounded(v: float) -> sp.Expr:
    """A one-sided value as people read it: −2, not −2.000000000002; else 6 digits."""
    if abs(v - round(v)) < 1e-6 * max(1.0, abs(v)):
        return sp.Integer(round(v))
    return sp.Float(f"{v:.6g}", 6)


def _tangent(expr, var, point, slope, order: int) -> Tangent:
    """y = f(a) + f'(a)(x − a), at a point that fixes every variable."""
    if order != 1:
        raise UsageError("`tangent` is for the first derivative (`order` 1)")
    at = dict(point)
    if var not in at:
        raise UsageError(f"`tangent` needs the point's {var}: add `at` {var}=a")
    missing = sorted(s.name for s in expr.free_symbols if s not in at)
    if missing:
        raise UsageError(
            f"`tangent` needs a value for every variable: also give {', '.join(missing)}"
        )
    a = at[var]
    fa = real_subs(expr, at)
    if sp.count_ops(fa) <= 40:
        fa = sp.simplify(fa)
    exact = not (fa.has(sp.Float) or slope.has(sp.Float))
    line = sp.expand(fa + slope * (var - a))
    return Tangent(a, fa, slope, line, exact)


def _whole_answer_check(steps: Step, expr: sp.Expr, var: sp.Symbol) -> Verdict:
    """The derived answer against sympy.diff(expr), end to end.

    When every step of a big tree is already verified, the answer is proved
    by induction over the steps, and differentiating afresh would only double
    the time (4 of 8 s for a chain 200 deep): the check is then skipped.
    """
    if steps.verified and sum(1 for _ in steps.walk()) > _INDUCTION_ENOUGH:
        return Verdict(SYMBOLIC)
    return compare(steps.result, sp.diff(expr, var))


def _checked_expr(expr: object) -> sp.Expr:
    if not isinstance(expr, sp.Expr):
        raise UsageError("give a formula as text or a SymPy expression")
    for number in expr.atoms(sp.Rational):  # as the parser allows: at most MAX_DIGITS digits
        size = max(abs(number.p), abs(number.q))
        if size.bit_length() > 3.33 * MAX_DIGITS or (
            size.bit_length() > 3.3 * MAX_DIGITS and len(str(size)) > MAX_DIGITS
        ):
            raise LimitError(f"the expression has a number of more than {MAX_DIGITS} digits")
    names = [s.name for s in expr.free_symbols]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(
            f"the expression has two different symbols named {twice[0]} "
            "(different assumptions); use one"
        )
    return expr


def check_name(name: str, what: str = "variable") -> str:
    """A user-typed name must be a plain identifier that a formula reads as that variable
    (not a keyword such as True, nor a name SymPy or symchain reserves such as sin or pi)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"{what} {name!r} is not a plain name like x or t1")
    try:
        read = parse(name)
    except ParseError as err:
        raise UsageError(f"{what} {name!r}: {err.message}") from None
    if not isinstance(read, sp.Symbol) or read.name != name:
        raise UsageError(f"{what} {name!r} is a reserved name in formulas; choose another")
    return name


def choose_variable(expr: sp.Expr, wrt: str | sp.Symbol | None) -> sp.Symbol:
    """The variable to differentiate by: the one given, or the only one there is."""
    if wrt is not None:
        # A SymPy Symbol counts by its name: the parser's x is real, so `Symbol("x")`
        # is another symbol, and differentiating by it would give 0.
        name = wrt.name if isinstance(wrt, sp.Symbol) else check_name(wrt)
        for s in expr.free_symbols:
            if s.name == name:
                return s
        # X for x is a typo, and answering 0 would hide it; a formula without the variable
        # otherwise (c, a·t² + b, or x/x + y, where it cancels) has the derivative 0
        known = sorted(s.name for s in expr.free_symbols)
        hint = case_hint([name], known)
        if hint:
            raise UsageError(f"{name} is not in the formula (variables: {', '.join(known)}){hint}")
        return wrt if isinstance(wrt, sp.Symbol) else symbol(name)
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if len(free) == 1:
        return free[0]
    if not free:
        return symbol("x")
    names = ", ".join(s.name for s in free)
    raise UsageError(f"the formula has several variables ({names}): choose one with `wrt`")


def parse_point(at: dict | str | list, expr: sp.Expr) -> tuple[tuple[sp.Symbol, sp.Expr], ...]:
    """`x=2` (or several, comma-separated, or a dict) into (symbol, value) pairs."""
    if isinstance(at, dict):
        items = list(at.items())
    else:
        if not isinstance(at, str | list | tuple):
            raise UsageError(f"`at` wants name=value text or a dict, not {type(at).__name__}")
        texts = [at] if isinstance(at, str) else list(at)
        items = []
        for text in texts:
            if not isinstance(text, str):
                raise UsageError(f"`at` wants name=value, like x=2, not {text!r}")
            for piece in _split_top_level(text):
                if "=" not in piece:
                    raise UsageError(f"`at` wants name=value, like x=2, not {piece!r}")
                name, value = piece.split("=", 1)
                if not value.strip():  # x=: the formula's parser would say "empty formula"
                    raise UsageError(f"`at` gives {name.strip() or 'a name'} no value: "
                                     "write it like x=2")  # fmt: skip
                items.append((name.strip(), value.strip()))
    pairs = []
    symbols = {s.name: s for s in expr.free_symbols}
    for name, value in items:
        name = check_name(str(name), "`at` name")
        number = _number(value)
        if number.free_symbols:
            raise UsageError(f"the value for {name} must be a number, not {value!r}")
        if number.is_real is False:  # sqrt(-1): the variables are real
            raise UsageError(f"the value for {name} must be a real number, not {value}")
        if any(name == s.name for s, _ in pairs):
            raise UsageError(f"`at` gives {name} twice")
        if name not in symbols:
            known = ", ".join(sorted(symbols)) or "none"
            raise UsageError(f"`at` names {name}, which is not in the formula (variables: {known})")
        pairs.append((symbols[name], number))
    return tuple(pairs)


def _number(value: object) -> sp.Expr:
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, bool):
        raise UsageError("a point's value must be a number")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Float(value)
    if isinstance(value, sp.Expr):
        return value
    raise UsageError(f"a point's value must be a number, not {type(value).__name__}")


def _split_top_level(text: str) -> list[str]:
    """Split 'x=1, y=log(2, 3)' at the commas outside parentheses."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [p for p in (piece.strip() for piece in pieces) if p]


_KINKS = (sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise, sp.Max, sp.Min, sp.floor, sp.ceiling)


def _value_at(
    expr: sp.Expr, result: sp.Expr, var: sp.Symbol, point: tuple[tuple[sp.Symbol, sp.Expr], ...]
) -> sp.Expr:
    """The derivative at `point` (see _checked_value), or a LimitError when its numbers are
    beyond SymPy (Γ(10^9999) recurses): the formula is not what is too deep."""
    try:
        return _checked_value(expr, result, var, point)
    except (RecursionError, OverflowError):
        where = ", ".join(f"{s}={v if len(str(v)) <= 30 else sp.N(v, 3)}" for s, v in point)
        raise LimitError(
            f"the value at {where} could not be computed: its numbers are too large"
        ) from None


def _checked_value(
    expr: sp.Expr, result: sp.Expr, var: sp.Symbol, point: tuple[tuple[sp.Symbol, sp.Expr], ...]
) -> sp.Expr:
    """The derivative at `point`, or a UsageError when the point is outside the domain.

    The function itself must be finite and real there (ln x at x = -1 is
    refused even though 1/x is -1), the derivative too, and where the
    derivative has a kink-making function (|u|, sign, ...) its one-sided
    values must agree: |x| at 0 has no derivative, though sign(0) = 0.
    """
    at = dict(point)
    where = ", ".join(f"{s}={v}" for s, v in point)
    if _undefined(real_subs(expr, at)):
        raise UsageError(f"the function is undefined at {where}: outside its domain")
    value = real_subs(result, at)
    if _undefined(value) or value.has(sp.DiracDelta):
        raise UsageError(f"the derivative is undefined at {where}")
    if not value.free_symbols and value.is_real is False:
        raise UsageError(f"the derivative is not real at {where}: outside the domain")
    if var in at and result.has(*_KINKS):
        _one_sided(result, var, at, where)
    if value.has(sp.Derivative, sp.Subs, AppliedUndef):
        return value  # f'(1) stays f'(1); evaluating it would only recurse
    if sp.count_ops(value) <= 40:
        value = sp.simplify(value)
    return value


def _undefined(value: sp.Expr) -> bool:
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return True
    if value.free_symbols or value.has(AppliedUndef, sp.Derivative, sp.Subs):
        return False
    number = value.evalf(30)
    return not number.is_finite or number.is_real is False


def _one_sided(result: sp.Expr, var: sp.Symbol, at: dict, where: str) -> None:
    """A derivative that jumps at the point (|x| at 0) has no value there."""
    a = at[var]
    scale = max(1.0, abs(float(sp.N(a, 30))))
    h = sp.Rational(1, 10**12) * sp.Rational(scale)
    sides = []
    for side in (a - h, a + h):
        v = real_subs(result, {**at, var: side}).evalf(30)
        if v.free_symbols or not v.is_number:
            return
        sides.append(complex(v))
    left, right = (0j if abs(v) < 1e-9 * scale else v for v in sides)  # 2x at ±h: 0, not 2e-12
    if abs(left - right) > 1e-6 * max(1.0, abs(left), abs(right)):
        raise UsageError(
            f"the function has no derivative at {where}: the slope is ≈ {left.real:.6g} "
            f"just left of it and ≈ {right.real:.6g} just right"
        )
