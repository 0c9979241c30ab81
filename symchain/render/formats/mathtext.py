"""Expressions in the notation people write by hand: x², eˣ, √x, ln, sin⁻¹, |x|, ·, −.

The text is still one line and still unambiguous: symchain's own parser reads
every string this printer writes back to the same expression (a property test
checks it), so a student may paste an answer into the next command.  Where a
superscript cannot say it (e raised to a power with a power in it), the printer
writes ^(...).  The one exception is the imaginary unit: printed i, typed I.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence

from ...core.parse import GREEK_LETTERS, SUBSCRIPTS, SUPERSCRIPTS
from .sympytext import NotesPrinter

#: The superscripts the parser reads (core.parse), the other way round: digits, the minus
#: sign and every letter that has one; "+" is never needed in an exponent written short.
SUPERSCRIPT = {("−" if plain == "-" else plain): sup for sup, plain in SUPERSCRIPTS.items()}
del SUPERSCRIPT["+"]
_SUBSCRIPT = {plain: sub for sub, plain in SUBSCRIPTS.items()}


def superscript(text: str) -> str:
    """2 as ², −x as ⁻ˣ: every character of `text` must have a superscript."""
    return "".join(SUPERSCRIPT[c] for c in text)


_TRIG_AND_HYPERBOLIC = ("sin", "cos", "tan", "cot", "sec", "csc")
_TRIG_AND_HYPERBOLIC += tuple(name + "h" for name in _TRIG_AND_HYPERBOLIC)

#: Inverse functions as books print them: sin⁻¹ x (the parser reads them back as inverses).
_INVERSE = {f"a{name}": f"{name}⁻¹" for name in _TRIG_AND_HYPERBOLIC}
#: Functions whose powers are written on the name: sin²(x), as books print them.
_POWER_ON_NAME = frozenset(_TRIG_AND_HYPERBOLIC)
#: Names the parser reads as Greek letters, printed as the letters.
_GREEK = {**GREEK_LETTERS, "pi": "π"}

MINUS = "−"
DOT = "·"
_LONGEST_SUPERSCRIPT = 4  # e⁻²ˣ is read at a glance; a longer exponent goes in ^(...)


class MathPrinter(NotesPrinter):
    """SymPy's str printer, rewritten where people write mathematics differently."""

    # ---- atoms ---------------------------------------------------------------
    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return _GREEK.get(expr.name, expr.name)

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_Pi(self, expr: sp.Expr) -> str:
        return "π"

    def _print_ImaginaryUnit(self, expr: sp.Expr) -> str:
        return "i"

    def _print_Infinity(self, expr: sp.Expr) -> str:
        return "∞"

    def _print_NegativeInfinity(self, expr: sp.Expr) -> str:
        return MINUS + "∞"

    def _print_ComplexInfinity(self, expr: sp.Expr) -> str:
        return "complex ∞"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return _minus(super()._print_Integer(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return _minus(super()._print_Rational(expr))

    def _print_Float(self, expr: sp.Float) -> str:
        return _minus(super()._print_Float(expr))

    # ---- sums and products ---------------------------------------------------
    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        out: list[str] = []
        for term in _positive_first(expr, self._as_ordered_terms(expr, order=order)):
            negative = not term.is_Add and _negative(term)
            shown = -term if negative else term
            text = self._print(shown)
            if shown.is_Add or precedence(shown) < PRECEDENCE["Add"]:
                text = f"({text})"  # x − (x + 1): a subtracted sum keeps its brackets
            if not out:
                out.append(MINUS + text if negative else text)
            else:
                out.append(f" {MINUS} {text}" if negative else f" + {text}")
        return "".join(out)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if _unevaluated(expr):
            return self._product(list(expr.args), keep_order=True)
        coeff, rest = expr.as_coeff_Mul()
        if coeff < 0:
            positive = sp.Mul(-coeff, rest, evaluate=False) if -coeff != 1 else rest
            return MINUS + self._parenthesized_product(positive)
        numer: list[sp.Expr] = []
        denom: list[sp.Expr] = []
        for factor in _with_log_bases(expr.as_ordered_factors()):
            if _reciprocal(factor):
                base, exponent = factor.as_base_exp()
                denom.append(base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False))
            elif factor.is_Rational and not factor.is_Integer:
                if factor.p != 1:
                    numer.append(sp.Integer(factor.p))
                denom.append(sp.Integer(factor.q))
            else:
                numer.append(factor)
        top = self._product(numer) if numer else "1"
        if not denom:
            return top
        bottom = self._product(denom)
        single = denom[0]
        if len(denom) > 1 or (
            not single.is_Add and (precedence(single) < PRECEDENCE["Pow"] or _negative(single))
        ):
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _parenthesized_product(self, expr: sp.Expr) -> str:
        text = self._print(expr)
        return f"({text})" if expr.is_Add else text

    def _product(self, factors: list[sp.Expr], keep_order: bool = False) -> str:
        """Factors side by side: a number before a letter or a bracket is juxtaposed (2x,
        3sin(x), 2(x + 1)); everything else is joined by a centred dot (x·eˣ, 2·3ˣ)."""
        out = ""
        previous: sp.Expr | None = None
        for i, factor in enumerate(factors):
            text = self._print(factor)
            bracket = factor.is_Add or (precedence(factor) < PRECEDENCE["Mul"])
            fraction = factor.is_Rational and not factor.is_Integer
            if i and (_negative(factor) or (keep_order and fraction)):
                bracket = True
            if bracket:
                text = f"({text})"
            if previous is None:
                out = text
            elif _juxtaposes(previous, text):
                out += text
            else:
                out += DOT + text
            previous = factor
        return out

    # ---- powers ----------------------------------------------------------------
    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.base, expr.exp
        if exponent is sp.S.Half:
            return "√" + self._radicand(base)
        if expr.is_commutative and exponent.is_Rational and exponent < 0:
            positive = base if exponent == -1 else sp.Pow(base, -exponent, evaluate=False)
            text = self._print(positive)
            if precedence(positive) < PRECEDENCE["Pow"] or _negative(positive):
                text = f"({text})"
            return "1/" + text
        if (
            isinstance(base, sp.Function)
            and base.func.__name__ in _POWER_ON_NAME
            and exponent.is_Integer
            and exponent > 0
        ):
            return base.func.__name__ + self._exponent(exponent) + self._arguments(base)
        return self._base(base) + self._exponent(exponent)

    def _base(self, base: sp.Expr) -> str:
        text = self._print(base)
        simple = (
            base.is_Symbol
            or (base.is_Integer and base >= 0)
            or base in (sp.E, sp.pi)
            or (isinstance(base, sp.Function) and not isinstance(base, sp.exp))
        )
        if isinstance(base, sp.Function) and (
            base.func.__name__ in _INVERSE or isinstance(base, sp.log)
        ):
            simple = False  # (sin⁻¹(x))², (ln(x))²: a book's ln(x)² is ln of a square
        return text if simple else f"({text})"

    def _exponent(self, exponent: sp.Expr) -> str:
        """²ˣ for a short exponent of digits and one-letter names; ^(...) otherwise."""
        text = self._print(exponent)
        letters = all(len(s.name) == 1 for s in exponent.free_symbols if isinstance(s, sp.Symbol))
        if (
            letters
            and len(text) <= _LONGEST_SUPERSCRIPT
            and all(c in SUPERSCRIPT for c in text)
            and not exponent.is_Float
        ):
            return superscript(text)
        atom = (
            exponent.is_Symbol
            or exponent in (sp.pi, sp.E)
            or (exponent.is_Integer and exponent >= 0)
        )
        return "^" + (text if atom else f"({text})")

    def _radicand(self, base: sp.Expr) -> str:
        text = self._print(base)
        atom = base.is_Symbol or (base.is_Integer and base >= 0) or base in (sp.E, sp.pi)
        return text if atom else f"({text})"

    # ---- functions ---------------------------------------------------------------
    def _arguments(self, call: sp.Expr) -> str:
        return "(" + ", ".join(self._print(a) for a in call.args) + ")"

    def _print_Function(self, expr: sp.Expr) -> str:
        name = expr.func.__name__
        return _INVERSE.get(name, name) + self._arguments(expr)

    def _print_log(self, expr: sp.Expr) -> str:
        return "ln" + self._arguments(expr)

    def _print_exp(self, expr: sp.Expr) -> str:
        return "e" + self._exponent(expr.args[0])

    def _print_Abs(self, expr: sp.Expr) -> str:
        return "|" + self._print(expr.args[0]) + "|"

    # ---- piecewise functions and their conditions --------------------------------
    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """{x² if x ≤ 1; 2x − 1 otherwise}: the syntax symchain reads."""
        pieces = []
        for piece, condition in expr.args:
            if condition is sp.true:
                pieces.append(f"{self._print(piece)} otherwise")
            else:
                pieces.append(f"{self._print(piece)} if {self._print(condition)}")
        return "{" + "; ".join(pieces) + "}"

    def _print_And(self, expr: sp.Expr) -> str:
        """0 < x ≤ 2 for a lower and an upper bound on one variable; else joined by 'and'."""
        chain = _as_chain(expr)
        if chain is not None:
            low, low_op, var, high_op, high = chain
            return f"{self._print(low)} {low_op} {self._print(var)} {high_op} {self._print(high)}"
        return " and ".join(self._print(a) for a in expr.args)

    # ---- equations ---------------------------------------------------------------
    def _print_Relational(self, expr: sp.Expr) -> str:
        symbol = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {symbol} {self._print(expr.rhs)}"


def _with_log_bases(factors: list[sp.Expr]) -> list[sp.Expr]:
    """ln(u)/ln(b), as SymPy holds log_b(u), written log_b(u) again: log₂(x² + 1)."""
    bases = [
        f
        for f in factors
        if f.is_Pow
        and f.exp == -1
        and isinstance(f.base, sp.log)
        and f.base.args[0].is_Integer
        and f.base.args[0] >= 2
    ]
    logs = [f for f in factors if isinstance(f, sp.log)]
    if len(bases) != 1 or len(logs) != 1:
        return factors
    digits = "".join(_SUBSCRIPT[c] for c in str(bases[0].base.args[0]))
    named = sp.Function("log" + digits)(logs[0].args[0])
    return [named if f is logs[0] else f for f in factors if f is not bases[0]]


def _positive_first(expr: sp.Add, terms: list[sp.Expr]) -> list[sp.Expr]:
    """sin(x) − x·cos(x), not −x·cos(x) + sin(x): a sum starts with a positive term where
    it has one, except a polynomial in one variable, which keeps its descending powers."""
    if not terms or not _negative(terms[0]) or expr.is_Add is False:
        return terms
    if len(expr.free_symbols) == 1 and expr.is_polynomial():
        return terms
    for i, term in enumerate(terms):
        if not _negative(term):
            return [term, *terms[:i], *terms[i + 1 :]]
    return terms


def _as_chain(expr: sp.Expr) -> tuple[sp.Expr, str, sp.Expr, str, sp.Expr] | None:
    """(0, '<', x, '≤', 2) for And(x > 0, x <= 2); None when it is not such a pair."""
    if len(expr.args) != 2:
        return None
    lower = upper = None
    for rel in expr.args:
        if not isinstance(rel, (sp.Lt, sp.Le, sp.Gt, sp.Ge)):
            return None
        small, big = (rel.lhs, rel.rhs) if isinstance(rel, (sp.Lt, sp.Le)) else (rel.rhs, rel.lhs)
        strict = "<" if isinstance(rel, (sp.Lt, sp.Gt)) else "≤"
        if big.is_Symbol and not small.free_symbols:
            lower = (small, strict, big)
        elif small.is_Symbol and not big.free_symbols:
            upper = (small, strict, big)
    if lower is None or upper is None or lower[2] != upper[0]:
        return None
    return lower[0], lower[1], lower[2], upper[1], upper[2]


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def _negative(expr: sp.Expr) -> bool:
    """Written with a leading minus: −3, −x, −2x (not x − 1, whose first term is positive)."""
    if expr.is_Number:
        return bool(expr.is_negative)
    return bool(expr.is_Mul and expr.as_coeff_Mul()[0].is_negative)


def _unevaluated(expr: sp.Mul) -> bool:
    """A product a step builds without simplifying (x²·(−e⁻ˣ)), shown in the order built."""
    args = expr.args
    return args[0] is sp.S.One or any(
        a.is_Number or (a.is_Pow and all(p.is_Integer for p in a.args)) for a in args[1:]
    )


def _reciprocal(factor: sp.Expr) -> bool:
    """x⁻², x⁻ⁿ: a factor that belongs under the fraction bar."""
    return bool(factor.is_commutative and factor.is_Pow and factor.exp.as_coeff_Mul()[0] < 0)


def _juxtaposes(previous: sp.Expr, text: str) -> bool:
    """2x, 2π, 2(x + 1), 3sin(x), 2√x, 2eˣ; never before a digit or a bar (2·3ˣ, 2·|x|)."""
    if not previous.is_Integer:
        return False
    first = text[:1]
    return first.isalpha() or first in "(√"


_PRINTER = MathPrinter()


def math_text(expr: sp.Expr) -> str:
    """The expression written as people write it by hand, on one line."""
    return _PRINTER.doprint(expr)


def signed_terms(expr: sp.Expr) -> list[tuple[bool, sp.Expr]]:
    """The terms of a sum in the order this printer writes them, each as (subtracted, term
    without its minus): so a view can put numbers into each and keep x² + y² in order."""
    if not expr.is_Add:
        return [(False, expr)]
    printer = MathPrinter()
    out = []
    for term in _positive_first(expr, printer._as_ordered_terms(expr)):
        negative = not term.is_Add and _negative(term)
        out.append((negative, -term if negative else term))
    return out
