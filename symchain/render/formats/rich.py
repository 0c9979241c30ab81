"""Rich output for a terminal: the same lines, with colour and tree guides."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text as RichText

from ...core.steps import CONFIRMED, FAILED
from ..layout import Deriv, Math, Op, Ratio, Text
from .text import line_texts, part_text

_STYLES = {
    Text: "",
    Math: "bold",
    Deriv: "cyan",
    Ratio: "cyan",
    Op: "dim",
}


def _line_text(line) -> RichText:
    out = RichText()
    if line.kind == "step":
        out.append("│ " * (line.depth - 1) + ("├ " if line.depth else ""), style="dim")
    elif line.depth:
        out.append("  " * line.depth)
    for part in line.parts:
        style = _STYLES.get(type(part), "")
        if line.kind == "title":
            style = "bold underline"
        out.append(part_text(part), style=style)
    if line.rule:
        out.append(f"   {line.rule}", style="magenta")
    if line.verdict == FAILED:
        out.append("  ✗ differs from SymPy", style="bold red")
    elif line.kind == "step" and line.verdict is not None and line.verdict not in CONFIRMED:
        out.append("  ? unconfirmed", style="yellow")
    if line.kind == "status":
        out.stylize("bold green" if line.parts[0].text.startswith("✓") else "bold red")
    return out


def print_lines(lines, console: Console) -> None:
    """Laid-out lines on a terminal; preformatted lines (a graph) in cyan."""
    first = True
    for line in lines:
        if line.kind == "pre":
            console.print(RichText("  " * line.depth + line.parts[0].text, style="cyan"))
            first = False
            continue
        if line.kind == "title" and not first:
            console.print()
        if line.kind == "result" and line.parts and isinstance(line.parts[0], Deriv):
            console.print()
        text = _line_text(line)
        if text.cell_len > console.width and line.kind in ("step", "result"):
            _print_broken(line, text, console)
        else:
            console.print(text, soft_wrap=False, overflow="fold")
        first = False


def _print_broken(line, text: RichText, console: Console) -> None:
    """A line wider than the terminal, broken before each '=' as plain output breaks it,
    with the tree guides kept, instead of folded at the edge mid-word."""
    guide = "│ " * (line.depth - 1) + ("├ " if line.depth else "") if line.kind == "step" else ""
    pieces = line_texts(line.parts, "", max(console.width - len(guide), 20))
    if len(pieces) == 1:
        console.print(text, soft_wrap=False, overflow="fold")
        return
    if line.rule:
        pieces[0] += f"   {line.rule}"
    continuation = "│ " * line.depth if line.kind == "step" else ""
    for i, piece in enumerate(pieces):
        out = RichText(guide if i == 0 else continuation, style="dim")
        out.append(piece.strip() if i else piece, style="bold" if i else "")
        console.print(out, soft_wrap=False, overflow="fold")
