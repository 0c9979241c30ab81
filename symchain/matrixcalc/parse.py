"""Text to a matrix expression, by a parser of symchain's own (no eval, no sympify).

The syntax is close to matrixcalculus.org's: `*` (matrix product, or a scalar multiple),
`@`, `'` and `.T` (transpose), `.*` and `⊙` (entrywise product), `./` (entrywise
quotient), `^` (a power of a scalar or of a square matrix; X^-1 is the inverse), `.^`
(entrywise power), functions det log tr trace inv norm2 norm sum diag exp sin cos tanh
sigma relu softplus sqrt abs, numbers.  What a name is (matrix, vector, scalar) is
decided by `shapes`, not here.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction

from ..core.errors import ParseError
from .expr import (
    FUNCTIONS,
    Add,
    Det,
    Diag,
    Divide,
    ElementPower,
    Func,
    Hadamard,
    Inverse,
    Mul,
    Node,
    Norm,
    Num,
    Power,
    Sum,
    Trace,
    Transpose,
    Var,
)

MAX_LENGTH = 2000
MAX_DEPTH = 100
MAX_EXPONENT = 1000  # X^k: a matrix power beyond this is refused

#: Names a formula may call, and the node each makes.
CALLS = {
    "det": Det,
    "tr": Trace,
    "trace": Trace,
    "inv": Inverse,
    "norm2": Norm,
    "norm": Norm,
    "sum": Sum,
    "diag": Diag,
}
ALIASES = {"ln": "log", "sigmoid": "sigma", "logistic": "sigma"}
RESERVED = set(CALLS) | set(FUNCTIONS) | set(ALIASES) | {"T"}

_UNICODE = {"−": "-", "·": "*", "×": "*", "⊙": ".*", "∘": ".*", "ᵀ": "'", "⁻¹": "^-1",
            "²": "^2", "³": "^3", "⊘": "./"}  # fmt: skip
_TOKEN = re.compile(
    r"(?P<num>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\.\*|\./|\.\^|\.T\b|[-+*/@^'(),])"
    r"|(?P<space>\s+)"
)


#: Names people reach for that the syntax writes otherwise (sigmoid and logistic are
#: ALIASES: they read as sigma).
MATRIX_ALIASES = {"Tr": "tr", "Det": "det", "transpose": "' or .T", "inverse": "inv",
                  "logdet": "log(det(…))", "frobenius": "norm2"}  # fmt: skip


def _unknown(name: str) -> str:
    """unknown function 'sigmod': did you mean sigma?, by alias, case or spelling."""
    known = sorted(set(CALLS) | set(FUNCTIONS) | set(ALIASES))
    hint = MATRIX_ALIASES.get(name) or (name.lower() if name.lower() in known else None)
    if hint is None:
        close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.7)
        hint = close[0] if close else None
    return f"unknown function {name!r}" + (f": did you mean {hint}?" if hint else "")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    col: int


def _normalized(text: str) -> tuple[str, list[int]]:
    """Unicode operators as ASCII, with the column in the user's text of each character."""
    out, cols = [], []
    i = 0
    while i < len(text):
        for symbol, ascii_form in _UNICODE.items():
            if text.startswith(symbol, i):
                out.append(ascii_form)
                cols += [i] * len(ascii_form)
                i += len(symbol)
                break
        else:
            out.append(text[i])
            cols.append(i)
            i += 1
    return "".join(out), cols


def tokens(text: str) -> list[_Tok]:
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ParseError("the formula is empty", text=text, position=0)
    plain, cols = _normalized(text)
    out: list[_Tok] = []
    pos = 0
    while pos < len(plain):
        match = _TOKEN.match(plain, pos)
        if match is None or match.end() == pos:
            raise ParseError(
                f"{plain[pos]!r} is not part of the matrix syntax", text=text, position=cols[pos]
            )
        kind = match.lastgroup or ""
        if kind != "space":
            out.append(_Tok(kind, match.group(), cols[pos]))
        pos = match.end()
    return out


def parse(text: str) -> Node:
    """The expression `text` writes (shapes not yet known)."""
    return parse_noted(text)[0]


def parse_noted(text: str) -> tuple[Node, list[str]]:
    """The expression, and a note for each convention the reading used (x^1/2)."""
    if not isinstance(text, str):
        raise ParseError("give the formula as text")
    parser = _Parser(text, tokens(text))
    return parser.whole(), parser.notes


class _Parser:
    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text, self.toks, self.i, self.depth = text, toks, 0, 0
        self.notes: list[str] = []

    def fail(self, message: str, tok: _Tok | None = None) -> ParseError:
        where = tok.col if tok is not None else len(self.text)
        return ParseError(message, text=self.text, position=where)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, *texts: str) -> _Tok | None:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in texts:
            self.i += 1
            return tok
        return None

    def whole(self) -> Node:
        node = self.sum()
        tok = self.peek()
        if tok is not None:
            raise self.fail(f"unexpected {tok.text!r}: put an operator before it", tok)
        return node

    def sum(self) -> Node:
        terms = [self.product()]
        while (tok := self.take("+", "-")) is not None:
            term = self.product()
            terms.append(term if tok.text == "+" else Mul((Num(Fraction(-1)), term)))
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def product(self) -> Node:
        node = self.unary()
        while True:
            tok = self.take("*", "@", "/", ".*", "./")
            if tok is None:
                nxt = self.peek()  # 2x, 2(x + y): a number times what follows
                if (
                    nxt is not None
                    and isinstance(node, Num)
                    and (nxt.kind == "name" or nxt.text == "(")
                ):
                    node = Mul((node, self.unary()))
                    continue
                return node
            right = self.unary()
            if tok.text in ("*", "@"):
                node = Mul((node, right))
            elif tok.text == "/":
                node = Mul((node, Power(right, Fraction(-1))))
            elif tok.text == ".*":
                node = Hadamard((node, right))
            else:
                node = Divide(node, right)

    def unary(self) -> Node:
        if self.take("-") is not None:
            return Mul((Num(Fraction(-1)), self.unary()))
        if self.take("+") is not None:
            return self.unary()
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        while self._transpose_power():  # x^T, as books print xᵀ
            base = Transpose(base)
            while self.take("'", ".T") is not None:
                base = Transpose(base)
        tok = self.take("^", ".^")
        if tok is None:
            return base
        nxt = self.peek()
        if nxt is not None and nxt.kind == "name" and nxt.text == "T":
            raise self.fail("T is also a matrix here: write the transpose X' or X.T", nxt)
        if base == Var("e") and nxt is not None and nxt.kind != "num":
            raise self.fail("the exponential is written exp(…), not e^…", tok)
        exponent = self.exponent(tok)
        if tok.text == ".^":
            return ElementPower(base, exponent)
        return Power(base, exponent)

    def exponent(self, after: _Tok, bracketed: bool = False) -> Fraction:
        """A number, signed or in parentheses: x^2, X^-1, x^(1/2), x^0.5.  A fraction only
        in parentheses, or as ^1/n and ^-1/n typed tight (a root, as `derive` reads it, with
        a note): x^2/2 is (x²)/2, as everywhere else."""
        sign = -1 if self.take("-") is not None else 1
        if self.take("(") is not None:
            value = self.exponent(after, bracketed=True)
            if self.take(")") is None:
                raise self.fail("this exponent's '(' is never closed", self.peek())
            return sign * value
        tok = self.peek()
        if tok is None or tok.kind != "num":
            raise self.fail(f"after {after.text!r} comes a number: the exponent", tok or None)
        self.i += 1
        value = Fraction(tok.text)
        if (not bracketed and self._tight_root(tok, value, sign)) or (
            bracketed and self.take("/") is not None
        ):
            den = self.peek()
            if den is None or den.kind != "num":
                raise self.fail("an exponent's fraction needs a number below it", den)
            self.i += 1
            value /= Fraction(den.text)
        if abs(value) > MAX_EXPONENT:
            raise self.fail(f"the exponent {value} is beyond ±{MAX_EXPONENT}", tok)
        return sign * value

    def _tight_root(self, tok: _Tok, value: Fraction, sign: int) -> bool:
        """x^1/2: a 1, a slash and a whole number with no space between: one exponent."""
        if value != 1 or self.i + 1 >= len(self.toks):
            return False
        slash, den = self.toks[self.i], self.toks[self.i + 1]
        if not (slash.text == "/" and den.kind == "num" and den.text.isdigit()):
            return False
        if slash.col != tok.col + len(tok.text) or den.col != slash.col + 1:
            return False
        self.i += 1  # the slash
        power = f"{'-' if sign < 0 else ''}1/{den.text}"
        self.notes.append(f"^{power} is read as the power {power}; write ^({power}) to say "
                          f"so, or (…)/{den.text} for the quotient")  # fmt: skip
        return True

    def postfix(self) -> Node:
        node = self.atom()
        while self.take("'", ".T") is not None:
            node = Transpose(node)
        return node

    def _transpose_power(self) -> bool:
        """^T read as the transpose (noted), unless T is a name of the formula's own."""
        tok, nxt = self.peek(), self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
        if tok is None or tok.text != "^" or nxt is None or (nxt.kind, nxt.text) != ("name", "T"):
            return False
        after = self.toks[self.i + 2] if self.i + 2 < len(self.toks) else None
        if after is not None and after.text == "(":
            return False
        named = [k for k, t in enumerate(self.toks) if (t.kind, t.text) == ("name", "T")]
        if any(k == 0 or self.toks[k - 1].text != "^" for k in named):
            return False  # T is a matrix of its own: X^T stays refused, with the reason
        self.i += 2
        note = "^T is read as the transpose (xᵀ); a matrix named T would need another name"
        if note not in self.notes:
            self.notes.append(note)
        return True

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.fail("the formula ends too early")
        self.i += 1
        if tok.kind == "num":
            return Num(Fraction(tok.text))
        if tok.kind == "name":
            return self.name(tok)
        if tok.text == "(":
            inner = self.nested(tok)
            return inner
        raise self.fail(f"unexpected {tok.text!r}", tok)

    def nested(self, opened: _Tok) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the formula is nested more than {MAX_DEPTH} deep", opened)
        inner = self.sum()
        if self.take(")") is None:
            raise self.fail("this '(' is never closed", opened)
        self.depth -= 1
        return inner

    def name(self, tok: _Tok) -> Node:
        name = ALIASES.get(tok.text, tok.text)
        called = name in CALLS or name in FUNCTIONS
        opened = self.take("(")
        if opened is None:
            if called:
                raise self.fail(f"{tok.text} is a function: write {tok.text}(...)", tok)
            if tok.text.startswith("_") or tok.text == "T":
                raise self.fail(f"{tok.text!r} cannot be a variable's name", tok)
            nxt = self.peek()
            if nxt is not None and nxt.kind in ("name", "num"):
                raise self.fail(f"put * between {tok.text} and {nxt.text}", nxt)
            return Var(tok.text)
        if not called:
            raise self.fail(_unknown(tok.text), tok)
        arg = self.nested(opened)
        if name in CALLS:
            return CALLS[name](arg)
        return Func(name, arg)
