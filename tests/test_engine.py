"""Each rule: the rule the engine names, the derivative it claims, and SymPy's agreement."""

import pytest
import sympy as sp

from symchain.calculus.derivation import derive
from symchain.core import engine
from symchain.core.engine import build_steps
from symchain.core.formulas import FORMULAS
from symchain.core.parse import parse, symbol
from symchain.core.steps import FALLBACK

x = symbol("x")


def rules_of(step):
    return [s.rule for s in step.walk()]


@pytest.mark.parametrize(
    "text, top_rule",
    [
        ("7", engine.CONSTANT),
        ("x", engine.VARIABLE),
        ("5x", engine.CONSTANT_MULTIPLE),
        ("x^2 + x", engine.SUM),
        ("x^2 - sin(x)", engine.SUM),
        ("x^5", engine.POWER),
        ("x^-3", engine.POWER),
        ("x^(2/3)", engine.POWER),
        ("sqrt(x)", engine.ROOT),
        ("x^(1/5)", engine.ROOT),
        ("x sin(x) exp(x)", engine.PRODUCT),
        ("sin(x)/x", engine.QUOTIENT),
        ("sin(x^2)", engine.CHAIN),
        ("exp(x)", "exponential"),
        ("2^x", "exponential"),
        ("ln(x)", "logarithm"),
        ("log(x, 2)", engine.LOG_BASE),
        ("tan(x)", "trig"),
        ("acos(x)", "inverse trig"),
        ("cosh(x)", "hyperbolic"),
        ("atanh(x)", "inverse hyperbolic"),
        ("abs(x)", "absolute value"),
        ("x^x", engine.GENERAL_POWER),
        ("f(x)", engine.UNDEFINED),
        ("erf(x)", "special function"),
        ("atan2(x, x^2)", engine.SEVERAL_ARGUMENTS),
    ],
)
def test_each_rule_is_named_and_right(text, top_rule):
    d = derive(text, wrt="x")
    assert d.steps.rule == top_rule
    assert d.verified and d.complete
    assert sp.simplify(d.steps.result - sp.diff(d.expression, x)) == 0


def test_seed_single_variable_example():
    """The seed: f(u) = u², u = 3x + 1, df/dx = 2u · 3 = 6(3x + 1)."""
    d = derive("(3x + 1)^2")
    step = d.steps
    assert step.rule == engine.CHAIN
    ((u, inner),) = step.names
    assert str(u) == "u" and inner == 3 * x + 1
    outer, inner_step = step.substeps
    assert outer.result == 2 * u and inner_step.result == 3
    assert sp.expand(d.result - 6 * (3 * x + 1)) == 0
    assert d.verified


def test_seed_sin_example():
    d = derive("sin(x**2)")
    assert d.result == 2 * x * sp.cos(x**2)
    assert rules_of(d.steps) == [engine.CHAIN, "trig", engine.POWER]


def test_undefined_functions_follow_the_chain_rule():
    d = derive("f(g(x))")
    f, g = sp.Function("f"), sp.Function("g")
    assert d.steps.rule == engine.CHAIN
    assert d.result == sp.diff(f(g(x)), x)
    assert d.verified


def test_nested_chains_name_u_v_w():
    d = derive("sin(cos(tan(x^2)))")
    names = [str(n) for s in d.steps.walk() for n, _ in s.names]
    assert names == ["u", "v", "w"]


def test_names_avoid_the_formulas_own_symbols():
    d = derive("sin(u*x)", wrt="x")
    ((name, _),) = d.steps.names
    assert str(name) != "u"


def test_product_of_many_factors():
    d = derive("x sin(x) cos(x) exp(x)")
    assert d.steps.rule == engine.PRODUCT and len(d.steps.substeps) == 4
    assert d.verified


def test_every_formula_matches_sympy():
    u = sp.Symbol("u", real=True)
    for func, (_, formula) in FORMULAS.items():
        expected = sp.diff(func(u), u)
        claimed = formula(u)
        for value in (0.3, 0.7, 1.7, 2.5, -0.4, -2.2):
            a = complex(claimed.subs(u, value).evalf(30))
            b = complex(expected.subs(u, value).evalf(30))
            assert abs(a - b) <= 1e-12 * max(1, abs(a)), (func, value)


def test_fallback_is_marked_incomplete_not_guessed():
    integral = sp.Integral(sp.exp(x * symbol("t")), (symbol("t"), 0, 1))
    step = build_steps(integral, x)
    assert step.rule == FALLBACK
    d = derive(integral, wrt="x")
    assert not d.complete
    assert d.verified


def test_higher_orders_each_have_steps():
    d = derive("sin(x^2)", order=3)
    assert d.order == 3 and all(o.steps.substeps for o in d.orders)
    assert sp.simplify(d.result - sp.diff(sp.sin(x**2), x, 3)) == 0
    assert d.verified


def test_value_at_a_point():
    d = derive("x^3", at="x=2")
    assert d.value == 12


def test_other_symbols_are_constants():
    d = derive("a x^2 + sin(a)", wrt="x")
    assert d.result == 2 * symbol("a") * x
    assert d.steps.substeps[1].rule == engine.CONSTANT or d.steps.substeps[0].rule == "constant"


def test_deep_nesting_does_not_hit_the_recursion_limit():
    text = "sin(" * 200 + "x" + ")" * 200
    d = derive(text)
    assert d.verified
    assert len(list(d.steps.walk())) == 399  # 199 chains, each with outer and inner, then sin(x)


def test_parse_then_derive_special_functions():
    for text in [
        "gamma(x)",
        "besselj(1, x^2)",
        "polylog(2, x)",
        "Ei(x)",
        "elliptic_k(x)",
        "LambertW(x)",
        "erf(sqrt(x))",
    ]:
        d = derive(text)
        assert d.verified and d.complete, text
        assert sp.simplify(d.steps.result - sp.diff(parse(text), x)) == 0
