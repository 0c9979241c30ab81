"""A multivariable chain-rule derivation laid out as lines for every text format, and as data.

Sections, in the seed's order: the definitions, the computation graph,
each local derivative, the paths from t to f with one product term each,
their sum, the backward pass (adjoints), the answer and its check.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ...calculus.multivariable import Bar, ChainDerivation, format_count
from ...core.steps import FAILED
from .. import View, view
from ..formats import Detail
from ..formats.json import expr_str, step_dict
from ..formats.tex import expr_latex, part_latex
from ..layout import (
    DEF,
    DOT,
    EQ,
    Line,
    Math,
    Op,
    Ratio,
    Text,
    Tree,
    rules_used,
    step_lines,
    title,
    tree,
)

PATHS_SHOWN = {"brief": 4, "normal": 8, "full": 64}
PLUS = Op("+", breaks=False)


@view("ChainDerivation")
class ChainView(View):
    def lines(self, result: ChainDerivation, detail: Detail = "normal", **_: Any) -> list[Line]:
        return chain_lines(result, detail)

    def to_dict(self, result: ChainDerivation) -> dict[str, Any]:
        return chain_dict(result)

    def notebook_latex(self, result: ChainDerivation) -> str:
        return answer_latex(result)


def chain_lines(c: ChainDerivation, detail: Detail = "normal") -> list[Line]:
    """Every line of the derivation, in order."""
    lines = _definitions(c)
    lines += _graph(c)
    if detail != "brief":
        lines += _locals(c, detail)
    lines += _paths(c, detail)
    lines += _backward(c, detail)
    if c.matrix is not None:
        lines += _matrix(c)
    lines += _answer(c)
    return lines


def _ratio(c: ChainDerivation, top: sp.Symbol, var: sp.Symbol) -> Ratio:
    """A local derivative: ∂top/∂var when top uses several quantities, dtop/dvar when only var."""
    return Ratio(top, var, partial=len(c.graph.children(top)) > 1)


def _total(c: ChainDerivation) -> Ratio:
    """The answer: df/dt when f depends on t alone, ∂f/∂t when other inputs are held fixed."""
    return Ratio(c.output, c.variable, partial=not c.ordinary)


def _definitions(c: ChainDerivation) -> list[Line]:
    g = c.graph
    lines = [Line(0, (Math(g.output), DEF, Math(g.definitions[g.output])), kind="result")]
    for i, name in enumerate(g.lets):
        lead = "  with " if i == 0 else "       "
        lines.append(Line(0, (Text(lead), Math(name), DEF, Math(g.definitions[name])), kind="note"))
    return lines


def _graph(c: ChainDerivation) -> list[Line]:
    """The DAG as a tree from the output down; a node already drawn is not drawn again."""
    g = c.graph
    nodes = [(0, g.output, "")]
    drawn: set[sp.Symbol] = set()
    stack = [(child, 1) for child in reversed(g.children(g.output))]
    while stack:
        node, level = stack.pop()
        again = node in drawn and bool(g.children(node))
        nodes.append((level, node, "(drawn above)" if again else ""))
        if again:
            continue
        drawn.add(node)
        stack.extend((kid, level + 1) for kid in reversed(g.children(node)))
    lines = [title("Computation graph"), tree(1, Tree(tuple(nodes)))]
    inputs = ", ".join(s.name for s in g.inputs)
    lines.append(
        Line(
            1,
            (Text(f"{len(g.definitions)} named, inputs {inputs}, {len(g.edges)} edges"),),
            kind="note",
        )
    )
    return lines


def _locals(c: ChainDerivation, detail: str) -> list[Line]:
    lines = [title("Local derivatives")]
    for e in c.edges:
        rules = ", ".join(rules_used(e.derivation))
        lines.append(
            Line(1, (_ratio(c, e.parent, e.child), EQ, Math(e.result)), rules, "step", _verdict(e))
        )
        if detail == "full":
            lines += step_lines(e.derivation, 2, "normal")
    return lines


def _verdict(edge) -> str:
    return "symbolic" if edge.derivation.verified else "unconfirmed"


def _paths(c: ChainDerivation, detail: str) -> list[Line]:
    shown = c.paths[: PATHS_SHOWN[detail]]
    lines = [title(f"Paths from {c.variable} to {c.output}: {format_count(c.path_count)}")]
    if c.path_count == 0:
        return lines
    lines.append(
        Line(
            1, (Text("each path contributes the product of the derivatives along it"),), kind="note"
        )
    )
    for path in shown:
        lines.append(_path_line(c, path))
    more = c.path_count - len(shown)
    if more > 0:
        lines.append(Line(1, (Text(f"… and {format_count(more)} more"),), kind="note"))
    if c.path_sum is not None:
        total = _total(c)
        lines.append(title("Sum over the paths"))
        if len(c.paths) <= WRITTEN_SUM:
            terms: list = []
            for path in c.paths:
                if terms:
                    terms.append(PLUS)
                terms += _dotted([Math(f, factor=True) for f in path.factors])
            lines.append(Line(1, (total, EQ, *terms), kind="step"))
            lead = [Text("= ")]
        else:
            lead = [total, EQ, Text(f"the sum of the {len(c.paths)} path terms"), EQ]
        verdict = c.path_check.status if c.path_check else None
        same = Text("   (the same as the backward pass below)")
        lines.append(Line(1, (*lead, Math(c.path_sum), same), kind="step", verdict=verdict))
    elif c.path_count > len(c.paths) or c.path_count > 1:
        lines.append(
            Line(
                1,
                (Text("too many to add up one by one: reverse accumulation below does it"),),
                kind="note",
            )
        )
    return lines


WRITTEN_SUM = 4  # paths: with more, their sum is not written factor by factor
SHOWN_NODES = 300  # an answer with more nodes is not written out in the inputs
ROUTE_SHOWN = 30  # nodes: a longer route is written with its middle elided
LONG_PATH = 6  # edges: a longer path is written with its middle elided


def _path_line(c: ChainDerivation, path) -> Line:
    """t → x → f:  ∂f/∂x · dx/dt = 2*x · 2*t (a long path keeps its two ends)."""
    nodes, edges = path.nodes, len(path.nodes) - 1
    ratios = [_ratio(c, nodes[i + 1], nodes[i]) for i in reversed(range(edges))]
    factors = [Math(f, factor=True) for f in path.factors]
    route = " → ".join(s.name for s in nodes)
    if edges > LONG_PATH:
        if len(nodes) > ROUTE_SHOWN:
            first, last = (
                " → ".join(s.name for s in nodes[:3]),
                " → ".join(s.name for s in nodes[-3:]),
            )
            route = f"{first} → … → {last}"
        route += f" ({edges} edges)"
        ratios = ratios[:2] + [Text("…")] + ratios[-2:]
        factors = factors[:2] + [Text("…")] + factors[-2:]
    return Line(1, (Text(route + ":  "), *_dotted(ratios), EQ, *_dotted(factors)), kind="step")


def _dotted(parts: list) -> list:
    out: list = []
    for part in parts:
        if out:
            out.append(DOT)
        out.append(part)
    return out


def _backward(c: ChainDerivation, detail: str) -> list[Line]:
    lines = [title(f"Backward pass: adjoints n̄ = ∂{c.output}/∂n, from {c.output} down")]
    for a in c.adjoints:
        parts: list = [Math(a.symbol), EQ]
        if not a.terms:
            lines.append(Line(1, (*parts, Math(sp.Integer(1))), kind="step"))
            continue
        if detail != "brief":
            for i, (parent, _) in enumerate(a.terms):
                if i:
                    parts.append(PLUS)
                parts += [Math(Bar(parent)), DOT, _ratio(c, parent, a.node)]
            parts.append(EQ)
        lines.append(Line(1, (*parts, Math(a.value)), kind="step"))
    m = c.multiplications
    lines.append(
        Line(1, (Text(
            f"multiplications for {_ratio_text(c)}: forward accumulation {m['forward']}, "
            f"reverse {m['reverse']}, listing every path {format_count(m['paths'])}"
        ),), kind="note")
    )  # fmt: skip
    if len(c.graph.inputs) > 1:
        lines.append(
            Line(1, (Text(
                f"for the whole gradient ({len(c.graph.inputs)} inputs): forward "
                f"{m['forward_all_inputs']}, reverse {m['reverse_all_inputs']}"
            ),), kind="note")
        )  # fmt: skip
    return lines


def _ratio_text(c: ChainDerivation) -> str:
    d = "∂" if not c.ordinary else "d"
    return f"{d}{c.output}/{d}{c.variable}"


def _matrix(c: ChainDerivation) -> list[Line]:
    m = c.matrix
    k, n = len(m.middle), len(m.inputs)
    g = ", ".join(s.name for s in m.middle)
    x = ", ".join(s.name for s in m.inputs)
    lines = [title(f"Matrix form: J(f∘g) = J_f(g) · J_g   [1×{n}] = [1×{k}] · [{k}×{n}]")]
    lines.append(Line(1, (Text(f"g = ({g}) as functions of ({x})"),), kind="note"))
    lines.append(Line(1, (Text(f"J_f [1×{k}]"), EQ, Math(m.outer)), kind="step"))
    lines.append(Line(1, (Text(f"J_g [{k}×{n}]"), EQ, Math(m.inner)), kind="step"))
    lines.append(
        Line(
            1,
            (Text(f"J_f(g) · J_g [1×{n}]"), EQ, Math(m.product)),
            kind="step",
            verdict=m.check.status,
        )
    )
    return lines


def _answer(c: ChainDerivation) -> list[Line]:
    total = _total(c)
    lines = [
        Line(0, (), kind="note"),
        Line(0, (total, EQ, Math(Bar(c.variable)), EQ, Math(c.derived)), kind="result"),
    ]
    if not c.substituted:
        why = "(in the named quantities and adjoints above: written out, it is too long)"
        lines.append(Line(0, (Text(why),), kind="note"))
    elif c.raw != c.derived:
        names = ", ".join(s.name for s in c.graph.lets)
        if len(names) > 40:
            names = f"the {len(c.graph.lets)} names"
        size = sum(1 for _ in sp.preorder_traversal(c.raw))
        if size <= SHOWN_NODES:
            lines.append(
                Line(
                    0, (Text("      = "), Math(c.raw), Text(f"   ({names} put back)")), kind="note"
                )
            )
        else:
            why = f"with {names} put back it has {size:,} nodes (see --format json)"
            lines.append(Line(0, (Text(why),), kind="note"))
    if (
        c.substituted
        and c.result != c.raw
        and sum(1 for _ in sp.preorder_traversal(c.result)) <= SHOWN_NODES
    ):
        lines.append(Line(0, (Text("simplified: "), Math(c.result)), kind="note"))
    lines.append(Line(0, (Text(status_text(c)),), kind="status", verdict=c.status))
    return lines


def status_text(c: ChainDerivation) -> str:
    how = "" if c.check.status == "symbolic" else " at random points"
    if c.verified:
        target = f"differentiating {c.output.name} with every name put back"
        if not c.substituted:
            target = "a 40-digit finite difference through the graph"
        return f"✓ verified: every local derivative by SymPy's diff; the answer{how} by {target}"
    if c.status == FAILED:
        return "✗ NOT verified: the answer differs from differentiating directly"
    bad = [e for e in c.edges if not e.derivation.verified]
    if bad:
        return f"? unconfirmed: {len(bad)} local derivative(s) could not be checked"
    return "? unconfirmed: the answer could not be checked against direct differentiation"


def answer_latex(c: ChainDerivation) -> str:
    mark = r"\quad\checkmark" if c.verified else r"\quad\text{(unverified)}"
    return f"$${part_latex(_total(c))} = {expr_latex(c.result)}{mark}$$"


def chain_dict(c: ChainDerivation) -> dict[str, Any]:
    """The derivation as data; adjoints are written `xbar` (the adjoint of x)."""
    g = c.graph
    out = {
        "input": c.input if c.input is not None else expr_str(g.definitions[g.output]),
        "expression": expr_str(g.definitions[g.output]),
        "output": g.output.name,
        "let": {s.name: expr_str(g.definitions[s]) for s in g.lets},
        "variable": c.variable.name,
        "inputs": [s.name for s in g.inputs],
        "result": expr_str(c.result),
        "derived": expr_str(c.derived),
        "substituted": c.substituted,
        "verified": c.verified,
        "complete": c.complete,
        "status": c.status,
        "warnings": list(c.warnings),
        "check": c.check.status,
        "graph": {
            "nodes": [
                {
                    "name": n.name,
                    "expression": expr_str(g.definitions[n]) if n in g.definitions else None,
                }
                for n in g.order
            ],
            "edges": [[p.name, ch.name] for p, ch in g.edges],
        },
        "partials": [
            {
                "of": e.parent.name,
                "wrt": e.child.name,
                "partial": e.partial,
                "result": expr_str(e.result),
                "verified": e.derivation.verified,
                "complete": e.derivation.complete,
                "steps": step_dict(e.derivation.steps),
            }
            for e in c.edges
        ],
        "path_count": c.path_count,
        "paths": [
            {
                "path": [s.name for s in p.nodes],
                "factors": [expr_str(f) for f in p.factors],
                "term": expr_str(p.term),
            }
            for p in c.paths
        ],
        "paths_truncated": c.path_count > len(c.paths),
        "path_sum": expr_str(c.path_sum) if c.path_sum is not None else None,
        "adjoints": [
            {
                "node": a.node.name,
                "name": expr_str(a.symbol),
                "terms": [{"from": p.name, "term": expr_str(t)} for p, t in a.terms],
                "value": expr_str(a.value),
            }
            for a in c.adjoints
        ],
        "multiplications": dict(c.multiplications),
    }
    if c.matrix is not None:
        m = c.matrix
        out["matrix"] = {
            "middle": [s.name for s in m.middle],
            "inputs": [s.name for s in m.inputs],
            "J_f": _rows(m.outer),
            "J_g": _rows(m.inner),
            "product": _rows(m.product),
            "direct": _rows(m.direct),
            "shapes": {
                "J_f": [1, len(m.middle)],
                "J_g": [len(m.middle), len(m.inputs)],
                "product": [1, len(m.inputs)],
            },
            "verified": m.check.confirmed,
        }
    return out


def _rows(matrix) -> list[list[str]]:
    return [[expr_str(matrix[i, j]) for j in range(matrix.cols)] for i in range(matrix.rows)]
