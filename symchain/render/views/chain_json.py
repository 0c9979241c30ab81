"""A multivariable chain-rule derivation as data; every expression a string parse_expr reads.

Adjoints are written `xbar` (the adjoint of x) in these strings.
"""

from __future__ import annotations

from ...calculus.multivariable import ChainDerivation
from ..formats.json import expr_str, step_dict


def chain_dict(c: ChainDerivation) -> dict:
    from .chain import status

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
        "status": status(c),
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
