"""Matrix expressions as a small tree of symchain's own, each node immutable.

SymPy's matrix expressions cannot differentiate det X, tanh(Wx) or a norm, and print
‖Wx − t‖² as an array expression; a tree of a dozen node types is enough for the rules of
the matrix chain rule, and equal trees compare equal (like terms are found by ==).
Shapes are kept beside the tree, in `Shapes`, not in the nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

Dim = int | str  # a size: a number, or a name such as "n"
Shape = tuple[Dim, Dim]  # (rows, columns); a column vector is (n, 1), a scalar (1, 1)
SCALAR: Shape = (1, 1)


class Node:
    """A matrix expression."""

    __slots__ = ()

    def children(self) -> tuple[Node, ...]:
        return ()

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return self

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()

    def has(self, test: Callable[[Node], bool]) -> bool:
        return any(test(n) for n in self.walk())


@dataclass(frozen=True, slots=True)
class Var(Node):
    """A variable (X, w, lam) or a named intermediate quantity (u = Xw − y)."""

    name: str


@dataclass(frozen=True, slots=True)
class Num(Node):
    value: Fraction


ZERO = Num(Fraction(0))
ONE = Num(Fraction(1))


@dataclass(frozen=True, slots=True)
class Differential(Node):
    """dX: the differential of a variable or of a named quantity."""

    name: str


@dataclass(frozen=True, slots=True)
class Ones(Node):
    """The matrix of ones (1 for a vector: 1ᵀx is the sum of x)."""

    shape: Shape


@dataclass(frozen=True, slots=True)
class Eye(Node):
    """The identity matrix I of size n."""

    n: Dim


@dataclass(frozen=True, slots=True)
class _Many(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return type(self)(children)


class Add(_Many):
    """A sum of terms of one shape."""

    __slots__ = ()


class Mul(_Many):
    """A product in order: matrix products, with scalar factors (which commute) anywhere."""

    __slots__ = ()


class Hadamard(_Many):
    """The elementwise product A ⊙ B of matrices of one shape."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class _One(Node):
    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return type(self)(children[0])


class Transpose(_One):
    __slots__ = ()


class Inverse(_One):
    __slots__ = ()


class Det(_One):
    __slots__ = ()


class Trace(_One):
    __slots__ = ()


class Norm(_One):
    """‖x‖: Euclidean for a vector, Frobenius for a matrix."""

    __slots__ = ()


class Sum(_One):
    """The sum of all entries."""

    __slots__ = ()


class Diag(_One):
    """diag(x): a vector as a diagonal matrix, or a square matrix's diagonal as a vector."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Func(Node):
    """f(Z): a function of a scalar, or applied to every entry of a matrix."""

    name: str  # one of FUNCTIONS, or a derivative of one: "sigma'", "tanh'", "relu'"
    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return Func(self.name, children[0])


@dataclass(frozen=True, slots=True)
class Power(Node):
    """A scalar to a number's power, or a square matrix to a whole number's."""

    base: Node
    exponent: Fraction

    def children(self) -> tuple[Node, ...]:
        return (self.base,)

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return Power(children[0], self.exponent)


@dataclass(frozen=True, slots=True)
class ElementPower(Node):
    """A .^ p: every entry to the power p."""

    base: Node
    exponent: Fraction

    def children(self) -> tuple[Node, ...]:
        return (self.base,)

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return ElementPower(children[0], self.exponent)


@dataclass(frozen=True, slots=True)
class Divide(Node):
    """A ./ B entry by entry (B may be a scalar: then A/b)."""

    num: Node
    den: Node

    def children(self) -> tuple[Node, ...]:
        return (self.num, self.den)

    def rebuilt(self, children: tuple[Node, ...]) -> Node:
        return Divide(children[0], children[1])


#: Functions of a scalar, applied entrywise to a matrix.
FUNCTIONS = (
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sigma",
    "relu",
    "softplus",
    "sqrt",
    "abs",
    "softmax",
)  # softmax: of a vector as a whole, exp(z)/1ᵀexp(z)
#: What their derivatives are, in words, when a step uses one.
DERIVATIVES = {
    "sigma'": "σ′(z) = σ(z)(1 − σ(z))",
    "tanh'": "tanh′(z) = 1 − tanh²(z)",
    "relu'": "relu′(z) = 1 where z > 0, else 0",
}


def scalar_of(value: int | Fraction) -> Num:
    return Num(Fraction(value))


def replaced(node: Node, change: Callable[[Node], Node | None]) -> Node:
    """`node` with every subtree for which change() gives a node replaced by it."""
    new = change(node)
    if new is not None:
        return new
    kids = node.children()
    if not kids:
        return node
    return node.rebuilt(tuple(replaced(k, change) for k in kids))


def depends_on(node: Node, names: frozenset[str] | set[str]) -> bool:
    return node.has(lambda n: isinstance(n, Var | Differential) and n.name in names)


def has_differential(node: Node) -> bool:
    return node.has(lambda n: isinstance(n, Differential))


@dataclass
class Shapes:
    """The shape of every variable, and so of every expression over them."""

    of_var: dict[str, Shape]
    _cache: dict[Node, Shape] = field(default_factory=dict)

    def __call__(self, node: Node) -> Shape:
        found = self._cache.get(node)
        if found is None:
            found = self._cache[node] = self._shape(node)
        return found

    def is_scalar(self, node: Node) -> bool:
        return self(node) == SCALAR

    def _shape(self, node: Node) -> Shape:  # noqa: PLR0911 - one case a node type
        if isinstance(node, Var | Differential):
            return self.of_var[node.name]
        if isinstance(node, Num | Det | Trace | Norm | Sum):
            return SCALAR
        if isinstance(node, Ones):
            return node.shape
        if isinstance(node, Eye):
            return (node.n, node.n)
        if isinstance(node, Add | Hadamard):
            shapes = [self(t) for t in node.items]
            return next((s for s in shapes if s != SCALAR), SCALAR)
        if isinstance(node, Mul):
            rows: Dim = 1
            cols: Dim = 1
            for factor in node.items:
                r, c = self(factor)
                if (r, c) == SCALAR:
                    continue
                if (rows, cols) == SCALAR:
                    rows, cols = r, c
                else:
                    cols = c
            return (rows, cols)
        if isinstance(node, Transpose):
            r, c = self(node.arg)
            return (c, r)
        if isinstance(node, Diag):
            r, c = self(node.arg)
            return (r, r) if c == 1 else (r, 1)
        if isinstance(node, Divide):
            shapes = [self(node.num), self(node.den)]
            return next((s for s in shapes if s != SCALAR), SCALAR)
        if isinstance(node, Inverse | Func | Power | ElementPower):
            return self(node.children()[0])
        raise TypeError(f"no shape for {type(node).__name__}")

    def with_var(self, name: str, shape: Shape) -> Shapes:
        return Shapes({**self.of_var, name: shape})
