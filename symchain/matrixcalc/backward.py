"""Reverse accumulation through named quantities: the gradient of a scalar by every name.

A program is a list of definitions, each in terms of the leaves and earlier names
(Z1 = X·W1 + 1·b1ᵀ, A1 = σ(Z1), …, L = ‖Y − T‖²/2N).  Each definition gets its
differential by the rules of `differential`.  Then, from L inwards, the gradient of L by
a name (its adjoint, shaped like the name) is pulled through that name's differential
onto what it is made of: ⟨G, dZ⟩ with dZ = dA·W + A·dW + 1·dbᵀ gives G·Wᵀ to A, AᵀG to
W and Gᵀ1 to b.  A name used twice collects one term per use, one term per path.

An adjoint the caller gives a symbol (δ2 for Z2) is written with that symbol where it is
used further in; one without is written out in place, so that the steps read as the
seed's do: δ1 = (δ2·W2ᵀ) ⊙ σ′(Z1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..core.errors import UsageError
from .differential import Pull, Step, differential_of
from .expr import ONE, ZERO, Add, Func, Mul, Node, Ones, Shape, Shapes, Var, depends_on, replaced
from .numeric import evaluate
from .simplify import size, tidy


@dataclass(frozen=True)
class Adjoint:
    """∂L/∂name: in the forward names and the symbols of the adjoints before it."""

    name: str
    symbol: str | None  # δ2, when the caller names it
    value: Node
    uses: int  # terms collected: one per use of the name (0: L does not depend on it)


@dataclass(frozen=True)
class Reverse:
    definitions: tuple[Step, ...]  # each name: what it is, its differential, the rules
    adjoints: tuple[Adjoint, ...]  # in the order computed: from L inwards, parameters last
    shapes: Shapes  # leaves, names and adjoint symbols

    def adjoint(self, name: str) -> Adjoint:
        return next(a for a in self.adjoints if a.name == name)

    def evaluate(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every name and every adjoint at the leaves' values (sizes are numbers here)."""
        out = dict(values)
        for d in self.definitions:
            out[d.name] = evaluate(d.expr, out, {})
        gradients = {}
        for a in self.adjoints:
            value = evaluate(a.value, out, {})
            value = np.broadcast_to(value, _numbers(self.shapes.of_var[a.name])).copy()
            gradients[a.name] = value
            if a.symbol is not None:
                out[a.symbol] = value
        return gradients


def _numbers(shape: Shape) -> tuple[int, int]:
    r, c = shape
    if not (isinstance(r, int) and isinstance(c, int)):
        raise UsageError("a program is evaluated at sizes given as numbers")
    return r, c


def reverse(
    program: Sequence[tuple[str, Node]],
    leaves: Mapping[str, Shape],
    wrt: Sequence[str],
    symbols: Mapping[str, str] | None = None,
    aliases: Mapping[str, Node] | None = None,
) -> Reverse:
    """The adjoint of every name of `program` (the last one is the scalar L) that depends
    on `wrt`, then of every name in `wrt`.  `aliases` maps a name of the program to the
    form the adjoints write it in (each row's softmax, S): that form is written S."""
    symbols = dict(symbols or {})
    written: dict[Node, Node] = {pattern: Var(n) for n, pattern in (aliases or {}).items()}
    shapes = Shapes(dict(leaves))
    for name, expr in program:
        shapes = shapes.with_var(name, shapes(expr))
    output = program[-1][0]
    if shapes.of_var[output] != (1, 1):
        raise UsageError(f"{output}, the last name of the program, must be a scalar")
    dependent = set(wrt)
    for name, expr in program:
        if depends_on(expr, dependent):
            dependent.add(name)
    definitions = []
    for name, expr in program:
        d, rules = differential_of(expr, shapes, dependent)
        definitions.append(Step(name, expr, d, tuple(rules)))
    for name, symbol in symbols.items():
        shapes = shapes.with_var(symbol, shapes.of_var[name])
    found = {d.name: d for d in definitions}
    pull = Pull(shapes, dependent)
    collected: dict[str, list[Node]] = {output: [ONE]}
    adjoints: list[Adjoint] = []
    for step in reversed(definitions):
        if step.name not in collected:
            continue
        value = _total(collected[step.name], step.name, shapes, found)
        value = replaced(value, lambda n: written.get(n) if isinstance(n, Node) else None)
        if step.name != output:
            uses = len(collected[step.name])
            adjoints.append(Adjoint(step.name, symbols.get(step.name), value, uses))
        carried = Var(symbols[step.name]) if step.name in symbols else value
        for target, term in pull.pull(carried, step.differential):
            collected.setdefault(target, []).append(term)
    for name in wrt:
        terms = collected.get(name, [])
        value = _total(terms, name, shapes, found) if terms else _zeros(shapes.of_var[name])
        adjoints.append(Adjoint(name, None, value, len(terms)))
    return Reverse(tuple(definitions), tuple(adjoints), shapes)


def _zeros(shape: Shape) -> Node:
    return Mul((ZERO, Ones(shape)))


def _total(terms: list[Node], name: str, shapes: Shapes, found: dict[str, Step]) -> Node:
    """The terms summed and tidied; where a name is f(another name), σ(Z2) written as its
    function is tried too (σ′(Z2) ⊙ (σ(Z2) − T) ⊘ … cancels), and kept if smaller."""
    total = tidy(terms[0] if len(terms) == 1 else Add(tuple(terms)), shapes)
    inner: dict[Node, Node] = {Var(n): d.expr for n, d in found.items() if isinstance(d.expr, Func)}
    if not inner or not total.has(lambda n: n in inner):
        return total
    opened = tidy(replaced(total, lambda n: inner.get(n)), shapes)
    back: dict[Node, Node] = {expr: var for var, expr in inner.items()}
    closed = tidy(replaced(opened, lambda n: back.get(n)), shapes)
    return closed if size(closed) < size(total) else total


__all__ = ["Adjoint", "Reverse", "reverse"]
