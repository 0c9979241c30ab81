"""Markdown for notes: a nested list, mathematics in $...$, the answer in $$...$$."""

from __future__ import annotations

from ...core.steps import CONFIRMED, FAILED
from ..layout import Text
from .tex import part_latex


def _inline(parts) -> str:
    """Runs of mathematics become one $...$ span; words stay words."""
    out, run = [], []

    def flush() -> bool:
        if not run:
            return False
        out.append("$" + "".join(run).strip() + "$")
        run.clear()
        return True

    for part in parts:
        if isinstance(part, Text):
            # "$\frac{du}{dx} =$ chain rule", not "=$chain": a word after mathematics is spaced
            if flush() and part.text[:1].isalnum():
                out.append(" ")
            out.append(part.text.replace("*", r"\*"))
        else:
            run.append(part_latex(part))
    flush()
    return "".join(out)


def markdown_lines(lines) -> str:
    """Laid-out lines as Markdown; preformatted lines (a graph) go in a code block."""
    out: list[str] = []
    in_code = False
    for line in lines:
        if (line.kind == "pre") != in_code:
            out.append("```" if not in_code else "```\n")
            in_code = not in_code
        if line.kind == "pre":
            out.append(line.parts[0].text)
        elif line.kind == "title":
            out.append(("\n" if out else "") + "### " + _inline(line.parts) + "\n")
        elif line.kind == "result" and all(not isinstance(p, Text) for p in line.parts):
            out.append("\n$$" + "".join(part_latex(p) for p in line.parts).strip() + "$$")
        elif line.kind in ("status", "note", "result"):
            out.append("\n" + _inline(line.parts).lstrip())  # 4 leading spaces would be code
        else:
            text = "  " * (line.depth - 1) + "- " + _inline(line.parts)
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


__all__ = ["markdown_lines"]
