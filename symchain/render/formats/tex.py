"""Expressions and parts as LaTeX: SymPy's latex printer, with f'(u) for unknown functions."""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ...core.parse import SUPERSCRIPTS
from ..layout import Deriv, Formula, Math, Op, Part, Ratio, Text
from .sympytext import PrimeNotation
from .text import factor_needs_parens, needs_parens

_OPS = {"=": "=", "·": r"\cdot", "≈": r"\approx", "+": "+"}


class _NotesLatex(PrimeNotation, LatexPrinter):
    """latex(), except f'(u) for the derivative of an unknown function f."""

    def _prime_argument(self, arg) -> str:
        return f"\\left({self._print(arg)}\\right)"

    def _print_Bar(self, expr) -> str:
        return r"\bar{" + self._print(expr.node) + "}"


_PRINTER = _NotesLatex({"ln_notation": True})


def expr_latex(expr: sp.Expr) -> str:
    return _PRINTER.doprint(expr)


#: Characters the notes use that pdflatex's default set-up cannot print, as math (the
#: Markdown for files draws on it too).
UNICODE_MATH = {
    "∂": r"\partial ", "→": r"\to ", "⊙": r"\odot ", "Σ": r"\Sigma ", "δ": r"\delta ",
    "σ": r"\sigma ", "ℓ": r"\ell ", "ᵀ": r"^{T}", "½": r"\tfrac12 ",
    "×": r"\times ", "∘": r"\circ ", "‖": r"\| ", "∇": r"\nabla ", "…": r"\ldots ",
    "≈": r"\approx ", "θ": r"\theta ", "η": r"\eta ", "⊘": r"\oslash ", "λ": r"\lambda ",
    "μ": r"\mu ", "ε": r"\varepsilon ", "√": r"\surd ", "≠": r"\neq ",
}  # fmt: skip
#: A verdict's mark as mathematics (amssymb): pdflatex has no ✓ or ✗ in text.
MARKS = {"✓": r"\checkmark", "✗": r"\times"}
_SUBSTITUTES = {"−": "-", "✓": "", "✗": "", "█": "", "·": r"$\cdot$", "′": "'"}


_SUPERSCRIPT_RUN = re.compile("[" + "".join(SUPERSCRIPTS) + "]+")


def _from_superscript(run: str) -> str:
    return "".join(SUPERSCRIPTS[c] for c in run)


def _unicode(text: str) -> str:
    r"""Unicode math in running text as inline math: ∂f/∂x becomes $\partial$f/$\partial$x."""
    text = re.sub(r"(\w)\u0304", lambda m: r"$\bar{" + m.group(1) + "}$", text)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "$^{" + _from_superscript(m.group()) + "}$", text)
    out = []
    for char in text:
        if char in UNICODE_MATH:
            out.append("$" + UNICODE_MATH[char].strip() + "$")
        else:
            out.append(_SUBSTITUTES.get(char, char))
    return "".join(out)


def text_latex(text: str) -> str:
    """Words (a rule's label, a note) for LaTeX's text mode: specials escaped, Unicode
    mathematics as inline math."""
    return _escape(text)


def _escape(text: str) -> str:
    text = text.replace("✓ ", "").replace("✗ ", "").replace("? ", "")
    for char, repl in (
        ("\\", r"\backslash "),
        ("{", r"\{"),
        ("}", r"\}"),
        ("_", r"\_"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
        ("$", r"\$"),
        ("^", r"\^{}"),
    ):
        text = text.replace(char, repl)
    return _unicode(text)


def part_latex(part: Part) -> str:
    if isinstance(part, Formula):
        return part.latex
    if isinstance(part, Text):
        return r"\text{" + _escape(part.text) + "}"
    if isinstance(part, Math):
        body = expr_latex(part.expr)
        if part.factor and factor_needs_parens(part.expr):
            body = r"\left(" + body + r"\right)"
        return body
    if isinstance(part, Op):
        return f" {_OPS.get(part.symbol, part.symbol)} "
    if isinstance(part, Ratio):
        d = r"\partial " if part.partial else "d"
        n = f"^{{{part.n}}}" if part.n > 1 else ""
        top, var = expr_latex(part.top), expr_latex(part.var)
        return rf"\frac{{{d}{n}{top}}}{{{d}{var}{n}}}"
    if isinstance(part, Deriv):
        body = expr_latex(part.expr)
        if needs_parens(part.expr):
            body = r"\left(" + body + r"\right)"
        var = expr_latex(part.var)
        if part.n > 1:
            return rf"\frac{{d^{{{part.n}}}}}{{d{var}^{{{part.n}}}}} {body}"
        return rf"\frac{{d}}{{d{var}}} {body}"
    raise TypeError(part)


#: Words that are only operators and primes: ·, ', =, +, − between or after formulas; and
#: the primes or dot a word may start with right after one (u' with ...).
_SYMBOLS_ONLY = re.compile(r"[\s·'′=+−-]+")
_LEADING_SYMBOLS = re.compile(r"[·'′]+")
_SYMBOL_LATEX = {"·": r" \cdot ", "′": "'", "−": "-"}


def with_symbols_in_math(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """Operators and primes written as words right after a formula join it (cos u·u′,
    not "$\\cos u$·$u$'"), so that a format that sets formulas apart keeps them whole."""
    out: list[Part] = []
    for part in parts:
        after_math = bool(out) and not isinstance(out[-1], Text)
        if not (isinstance(part, Text) and after_math and part.text.strip()):
            out.append(part)
            continue
        symbols = part.text if _SYMBOLS_ONLY.fullmatch(part.text) else ""
        if not symbols:
            leading = _LEADING_SYMBOLS.match(part.text)
            symbols = leading.group() if leading else ""
        if symbols:
            latex = "".join(_SYMBOL_LATEX.get(c, c) for c in symbols)
            out.append(Formula(symbols, latex))
        if part.text[len(symbols) :]:
            out.append(Text(part.text[len(symbols) :]))
    return tuple(out)
