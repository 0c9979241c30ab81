"""The multivariable chain rule over a `--let` graph: one term per path, and adjoints.

df/dt is the sum, over every path from t up to f, of the product of the
local derivatives along it (the seed's section 2).  Listing paths costs
one product per path, which is hopeless for 2^20 of them, so the answer
is always computed by reverse accumulation (backprop): adjoints
n̄ = ∂f/∂n from the output down, one multiplication per edge.  Paths are
listed (a few) to explain, and summed to cross-check when there are few.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..core.compare import Verdict, compare
from ..core.errors import UsageError
from ..core.simplify import tidy
from ..core.status import Status, combine
from ..core.steps import FAILED, NUMERIC, SYMBOLIC, UNCONFIRMED
from ..results import Rendered
from .derivation import Derivation, check_name, derive
from .graph import Graph, build_graph, tree_size

PATHS_LISTED = 100  # paths kept (JSON); the text shows fewer
PATHS_SUMMED = 64  # up to this many paths, their sum is formed and checked against the adjoints
SUBSTITUTE_LEAVES = 3000  # leaves: an adjoint longer than this is not written out
SUBSTITUTE_NODES = 4000  # beyond this, results stay in terms of the named quantities


class Bar(sp.Symbol):
    """An adjoint n̄ = ∂f/∂n, printed with a bar; `str` gives the readable name `nbar`."""

    def __new__(cls, node: sp.Symbol):
        obj = super().__new__(cls, node.name + "bar", real=True)
        obj.node = node
        return obj

    def __getnewargs_ex__(self):
        return ((self.node,), {})


@dataclass(frozen=True)
class Edge:
    """One use: `parent`'s formula uses `child`; its local derivative, derived and checked."""

    parent: sp.Symbol
    child: sp.Symbol
    derivation: Derivation
    partial: bool  # ∂ when the parent uses several quantities, d when only this one

    @property
    def result(self) -> sp.Expr:
        return self.derivation.result


@dataclass(frozen=True)
class Path:
    nodes: tuple[sp.Symbol, ...]  # from the variable up to the output
    factors: tuple[sp.Expr, ...]  # local derivatives, top edge first as written: ∂f/∂x · dx/dt

    @property
    def term(self) -> sp.Expr:
        return sp.Mul(*self.factors)


@dataclass(frozen=True)
class Adjoint:
    """n̄ = Σ over the parents p of n: p̄ · ∂p/∂n."""

    node: sp.Symbol
    terms: tuple[tuple[sp.Symbol, sp.Expr], ...]  # (parent, written p̄ · ∂p/∂n)
    value: sp.Expr  # in node names, and in adjoint names where those are large

    @property
    def symbol(self) -> Bar:
        return Bar(self.node)


@dataclass(frozen=True)
class Matrix:
    """J(f∘g) = J_f(g) · J_g over the quantities f uses directly and the inputs."""

    middle: tuple[sp.Symbol, ...]
    inputs: tuple[sp.Symbol, ...]
    outer: sp.Matrix  # J_f, 1 × m, in the middle names
    inner: sp.Matrix  # J_g, m × n, in the inputs
    product: sp.Matrix  # J_f(g) · J_g, 1 × n, in the inputs
    direct: sp.Matrix  # the Jacobian of f with everything substituted
    check: Verdict


@dataclass(frozen=True)
class ChainDerivation(Rendered):
    """df/dt through a graph: local derivatives, paths, adjoints, and the checked answer."""

    graph: Graph
    variable: sp.Symbol
    edges: tuple[Edge, ...]
    path_count: int
    paths: tuple[Path, ...]
    path_sum: sp.Expr | None  # the sum of the path terms (in node names), when formed
    adjoints: tuple[Adjoint, ...]  # output first
    derived: sp.Expr  # the variable's adjoint, in node names
    raw: sp.Expr  # derived with every name put back (= derived when too big)
    result: sp.Expr  # raw, tidied
    substituted: bool
    check: Verdict  # the result against direct differentiation
    path_check: Verdict | None  # the path sum against the adjoint
    multiplications: dict[str, int]
    matrix: Matrix | None = None
    input: str | None = None

    @property
    def output(self) -> sp.Symbol:
        return self.graph.output

    @property
    def warnings(self) -> tuple[str, ...]:
        """How the formula and the --let definitions were read where a convention decided."""
        return self.graph.notes

    @property
    def verified(self) -> bool:
        checks = [self.check] + ([self.path_check] if self.path_check else [])
        if self.matrix is not None:
            checks.append(self.matrix.check)
        return all(e.derivation.verified for e in self.edges) and all(c.confirmed for c in checks)

    @property
    def complete(self) -> bool:
        return all(e.derivation.complete for e in self.edges)

    @property
    def ordinary(self) -> bool:
        """True when f depends on nothing but the variable: df/dt, not ∂f/∂t."""
        return self.graph.inputs == (self.variable,)

    @property
    def status(self) -> Status:
        checks = [self.check, self.path_check, self.matrix.check if self.matrix else None]
        edges = (e.derivation.status for e in self.edges)
        return combine((*edges, *(c.status for c in checks if c is not None)))


def derive_chain(
    formula: str | sp.Expr,
    lets: list[str] | dict,
    wrt: str | sp.Symbol | None = None,
    matrix: bool = False,
    log10: bool = False,
) -> ChainDerivation:
    """df/dt of `formula` with `lets` substituted, by the multivariable chain rule."""
    graph = build_graph(formula, lets, log10)
    clash = sorted(s.name for s in [*graph.definitions, *graph.inputs] if s.name.endswith("bar"))
    if clash:
        raise UsageError(
            "names ending in 'bar' are kept for adjoints (x̄ is written xbar): "
            f"rename {', '.join(clash)}"
        )
    var = _variable(graph, wrt)
    reach = graph.depends_on(var)
    edges = tuple(_edge(graph, parent, child) for parent, child in graph.edges if child in reach)
    local = {(e.parent, e.child): e.result for e in edges}
    counts = graph.path_counts(var)
    path_count = counts[graph.output]
    paths = tuple(
        Path(nodes, tuple(local[(nodes[i + 1], nodes[i])] for i in reversed(range(len(nodes) - 1))))
        for nodes in graph.paths(var, PATHS_LISTED)
    )
    adjoints = _reverse_accumulate(graph, local, reach)
    derived = _expand_adjoint(adjoints, var)
    sizes = graph.sizes()
    small = (
        tree_size(derived, sizes) <= SUBSTITUTE_NODES and sizes[graph.output] <= SUBSTITUTE_NODES
    )
    path_sum = path_check = None
    if small and path_count <= PATHS_SUMMED:
        path_sum = sp.Add(*(p.term for p in paths))
        path_check = compare(graph.substitute(path_sum), graph.substitute(derived))
    if small and not derived.atoms(Bar):
        raw = graph.substitute(derived)
        result = tidy(raw, var)
        if not compare(result, raw).confirmed:
            result = raw
        check = compare(result, sp.diff(graph.substitute(graph.output), var))
    else:
        raw = result = derived
        check = _numeric_check(graph, adjoints, var)
    mults = {
        "paths": graph.path_edge_total(var) - path_count,
        "forward": len(edges),
        "reverse": len(edges),
        "forward_all_inputs": sum(
            sum(1 for _, c in graph.edges if c in reach_x)
            for reach_x in (graph.depends_on(x) for x in graph.inputs)
        ),
        "reverse_all_inputs": len(graph.edges),
    }
    jac = _matrix_form(graph) if matrix else None
    text = formula if isinstance(formula, str) else None
    return ChainDerivation(
        graph, var, edges, path_count, paths, path_sum, adjoints, derived, raw, result,
        not derived.atoms(Bar) and small, check, path_check, mults, jac, text,
    )  # fmt: skip


def _variable(graph: Graph, wrt: str | sp.Symbol | None) -> sp.Symbol:
    """The input to differentiate by: the one named, or the only one there is."""
    inputs = {s.name: s for s in graph.inputs}
    known = ", ".join(inputs) or "none"
    if not inputs:
        raise UsageError("the formula and its `lets` definitions have no variable to vary")
    if wrt is None:
        if len(inputs) != 1:
            raise UsageError(f"the graph has several inputs ({known}): choose one with `wrt`")
        return graph.inputs[0]
    name = wrt.name if isinstance(wrt, sp.Symbol) else check_name(wrt)
    if any(s.name == name for s in graph.definitions):
        raise UsageError(
            f"`wrt` {name} names a `lets` quantity; differentiate by an input ({known})"
        )
    if name not in inputs:
        raise UsageError(
            f"{name} does not appear in the formula or its `lets` definitions (inputs: {known})"
        )
    return inputs[name]


def _edge(graph: Graph, parent: sp.Symbol, child: sp.Symbol) -> Edge:
    expr = graph.definitions[parent]
    return Edge(parent, child, derive(expr, wrt=child), partial=len(graph.children(parent)) > 1)


def _reverse_accumulate(graph: Graph, local: dict, reach: frozenset) -> tuple[Adjoint, ...]:
    """Adjoints from the output down: each node's from its parents', one product per edge."""
    parents: dict[sp.Symbol, list[sp.Symbol]] = {}
    for parent, child in graph.edges:
        if child in reach:
            parents.setdefault(child, []).append(parent)
    written: dict[sp.Symbol, sp.Expr] = {graph.output: sp.Integer(1)}
    adjoints = [Adjoint(graph.output, (), sp.Integer(1))]
    for node in graph.backward:
        if node == graph.output or node not in reach:
            continue
        terms = tuple((p, written[p] * local[(p, node)]) for p in parents[node])
        value = sp.Add(*(t for _, t in terms))
        adjoints.append(Adjoint(node, terms, value))
        written[node] = value if value.is_Number else Bar(node)
    return tuple(adjoints)


def _expand_adjoint(adjoints: tuple[Adjoint, ...], var: sp.Symbol) -> sp.Expr:
    """The variable's adjoint with every named adjoint written out, if that stays small.

    Otherwise it stays as reverse accumulation left it, in terms of the
    adjoints above it: written out, it would be exponentially long.
    """
    values = {a.symbol: a.value for a in adjoints}
    start = expr = values[Bar(var)]
    for adjoint in reversed(adjoints):
        if adjoint.symbol in expr.free_symbols:
            expr = expr.xreplace({adjoint.symbol: adjoint.value})
            if _leaves(expr) > SUBSTITUTE_LEAVES:
                return start
    return expr


def _leaves(expr: sp.Expr) -> int:
    return sum(1 for node in sp.preorder_traversal(expr) if not node.args)


def _numeric_check(graph: Graph, adjoints: tuple[Adjoint, ...], var: sp.Symbol) -> Verdict:
    """At random points: the adjoint, evaluated node by node, against a finite difference.

    Used when the graph is too big to substitute: forward values at 40
    digits, adjoints from them, and d/dt by mpmath's high-precision
    central difference of the whole forward pass.
    """
    if any(d.atoms(sp.core.function.AppliedUndef) for d in graph.definitions.values()):
        return Verdict(UNCONFIRMED)
    forward = {
        n: sp.lambdify(graph.children(n), graph.definitions[n], "mpmath") for n in graph.definitions
    }
    back = {
        a.symbol: sp.lambdify(sorted(a.value.free_symbols, key=str), a.value, "mpmath")
        for a in adjoints
    }
    rng = random.Random(20261124)
    confirmed = 0
    with mpmath.workdps(40):
        for _ in range(12):
            point = {s: mpmath.mpf(rng.uniform(0.2, 1.3)) for s in graph.inputs}
            try:
                values = _forward(graph, forward, point)
                for a in adjoints:
                    args = sorted(a.value.free_symbols, key=str)
                    values[a.symbol] = back[a.symbol](*(values[s] for s in args))
                claimed = values[Bar(var)]

                def along(t, point=point):
                    return _forward(graph, forward, {**point, var: t})[graph.output]

                true = mpmath.diff(along, point[var])
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
            if not all(mpmath.isfinite(v) for v in (claimed, true)):
                continue
            scale = max(abs(claimed), abs(true), mpmath.mpf(1))
            if abs(claimed - true) > scale * mpmath.mpf(10) ** -20:
                return Verdict(FAILED, {str(k): str(v) for k, v in point.items()}, (claimed, true))
            confirmed += 1
            if confirmed == 3:
                return Verdict(NUMERIC)
    return Verdict(UNCONFIRMED)


def _forward(graph: Graph, forward: dict, point: dict) -> dict:
    values = dict(point)
    for node in graph.order:
        if node in graph.definitions:
            values[node] = forward[node](*(values[c] for c in graph.children(node)))
    return values


def _matrix_form(graph: Graph) -> Matrix:
    """J(f∘g) = J_f(g) · J_g: g the quantities f uses directly, as functions of the inputs."""
    middle = graph.children(graph.output)
    inputs = graph.inputs
    if len(middle) < 2 or len(inputs) < 2:
        raise UsageError(
            "`matrix` needs f to use several `lets` quantities of several inputs "
            f"(f uses {len(middle)}, the graph has {len(inputs)} input(s))"
        )
    f = graph.definitions[graph.output]
    outer = sp.Matrix([[sp.diff(f, m) for m in middle]])
    g = sp.Matrix([graph.substitute(m) for m in middle])
    inner = g.jacobian(inputs)
    product = (outer.xreplace({m: graph.substitute(m) for m in middle}) * inner).applyfunc(
        lambda e: tidy(e)
    )
    direct = sp.Matrix([[sp.diff(graph.substitute(f), x) for x in inputs]])
    verdicts = [compare(a, b) for a, b in zip(product, direct, strict=True)]
    worst = next((v for v in verdicts if not v.confirmed), verdicts[0])
    return Matrix(middle, inputs, outer, inner.applyfunc(tidy), product, direct, worst)


def format_count(n: int) -> str:
    """2^20 as 1,048,576; astronomically many as 2^k."""
    if n < 10**15:
        return f"{n:,}"
    return f"about 2^{math.log2(n):.0f}"


__all__ = ["derive_chain", "ChainDerivation", "Bar", "SYMBOLIC"]
