"""Progress bars on stderr: drawn only for a person at a terminal, told the work done, and
never in the way of the messages (issue 16, item 7)."""

from __future__ import annotations

import contextlib
import io

import pytest

from symchain.cli import progress as progress_module
from symchain.cli.batch import _lines, derive_file
from symchain.cli.derive import _Printer
from symchain.cli.env import Environment
from symchain.cli.progress import live_console, progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _env(stdout_terminal: bool, stderr_terminal: bool) -> Environment:
    out = _Terminal() if stdout_terminal else io.StringIO()
    err = _Terminal() if stderr_terminal else io.StringIO()
    return Environment(stdout=out, stderr=err, color="never")


def test_no_bar_into_a_file_or_a_pipe():
    with progress(_env(True, False), 10, "lines") as tick:
        assert tick is None


def test_no_bar_beside_a_batch_that_prints_to_the_same_terminal():
    with progress(_env(True, True), 10, "lines", unless_stdout_terminal=True) as tick:
        assert tick is None


def test_a_bar_on_a_terminal_takes_the_messages_above_it(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    env = _env(False, True)
    with progress(env, 3, "exercises") as tick:
        assert tick is not None and live_console() is not None
        for done in (1, 2, 3):
            tick(done)
    assert live_console() is None


def test_term_dumb_draws_no_bar(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    with progress(_env(False, True), 3, "exercises") as tick:
        assert tick is None


def test_a_file_is_counted_and_rewound_and_a_pipe_or_dev_zero_is_not(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"x\ny\n\nz")  # four lines, the last without its newline
    with open(path, "rb") as data:
        assert _lines(data) == 4 and data.tell() == 0
    assert _lines(io.BytesIO(b"x\n")) is None  # no file behind it
    with open("/dev/zero", "rb") as endless:  # seekable, and never ends
        assert _lines(endless) is None


def test_a_batch_tells_the_bar_each_line_it_reaches(monkeypatch, tmp_path):
    told: list[tuple[str, int | None]] = []

    @contextlib.contextmanager
    def fake(env, total, what, unless_stdout_terminal=False):
        told.append((what, total))
        yield lambda done: told.append(("done", done))

    monkeypatch.setattr(progress_module, "progress", fake)
    env = _env(False, False)
    out = _Printer(env, "plain", "normal", None, reveal=False)
    path = tmp_path / "batch.txt"
    path.write_bytes(b"# a comment\nx^2\n\nx^3\n")
    with open(path, "rb") as lines:
        code = derive_file(lines, out, lambda text, line: lambda: 0)
    assert code == 0
    assert told == [("lines", 4), ("done", 2), ("done", 4)]


@pytest.mark.parametrize("count", [1, 3])
def test_a_worksheet_tells_its_progress(count):
    from symchain.calculus.worksheet import worksheet

    seen: list[int] = []
    worksheet(count=count, seed=2, topics="chain", level=1, progress=seen.append)
    assert seen == list(range(1, count + 1))
