"""`derive --reveal`: a derivation one step at a time, for a student who tries each step first.

The first rule is given as a hint; Enter shows the next line, q (or Ctrl-D) shows
all the rest, Ctrl-C stops.  Only on a terminal: piped output never waits for a key.
"""

from __future__ import annotations

import click

from ..render.formats.rich import print_lines


def reveal_lines(lines, console, hint: str) -> None:
    """Any laid-out lines: the heading, the hint, then one line per key press."""
    head = next((i for i, line in enumerate(lines) if line.kind == "step"), len(lines))
    print_lines(lines, console, range(head))
    console.print(f"[yellow]hint: {hint}[/yellow]")
    prompt = "[dim](Enter: next step, q: show the rest)[/dim]"
    for index in range(head, len(lines)):
        console.print(prompt, end="")
        try:
            key = click.getchar()
        except EOFError:  # Ctrl-D: no more keys will come, so the rest is shown at once
            key = "q"
        console.file.write("\r\x1b[2K")  # erase the prompt: reveal runs on a terminal only
        console.file.flush()
        if key in ("q", "Q"):
            print_lines(lines, console, range(index, len(lines)))
            return
        print_lines(lines, console, range(index, index + 1))
