"""Text to SymPy, safely: the only place in symchain where user text becomes an expression.

The text is tokenized by hand (so every error knows its column), implicit
multiplication is made explicit, the token stream is parsed by Python's `ast`
module (parsing only, nothing is evaluated), and the tree is walked against a
whitelist that builds SymPy objects directly.  `eval`, `sympify` and
`parse_expr` are never called.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import keyword
import math
import re
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import cast

import sympy as sp
from sympy.core.function import AppliedUndef

from .errors import ParseError
from .functions import (
    CONSTANTS,
    FUNCTIONS,
    PRIMED_NAME,
    TUPLE_ARGUMENTS,
    UNDEFINED_FUNCTIONS,
    is_callable_name,
)
from .piecewise import (
    brace_blocks,
    equals_sign,
    is_piecewise,
    read_piecewise,
    read_sympy_piecewise,
    sympy_blocks,
)

MAX_LENGTH = 2000
MAX_DEPTH = 200  # Python's own parser allows 200 levels of parentheses
MAX_DIGITS = 10_000  # the largest number a literal power may evaluate to, in digits
MAX_LITERAL_EXPONENT = 1000  # the largest decimal exponent in a literal such as 1e300
#: Python prints ints of at most 4,300 digits by default; a 10,000-digit power, and products
#: of a few, must print (the limit is raised for the process, never lowered).
INT_PRINT_DIGITS = 100_000
if 0 < sys.get_int_max_str_digits() < INT_PRINT_DIGITS:
    sys.set_int_max_str_digits(INT_PRINT_DIGITS)

_REPLACEMENTS = {
    "\u2212": "-",  # minus sign
    "\u00d7": "*",
    "\u00b7": "*",
    "\u22c5": "*",
    "\u2219": "*",
    "\u00f7": "/",
}

#: Greek letters, read as the names SymPy gives them (λ is lamda: lambda is Python's).
GREEK_LETTERS = {
    "alpha": "α", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ", "iota": "ι",
    "kappa": "κ", "lamda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}  # fmt: skip
_REPLACEMENTS["π"] = " pi "
#: Vulgar fractions, as a power or a factor is printed: x^½, ¾x.
FRACTIONS = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅙": "1/6",
             "⅛": "1/8"}  # fmt: skip
_REPLACEMENTS.update({char: f"({value})" for char, value in FRACTIONS.items()})
_REPLACEMENTS.update({letter: f" {name} " for name, letter in GREEK_LETTERS.items()})

#: Superscript characters; a run of them is one exponent: x²³ is x^(23), x⁻¹ is x^(-1),
#: e⁻²ˣ is e^(-2x).  Every letter that Unicode has as a superscript is here (q has none).
SUPERSCRIPTS = dict(
    zip(
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ",
        "0123456789-+abcdefghijklmnoprstuvwxyz",
        strict=True,
    )
)

#: Subscript digits: only as a logarithm's base, log₂ x.
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))

_TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),])"
    r"|(?P<space>[ \t]+)"
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "name" or "op"
    text: str
    col: int  # column in the user's text
    width: int = -1  # characters it took in the user's text, when not len(text) (π is pi)

    @property
    def end(self) -> int:
        """The column just after it in the user's text."""
        return self.col + (len(self.text) if self.width < 0 else self.width)


#: Root signs and what they stand for: the function, and a degree beside the argument.
_ROOT_SIGNS = {"\u221a": ("sqrt", ""), "\u221b": ("cbrt", ""), "\u221c": ("root", "4")}


def symbol(name: str) -> sp.Symbol:
    """The symbol a typed name stands for: real, as a calculus student's x is."""
    return sp.Symbol(name, real=True)


@dataclass(frozen=True, slots=True)
class Reading:
    """A formula as it was read, and a note for every convention the reading depended on
    (e^2x as e^(2x), log as ln, ...): a reading that could be misread is never silent."""

    expr: sp.Expr
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Definition:
    """y = x², f(x) = e^(2x), s(t) = t³: an equation that names what its right side is, as
    exercises print them; the right side is the formula."""

    name: str  # y, f
    argument: str | None  # x in f(x); None for y = …
    formula: str  # the right side, as typed
    column: int  # where the right side starts in the text typed

    @property
    def left(self) -> str:
        """y, f(x): the left side, as written back."""
        return f"{self.name}({self.argument})" if self.argument else self.name

    @property
    def note(self) -> str:
        named = (
            f"{self.name}′({self.argument})" if self.argument else f"the derivative of {self.name}"
        )
        return f"{self.left} = … is read as a definition: {named} is that of its right side"


_DEFINED = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\(\s*([A-Za-z][A-Za-z0-9]*)\s*\))?\s*\Z")


def definition(text: str) -> Definition | None:
    """The equation `text`, read as a definition when its left side is a lone name or a
    function of one variable, and the right side does not use that name (y = x·y is an
    equation in y, for implicit differentiation); None for anything else."""
    equals = equals_sign(text)
    if equals is None:
        return None
    left, right = text[:equals], text[equals + 1 :]
    match = _DEFINED.match(left)
    if match is None or not right.strip():
        return None
    name, argument = match[1], match[2]
    if name in FUNCTIONS or name in CONSTANTS or (argument is None and len(name) > 1):
        return None
    if _names(name, right):  # y = 2y + 1 is an equation in y
        return None
    if argument is None and not _has_variable(right):  # x = 2 is no definition of x
        return None
    if argument is not None and not _names(argument, right):
        return None  # f(t) = x²: not a function of t
    column = equals + 1 + len(right) - len(right.lstrip())
    return Definition(name, argument, right.strip(), column)


#: e^{2x}, sin^{-1}, log_{2}: a power's or a base's braces, as LaTeX and books set them.
_TEX_GROUP = re.compile(r"([\^_])\{([^{};]*)\}")


def _tex_groups(text: str) -> str:
    """Braces right after ^ or _ group, as in LaTeX: ^{2x} is ^(2x), log_{2} x is log_2 x
    (padded with spaces, so that every column after it is where it was typed).  Braces
    elsewhere hold a piecewise function."""

    def grouped(match: re.Match[str]) -> str:
        mark, inside = match[1], match[2]
        if " if " in f" {inside} " or "otherwise" in inside:
            return match[0]
        if mark == "^":
            return f"^({inside})"
        return f"_{inside}  "

    while "{" in text:  # innermost first: e^{x^{2}}
        done = _TEX_GROUP.sub(grouped, text)
        if done == text:
            break
        text = done
    return text


def _names(name: str, text: str) -> bool:
    """`text` uses the name: x in 2x + 1 and in sin(x), not in x2 or in max."""
    return re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def _has_variable(text: str) -> bool:
    try:
        return bool(read(text).expr.free_symbols)
    except ParseError:  # told when the formula is read as an equation
        return False


def parse(text: str, *, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH) -> sp.Expr:
    """Parse a formula into a SymPy expression, or raise ParseError with a column."""
    return read(text, max_length=max_length, max_depth=max_depth).expr


def read(
    text: str,
    *,
    log10: bool = False,
    variables: Collection[str] = (),
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
) -> Reading:
    """Parse a formula, noting each convention the reading used; `log10` reads log as the
    logarithm to base 10, as many courses write it, instead of ln; `variables` names the
    one-letter variables known from elsewhere (the other side of an equation, --wrt), so
    that 6xy is read as 6·x·y."""
    if not isinstance(text, str):
        raise ParseError("a formula must be text", text=str(text))
    if len(text) > max_length:
        raise ParseError(
            f"the formula is {len(text)} characters long; the limit is {max_length}",
            text=text[:80] + "...",
        )
    if not text.strip():
        raise ParseError("the formula is empty", text=text, position=0)

    def piece(part: str, column: int) -> tuple[sp.Expr, tuple[str, ...]]:
        try:
            reading = read(part, log10=log10, variables=variables, max_depth=max_depth)
        except ParseError as err:
            raise ParseError(err.message, text=text, position=column + (err.position or 0)) \
                from None  # fmt: skip
        return reading.expr, reading.notes

    grouped = _tex_groups(text)
    if grouped != text:  # e^{2x}: read as e^(2x), every column where it was typed
        try:
            return read(grouped, log10=log10, variables=variables, max_depth=max_depth)
        except ParseError as err:
            raise ParseError(err.message, text=text, position=err.position) from None
    if is_piecewise(text) and len(brace_blocks(text)) == 1:
        expr, piece_notes = read_piecewise(text, piece)
        return Reading(expr, piece_notes)
    if "{" in text or "}" in text or "Piecewise" in text:  # 2{…} + 1, sin({…}): each read
        return _with_piecewise_parts(text, piece, log10, variables, max_depth)
    notes: list[str] = []
    tokens = _letters(_tokenize(text, max_depth, notes), set(variables), notes)
    tokens = _conventions(tokens, text, log10, notes)
    tokens = _textbook(tokens, text, notes)
    source, columns = _join(_insert_products(tokens, text, notes))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):  # textbook calls added a level or two
            raise ParseError(
                f"the formula is nested more than {max_depth} deep", text=text
            ) from None
        if not exc.offset or exc.offset > len(source):
            raise ParseError("the formula ends too early", text=text, position=len(text)) from None
        col = _column_at(columns, exc.offset - 1, len(text))
        raise ParseError("this is not a formula I can read", text=text, position=col) from None
    except (RecursionError, MemoryError):
        raise ParseError("the formula is nested too deeply", text=text) from None
    expr = _Builder(text, source, columns, max_depth).build(tree.body)
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ParseError(
            f"the formula has no finite value ({sp.sstr(expr)}): a division by zero or log(0)?",
            text=text,
        )
    return Reading(expr, tuple(dict.fromkeys(notes)))


def _with_piecewise_parts(
    text: str,
    piece: Callable[[str, int], tuple[sp.Expr, tuple[str, ...]]],
    log10: bool,
    variables: Collection[str],
    max_depth: int,
) -> Reading:
    """A formula with piecewise functions inside it: each {…} read on its own, a name that
    the text does not use put in its place, the rest read, and the pieces put back."""
    braces = [(start, stop, False) for start, stop in brace_blocks(text)]
    calls = [(start, stop, True) for start, stop in sympy_blocks(text)]
    blocks = sorted(braces + calls)
    if any(a[1] >= b[0] for a, b in zip(blocks, blocks[1:], strict=False)):
        raise ParseError("a piecewise function cannot hold another one", text=text)
    parts: list[str] = []
    stand_ins: dict[sp.Basic, sp.Basic] = {}
    notes: list[str] = []
    end = 0
    for k, (start, stop, sympy_form) in enumerate(blocks):
        name = _unused_name(text, k)
        if sympy_form:  # Piecewise((x**2, x <= 1), (2*x - 1, True)), as JSON writes it
            expr, piece_notes = read_sympy_piecewise(text, start, stop, piece)
        else:
            expr, piece_notes = read_piecewise(text[: stop + 1], piece, start)
        notes += piece_notes
        stand_ins[symbol(name)] = expr
        parts += [text[end:start], f" {name} "]
        end = stop + 1
    parts.append(text[end:])
    rest = read("".join(parts), log10=log10, variables=variables, max_depth=max_depth)
    return Reading(rest.expr.xreplace(stand_ins), tuple(dict.fromkeys([*notes, *rest.notes])))


def _unused_name(text: str, k: int) -> str:
    name = f"piecewisepart{chr(ord('A') + k % 26)}{k // 26 or ''}"
    while name in text:
        name += "Z"
    return name


def _tokenize(text: str, max_depth: int, notes: list[str]) -> list[Token]:
    tokens: list[Token] = []
    rooted: list[tuple[int, list[Token]]] = []  # ∜(…): where its group starts, what ends it
    depth = 0
    opened: list[tuple[int, str]] = []  # (column, "(" or "|") of each open group
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in SUPERSCRIPTS:  # x², e⁻²ˣ: a run of superscripts is one exponent
            end = pos
            while end < len(text) and text[end] in SUPERSCRIPTS:
                end += 1
            exponent = "".join(SUPERSCRIPTS[c] for c in text[pos:end])
            if re.search(r"[a-z][0-9]", exponent):
                raise ParseError(
                    "a digit after a letter in a superscript could be a power or a name: "
                    "write e^(-x^2) or e^(-x·2)",
                    text=text,
                    position=pos,
                )
            if not re.fullmatch(r"[-+]?[0-9a-z]+([-+][0-9a-z]+)*", exponent):
                raise ParseError(
                    "this superscript is not an exponent: write ^(...) for a longer one",
                    text=text,
                    position=pos,
                )
            tokens += [Token("op", "**", pos), Token("op", "(", pos)]
            for sub in _TOKEN.finditer(exponent):
                kind = cast(str, sub.lastgroup)
                if kind == "name":
                    _check_name(sub.group(), text, pos + sub.start())
                if kind != "space":
                    tokens.append(Token(kind, sub.group(), pos + sub.start()))
            tokens.append(Token("op", ")", end - 1))
            pos = end
            continue
        if char in SUBSCRIPTS and tokens and tokens[-1].text == "log" and tokens[-1].col + 3 == pos:
            end = pos  # log₂ x, as books print it, is log_2 x
            while end < len(text) and text[end] in SUBSCRIPTS:
                end += 1
            base = "".join(SUBSCRIPTS[c] for c in text[pos:end])
            tokens[-1] = Token("name", f"log_{base}", tokens[-1].col)
            pos = end
            continue
        if char in _ROOT_SIGNS:  # √x, √(x + 1), ∛x, ∜x
            function, degree = _ROOT_SIGNS[char]
            tokens.append(Token("name", function, pos))
            closing = [Token("op", ")", pos)]
            if degree:  # ∜x is root(x, 4)
                closing = [Token("op", ",", pos), Token("num", degree, pos), *closing]
            letter = _REPLACEMENTS.get(text[pos + 1 : pos + 2], "").strip()
            if letter.isidentifier():  # √π, √θ: the letter is the argument, as √x's x is
                tokens += [Token("op", "(", pos), Token("name", letter, pos + 1, 1), *closing]
                pos += 2
                continue
            following = _TOKEN.match(text, pos + 1)
            if following and following.lastgroup == "name":  # √__import__: the same rules
                _check_name(following.group(), text, pos + 1)
            if following and following.lastgroup in ("name", "num"):
                tokens += [
                    Token("op", "(", pos),
                    Token(following.lastgroup, following.group(), pos + 1),
                ]
                tokens += closing
                pos = following.end()
                after = _TOKEN.match(text, pos)
                if after and after.lastgroup == "name" and following.lastgroup == "num":
                    typed = text[following.start() : after.end()]
                    notes.append(
                        f"{char}{typed} is read as {char}{following.group()}·{after.group()}; "
                        f"write {char}({typed}) for the root of all of it"
                    )
                elif (after and after.group() in ("^", "**")) or text[
                    pos : pos + 1
                ] in SUPERSCRIPTS:
                    power = _TOKEN.match(text, after.end()) if after else None
                    stop = power.end() if power else pos + 1
                    typed, root = text[following.start() : stop], following.group()
                    notes.append(
                        f"{char}{typed} is read as ({char}{root}){typed[len(root) :]}; write "
                        f"{char}({typed}) for the root of the power"
                    )
            elif degree and text[pos + 1 : pos + 2] == "(":  # ∜(x + 1): its degree after
                tokens.append(Token("op", "(", pos))
                rooted.append((len(tokens), closing))
                pos += 1
            elif degree:
                raise ParseError(f"put what {char} is the root of right after it: {char}x, "
                                 f"{char}(x + 1)", text=text, position=pos)  # fmt: skip
            else:
                pos += 1
            continue
        if char in "[]":  # [ ] group as ( ) do, as books print them: cos[π/12 (x - 2)]
            prev = tokens[-1] if tokens else None
            if (
                char == "["
                and prev is not None
                and _is_value_end(prev)
                and not text[pos - 1].isspace()
            ):
                raise ParseError(
                    "'[' right after a value looks like indexing: brackets group as ( ) do, "
                    "so put an operator before it",
                    text=text,
                    position=pos,
                )
            if char == "[":
                depth += 1
                opened.append((pos, "["))
                if depth > max_depth:
                    raise ParseError(
                        f"the formula is nested more than {max_depth} deep", text=text, position=pos
                    )
                tokens.append(Token("op", "(", pos))
            else:
                if not opened or opened[-1][1] != "[":
                    raise ParseError("this ']' closes no '['", text=text, position=pos)
                opened.pop()
                depth -= 1
                tokens.append(Token("op", ")", pos))
            pos += 1
            continue
        if char == "|":  # |x| is Abs(x); a bar closes when a value ends before it
            prev = tokens[-1] if tokens else None
            if opened and opened[-1][1] == "|" and prev is not None and _is_value_end(prev):
                opened.pop()
                depth -= 1
                tokens.append(Token("op", ")", pos))
            else:
                depth += 1
                opened.append((pos, "|"))
                if depth > max_depth:
                    raise ParseError(
                        f"the formula is nested more than {max_depth} deep", text=text, position=pos
                    )
                tokens += [Token("name", "Abs", pos), Token("op", "(", pos)]
            pos += 1
            continue
        if char in FRACTIONS and pos and text[pos - 1].isdigit():
            whole = text[pos - 1]
            raise ParseError(f"{whole}{char} is a mixed number: write it as {whole} + "
                             f"{FRACTIONS[char]}", text=text, position=pos)  # fmt: skip
        if char in _REPLACEMENTS:
            replacement = _REPLACEMENTS[char]
            for sub in _TOKEN.finditer(replacement):
                if sub.lastgroup != "space":
                    # every alternative of _TOKEN is a named group, so lastgroup is a str
                    tokens.append(Token(cast(str, sub.lastgroup), sub.group(), pos, 1))
            pos += 1
            continue
        if char in _PRIMES and tokens and _primed(tokens[-1], pos):  # f'(x), f″(x)
            end = pos
            while end < len(text) and text[end] in _PRIMES:
                end += 1
            n = sum(_PRIMES[c] for c in text[pos:end])
            if n > 3:
                raise ParseError(
                    "at most three primes are read (f‴(x))", text=text, position=pos,
                )  # fmt: skip
            tokens[-1] = Token("name", f"{_PRIME_PREFIX}{n}_{tokens[-1].text}", tokens[-1].col)
            pos = end
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ParseError(_unexpected(char), text=text, position=pos)
        kind, value = cast(str, match.lastgroup), match.group()  # a group matched: not None
        if kind == "num":
            _check_base(text, pos, match.end())
            _check_point(value, text, pos, match.end(), tokens)
        if kind == "name":
            rest = text[match.end() :].lstrip(" ")
            _check_name(value, text, pos, call=rest.startswith("("))
        elif kind == "op" and value == "(":
            depth += 1
            opened.append((pos, "("))
            if depth > max_depth:
                raise ParseError(
                    f"the formula is nested more than {max_depth} deep", text=text, position=pos
                )
        elif kind == "op" and value == ")":
            if not opened:
                raise ParseError("this ')' closes nothing", text=text, position=pos)
            if opened[-1][1] in "|[":
                raise ParseError(
                    f"this ')' comes before the '{opened[-1][1]}' opened before it is closed",
                    text=text,
                    position=pos,
                )
            opened.pop()
            depth -= 1
        if kind != "space":
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    if opened:
        column, bracket = opened[-1]
        raise ParseError(f"this '{bracket}' is never closed", text=text, position=column)
    for start, closing in reversed(rooted):  # ∜(x + 1) as root((x + 1), 4)
        end = _closing(tokens, start) + 1
        tokens[end:end] = closing
    return tokens


#: f'(x), f''(x), f′(x), f″(x): the derivative of an unknown function, as books write it.
_PRIMES = {"'": 1, "′": 1, "″": 2, "‴": 3}
_PRIME_PREFIX = "_prime"  # f′ is read as the name _prime1_f (functions.PRIMED_NAME)


def _primed(tok: Token, pos: int) -> bool:
    return tok.kind == "name" and tok.text in UNDEFINED_FUNCTIONS and tok.col + 1 == pos


def _check_point(value: str, text: str, start: int, end: int, tokens: list[Token]) -> None:
    """x.5 and 3.x are typos as often as products (x^5? 3·x?): a decimal point touching a
    name is refused, as x.y is, rather than read as x·0.5 without a word."""
    if value.startswith(".") and tokens and tokens[-1].text == ")" and tokens[-1].end == start:
        raise ParseError(
            f"a '.' right after ')': write (…)*0{value} for a product, (…)^{value[1:]} for a power",
            text=text,
            position=start,
        )
    name = tokens[-1].text if tokens and tokens[-1].kind == "name" else None
    if value.startswith(".") and name is not None and tokens[-1].end == start:
        raise ParseError(
            f"a '.' right after {name}: write {name}(0{value}{_word_at(text, end)})"
            if name in FUNCTIONS
            else f"a '.' right after {name}: write {name}*0{value} for a product, "
            f"{name}^{value[1:]} for a power",
            text=text,
            position=start,
        )
    if value.endswith(".") and end < len(text) and (text[end].isalpha() or text[end] == "_"):
        raise ParseError(
            f"a '.' right before a name: write {value}0*{text[end]} or {value[:-1]}{text[end]}",
            text=text,
            position=end - 1,
        )


def _word_at(text: str, pos: int) -> str:
    return re.match(r"[A-Za-z0-9_]*", text[pos:]).group()  # type: ignore[union-attr]


def _unexpected(char: str) -> str:
    if char in "'\"":
        return "strings are not allowed in a formula (' is a prime only in f'(x), g'(x), h'(x))"
    if char == ".":
        return "attribute access ('.') is not allowed in a formula"
    if char in "{}":
        return (
            f"'{char}' is not allowed here: use ( ) for grouping (braces hold a piecewise function)"
        )
    if char in ";:\n\r":
        return "a formula is a single expression: no statements or line breaks"
    if char == "=":
        return "'=' is not allowed here: give an expression, not an equation"
    if char == "\x00":
        return "the formula contains a NUL byte"
    if not char.isprintable():
        if "\udc80" <= char <= "\udcff":  # a byte that was not UTF-8, as Python keeps it
            return "the text is not valid UTF-8"
        return f"unexpected control character {char!r}"
    return f"unexpected character {char!r}"


_BASES = re.compile(r"0([xXoObB])[0-9A-Fa-f_]")
_BASE_NAMES = {"x": "16 (hexadecimal)", "o": "8 (octal)", "b": "2 (binary)"}


def _check_base(text: str, start: int, end: int) -> None:
    """0x1f, 0o17, 0b101: a number in another base, which would otherwise read as 0·x1f."""
    found = _BASES.match(text, start) if end == start + 1 else None
    if found:
        literal = re.match(r"0[xXoObB][0-9A-Za-z_]*", text[start:])
        typed = literal.group() if literal else found.group()
        base = _BASE_NAMES[found.group(1).lower()]
        try:
            value = f" (write {int(typed, 0)})"
        except ValueError:
            value = ""
        raise ParseError(f"'{typed}' looks like a number in base {base}: formulas are read in "
                         f"decimal only{value}", text=text, position=start)  # fmt: skip


#: Python's built-in names (len, max, eval, ...) as variables would not read back from JSON.
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_") and len(n) > 1)


#: Names other books and languages give functions symchain knows by another name.
FUNCTION_ALIASES = {
    "cosec": "csc", "tg": "tan", "ctg": "cot", "cotg": "cot", "arctg": "atan",
    "arcctg": "acot", "sh": "sinh", "ch": "cosh", "th": "tanh", "lg": "log10",
    "sqr": "sqrt (or (…)^2 for the square)",
}  # fmt: skip


def case_hint(wanted: Collection[str], known: Collection[str]) -> str:
    """ "; did you mean x?" for each wanted name that a known one spells in another case
    (X for x, W for w), "" when none does: --wrt, --vars and matrix --wrt say it alike."""
    alike = [k for m in wanted for k in sorted(known) if k.lower() == m.lower()]
    return f"; did you mean {', '.join(alike)}?" if alike else ""


def suggestion(name: str) -> str | None:
    """The known function a mistyped one most likely is: an alias (cosec is csc), the
    same name in lower case (Sin, Ln, Exp), or the closest by spelling (sinn is sin)."""
    lower = name.lower()
    if lower in FUNCTIONS:  # Sin, Ln (the name itself is known, and never asked about)
        return lower
    if lower in FUNCTION_ALIASES:  # cosec, Cosec
        return FUNCTION_ALIASES[lower]
    names = [f for f in FUNCTIONS if len(f) > 1]
    close = difflib.get_close_matches(lower, names, n=1, cutoff=0.75)
    return close[0] if close else None


def unknown_function(name: str) -> str:
    """ "unknown function 'sinn': did you mean sin?", or without a hint where none is near."""
    hint = suggestion(name)
    return f"unknown function '{name}'" + (f": did you mean {hint}?" if hint else "")


def _check_name(name: str, text: str, pos: int, call: bool = False) -> None:
    if name.startswith("_"):
        raise ParseError("names starting with '_' are not allowed", text=text, position=pos)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ParseError(f"'{name}' is a Python keyword, not mathematics", text=text, position=pos)
    if name in FUNCTIONS or name in CONSTANTS or name in UNDEFINED_FUNCTIONS:
        return
    if name in _BUILTINS:
        raise ParseError(f"'{name}' is a Python built-in name, not mathematics: use another "
                         "name for a variable", text=text, position=pos)  # fmt: skip
    if call:  # sinn(x) is a mistyped function (told later), xcos(x) may be x·cos(x)
        return
    if name.lower() in FUNCTIONS and len(name) > 1:  # Sin x, Ln x
        raise ParseError(f"unknown name '{name}': did you mean {name.lower()}?", text=text,
                         position=pos)  # fmt: skip
    for known in sorted(FUNCTIONS, key=len, reverse=True):
        if len(known) > 1 and name.startswith(known) and name[len(known) :].isalnum():
            raise ParseError(
                f"unknown name '{name}': did you mean {_calls(name)}?",
                text=text,
                position=pos,
            )
    inside = _function_inside(name)
    if inside is not None:  # xlnx, tsint: x·ln x as a textbook prints it, typed tight
        letters, rest = inside
        factor = letters if any(c.isdigit() for c in letters) else "·".join(letters)  # x2
        based_rest = _LOG_TIGHT.match(rest)
        meant = f"{based_rest[1]}({based_rest[2]})" if based_rest else _calls(rest)
        raise ParseError(f"unknown name '{name}': did you mean {factor}·{meant}?",
                         text=text, position=pos)  # fmt: skip
    based = _LOG_TIGHT.match(name)
    if based:  # log_2x: log₂ x typed tight
        raise ParseError(f"unknown name '{name}': did you mean {based[1]}({based[2]})?",
                         text=text, position=pos)  # fmt: skip


#: log_2x, log_10t: a logarithm's base run into its argument.
_LOG_TIGHT = re.compile(r"(log_[0-9]+)([A-Za-z][A-Za-z0-9]*)\Z")


def _function_inside(name: str) -> tuple[str, str] | None:
    """xlnx -> ("x", "lnx"): one to three letters, then a function's name with its argument
    run on (xsinx, tsint, xarctanx); None for any other name."""
    if not name.isascii() or not name.replace("_", "").isalnum() or not name[0].isalpha():
        return None
    for at in range(1, 4):
        letters, rest = name[:at], name[at:]
        if not letters.isalnum():  # x, x2 (x2sinx), but never across a '_'
            return None
        for function in sorted(_GLUED_FUNCTIONS, key=len, reverse=True):
            if rest.startswith(function) and len(rest) > len(function):
                return letters, rest
    return None


def _calls(name: str) -> str:
    """sinxcosx as sin(x)·cos(x), sin2x as sin(2x): a run of function names and their
    arguments, each name the longest one that fits (the hint for a name run together)."""
    names = sorted((f for f in _GLUED_FUNCTIONS if len(f) > 1), key=len, reverse=True)
    calls: list[list[str]] = []
    i = 0
    while i < len(name):
        found = next((f for f in names if name.startswith(f, i)), None)
        if found is not None and (calls or i == 0):
            calls.append([found, ""])
            i += len(found)
            continue
        if not calls:
            break
        calls[-1][1] += name[i]
        i += 1
    if not calls or any(not argument for _, argument in calls):
        known = max((f for f in FUNCTIONS if len(f) > 1 and name.startswith(f)), key=len)
        return f"{known}({name[len(known) :]})"
    return "·".join(f"{f}({argument})" for f, argument in calls)


def _letters(tokens: list[Token], variables: set[str], notes: list[str]) -> list[Token]:
    """A short unknown name of letters (xy, xe, abc) is a product when each of its letters
    is a variable used on its own (or e): x^3 + y^3 = 6xy has 6·x·y, x e^x written xe^x is
    x·e^x; or when one of its letters is a variable named from outside (mv^2/r with --wrt v
    is m·v²/r).  Otherwise it stays one variable.  A note says which, either way."""
    singles = {t.text for t in tokens if t.kind == "name" and len(t.text) == 1} | variables
    singles |= {"e"}
    out: list[Token] = []
    for index, tok in enumerate(tokens):
        name = tok.text
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        glued = _letters_then_function(tok, singles)
        if glued is not None:  # xsin x, xln x: x·sin x, as x sin x is printed
            prefix, function = glued
            notes.append(f"{name} is read as {'·'.join(prefix)}·{function}")
            out += [Token("name", c, tok.col + k) for k, c in enumerate(prefix)]
            out.append(Token("name", function, tok.col + len(prefix)))
            continue
        ending = _function_ending(tok)
        if ending is not None:  # axsin: not all of a, x are variables, so one name; say so
            notes.append(
                f"{name} is read as one variable named {name}; write "
                f"{' '.join(name[: -len(ending)])} {ending} for a product with {ending}"
            )
            out.append(tok)
            continue
        if (
            tok.kind != "name"
            or not 2 <= len(name) <= 3
            or not name.isascii()
            or not name.isalpha()
            or name in FUNCTIONS
            or name in CONSTANTS
            or name in _GREEK_NAMES
            or _LOG_BASE.match(name)
        ):
            out.append(tok)
            continue
        letters = list(name)
        known = all(c in singles for c in letters) and any(c in singles - {"e"} for c in letters)
        # mv with --wrt v: read as one variable mv, the derivative by v would be 0
        named = any(c in variables for c in letters) and all(c.islower() for c in letters)
        # Ae^(-kt): a coefficient before e^, as books print it
        exponential = name.endswith("e") and following is not None and following.text == "^"
        if known or named or exponential:
            notes.append(f"{name} is read as {'·'.join(letters)}, the product of its letters")
            split = [Token("name", c, tok.col + k) for k, c in enumerate(letters)]
            if out and out[-1].text in ("^", "**"):  # e^kx: the whole name is the exponent
                notes.append(f"^{name} is read as ^({'·'.join(letters)}), all of it the exponent")
                split = [Token("op", "(", tok.col), *split, Token("op", ")", tok.col)]
            out += split
        else:
            notes.append(
                f"{name} is read as one variable named {name}; write {' '.join(letters)} "
                f"for a product"
            )
            out.append(tok)
    return out


#: Functions a student writes right after a coefficient letter, without a space (xsin x).
_GLUED_FUNCTIONS = ("arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sqrt", "sin", "cos",
                    "tan", "sec", "csc", "cot", "exp", "log", "ln")  # fmt: skip


#: Greek letters spelled out are names of their own, never products of their letters.
_GREEK_NAMES = frozenset(GREEK_LETTERS)


def _letters_then_function(tok: Token, singles: set[str]) -> tuple[str, str] | None:
    """xsin -> ("x", "sin"): a name that is one to three variables' letters glued to a
    function's name; None for anything else (a name of its own, such as asin or xs)."""
    name = tok.text
    if tok.kind != "name" or not name.isascii() or not name.isalpha() or name in FUNCTIONS:
        return None
    for function in _GLUED_FUNCTIONS:
        prefix = name[: -len(function)]
        if (
            name.endswith(function)
            and 1 <= len(prefix) <= 3
            and all(c in singles for c in prefix)
            and any(c != "e" for c in prefix)
        ):
            return prefix, function
    return None


def _function_ending(tok: Token) -> str | None:
    """The function name a plain name of letters ends with (axsin: sin), if any."""
    name = tok.text
    if tok.kind != "name" or not name.isascii() or not name.isalpha() or name in FUNCTIONS:
        return None
    return next((f for f in _GLUED_FUNCTIONS if name.endswith(f) and name != f), None)


def _adjacent(a: Token, b: Token) -> bool:
    """b starts right where a ends, with no space between: 2x, not 2 x."""
    return b.col == a.end


def _conventions(tokens: list[Token], text: str, log10: bool, notes: list[str]) -> list[Token]:
    """Readings that depend on a convention, made and noted (docs/derive.md, Conventions):

    - e^2x and 2^4x: an exponential's exponent takes the factor typed right after its
      number, as e^{2x} is printed; x^2y stays x²·y, as a polynomial term is printed;
    - x^1/3 is x/3 (write x^(1/3) for the cube root), and 1/2x is x/2;
    - log is ln, the natural logarithm, or log₁₀ with `log10`.
    """
    out: list[Token] = []
    i = 0
    noted = -1  # the '/' whose tight divisor a note already names (1/2x)
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.kind == "name" and tok.text == "log":
            two_arguments = False
            if nxt is not None and nxt.text == "(":
                two_arguments = _has_second_argument(tokens, i + 1)
            if not two_arguments:  # log(x, b) says its base; log(x) and log x do not
                if log10:
                    notes.append("log is read as log₁₀, the logarithm to base 10")
                    tok = Token("name", "log10", tok.col)
                else:
                    notes.append("log is read as ln, the natural logarithm (--log10 for base 10)")
            out.append(tok)
            i += 1
            continue
        if tok.text in ("^", "**") and out and i + 1 < len(tokens):
            base = out[-1]
            _note_divided_exponent(tokens, i, base, text, notes)
            j = i + 1
            sign = tokens[j] if tokens[j].text in ("-", "+") else None
            j += sign is not None
            if j + 1 < len(tokens) and tokens[j].kind == "num":
                number, follow = tokens[j], tokens[j + 1]
                juxtaposed = _adjacent(number, follow) and (
                    follow.kind == "name" and not is_callable_name(follow.text)
                )
                exponential = base.kind == "num" or base.text in ("e", "E")
                if exponential and _adjacent(number, follow) and follow.text == "(":
                    lead = (sign.text if sign else "") + number.text
                    notes.append(
                        f"{base.text}^{lead}(…) is read as {base.text}^{lead}·(…), a product; "
                        f"write {base.text}^({lead}(…)) for the other reading"
                    )
                if juxtaposed and exponential:
                    end = j + 1
                    while end < len(tokens) and _adjacent(tokens[end - 1], tokens[end]):
                        if tokens[end].text == "(":
                            end = _closing(tokens, end) + 1
                        elif tokens[end].kind == "name" and not is_callable_name(tokens[end].text):
                            end += 1
                        elif tokens[end].text in ("^", "**"):  # e^-2x^2 is e^(-2x²)
                            power_end = _exponent_end(tokens, end + 1)
                            if power_end is None:
                                break
                            end = power_end
                        else:
                            break
                    exponent = tokens[i + 1 : end]
                    typed = text[base.col : exponent[-1].end]
                    shown = text[exponent[0].col : exponent[-1].end]
                    lead = (sign.text if sign else "") + number.text
                    notes.append(
                        f"{typed} is read as {base.text}^({shown}); write "
                        f"({base.text}^{lead}){shown[len(lead) :]} for the other reading"
                    )
                    out += [tok, Token("op", "(", tok.col), *exponent, Token("op", ")", tok.col)]
                    i = end
                    continue
                if juxtaposed and follow.kind == "name" and not is_callable_name(base.text):
                    notes.append(
                        f"{base.text}^{number.text}{follow.text} is read as "
                        f"{base.text}^{number.text}·{follow.text}; write "
                        f"{base.text}^({number.text}{follow.text}) for the other reading"
                    )
                if (
                    (sign is None or sign.text == "-")
                    and follow.text == "/"
                    and j + 2 < len(tokens)
                    and (
                        (tokens[j + 2].kind == "num" and tokens[j + 2].text.isdigit())
                        or (
                            tokens[j + 2].kind == "name"
                            and not is_callable_name(tokens[j + 2].text)
                        )
                    )
                    and _adjacent(number, follow)
                    and _adjacent(follow, tokens[j + 2])
                ):
                    n, b = tokens[j + 2].text, base.text if base.text != ")" else "(…)"
                    lead = (sign.text if sign else "") + "1"
                    if number.text == "1":  # nobody writes x^1 on purpose: x^1/3 is a root
                        notes.append(
                            f"{b}^{lead}/{n} is read as {b}^({lead}/{n}); write "
                            f"({b}^{lead})/{n} for the quotient"
                        )
                        out += [tok, Token("op", "(", tok.col), *tokens[i + 1 : j + 3]]
                        out.append(Token("op", ")", tok.col))
                        i = j + 3
                        continue
                    power = (sign.text if sign else "") + number.text  # x^3/2: x^(3/2)?
                    whole = n.isdigit() and int(n) and int(number.text) % int(n) == 0
                    then = tokens[j + 3] if j + 3 < len(tokens) else None
                    powered = then is not None and then.text in ("^", "**")  # x^3/2^x
                    if n.isdigit() and not whole and not powered:  # x^2/2 is x²/2
                        notes.append(
                            f"{b}^{power}/{n} is read as ({b}^{power})/{n}; write "
                            f"{b}^({power}/{n}) for the power"
                        )
        if (
            tok.kind == "num"
            and nxt is not None
            and nxt.text == "/"
            and i + 3 < len(tokens)
            and tokens[i + 2].kind == "num"
            and tokens[i + 3].kind == "name"
            and not is_callable_name(tokens[i + 3].text)
            and _adjacent(tokens[i + 2], tokens[i + 3])
            and (not out or out[-1].text not in ("^", "**"))
        ):
            a, c, v = tok.text, tokens[i + 2].text, tokens[i + 3].text
            notes.append(
                f"{a}/{c}{v} is read as ({a}/{c})·{v}; write {a}/({c}{v}) to divide by {c}{v}"
            )
            noted = i + 1
        elif tok.text == "/" and i != noted:
            _note_tight_divisor(tokens, i, text, notes)
        out.append(tok)
        i += 1
    return out


def _note_tight_divisor(tokens: list[Token], i: int, text: str, notes: list[str]) -> None:
    """e^x/2x, sin(x)/2x, 1/x(x + 1): the division takes the first factor only, and many
    books mean the whole tight product below the line: say so (1/2x has its own note)."""
    if i + 2 >= len(tokens):
        return
    first, then = tokens[i + 1], tokens[i + 2]
    if first.text == "(":  # (x + 1)/(x − 1)(x + 2): the second bracket is not below the line
        k = _closing(tokens, i + 1)
        if (
            k + 1 < len(tokens)
            and tokens[k + 1].text == "("
            and _adjacent(tokens[k], tokens[k + 1])
        ):
            below, rest = _typed(tokens, i + 1, text), _typed(tokens, k + 1, text)
            notes.append(f"…/{below}{rest} is read as (…/{below})·{rest}; write "
                         f"…/({below}{rest}) to divide by both")  # fmt: skip
        return
    tight_number = first.kind == "num" and (then.kind == "name" or then.text == "(")
    tight_name = (first.kind == "name" and not is_callable_name(first.text)
                  and then.text == "(")  # fmt: skip
    if not (tight_number or tight_name) or not _adjacent(first, then):
        return
    j = i + 1  # the last token of the tight run: 3x^2, 2(x + 1), 2sin(x)
    while j + 1 < len(tokens) and _adjacent(tokens[j], tokens[j + 1]):
        if tokens[j + 1].text == "(":
            j = _closing(tokens, j + 1)
        elif tokens[j + 1].kind in ("num", "name") or tokens[j + 1].text in ("^", "**"):
            j += 1
        else:
            break
    below = text[first.col : tokens[j].end].strip()
    rest = below[len(first.text) :]
    notes.append(f"…/{below} is read as (…/{first.text})·{rest}; write …/({below}) to divide "
                 f"by {below}")  # fmt: skip


def _note_divided_exponent(
    tokens: list[Token], i: int, base: Token, text: str, notes: list[str]
) -> None:
    """e^-x^2/2 is e^(−x²)/2, as the precedence of ^ says; but a Gaussian e^(−x²/2) typed
    short looks the same, so the reading is noted where the exponent is signed or a power."""
    if not (base.kind == "num" or base.text in ("e", "E")) or tokens[i + 1].text == "(":
        return
    end = _exponent_end(tokens, i + 1)
    while end is not None and end < len(tokens) and tokens[end].text in ("^", "**"):
        end = _exponent_end(tokens, end + 1)  # e^-x^2 is e^(-(x^2)): ^ groups to the right
    if end is None or end >= len(tokens) or tokens[end].text != "/":
        return
    exponent = tokens[i + 1 : end]
    if exponent[0].text not in ("-", "+") and not any(t.text in ("^", "**") for t in exponent):
        return
    if end + 1 >= len(tokens):
        return
    below = _exponent_end(tokens, end + 1) or end + 2  # the one factor divided by: 2, a, (…)
    typed = text[base.col : tokens[below - 1].end]
    up = text[exponent[0].col : exponent[-1].end]
    under = text[tokens[end + 1].col : tokens[below - 1].end]
    notes.append(
        f"{typed} is read as {base.text}^({up})/{under}; write {base.text}^({up}/{under}) "
        f"to divide the exponent"
    )


def _has_second_argument(tokens: list[Token], start: int) -> bool:
    """True when the call whose '(' is tokens[start] has a ',' of its own: log(x, b)."""
    depth = 0
    for tok in tokens[start:]:
        depth += tok.text == "("
        depth -= tok.text == ")"
        if depth == 0:
            return False
        if depth == 1 and tok.text == ",":
            return True
    return False


#: sin^-1 x is the inverse function arcsin(x), as textbooks write it.
_INVERSES = {
    name: f"a{name}"
    for name in (
        ["sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "sech", "csch"]
    )
}
_LOG_BASE = re.compile(r"log_([0-9]+|[A-Za-z][A-Za-z0-9]*)\Z")


def _one_argument(name: str) -> bool:
    """A named function of one argument (sin, ln, sqrt, ...): it may be written without
    parentheses, as textbooks do."""
    spec = FUNCTIONS.get(name)
    return spec is not None and 1 in spec.arities


def _starts_atom(tok: Token) -> bool:
    return (
        tok.kind == "num"
        or tok.text == "("
        or (tok.kind == "name" and not is_callable_name(tok.text) and not _LOG_BASE.match(tok.text))
    )


def _closing(tokens: list[Token], start: int) -> int:
    """The index of the ')' that closes the '(' at `start` (the tokenizer checked they pair)."""
    depth = 0
    for k in range(start, len(tokens)):
        if tokens[k].text == "(":
            depth += 1
        elif tokens[k].text == ")":
            depth -= 1
            if depth == 0:
                return k
    raise AssertionError("unbalanced parentheses after tokenizing")


def _small_exponent(tokens: list[Token], j: int) -> tuple[int | None, int]:
    """A whole-number exponent written right after a function name: 2, -1, (2) or (-1)."""
    k = j
    wrapped = k < len(tokens) and tokens[k].text == "("
    k += wrapped
    sign = 1
    if k < len(tokens) and tokens[k].text in ("-", "+"):
        sign = -1 if tokens[k].text == "-" else 1
        k += 1
    if k >= len(tokens) or tokens[k].kind != "num" or not tokens[k].text.isdigit():
        return None, j
    value = sign * int(tokens[k].text)
    k += 1
    if wrapped:
        if k >= len(tokens) or tokens[k].text != ")":
            return None, j
        k += 1
    return value, k


def _bare_argument(
    tokens: list[Token], j: int, text: str, notes: list[str], name: str = ""
) -> tuple[list[Token], int]:
    """The argument of a function written without parentheses, as a textbook reads it: a run
    of factors multiplied by juxtaposition, each with its powers (sin 2x, sin x², ln 3t),
    ending at + - * / , ) and at the next function name (sin x cos x is sin(x)·cos(x)).
    A function right at the start is the argument itself: sin cos 7x, ln |x|.  Three more
    places end it or not, as books print them, each with a note: a bracket after the first
    factor ends it (cos x(1 + csc x) is cos(x)·(1 + csc x)), so does an exponential
    (ln t e^t is ln(t)·eᵗ), and a number divides inside it when written tight (sin π/2 is
    sin(π/2), cot^-1 x/40 is cot⁻¹(x/40))."""
    if j < len(tokens) and tokens[j].kind == "name" and is_callable_name(tokens[j].text):
        return _call(tokens, j, text, notes)
    arg: list[Token] = []
    while j < len(tokens) and _starts_atom(tokens[j]):
        if arg and tokens[j].text == "(":
            shown = _typed(tokens, j, text)
            notes.append(
                f"{name} {_typed_span(arg, text)}{shown} is read as {name}"
                f"({_typed_span(arg, text)})·{shown}; write {name}({_typed_span(arg, text)}"
                f"{shown}) for the other reading"
            )
            break
        if arg and _exponential_factor(tokens, j):
            notes.append(
                f"{name} {_typed_span(arg, text)} {tokens[j].text}^… is read as "
                f"{name}({_typed_span(arg, text)})·{tokens[j].text}^…"
            )
            break
        j = _group(tokens, j, text, arg, notes)
        while j < len(tokens) and tokens[j].text in ("^", "**"):
            arg.append(tokens[j])
            j += 1
            if j < len(tokens) and tokens[j].text in ("-", "+"):
                arg.append(tokens[j])
                j += 1
            if j < len(tokens) and (tokens[j].text == "(" or tokens[j].kind in ("num", "name")):
                j = _group(tokens, j, text, arg, notes)
        over_name = (  # sin 1/x, ln 1/x: sin(1/x), as books print it
            len(arg) == 1
            and arg[0].kind == "num"
            and j + 1 < len(tokens)
            and tokens[j].text == "/"
            and tokens[j + 1].kind == "name"
            and not is_callable_name(tokens[j + 1].text)
            and _adjacent(arg[0], tokens[j])
            and _adjacent(tokens[j], tokens[j + 1])
        )
        if over_name or _tight_division(tokens, j, text):
            inside = _typed_span(arg, text)
            arg += tokens[j : j + 2]
            notes.append(
                f"{name} {inside}/{tokens[j + 1].text} is read as {name}({inside}/"
                f"{tokens[j + 1].text}); write ({name} {inside})/{tokens[j + 1].text} for the "
                f"other reading"
            )
            j += 2
    return arg, j


def _exponent_end(tokens: list[Token], j: int) -> int | None:
    """The index after a simple exponent starting at tokens[j]: 5, -1, x, or (...)."""
    if j < len(tokens) and tokens[j].text in ("-", "+"):
        j += 1
    if j >= len(tokens):
        return None
    if tokens[j].text == "(":
        return _closing(tokens, j) + 1
    if tokens[j].kind == "num" or (
        tokens[j].kind == "name" and not is_callable_name(tokens[j].text)
    ):
        return j + 1
    return None


def _exponential_factor(tokens: list[Token], j: int) -> bool:
    """e^… or 2^…: an exponential, which starts a new factor after a function's argument."""
    tok = tokens[j]
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    base = tok.kind == "num" or tok.text in ("e", "E")
    return base and following is not None and following.text in ("^", "**")


def _tight_division(tokens: list[Token], j: int, text: str) -> bool:
    """x/40 written without spaces, a number after the slash: it stays in the argument."""
    if j + 1 >= len(tokens) or tokens[j].text != "/" or tokens[j + 1].kind != "num":
        return False
    col = tokens[j].col
    tight = 0 < col < len(text) - 1 and not text[col - 1].isspace() and not text[col + 1].isspace()
    ends_number = j + 2 >= len(tokens) or tokens[j + 2].text not in ("^", "**", "(")
    return tight and ends_number


def _typed(tokens: list[Token], j: int, text: str) -> str:
    """The user's text of the (...) group that starts at tokens[j]."""
    k = _closing(tokens, j)
    return text[tokens[j].col : tokens[k].col + 1]


def _typed_span(arg: list[Token], text: str) -> str:
    """The user's text of a run of tokens (from the first's column to the last's end)."""
    first, last = arg[0], arg[-1]
    typed = text[last.col : last.col + len(last.text)] == last.text
    end = last.col + (len(last.text) if typed else 1)  # π was one character, read as pi
    return text[first.col : end].strip() or "".join(t.text for t in arg)


def _group(tokens: list[Token], j: int, text: str, out: list[Token], notes: list[str]) -> int:
    """Copy one operand, a token or a whole (...) group read as textbook notation, into
    `out`; the index after it."""
    if tokens[j].text == "(":
        k = _closing(tokens, j)
        out += [tokens[j], *_textbook(tokens[j + 1 : k], text, notes), tokens[k]]
        return k + 1
    if tokens[j].kind == "name" and (
        is_callable_name(tokens[j].text) or _LOG_BASE.match(tokens[j].text)
    ):
        call, end = _call(tokens, j, text, notes)
        out += call
        return end
    out.append(tokens[j])
    return j + 1


def _textbook(tokens: list[Token], text: str, notes: list[str]) -> list[Token]:
    """Textbook notation as calls: sin x, sin 2x, sin^2 x, sin^-1 x (arcsin), log_2 x and
    log_b(x), |x|; the rules are in docs/derive.md (How formulas are read)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        i = _group(tokens, i, text, out, notes)
    return out


def _call(tokens: list[Token], i: int, text: str, notes: list[str]) -> tuple[list[Token], int]:
    """The function call that starts at tokens[i], as explicit tokens, and the index after it."""
    tok = written = tokens[i]
    base: Token | None = None
    based = _LOG_BASE.match(tok.text)
    if based:
        name = based.group(1)
        if not name.isdigit():
            _check_name(name, text, tok.col)
        base = Token("num" if name.isdigit() else "name", name, tok.col)
        tok = Token("name", "log", tok.col)
    if not _one_argument(tok.text):  # f(x), root(x, 3), or a name the parser will refuse
        if i + 1 < len(tokens) and tokens[i + 1].text == "(":
            k = _closing(tokens, i + 1)
            return [
                tok,
                tokens[i + 1],
                *_textbook(tokens[i + 2 : k], text, notes),
                tokens[k],
            ], k + 1
        return [tok], i + 1
    j = i + 1
    power: int | None = None
    if base is None and j < len(tokens) and tokens[j].text in ("^", "**"):
        exponent, after = _small_exponent(tokens, j + 1)
        if exponent is None:  # sin^x(x): left for the parser's own message
            return [tok], i + 1
        if exponent == -1:
            if tok.text not in _INVERSES:
                raise ParseError(
                    f"{tok.text}^-1 has no inverse function here: write 1/{tok.text}(x) "
                    f"for the reciprocal",
                    text=text,
                    position=tok.col,
                )
            tok = Token("name", _INVERSES[tok.text], tok.col)
        elif exponent < -1:
            raise ParseError(
                f"{tok.text}^{exponent} could mean a power of the inverse or of the "
                f"reciprocal: write ({tok.text}(x))^{exponent}",
                text=text,
                position=tok.col,
            )
        elif exponent != 1:
            power = exponent
        j = after
    if j < len(tokens) and tokens[j].text == "(":
        k = _closing(tokens, j)
        arg, end = _textbook(tokens[j + 1 : k], text, notes), k + 1
        logarithm = base is not None or tok.text in ("log", "ln", "log10", "lg", "log2", "lb")
        # ^ as typed from a book; ** (SymPy's and Python's power, as in log(x)**2) and a
        # superscript keep the power outside
        has_base = _has_second_argument(tokens, j)  # log(x, 2)^2: the base given, ^ is outside
        if logarithm and power is None and end < len(tokens) and tokens[end].text == "^":
            exponent_end = None if has_base else _exponent_end(tokens, end + 1)
            if exponent_end is not None:  # ln(3x + 2)^5, as books print ln of a power
                typed = text[written.col : tokens[k].col + 1]
                name = typed[: typed.index("(")].strip()
                inside = text[tokens[j].col + 1 : tokens[k].col]
                power_text = text[tokens[end].col : tokens[exponent_end - 1].col + 1]
                notes.append(
                    f"{typed}{power_text} is read as {name}(({inside}){power_text}), the logarithm "
                    f"of a power, as books print it; write ({typed}){power_text} for a power of "
                    f"the logarithm"
                )
                arg = [
                    tokens[j],
                    *arg,
                    tokens[k],
                    *_textbook(tokens[end:exponent_end], text, notes),
                ]
                end = exponent_end
    elif j < len(tokens) and (
        _starts_atom(tokens[j]) or (tokens[j].kind == "name" and is_callable_name(tokens[j].text))
    ):
        head = text[written.col : tokens[j].col].strip() or written.text
        arg, end = _bare_argument(tokens, j, text, notes, head)
    elif base is not None or j > i + 1:
        raise ParseError(
            f"{written.text} needs an argument, like {written.text} x",
            text=text,
            position=tok.col,
        )
    else:  # sin alone: the parser says what is wrong
        return [tok], i + 1
    col = tok.col
    call = [tok, Token("op", "(", col), *arg]
    if base is not None:
        call += [Token("op", ",", col), base]
    call.append(Token("op", ")", col))
    if power is not None:
        call = [Token("op", "(", col), *call, Token("op", ")", col)]
        call += [Token("op", "**", col), Token("num", str(power), col)]
    return call, end


def _is_value_end(tok: Token, following: Token | None = None) -> bool:
    """A token that can end an operand: a number, a non-function name, ')'.  An unknown
    function's name (f, g, h) ends one unless a '(' follows: then it is a call."""
    if tok.kind == "num":
        return True
    if tok.kind == "name":
        if tok.text in UNDEFINED_FUNCTIONS:
            return following is None or following.text != "("
        return not is_callable_name(tok.text)
    return tok.text == ")"


def _insert_products(tokens: list[Token], text: str, notes: list[str]) -> list[Token]:
    """Make implicit multiplication explicit: 2x, 3(x+1), x sin(x), (x+1)(x-1), and
    ln(3) 3^x as books print it (a number straight after ')' is noted: sin(x)2)."""
    out: list[Token] = []
    for index, tok in enumerate(tokens):
        after_function = out and out[-1].kind == "name" and out[-1].text in FUNCTIONS
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        called = following is not None and following.text == "("
        primed = PRIMED_NAME.match(tok.text) if tok.kind == "name" else None
        if primed is not None and not called:
            f, n = primed.group(2), int(primed.group(1))
            raise ParseError(
                f"write {f}{'′' * n}(x): the derivative of {f} needs its argument",
                text=text,
                position=tok.col,
            )
        if tok.kind == "name" and tok.text in UNDEFINED_FUNCTIONS and not called:
            notes.append(
                f"{tok.text} is read as a variable; write {tok.text}(x) for an unknown "
                f"function {tok.text}"
            )
        if after_function and tok.text in ("^", "**"):
            name = out[-1].text
            inverse = f" (and a{name}(x) for its inverse)" if f"a{name}" in FUNCTIONS else ""
            raise ParseError(
                f"write {name}(x)^n, not {name}^n(x), for a power of {name}{inverse}",
                text=text,
                position=tok.col,
            )
        if after_function and tok.kind in ("name", "num"):
            name = out[-1].text
            raise ParseError(
                f"write {name}({tok.text}): a function's argument goes in parentheses",
                text=text,
                position=tok.col,
            )
        if out:
            prev = out[-1]
            starts_value = tok.kind in ("num", "name") or tok.text == "("
            if _is_value_end(prev, tok) and starts_value:
                if prev.kind == "num" and tok.kind == "num":
                    spaced = tok.col > 0 and text[tok.col - 1].isspace()
                    if not (spaced and following is not None and following.text in ("^", "**")):
                        raise ParseError(
                            "two numbers in a row: put an operator between them",
                            text=text,
                            position=tok.col,
                        )
                if (
                    prev.kind == "name"
                    and tok.text == "("
                    and len(prev.text) > 1
                    and prev.text not in CONSTANTS
                ):
                    raise ParseError(unknown_function(prev.text), text=text, position=prev.col)
                if prev.text == ")" and tok.kind == "num":
                    power = following is not None and following.text in ("^", "**")
                    spaced = tok.col > 0 and text[tok.col - 1].isspace()
                    if not (power or spaced):
                        notes.append(
                            f"a number right after ')' is a factor: (...){tok.text} is read "
                            f"as (...)·{tok.text}"
                        )
                out.append(Token("op", "*", tok.col))
        if tok.kind == "op" and tok.text == "^":
            tok = Token("op", "**", tok.col)
        out.append(tok)
    return out


def _join(tokens: list[Token]) -> tuple[str, list[tuple[int, int]]]:
    """Source text for `ast` plus (offset in source, column in user text) per token."""
    parts: list[str] = []
    columns: list[tuple[int, int]] = []
    offset = 0
    for tok in tokens:
        columns.append((offset, tok.col))
        parts.append(tok.text)
        offset += len(tok.text) + 1
    return " ".join(parts), columns


def _column_at(columns: list[tuple[int, int]], offset: int, length: int) -> int:
    col = length
    for start, user_col in columns:
        if start > offset:
            break
        col = user_col
    return col


class _Builder:
    """Walk a whitelisted `ast` tree and build the SymPy expression."""

    _CHAINS = (ast.Add, ast.Sub, ast.Mult, ast.Div)

    def __init__(
        self, text: str, source: str, columns: list[tuple[int, int]], max_depth: int
    ) -> None:
        self.text = text
        self.source = source
        self.columns = columns
        self.max_depth = max_depth

    def fail(self, message: str, node: ast.AST | None = None) -> ParseError:
        col = None
        if node is not None and hasattr(node, "col_offset"):
            col = _column_at(self.columns, node.col_offset, len(self.text))
        return ParseError(message, text=self.text, position=col)

    def build(self, node: ast.AST, depth: int = 0) -> sp.Expr:
        if depth > self.max_depth:
            raise self.fail(f"the formula is nested more than {self.max_depth} deep", node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, self._CHAINS):
            return self.chain(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return self.binary(node, left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Tuple):
            raise self.fail("a formula is one expression: ',' only separates arguments", node)
        raise self.fail("this part is not allowed in a formula", node)

    def chain(self, node: ast.expr, depth: int) -> sp.Expr:
        """a + b - c + ... (or a * b / c ...) walked as a list, not as deep nesting."""
        spine: list[ast.BinOp] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, self._CHAINS):
            spine.append(node)
            node = node.left
        value = self.build(node, depth + 1)
        for link in reversed(spine):
            value = self.binary(link, value, self.build(link.right, depth + 1))
        return value

    def binary(self, node: ast.BinOp, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        # Expr's +, -, * and / are annotated `-> Expr`, but SymPy's untyped sympify_return
        # decorator turns them into Any: hence the casts.
        op = node.op
        if isinstance(op, ast.Add):
            return cast(sp.Expr, left + right)
        if isinstance(op, ast.Sub):
            return cast(sp.Expr, left - right)
        if isinstance(op, ast.Mult):
            return cast(sp.Expr, left * right)
        if isinstance(op, ast.Div):
            if right == 0:
                raise self.fail("division by zero", node.right)
            return cast(sp.Expr, left / right)
        self.check_power(node, left, right)
        return left**right

    def check_power(self, node: ast.BinOp, base: sp.Expr, exponent: sp.Expr) -> None:
        """Refuse a numeric power whose value would be too big to compute quickly."""
        if not (base.is_Number and exponent.is_Rational):
            if base == 0 and exponent.is_number and exponent.is_negative:
                raise self.fail("0 to a negative power is undefined", node)
            return
        if base == 0 and exponent.is_negative:
            raise self.fail("0 to a negative power is undefined", node)
        if abs(exponent) <= 1 or base in (0, 1, -1):
            return
        size = base if base.is_Float else sp.Rational(base)
        rational = cast(sp.Rational, size)  # read only when size.is_Rational
        log10 = max(
            math.log10(max(abs(int(rational.p)), 1))
            if size.is_Rational
            else math.log10(abs(float(size))),
            math.log10(max(abs(int(rational.q)), 1)) if size.is_Rational else 0.0,
        )
        digits = float(abs(exponent)) * log10  # b^e has floor(e·log₁₀ b) + 1 digits
        if digits >= MAX_DIGITS:
            count = f"{math.floor(digits) + 1}" if digits < 1e6 else f"about {digits:.3g}"
            raise self.fail(
                f"this power would have {count} digits; the limit is {MAX_DIGITS}", node
            )

    def number(self, node: ast.Constant) -> sp.Expr:
        literal = self.source_of(node)
        if "e" in literal.lower():
            exponent = int(re.split("[eE]", literal)[1])
            if abs(exponent) > MAX_LITERAL_EXPONENT:
                raise self.fail(
                    f"the exponent of {literal} is beyond ±{MAX_LITERAL_EXPONENT}", node
                )
        # Integer and Rational construct through a cached, untyped __new__: the result is Any.
        if isinstance(node.value, int):
            return cast(sp.Expr, sp.Integer(node.value))
        # Decimals are taken exactly: 0.5 is 1/2, so every later step is exact.
        return cast(sp.Expr, sp.Rational(literal))

    def source_of(self, node: ast.expr) -> str:
        return self.source[node.col_offset : node.end_col_offset]

    def name(self, node: ast.Name) -> sp.Expr:
        name = node.id
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise self.fail(f"'{name}' is a function: write {name}(...)", node)
        if name in _RESERVED:
            raise self.fail(
                f"'{name}' means something else to SymPy (so JSON output could not be read "
                "back); choose another name for this variable",
                node,
            )
        return symbol(name)

    def parameters(self, node: ast.expr, depth: int) -> sp.Basic:
        """An argument of hyper or meijerg: a formula, or a tuple of them (nested for meijerg)."""
        if isinstance(node, ast.Tuple):
            if depth > self.max_depth:
                raise self.fail(f"the formula is nested more than {self.max_depth} deep", node)
            return sp.Tuple(*(self.parameters(e, depth + 1) for e in node.elts))
        return self.build(node, depth)

    def derivative_of_unknown(self, node: ast.Call, primed: re.Match[str], depth: int) -> sp.Expr:
        """f'(x) is df/dx; f'(g(x)) is f′ at g(x), as SymPy writes the chain rule."""
        n, name = int(primed.group(1)), primed.group(2)
        marks = "′" * n
        if len(node.args) != 1 or node.keywords:
            raise self.fail(f"{name}{marks} takes one argument: write {name}{marks}(x)", node)
        arg = self.build(node.args[0], depth + 1)
        f = sp.Function(name)
        if isinstance(arg, (sp.Symbol, AppliedUndef)):
            return cast(sp.Expr, sp.Derivative(f(arg), (arg, n)))
        u = sp.Dummy("u")
        return cast(sp.Expr, sp.Subs(sp.Derivative(f(u), (u, n)), u, arg))

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only named functions can be called", node)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("function arguments must be plain formulas", node)
        name = node.func.id
        primed = PRIMED_NAME.match(name)
        if primed is not None:
            return self.derivative_of_unknown(node, primed, depth)
        if name in TUPLE_ARGUMENTS:
            args = [self.parameters(a, depth + 1) for a in node.args]
        else:
            args = [self.build(a, depth + 1) for a in node.args]
        if name in UNDEFINED_FUNCTIONS:
            if not args:
                raise self.fail(f"{name}() needs at least one argument", node)
            return cast(sp.Expr, sp.Function(name)(*args))  # an undefined function: untyped
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self.fail(unknown_function(name), node)
        if len(args) not in spec.arities:
            wanted = " or ".join(str(n) for n in spec.arities)
            raise self.fail(f"{name} takes {wanted} argument(s), not {len(args)}", node)
        if any(isinstance(a, sp.Expr) and _is_huge_number(a) for a in args):
            # gamma(10**10) and friends would try to compute the value: keep it as written.
            if not (isinstance(spec.build, type) and issubclass(spec.build, sp.Function)):
                raise self.fail(f"{name} of a number this large is beyond what I evaluate", node)
            return cast(sp.Expr, spec.build(*args, evaluate=False))  # Function.__new__: untyped
        if name in TUPLE_ARGUMENTS and not all(isinstance(a, sp.Tuple) for a in args[:-1]):
            raise self.fail(
                f"{name} takes its parameters as tuples, as SymPy prints it: "
                f"{name}((a1, a2), (b1,), x)",
                node,
            )
        try:
            return spec.build(*args)
        except (ValueError, TypeError) as err:  # SymPy refuses these arguments (hyper's, say)
            detail = " ".join(str(err).split())
            raise self.fail(f"{name} cannot take these arguments: {detail}", node) from None


#: Names SymPy's own parser reads as something other than a symbol (I, N, S, Q, O, beta, ...).
_RESERVED = frozenset(name for name in dir(sp) if not name.startswith("_"))


def _is_huge_number(arg: sp.Expr) -> bool:
    return bool(arg.is_Number and abs(arg) > 10**4)
