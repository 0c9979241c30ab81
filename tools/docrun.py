"""Keep the docs true: re-run every `$ command` in the ```console blocks of the given
Markdown files and paste its real output under it; with --check, change nothing and
show where the files no longer hold what the commands print.

    python tools/docrun.py README.md docs/*.md           # refresh the files in place
    python tools/docrun.py --check README.md docs/*.md   # a diff per drifted command, exit 1

Run it after any change to what the CLI prints.  Commands run with bash in
docs/examples/ (where the example files live), several at a time, in the fixed
environment of `environment()`, with the directory of the Python running this script
first on PATH: `symchain` (and `python`) are then those of that interpreter's
environment, so a fresh virtual environment checks its own install.

A second run: symchain gives some work a budget of wall-clock time (a rewrite
in simplify.py has 0.4 s, a comparison 3 s), so on a loaded machine a command
can print a less simplified answer than it does on an idle one.  A command whose
output is not the page's is therefore run once more, alone, before it counts as
drifted (or is refreshed), and one that matches then is named on stderr.

Rounding noise: a number in e-notation below 1e-9 (an |np − fd| of 2.0e-14, a
largest error of 4.3e-11, or 0.0e+00 beside 8.3e-17) depends on the NumPy and BLAS
build, not on symchain, so two outputs that differ only in such numbers are the same
output here (the page keeps its figures until a refresh).

A console block may open with more backticks (````console) when its output holds
``` fences of its own (Markdown's ```math blocks); it closes at as many.

A console block whose line above is exactly

    <!-- docrun: skip -->

is neither refreshed nor checked.  It is for output that cannot be made the same on
every run (timings, say); make the command deterministic instead wherever possible
(a fixed --seed, a relative path), and say next to the marker why it is there.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SKIP = "<!-- docrun: skip -->"
MAX_DIFF_LINES = 40


def environment() -> dict[str, str]:
    """The caller's environment, with everything that changes what is printed fixed."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SYMCHAIN_")  # the memory cap and any later setting
        and name not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE")
    }
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        COLUMNS="100",  # the width rich and click lay out for
        TERM="dumb",  # not a terminal, whatever the caller's is
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        PYTHONUTF8="1",  # ✓, ∂ and σ whatever the locale
        PYTHONHASHSEED="0",  # the same set and dict orders on every run
        OPENBLAS_NUM_THREADS="1",  # the same sums in the same order, however many cores
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        # the budgets for optional work (simplifying an answer) get three times their time,
        # so that a busy machine does not drop a documented "simplified:" line
        SYMCHAIN_BUDGET_SCALE="3",
    )
    return env


ENV = environment()


def run(command: str) -> list[str]:
    """The lines `command` prints, stdout and stderr together as a terminal shows them."""
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=EXAMPLES,
        env=ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    output = done.stdout.rstrip("\n")
    return output.split("\n") if output else []


def commands(lines: list[str]) -> list[tuple[int, int]]:
    """(index of the `$ ` line, index past its output) of every command to run."""
    found, fence, skip = [], "", False
    for i, line in enumerate(lines):
        opening = re.match(r"(`{3,})console\s*$", line)
        if not fence and opening:
            fence, skip = opening[1], i > 0 and lines[i - 1].strip() == SKIP
        elif fence and line.strip() == fence:
            fence = ""
        elif fence and not skip and line.startswith("$ "):
            end = i + 1
            while end < len(lines) and not (lines[end].startswith("$ ") or
                                            lines[end].strip() == fence):  # fmt: skip
                end += 1
            found.append((i, end))
    return found


#: A figure at rounding level: an exponent of -9 or below, or a zero in e-notation.
NOISE = re.compile(r"\b(?:\d(?:\.\d+)?e-(?:0?9|[1-9]\d)|0(?:\.0+)?e[+-]00)\b")


def same(old: list[str], new: list[str]) -> bool:
    """Equal but for rounding noise (see "Rounding noise" above)."""
    return len(old) == len(new) and all(
        NOISE.sub("ε", a) == NOISE.sub("ε", b) for a, b in zip(old, new, strict=True)
    )


def diff(old: list[str], new: list[str], first: int) -> list[str]:
    """A unified diff of one command's output, its line numbers those of the file:
    `first` is the file's line number just before the output."""

    def shift(number: re.Match) -> str:
        return f"{number[1]}{int(number[2]) + first}"

    out = []
    for line in list(difflib.unified_diff(old, new, lineterm="", n=1))[2:]:
        out.append(re.sub(r"([-+])(\d+)", shift, line) if line.startswith("@@") else line)
    if len(out) > MAX_DIFF_LINES:
        out[MAX_DIFF_LINES:] = [f"... {len(out) - MAX_DIFF_LINES} more lines"]
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, change nothing")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="commands at once")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    texts = {path: path.read_text(encoding="utf-8").split("\n") for path in args.files}
    found = {path: commands(lines) for path, lines in texts.items()}
    todo = [(path, i) for path, spans in found.items() for i, _ in spans]
    with ThreadPoolExecutor(max(args.jobs, 1)) as pool:
        outputs = pool.map(run, [texts[path][i][2:] for path, i in todo])
        printed = dict(zip(todo, outputs, strict=True))

    drifted = 0
    for path, lines in texts.items():
        new, at = [], 0
        for i, end in found[path]:
            old, now = lines[i + 1 : end], printed[path, i]
            if not same(old, now):
                now = run(lines[i][2:])  # once more, alone: see "A second run" above
                if same(old, now):
                    print(f"{path}:{i + 1}: as shown only when run alone", file=sys.stderr)
            if args.check and same(old, now):
                now = old
            new += lines[at : i + 1] + now
            at = end
            if not same(old, now):
                drifted += 1
                if args.check:
                    print(f"{path}:{i + 1}: {lines[i]}")
                    print("\n".join(diff(old, now, i + 1)), end="\n\n")
        new += lines[at:]
        if not args.check:
            if new != lines:
                path.write_text("\n".join(new), encoding="utf-8")
            print(("updated " if new != lines else "unchanged ") + str(path))
    if args.check:
        if drifted:
            files = " ".join(str(path) for path in args.files)
            print(f"{drifted} of {len(todo)} commands no longer print what the docs show;")
            print(f"if that is right, refresh them: python tools/docrun.py {files}")
        else:
            print(f"all {len(todo)} commands print what the docs show")
    return 1 if args.check and drifted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
