"""Keep the docs true: re-run every `$ command` in the ```console blocks of the given
Markdown files and paste its real output under it.

    python tools/docrun.py README.md docs/*.md

Commands run in docs/examples/ (where the example files live) with the `symchain`
on PATH; run it after any change to what the CLI prints.
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "docs" / "examples"
ENV = dict(os.environ, COLUMNS="100")
ENV.pop("NO_COLOR", None)


def run(command: str) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=HERE,
        env=ENV,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return done.stdout.rstrip("\n")


def fill(text: str) -> str:
    out, lines, i, in_block = [], text.split("\n"), 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```console"):
            in_block = True
        elif in_block and line.startswith("```"):
            in_block = False
        elif in_block and line.startswith("$ "):
            out.append(line)
            result = run(line[2:])
            if result:
                out.append(result)
            i += 1
            while i < len(lines) and not lines[i].startswith(("$ ", "```")):
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        old = path.read_text()
        new = fill(old)
        if new != old:
            path.write_text(new)
        print(("updated " if new != old else "unchanged ") + name)
