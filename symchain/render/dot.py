"""The --let computation graph as a picture: Graphviz DOT text, or SVG through Graphviz.

DOT needs nothing installed; SVG runs Graphviz's `dot` when it is on PATH.
Each node shows its formula, each edge its local derivative.
"""

from __future__ import annotations

import shutil
import subprocess

import click

from ..core.errors import UsageError
from .formats.text import expr_text


def graph_dot(chain) -> str:
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


def write_graph(chain, fmt: str, output: str | None) -> None:
    """Print or write the picture; SVG without Graphviz is a usage error (exit 2)."""
    if not hasattr(chain, "graph"):
        raise UsageError("--graph draws a --let graph")
    emit_dot(graph_dot(chain), fmt, output)


def emit_dot(text: str, fmt: str, output: str | None) -> None:
    """DOT text to stdout or a file, or SVG through Graphviz's `dot`."""
    if fmt == "dot":
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as err:
                raise UsageError(f"cannot write {output}: {err.strerror}") from None
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text, nl=False)
        return
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            "--graph svg needs Graphviz's `dot` program, which is not installed; "
            "--graph dot writes the DOT text without it"
        )
    done = subprocess.run(
        [dot, "-Tsvg", "-o", output], input=text.encode(), capture_output=True, timeout=60
    )
    if done.returncode != 0:
        raise UsageError("Graphviz failed: " + done.stderr.decode(errors="replace").strip())
    click.echo(f"wrote {output}", err=True)
