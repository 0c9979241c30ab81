"""`symchain derive -f FILE --jobs N`: wall-clock time of a whole batch, N = 1 up to the cores.

The corpus is benchmarks/exprgen.py's (seeded, depths 1-5 in turn), written to a
temporary file and derived by the real console script of this interpreter's
environment, `--format jsonl` to /dev/null-like capture, once per N per round,
the Ns taking turns in each round so that load drifts evenly over them.  Every
run's records must be the one-process records (inputs, order, verdicts), or it stops:
a faster wrong answer is no speed-up.  The text of an answer may differ
where a time budget (tidy's rewrites, a numeric check) runs out sooner on the
loaded machine, as it can in any run: those records are counted, not hidden.

    python benchmarks/jobs.py                    # 200 formulas, 3 rounds, ~2 min here
    python benchmarks/jobs.py --count 400 --rounds 5 --jobs 1,2

It prints one line per N: the median wall time, formulas per second, and the
speed-up over N = 1 (the ideal is N, on N idle cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import code_version  # noqa: E402
from exprgen import SEED, generate  # noqa: E402

SCRIPT = Path(sys.executable).with_name("symchain")


def run_batch(path: Path, jobs: int) -> tuple[float, bytes, int]:
    """(wall seconds, stdout, exit code) of one whole batch."""
    command = [str(SCRIPT), "derive", "-f", str(path), "--format", "jsonl", "--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start, done.stdout, done.returncode


def _compare(expected: bytes, out: bytes, jobs: int) -> int:
    """The records --jobs N printed against --jobs 1's: the same inputs in the same order
    with the same verdicts, or the script stops (a faster wrong answer is no speed-up);
    the number whose text differs otherwise (a time budget that ran out sooner)."""
    ones = [json.loads(line) for line in expected.splitlines()]
    many = [json.loads(line) for line in out.splitlines()]
    if [r.get("input") for r in many] != [r.get("input") for r in ones]:
        raise SystemExit(f"--jobs {jobs} printed other records, or in another order")
    if [r.get("verified") for r in many] != [r.get("verified") for r in ones]:
        raise SystemExit(f"--jobs {jobs} gave another verdict than --jobs 1")
    return sum(a != b for a, b in zip(ones, many, strict=True))


def measure(count: int, rounds: int, jobs: list[int]) -> dict:
    """The median wall time of each N, checked against the one-process output."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.txt"
        path.write_text("\n".join(generate(count, SEED)) + "\n", encoding="utf-8")
        _, expected, expected_code = run_batch(path, 1)  # also warms the disk cache
        times: dict[int, list[float]] = {n: [] for n in jobs}
        reworded: dict[int, int] = {n: 0 for n in jobs}
        for _ in range(rounds):
            for n in jobs:
                seconds, out, code = run_batch(path, n)
                reworded[n] = max(reworded[n], _compare(expected, out, n))
                times[n].append(seconds)
    medians = {n: statistics.median(t) for n, t in times.items()}
    base = medians.get(1)
    return {
        "count": count,
        "rounds": rounds,
        "exit_code": expected_code,
        # records whose answer is worded otherwise (a time budget of tidy or of a numeric
        # check ran out sooner on the loaded machine): same input, same verdict
        "reworded": {str(n): k for n, k in reworded.items()},
        "records": expected.count(b"\n"),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "jobs": {
            str(n): {
                "median_s": medians[n],
                "per_second": count / medians[n],
                "speedup": (base / medians[n]) if base else None,
            }
            for n in jobs
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", default=None, help="comma list (default 1 up to the cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    jobs = [int(n) for n in args.jobs.split(",")] if args.jobs else list(range(1, cores + 1))
    if 1 not in jobs:
        jobs = [1, *jobs]
    figures = measure(args.count, args.rounds, jobs)
    if args.json:
        print(json.dumps(figures))
        return
    load = os.getloadavg()[0]
    print(f"symchain {code_version()}; {args.count} formulas (exprgen seed {SEED}), "
          f"{args.rounds} rounds, {figures['cores']} cores, load {load:.2f}")  # fmt: skip
    for n, row in figures["jobs"].items():
        print(f"--jobs {n}: {row['median_s']:.2f} s, {row['per_second']:.1f} formulas/s, "
              f"speed-up {row['speedup']:.2f}x, {figures['reworded'][n]} answers worded "
              "otherwise")  # fmt: skip


if __name__ == "__main__":
    main()
