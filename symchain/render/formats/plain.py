"""Plain text for pipes, files and notes: no escape codes, and no wrapping at the
terminal's width; a line longer than 80 characters breaks before each '='."""

from __future__ import annotations

from ...core.steps import CONFIRMED, FAILED
from .text import BLOCKS, block_rows, line_texts

INDENT = "  "
#: Result lines that follow the answer without a blank line between.
_FOLLOW_ON = ("simplified", "other forms")


def verdict_mark(verdict: str | None) -> str:
    if verdict is None or verdict in CONFIRMED:
        return ""
    return "  (WRONG: differs from SymPy)" if verdict == FAILED else "  (unconfirmed)"


def plain_lines(lines) -> str:
    """Laid-out lines as plain text."""
    out = []
    for line in lines:
        if line.kind in BLOCKS:
            out += [INDENT * line.depth + row for row in block_rows(line)]
            continue
        texts = line_texts(line.parts, INDENT * line.depth)
        if line.rule:
            texts[0] += f"    [{line.rule}]"
        if line.kind in ("step", "result"):
            texts[-1] += verdict_mark(line.verdict)
        text = "\n".join(texts)
        if line.kind == "title" and out:
            out.append("")
        after_steps = out and out[-1] and not out[-1].startswith("d/d")
        if line.kind == "result" and after_steps and not text.startswith(_FOLLOW_ON):
            out.append("")
        out.append(text)
    return "\n".join(out) + "\n"
