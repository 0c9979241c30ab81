"""Rich output for a terminal: the same lines, with colour and tree guides."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text as RichText

from ...core.steps import CONFIRMED, FAILED
from ..layout import Deriv, Line, Math, Op, Ratio, Text
from .text import BLOCKS, block_rows, line_texts, part_text

_STYLES = {
    Text: "",
    Math: "bold",
    Deriv: "cyan",
    Ratio: "cyan",
    Op: "dim",
}


def tree_guides(lines) -> dict[int, tuple[str, str]]:
    """For each step line, by index: its guide (the ancestors' │, then ├, or └ for the last
    of its siblings) and the guide of its wrapped continuation lines."""
    out: dict[int, tuple[str, str]] = {}
    closed: dict[int, bool] = {}  # depth -> the latest line at that depth was its last
    for i, line in enumerate(lines):
        if line.kind != "step":
            closed.clear()
            continue
        d = line.depth
        last = True
        for later in lines[i + 1 :]:
            if later.kind != "step" or later.depth < d:
                break
            if later.depth == d:
                last = False
                break
        closed[d] = last
        if d == 0:
            out[i] = ("", "")
            continue
        above = "".join("  " if closed.get(k, False) else "│ " for k in range(1, d))
        out[i] = (above + ("└ " if last else "├ "), above + ("  " if last else "│ "))
    return out


def _line_text(line, guide: str = "") -> RichText:
    """One line; a step after its tree guide (`tree_guides`)."""
    out = RichText()
    if line.kind == "step":
        out.append(guide, style="dim")
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


def print_lines(lines, console: Console, shown: range | None = None) -> None:
    """Laid-out lines on a terminal; preformatted lines (a graph) in cyan.  `shown`: only
    those lines (derive --reveal, a line at a time), their tree guides those of the whole."""
    first = True
    guides = tree_guides(lines)
    for i, line in enumerate(lines):
        if shown is not None and i not in shown:
            continue
        if line.kind in BLOCKS:
            for row in block_rows(line):
                console.print(RichText("  " * line.depth + row, style="cyan"))
            first = False
            continue
        if line.kind == "title" and not first:
            console.print()
        if line.kind == "result" and line.parts and isinstance(line.parts[0], Deriv):
            console.print()
        guide, continuation = guides.get(i, ("", ""))
        text = _line_text(line, guide)
        if text.cell_len > console.width and line.kind in ("step", "result"):
            _print_broken(line, text, console, guide, continuation)
        elif text.cell_len > console.width and line.depth and line.kind != "step":
            # a long note wraps under itself, not at column 0
            inner = _line_text(Line(0, line.parts, line.rule, line.kind, line.verdict))
            indent = 2 * line.depth
            for piece in inner.wrap(console, max(console.width - indent, 20)):
                piece.rstrip()
                out = RichText(" " * indent)
                out.append_text(piece)
                console.print(out, soft_wrap=False, overflow="fold")
        else:
            console.print(text, soft_wrap=False, overflow="fold")
        first = False


def _print_broken(line, text: RichText, console: Console, guide: str = "",
                  continuation: str = "") -> None:  # fmt: skip
    """A line wider than the terminal, broken before each '=' as plain output breaks it,
    with the tree guides kept, instead of folded at the edge mid-word."""
    pieces = line_texts(line.parts, "", max(console.width - len(guide), 20))
    if len(pieces) == 1:
        body = len(guide) + len(pieces[0])
        if line.rule and body <= console.width:  # the rule on a line of its own, not cut
            head = RichText(guide, style="dim")
            head.append(pieces[0])
            console.print(head, soft_wrap=False, overflow="fold")
            _print_rule(line.rule, continuation, console)
        else:  # no '=' to break at: wrapped at spaces, under the guide
            _print_guided(RichText(pieces[0]), guide, continuation + "  ", console)
            if line.rule:
                _print_rule(line.rule, continuation, console)
        return
    if line.rule:
        pieces[0] += f"   {line.rule}"
    for i, piece in enumerate(pieces):
        body = RichText(piece.strip() if i else piece, style="bold" if i else "")
        first_guide = guide if i == 0 else continuation
        _print_guided(body, first_guide, continuation + "  ", console, terms=i > 0)


def _print_rule(rule: str, continuation: str, console: Console) -> None:
    """A rule on rows of its own under the step, wrapped under its guide (d(AB) = dA·B +
    A·dB; d(Aᵀ) = (dA)ᵀ is longer than a narrow terminal)."""
    body = RichText(rule, style="magenta")
    _print_guided(body, continuation + "  ", continuation + "    ", console)


def _print_guided(body: RichText, first: str, rest: str, console: Console,
                  terms: bool = False) -> None:  # fmt: skip
    """body wrapped to the terminal, its first line after `first`, the others after `rest`
    (the tree guides continue; nothing falls back to column 0).  With `terms` (a row
    "= …" of a formula), a sum too wide is cut before a term (+ or − outside brackets),
    as books break it, and only then at spaces."""
    width = max(console.width - len(rest), 20)
    pieces = []
    for chunk in body.divide(_term_cuts(body.plain, width) if terms else []):
        pieces += list(chunk.wrap(console, width))
    for k, piece in enumerate(pieces):
        piece.rstrip()
        if k:
            piece = piece[len(piece.plain) - len(piece.plain.lstrip()) :]
        out = RichText(first if k == 0 else rest, style="dim")
        out.append_text(piece)
        console.print(out, soft_wrap=False, overflow="fold")


def _term_cuts(text: str, width: int) -> list[int]:
    """Where to cut `text` into rows of at most `width`: before a " + " or " − " outside
    brackets, the latest that still fits; no cut where none is outside brackets."""
    depth, cuts, start, last = 0, [], 0, None
    for i, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if depth == 0 and text[i : i + 3] in (" + ", " − "):
            if i - start > width and last is not None:
                cuts.append(last)
                start = last
            last = i
    if len(text) - start > width and last is not None and last > start:
        cuts.append(last)
    return cuts
