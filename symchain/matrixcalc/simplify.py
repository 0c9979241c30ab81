"""Tidy a matrix expression the way one would by hand: products flattened, numbers
multiplied out and put first, transposes moved onto the factors ((AB)ᵀ = BᵀAᵀ, (Aᵀ)ᵀ = A,
a scalar is its own transpose), zeros and ones dropped, like terms collected
(2x + 3x = 5x, Ax + Aᵀx = (A + Aᵀ)x).  Every rewrite is an identity, and the numeric
proof checks the tidied answer, not the untidied one."""

from __future__ import annotations

import math
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
    has_differential,
)

_ENTRYWISE = ("exp", "log", "sin", "cos", "tanh", "sigma", "relu", "softplus", "sqrt", "abs",
              "sigma'", "tanh'", "relu'", "sign")  # fmt: skip


def tidy(node: Node, shapes: Shapes) -> Node:
    """`node`, simplified; a sum multiplied out is tried too, and kept where it comes out
    smaller (diag(s)(a ⊘ s) is a, so (diag(s) − ssᵀ)(−y ⊘ s) shrinks to s·sum(y) − y)."""
    plain = _rounds(node, shapes, expand=False)
    if not plain.has(lambda n: isinstance(n, Add)):
        return plain
    spread = _rounds(plain, shapes, expand=True)
    spread = _rounds(spread, shapes, expand=False)
    return spread if size(spread) < size(plain) else plain


def _is_slope(node: Node) -> bool:
    return isinstance(node, Func) and node.name.endswith("'")


def _sum(terms: list[Node]) -> Node:
    if not terms:
        return ZERO
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def _over_common_denominator(terms: list[Node]) -> list[Node]:
    """Y/15 − T/15 is (Y − T)/15: a fraction every term has is taken out."""
    if len(terms) < 2:
        return terms
    cs = [_split(t)[0] for t in terms]
    top = math.gcd(*(c.numerator for c in cs))
    bottom = math.lcm(*(c.denominator for c in cs))
    if bottom == 1:
        return terms
    g = Fraction(top, bottom)
    inner = Add(tuple(_scaled(c / g, _split(t)[1]) for c, t in zip(cs, terms, strict=True)))
    return [Mul((Num(g), inner))]


def _opened(term: Node) -> list[Node]:
    """c·(a + b) as c·a, c·b, for a number c; any other term as it is."""
    c, body = _split(term)
    if isinstance(body, Add):
        return [_scaled(c * _split(t)[0], _split(t)[1]) for t in body.items]
    return [term]


def size(node: Node) -> int:
    """Nodes other than numbers: a sign moved into a sum does not make it shorter."""
    return sum(1 for n in node.walk() if not isinstance(n, Num))


def _rounds(node: Node, shapes: Shapes, expand: bool) -> Node:
    for _ in range(8):
        new = _Tidy(shapes, expand).go(node)
        if new == node:
            return new
        node = new
    return node


class _Tidy:
    def __init__(self, shapes: Shapes, expand: bool = False) -> None:
        self.shapes, self.expand = shapes, expand

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
        if c < 0:  # −(y − s·sum(y))xᵀ is (s·sum(y) − y)xᵀ
            at = next((i for i, f in enumerate(rest) if isinstance(f, Add)), None)
            if at is not None:
                terms = rest[at].items  # type: ignore[attr-defined]
                if sum(_split(t)[0] < 0 for t in terms) * 2 > len(terms):
                    flipped = [_scaled(-_split(t)[0], _split(t)[1]) for t in terms]
                    flipped.sort(key=lambda t: _split(t)[0] < 0)
                    rest = [*rest[:at], Add(tuple(flipped)), *rest[at + 1 :]]
                    c = -c
        front = _logistic(_powers_merged(front), self.shapes)
        front.sort(key=lambda f: (has_differential(f), repr(f)))  # y·t and t·y alike; dx last
        rest = _pairs(_runs_merged(rest), self.shapes)
        if self.expand:
            at = next((i for i, f in enumerate(rest) if isinstance(f, Add)), None)
            if at is not None and len(rest) > 1:  # (A + B)C = AC + BC
                head = ([] if c == 1 else [Num(c)]) + front
                terms = [Mul((*head, *rest[:at], t, *rest[at + 1 :])) for t in rest[at].items]  # type: ignore[attr-defined]
                return Add(tuple(terms))
            at = next((i for i, f in enumerate(front) if isinstance(f, Add)), None)
            if at is not None and len(front) + len(rest) > 1:  # (1 − t)·σ = σ − t·σ
                others = ([] if c == 1 else [Num(c)]) + front[:at] + front[at + 1 :] + rest
                terms = [Mul((t, *others)) for t in front[at].items]  # type: ignore[attr-defined]
                return Add(tuple(terms))
        if eyes and (not rest or self.shapes(Mul(tuple(rest))) != self.shapes(node)):
            rest = [*rest, eyes[0]]  # c·I, bᵀx·I: the identity keeps the shape
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
        out = self.collected(terms)
        # (Y − T⊙Y)/15 − (T − T⊙Y)/15: a number's sums opened, to meet like terms
        opened = [u for t in terms for u in _opened(t)]
        if len(opened) > len(terms):
            other = self.collected(opened)
            if size(_sum(other)) < size(_sum(out)):
                out = other
        return _sum(out)

    def collected(self, terms: list[Node]) -> list[Node]:
        """Like terms collected (2u + 3u is 5u), positive ones first, common factors out."""
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
        out.sort(key=lambda t: _split(t)[0] < 0)  # σ − y, not −y + σ
        out = _factored(out, self.shapes) if out else out
        return _over_common_denominator(out)

    def transpose(self, node: Transpose) -> Node:
        a = node.arg
        if self.scalar(a):
            return a
        if isinstance(a, Transpose):
            return a.arg
        if isinstance(a, Mul):
            return Mul(tuple(self.transpose(Transpose(f)) for f in reversed(a.items)))
        if isinstance(a, Add):  # (diag(s) − ssᵀ)ᵀ is diag(s) − ssᵀ; (x − μ)ᵀ stays
            terms = tuple(self.transpose(Transpose(t)) for t in a.items)
            if not any(isinstance(_split(t)[1], Transpose) for t in terms):
                return Add(terms)
            return node
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
        if isinstance(a, Mul) and len(a.items) > 1:  # tr(u·vᵀ) = vᵀu: the cycle that is 1×1
            first, rest = a.items[0], a.items[1:]
            if self.shapes(first)[1] == 1 and self.shapes(Mul((*rest, first))) == (1, 1):
                cycled = Mul((*rest, first))
                # a number is its own transpose: (1ᵀδᵀ)ᵀ = δ·1
                turned = Mul(tuple(self.transpose(Transpose(f)) for f in reversed(cycled.items)))

                def marks(n: Node) -> int:
                    return sum(isinstance(m, Transpose) for m in n.walk())

                return turned if marks(turned) < marks(cycled) else cycled
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
        if isinstance(b, Mul) and isinstance(b.items[0], Num) and self.scalar(b):
            c, body = _split(b)  # (2u)⁻¹ = ½·u⁻¹: the number meets the others
            if c > 0 or node.exponent.denominator == 1:
                number = _number_power(c, node.exponent)
                return Mul((number, Power(body, node.exponent)))
        if isinstance(b, Num) and node.exponent.denominator == 1:
            return Num(b.value ** int(node.exponent)) if b.value != 0 or node.exponent > 0 else node
        if isinstance(b, Power) and self.scalar(b) and node.exponent.denominator == 1:
            return Power(b.base, b.exponent * node.exponent)
        return node

    def hadamard(self, node: Hadamard) -> Node:
        items: list[Node] = []
        for f in node.items:
            items.extend(f.items if isinstance(f, Hadamard) else (f,))
        if all(self.scalar(f) for f in items):  # of numbers: a·b
            return self.mul(Mul(tuple(f for f in items if not isinstance(f, Ones))))
        if any(f == ZERO for f in items):
            return ZERO
        kept = [f for f in items if not isinstance(f, Ones)]
        kept = _logistic(kept, self.shapes)
        if self.expand:
            at = next((i for i, f in enumerate(kept) if isinstance(f, Add)), None)
            if at is not None and len(kept) > 1:  # A ⊙ (B + C) = A ⊙ B + A ⊙ C
                others = kept[:at] + kept[at + 1 :]
                return Add(tuple(Hadamard((*others, t)) for t in kept[at].items))  # type: ignore[attr-defined]
        for i, f in enumerate(kept):  # a ⊙ (b ⊘ a) = b
            if isinstance(f, Divide) and f.den in kept:
                kept = [g for j, g in enumerate(kept) if j != i]
                kept.remove(f.den)
                kept.append(f.num)
                break
        coefficient = Fraction(1)
        plain = []
        for f in kept:
            c, body = _split(f)
            coefficient *= c
            plain.append(body)
        if not plain:
            return node
        # ⊙ commutes: one order, so that like terms are alike, a slope f′(Z) after what it
        # scales ((δ2·W2ᵀ) ⊙ σ′(Z1), as the seed writes it) and a differential last
        plain.sort(key=lambda f: (has_differential(f), _is_slope(f), repr(f)))
        core = plain[0] if len(plain) == 1 else Hadamard(tuple(plain))
        return _scaled(coefficient, core)

    def divide(self, node: Divide) -> Node:
        if node.num == ZERO:
            return ZERO
        if self.scalar(node.num) and self.scalar(node.den):  # of numbers: a/b
            return self.mul(Mul((node.num, Power(node.den, Fraction(-1)))))
        if isinstance(node.den, Ones):
            return node.num
        c, body = _split(node.num)
        if c != 1 and body != ONE:
            return _scaled(c, Divide(body, node.den))
        return node

    def sum(self, node: Sum) -> Node:
        if self.scalar(node.arg):
            return node.arg
        c, body = _split(node.arg)
        return _scaled(c, Sum(body)) if c != 1 else node

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


def _number_power(c: Fraction, p: Fraction) -> Node:
    """c^p as a number where it is one (2⁻¹ = ½), else as a power (2^½)."""
    if p.denominator == 1:
        return Num(c ** int(p))
    return Power(Num(c), p)


def _one_minus(node: Node, shapes: Shapes) -> Node:
    """1 − node: the number 1 for a scalar, the matrix of ones otherwise."""
    one: Node = ONE if shapes(node) == (1, 1) else Ones(shapes(node))
    return Add((one, Mul((Num(Fraction(-1)), node))))


def _quotient(node: Node) -> tuple[Node, list[Node]] | None:
    """(B, what stays) for a ⊘ B (a stays) or for a scalar's B⁻¹ (nothing stays)."""
    if isinstance(node, Divide):
        return node.den, [node.num]
    if isinstance(node, Power) and node.exponent == -1:
        return node.base, []
    return None


def _logistic(items: list[Node], shapes: Shapes) -> list[Node]:
    """σ′(u) = σ(u) ⊙ (1 − σ(u)), where it meets a quotient by σ(u) or by 1 − σ(u): the
    factors of a product ⊙ (a ⊘ σ(U)), or of a number's product (σ(u)⁻¹)."""
    for i, f in enumerate(items):
        if not (isinstance(f, Func) and f.name == "sigma'"):
            continue
        s = Func("sigma", f.arg)
        minus = _one_minus(s, shapes)
        for j, g in enumerate(items):
            found = _quotient(g)
            if found is None:
                continue
            den, stays = found
            if den == s:
                keep = minus
            elif den in (minus, tidy(minus, shapes)):
                keep = s
            else:
                continue
            rest = [h for k, h in enumerate(items) if k not in (i, j)]
            return [*rest, *stays, keep]
    return items


def _pairs(chain: list[Node], shapes: Shapes) -> list[Node]:
    """Neighbours that cancel: diag(s)·(a ⊘ s) = a, sᵀ(a ⊘ s) = 1ᵀa, diag(a)·b = a ⊙ b."""
    out: list[Node] = []
    for f in chain:
        last = out[-1] if out else None
        if isinstance(f, Divide) and isinstance(last, Diag) and last.arg == f.den:
            out[-1] = f.num
            continue
        if (isinstance(f, Divide) and isinstance(last, Transpose) and last.arg == f.den
                and shapes(f)[1] == 1):  # fmt: skip
            out[-1] = Sum(f.num)
            continue
        if (isinstance(last, Diag) and shapes(last.arg)[1] == 1 and shapes(f)[1] == 1
                and shapes(f)[0] != 1):  # fmt: skip
            out[-1] = Hadamard((last.arg, f))
            continue
        out.append(f)
    return out


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
    """Terms that end in the same factor, collected: Ax + Aᵀx = (A + Aᵀ)x; then terms that
    begin with the same one: Xᵀa − Xᵀb = Xᵀ(a − b)."""
    return _left_factored(_right_factored(terms, shapes), shapes)


def _left_factored(terms: list[Node], shapes: Shapes) -> list[Node]:
    def head(t: Node) -> tuple[Fraction, Node | None, Node]:
        c, body = _split(t)
        if isinstance(body, Mul) and len(body.items) >= 2 and shapes(body.items[0]) != (1, 1):
            rest = body.items[1:]
            return c, body.items[0], rest[0] if len(rest) == 1 else Mul(rest)
        return c, None, body

    parts = [head(t) for t in terms]
    firsts = [p[1] for p in parts if p[1] is not None]
    common = next((f for f in firsts if firsts.count(f) >= 2), None)
    if common is None:
        return terms
    inside = [_scaled(c, rest) for c, f, rest in parts if f == common]
    others = [t for t, (_, f, _) in zip(terms, parts, strict=True) if f != common]
    if len({shapes(t) for t in inside}) != 1:
        return terms
    return [Mul((common, Add(tuple(inside)))), *others]


def _right_factored(terms: list[Node], shapes: Shapes) -> list[Node]:
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
        if all(_split(h)[0] < 0 for h in heads):
            flipped = tuple(_scaled(-_split(h)[0], _split(h)[1]) for h in heads)
            out.append(Mul((Num(Fraction(-1)), Add(flipped), last)))
        else:
            out.append(Mul((Add(tuple(heads)), last)))
        done.update(group)
    return out


__all__ = ["size", "tidy"]
