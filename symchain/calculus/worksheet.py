"""Worksheets of differentiation exercises, generated with the step engine.

`worksheet(count, seed, topics, level)` draws exercises from small random
building blocks (a polynomial, a named function, a chain, a product, a
quotient), derives each with `derive`, and keeps it only when the step tree
shows the rules its topic is about, its level matches the number of
combining steps (chain, product, quotient) it took, every step is verified,
and the answer is short enough to read.  Otherwise it draws again.

Because the rules an exercise needs are read from its step tree, not from
the template that made it, a SymPy auto-simplification that changes the
exercise (``(x**2)**3`` is ``x**6``, ``exp(log(x))`` is ``x``) can never put
a mislabelled exercise on a sheet.

Everything random comes from one ``random.Random(seed)``, and only lists and
tuples are iterated, so the same seed and options give the same sheet in any
process, whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sympy as sp

from ..core import engine
from ..core.errors import LimitError, UsageError
from ..core.formulas import EXPONENTIAL, INVERSE_TRIG, LOGARITHM, TRIG
from ..core.parse import symbol
from ..results import Rendered
from .derivation import Derivation, derive

X = symbol("x")  # the parser's x (real), so that a pasted exercise reads back the same

#: Each topic and the engine rules of which its exercises must use at least one.
TOPIC_RULES: dict[str, tuple[str, ...]] = {
    "chain": (engine.CHAIN,),
    "product": (engine.PRODUCT,),
    "quotient": (engine.QUOTIENT,),
    "power": (engine.POWER, engine.ROOT),
    "trig": (TRIG,),
    "exp-log": (EXPONENTIAL, LOGARITHM, engine.LOG_BASE),
    "inverse-trig": (INVERSE_TRIG,),
}
TOPICS: tuple[str, ...] = tuple(TOPIC_RULES)
DEFAULT_TOPICS: tuple[str, ...] = TOPICS
LEVELS: tuple[int, ...] = (1, 2, 3)
MAX_COUNT = 100

#: Rules that combine derivatives of parts: their number is an exercise's level.
COMBINING = (engine.CHAIN, engine.PRODUCT, engine.QUOTIENT, engine.GENERAL_POWER)
#: Combining steps allowed at each level (level 1 may be a bare sum of powers).
_LEVEL_STEPS = {1: (0, 1), 2: (2, 2), 3: (3, 4)}
#: Longest answer, in characters of SymPy's text, at each level: a student copies it.
_ANSWER_CHARS = {1: 45, 2: 70, 3: 95}
_EXPRESSION_CHARS = 45
_ATTEMPTS = 300  # draws per exercise before giving up
_TRIVIAL_RULES = (engine.CONSTANT, engine.VARIABLE)

Outer = Callable[[sp.Expr], sp.Expr]


# -- the public objects --------------------------------------------------------


@dataclass(frozen=True)
class Exercise(Rendered):
    """One exercise: d/dx of `expression`, with its derivation and tidied answer."""

    number: int
    expression: sp.Expr
    topic: str
    level: int
    rules: tuple[str, ...]  # engine rule names used, in the order the steps use them
    derivation: Derivation
    answer: sp.Expr

    @property
    def verified(self) -> bool:
        return self.derivation.verified


@dataclass(frozen=True)
class Worksheet(Rendered):
    """A numbered list of exercises and how it was drawn (enough to draw it again)."""

    exercises: tuple[Exercise, ...]
    seed: int
    topics: tuple[str, ...]
    level: tuple[int, int]

    @property
    def count(self) -> int:
        return len(self.exercises)

    @property
    def verified(self) -> bool:
        return all(e.verified for e in self.exercises)

    @property
    def command(self) -> str:
        """The command line that draws this sheet again."""
        low, high = self.level
        levels = str(low) if low == high else f"{low}..{high}"
        return (
            f"symchain worksheet --count {self.count} --seed {self.seed} "
            f"--topics {','.join(self.topics)} --level {levels}"
        )

    def plain(self, solutions: bool = True, detail: str = "normal") -> str:
        return self.render("plain", detail, solutions=solutions)

    def markdown(self, solutions: bool = True, detail: str = "normal") -> str:
        return self.render("markdown", detail, solutions=solutions)

    def latex(self, solutions: bool = True, detail: str = "normal") -> str:
        """A complete document for pdflatex (article class)."""
        return self.render("latex", detail, solutions=solutions)


# -- options -----------------------------------------------------------------------


def parse_topics(topics: str | Iterable[str] | None) -> tuple[str, ...]:
    """Topic names from a comma list or a sequence; unknown names are a UsageError."""
    if topics is None:
        return DEFAULT_TOPICS
    names = topics.split(",") if isinstance(topics, str) else list(topics)
    chosen: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise UsageError(f"a topic is a name, not {type(name).__name__}")
        name = name.strip().lower()
        if not name:
            continue
        if name not in TOPIC_RULES:
            raise UsageError(f"unknown topic {name!r}: choose from {', '.join(TOPICS)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise UsageError(f"give at least one topic: {', '.join(TOPICS)}")
    return tuple(chosen)


_LEVEL_TEXT = re.compile(r"\s*(\d+)\s*(?:(?:\.\.|-)\s*(\d+)\s*)?\Z")


def parse_level(level: str | int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """A level range: 2, "2", "1..3", "1-3" or (1, 3); within 1..3 and low <= high."""
    if isinstance(level, bool):
        raise UsageError("the level is a number from 1 to 3 or a range like 1..3")
    if isinstance(level, int):
        low = high = level
    elif isinstance(level, str):
        match = _LEVEL_TEXT.match(level)
        if not match:
            raise UsageError(f"level {level!r}: give a number from 1 to 3 or a range like 1..3")
        low = int(match.group(1))
        high = int(match.group(2) or low)
    elif isinstance(level, (tuple, list)) and len(level) == 2:
        low, high = level
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            raise UsageError("a level range is two whole numbers, like (1, 3)")
    else:
        raise UsageError("the level is a number from 1 to 3 or a range like 1..3")
    if not (LEVELS[0] <= low <= LEVELS[-1] and LEVELS[0] <= high <= LEVELS[-1]):
        raise UsageError(f"levels go from 1 to 3, not {low}..{high}")
    if low > high:
        raise UsageError(f"level range {low}..{high} is backwards: write {high}..{low}")
    return low, high


def _check_count(count: int) -> int:
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise UsageError(f"the count must be a whole number from 1 to {MAX_COUNT}")
    return count


def _check_seed(seed: int) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise UsageError("the seed must be a whole number")
    return seed


# -- the worksheet -------------------------------------------------------------------


def worksheet(
    count: int = 10,
    seed: int = 0,
    topics: str | Iterable[str] | None = DEFAULT_TOPICS,
    level: str | int | tuple[int, int] = (1, 3),
    progress: Callable[[int], None] | None = None,
) -> Worksheet:
    """`count` exercises on `topics`, easiest first, the same for the same arguments.

    Topics take turns (round-robin, in the order given); levels rise through
    the sheet from the lowest to the highest of `level`, as a teacher orders
    a sheet.  Every answer comes from the step engine and is verified.

    Parameters
    ----------
    count : int, default 10
        How many exercises (1 to 200).
    seed : int, default 0
        The same seed gives the same sheet, on any machine.
    topics : str or iterable of str
        A comma list or names: chain, product, quotient, power, trig, exp-log,
        inverse-trig.
    level : int, str or (int, int), default (1, 3)
        A level from 1 to 3, or a range ``"1..2"``.
    progress : callable, optional
        Called with the number of exercises made so far, after each one.
    timeout, memory : float, optional
        Seconds and GiB allowed, as on the command line.

    Returns
    -------
    Worksheet
        ``.exercises`` (each with ``.expression``, ``.answer``, ``.derivation``),
        ``.verified``, ``.markdown()``, ``.latex()``, ``.plain()``, ``.to_dict()``.

    Examples
    --------
    >>> ws = worksheet(count=2, seed=1, topics="chain", level=1)
    >>> [e.number for e in ws.exercises], ws.verified
    ([1, 2], True)
    """
    count, seed = _check_count(count), _check_seed(seed)
    chosen, (low, high) = parse_topics(topics), parse_level(level)
    rng = random.Random(seed)
    exercises: list[Exercise] = []
    seen: set[str] = set()
    for index in range(count):
        topic = chosen[index % len(chosen)]
        lvl = low + index * (high - low + 1) // count
        exercises.append(_exercise(rng, index + 1, topic, lvl, seen))
        if progress is not None:
            progress(index + 1)
    return Worksheet(tuple(exercises), seed, chosen, (low, high))


def _exercise(rng: random.Random, number: int, topic: str, level: int, seen: set[str]) -> Exercise:
    """Draw until an exercise passes every check; `seen` keeps the sheet free of repeats."""
    for _ in range(_ATTEMPTS):
        expr = draw(rng, topic, level)
        key = sp.srepr(expr)
        if key in seen or not (_readable(expr, _EXPRESSION_CHARS) and _natural(expr)):
            continue
        derivation = derive(expr, wrt=X)
        if not _acceptable(derivation, topic, level):
            continue
        seen.add(key)
        rules = rules_of(derivation)
        return Exercise(number, expr, topic, level, rules, derivation, answer_of(derivation))
    raise LimitError(
        f"could not draw exercise {number} ({topic}, level {level}) in {_ATTEMPTS} tries: "
        "ask for fewer exercises or more topics"
    )


def answer_of(derivation: Derivation) -> sp.Expr:
    """The engine's derived answer, or its tidied one when that is clearly shorter.

    The derived form keeps the exercise's own inner functions (sec(x**2 + 5*x),
    not sec(x*(x + 5))) and a sum of powers term by term, as a student writes
    them; tidying pays when it collapses a long product-rule sum.  Both forms
    are the engine's and both are checked (the derived one against
    sympy.diff, the tidied one against the derived one).
    """
    tidied, derived = derivation.result, derivation.orders[0].derived
    return tidied if len(sp.sstr(tidied)) < 0.9 * len(sp.sstr(derived)) else derived


def rules_of(derivation: Derivation) -> tuple[str, ...]:
    """The engine rules the first order's steps use, each once, constants and x itself left out."""
    rules: list[str] = []
    for step in derivation.steps.walk():
        if step.rule not in _TRIVIAL_RULES and step.rule not in rules:
            rules.append(step.rule)
    return tuple(rules)


def combining_steps(derivation: Derivation) -> int:
    """How many chain, product and quotient steps the derivation took: its level's measure."""
    return sum(1 for step in derivation.steps.walk() if step.rule in COMBINING)


def _acceptable(derivation: Derivation, topic: str, level: int) -> bool:
    """Verified, by named rules only, on topic, at its level, and with a readable answer."""
    if not (derivation.verified and derivation.complete):
        return False
    if not set(TOPIC_RULES[topic]) & set(rules_of(derivation)):
        return False
    if topic in _STRUCTURAL and _top_rule(derivation) != TOPIC_RULES[topic][0]:
        return False  # a product sheet's exercise is a product, not a quotient holding one
    fewest, most = _LEVEL_STEPS[level]
    if not fewest <= combining_steps(derivation) <= most:
        return False
    answer = answer_of(derivation)
    if answer.is_number or _cancels(derivation.expression):
        return False  # (x² + 3x)/x is x + 3 in disguise, and its answer a constant
    return _readable(answer, _ANSWER_CHARS[level])


def _cancels(expr: sp.Expr) -> bool:
    """A quotient whose numerator and denominator share a factor: a poor exercise."""
    numerator, denominator = sp.fraction(expr)
    if not denominator.has(*expr.free_symbols):
        return False
    return sp.gcd(numerator, denominator).has(*expr.free_symbols)


def _top_rule(derivation: Derivation) -> str:
    """The rule of the first step that is more than pulling out a constant."""
    step = derivation.steps
    while step.rule == engine.CONSTANT_MULTIPLE and step.substeps:
        step = step.substeps[0]
    return step.rule


def _readable(expr: sp.Expr, limit: int) -> bool:
    return len(sp.sstr(expr)) <= limit and not expr.has(sp.Abs, sp.sign, sp.Piecewise)


# -- drawing expressions -----------------------------------------------------------
#
# A draw aims at its level by the number of combining steps it builds in;
# `derive` then counts what the engine really did, and `_acceptable` judges.
# `_natural` first throws out what no teacher would set: sec(cos(x)),
# atan((1 - 2x²)(4x² - 2)), exp(x² log x), sin(1/(x + 1)).

_FAMILIES: dict[str, tuple[Outer, ...]] = {
    "trig": (sp.sin, sp.cos, sp.tan, sp.sec),
    "exp-log": (sp.exp, sp.log),
    "inverse-trig": (sp.atan, sp.asin, sp.acos),
    "power": (
        lambda u: u**2,
        lambda u: u**3,
        lambda u: u**4,
        sp.sqrt,
        lambda u: u ** sp.Rational(3, 2),
        lambda u: 1 / u,
    ),
}
_ALL_OUTER: tuple[Outer, ...] = (
    _FAMILIES["trig"] + _FAMILIES["exp-log"] + (sp.atan,) + _FAMILIES["power"]
)
_STRUCTURAL = ("chain", "product", "quotient")
#: Outer functions that need a positive (log, roots) or bounded (asin, acos) inside.
_POSITIVE = (sp.log, sp.sqrt)
_BOUNDED = (sp.asin, sp.acos)
_ANGLES = (sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot, sp.asin, sp.acos, sp.atan)
_MAX_CHAIN_DEPTH = 2  # F(G(inner)) at most: F(G(H(K(x)))) is drill, not calculus


def draw(rng: random.Random, topic: str, level: int) -> sp.Expr:
    """One candidate for `topic` at `level`; it may still be rejected after deriving."""
    if topic == "power" and level == 1 and rng.random() < 0.5:
        return _power_sum(rng)
    budget = level if level < 3 else rng.choice((3, 3, 4))
    favour = _FAMILIES.get(topic, _ALL_OUTER)
    top = topic if topic in _STRUCTURAL else rng.choice(("chain", "chain", "product", "quotient"))
    return _node(rng, top, budget, favour, 0)


def _build(rng: random.Random, budget: int, favour: tuple[Outer, ...], depth: int) -> sp.Expr:
    """An expression of x taking about `budget` combining steps to derive."""
    if budget <= 0:
        return _leaf(rng, favour)
    tops = ("product", "quotient") + (("chain",) * 3 if depth < _MAX_CHAIN_DEPTH else ())
    return _node(rng, rng.choice(tops), budget, favour, depth)


def _node(
    rng: random.Random, top: str, budget: int, favour: tuple[Outer, ...], depth: int
) -> sp.Expr:
    """`top` (chain, product or quotient) over parts sharing the rest of the budget.

    The favoured functions (the topic's family) go to the first part; the
    other part draws from every family, so that a trig sheet is not all
    sec(cos(x)).
    """
    rest = max(budget - 1, 0)
    if top == "chain":
        outer = rng.choice(favour)
        return outer(_inside(rng, outer, rest, depth + 1))
    if top == "product":
        split = rng.randint(0, rest)
        return _build(rng, split, favour, depth) * _build(rng, rest - split, _ALL_OUTER, depth)
    den_budget = 1 if rest >= 1 and rng.random() < 0.3 else 0
    return _build(rng, rest - den_budget, favour, depth) / _denominator(rng, den_budget)


def _inside(rng: random.Random, outer: Outer, budget: int, depth: int) -> sp.Expr:
    """The inner function of a chain: never x itself, and inside the outer's domain."""
    if outer in _BOUNDED:
        if budget <= 0:
            return rng.choice((_scaled_x(rng), X**2, sp.sqrt(X), X / rng.randint(2, 5)))
        return rng.choice((sp.sqrt(1 - X**2), sp.sqrt(1 - X), sp.exp(-(X**2)), X * sp.exp(-X)))
    if budget <= 0:
        return _positive_poly(rng) if outer in _POSITIVE else _inner_leaf(rng)
    return _build(rng, budget, _ALL_OUTER, depth)


def _leaf(rng: random.Random, favour: tuple[Outer, ...]) -> sp.Expr:
    """A part with no combining step: a polynomial, a power of x, or F(x)."""
    kind = rng.random()
    if kind < 0.4:
        return _poly(rng)
    if kind < 0.55 or favour is _FAMILIES["power"]:
        return rng.choice((1, 1, 2, 3)) * X ** rng.randint(2, 4)
    return rng.choice(tuple(f for f in favour if f(X).func is not sp.Pow) or (sp.sin,))(X)


def _inner_leaf(rng: random.Random) -> sp.Expr:
    """The inside of a one-step chain: a polynomial, a multiple or a power of x, or F(x)."""
    return rng.choice((_poly(rng), _poly(rng), _scaled_x(rng), X ** rng.randint(2, 3), _fx(rng)))


def _fx(rng: random.Random) -> sp.Expr:
    return rng.choice((sp.sin, sp.cos, sp.tan, sp.exp, sp.log, sp.sqrt))(X)


def _poly(rng: random.Random) -> sp.Expr:
    a = rng.randint(1, 5)  # a positive leading coefficient: x - 3, never -x - 3 printed as -(x + 3)
    b = rng.choice((1, 2, 3, 4, 5, 7, -1, -2, -3, -5))
    return rng.choice((a * X + b, a * X**2 + b, X**2 + a * X, X**3 + b))


def _positive_poly(rng: random.Random) -> sp.Expr:
    a = rng.randint(1, 5)
    b = rng.randint(1, 9)
    return rng.choice((a * X + b, X**2 + b, a * X**2 + b, X**2 + a * X + b + a * a))


def _scaled_x(rng: random.Random) -> sp.Expr:
    return rng.choice((2, 3, 4, 5, -2, -3)) * X


def _denominator(rng: random.Random, budget: int) -> sp.Expr:
    """A denominator SymPy keeps below the line (exp(x) it would not: 1/exp(x) is exp(-x))."""
    if budget >= 1:
        return rng.choice((sp.sqrt(_positive_poly(rng)), sp.cos(_scaled_x(rng)), _poly(rng) ** 2))
    a = rng.randint(1, 9)
    return rng.choice((X + a, X - a, X**2 + a, X, X**2, sp.log(X), sp.cos(X), 1 + sp.sin(X)))


def _power_sum(rng: random.Random) -> sp.Expr:
    """A sum of two or three powers of x: the power rule term by term."""
    powers = (
        X ** rng.randint(2, 7),
        1 / X ** rng.randint(1, 3),
        sp.sqrt(X),
        X ** sp.Rational(rng.choice((2, 4, 5)), 3),
        X ** sp.Rational(rng.choice((3, 5)), 2),
    )
    terms = rng.sample(powers, rng.randint(2, 3))
    return sp.Add(*(rng.choice((1, 2, 3, 4, 5, -1, -2, -3)) * t for t in terms))


def _natural(expr: sp.Expr) -> bool:
    """False for a composition no textbook would print, however correct its derivative."""
    for node in sp.preorder_traversal(expr):
        if node.is_Rational and (abs(node.p) > 24 or node.q > 6):
            return False  # 125*x**3, from (5x)³
        if isinstance(node, sp.Function):
            if not _natural_inside(node, node.args[0]):
                return False
        elif node.is_Pow and not node.base.has(X):
            return False  # sqrt(3)*x**2, from sqrt(3x⁴)
        elif node.is_Pow:
            if abs(node.exp) > 6 or node.base.is_Pow:
                return False  # (cos(x)**(3/2))**(3/2), log(x)**16
            if not node.exp.is_integer and node.base.could_extract_minus_sign():
                return False  # sqrt(-tan(3x))
            if node.exp.is_negative and isinstance(node.base, (sp.sec, sp.csc, sp.cot)):
                return False  # 1/sec(x) is cos(x)
            if not _simple_inside(node.base, quotient_ok=True):
                return False  # ((x + 1)(x - 2))³: expand it first
        elif node.is_Mul and _reciprocals(node) > 1:
            return False  # x³/(log(x) cos(4x)): one thing below the line
    return True


def _natural_inside(func: sp.Function, inside: sp.Expr) -> bool:
    """No function of its own kind inside (sec(cos(x)), log(log(x)**3)), and a simple inside."""
    if isinstance(func, _ANGLES) and inside.has(*_ANGLES):
        return False
    if isinstance(func, sp.log) and inside.could_extract_minus_sign():
        return False  # log(-x - 3)
    if isinstance(func, (sp.exp, sp.log)) and inside.has(sp.log):
        return False  # exp(x² log x) is x^(x²) in disguise; log(log(x)³) is 3 log(log(x))
    return _simple_inside(inside, quotient_ok=False)


def _simple_inside(inside: sp.Expr, quotient_ok: bool) -> bool:
    """What goes inside a function or under a power: a polynomial, or a monomial times
    one function (x·e^(-x)), or, under a root, a ratio of polynomials."""
    if quotient_ok and inside.is_rational_function(X) and not inside.is_polynomial(X):
        numerator, denominator = sp.fraction(sp.together(inside))
        return _simple_inside(numerator, False) and _simple_inside(denominator, False)
    for term in sp.Add.make_args(inside):
        factors = [f for f in sp.Mul.make_args(term) if f.has(X)]
        if any(f.is_Pow and f.exp.is_negative for f in factors):
            return False  # sin(1/(x + 1))
        transcendental = [f for f in factors if not f.is_polynomial(X)]
        polynomial = [f for f in factors if f.is_polynomial(X)]
        if len(transcendental) > 1 or len(polynomial) > 1:
            return False  # exp(sin(x)³ atan(x)³), atan((1 - 2x²)(4x² - 2))
        if polynomial and transcendental and polynomial[0].is_Add:
            return False  # sec(x²(x³ + 5)) yes, sec((x³ + 5) cos x) no
    return True


def _reciprocals(product: sp.Expr) -> int:
    return sum(1 for f in product.args if f.is_Pow and f.exp.is_negative and f.base.has(X))


__all__ = [
    "DEFAULT_TOPICS",
    "Exercise",
    "LEVELS",
    "TOPICS",
    "TOPIC_RULES",
    "Worksheet",
    "parse_level",
    "parse_topics",
    "worksheet",
]
