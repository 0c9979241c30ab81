"""A loss curve drawn in text: a terminal or a notes file shows it with nothing installed."""

from __future__ import annotations

from typing import Any

import numpy as np

BLOCKS = " ▁▂▃▄▅▆▇█"


def text_curve(values: np.ndarray, width: int = 60, height: int = 8) -> list[str]:
    """Rows of block characters, top row first, with the y range at the left."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return []
    columns = np.array_split(values, min(width, values.size))
    ys = np.array([c.mean() for c in columns])
    low, high = float(ys.min()), float(ys.max())
    span = high - low or 1.0
    levels = (ys - low) / span * height * (len(BLOCKS) - 1)
    rows = []
    for row in range(height - 1, -1, -1):
        base = row * (len(BLOCKS) - 1)
        cells = [BLOCKS[int(min(max(level - base, 0), len(BLOCKS) - 1))] for level in levels]
        label = (
            f"{high:9.4g} ┤"
            if row == height - 1
            else f"{low:9.4g} ┤"
            if row == 0
            else " " * 9 + " │"
        )
        rows.append((label + "".join(cells)).rstrip())
    rows.append(" " * 10 + "└" + "─" * len(levels))
    rows.append(
        " " * 11 + f"epoch 0{' ' * max(len(levels) - 7 - len(str(values.size)), 1)}{values.size}"
    )
    return rows


def save_plot(values: np.ndarray, path: str, title: str) -> None:
    """The loss curve as an image; matplotlib is an optional extra."""
    from ..core.errors import UsageError

    try:  # the object API: the user's pyplot and backend are never touched
        import matplotlib  # noqa: F401  (a blocked or missing matplotlib fails here)
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "`plot` needs matplotlib, an optional extra: pip install 'symchain[plot]'"
        ) from None
    fig = Figure(figsize=(6.4, 4))
    ax = fig.subplots()
    ax.plot(np.arange(len(values)), values, color="#1f77b4", linewidth=1.8)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    write_image(fig, path)


def write_image(fig: Any, path: str) -> None:
    """The figure (a matplotlib.figure.Figure, in no pyplot state), in the format its name
    ends in (PNG, SVG, PDF, ...), written whole or not at all (core.files)."""
    import io
    import os

    from ..core.errors import UsageError
    from ..core.files import write_file

    kind = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=kind, dpi=120)
    except ValueError as err:
        raise UsageError(f"cannot write {path}: {err}") from None
    write_file(path, buffer.getvalue())
