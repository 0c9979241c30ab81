"""Writing a graph's DOT text: to stdout or a file, or through Graphviz's `dot` as SVG."""

from __future__ import annotations

import shutil
import subprocess

from ..core.errors import UsageError
from .env import Environment


def emit_dot(env: Environment, text: str, fmt: str, output: str | None) -> None:
    """DOT text to stdout or a file, or SVG through Graphviz's `dot`."""
    if fmt == "dot":
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as err:
                raise UsageError(f"cannot write {output}: {err.strerror}") from None
            env.note(f"wrote {output}")
        else:
            env.echo(text, nl=False)
        return
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            "--graph svg needs Graphviz's `dot` program, which is not installed; "
            "--graph dot writes the DOT text without it"
        )
    done = subprocess.run(
        [dot, "-Tsvg", "-o", output], input=text.encode(), capture_output=True, timeout=60
    )
    if done.returncode != 0:
        raise UsageError("Graphviz failed: " + done.stderr.decode(errors="replace").strip())
    env.note(f"wrote {output}")
