"""Mathematics as people write it: x², eˣ, ln, sin⁻¹, |x|, ·, − (issue 12, item 4).

The printer's text must read back through symchain's own parser to the same
expression, with no convention note: a student may paste an answer into the next
command, and nothing printed may be ambiguous.
"""

from __future__ import annotations

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symchain.core.parse import read
from symchain.render.formats.mathtext import math_text
from symchain.render.formats.text import expr_text, using_notation

x, y, t = (sp.Symbol(n, real=True) for n in "xyt")

CASES = [
    (x**2 * sp.exp(-x) / (sp.log(x) + 1), "x²·e⁻ˣ/(ln(x) + 1)"),
    (sp.asin(x**2), "sin⁻¹(x²)"),
    (2 * x / sp.sqrt(1 - x**4), "2x/√(1 − x⁴)"),
    (2 * x * sp.Abs(x**2 - 1), "2x·|x² − 1|"),
    (-3 * sp.sin(3 * x), "−3sin(3x)"),
    (sp.sin(x) ** 2 * sp.cos(x), "sin²(x)·cos(x)"),
    (1 / x**2, "1/x²"),
    (x ** sp.Rational(1, 3), "x^(1/3)"),
    (sp.exp(x**2), "e^(x²)"),
    (3**x * sp.log(3), "3ˣ·ln(3)"),
    (2 * 3**x, "2·3ˣ"),
    (sp.atan(x) ** 2, "(tan⁻¹(x))²"),
    (sp.sqrt(x**2 + 1), "√(x² + 1)"),
    (1 / sp.sqrt(x), "1/√x"),
    (5 * sp.exp(-2 * x), "5e⁻²ˣ"),
    (-x / 2, "−x/2"),
    (-(x**2) + 3 * x - 1, "−x² + 3x − 1"),
    (sp.Abs(2 * sp.Abs(x) - 1), "|2·|x| − 1|"),
    (sp.pi * x, "π·x"),
    (x ** (y + 1), "x^(y + 1)"),
    (6 * x * y, "6x·y"),
    (sp.sec(x) * sp.tan(x), "tan(x)·sec(x)"),
    (-1 / sp.sin(x) ** 2, "−1/sin²(x)"),
    (3 / (2 * x), "3/(2x)"),
    (1 / (x * sp.log(2)), "1/(x·ln(2))"),
    (sp.acosh(x), "cosh⁻¹(x)"),
    (sp.log(x**2 + 1) / sp.log(2), "log₂(x² + 1)"),
    (3 * sp.log(x) / sp.log(10), "3log₁₀(x)"),
    (sp.Eq(x**2 + y**2, 25), "x² + y² = 25"),
]


def test_each_case_is_written_as_a_textbook_writes_it():
    for expr, expected in CASES:
        assert math_text(expr) == expected, sp.srepr(expr)


def test_each_case_reads_back_without_a_note():
    for expr, text in CASES:
        if isinstance(expr, sp.Eq):
            continue
        reading = read(text, variables="xyt")
        assert reading.expr == expr, text
        assert reading.notes == (), text


def test_a_subtracted_sum_keeps_its_brackets():
    """Steps build unevaluated sums: x − (x + 1) must not be written x − x + 1."""
    minus_sum = sp.Mul(-1, x + 1, evaluate=False)
    assert math_text(sp.Add(x, minus_sum, evaluate=False)) == "x − (x + 1)"
    assert math_text(sp.Add(minus_sum, 2, evaluate=False)) == "2 − (x + 1)"


def test_sympy_notation_is_sympys_own_str():
    expr = x**2 * sp.exp(-x) / (sp.log(x) + 1)
    with using_notation("sympy"):
        assert expr_text(expr) == str(expr)
    assert expr_text(expr) == "x²·e⁻ˣ/(ln(x) + 1)"  # the default comes back after the block


def test_an_unknown_notation_is_refused():
    import pytest

    with pytest.raises(ValueError, match="unknown notation"), using_notation("ascii"):  # type: ignore[arg-type]
        pass


_ONE_ARGUMENT = [sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot, sp.asin, sp.atan, sp.acot]
_ONE_ARGUMENT += [sp.sinh, sp.cosh, sp.tanh, sp.asinh, sp.exp, sp.log, sp.sqrt, sp.Abs]


def _expressions():
    leaves = st.sampled_from(
        [x, y, t, sp.Integer(2), sp.Integer(3), sp.Rational(1, 2), sp.E, sp.pi]
    )

    def extend(inner):
        return st.one_of(
            st.builds(lambda a, b: a + b, inner, inner),
            st.builds(lambda a, b: a - b, inner, inner),
            st.builds(lambda a, b: a * b, inner, inner),
            st.builds(lambda a, b: a / b, inner, inner),
            st.builds(lambda a, n: a**n, inner, st.integers(-3, 4)),
            st.builds(lambda a, b: a**b, inner, st.sampled_from([x, y, -x, 2 * x, x + 1])),
            st.builds(lambda f, a: f(a), st.sampled_from(_ONE_ARGUMENT), inner),
            st.builds(lambda a: -a, inner),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _equal_at(a: sp.Expr, b: sp.Expr, value: float) -> bool:
    """a and b at x, y, t = value, 2·value, value + 1 (by name: read's symbols are real)."""
    at = {"x": value, "y": 2 * value, "t": value + 1}

    def number(e: sp.Expr) -> complex:
        return complex(e.subs({s: at[s.name] for s in e.free_symbols if s.name in at}).evalf())

    try:
        u, v = number(a), number(b)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return abs(u - v) <= 1e-9 * max(1.0, abs(u))


@settings(deadline=None, max_examples=300)
@given(_expressions())
def test_whatever_is_printed_reads_back_as_the_same_expression(expr):
    if not isinstance(expr, sp.Expr) or expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return
    if expr.has(sp.I):  # printed i, as people write it; typed I (a typed i is a variable)
        return
    text = math_text(expr)
    reading = read(text, variables="xyt")
    same = reading.expr == expr or sp.expand(reading.expr - expr) == 0  # −(a)·b is (−a)·b
    if not same:  # ||x|| is |x|: the same values, where SymPy keeps Abs(Abs(x)) unevaluated
        same = all(_equal_at(reading.expr, expr, point) for point in (0.37, 1.61, 2.9))
    assert same, f"{text!r} read back as {reading.expr}, not {expr}"
    assert reading.notes == (), text
