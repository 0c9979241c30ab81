"""The differential of a matrix expression, rule by rule, and the derivative read off it.

Inner quantities get names, as the seed does (u = Xw − y), and each gets one step:
du in terms of the differentials of what it is made of.  Substituted from the outside in,
df ends up linear in dX.  For a scalar f it is then rearranged into tr(G·dX) (or gᵀdx):
the adjoint of each operation moves onto the other side of the inner product ⟨M, E⟩ =
tr(MᵀE) (cyclic property, transposes, ⟨M, A ⊙ E⟩ = ⟨M ⊙ A, E⟩) until E is dX, and
∂f/∂X = Gᵀ has the shape of X (denominator layout).  For a vector f and a vector x,
df = J·dx gives the Jacobian.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..core.errors import LimitError, UsageError
from .expr import (
    ONE,
    ZERO,
    Add,
    Det,
    Diag,
    Differential,
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
    Shape,
    Shapes,
    Sum,
    Trace,
    Transpose,
    Var,
    depends_on,
    has_differential,
    replaced,
)
from .simplify import tidy

MINUS = Num(Fraction(-1))
MAX_POWER_TERMS = 30  # d(X^k) has k terms: beyond this the steps would be pages long

PRODUCT = "d(AB) = dA·B + A·dB"
SUM = "d(A + B) = dA + dB"
HADAMARD = "d(A ⊙ B) = dA ⊙ B + A ⊙ dB"
QUOTIENT = "d(A ⊘ B) = dA ⊘ B − A ⊙ dB ⊘ (B ⊙ B)"
TRANSPOSE = "d(Aᵀ) = (dA)ᵀ"
INVERSE = "d(X⁻¹) = −X⁻¹·dX·X⁻¹"
DET = "d det X = det X·tr(X⁻¹dX)"
TRACE = "d tr F = tr dF"
NORM = "d‖x‖ = xᵀdx/‖x‖"
NORM_SQUARED = "d‖x‖² = 2xᵀdx"
FROBENIUS = "d‖X‖ = tr(XᵀdX)/‖X‖"
FROBENIUS_SQUARED = "d‖X‖² = 2tr(XᵀdX)"
ENTRIES = "d sum(A) = sum(dA)"
DIAG = "d diag(A) = diag(dA)"
POWER = "d(uᵖ) = p·uᵖ⁻¹du"
MATRIX_POWER = "d(Aᵏ) = Σ Aⁱ·dA·Aᵏ⁻¹⁻ⁱ"
ENTRY_POWER = "d(A∘ᵖ) = p·A∘ᵖ⁻¹ ⊙ dA"
ENTRYWISE = "d f(U) = f′(U) ⊙ dU"
SCALAR_FUNCTION = "d f(u) = f′(u)·du"
SOFTMAX = "d softmax(z) = (diag(s) − ssᵀ)dz, s = softmax(z)"

#: f′ as an expression of the argument, for each function (sqrt and log are quotients).
_PRIME = {"exp": "exp", "sin": "cos", "tanh": "tanh'", "sigma": "sigma'", "relu": "relu'",
          "softplus": "sigma", "abs": "sign"}  # fmt: skip
_NAME_INSIDE = (Func, Norm, Det, Inverse, Power, ElementPower, Divide, Trace, Sum, Diag)


@dataclass(frozen=True)
class Step:
    """One named quantity: what it is, its differential, and the rules that gave it."""

    name: str
    expr: Node
    differential: Node
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Differentials:
    steps: tuple[Step, ...]  # f first, then the names inside it
    substituted: tuple[Node, ...]  # df after each name's differential is put in
    df: Node  # linear in dX, tidied
    shapes: Shapes
    definitions: dict[str, Node]  # the named quantities (u -> Xw − y)


def differentials(f: Node, wrt: str, shapes: Shapes, taken: set[str]) -> Differentials:
    names = _Namer(shapes, taken | set(shapes.of_var), wrt)
    top = names.named(f)
    shapes = names.shapes
    order = [("f", top), *reversed(names.defs)]  # f, then outer names before inner ones
    dependent = {wrt, *(n for n, _ in names.defs)}
    named = {expr: name for name, expr in names.defs}
    steps = []
    for name, expr in order:
        rules: list[str] = []
        d = _D(shapes, dependent, rules).go(expr)
        # det(X)·tr(X⁻¹dX) for u = det(X) is u·tr(X⁻¹dX): the name cancels where it meets
        d = tidy(replaced(d, lambda n: Var(named[n]) if n in named else None), shapes)
        steps.append(Step(name, expr, d, tuple(dict.fromkeys(rules))))
    df = steps[0].differential
    substituted = []
    for step in steps[1:]:
        df = tidy(_put_in(df, step), shapes)
        substituted.append(df)
    return Differentials(tuple(steps), tuple(substituted), df, shapes, dict(names.defs))


def differential_of(expr: Node, shapes: Shapes, dependent: set[str]) -> tuple[Node, list[str]]:
    """d(expr), tidied, with the rules it used: the differentials are those of `dependent`."""
    rules: list[str] = []
    return tidy(_D(shapes, dependent, rules).go(expr), shapes), list(dict.fromkeys(rules))


def _put_in(df: Node, step: Step) -> Node:
    """df with d(step's name) replaced by that step's differential."""
    mark = Differential(step.name)
    return replaced(df, lambda n: step.differential if n == mark else None)


class _Namer:
    """Composite arguments of det, inv, norms, functions and powers get names: u = Xw − y."""

    LOWER = "uvstrpqabcgh"
    UPPER = "UVZSTRPQABCG"

    def __init__(self, shapes: Shapes, taken: set[str], wrt: str) -> None:
        self.shapes, self.taken, self.wrt = shapes, set(taken), wrt
        self.defs: list[tuple[str, Node]] = []

    def named(self, node: Node) -> Node:
        kids = node.children()
        if not kids:
            return node
        new_kids = []
        for k in kids:
            k = self.named(k)
            squared_norm = isinstance(node, Power) and node.exponent == 2 and isinstance(k, Norm)
            if (isinstance(node, _NAME_INSIDE) and not squared_norm and self.worth(k)
                    and not (isinstance(node, Divide) and k is node.children()[0])):  # fmt: skip
                k = self.name_for(k)
            new_kids.append(k)
        return node.rebuilt(tuple(new_kids))

    def worth(self, node: Node) -> bool:
        if isinstance(node, Var | Num | Ones | Eye):
            return False
        if isinstance(node, Transpose) and isinstance(node.arg, Var):
            return False
        return depends_on(node, {self.wrt, *(n for n, _ in self.defs)})

    def name_for(self, node: Node) -> Var:
        for name, expr in self.defs:
            if expr == node:
                return Var(name)
        shape = self.shapes(node)
        pool = self.UPPER if shape[1] != 1 and shape[0] != 1 else self.LOWER
        name = next((c for c in pool if c not in self.taken), None) or next(
            f"{pool[0]}{i}" for i in range(1, 1000) if f"{pool[0]}{i}" not in self.taken
        )
        self.taken.add(name)
        self.shapes = self.shapes.with_var(name, shape)
        self.defs.append((name, node))
        return Var(name)


class _D:
    """The differential of one expression, with the rules it used recorded."""

    def __init__(self, shapes: Shapes, dependent: set[str], rules: list[str]) -> None:
        self.shapes, self.dependent, self.rules = shapes, dependent, rules

    def varies(self, node: Node) -> bool:
        return depends_on(node, self.dependent)

    def scalar(self, node: Node) -> bool:
        return self.shapes(node) == (1, 1)

    def go(self, node: Node) -> Node:  # noqa: C901, PLR0911, PLR0912
        if not self.varies(node):
            return ZERO
        if isinstance(node, Var):
            return Differential(node.name)
        if isinstance(node, Add):
            if sum(self.varies(t) for t in node.items) > 1:
                self.rules.append(SUM)
            return Add(tuple(self.go(t) for t in node.items if self.varies(t)))
        if isinstance(node, Mul):
            terms: list[Node] = []
            varying = [i for i, f in enumerate(node.items) if self.varies(f)]
            if len(node.items) > 1:
                self.rules.append(PRODUCT)
            for i in varying:
                items = list(node.items)
                items[i] = self.go(items[i])
                terms.append(Mul(tuple(items)))
            return terms[0] if len(terms) == 1 else Add(tuple(terms))
        if isinstance(node, Hadamard):
            self.rules.append(HADAMARD)
            terms = []
            for i, f in enumerate(node.items):
                if self.varies(f):
                    items = list(node.items)
                    items[i] = self.go(f)
                    terms.append(Hadamard(tuple(items)))
            return terms[0] if len(terms) == 1 else Add(tuple(terms))
        if isinstance(node, Divide):
            self.rules.append(QUOTIENT)
            a, b = node.num, node.den
            terms = []
            if self.varies(a):
                terms.append(Divide(self.go(a), b))
            if self.varies(b):
                terms.append(Mul((MINUS, Divide(Hadamard((a, self.go(b))), Hadamard((b, b))))))
            return Add(tuple(terms))
        if isinstance(node, Transpose):
            self.rules.append(TRANSPOSE)
            return Transpose(self.go(node.arg))
        if isinstance(node, Inverse):
            self.rules.append(INVERSE)
            return Mul((MINUS, node, self.go(node.arg), node))
        if isinstance(node, Det):
            self.rules.append(DET)
            return Mul((node, Trace(Mul((Inverse(node.arg), self.go(node.arg))))))
        if isinstance(node, Trace):
            self.rules.append(TRACE)
            return Trace(self.go(node.arg))
        if isinstance(node, Sum):
            self.rules.append(ENTRIES)
            return Sum(self.go(node.arg))
        if isinstance(node, Diag):
            self.rules.append(DIAG)
            return Diag(self.go(node.arg))
        if isinstance(node, Norm):
            a = node.arg
            vector = self.shapes(a)[1] == 1
            self.rules.append(NORM if vector else FROBENIUS)
            inner = Mul((Transpose(a), self.go(a)))
            return Mul((Power(node, Fraction(-1)), inner if vector else Trace(inner)))
        if isinstance(node, Power):
            return self.power(node)
        if isinstance(node, ElementPower):
            self.rules.append(ENTRY_POWER)
            p = node.exponent
            return Hadamard((Mul((Num(p), ElementPower(node.base, p - 1))), self.go(node.base)))
        if isinstance(node, Func):
            return self.function(node)
        raise UsageError(f"no rule for {type(node).__name__}")

    def power(self, node: Power) -> Node:
        base, p = node.base, node.exponent
        if isinstance(base, Norm) and p == 2:
            a = base.arg
            vector = self.shapes(a)[1] == 1
            self.rules.append(NORM_SQUARED if vector else FROBENIUS_SQUARED)
            inner = Mul((Transpose(a), self.go(a)))
            return Mul((Num(Fraction(2)), inner if vector else Trace(inner)))
        if self.scalar(base):
            self.rules.append(POWER)
            return Mul((Num(p), Power(base, p - 1), self.go(base)))
        self.rules.append(MATRIX_POWER)
        k = int(p)
        if k > MAX_POWER_TERMS:
            raise LimitError(f"d(X^{k}) is a sum of {k} terms, written out here up to "
                             f"X^{MAX_POWER_TERMS}")  # fmt: skip
        d = self.go(base)
        return Add(tuple(Mul((Power(base, Fraction(i)), d, Power(base, Fraction(k - 1 - i))))
                         for i in range(k)))  # fmt: skip

    def function(self, node: Func) -> Node:
        a, name = node.arg, node.name
        if name == "softmax":
            if self.shapes(a)[1] != 1:
                raise UsageError("softmax is of a column vector (one at a time)")
            self.rules.append(SOFTMAX)
            jac = Add((Diag(node), Mul((MINUS, node, Transpose(node)))))
            return Mul((jac, self.go(a)))
        scalar = self.scalar(a)
        self.rules.append(SCALAR_FUNCTION if scalar else ENTRYWISE)
        da = self.go(a)
        if name == "log":
            return Mul((Power(a, Fraction(-1)), da)) if scalar else Divide(da, a)
        if name == "sqrt":
            two_root = Mul((Num(Fraction(2)), node))
            return Mul((Power(two_root, Fraction(-1)), da)) if scalar else Divide(da, two_root)
        if name == "cos":
            prime: Node = Mul((MINUS, Func("sin", a)))
        elif name in _PRIME:
            prime = Func(_PRIME[name], a)
        else:
            raise UsageError(f"no derivative known for {name}")
        return Mul((prime, da)) if scalar else Hadamard((prime, da))


# --- reading the derivative off df -----------------------------------------------------


def gradient(df: Node, wrt: str, shapes: Shapes) -> Node:
    """G with df = ⟨G, dX⟩ = tr(GᵀdX): ∂f/∂X, shaped like X."""
    parts = [m for _, m in Pull(shapes, {wrt}).pull(ONE, df)]
    if not parts:
        return _zeros(shapes.of_var[wrt])
    return tidy(parts[0] if len(parts) == 1 else Add(tuple(parts)), shapes)


def _zeros(shape: Shape) -> Node:
    return Mul((ZERO, Ones(shape)))


class Pull:
    """⟨M, E⟩ with E linear in the differentials of `targets`, moved step by step to a sum
    of ⟨M′, dX⟩: one (X, M′) for each place a dX of a target occurs in E."""

    def __init__(self, shapes: Shapes, targets: set[str]) -> None:
        self.shapes, self.targets = shapes, targets

    def pull(self, M: Node, E: Node) -> list[tuple[str, Node]]:  # noqa: C901, PLR0911, PLR0912
        if not has_differential(E):
            return []
        if isinstance(E, Differential) and E.name in self.targets:
            return [(E.name, M)]
        if isinstance(E, Add):
            return [p for t in E.items for p in self.pull(M, t)]
        if isinstance(E, Transpose):
            return self.pull(Transpose(M), E.arg)
        if isinstance(E, Mul):
            return self.product(M, E)
        if isinstance(E, Hadamard):
            i = next(i for i, f in enumerate(E.items) if has_differential(f))
            others = E.items[:i] + E.items[i + 1 :]
            return self.pull(Hadamard((M, *others)), E.items[i])
        if isinstance(E, Divide):
            return self.pull(Divide(M, E.den), E.num)
        if isinstance(E, Trace):
            n = self.shapes(E.arg)[0]
            return self.pull(Mul((M, Eye(n))), E.arg)
        if isinstance(E, Sum):
            return self.pull(Mul((M, Ones(self.shapes(E.arg)))), E.arg)
        if isinstance(E, Diag):
            return self.pull(Diag(M), E.arg)
        raise UsageError(f"cannot rearrange a {type(E).__name__} of dX into tr(G·dX)")

    def product(self, M: Node, E: Mul) -> list[tuple[str, Node]]:
        scalars = [f for f in E.items if self.shapes(f) == (1, 1) and not has_differential(f)]
        chain = [f for f in E.items if not (self.shapes(f) == (1, 1) and not has_differential(f))]
        c: Node = Mul(tuple(scalars)) if scalars else ONE
        k = next(i for i, f in enumerate(chain) if has_differential(f))
        F = chain[k]
        left, right = chain[:k], chain[k + 1 :]
        if self.shapes(F) == (1, 1) and (left or right):
            rest = Mul(tuple(left + right)) if len(left + right) > 1 else (left + right)[0]
            inner = Trace(Mul((Transpose(M), rest)))  # ⟨M, s·P⟩ = s·⟨M, P⟩
            return self.pull(Mul((c, inner)), F)
        new: list[Node] = [c]
        if left:
            new.append(Transpose(Mul(tuple(left))) if len(left) > 1 else Transpose(left[0]))
        new.append(M)
        if right:
            new.append(Transpose(Mul(tuple(right))) if len(right) > 1 else Transpose(right[0]))
        return self.pull(Mul(tuple(new)), F)


def jacobian(df: Node, wrt: str, shapes: Shapes) -> Node:
    """J with df = J·dx, for a column vector f and a column vector x."""
    return tidy(_jac(df, wrt, shapes), shapes)


def _jac(E: Node, wrt: str, shapes: Shapes) -> Node:  # noqa: PLR0911
    n = shapes.of_var[wrt][0]
    if not has_differential(E):
        return _zeros((shapes(E)[0], n))
    if Differential(wrt) == E:
        return Eye(n)
    if isinstance(E, Add):
        return Add(tuple(_jac(t, wrt, shapes) for t in E.items if has_differential(t)))
    if isinstance(E, Hadamard):
        i = next(i for i, f in enumerate(E.items) if has_differential(f))
        others = E.items[:i] + E.items[i + 1 :]
        a = others[0] if len(others) == 1 else Hadamard(others)
        return Mul((Diag(a), _jac(E.items[i], wrt, shapes)))
    if isinstance(E, Divide):
        return Mul((Diag(Divide(Ones(shapes(E.den)), E.den)), _jac(E.num, wrt, shapes)))
    if isinstance(E, Mul):
        k = next(i for i, f in enumerate(E.items) if has_differential(f))
        left, F, right = E.items[:k], E.items[k], E.items[k + 1 :]
        if isinstance(F, Add):  # (dx·xᵀ + x·dxᵀ)x: one product a term
            terms = (Mul((*left, *(t.items if isinstance(t, Mul) else (t,)), *right))
                     for t in F.items)  # fmt: skip
            return _jac(Add(tuple(terms)), wrt, shapes)
        # a scalar run around dx (bᵀdx in bᵀ·dx·a, or s(dx) itself) commutes out: a·∇sᵀ
        items = E.items
        for i in range(k, -1, -1):
            for j in range(k, len(items)):
                run = items[i] if i == j else Mul(items[i : j + 1])
                outer = (*items[:i], *items[j + 1 :])
                if outer and shapes(run) == (1, 1):
                    return Mul((*outer, Transpose(gradient(run, wrt, shapes))))
        right_shape = shapes(Mul(right)) if right else (1, 1)
        if shapes(F)[1] == 1 and right_shape == (1, 1):  # L·F·s: s·L·J(F)
            return Mul((*right, *left, _jac(F, wrt, shapes)))
        # L·(F·R) where F·R is a scalar: L·∇(F·R)ᵀ
        scalar = Mul((F, *right))
        if shapes(scalar) == (1, 1):
            g = gradient(scalar, wrt, shapes)
            return Mul((*left, Transpose(g)))
    raise UsageError("cannot write this differential as J·dx")


def expanded(node: Node, definitions: dict[str, Node]) -> Node:
    """`node` with every named quantity (u) replaced by what it stands for (Xw − y)."""
    for _ in range(len(definitions) + 1):
        new = replaced(node, lambda n: definitions.get(n.name) if isinstance(n, Var) else None)
        if new == node:
            break
        node = new
    return node


__all__ = [
    "Differentials",
    "Pull",
    "Step",
    "differentials",
    "differential_of",
    "expanded",
    "gradient",
    "jacobian",
]
