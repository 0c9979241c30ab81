"""Tidy a matrix expression the way one would by hand: products flattened, numbers
multiplied out and put first, transposes moved onto the factors ((AB)ᵀ = BᵀAᵀ, (Aᵀ)ᵀ = A,
a scalar is its own transpose), zeros and ones dropped, like terms collected
(2x + 3x = 5x, Ax + Aᵀx = (A + Aᵀ)x).  Every rewrite is an identity, and the numeric
proof checks the tidied answer, not the untidied one."""

from __future__ import annotations

from fractions import Fraction

from .expr import (
    ONE,
    ZERO,
    Add,
    Det,
    Diag,
    Divide,
    ElementPower,
    Eye,
    Func,
    Hadamard,
    Inverse,
    Mul,
    Node,
    Norm,
    Num,
    Ones,
    Power,
    Shapes,
    Sum,
    Trace,
    Transpose,
)

_ENTRYWISE = ("exp", "log", "sin", "cos", "tanh", "sigma", "relu", "softplus", "sqrt", "abs",
              "sigma'", "tanh'", "relu'", "sign")  # fmt: skip


def tidy(node: Node, shapes: Shapes) -> Node:
    """`node`, simplified bottom-up until nothing changes (a few rounds at most)."""
    for _ in range(6):
        new = _Tidy(shapes).go(node)
        if new == node:
            return new
        node = new
    return node


class _Tidy:
    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes

    def go(self, node: Node) -> Node:
        kids = node.children()
        if kids:
            node = node.rebuilt(tuple(self.go(k) for k in kids))
        method = getattr(self, type(node).__name__.lower(), None)
        return method(node) if method is not None else node

    def scalar(self, node: Node) -> bool:
        return self.shapes(node) == (1, 1)

    # --- one rule a node type -------------------------------------------------------

    def mul(self, node: Mul) -> Node:
        c = Fraction(1)
        front: list[Node] = []  # scalars that are not numbers: det X, λ, ‖x‖
        rest: list[Node] = []
        eyes: list[Node] = []
        for f in node.items:
            for g in f.items if isinstance(f, Mul) else (f,):
                if isinstance(g, Num):
                    c *= g.value
                elif isinstance(g, Eye):
                    eyes.append(g)
                elif self.scalar(g) and not _inside_product(g):
                    front.append(g)
                else:
                    rest.append(g)
        if c == 0:
            return ZERO
        front = _powers_merged(front)
        rest = _runs_merged(rest)
        if not rest and eyes:
            rest = eyes[:1]  # c·I: the identity keeps the shape
        factors = ([] if c == 1 else [Num(c)]) + front + rest
        if not factors:
            return ONE if not node.items or self.shapes(node) == (1, 1) else node
        if not rest and not front and c != 1:
            return Num(c)
        if len(factors) == 1:
            return factors[0]
        if not rest and self.shapes(node) != (1, 1):
            return node  # an identity that sets the shape: keep it
        return Mul(tuple(factors))

    def add(self, node: Add) -> Node:
        terms: list[Node] = []
        for t in node.items:
            terms.extend(t.items if isinstance(t, Add) else (t,))
        collected: dict[Node, Fraction] = {}
        order: list[Node] = []
        for t in terms:
            c, body = _split(t)
            if c == 0:
                continue
            if body not in collected:
                collected[body] = Fraction(0)
                order.append(body)
            collected[body] += c
        out = [_scaled(collected[b], b) for b in order if collected[b] != 0]
        if not out:
            return ZERO
        out = _factored(out, self.shapes)
        return out[0] if len(out) == 1 else Add(tuple(out))

    def transpose(self, node: Transpose) -> Node:
        a = node.arg
        if self.scalar(a):
            return a
        if isinstance(a, Transpose):
            return a.arg
        if isinstance(a, Mul):
            return Mul(tuple(self.transpose(Transpose(f)) for f in reversed(a.items)))
        if isinstance(a, Add):
            return Add(tuple(self.transpose(Transpose(t)) for t in a.items))
        if isinstance(a, Hadamard):
            return Hadamard(tuple(self.transpose(Transpose(f)) for f in a.items))
        if isinstance(a, Divide):
            return Divide(self.transpose(Transpose(a.num)), self.transpose(Transpose(a.den)))
        if isinstance(a, Func) and a.name in _ENTRYWISE:
            return Func(a.name, self.transpose(Transpose(a.arg)))
        if isinstance(a, Ones):
            return Ones((a.shape[1], a.shape[0]))
        if isinstance(a, Eye | Num | Diag) and not (isinstance(a, Diag) and
                                                   self.shapes(a)[1] == 1):  # fmt: skip
            return a
        if isinstance(a, Power) and not self.scalar(a):
            return Power(self.transpose(Transpose(a.base)), a.exponent)
        if isinstance(a, Inverse) and isinstance(a.arg, Transpose):
            return Inverse(a.arg.arg)
        return node

    def inverse(self, node: Inverse) -> Node:
        a = node.arg
        if isinstance(a, Inverse):
            return a.arg
        if isinstance(a, Transpose):
            return Transpose(Inverse(a.arg))
        if self.scalar(a):
            return Power(a, Fraction(-1))
        return node

    def trace(self, node: Trace) -> Node:
        a = node.arg
        if self.scalar(a):
            return a
        if isinstance(a, Add):
            return Add(tuple(Trace(t) for t in a.items))
        if isinstance(a, Mul):
            c, body = _split(a)
            if c != 1:
                return _scaled(c, self.trace(Trace(body)))
        if isinstance(a, Transpose):
            return Trace(a.arg)
        return node

    def power(self, node: Power) -> Node:
        if node.exponent == 1:
            return node.base
        if node.exponent == 0:
            return ONE
        b = node.base
        if isinstance(b, Num) and node.exponent.denominator == 1:
            return Num(b.value ** int(node.exponent)) if b.value != 0 or node.exponent > 0 else node
        if isinstance(b, Power) and self.scalar(b) and node.exponent.denominator == 1:
            return Power(b.base, b.exponent * node.exponent)
        return node

    def hadamard(self, node: Hadamard) -> Node:
        items: list[Node] = []
        for f in node.items:
            items.extend(f.items if isinstance(f, Hadamard) else (f,))
        if any(f == ZERO for f in items):
            return ZERO
        kept = [f for f in items if not isinstance(f, Ones)]
        coefficient = Fraction(1)
        plain = []
        for f in kept:
            c, body = _split(f)
            coefficient *= c
            plain.append(body)
        if not plain:
            return node
        core = plain[0] if len(plain) == 1 else Hadamard(tuple(plain))
        return _scaled(coefficient, core)

    def divide(self, node: Divide) -> Node:
        if node.num == ZERO:
            return ZERO
        if isinstance(node.den, Ones):
            return node.num
        return node

    def sum(self, node: Sum) -> Node:
        if self.scalar(node.arg):
            return node.arg
        return node

    def det(self, node: Det) -> Node:
        return node.arg if self.scalar(node.arg) else node

    def norm(self, node: Norm) -> Node:
        return node

    def elementpower(self, node: ElementPower) -> Node:
        if node.exponent == 1:
            return node.base
        return node


def _inside_product(node: Node) -> bool:
    """A 1×1 product such as aᵀx stays where it is in a chain (it is a product of vectors)."""
    return isinstance(node, Transpose)


def _powers_merged(scalars: list[Node]) -> list[Node]:
    """‖x‖·‖x‖⁻¹ cancels; λ·λ is λ²."""
    exponents: dict[Node, Fraction] = {}
    order: list[Node] = []
    for s in scalars:
        base, p = (s.base, s.exponent) if isinstance(s, Power) else (s, Fraction(1))
        if base not in exponents:
            exponents[base] = Fraction(0)
            order.append(base)
        exponents[base] += p
    return [b if exponents[b] == 1 else Power(b, exponents[b]) for b in order if exponents[b] != 0]


def _runs_merged(chain: list[Node]) -> list[Node]:
    """X·X is X², X²·X is X³ (a square matrix times itself)."""
    out: list[Node] = []
    for f in chain:
        base, p = (f.base, f.exponent) if isinstance(f, Power) else (f, Fraction(1))
        if out:
            last = out[-1]
            lbase, lp = (
                (last.base, last.exponent) if isinstance(last, Power) else (last, Fraction(1))
            )
            if lbase == base and p.denominator == lp.denominator == 1 and p > 0 and lp > 0:
                out[-1] = Power(base, p + lp)
                continue
        out.append(f)
    return out


def _split(node: Node) -> tuple[Fraction, Node]:
    """(c, body) with node = c·body and c a number."""
    if isinstance(node, Num):
        return node.value, ONE
    if isinstance(node, Mul) and isinstance(node.items[0], Num):
        rest = node.items[1:]
        return node.items[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return Fraction(1), node


def _scaled(c: Fraction, body: Node) -> Node:
    if c == 1:
        return body
    if body == ONE:
        return Num(c)
    if isinstance(body, Mul):
        return Mul((Num(c), *body.items))
    return Mul((Num(c), body))


def _factored(terms: list[Node], shapes: Shapes) -> list[Node]:
    """Terms that end in the same factor, collected: Ax + Aᵀx = (A + Aᵀ)x."""
    groups: dict[Node, list[int]] = {}
    for i, t in enumerate(terms):
        if isinstance(t, Mul) and len(t.items) >= 2 and shapes(t.items[-1]) != (1, 1):
            groups.setdefault(t.items[-1], []).append(i)
    out: list[Node] = []
    done: set[int] = set()
    for i, t in enumerate(terms):
        if i in done:
            continue
        group = groups.get(t.items[-1]) if isinstance(t, Mul) and t.items else None
        if group is None or len(group) < 2 or group[0] != i:
            out.append(t)
            continue
        heads = []
        for j in group:
            head = terms[j].items[:-1]  # type: ignore[attr-defined]
            heads.append(head[0] if len(head) == 1 else Mul(head))
        if any(shapes(h) == (1, 1) for h in heads) and not all(shapes(h) == (1, 1) for h in heads):
            out.append(t)
            continue
        last = t.items[-1]  # type: ignore[attr-defined]
        out.append(Mul((Add(tuple(heads)), last)))
        done.update(group)
    return out


__all__ = ["tidy", "Ones", "Sum", "Diag"]
