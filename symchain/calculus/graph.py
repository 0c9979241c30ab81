"""The computation graph behind `--let`: named quantities and what each uses.

`f = x**2 + y**2` with `x = t**2` and `y = sin(t)` is a small DAG:
f uses x and y, both use t.  This module builds and checks that graph
(no cycles, no unused or doubly defined names) and answers questions
about it: which nodes depend on a variable, how many paths join two
nodes (counted, never listed, so 2^20 paths cost nothing), and what an
expression is once every name is replaced by its definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..core.errors import ParseError, UsageError
from ..core.parse import parse, read
from .derivation import check_name

MAX_LETS = 1000
OUTPUT_NAMES = ("f", "F", "L", "out")


@dataclass(frozen=True)
class Graph:
    """A DAG of named quantities; `definitions` maps each name to its formula."""

    output: sp.Symbol
    definitions: dict[sp.Symbol, sp.Expr]  # output and every --let, in the order given
    texts: dict[sp.Symbol, str]  # what the user typed for each
    notes: tuple[str, ...] = ()  # how the texts were read where a convention decided it

    @cached_property
    def inputs(self) -> tuple[sp.Symbol, ...]:
        """Free symbols no definition names: the graph's leaves."""
        used = set().union(*(e.free_symbols for e in self.definitions.values()))
        return tuple(sorted(used - set(self.definitions), key=lambda s: s.name))

    @cached_property
    def lets(self) -> tuple[sp.Symbol, ...]:
        return tuple(s for s in self.definitions if s != self.output)

    def children(self, node: sp.Symbol) -> tuple[sp.Symbol, ...]:
        """What `node` uses directly: --let names in the order given, then inputs by name."""
        return self._children.get(node, ())

    @cached_property
    def _children(self) -> dict[sp.Symbol, tuple[sp.Symbol, ...]]:
        rank = {s: i for i, s in enumerate(self.definitions)}
        inputs = {s: i for i, s in enumerate(self.inputs)}
        out = {}
        for node, expr in self.definitions.items():
            free = expr.free_symbols
            named = sorted((s for s in free if s in rank), key=rank.__getitem__)
            out[node] = tuple(named) + tuple(
                sorted((s for s in free if s in inputs), key=inputs.__getitem__)
            )
        return out

    @cached_property
    def order(self) -> tuple[sp.Symbol, ...]:
        """Every node, each after everything it uses (inputs first, output last)."""
        seen: set[sp.Symbol] = set()
        out: list[sp.Symbol] = []
        stack: list[tuple[sp.Symbol, bool]] = [(self.output, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                out.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(self.children(node)) if c not in seen)
        return tuple(out)

    @cached_property
    def backward(self) -> tuple[sp.Symbol, ...]:
        """Every node after all that use it (output first), ties in the order given."""
        parents: dict[sp.Symbol, int] = {n: 0 for n in self.order}
        for node in self.order:
            for child in self.children(node):
                parents[child] += 1
        rank = {n: i for i, n in enumerate(list(self.definitions) + list(self.inputs))}
        ready, out = [self.output], []
        while ready:
            ready.sort(key=rank.__getitem__)
            node = ready.pop(0)
            out.append(node)
            for child in self.children(node):
                parents[child] -= 1
                if not parents[child]:
                    ready.append(child)
        return tuple(out)

    @cached_property
    def edges(self) -> tuple[tuple[sp.Symbol, sp.Symbol], ...]:
        """(parent, child) for every use, parents from the output down."""
        return tuple((n, c) for n in self.backward for c in self.children(n))

    def depends_on(self, var: sp.Symbol) -> frozenset[sp.Symbol]:
        """Nodes from which `var` can be reached (var included)."""
        reach = {var}
        for node in self.order:
            if any(c in reach for c in self.children(node)):
                reach.add(node)
        return frozenset(reach)

    def path_counts(self, var: sp.Symbol) -> dict[sp.Symbol, int]:
        """For each node, the number of paths from it down to `var` (exact integers)."""
        counts: dict[sp.Symbol, int] = {}
        for node in self.order:
            counts[node] = 1 if node == var else sum(counts[c] for c in self.children(node))
        return counts

    def path_edge_total(self, var: sp.Symbol) -> int:
        """The number of edges summed over every path from the output to `var`."""
        counts, edges = self.path_counts(var), {}
        for node in self.order:
            edges[node] = sum(edges[c] + counts[c] for c in self.children(node))
        return edges[self.output]

    def paths(self, var: sp.Symbol, limit: int) -> Iterator[tuple[sp.Symbol, ...]]:
        """The first `limit` paths from `var` up to the output, each listed bottom to top."""
        counts = self.path_counts(var)
        found = 0
        stack: list[tuple[sp.Symbol, ...]] = [(self.output,)]
        while stack and found < limit:
            path = stack.pop()
            node = path[-1]
            if node == var:
                found += 1
                yield tuple(reversed(path))
                continue
            kids = [c for c in self.children(node) if counts[c]]
            stack.extend(path + (c,) for c in reversed(kids))

    def sizes(self) -> dict[sp.Symbol, int]:
        """How many nodes each quantity's formula has once every name is substituted."""
        sizes: dict[sp.Symbol, int] = {}
        for node in self.order:
            expr = self.definitions.get(node)
            sizes[node] = 1 if expr is None else tree_size(expr, sizes)
        return sizes

    def substitute(self, expr: sp.Expr) -> sp.Expr:
        """`expr` with every defined name replaced, down to the inputs."""
        full: dict[sp.Symbol, sp.Expr] = {}
        for node in self.order:
            if node in self.definitions:
                full[node] = self.definitions[node].xreplace(full)
        if expr.has(sp.Derivative):  # f'(x) at x = t**2 must become a Subs, not d/d(t**2)
            return expr.subs(full)
        return expr.xreplace(full)


def tree_size(expr: sp.Expr, sizes: dict[sp.Symbol, int]) -> int:
    """Nodes of `expr`, a named quantity counting as its substituted size."""
    return sum(sizes.get(node, 1) if not node.args else 1 for node in sp.preorder_traversal(expr))


def build_graph(formula: str | sp.Expr, lets: list[str] | dict, log10: bool = False) -> Graph:
    """The graph of `formula` with `lets` ("x=t**2", or a name → formula mapping)."""
    notes: list[str] = []
    names = {name for name, _ in _let_pairs(lets)}
    if isinstance(formula, str):
        reading = read(formula, log10=log10, variables=names)
        expr, notes = reading.expr, list(reading.notes)
    else:
        expr = formula
    pairs = _let_pairs(lets)
    if len(pairs) > MAX_LETS:
        raise UsageError(f"{len(pairs)} `lets` definitions; the limit is {MAX_LETS}")
    definitions: dict[sp.Symbol, sp.Expr] = {}
    texts: dict[sp.Symbol, str] = {}
    for name, text in pairs:
        sym = _let_symbol(name)
        if sym in definitions:
            raise UsageError(f"`lets` defines {name} twice")
        try:
            if isinstance(text, str):
                reading = read(text, log10=log10, variables=names)
                definitions[sym] = reading.expr
                notes += [f"in {name} = {text}: {note}" for note in reading.notes]
            else:
                definitions[sym] = text
        except ParseError as err:
            raise ParseError(
                f"in `lets` {name}=…: {err.message}", text=err.text, position=err.position
            ) from None
        texts[sym] = text if isinstance(text, str) else sp.sstr(text)
    output = _output_symbol(expr, definitions)
    graph = Graph(
        output,
        {output: expr, **definitions},
        {output: formula if isinstance(formula, str) else sp.sstr(expr), **texts},
        tuple(dict.fromkeys(notes)),
    )
    _check_acyclic(graph)
    unused = [s.name for s in graph.lets if s not in graph.order]
    if unused:
        raise UsageError(
            f"`lets` {', '.join(unused)}: defined but not used by the formula or any other `lets`"
        )
    return graph


def _let_pairs(lets: list[str] | dict) -> list[tuple[str, str | sp.Expr]]:
    if isinstance(lets, dict):
        return [(str(k), v) for k, v in lets.items()]
    pairs = []
    for item in lets:
        if not isinstance(item, str) or "=" not in item:
            raise UsageError(f"`lets` wants name=formula, like x=t**2, not {item!r}")
        name, text = item.split("=", 1)
        pairs.append((name.strip(), text.strip()))
    return pairs


def _let_symbol(name: str) -> sp.Symbol:
    """A --let name must read back as that same plain symbol (not sin, e, pi or f)."""
    check_name(name, "`lets` name")
    try:
        sym = parse(name)
    except ParseError as err:
        raise UsageError(f"`lets` name {name!r}: {err.message}") from None
    if not isinstance(sym, sp.Symbol) or sym.name != name:
        raise UsageError(f"`lets` name {name!r} is a reserved name in formulas; choose another")
    return sym


def _output_symbol(expr: sp.Expr, definitions: dict) -> sp.Symbol:
    """The output's name, f as in the seed, unless something else is called that."""
    from sympy.core.function import AppliedUndef

    taken = {s.name for s in definitions} | {s.name for s in expr.free_symbols}
    taken |= {type(a).__name__ for a in expr.atoms(AppliedUndef)}
    for value in definitions.values():
        taken |= {s.name for s in value.free_symbols}
        taken |= {type(a).__name__ for a in value.atoms(AppliedUndef)}
    name = (
        next(n for n in OUTPUT_NAMES if n not in taken)
        if any(n not in taken for n in OUTPUT_NAMES)
        else "output"
    )
    return sp.Symbol(name, real=True)


def _check_acyclic(graph: Graph) -> None:
    """A definition that uses itself, directly or through others, is refused with its cycle."""
    state: dict[sp.Symbol, int] = {}  # 1 on the current path, 2 finished
    for start in graph.definitions:
        if state.get(start):
            continue
        path: list[sp.Symbol] = []
        stack: list[tuple[sp.Symbol, Iterator[sp.Symbol]]] = [(start, iter(graph.children(start)))]
        state[start] = 1
        path.append(start)
        while stack:
            node, kids = stack[-1]
            child = next(kids, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child) :] + [child]
                raise UsageError(
                    "the `lets` definitions form a cycle: " + " → ".join(s.name for s in cycle)
                )
            if not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph.children(child))))
