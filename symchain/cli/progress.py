"""A progress bar on stderr for work that may run over a second (a batch, a worksheet,
training): only where a person watches a terminal, and gone when the work is done.

The bar is drawn when stderr is a terminal (and not TERM=dumb), never into a file or a
pipe, so nothing of it reaches a log.  `progress` yields the function to call with the
work done so far (and, where it was not known at the start, the total), or None where
no bar is drawn.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from .env import Environment

_live: list[Console] = []  # the console of the bar being drawn, if one is


def live_console() -> Console | None:
    """The console a bar is drawn on now: messages for stderr go through it, above the
    bar (written past it, they would land in the middle of its line)."""
    return _live[-1] if _live else None


@contextlib.contextmanager
def progress(
    env: Environment,
    total: int | None,
    what: str,
    *,
    unless_stdout_terminal: bool = False,
    sized: bool = False,
) -> Iterator[Callable[..., None] | None]:
    """A transient bar of `total` steps (a spinner and a count when None) labelled `what`;
    `sized`: a bar even so, its total told with the first count (`tick(done, total)`).

    `unless_stdout_terminal`: no bar when stdout is the same terminal and the work prints
    as it goes (a batch's records are feedback enough, and would push the bar about).
    """
    if not env.stderr_isatty or os.environ.get("TERM") == "dumb":
        yield None
        return
    if unless_stdout_terminal and env.stdout_isatty:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
         TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
        if total or sized else
        [SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"),
         TimeElapsedColumn()]
    )  # fmt: skip
    console = Console(stderr=True, no_color=env.no_color)
    bar = Progress(*columns, console=console, transient=True)
    task = bar.add_task(what, total=total)
    with bar:
        _live.append(console)
        try:
            yield lambda done, total=None: bar.update(task, completed=done, total=total)
        finally:
            _live.pop()
