"""Writing a graph's DOT text: to stdout or a file, or through Graphviz's `dot` as SVG."""

from __future__ import annotations

import shutil
import subprocess

from ..core.errors import UsageError
from ..core.files import write_file
from .env import Environment


def emit_dot(env: Environment, text: str, fmt: str, output: str | None) -> None:
    """DOT text to stdout or a file, or SVG through Graphviz's `dot`."""
    if fmt == "dot":
        if output:
            write_file(output, text)
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
    done = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise UsageError("Graphviz failed: " + done.stderr.decode(errors="replace").strip())
    write_file(output, done.stdout)  # the name never reaches dot's command line
    env.note(f"wrote {output}")
