"""The network at its numeric instance as a graph of scalars, as micrograd traces it.

Every number the forward pass computes is a node that remembers its inputs
and the local derivative to each; `backward` visits the nodes in reverse
topological order and applies the chain rule, node by node.  It draws the
picture of `backprop --graph`, and its parameter gradients are one more
independent check of the vectorized backprop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import UsageError
from .network import Network

MAX_NODES = 600  # a bigger picture is unreadable; the command says so


@dataclass(eq=False)
class Node:
    value: float
    label: str = ""
    op: str = ""  # how it was made: "+", "·", "σ", "ℓ", ...
    parents: tuple[tuple[Node, float], ...] = ()  # (input, ∂self/∂input)
    grad: float = 0.0
    kind: str = "value"  # "input", "parameter", "value", "loss"
    extra: dict = field(default_factory=dict)


def _add(nodes: list[Node], node: Node) -> Node:
    nodes.append(node)
    if len(nodes) > MAX_NODES:
        raise UsageError(
            f"`graph` draws at most {MAX_NODES} scalar nodes: use smaller `sizes` or `batch`"
        )
    return node


def build(network: Network, x: np.ndarray, t: np.ndarray) -> tuple[list[Node], Node, dict]:
    """Every scalar of the forward pass over the batch; returns (nodes, loss, parameter nodes)."""
    nodes: list[Node] = []
    params: dict[str, np.ndarray] = {}
    for name in network.names:
        values = network.params[name]
        grid = np.empty(values.shape, dtype=object)
        for index in np.ndindex(values.shape):
            label = f"{name}[{','.join(map(str, index))}]"
            grid[index] = _add(nodes, Node(float(values[index]), label, kind="parameter"))
        params[name] = grid
    n, k = t.shape
    terms = []
    for row in range(n):
        acts = [
            _add(
                nodes, Node(float(x[row, i]), f"x{row}[{i}]" if n > 1 else f"x[{i}]", kind="input")
            )
            for i in range(x.shape[1])
        ]
        for layer in range(1, network.layers + 1):
            w, b = params[f"W{layer}"], params[f"b{layer}"]
            f = network.activation(layer)
            nxt = []
            for j in range(network.sizes[layer]):
                products = [
                    _add(
                        nodes,
                        Node(
                            a.value * w[i, j].value,
                            op="·",
                            parents=((a, w[i, j].value), (w[i, j], a.value)),
                        ),
                    )
                    for i, a in enumerate(acts)
                ]
                total = sum(p.value for p in products) + b[j].value
                z = _add(
                    nodes,
                    Node(
                        total,
                        f"z{layer}[{j}]",
                        "+",
                        tuple((p, 1.0) for p in products) + ((b[j], 1.0),),
                    ),
                )
                out = float(f.forward(np.array([z.value]))[0])
                slope = float(f.derivative(np.array([z.value]), np.array([out]))[0])
                name = f"y[{j}]" if layer == network.layers else f"a{layer}[{j}]"
                nxt.append(
                    _add(
                        nodes,
                        Node(out, name if n == 1 else f"{name}#{row}", f.symbol, ((z, slope),)),
                    )
                )
            acts = nxt
        for j, y in enumerate(acts):
            yv, tv = np.array([[y.value]]), np.array([[t[row, j]]])
            value = network.loss.value(yv, tv) / network.loss.scale(1, 1)
            slope = float(network.loss.gradient(yv, tv)[0, 0] / network.loss.scale(1, 1))
            terms.append(_add(nodes, Node(value, f"ℓ (t={t[row, j]:g})", "ℓ", ((y, slope),))))
    scale = network.loss.scale(n, k)
    loss = _add(
        nodes,
        Node(
            scale * sum(term.value for term in terms),
            "L",
            "Σ",
            tuple((term, scale) for term in terms),
            kind="loss",
        ),
    )
    return nodes, loss, params


def backward(loss: Node) -> None:
    """Reverse topological order from the loss: each node passes grad·∂self/∂input down."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(loss, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((parent, False) for parent, _ in node.parents)
    loss.grad = 1.0
    for node in reversed(order):
        for parent, local in node.parents:
            parent.grad += node.grad * local


def parameter_gradients(params: dict) -> dict[str, np.ndarray]:
    return {
        name: np.vectorize(lambda node: node.grad, otypes=[float])(grid)
        for name, grid in params.items()
    }


@dataclass(frozen=True)
class InstanceGraph:
    """The network's scalar graph at a walkthrough's instance, every gradient filled in."""

    nodes: tuple[Node, ...]
    loss: Node
    samples: int
    loss_title: str


def at_instance(network: Network, x: np.ndarray, t: np.ndarray) -> InstanceGraph:
    """Build the scalar graph of the loss at (x, t) and run its backward pass."""
    nodes, loss, _ = build(network, x, t)
    backward(loss)
    return InstanceGraph(tuple(nodes), loss, x.shape[0], network.loss.title)
