"""Graphs as Graphviz DOT text: the --let computation graph (each node its formula, each
edge its local derivative) and a network's scalar graph at an instance (each value with
its gradient).  Writing the text, or running Graphviz for SVG, is the command line's job.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .formats.text import expr_text

if TYPE_CHECKING:
    from ..calculus.multivariable import ChainDerivation
    from ..nn.scalar_graph import InstanceGraph


def graph_dot(chain: ChainDerivation) -> str:
    """DOT text of the graph: edges point from a quantity to what uses it, as values flow."""
    g = chain.graph
    local = {(e.parent, e.child): e.result for e in chain.edges}
    out = ["digraph symchain {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];']
    for node in g.order:
        label = node.name
        if node in g.definitions:
            label += " = " + expr_text(g.definitions[node])
        shape = ", shape=ellipse" if node not in g.definitions else ""
        color = ', style=filled, fillcolor="#dde8ff"' if node == chain.variable else ""
        out.append(f"  {_id(node.name)} [label={_quote(label)}{shape}{color}];")
    for parent, child in g.edges:
        attrs = ""
        if (parent, child) in local:
            d = "∂" if len(g.children(parent)) > 1 else "d"
            text = f"{d}{parent.name}/{d}{child.name} = {expr_text(local[(parent, child)])}"
            attrs = f" [label={_quote(text)}]"
        out.append(f"  {_id(child.name)} -> {_id(parent.name)}{attrs};")
    out.append("}")
    return "\n".join(out) + "\n"


def _id(name: str) -> str:
    return '"' + name + '"'


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def network_dot(graph: InstanceGraph) -> str:
    """Graphviz DOT as micrograd draws it: a record per value (name, value, grad), ops as ovals."""
    nodes = graph.nodes
    plural = "s" if graph.samples > 1 else ""
    title = f"{graph.loss_title}, {graph.samples} sample{plural}: L = {graph.loss.value:.6g}"
    ids = {id(node): f"n{i}" for i, node in enumerate(nodes)}
    out = [
        "digraph backprop {",
        "  rankdir=LR;",
        f"  label={_record_quote(title)}; labelloc=t;",
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    colours = {"parameter": "#dde8ff", "input": "#eeeeee", "loss": "#ffe0cc"}
    for node in nodes:
        name = _escape(node.label or "value")
        label = f"{{ {name} | value {_num(node.value)} | grad {_num(node.grad)} }}"
        fill = colours.get(node.kind)
        style = f', style=filled, fillcolor="{fill}"' if fill else ""
        out.append(f"  {ids[id(node)]} [shape=record, label={_record_quote(label)}{style}];")
        if node.op:
            out.append(f"  {ids[id(node)]}_op [shape=ellipse, label={_record_quote(node.op)}];")
            out.append(f"  {ids[id(node)]}_op -> {ids[id(node)]};")
            for parent, _ in node.parents:
                out.append(f"  {ids[id(parent)]} -> {ids[id(node)]}_op;")
    out.append("}")
    return "\n".join(out) + "\n"


def _num(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _escape(text: str) -> str:
    for char in "{}|<>":
        text = text.replace(char, "\\" + char)
    return text


def _record_quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'
