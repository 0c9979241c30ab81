"""A long formula broken over LaTeX rows (render/formats/texbreak.py), and the
computation graph's tree drawn as text rows and as a dirtree."""

from __future__ import annotations

import re

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symchain.render.formats.latex import latex_lines
from symchain.render.formats.tex import expr_latex
from symchain.render.formats.texbreak import tex_rows
from symchain.render.formats.text import tree_rows
from symchain.render.layout import Tree, tree

x, y, t = sp.symbols("x y t", real=True)


def _balanced(row: str) -> bool:
    return row.count(r"\left") == row.count(r"\right")


def test_a_short_formula_is_one_row_as_printed():
    assert tex_rows(x**2 + sp.sin(x), 60, 60) == [expr_latex(x**2 + sp.sin(x))]


def test_a_long_sum_is_cut_before_its_terms_each_continuation_signed():
    expr = sum(sp.sin(k * x) * sp.cos(x**k) for k in range(1, 9)) - sp.exp(x)
    rows = tex_rows(expr, 60, 60)
    assert len(rows) > 2
    assert all(row.startswith(("+ ", "- ")) for row in rows[1:])
    assert all(_balanced(row) for row in rows)


def test_a_long_sum_beside_a_factor_is_cut_inside_its_brackets():
    inner = sum(sp.sin(k * x + t) for k in range(1, 12))
    rows = tex_rows(y * inner, 60, 60)
    assert rows[0].startswith(r"y \left(") and rows[0].endswith(r"\right.")
    assert rows[-1].startswith(r"\left.") and rows[-1].endswith(r"\right)")
    assert all(_balanced(row) for row in rows)


def test_a_whole_bracketed_factor_keeps_its_brackets():
    """y' = y · (a + b + c): the sum beside '·' stays in brackets however it is cut."""
    inner = sum(sp.Symbol(f"a{k}") / (x + k) for k in range(1, 9))
    rows = tex_rows(inner, 30, 60, bracket=True)
    assert rows[0].startswith(r"\left(") and rows[-1].endswith(r"\right)")


def test_digits_side_by_side_get_a_dot():
    """2·3ˣ cut as a product must never print as "2 3^{x}"."""
    expr = 2 * sp.Pow(3, x, evaluate=False) * sum(sp.sin(k * x) for k in range(1, 14))
    joined = " ".join(tex_rows(expr, 60, 60))
    assert not re.search(r"(?<![\^{_\d])\b2 3\^", joined)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=14), st.integers(20, 80))
def test_every_row_is_balanced_and_the_terms_all_appear(ks, width):
    expr = sp.Add(*[sp.Symbol(f"c{k}") * sp.sin(k * x + i) for i, k in enumerate(ks)])
    rows = tex_rows(expr, width, width)
    assert all(_balanced(row) for row in rows)
    assert " ".join(rows).count(r"\sin") == len(expr.as_ordered_terms())


def test_a_tree_is_drawn_with_guides_and_closes_with_the_last_child():
    f, u, v = sp.symbols("f u v")
    t_ = Tree(((0, f, ""), (1, u, ""), (2, x, ""), (2, y, ""), (1, v, ""), (2, u, "(drawn above)")))
    assert tree_rows(t_) == ["f", "├─ u", "│  ├─ x", "│  └─ y", "└─ v", "   └─ u  (drawn above)"]


def test_a_tree_a_thousand_deep_is_no_recursion():
    names = sp.symbols("n0:1200")
    rows = tree_rows(Tree(tuple((k, n, "") for k, n in enumerate(names))))
    assert rows[-1] == "   " * 1198 + "└─ n1199"


def test_a_tree_in_latex_is_a_dirtree_of_its_names_as_mathematics():
    a1, f = sp.symbols("a1 f")
    latex = latex_lines([tree(1, Tree(((0, f, ""), (1, a1, "(drawn above)"))))])
    assert latex.startswith("% needs \\usepackage{dirtree}\n")
    assert ".1 $f$.\n.2 $a_{1}$ (drawn above).\n" in latex
