"""The multivariable chain rule over --let graphs: the seed's example, errors, 2^20 paths."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr

from symchain.calculus.multivariable import derive_chain
from symchain.cli.app import main
from symchain.core.errors import SymchainError, UsageError

t, x, y = sp.symbols("t x y", real=True)


def layered(n: int) -> list[str]:
    """n layers of two quantities, each using both below: 2^n paths from t to a_n*b_n."""
    lets = ["a1=sin(t)", "b1=cos(t)"]
    for k in range(2, n + 1):
        lets += [f"a{k}=sin(a{k - 1}+b{k - 1})", f"b{k}=cos(a{k - 1}*b{k - 1})"]
    return lets


def test_seed_example_exactly():
    d = derive_chain("x**2 + y**2", ["x=t**2", "y=sin(t)"], wrt="t")
    partials = {(e.parent.name, e.child.name): e.result for e in d.edges}
    assert partials == {
        ("f", "x"): 2 * x,
        ("f", "y"): 2 * y,
        ("x", "t"): 2 * t,
        ("y", "t"): sp.cos(t),
    }
    assert [[s.name for s in p.nodes] for p in d.paths] == [["t", "x", "f"], ["t", "y", "f"]]
    assert [p.factors for p in d.paths] == [(2 * x, 2 * t), (2 * y, sp.cos(t))]
    assert d.raw == 4 * t**3 + 2 * sp.sin(t) * sp.cos(t)
    assert d.verified and d.complete and d.path_count == 2
    assert sp.simplify(d.result - (4 * t**3 + 2 * sp.sin(t) * sp.cos(t))) == 0


def test_shared_quantities_get_one_term_per_path():
    d = derive_chain("u*v", ["u=x*y", "v=x+y", "x=t**2", "y=exp(t)"], wrt="t")
    assert d.path_count == 4 and len(d.paths) == 4
    direct = sp.diff((t**2 * sp.exp(t)) * (t**2 + sp.exp(t)), t)
    assert sp.simplify(d.result - direct) == 0
    assert d.verified and d.path_check.confirmed


def test_adjoints_run_from_the_output_down():
    d = derive_chain("u*v", ["u=x*y", "v=x+y"], wrt="x")
    assert [a.node.name for a in d.adjoints] == ["f", "u", "v", "x"]
    u, v = sp.symbols("u v", real=True)
    assert d.derived == u + v * y
    assert d.multiplications["reverse"] == 4 and d.multiplications["reverse_all_inputs"] == 6


def test_a_constant_input_stays_a_parameter():
    d = derive_chain("a*x**2", ["x=sin(t)"], wrt="t")
    a = sp.Symbol("a", real=True)
    assert sp.simplify(d.result - 2 * a * sp.sin(t) * sp.cos(t)) == 0
    assert not d.ordinary  # f also depends on a: ∂f/∂t


@pytest.mark.parametrize(
    "lets, wrt, message",
    [
        (["x=y", "y=x"], "t", "cycle: x → y → x"),
        (["x=x+t"], "t", "cycle: x → x"),
        (["x=t", "z=t"], "t", "z: defined but not used"),
        (["x=t", "x=t**2"], "t", "defines x twice"),
        (["x=t"], "q", "q does not appear"),
        (["x=t"], "x", "names a `lets` quantity"),
        (["pi=t"], "t", "reserved"),
        (["x t"], "t", "name=formula"),
        (["2x=t"], "t", "not a plain name"),
    ],
)
def test_bad_graphs_are_usage_errors(lets, wrt, message):
    with pytest.raises(SymchainError) as info:
        derive_chain("x**2 + 1", lets, wrt=wrt)
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_several_inputs_need_wrt():
    with pytest.raises(UsageError, match="several inputs"):
        derive_chain("x*y", ["x=t", "y=s"])


def test_million_paths_by_reverse_accumulation():
    d = derive_chain("a20*b20", layered(20), wrt="t")
    assert d.path_count == 2**20
    assert len(d.paths) == 100 and all(len(p.nodes) == 22 for p in d.paths)
    assert not d.substituted and d.path_sum is None
    assert d.verified and d.check.status == "numeric"
    assert d.multiplications["forward"] == d.multiplications["reverse"] == 80
    assert d.multiplications["paths"] == 20 * 2**20


def test_small_layered_graph_matches_direct_diff():
    d = derive_chain("a4*b4", layered(4), wrt="t")
    assert d.path_count == 16 and d.substituted
    lets = dict(s.split("=") for s in layered(4))
    expr = parse_expr("a4*b4")
    for name in reversed(list(lets)):
        expr = expr.subs(sp.Symbol(name), parse_expr(lets[name]))
    direct = sp.diff(expr.subs(sp.Symbol("t"), t), t)
    assert abs(complex((d.result - direct).subs(t, 0.7).evalf())) < 1e-12


def test_matrix_form():
    d = derive_chain("u*v", ["u=x*y", "v=x+y"], wrt="x", matrix=True)
    m = d.matrix
    assert m.outer.shape == (1, 2) and m.inner.shape == (2, 2) and m.product.shape == (1, 2)
    assert m.check.confirmed
    assert sp.simplify(m.product[0, 1] - x * (x + 2 * y)) == 0


def test_matrix_form_needs_several_of_each():
    with pytest.raises(UsageError, match="`matrix` needs"):
        derive_chain("x**2", ["x=t"], wrt="t", matrix=True)


FUNCS = [sp.sin, sp.exp, sp.cos, lambda e: e**2, lambda e: 1 / (1 + e**2), sp.atan]


@st.composite
def random_graph(draw):
    """A random DAG: each --let uses one or two earlier quantities (or t)."""
    count = draw(st.integers(1, 6))
    names = ["t"]
    lets = []
    for i in range(count):
        uses = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2))
        terms = [draw(st.sampled_from(FUNCS))(sp.Symbol(u, real=True)) for u in uses]
        op = draw(st.sampled_from([sp.Add, sp.Mul]))
        lets.append((f"q{i}", op(*terms)))
        names.append(f"q{i}")
    top = draw(st.lists(st.sampled_from(names[1:]), min_size=1, max_size=3, unique=True))
    used = {u for _, e in lets for u in map(str, e.free_symbols)} | set(top)
    lets = [(n, e) for n, e in lets if n in used]
    return lets, "+".join(f"{i + 1}*{n}" for i, n in enumerate(top))


def _prune(lets, formula):
    """Drop definitions nothing reaches (the graph refuses unused --let names)."""
    need = set(str(s) for s in sp.sympify(formula).free_symbols)
    for name, expr in reversed(lets):
        if name in need:
            need |= {str(s) for s in expr.free_symbols}
    return [(n, e) for n, e in lets if n in need]


@settings(max_examples=25, deadline=None)
@given(random_graph())
def test_random_graphs_match_direct_substitution(graph):
    lets, formula = graph
    lets = _prune(lets, formula)
    d = derive_chain(formula, [f"{n}={sp.sstr(e)}" for n, e in lets], wrt="t")
    expr = sp.sympify(formula, locals={n: sp.Symbol(n, real=True) for n, _ in lets})
    for name, value in reversed(lets):
        expr = expr.xreplace({sp.Symbol(name, real=True): value})
    direct = sp.diff(expr, t)
    for point in (0.3, 1.1):
        # SymPy numbers, not complex(): exp(exp(exp(exp(1.1)))) is beyond a float
        got = d.graph.substitute(d.result).subs(t, point).evalf(30)
        want = direct.subs(t, point).evalf(30)
        assert abs(got - want) <= sp.Float("1e-12", 30) * max(1, abs(want))
    assert d.verified


def run(*args):
    return CliRunner().invoke(main, ["derive", *args])


def test_cli_seed_example_plain():
    r = run("x**2 + y**2", "--let", "x=t**2", "--let", "y=sin(t)", "--wrt", "t")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "∂f/∂x = 2x" in out and "dy/dt = cos(t)" in out
    assert "t → x → f:  ∂f/∂x · dx/dt = 2x · 2t" in out
    assert "= 4t³ + 2sin(t)·cos(t)" in out
    assert "x̄ = f̄ · ∂f/∂x = 2x" in out
    assert "\x1b" not in out and "✓ verified" in out


def test_cli_json_keys_and_strings_parse():
    r = run("u*v", "--let", "u=x*y", "--let", "v=x+y", "--let", "x=t**2", "--let", "y=exp(t)",
            "--wrt", "t", "--format", "json")  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    for key in ("result", "verified", "variable", "paths", "path_count", "partials"):
        assert key in data
    assert data["path_count"] == 4 and data["paths"][0]["path"][0] == "t"
    parse_expr(data["result"])
    for p in data["paths"]:
        parse_expr(p["term"])
    for p in data["partials"]:
        parse_expr(p["result"])
    for a in data["adjoints"]:
        parse_expr(a["value"])


def test_cli_markdown_and_latex_render():
    args = ["u*v", "--let", "u=x*y", "--let", "v=x+y", "--wrt", "x", "--matrix"]
    md = run(*args, "--format", "markdown")
    assert md.exit_code == 0 and "```" in md.output and r"\bar{u}" in md.output
    tex = run(*args, "--format", "latex")
    assert tex.exit_code == 0 and r"\begin{align*}" in tex.output
    assert r"\frac{\partial f}{\partial u}" in tex.output


def test_cli_graph_dot_and_errors(tmp_path):
    r = run("x**2", "--let", "x=t**2", "--graph", "dot")
    assert r.exit_code == 0 and r.output.startswith("digraph") and '"t" -> "x"' in r.output
    out = tmp_path / "g.dot"
    r = run("x**2", "--let", "x=t**2", "--graph", "dot", "-o", str(out))
    assert r.exit_code == 0 and out.read_text().startswith("digraph")
    assert run("x**2", "--graph", "dot").exit_code == 2
    assert run("x**2", "--let", "x=t", "--order", "2").exit_code == 2
    bad = run("x**2", "--let", "x=y", "--let", "y=x", "--format", "json")
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["error"]["kind"] == "usage"


def test_cli_verbose_shows_local_steps():
    r = run("sin(x)*y", "--let", "x=t**2", "--let", "y=exp(t)", "--wrt", "t", "--verbose")
    assert r.exit_code == 0 and "d/dx (y·sin(x)) = y · d/dx sin(x)" in r.output
    brief = run("sin(x)*y", "--let", "x=t**2", "--let", "y=exp(t)", "--wrt", "t")
    assert "d/dx (y·sin(x))" not in brief.output


def test_unknown_functions_through_a_graph():
    d = derive_chain("g(x)*y", ["x=t**2", "y=f(t)"], wrt="t")
    assert d.output.name == "F"  # f is taken by the unknown function
    f, g = sp.Function("f"), sp.Function("g")
    direct = sp.diff(g(t**2) * f(t), t)
    assert sp.simplify(d.result - direct) == 0 and d.verified


def test_nothing_to_differentiate_by():
    with pytest.raises(UsageError, match="no variable to vary"):
        derive_chain("x", ["x=5"])


def test_names_ending_in_bar_are_kept_for_adjoints():
    with pytest.raises(UsageError, match="kept for adjoints"):
        derive_chain("x + xbar", ["x=sin(t)", "xbar=cos(x)"], wrt="t")


def test_a_local_derivative_of_the_output_is_partial_when_it_uses_several():
    r = run("x*t + t", "--let", "x=t**2", "--wrt", "t")
    assert "∂f/∂t = x + 1" in r.output and "df/dt = t̄" in r.output


def test_graph_to_an_unwritable_file_is_a_usage_error():
    r = run("x**2", "--let", "x=t**2", "--graph", "dot", "-o", "/nonexistent/dir/g.dot")
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_long_chains_stay_fast_enough_to_finish():
    """400 definitions: children are cached, so this is linear-ish (it was cubic)."""
    lets = ["x0=t"] + [f"x{i}=2*x{i - 1}" for i in range(1, 401)]
    d = derive_chain("x400", lets, wrt="t")
    assert d.verified and d.path_count == 1
