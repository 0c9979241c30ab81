"""Markdown for notes: a nested list, mathematics in $...$, the answer in $$...$$.

One heading scheme for every result: its first line is a level-2 heading (a
derivation's d/dx ..., an equation, a verdict), its sections level 3; a result
shown inside another (a gradient's entry, a worksheet's solution) is `demoted`
below the heading it sits under.  `for_files` then makes the text GitHub's and
pandoc's: display mathematics in ```math blocks, symbols as LaTeX.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...core.parse import SUPERSCRIPTS
from ...core.steps import CONFIRMED, FAILED
from ..layout import Formula, Table, Text
from .tex import MARKS, UNICODE_MATH, part_latex, with_symbols_in_math
from .text import block_rows, cell_text

LIST_DEPTH = 4


def _inline(parts) -> str:
    """Runs of mathematics become one $...$ span; words stay words."""
    out, run = [], []

    def flush() -> bool:
        if not run:
            return False
        out.append("$" + "".join(run).strip() + "$")
        run.clear()
        return True

    for part in with_symbols_in_math(tuple(parts)):
        if isinstance(part, Text):
            # "$\frac{du}{dx} =$ chain rule", not "=$chain": a word after mathematics is spaced
            if flush() and part.text[:1].isalnum():
                out.append(" ")
            out.append(part.text.replace("*", r"\*"))
        else:
            run.append(part_latex(part))
    flush()
    return "".join(out)


#: Kinds of line written in a code block: preformatted text, a curve in blocks, a tree.
_CODE = ("pre", "curve", "tree")


def _cell(cell) -> str:
    text = f"${cell.latex}$" if isinstance(cell, Formula) else cell_text(cell)
    return text.replace("|", r"\|") or " "


def _table(t: Table) -> str:
    """A pipe table (GitHub's and pandoc's): the header row, empty where the table has none."""
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in t.align) + "|"
    rows = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    return "\n".join(["| " + " | ".join(_cell(h) for h in t.header) + " |", rule, *rows])


def _beside_a_step(lines, k: int) -> bool:
    return any(
        0 <= j < len(lines) and lines[j].kind == "step" and lines[j].depth for j in (k - 1, k + 1)
    )


def markdown_lines(lines) -> str:
    """Laid-out lines as Markdown; preformatted lines (a graph) go in a code block."""
    out: list[str] = []
    in_code = False
    lines = [line for line in lines if line.parts]  # a spacer line: Markdown has its own
    for k, line in enumerate(lines):
        if line.kind == "note" and line.depth and _beside_a_step(lines, k):
            line = replace(line, kind="step")  # shapes:, read off: an item of the steps' list
        if (line.kind in _CODE) != in_code:
            spaced = not out or out[-1] == "" or out[-1].endswith("\n")
            out.append("```\n" if in_code else "```" if spaced else "\n```")
            in_code = not in_code
        if line.kind in _CODE:
            out += block_rows(line)
        elif line.kind == "table":
            blank = "" if not out or out[-1].endswith("\n") else "\n"
            out.append(blank + _table(line.parts[0]) + "\n")
        elif not out and line.kind in ("title", "result", "status"):  # the result's heading
            out.append("## " + _inline(line.parts) + "\n")
        elif line.kind == "title":
            out.append("\n### " + _inline(line.parts) + "\n")
        elif line.kind == "result" and all(not isinstance(p, Text) for p in line.parts):
            out.append("\n$$" + "".join(part_latex(p) for p in line.parts).strip() + "$$")
        elif line.kind in ("status", "note", "result"):
            out.append("\n" + _inline(line.parts).lstrip())  # 4 leading spaces would be code
        else:
            # LaTeX (pandoc's PDF) nests lists 4 deep at most: deeper steps stay at the 4th
            # level, each level past it marked with a ›
            level = min(line.depth, LIST_DEPTH)
            deeper = "› " * (line.depth - level)
            text = "  " * (level - 1) + "- " + deeper + _inline(line.parts)
            if line.rule:
                text += f" *({line.rule})*"
            if line.verdict == FAILED:
                text += " **(WRONG: differs from SymPy)**"
            elif line.verdict is not None and line.verdict not in CONFIRMED:
                text += " *(unconfirmed)*"
            out.append(text)
    if in_code:
        out.append("```")
    return "\n".join(out).strip() + "\n"


def demoted(markdown: str, levels: int) -> str:
    """Every heading `levels` deeper: a result shown under another's heading."""
    return re.sub(r"(?m)^(#+) ", lambda m: "#" * (len(m.group(1)) + levels) + " ", markdown)


#: Symbols that words and labels use outside $...$, as LaTeX mathematics: pdflatex (pandoc's
#: PDF engine) has no glyph for them in text, and GitHub typesets the mathematics as well.
#: They come from the LaTeX output's own table (tex.UNICODE_MATH), the parser's
#: superscripts and Greek letters by name; these are the ones only Markdown needs, or
#: writes otherwise (ᵀ as an upright T).
_AS_LATEX = {
    **MARKS, "←": r"\leftarrow", "′": "'", "″": "''", "≤": r"\le", "≥": r"\ge",
    "∞": r"\infty", "ᵀ": r"^{\mathsf{T}}", "∑": r"\sum", "∈": r"\in", "⚠": r"\triangle",
    "█": r"\blacksquare",
}  # fmt: skip
#: In pdflatex's text encodings (T1, textcomp): they stay as they are.
_TEXT_SAFE = "·×±½¹²³—–…"
_AS_TEXT = {"−": "-"}  # a minus sign in words: the hyphen pdflatex has
_GREEK = "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ"
_MACRON = "\u0304"  # x̄: the combining bar of an adjoint's name


def _latex_symbol(char: str) -> str | None:
    if char in _TEXT_SAFE:
        return None
    if char in _AS_LATEX:
        return _AS_LATEX[char]
    if char in _GREEK:
        import unicodedata

        name = unicodedata.name(char).split()[-1].lower().replace("lamda", "lambda")
        return "\\" + (name.capitalize() if char.isupper() else name)  # GREEK SMALL LETTER MU
    if char in UNICODE_MATH:
        return UNICODE_MATH[char].strip()
    if char in SUPERSCRIPTS:
        return "^{" + SUPERSCRIPTS[char] + "}"
    return None


def _span(run: list[str]) -> str:
    """$...$ of LaTeX symbols, a space only where a command meets a letter (\\sigma x)."""
    text = run[0]
    for latex in run[1:]:
        glue = " " if re.search(r"\\[A-Za-z]+$", text) and latex[0].isalpha() else ""
        text += glue + latex
    # e⁻ˣ: one superscript ^{-x}, not ^{-}^{x}, which LaTeX refuses ("Double superscript")
    return "$" + re.sub(r"\^\{([^{}]*)\}\^\{", r"^{\1", text) + "$"


def _prose_symbols(text: str) -> str:
    """A line's symbols outside $...$ and `code` as $...$ spans (each run of them one span,
    a span that meets mathematics merged into it), so pandoc's pdflatex can set them."""
    out: list[str] = []
    for piece in re.split(r"(\$[^$]+\$|`[^`]*`)", text):
        if piece.startswith(("$", "`")):
            out.append(piece)
            continue
        run: list[str] = []
        for i, char in enumerate(piece):
            if char == _MACRON:
                continue
            latex = rf"\bar{{{char}}}" if piece[i + 1 : i + 2] == _MACRON else _latex_symbol(char)
            if latex is not None:
                run.append(latex)
                continue
            if run:
                out.append(_span(run))
                run = []
            out.append(_AS_TEXT.get(char, char))
        if run:
            out.append(_span(run))
    # a symbol's span against a formula's ($\sigma$$x$) is one span: $$ would open a display
    return re.sub(r"(?<=[^$\s])\$\$(?=[^$\s])", " ", "".join(out))


#: Pictures in code blocks (a graph's tree, a text plot, a table) in ASCII: pdflatex's
#: verbatim has no box-drawing or block characters.
_CODE_ASCII = str.maketrans({
    "─": "-", "━": "-", "│": "|", "┃": "|", "├": "|", "┤": "|", "└": "`", "┘": "'",
    "┌": "+", "┐": "+", "┬": "+", "┴": "+", "┼": "+", "▁": ".", "▂": ":", "▃": "-",
    "▄": "=", "▅": "+", "▆": "*", "▇": "%", "█": "#", "✓": "ok", "✗": "x", "∂": "d",
    "‖": "||", "−": "-", "×": "x", "·": "*", "→": "->", "←": "<-", "′": "'", "⊙": "(.)",
    "²": "^2", "³": "^3", "ᵀ": "^T", "≈": "~", "≤": "<=", "≥": ">=", "≠": "!=", "…": "...",
    "σ": "sigma", "δ": "delta", "ℓ": "l", "λ": "lambda", "θ": "theta", "Σ": "Sum",
})  # fmt: skip


def _code_ascii(line: str) -> str:
    """A code block's line in ASCII, by _CODE_ASCII and, past it, by decomposition."""
    line = line.translate(_CODE_ASCII)
    if line.isascii():
        return line
    import unicodedata

    return "".join(
        c if c.isascii() else unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
        or "?" for c in line
    )  # fmt: skip


def for_files(markdown: str) -> str:
    """Markdown that GitHub and pandoc (`-f gfm`, pandoc 3) both typeset: a display
    `$$...$$` as a ```math block (GitHub's Markdown would eat the `\\` of a matrix's rows
    inside $$), the symbols of the prose as LaTeX (pdflatex has no ✓ nor ∂ in text), and
    the pictures of code blocks in ASCII."""
    out: list[str] = []
    fence: str | None = None  # the opening line of the code block we are in
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence is not None:
            if stripped == "```":
                fence = None
            out.append(line if fence == "```math" else _code_ascii(line))
            continue
        if stripped.startswith("```"):
            fence = stripped
            out.append(line)
            continue
        if len(stripped) > 4 and stripped.startswith("$$") and stripped.endswith("$$"):
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}```math", f"{indent}{stripped[2:-2].strip()}", f"{indent}```"]
            continue
        out.append(_prose_symbols(line))
    return "\n".join(out)


__all__ = ["markdown_lines", "demoted", "for_files"]
