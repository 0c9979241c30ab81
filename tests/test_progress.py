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


def test_the_child_of_a_gradcheck_tells_its_progress_across_the_process_boundary():
    from symchain.cli.isolated import run_isolated

    def work(progress):
        for done in range(1, 6):
            progress(done, 5)
        return "answer"

    told: list[tuple[int, int]] = []
    assert run_isolated(work, 30, "work", lambda d, t: told.append((d, t))) == "answer"
    assert told and told[-1] == (5, 5)  # sent at most every 0.1 s, and the last always
    assert told == sorted(told)


def test_no_progress_pipe_without_a_listener():
    from symchain.cli.isolated import run_isolated

    assert run_isolated(lambda progress: progress is None, 30, "work") is True


def test_progress_frames_split_or_among_garbage_are_read_and_the_insane_dropped():
    import struct

    from symchain.cli.isolated import _TICK, _told

    def frame(done, total):
        return _TICK + struct.pack(">QQ", done, total)

    told: list[tuple[int, int]] = []
    rest = _told(bytearray(b"GARBAGE" + frame(1, 9) + frame(2, 9)[:10]), lambda *a: told.append(a))
    assert told == [(1, 9)]
    rest = _told(rest + frame(2, 9)[10:], lambda *a: told.append(a))
    assert told == [(1, 9), (2, 9)] and rest == b""
    _told(bytearray(frame(10, 9)), lambda *a: told.append(a))  # done past total: not drawn
    assert told == [(1, 9), (2, 9)]


def test_the_checks_count_every_entry_and_direction_measured():
    import numpy as np

    from symchain.nn.gradients import gradcheck

    w, b = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.1, 0.2, 0.3])
    seen: list[tuple[int, int]] = []
    report = gradcheck(
        lambda: float(np.sum(w**3) + np.sum(b**2)),
        {"w": w, "b": b},
        {"w": 3 * w**2, "b": 2 * b},
        "full",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert report.ok and seen == [(k, 7) for k in range(1, 8)]
    seen.clear()
    gradcheck(lambda: float(np.sum(w**3)), {"w": w}, {"w": 3 * w**2}, "directional",
              directions=4, progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert seen == [(k, 4) for k in range(1, 5)]


def test_the_seed_interface_check_counts_its_probes():
    from pathlib import Path

    from symchain.nn.gradcheck import Settings, gradcheck
    from symchain.nn.losses import loss

    seed = f"{Path(__file__).parent / 'fixtures' / 'seed_network.py'}:SimpleNeuralNetwork"
    seen: list[tuple[int, int]] = []
    report = gradcheck(seed, Settings(loss("bce")), lambda d, t: seen.append((d, t)))
    total = report.parameter_count  # the seed's 17 parameters, every entry checked
    assert report.method == "full" and seen == [(k, total) for k in range(1, total + 1)]
