"""LaTeX: an align* block, one step a row, the rule named at the right."""

from __future__ import annotations

from ..layout import Text, layout
from .tex import expr_latex, part_latex


def _row(line) -> str:
    parts = list(line.parts)
    lead = []
    while parts and isinstance(parts[0], Text):
        lead.append(part_latex(parts.pop(0)))
    body = "".join(part_latex(p) for p in parts).strip()
    indent = r"\quad " * max(line.depth - 1, 0)
    row = f"&{indent}{''.join(lead)}{body}"
    if line.rule:
        row += r" && \text{(" + line.rule.replace("_", r"\_") + ")}"
    return row


def render_latex(derivation, detail: str = "normal") -> str:
    return latex_lines(layout(derivation, detail))


def latex_lines(lines) -> str:
    """Laid-out lines as an align* block; preformatted lines (a graph) as comments before it."""
    comments = "".join(f"% {line.parts[0].text}\n" for line in lines if line.kind == "pre")
    rows = [_row(line) for line in lines if line.kind != "pre"]
    body = " \\\\\n".join(rows)
    return comments + "\\begin{align*}\n" + body + "\n\\end{align*}\n"


def answer_latex(derivation) -> str:
    """The one-line answer, for Jupyter's _repr_latex_."""
    d = derivation
    lhs = rf"\frac{{d}}{{d{expr_latex(d.variable)}}}\left({expr_latex(d.expression)}\right)"
    if d.order > 1:
        lhs = (
            rf"\frac{{d^{{{d.order}}}}}{{d{expr_latex(d.variable)}^{{{d.order}}}}}"
            rf"\left({expr_latex(d.expression)}\right)"
        )
    mark = r"\quad\checkmark" if d.verified else r"\quad\text{(unverified)}"
    return f"$${lhs} = {expr_latex(d.result)}{mark}$$"
