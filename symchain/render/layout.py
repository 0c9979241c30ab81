"""Lay a verified derivation out as lines, once, for every text format.

A line is a depth and a sequence of parts (words, expressions, d/dx, =);
each format only decides how a part looks.  Folding happens here: at the
default detail, trivial steps (a constant, d/dx x = 1, a constant factor)
get no line of their own but appear in the line that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from ..core import engine
from ..core.prose import Prose
from ..core.steps import FALLBACK, Step

if TYPE_CHECKING:
    from ..calculus.derivation import Derivation


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Math:
    expr: sp.Expr
    factor: bool = False  # a factor beside "·": parenthesized when it is a sum or negative


@dataclass(frozen=True, slots=True)
class Deriv:
    """d/d(var) applied to expr (d^n/d(var)^n when n > 1)."""

    var: sp.Symbol
    expr: sp.Expr
    n: int = 1


@dataclass(frozen=True, slots=True)
class Ratio:
    """du/dx: the derivative of a named inner function (∂u/∂x when `partial`, d²y/dx²
    when n is 2)."""

    top: sp.Symbol
    var: sp.Symbol
    partial: bool = False
    n: int = 1


@dataclass(frozen=True, slots=True)
class Op:
    symbol: str  # "=", "·", "+"
    breaks: bool = True  # a long line may break before it (not inside "u = ...")


Part = "Text | Math | Deriv | Ratio | Op | Formula"
EQ = Op("=")
DEF = Op("=", breaks=False)
DOT = Op("·")


@dataclass(frozen=True, slots=True)
class Line:
    depth: int
    parts: tuple[Part, ...]
    rule: str | None = None  # the rule this line applies, shown as a label
    kind: str = "step"  # "title", "step", "result", "status", "note", "pre", "table",
    # "curve", "tree"
    verdict: str | None = None


@dataclass(frozen=True, slots=True)
class Number:
    """A number in a table: `spec` as text (2.2e-19), as m·10ᵉ in LaTeX."""

    value: float
    spec: str


@dataclass(frozen=True, slots=True)
class Bar:
    """A bar of `length` blocks in a table cell, as a gradient norm on a log scale."""

    length: int


#: What a table cell holds: words, a formula written for text and for LaTeX, a number or a bar.
Cell = "str | Formula | Number | Bar"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under a header (no header row when every heading is empty): aligned
    columns in text, a real table in Markdown and LaTeX.  `align` is l or r per column."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: str


@dataclass(frozen=True, slots=True)
class Curve:
    """A series over its index (a loss per epoch): blocks in text, a pgfplots figure in
    LaTeX."""

    values: tuple[float, ...]
    xlabel: str
    ylabel: str


@dataclass(frozen=True, slots=True)
class Tree:
    """A tree drawn from its root down, as (level, node, remark) rows in preorder, the
    root at level 0: guides (├─ └─) in text, a dirtree in LaTeX.  Flat, not nested, so
    that a graph a thousand names deep is no recursion."""

    nodes: tuple[tuple[int, sp.Symbol, str], ...]


def tree(depth: int, t: Tree) -> Line:
    return Line(depth, (t,), kind="tree")


def table(depth: int, t: Table) -> Line:
    return Line(depth, (t,), kind="table")


def curve(depth: int, c: Curve) -> Line:
    return Line(depth, (c,), kind="curve")


def title(text: str) -> Line:
    """A heading line."""
    return Line(0, (Text(text),), kind="title")


def prose_parts(prose: Prose) -> tuple[Part, ...]:
    """Words and formulas as parts: each format writes the formulas in its notation."""
    return tuple(Text(p) if isinstance(p, str) else Math(p) for p in prose)


def words(depth: int, text: str, kind: str = "note") -> Line:
    """A line of words only: a note, or preformatted text when kind is "pre"."""
    return Line(depth, (Text(text),), kind=kind)


RULE_LABELS = {
    engine.CONSTANT: "constant",
    engine.VARIABLE: "variable",
    engine.CONSTANT_MULTIPLE: "constant multiple",
    engine.SUM: "sum rule",
    engine.PRODUCT: "product rule",
    engine.QUOTIENT: "quotient rule",
    engine.POWER: "power rule",
    engine.ROOT: "root rule",
    engine.CHAIN: "chain rule",
    engine.GENERAL_POWER: "logarithmic differentiation",
    engine.LOG_BASE: "logarithm base b",
    engine.UNDEFINED: "unknown function",
    engine.SEVERAL_ARGUMENTS: "chain rule, several arguments",
    engine.PIECEWISE: "piecewise rule",
    "exponential": "exponential rule",
    "logarithm": "logarithm rule",
    "trig": "trig rule",
    "inverse trig": "inverse trig rule",
    "hyperbolic": "hyperbolic rule",
    "inverse hyperbolic": "inverse hyperbolic rule",
    "absolute value": "absolute value rule",
    "sign": "sign rule",
    "step": "unit step rule",
    "special function": "special function",
    FALLBACK: "SymPy's diff (no rule of ours)",
}


@dataclass(frozen=True, slots=True)
class Formula:
    """A rule's formula, written once for text and once for LaTeX."""

    text: str
    latex: str


RULE_FORMULAS = {
    engine.PRODUCT: Formula("(f·g)' = f'·g + f·g'", r"(fg)' = f'g + fg'"),
    engine.QUOTIENT: Formula(
        "(f/g)' = (f'·g − f·g')/g²", r"\left(\frac{f}{g}\right)' = \frac{f'g - fg'}{g^{2}}"
    ),
    engine.SUM: Formula("(f + g)' = f' + g'", r"(f + g)' = f' + g'"),
    engine.GENERAL_POWER: Formula(
        "(u^v)' = u^v·(v'·ln u + v·u'/u)",
        r"(u^{v})' = u^{v}\left(v' \ln u + \frac{v u'}{u}\right)",
    ),
    engine.PIECEWISE: Formula(
        "each piece differentiated on its own interval",
        r"\text{each piece differentiated on its own interval}",
    ),
    engine.SEVERAL_ARGUMENTS: Formula(
        "dF/dx = Σ ∂F/∂aᵢ · daᵢ/dx",
        r"\frac{dF}{dx} = \sum_i \frac{\partial F}{\partial a_i} \frac{da_i}{dx}",
    ),
}


def label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)


def _where(condition: sp.Basic) -> list[Part]:
    """'where x ≤ 1: ' before a piece's derivative, or 'otherwise: ' for the last."""
    if condition is sp.true:
        return [Text("otherwise: ")]
    return [Text("where "), Math(condition), Text(": ")]


def is_trivial(step: Step) -> bool:
    """A step a reader takes in at a glance: folded into its parent's line by default."""
    if step.rule in (engine.CONSTANT, engine.VARIABLE):
        return True
    if step.rule == engine.CONSTANT_MULTIPLE:
        return all(is_trivial(s) for s in step.substeps)
    if step.rule == engine.SUM:
        return all(is_trivial(s) for s in step.substeps)
    return False


def step_lines(d: Derivation, depth: int, detail: str = "normal") -> list[Line]:
    """The step lines of a derivation's first order, from `depth` down, without title or answer."""
    lines: list[Line] = []
    steps = d.orders[0].steps
    names = {inner: name for s in steps.walk() for name, inner in s.names if is_big(inner)}
    StepEmitter(lines, detail, names).emit(steps, depth)
    return lines


def rules_used(d: Derivation) -> list[str]:
    """The rules a derivation's first order used, by name, each once."""
    return rules_in(d.orders[0].steps)


def rules_in(step: Step) -> list[str]:
    seen: list[str] = []
    for s in step.walk():
        name = label(s.rule)
        if s.rule not in (engine.CONSTANT, engine.VARIABLE) and name not in seen:
            seen.append(name)
    return seen or [label(step.rule)]


BIG = 30  # nodes: an expression larger than this shows its named inner functions by name


def is_big(expr: sp.Expr) -> bool:
    return any(count >= BIG for count, _ in enumerate(sp.preorder_traversal(expr)))


class StepEmitter:
    """Writes a step tree as lines: one per rule, its parts below it, "so ..." to close."""

    def __init__(self, lines: list[Line], detail: str, names: dict | None = None) -> None:
        self.lines = lines
        self.full = detail == "full"
        self.names = names or {}

    def add(self, depth: int, parts: list[Part], step: Step | None = None, rule: str | None = None):
        verdict = step.verdict if step is not None else None
        parts = [self.abbreviate(p) for p in parts]
        self.lines.append(Line(depth, tuple(parts), rule, "step", verdict))

    def abbreviate(self, part: Part) -> Part:
        """In a big expression, write each named inner function by its name (u, v, ...).

        Without this a chain n deep prints n lines of size n: n² characters.
        """
        if not self.names or not isinstance(part, (Math, Deriv)) or not is_big(part.expr):
            return part
        expr = part.expr
        if expr.args:
            with sp.evaluate(False):
                expr = expr.func(*(a.xreplace(self.names) for a in expr.args))
        if isinstance(part, Math):
            return Math(expr, part.factor)
        return Deriv(part.var, expr, part.n)

    def visible(self, step: Step) -> list[Step]:
        if step.rule in (engine.GENERAL_POWER, engine.PIECEWISE):
            return list(step.substeps)  # the method is the point: always show its parts
        return [s for s in step.substeps if self.full or not is_trivial(s)]

    def emit(self, step: Step, depth: int, lead: list[Part] | None = None) -> None:
        lead = lead or []
        rule = label(step.rule)
        if step.rule == engine.CHAIN:
            self.chain(step, depth, lead)
            return
        if step.rule == engine.CONSTANT_MULTIPLE and not self.full:
            self.constant_multiple(step, depth, lead)
            return
        children = self.visible(step)
        claim = [Deriv(step.var, step.expr), EQ]
        if not children:
            combo = _combination(step)
            parts = lead + claim
            if combo is not None and step.substeps and str(combo) != str(step.result):
                parts += [Math(combo), EQ]
            self.add(depth, parts + [Math(step.result)], step, rule)
            return
        formula = RULE_FORMULAS.get(step.rule)
        header = lead + [Text(f"{rule}: "), Deriv(step.var, step.expr)]
        if formula:
            header += [Text("   "), formula]
        if step.rule == engine.GENERAL_POWER:
            (base, exponent) = (step.substeps[0].expr, step.substeps[1].expr)
            header += [
                Text(", as "),
                Math(step.expr),
                DEF,
                Math(sp.exp(sp.Mul(exponent, sp.log(base), evaluate=False)), False),
            ]
        self.add(depth, header, None, None)
        if step.rule == engine.SEVERAL_ARGUMENTS:
            args = [a for a in step.expr.args if a.has(step.var)]
            for arg, partial in zip(args, step.extra, strict=True):
                parts = [Text(f"∂/∂({_plain(arg)}) "), Math(step.expr), EQ, Math(partial)]
                self.add(depth + 1, parts, None, "partial derivative")
        leads: list[list[Part]] | None = None
        if step.rule == engine.GENERAL_POWER:
            leads = [[Text("u' = ")], [Text("v' = ")]]
        elif step.rule == engine.PIECEWISE:
            leads = [_where(piece.args[1]) for piece in step.expr.args]
        for i, child in enumerate(children):
            self.emit(child, depth + 1, leads[i] if leads else None)
        combo = _combination(step)
        parts = [Text("so "), Deriv(step.var, step.expr), EQ]
        if combo is not None and str(combo) != str(step.result):
            parts += [Math(combo), EQ]
        self.add(depth + 1, parts + [Math(step.result)], step, rule)

    def constant_multiple(self, step: Step, depth: int, lead: list[Part]) -> None:
        (child,) = step.substeps
        if is_trivial(child) or not child.substeps:
            parts = lead + [Deriv(step.var, step.expr), EQ, Math(step.factor, True), DOT]
            parts += [Deriv(step.var, child.expr)]
            if not is_trivial(child):
                parts += [EQ, Math(step.factor, True), DOT, Math(child.result, True)]
            parts += [EQ, Math(step.result)]
            rules = label(step.rule)
            if not is_trivial(child):
                rules = f"{label(child.rule)}, {rules}"
            self.add(depth, parts, step, rules)
            return
        parts = lead + [Deriv(step.var, step.expr), EQ, Math(step.factor, True), DOT]
        self.add(depth, parts + [Deriv(step.var, child.expr)], None, label(step.rule))
        self.emit(child, depth + 1)
        parts = [Text("so "), Deriv(step.var, step.expr), EQ, Math(step.factor, True), DOT]
        parts += [Math(child.result, True), EQ, Math(step.result)]
        self.add(depth + 1, parts, step, label(step.rule))

    def chain(self, step: Step, depth: int, lead: list[Part]) -> None:
        outer, inner = step.substeps
        ((u, inner_expr),) = step.names
        header = lead + [Text("chain rule: "), Deriv(step.var, step.expr)]
        header += [Text(", with "), Math(u), DEF, Math(inner_expr)]
        self.add(depth, header, None, None)
        self.add(
            depth + 1, [Deriv(u, outer.expr), EQ, Math(outer.result)], outer, label(outer.rule)
        )
        ratio = [Ratio(u, step.var), DEF]
        if inner.substeps and (self.full or not is_trivial(inner)):
            # du/dx is a part of this chain rule: its own steps nest inside, at any depth
            self.emit(inner, depth + 1, ratio)
        else:
            parts = ratio + [Deriv(step.var, inner.expr), EQ, Math(inner.result)]
            self.add(depth + 1, parts, inner, label(inner.rule))
        # a flattened inner chain says which derivative it closes: "so du/dx = ..."
        closing = [p for p in lead if isinstance(p, Ratio)]
        parts = [Text("so "), *closing, *([DEF] if closing else [])]
        parts += [Deriv(step.var, step.expr), EQ, Math(outer.result, True), DOT]
        if is_big(inner.result) or is_big(step.result):
            # deep inside a long chain: name the factor; the answer at the end has it in full
            parts += [Ratio(u, step.var)]
        else:
            parts += [Math(inner.result, True)]
            in_u = outer.result * inner.result
            if in_u.free_symbols == {u} and outer.result.free_symbols == {u}:
                parts += [EQ, Math(in_u)]  # the seed's 2u · 3 = 6u, before substituting back
            with sp.evaluate(False):
                back = engine.substitute(in_u, u, inner_expr)
            parts += [EQ, Math(back)]
            if sp.expand(engine.substitute(in_u, u, inner_expr) - step.result) != 0:
                # a form that is not plainly the step's claim: end in the claim itself, so
                # that a wrong step is shown wrong, never as a right-looking formula
                parts += [EQ, Math(step.result)]
        self.add(depth + 1, parts, step, label(step.rule))


def _combination(step: Step) -> sp.Expr | None:
    """The rule's formula with the parts' derivatives put in, before simplifying."""
    parts = step.substeps
    with sp.evaluate(False):
        if step.rule == engine.PRODUCT:
            factors = [p.expr for p in parts]
            terms = []
            for i, p in enumerate(parts):
                others = factors[:i] + factors[i + 1 :]
                terms.append(sp.Mul(*_unless_one(p.result), *others))
            return sp.Add(*terms)
        if step.rule == engine.QUOTIENT:
            top, bottom = parts
            with sp.evaluate(True):
                inverse_square = bottom.expr**-2
            numerator = sp.Add(
                sp.Mul(*_unless_one(top.result), bottom.expr),
                sp.Mul(-1, top.expr, *_unless_one(bottom.result)),
            )
            return sp.Mul(numerator, inverse_square)
        if step.rule == engine.SUM:
            return sp.Add(*(p.result for p in parts))
        if step.rule == engine.GENERAL_POWER:
            base, exponent = parts
            inside = sp.Add(
                sp.Mul(exponent.result, sp.log(base.expr)),
                sp.Mul(exponent.expr, base.result, sp.Pow(base.expr, -1)),
            )
            return sp.Mul(step.expr, inside)
    return None


def _unless_one(factor: sp.Expr) -> list[sp.Expr]:
    """Drop a factor of 1 from a product written out for reading."""
    return [] if factor == 1 else [factor]


def _plain(expr: sp.Expr) -> str:
    return sp.sstr(expr)


def point_slope(b: sp.Expr, m: sp.Expr, x: sp.Symbol, a: sp.Expr) -> sp.Expr:
    """b + m(x − a) as a book writes it, not worked out: no 1·, no x + 0, no + 0."""
    if m == 0:
        return b
    shift = x if a == 0 else sp.Add(x, -a, evaluate=False)
    sloped = shift if m == 1 else sp.Mul(m, shift, evaluate=False)
    return sloped if b == 0 else sp.Add(b, sloped, evaluate=False)
