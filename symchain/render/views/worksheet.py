"""A worksheet in every format: exercises, answer key, and each solution in full.

The solutions are the derivations as the shared renderers print them
(`derivation_lines` in each format); this
module only adds the sheet around them, and breaks a long LaTeX row at its
'=' signs, since an align* row never wraps by itself.  The LaTeX is a whole document for
pdflatex with the standard `article` class, and it is kept pure ASCII: any
character outside ASCII that a shared renderer might emit is turned into a
LaTeX command here, so a new symbol in the step text cannot break the build.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sympy as sp

from ...calculus.worksheet import Exercise, Worksheet
from .. import View, view
from ..formats import Detail, Format
from ..formats.json import expr_str
from ..formats.tex import expr_latex
from ..formats.text import expr_text
from ..layout import Line, label
from .derivation import derivation_lines

if TYPE_CHECKING:
    from rich.console import Console

TITLE = "Differentiation worksheet"
INSTRUCTIONS = "Differentiate each function with respect to x. Simplify where it helps."


@view("Worksheet")
class WorksheetView(View):
    """The sheet, its answer key and (unless solutions=False) every solution in full."""

    def text(
        self, result: Worksheet, fmt: Format, detail: Detail = "normal", **options: Any
    ) -> str:
        return render_worksheet(result, fmt, options.get("solutions", True), detail)

    def rich(
        self, result: Worksheet, console: Console, detail: Detail = "normal", **options: Any
    ) -> None:
        print_worksheet_rich(result, console, options.get("solutions", True), detail)

    def to_dict(self, result: Worksheet) -> dict[str, Any]:
        return worksheet_dict(result)


@view("Exercise")
class ExerciseView(View):
    """One exercise: its solution, the derivation as derive prints it."""

    def lines(self, result: Exercise, detail: Detail = "normal", **_: Any) -> list[Line]:
        return derivation_lines(result.derivation, detail)

    def to_dict(self, result: Exercise) -> dict[str, Any]:
        return exercise_dict(result)


def render_worksheet(ws, fmt: str, solutions: bool = True, detail: str = "normal") -> str:
    """The worksheet as text: plain, markdown, latex or json."""
    if fmt == "plain":
        return plain_sheet(ws, solutions, detail)
    if fmt == "markdown":
        return markdown_sheet(ws, solutions, detail)
    if fmt == "latex":
        return latex_sheet(ws, solutions, detail)
    if fmt == "json":
        return json.dumps(worksheet_dict(ws), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def _about(ws) -> str:
    low, high = ws.level
    levels = f"level {low}" if low == high else f"levels {low} to {high}"
    noun = "exercise" if ws.count == 1 else "exercises"
    return f"{ws.count} {noun}; topics {', '.join(ws.topics)}; {levels}; seed {ws.seed}"


def _rules_text(exercise) -> str:
    return ", ".join(label(rule) for rule in exercise.rules)


def _heading(exercise) -> str:
    return f"{exercise.number}. {exercise.topic}, level {exercise.level}: {_rules_text(exercise)}"


# -- plain ------------------------------------------------------------------------


def plain_sheet(ws, solutions: bool = True, detail: str = "normal") -> str:
    from ..formats.plain import plain_lines

    width = len(str(ws.count))
    out = [TITLE, _about(ws), f"again: {ws.command}", "", INSTRUCTIONS, ""]
    out += [f"{e.number:>{width}}. {expr_text(e.expression)}" for e in ws.exercises]
    out += ["", "Answer key", ""]
    out += [f"{e.number:>{width}}. {expr_text(e.answer)}" for e in ws.exercises]
    if solutions:
        out += ["", "Solutions"]
        for e in ws.exercises:
            solution = plain_lines(derivation_lines(e.derivation, detail)).rstrip("\n")
            out += ["", f"── {_heading(e)} ──", solution]
    out += ["", _status(ws)]
    return "\n".join(out) + "\n"


def _status(ws) -> str:
    bad = [str(e.number) for e in ws.exercises if not e.verified]
    if not bad:
        return f"✓ verified: every answer checked step by step against SymPy's diff ({ws.count})"
    return f"✗ NOT verified: exercise(s) {', '.join(bad)}"


# -- rich -------------------------------------------------------------------------


def print_worksheet_rich(ws, console, solutions: bool = True, detail: str = "normal") -> None:
    """The sheet on a terminal: the plain layout with headings and the solutions' colours."""
    from rich.rule import Rule
    from rich.text import Text

    from ..formats.rich import print_lines

    width = len(str(ws.count))
    console.print(Text(TITLE, style="bold underline"))
    console.print(Text(_about(ws), style="dim"))
    # one line however narrow the terminal, so that it copies and pastes as one command
    console.print(Text(f"again: {ws.command}", style="dim"), soft_wrap=True)
    console.print()
    console.print(INSTRUCTIONS)
    console.print()
    for e in ws.exercises:
        console.print(Text(f"{e.number:>{width}}. ") + Text(expr_text(e.expression), style="bold"))
    console.print()
    console.print(Text("Answer key", style="bold underline"))
    for e in ws.exercises:
        console.print(Text(f"{e.number:>{width}}. ") + Text(expr_text(e.answer), style="bold"))
    if solutions:
        console.print()
        console.print(Text("Solutions", style="bold underline"))
        for e in ws.exercises:
            console.print(Rule(_heading(e), align="left", style="dim"))
            print_lines(derivation_lines(e.derivation, detail), console)
    console.print()
    console.print(Text(_status(ws), style="bold green" if ws.verified else "bold red"))


# -- markdown ---------------------------------------------------------------------


def markdown_sheet(ws, solutions: bool = True, detail: str = "normal") -> str:
    from ..formats.markdown import demoted, markdown_lines

    out = [f"## {TITLE}", "", f"*{_about(ws)}* — again: `{ws.command}`", "", INSTRUCTIONS, ""]
    out += [f"{e.number}. ${expr_latex(e.expression)}$" for e in ws.exercises]
    out += ["", "### Answer key", ""]
    out += [f"{e.number}. ${expr_latex(e.answer)}$" for e in ws.exercises]
    if solutions:
        out += ["", "### Solutions"]
        for e in ws.exercises:
            body = markdown_lines(derivation_lines(e.derivation, detail)).strip("\n")
            # the derivation's own "## d/dx ..." heading goes under the exercise's ####
            out += ["", f"#### {_heading(e)}", "", demoted(body, 3)]
    out += ["", _status(ws)]
    return "\n".join(out) + "\n"


# -- latex --------------------------------------------------------------------------

_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
"""

#: Characters outside ASCII, as LaTeX; the shared renderer already turns most
#: into math, and these are what is left (or could be, in a step's text).
_ASCII = {
    "·": r"\ensuremath{\cdot}",
    "−": "-",
    "—": "---",
    "–": "--",
    "≈": r"\ensuremath{\approx}",
    "→": r"\ensuremath{\to}",
    "∂": r"\ensuremath{\partial}",
    "✓": r"\ensuremath{\checkmark}",
    "✗": r"\ensuremath{\times}",
    "×": r"\ensuremath{\times}",
    "²": r"\ensuremath{^2}",
    "³": r"\ensuremath{^3}",
    "′": "'",
    "’": "'",
    "‘": "`",
    "…": r"\ldots{}",
    "\u0304": "",  # a combining macron: the letter before it stays
}


def _ascii(text: str) -> str:
    """`text` with every non-ASCII character made a LaTeX command (unknown ones: '?')."""
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else _ASCII.get(ch, "?") for ch in text)


def _tex_text(text: str) -> str:
    """Running text for LaTeX: special characters escaped."""
    for char, repl in (
        ("\\", r"\textbackslash{}"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("_", r"\_"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
        ("$", r"\$"),
        ("^", r"\^{}"),
        ("~", r"\~{}"),
    ):
        text = text.replace(char, repl)
    return text


def _command_tex(command: str) -> str:
    """The command as typed: `--count` stays two hyphens (T1 fonts join -- into an en
    dash, even in typewriter type), and a line may break after a comma."""
    return _tex_text(command).replace("-", "-{}").replace(",", r",\allowbreak ")


def _display(expr: sp.Expr) -> str:
    return r"$\displaystyle " + expr_latex(expr) + "$"


def solution_latex(derivation, detail: str = "normal") -> str:
    """The shared LaTeX rendering of a derivation (its long rows broken at '=')."""
    from ..formats.latex import latex_lines

    return latex_lines(derivation_lines(derivation, detail))


def latex_sheet(ws, solutions: bool = True, detail: str = "normal") -> str:
    """A complete article: exercises, then the answer key and the solutions on new pages."""

    out = [_PREAMBLE, r"\begin{document}", rf"\section*{{{TITLE}}}"]
    out += [
        r"{\small\raggedright " + _tex_text(_about(ws)) + r"\\",
        r"again: \texttt{" + _command_tex(ws.command) + r"}\par}",
        "",
        _tex_text(INSTRUCTIONS),
        r"\begin{enumerate}",
    ]
    out += [rf"\item {_display(e.expression)}" for e in ws.exercises]
    out += [r"\end{enumerate}", r"\newpage", r"\section*{Answer key}", r"\begin{enumerate}"]
    out += [rf"\item {_display(e.answer)}" for e in ws.exercises]
    out += [r"\end{enumerate}"]
    if solutions:
        out += [r"\newpage", r"\section*{Solutions}"]
        for e in ws.exercises:
            out += [
                rf"\subsection*{{{_tex_text(_heading(e))}}}",
                r"{\small",
                solution_latex(e.derivation, detail).rstrip("\n"),
                "}",
            ]
    out += ["", _tex_text(_status(ws)), r"\end{document}"]
    return _ascii("\n".join(out) + "\n")


def exercise_dict(e: Exercise) -> dict[str, Any]:
    return {
        "number": e.number,
        "expression": expr_str(e.expression),
        "topic": e.topic,
        "level": e.level,
        "rules": list(e.rules),
        "answer": expr_str(e.answer),
        "verified": e.verified,
    }


def worksheet_dict(ws: Worksheet) -> dict[str, Any]:
    return {
        "seed": ws.seed,
        "topics": list(ws.topics),
        "level": list(ws.level),
        "count": ws.count,
        "verified": ws.verified,
        "exercises": [exercise_dict(e) for e in ws.exercises],
    }
