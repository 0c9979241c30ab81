"""Matrix expressions written out: as people write them (Xᵀ, ⊙, ‖x‖², det, tr), in
LaTeX, and in SymPy's matrix-expression syntax (what JSON gives: it reads back with
MatrixSymbols).  These are the tree's printers, as sympy.printing is SymPy's."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from .expr import (
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
    Sum,
    Trace,
    Transpose,
    Var,
)

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eps": "ε", "epsilon": "ε",
         "eta": "η", "kappa": "κ", "lam": "λ", "lamda": "λ", "lambda": "λ", "mu": "μ",
         "nu": "ν", "rho": "ρ", "tau": "τ", "omega": "ω", "theta": "θ", "Sigma": "Σ",
         "pi": "π"}  # fmt: skip
_INDEXED = re.compile(r"^([A-Za-z]+?)(\d+)$")


def name_text(name: str) -> str:
    """lam is λ, delta2 is δ2 (a Greek letter's name keeps its index)."""
    if name in GREEK:
        return GREEK[name]
    match = _INDEXED.match(name)
    if match and match[1] in GREEK:
        return GREEK[match[1]] + match[2]
    return name


_SUPER = str.maketrans("0123456789-/().", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᐟ⁽⁾·")
_FUNC_TEXT = {"sigma": "σ", "sigma'": "σ′", "tanh'": "tanh′", "relu'": "relu′",
              "sqrt": "√", "abs": "abs", "log": "log"}  # fmt: skip
_FUNC_LATEX = {"sigma": r"\sigma", "sigma'": r"\sigma'", "tanh'": r"\tanh'",
               "relu'": r"\operatorname{relu}'", "relu": r"\operatorname{relu}",
               "softplus": r"\operatorname{softplus}", "exp": r"\exp", "log": r"\log",
               "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "sign": r"\operatorname{sign}",
               "abs": r"\operatorname{abs}", "step": r"\operatorname{step}"}  # fmt: skip

ADD, MUL, UNARY, POW, ATOM = 10, 20, 25, 30, 40


def _prec(node: Node) -> int:
    if isinstance(node, Add):
        return ADD
    if isinstance(node, Mul | Hadamard | Divide):
        return MUL
    if isinstance(node, Num):
        return ATOM if node.value >= 0 and node.value.denominator == 1 else MUL
    if isinstance(node, Power | ElementPower | Transpose | Inverse):
        return POW
    return ATOM


def _coefficient(node: Mul) -> tuple[Fraction, tuple[Node, ...]]:
    c = Fraction(1)
    rest = []
    for f in node.items:
        if isinstance(f, Num):
            c *= f.value
        else:
            rest.append(f)
    return c, tuple(rest)


def _number(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


# --- as people write it ----------------------------------------------------------------


def text(node: Node) -> str:
    """Xᵀ(Xw − y), det(X)·X⁻ᵀ, σ′(Wx) ⊙ dW, ‖u‖²."""
    return _Text().show(node)


class _Text:
    def wrap(self, node: Node, level: int) -> str:
        shown = self.show(node)
        return f"({shown})" if _prec(node) < level else shown

    def show(self, node: Node) -> str:  # noqa: C901, PLR0911, PLR0912
        if isinstance(node, Var):
            return name_text(node.name)
        if isinstance(node, Differential):
            return "d" + name_text(node.name)
        if isinstance(node, Num):
            return _number(node.value).replace("-", "−")
        if isinstance(node, Ones):
            r, c = node.shape
            return "1" if c == 1 else "1ᵀ" if r == 1 else "11ᵀ"
        if isinstance(node, Eye):
            return "I"
        if isinstance(node, Add):
            out = self.show(node.items[0])
            for term in node.items[1:]:
                shown = self.show(term)
                out += f" − {shown[1:]}" if shown.startswith("−") else f" + {shown}"
            return out
        if isinstance(node, Mul):
            return self.product(node)
        if isinstance(node, Hadamard):
            return " ⊙ ".join(self.wrap(f, MUL + 1) for f in node.items)
        if isinstance(node, Divide):
            return f"{self.wrap(node.num, MUL + 1)} ⊘ {self.wrap(node.den, MUL + 1)}"
        if isinstance(node, Transpose):
            if isinstance(node.arg, Inverse):
                return self.wrap(node.arg.arg, ATOM) + "⁻ᵀ"
            return self.wrap(node.arg, ATOM) + "ᵀ"
        if isinstance(node, Inverse):
            return self.wrap(node.arg, ATOM) + "⁻¹"
        if isinstance(node, Det):
            return f"det({self.show(node.arg)})"
        if isinstance(node, Trace):
            return f"tr({self.show(node.arg)})"
        if isinstance(node, Norm):
            return f"‖{self.show(node.arg)}‖"
        if isinstance(node, Sum):
            return f"sum({self.show(node.arg)})"
        if isinstance(node, Diag):
            return f"diag({self.show(node.arg)})"
        if isinstance(node, Func):
            name = _FUNC_TEXT.get(node.name, node.name)
            if name == "√" and _prec(node.arg) == ATOM:
                return "√" + self.show(node.arg)
            return f"{name}({self.show(node.arg)})"
        if isinstance(node, Power | ElementPower):
            p = node.exponent
            mark = "" if isinstance(node, Power) else "∘"
            if p.denominator == 1 or isinstance(node, ElementPower):
                return self.wrap(node.base, ATOM) + mark + _number(p).translate(_SUPER)
            return f"{self.wrap(node.base, ATOM)}^({_number(p)})"
        raise TypeError(type(node).__name__)

    def product(self, node: Mul) -> str:
        c, factors = _coefficient(node)
        top = [f for f in factors if not (isinstance(f, Power) and f.exponent < 0)]
        bottom = [Power(f.base, -f.exponent) if f.exponent != -1 else f.base
                  for f in factors if isinstance(f, Power) and f.exponent < 0]  # fmt: skip
        lead = ""
        if c.numerator < 0:
            lead, c = "−", -c
        under = c.denominator  # ½·x/‖x‖ is x/(2·‖x‖): the number's denominator goes below
        c = Fraction(c.numerator)
        parts = [] if c == 1 and (top or bottom or under != 1) else [_number(c)]
        shown = [self.wrap(f, MUL + 1) for f in top]
        body = "".join(parts)
        previous: Node | None = Num(c) if parts else None
        for i, s in enumerate(shown):
            beside = previous is not None and (isinstance(previous, Num) or _short(previous))
            joiner = "" if not body or (beside and _short(top[i])) else "·"
            if body and isinstance(top[i], Eye) and not isinstance(previous, Num):
                joiner = "·"  # xᵀx·I, not xᵀxI
            body += joiner + s
            previous = top[i]
        if not body:
            body = "1"
        below = ([str(under)] if under != 1 else []) + [self.wrap(b, MUL + 1) for b in bottom]
        if not below:
            return lead + body
        den = "·".join(below)
        if len(below) > 1:
            den = f"({den})"
        return f"{lead}{body}/{den}"


def _short(node: Node) -> bool:
    """A factor written beside another without a dot: X, w, Xᵀ, X⁻¹, dX, (…)."""
    if isinstance(node, Var | Eye | Ones | Add):
        return isinstance(node, Add | Eye | Ones) or len(node_text_name(node)) == 1
    if isinstance(node, Transpose | Inverse):
        return _short(node.arg) or isinstance(node.arg, Add)
    return False


def node_text_name(node: Node) -> str:
    if isinstance(node, Var):
        return name_text(node.name)
    return "x"


# --- LaTeX ---------------------------------------------------------------------------


def latex(node: Node) -> str:
    return _Latex().show(node)


class _Latex:
    def wrap(self, node: Node, level: int) -> str:
        shown = self.show(node)
        return rf"\left({shown}\right)" if _prec(node) < level else shown

    def name(self, name: str) -> str:
        if name in GREEK:
            return {"lam": r"\lambda", "lamda": r"\lambda", "eps": r"\varepsilon"}.get(
                name, "\\" + name
            )
        match = _INDEXED.match(name)
        if match:  # W1 is W_{1}, delta2 is δ_{2}
            return f"{self.name(match[1])}_{{{match[2]}}}"
        return name if len(name) == 1 else rf"\mathrm{{{name}}}"

    def show(self, node: Node) -> str:  # noqa: C901, PLR0911, PLR0912
        if isinstance(node, Var):
            return self.name(node.name)
        if isinstance(node, Differential):
            return rf"\mathrm{{d}}{self.name(node.name)}"
        if isinstance(node, Num):
            v = node.value
            return (
                str(v.numerator)
                if v.denominator == 1
                else rf"\frac{{{v.numerator}}}{{{v.denominator}}}"
            )
        if isinstance(node, Ones):
            r, c = node.shape
            return (
                r"\mathbf{1}"
                if c == 1
                else r"\mathbf{1}^{\top}"
                if r == 1
                else r"\mathbf{1}\mathbf{1}^{\top}"
            )
        if isinstance(node, Eye):
            return "I"
        if isinstance(node, Add):
            out = self.show(node.items[0])
            for term in node.items[1:]:
                shown = self.show(term)
                out += f" - {shown[1:]}" if shown.startswith("-") else f" + {shown}"
            return out
        if isinstance(node, Mul):
            k, factors = _coefficient(node)
            top = [f for f in factors if not (isinstance(f, Power) and f.exponent < 0)]
            bottom = [Power(f.base, -f.exponent) if f.exponent != -1 else f.base
                      for f in factors if isinstance(f, Power) and f.exponent < 0]  # fmt: skip
            lead = "-" if k < 0 else ""
            k = abs(k)
            # a thin space after a differential: dS\,S^{-1}, not dSS^{-1}
            num = (
                " ".join(
                    self.wrap(f, MUL + 1) + (r"\," if isinstance(f, Differential) else "")
                    for f in top
                ).replace(r"\, ", r"\,")
                or "1"
            )
            if k.numerator != 1 or (not top and not bottom):
                num = f"{k.numerator} {num}" if top else str(k.numerator)
            den = " ".join(self.wrap(b, MUL + 1) for b in bottom)
            if k.denominator != 1:
                den = f"{k.denominator} {den}".strip()
            if den and len(top) == 1 and k.numerator == 1:  # \frac{Y - T}{3}: no brackets
                num = self.show(top[0])
            return f"{lead}\\frac{{{num}}}{{{den}}}" if den else lead + num
        if isinstance(node, Hadamard):
            return r" \odot ".join(self.wrap(f, MUL + 1) for f in node.items)
        if isinstance(node, Divide):
            return rf"{self.wrap(node.num, MUL + 1)} \oslash {self.wrap(node.den, MUL + 1)}"
        if isinstance(node, Transpose):
            if isinstance(node.arg, Inverse):
                return self.wrap(node.arg.arg, ATOM) + r"^{-\top}"
            return self.wrap(node.arg, ATOM) + r"^{\top}"
        if isinstance(node, Inverse):
            return self.wrap(node.arg, ATOM) + "^{-1}"
        if isinstance(node, Det):
            return rf"\det\left({self.show(node.arg)}\right)"
        if isinstance(node, Trace):
            return rf"\operatorname{{tr}}\left({self.show(node.arg)}\right)"
        if isinstance(node, Norm):
            return rf"\left\lVert {self.show(node.arg)} \right\rVert"
        if isinstance(node, Sum):
            return rf"\operatorname{{sum}}\left({self.show(node.arg)}\right)"
        if isinstance(node, Diag):
            return rf"\operatorname{{diag}}\left({self.show(node.arg)}\right)"
        if isinstance(node, Func):
            if node.name == "sqrt":
                return rf"\sqrt{{{self.show(node.arg)}}}"
            name = _FUNC_LATEX.get(node.name, rf"\operatorname{{{node.name}}}")
            return rf"{name}\left({self.show(node.arg)}\right)"
        if isinstance(node, Power | ElementPower):
            p = node.exponent
            mark = r"\circ " if isinstance(node, ElementPower) else ""
            exp = _number(p) if p.denominator == 1 else rf"{p.numerator}/{p.denominator}"
            return f"{self.wrap(node.base, ATOM)}^{{{mark}{exp}}}"
        raise TypeError(type(node).__name__)


# --- SymPy's syntax ------------------------------------------------------------------

_SYMPY_SCALAR = {"exp": "exp({})", "log": "log({})", "sin": "sin({})", "cos": "cos({})",
                 "tanh": "tanh({})", "sigma": "1/(1 + exp(-({})))",
                 "sigma'": "exp(-({0}))/(1 + exp(-({0})))**2", "tanh'": "1 - tanh({})**2",
                 "relu": "Max(0, {})", "relu'": "Heaviside({})", "softplus": "log(1 + exp({}))",
                 "sqrt": "sqrt({})", "abs": "Abs({})", "sign": "sign({})"}  # fmt: skip
_SOFTMAX = "{0}.applyfunc(exp)/(OneMatrix(1, {1})*{0}.applyfunc(exp))[0, 0]"


def sympy_text(node: Node, shape_of: Callable[[Node], Shape]) -> str:
    """SymPy's matrix-expression syntax: X.T*(X*w - y), Determinant(X), Trace(X),
    HadamardProduct(A, B), X.applyfunc(Lambda(z, tanh(z))) for an entrywise function."""
    return _Sympy(shape_of).show(node)


class _Sympy:
    def __init__(self, shape_of: Callable[[Node], Shape]) -> None:
        self.shape_of = shape_of

    def wrap(self, node: Node, level: int) -> str:
        shown = self.show(node)
        return f"({shown})" if _prec(node) < level or shown.startswith("-") else shown

    def number(self, node: Node) -> str:
        """⊙, ⊘ and ᵀ of 1×1 operands, which SymPy holds as numbers (Symbols)."""
        if isinstance(node, Transpose):
            return self.wrap(node.arg, ATOM)
        if isinstance(node, Divide):
            return f"{self.wrap(node.num, MUL + 1)}/{self.wrap(node.den, MUL + 1)}"
        return "*".join(self.wrap(f, MUL + 1) for f in node.children())

    def show(self, node: Node) -> str:  # noqa: C901, PLR0911, PLR0912
        if isinstance(node, Var):
            return node.name
        if isinstance(node, Differential):
            return "d" + node.name
        if isinstance(node, Num):
            return (
                _number(node.value)
                if node.value.denominator == 1
                else f"Rational({node.value.numerator}, {node.value.denominator})"
            )
        if isinstance(node, Ones):
            if node.shape == (1, 1):
                return "1"
            return f"OneMatrix({node.shape[0]}, {node.shape[1]})"
        if isinstance(node, Eye):
            return f"Identity({node.n})"
        if self.shape_of(node) == (1, 1) and isinstance(node, Hadamard | Divide | Transpose):
            return self.number(node)  # y ⊙ t of 1×1 names: the numbers' product
        if isinstance(node, Add):
            out = self.show(node.items[0])
            for t in node.items[1:]:
                shown = self.show(t)
                out += f" - {shown[1:]}" if shown.startswith("-") else f" + {shown}"
            return out
        if isinstance(node, Mul):
            k, rest = _coefficient(node)
            if k == -1 and rest:
                shown = "-" + "*".join(self.wrap(f, MUL + 1) for f in rest)
            else:
                shown = "*".join(self.wrap(f, MUL + 1) for f in node.items)
            if self.shape_of(node) == (1, 1) and any(self.shape_of(f) != (1, 1) for f in rest):
                return f"({shown})[0, 0]"  # xᵀx is a 1×1 matrix to SymPy: its entry, a number
            return shown
        if isinstance(node, Hadamard):
            return f"HadamardProduct({', '.join(self.show(f) for f in node.items)})"
        if isinstance(node, Divide):
            return (
                f"HadamardProduct({self.show(node.num)}, HadamardPower({self.show(node.den)}, -1))"
            )
        if isinstance(node, Transpose):
            return self.wrap(node.arg, ATOM) + ".T"
        if isinstance(node, Inverse):
            return self.wrap(node.arg, ATOM) + ".I"
        if isinstance(node, Det):
            return f"Determinant({self.show(node.arg)})"
        if isinstance(node, Trace):
            return f"Trace({self.show(node.arg)})"
        if isinstance(node, Norm):
            if self.shape_of(node.arg) == (1, 1):
                return f"Abs({self.show(node.arg)})"
            a = self.wrap(node.arg, ATOM)
            return f"sqrt(Trace({a}.T*{a}))"
        if isinstance(node, Sum):
            r, c = self.shape_of(node.arg)
            if (r, c) == (1, 1):
                return f"({self.show(node.arg)})"
            return f"(OneMatrix(1, {r})*{self.wrap(node.arg, MUL + 1)}*OneMatrix({c}, 1))[0, 0]"
        if isinstance(node, Diag):
            r, c = self.shape_of(node.arg)
            return (
                f"DiagMatrix({self.show(node.arg)})"
                if c == 1
                else f"DiagonalOf({self.show(node.arg)})"
            )
        if isinstance(node, Func) and node.name == "softmax":
            shown = _SOFTMAX.format(self.wrap(node.arg, ATOM), self.shape_of(node.arg)[0])
            return f"({shown})"
        if isinstance(node, Func):
            form = _SYMPY_SCALAR[node.name]
            if self.shape_of(node.arg) == (1, 1):
                return form.format(self.show(node.arg))
            return f"{self.wrap(node.arg, ATOM)}.applyfunc(Lambda(z, {form.format('z')}))"
        if isinstance(node, Power):
            p = node.exponent
            exp = _number(p) if p.denominator == 1 else f"Rational({p.numerator}, {p.denominator})"
            power = exp if p >= 0 and p.denominator == 1 else f"({exp})"
            return f"{self.wrap(node.base, ATOM)}**{power}"
        if isinstance(node, ElementPower):
            return f"HadamardPower({self.show(node.base)}, {_number(node.exponent)})"
        raise TypeError(type(node).__name__)
