"""`derive -f FILE --jobs N`: a pool of worker processes that prints what one process prints.

The same file through one process and through a pool must give the same bytes on
stdout and stderr and the same exit code, in every format; a line that kills its
worker is one error and the rest go on; a stop leaves only whole records and no
worker behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symchain.cli import main
from symchain.cli.batch import Record, derive_file, whole, workers
from symchain.cli.derive import _Printer
from symchain.cli.env import Environment

SCRIPT = Path(sys.executable).with_name("symchain")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "symchain"]

#: good lines, a comment, a blank line, a misspelt function, an equation, a line too
#: long to read, a line that is not UTF-8, and a derivative SymPy cannot decide
MIXED = (
    b"# a class's exercises\n"
    b"sin(x^2)\n"
    b"(3x+1)^2\n"
    b"\n"
    b"sinn(x)\n"
    b"x^x   # a comment after a formula\n"
    b"x^2 + y^2 = 25\n" + b"x+" * 5000 + b"x\n"
    b"\xff\xfe\n"
    b"f(g(x))\n"
    b"exp(-x) cos(x)\n"
)


def _batch(tmp_path: Path, *args: str, data: bytes = MIXED):
    path = tmp_path / "batch.txt"
    path.write_bytes(data)
    return CliRunner().invoke(main, ["derive", "-f", str(path), *args])


@pytest.mark.parametrize("fmt", ["plain", "rich", "markdown", "latex", "json", "jsonl"])
def test_a_pool_prints_exactly_what_one_process_prints(tmp_path, fmt):
    alone = _batch(tmp_path, "--format", fmt, "--color", "always")
    pooled = _batch(tmp_path, "--format", fmt, "--color", "always", "--jobs", "3")
    assert alone.exit_code == pooled.exit_code == 2, pooled.output
    assert pooled.stdout == alone.stdout
    assert pooled.stderr == alone.stderr
    assert "4 of 9 line(s) failed: 5, 7, 8, 9" in pooled.stderr


def test_the_pooled_records_come_in_input_order(tmp_path):
    formulas = [f"sin(x^{k}) + x^{k}" for k in range(1, 41)]
    data = "\n".join(formulas).encode()
    result = _batch(tmp_path, "--format", "jsonl", "-j", "2", data=data)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == formulas
    assert all(r["verified"] for r in records)


def test_jobs_needs_a_file_and_does_not_draw_or_reveal(tmp_path):
    alone = CliRunner().invoke(main, ["derive", "x^2", "--jobs", "2"])
    assert alone.exit_code == 2 and "--jobs is for a batch: add --file FILE" in alone.stderr
    path = tmp_path / "b.txt"
    path.write_text("x^2\n")
    graph = CliRunner().invoke(
        main, ["derive", "-f", str(path), "-j", "2", "--let", "u=x^2", "--graph", "dot"]
    )
    assert graph.exit_code == 2 and "--jobs does not combine with --graph" in graph.stderr
    negative = CliRunner().invoke(main, ["derive", "-f", str(path), "-j", "-1"])
    assert negative.exit_code == 2 and "invalid value for '--jobs'" in negative.stderr


def test_jobs_0_is_one_per_core_this_process_may_use():
    assert workers(3) == 3
    assert workers(0) == len(os.sched_getaffinity(0))


class _DiesOnOne:
    """A worker's job that kills its process on the line `1/0` (as the out-of-memory
    killer would) and prints every other line."""

    timeout = 0.1

    def run(self, text: str, line: int) -> Record:
        if text == "1/0":
            os._exit(9)
        return Record(f"{text}\n", "", None, 0)


def test_a_line_that_kills_its_worker_is_one_error_and_the_rest_go_on(tmp_path, capsys):
    import io

    env = Environment(stdout=sys.stdout, stderr=sys.stderr, color="never")
    out = _Printer(env, "plain", "normal", None, reveal=False)
    lines = io.BytesIO(b"a\nb\n1/0\nc\nd\n")
    code = derive_file(lines, out, lambda text, line: 0, _DiesOnOne(), jobs=2)
    captured = capsys.readouterr()
    assert code == 1  # as any internal error: the line is not verified, the batch goes on
    assert captured.out.split("\n── ") == [
        "a\n", "line 2 ──\nb\n", "line 3 ──\n", "line 4 ──\nc\n", "line 5 ──\nd\n"
    ]  # fmt: skip
    assert "error: line 3: the worker process stopped without an answer" in captured.err
    assert captured.err.endswith("1 line(s) not verified: 3\n")


def test_a_signal_during_a_whole_block_comes_after_it():
    done = []
    with pytest.raises(KeyboardInterrupt), whole():
        signal.raise_signal(signal.SIGINT)
        done.append("the rest of the record")
    assert done == ["the rest of the record"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _default_sigint() -> None:
    """Ctrl-C as a terminal delivers it, to a process group of its own."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setsid()


def _first_line(fd: int) -> str:
    """The first line, read a byte at a time from the pipe itself: a buffered readline
    can take the next records with it, and communicate() then reads past them."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        assert byte, "the batch ended before its first record"
        line += byte
    return line.decode()


def _children_gone(pgid: int) -> bool:
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("signum", "group", "code", "by"),
    [(signal.SIGINT, True, 130, "Ctrl-C"), (signal.SIGTERM, False, 143, "SIGTERM")],
)
def test_a_stopped_pool_leaves_whole_records_and_no_worker(tmp_path, signum, group, code, by):
    """Ctrl-C reaches the whole process group, as from a terminal; SIGTERM only the parent."""
    batch = tmp_path / "many.txt"
    batch.write_text("".join(f"x^{k} sin(x) + cos(x)^{k}\n" for k in range(1, 3000)))
    command = [*COMMAND, "derive", "-f", str(batch), "--format", "jsonl", "--jobs", "2"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    assert proc.stdout is not None
    first = _first_line(proc.stdout.fileno())
    time.sleep(1)
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    records = [json.loads(line) for line in (first + rest).splitlines()]  # each one whole
    assert [r["input"] for r in records] == [f"x^{k} sin(x) + cos(x)^{k}" for k in
                                             range(1, len(records) + 1)], (first, err)  # fmt: skip
    assert err.endswith(
        f"stopped ({by}) after {len(records)} formula(s); their results are in the output\n"
    )
    assert "Traceback" not in err
    assert _children_gone(proc.pid)


def test_a_reader_that_stops_early_ends_a_pooled_batch_quietly(tmp_path):
    batch = tmp_path / "many.txt"
    batch.write_text("".join(f"x^{k}\n" for k in range(1, 3000)))
    command = [*COMMAND, "derive", "-f", str(batch), "-j", "2"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=os.setsid
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""
    assert _children_gone(proc.pid)


def test_an_ignored_ctrl_c_during_a_whole_block_does_not_hide_a_sigterm():
    """A worker ignores Ctrl-C; the pool's SIGTERM after it must still end the worker."""
    seen = []
    before = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with whole():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)
            assert seen == []
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


def test_a_note_many_lines_earn_is_given_once_and_counted(tmp_path):
    """log is read as ln on every line: the note comes once, with a count at the end, the
    same from one process and from a pool."""
    data = b"log(x)\nx^2\nlog(2x)\nlog(x^2)\n"
    alone = _batch(tmp_path, "--format", "jsonl", data=data)
    pooled = _batch(tmp_path, "--format", "jsonl", "-j", "2", data=data)
    assert alone.exit_code == pooled.exit_code == 0
    assert (
        alone.stderr
        == pooled.stderr
        == (
            "note: log is read as ln, the natural logarithm (--log10 for base 10)\n"
            "note: 2 later note(s) repeated one above and are left out\n"
        )
    )
    assert len(alone.stdout.splitlines()) == 4
