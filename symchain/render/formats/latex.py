"""LaTeX: an align* block, one step a row, the rule named at the right."""

from __future__ import annotations

from ..layout import Text
from .tex import part_latex, text_latex


def _row(line) -> str:
    parts = list(line.parts)
    lead = []
    while parts and isinstance(parts[0], Text):
        lead.append(part_latex(parts.pop(0)))
    body = "".join(part_latex(p) for p in parts).strip()
    indent = r"\quad " * max(line.depth - 1, 0)
    row = f"&{indent}{''.join(lead)}{body}"
    if line.rule:
        row += r" && \text{(" + text_latex(line.rule) + ")}"
    return row


def latex_lines(lines) -> str:
    """Laid-out lines as an align* block; preformatted lines (a graph) as comments before it."""
    comments = "".join(f"% {line.parts[0].text}\n" for line in lines if line.kind == "pre")
    rows = [_row(line) for line in lines if line.kind != "pre"]
    body = " \\\\\n".join(rows)
    return comments + "\\begin{align*}\n" + body + "\n\\end{align*}\n"
