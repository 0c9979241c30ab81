"""The shape of every name and node: declared (--shape W=m×n), from --values, or by the
default (a capital is a matrix, a lower-case name a column vector, a Greek letter's name
a scalar), with sizes unified as the operations require.  A product needs matching
inner sizes, a sum and ⊙ equal shapes, det, tr, inv and powers a square matrix; where a
rule cannot hold, the error names both shapes.

The typed tree comes back rewritten where the shape decides the meaning: X^-1 of a
matrix is inv(X), a number added to a matrix is that number times the ones matrix.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from ..core.errors import UsageError
from .expr import (
    Add,
    Det,
    Diag,
    Dim,
    Divide,
    ElementPower,
    Func,
    Hadamard,
    Inverse,
    Mul,
    Node,
    Norm,
    Num,
    Ones,
    Power,
    Shape,
    Shapes,
    Sum,
    Trace,
    Transpose,
    Var,
    replaced,
)

Printer = Callable[[Node], str]  # how an error message writes a node (notation.text)
GREEK_SCALARS = {"alpha", "beta", "gamma", "delta", "eps", "epsilon", "eta", "kappa",
                 "lam", "lamda", "lambda", "mu", "nu", "rho", "tau", "omega", "pi"}  # fmt: skip
DIM_NAMES = "nmpqrstkl"
SCALAR_WORDS = ("scalar", "1")
_SHAPE = re.compile(
    r"^\s*([A-Za-z][A-Za-z0-9_]*|\d+)\s*(?:[x×*,]\s*([A-Za-z][A-Za-z0-9_]*|\d+))?\s*$"
)


class ShapeError(UsageError):
    """The shapes do not fit (a usage error: exit 2)."""


def parse_shape(text: str) -> Shape | str:
    """`m×n`, `3x4`, `n` (a column vector), `scalar`; "scalar" for a scalar."""
    if text.strip().lower() in SCALAR_WORDS:
        return "scalar"
    match = _SHAPE.match(text)
    if match is None:
        raise UsageError(f"a shape is like m×n, 3x4, n or scalar, not {text!r}")
    rows, cols = match.group(1), match.group(2) or "1"
    if match.group(2) is None:  # mxn, nx3: an ASCII x between two sizes is the ×
        parts = rows.split("x")
        if len(parts) == 2 and all(re.fullmatch(r"[A-Za-z]\w*|\d+", p) for p in parts):
            rows, cols = parts
    out = tuple(int(d) if d.isdigit() else d for d in (rows, cols))
    if any(isinstance(d, int) and not 1 <= d <= 10_000 for d in out):
        raise UsageError(f"a size must be a whole number from 1 to 10000, not {text!r}")
    return (out[0], out[1])


@dataclass
class _Sizes:
    """Union-find over sizes: each class may be a number, and has a name to print."""

    parent: dict[str, str] = field(default_factory=dict)
    value: dict[str, int] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    count: int = 0

    def new(self, label: str | None = None, value: int | None = None) -> str:
        key = f"#{self.count}"
        self.count += 1
        self.parent[key] = key
        if value is not None:
            self.value[key] = value
        if label is not None:
            self.label[key] = label
        return key

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def size(self, key: str) -> int | None:
        return self.value.get(self.find(key))

    def unify(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        va, vb = self.value.get(ra), self.value.get(rb)
        if va is not None and vb is not None and va != vb:
            return False
        keep, gone = (ra, rb) if ra in self.label or rb not in self.label else (rb, ra)
        self.parent[gone] = keep
        if va is not None or vb is not None:
            self.value[keep] = va if va is not None else vb  # type: ignore[assignment]
        return True


class _Inference:
    def __init__(self, scalars: set[str], declared: dict[str, Shape | str]) -> None:
        self.sizes = _Sizes()
        self.one = self.sizes.new(value=1)
        self.named: dict[str, str] = {}  # a size's name (m, n) -> its key
        self.shape: dict[str, tuple[str, str]] = {}
        self.scalars = scalars
        self.declared = declared
        self.free_letters = iter(DIM_NAMES)

    def dim(self, d: Dim) -> str:
        if isinstance(d, int):
            return self.one if d == 1 else self.sizes.new(value=d)
        if d not in self.named:
            self.named[d] = self.sizes.new(label=d)
        return self.named[d]

    def var_shape(self, name: str) -> tuple[str, str]:
        if name not in self.shape:
            given = self.declared.get(name)
            if given == "scalar" or (given is None and name in self.scalars):
                self.shape[name] = (self.one, self.one)
            elif isinstance(given, tuple):
                self.shape[name] = (self.dim(given[0]), self.dim(given[1]))
            elif name[0].isupper():
                self.shape[name] = (self.sizes.new(), self.sizes.new())
            else:
                self.shape[name] = (self.sizes.new(), self.one)
        return self.shape[name]

    def is_scalar(self, s: tuple[str, str]) -> bool:
        return self.sizes.find(s[0]) == self.sizes.find(self.one) == self.sizes.find(s[1])

    def shown(self, s: tuple[str, str]) -> str:
        if self.is_scalar(s):
            return "a scalar"
        return "×".join(self.dim_text(k) for k in s)

    def dim_text(self, key: str) -> str:
        root = self.sizes.find(key)
        if root in self.sizes.value:
            return str(self.sizes.value[root])
        return self.sizes.label.get(root, "?")

    def unify(self, a: str, b: str, message: str) -> None:
        # a size of free choice never becomes 1: that would make a scalar of a vector
        one = self.sizes.find(self.one)
        roots = {self.sizes.find(a), self.sizes.find(b)}
        if (one in roots and len(roots) == 2) or not self.sizes.unify(a, b):
            raise ShapeError(message)

    def typed(self, node: Node, text: Printer) -> tuple[Node, tuple[str, str]]:  # noqa: C901, PLR0911, PLR0912
        """The node with its meaning fixed by shapes, and its shape."""
        one = (self.one, self.one)
        if isinstance(node, Var):
            return node, self.var_shape(node.name)
        if isinstance(node, Num):
            return node, one
        if isinstance(node, Add):
            parts = [self.typed(t, text) for t in node.items]
            big = [s for _, s in parts if not self.is_scalar(s)]
            if not big:
                return Add(tuple(n for n, _ in parts)), one
            shape = big[0]
            terms = []
            for n, s in parts:
                if self.is_scalar(s):
                    if not _numeric(n):
                        raise ShapeError(f"{text(n)} is a scalar and cannot be added to a "
                                         f"{self.shown(shape)} matrix")  # fmt: skip
                    n = Mul((n, Ones(shape)))
                else:
                    for a, b in zip(s, shape, strict=True):
                        self.unify(a, b, f"cannot add {text(n)} ({self.shown(s)}) to a "
                                         f"{self.shown(shape)} term")  # fmt: skip
                terms.append(n)
            return Add(tuple(terms)), shape
        if isinstance(node, Mul):
            left, shape = self.typed(node.items[0], text)
            factors = [left]
            for item in node.items[1:]:
                right, s = self.typed(item, text)
                if self.is_scalar(s):
                    pass
                elif self.is_scalar(shape):
                    shape = s
                else:
                    self.unify(shape[1], s[0], _product_error(text, factors, right, shape, s, self))
                    shape = (shape[0], s[1])
                factors.append(right)
            return Mul(tuple(factors)), shape
        if isinstance(node, Hadamard | Divide):
            left, right = node.children()
            (na, sa), (nb, sb) = self.typed(left, text), self.typed(right, text)
            if isinstance(node, Hadamard) and (self.is_scalar(sa) or self.is_scalar(sb)):
                return Mul((na, nb)), sb if self.is_scalar(sa) else sa
            if isinstance(node, Divide) and self.is_scalar(sb):
                return Mul((na, Power(nb, Fraction(-1)))), sa
            if isinstance(node, Divide) and self.is_scalar(sa):
                sa_ones = Mul((na, Ones(sb)))
                return Divide(sa_ones, nb), sb
            sign = "⊙" if isinstance(node, Hadamard) else "./"
            for x, y in zip(sa, sb, strict=True):
                self.unify(x, y, f"{text(na)} {sign} {text(nb)} needs two matrices of one shape, "
                                 f"not {self.shown(sa)} and {self.shown(sb)}")  # fmt: skip
            return (Hadamard((na, nb)) if isinstance(node, Hadamard) else Divide(na, nb)), sa
        if isinstance(node, Transpose):
            n, s = self.typed(node.arg, text)
            return Transpose(n), (s[1], s[0])
        if isinstance(node, Inverse | Det | Trace):
            n, s = self.typed(node.arg, text)
            what = {Inverse: "inv", Det: "det", Trace: "tr"}[type(node)]
            self.square(s, f"{what}({text(n)}) needs a square matrix, and {text(n)} is "
                           f"{self.shown(s)}")  # fmt: skip
            return type(node)(n), (s if isinstance(node, Inverse) else one)
        if isinstance(node, Norm | Sum):
            n, _ = self.typed(node.arg, text)
            return type(node)(n), one
        if isinstance(node, Diag):
            n, s = self.typed(node.arg, text)
            if self.sizes.find(s[1]) == self.sizes.find(self.one):
                return Diag(n), (s[0], s[0])
            self.square(s, f"diag({text(n)}) needs a vector or a square matrix, and "
                           f"{text(n)} is {self.shown(s)}")  # fmt: skip
            return Diag(n), (s[0], self.one)
        if isinstance(node, Func):
            n, s = self.typed(node.arg, text)
            return Func(node.name, n), s
        if isinstance(node, ElementPower):
            n, s = self.typed(node.base, text)
            return ElementPower(n, node.exponent), s
        if isinstance(node, Power):
            n, s = self.typed(node.base, text)
            if self.is_scalar(s):
                return Power(n, node.exponent), s
            p = node.exponent
            if p.denominator != 1:
                raise ShapeError(f"{text(n)}^{p}: a matrix has whole-number powers only "
                                 "(for every entry's power, write .^)")  # fmt: skip
            if self.sizes.find(s[1]) == self.sizes.find(self.one):
                raise ShapeError(f"{text(n)}^{p}: {text(n)} is a vector ({self.shown(s)}); a power "
                                 "needs a square matrix or a scalar (for every entry's power, "
                                 f"write {text(n)}.^{p}; for ‖x‖², norm2(x)^2)")  # fmt: skip
            self.square(s, f"{text(n)}^{p} needs a square matrix, and {text(n)} is "
                           f"{self.shown(s)}")  # fmt: skip
            if p == -1:
                return Inverse(n), s
            if p < 0:
                return Power(Inverse(n), -p), s
            return Power(n, p), s
        raise TypeError(type(node).__name__)

    def square(self, s: tuple[str, str], message: str) -> None:
        one = self.sizes.find(self.one)
        if one in (self.sizes.find(s[0]), self.sizes.find(s[1])) and not self.is_scalar(s):
            raise ShapeError(message)
        self.unify(s[0], s[1], message)

    def resolve(self) -> dict[str, tuple[Dim, Dim]]:
        """Each name's shape with sizes as numbers or names (free ones named n, m, p …)."""
        used = set(self.named) | set(self.shape)
        self.letters = (c for c in DIM_NAMES if c not in used)
        return {name: (self.final(r), self.final(c)) for name, (r, c) in self.shape.items()}

    def final(self, key: str) -> Dim:
        root = self.sizes.find(key)
        if root in self.sizes.value:
            return self.sizes.value[root]
        if root not in self.sizes.label:
            self.sizes.label[root] = next(self.letters, f"n{len(self.sizes.label)}")
        return self.sizes.label[root]


def _settled(node: Node, inference: _Inference) -> Node | None:
    """Ones with its sizes as names or numbers; products flattened (A(BC) is ABC)."""
    if isinstance(node, Ones):
        r, c = node.shape
        return Ones((inference.final(str(r)), inference.final(str(c))))
    if isinstance(node, Mul):
        flat: list[Node] = []
        for f in node.items:
            f = replaced(f, lambda n: _settled(n, inference))
            flat.extend(f.items if isinstance(f, Mul) else (f,))
        return Mul(tuple(flat))
    return None


def _all_settled(node: Node, inference: _Inference) -> Node:
    return replaced(node, lambda n: _settled(n, inference))


def _numeric(node: Node) -> bool:
    return all(isinstance(n, Num | Mul) for n in node.walk())


def _product_error(text: Printer, factors: list[Node], right: Node, a: tuple[str, str],
                   b: tuple[str, str], inference: _Inference) -> str:  # fmt: skip
    left = factors[0] if len(factors) == 1 else Mul(tuple(factors))
    return (f"{text(left)}·{text(right)}: {text(left)} is {inference.shown(a)} and "
            f"{text(right)} is {inference.shown(b)}; a product needs the columns of the "
            "first to match the rows of the second")  # fmt: skip


@dataclass(frozen=True)
class Typed:
    expr: Node
    shapes: Shapes
    read_as_scalar: tuple[str, ...]  # lower-case names taken for scalars, to say so


def infer(node: Node, declared: dict[str, Shape | str], text: Printer) -> Typed:
    """The typed expression and its shapes.  Lower-case names are vectors unless declared,
    named like a Greek letter (lam, alpha), or needed as scalars for the shapes to fit
    (fewest such first): then the result says which were read as scalars."""
    names = sorted({n.name for n in node.walk() if isinstance(n, Var)})
    guessed = {n for n in names if n not in declared and n[0].islower()}
    default = {n for n in guessed if n in GREEK_SCALARS}
    free = sorted(guessed - default)
    first: ShapeError | None = None
    for count in range(len(free) + 1):
        for chosen in itertools.combinations(free, count):
            inference = _Inference(default | set(chosen), declared)
            try:
                typed, _ = inference.typed(node, text)
            except ShapeError as err:
                first = first or err
                continue
            shapes = Shapes(dict(inference.resolve()))
            typed = _all_settled(typed, inference)
            return Typed(typed, shapes, tuple(sorted(default | set(chosen))))
        if count >= 3:
            break
    assert first is not None
    raise first
