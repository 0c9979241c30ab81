"""What SymPy prints reads back: special functions, hypergeometric ones with their tuples,
and I, the imaginary unit, so an antiderivative SymPy gives can be derived again."""

from __future__ import annotations

import pytest
import sympy as sp

from symchain import derive
from symchain.core.errors import ParseError
from symchain.core.parse import parse, symbol

x = symbol("x")
half = sp.Rational(1, 2)

PRINTED = [
    sp.hyper((half, 1), (sp.Rational(3, 2),), -(x**2)),
    sp.meijerg(((1,), ()), ((2,), ()), x),
    sp.appellf1(1, 2, 3, 4, x, x**2),
    sp.elliptic_pi(x, half),
    sp.elliptic_pi(half, x, half),
    sp.polylog(3, x),
    sp.lerchphi(x, 2, 3),
    sp.uppergamma(3, x),
    sp.lowergamma(3, x),
    sp.zeta(2, x),
    sp.erfinv(x),
    sp.hankel1(1, x),
    sp.exp(sp.I * x),
    sp.I * x**2 + x,
]


@pytest.mark.parametrize("expr", PRINTED, ids=sp.sstr)
def test_sympy_output_parses_back_and_derives(expr):
    assert sp.simplify(parse(sp.sstr(expr)) - expr) == 0
    d = derive(sp.sstr(expr))
    assert d.status == "verified"
    assert sp.simplify(d.result - sp.diff(expr, x)) == 0


def test_an_antiderivative_sympy_prints_reads_back():
    antiderivative = sp.integrate(1 / sp.sqrt(1 - x**4), x)  # SymPy gives a hyper(...)
    assert antiderivative.has(sp.hyper)
    assert parse(sp.sstr(antiderivative)) == antiderivative


@pytest.mark.parametrize(
    "text, message",
    [
        ("hyper((1, 2), 3, x)", "takes its parameters as tuples"),
        ("meijerg(((1,), ()), ((0,), ()), x)", "cannot take these arguments"),
        ("(1, 2)", "',' only separates arguments"),
        ("sin((1, 2))", "',' only separates arguments"),
    ],
)
def test_bad_parameters_are_parse_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)
