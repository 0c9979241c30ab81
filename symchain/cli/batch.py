"""A file of formulas, one per line, derived in turn or by a pool of worker processes.

The file is read a bounded line at a time (a 10 MB line or /dev/zero never fills
memory), so a bad line is one error and the rest go on.  With `--jobs N` the
lines go to N worker processes, at most a window of them ahead of the output;
each worker derives and prints a line into text exactly as the one-process run
would, and this process writes the records in input order, each one whole: a
Ctrl-C or SIGTERM waits for the record being written, so no record is cut in two.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

from ..core.errors import InternalError, ParseError, SymchainError

if TYPE_CHECKING:
    from .derive import _Printer

LINE_BYTES = 4 * 2000 + 8  # a formula's 2,000 characters, in UTF-8 at most, and its newline
SKIP_BYTES = 16 * 2**20  # read past a long line this far for the next one, no further
AHEAD = 32  # lines each worker may be given beyond the one being written out


@dataclass
class Record:
    """One line's output as the worker printed it, for this process to write out."""

    stdout: str
    stderr: str
    collected: list[dict[str, Any]] | None
    code: int


class Job(Protocol):
    """What a worker runs on one line (picklable: it crosses to the worker process)."""

    timeout: float

    def run(self, text: str, line: int) -> Record: ...


@dataclass
class Tally:
    """The lines that failed and those not verified, and how far the batch got."""

    bad: list[int] = field(default_factory=list)
    unverified: list[int] = field(default_factory=list)
    begun: int = 0
    finished: int = 0
    tick: Callable[[int], None] | None = None  # a progress bar's, told the line reached

    def count(self, line: int, code: int) -> None:
        if code == 2:
            self.bad.append(line)
        elif code == 1:
            self.unverified.append(line)
        self.finished = self.begun
        if self.tick is not None:
            self.tick(line)


def derive_file(
    file: IO[bytes],
    out: _Printer,
    derive: Callable[[str, int], Callable[[], int]],
    job: Job | None = None,
    jobs: int = 1,
) -> int:
    """Derive every formula of `file`, print each, sum up on stderr; the exit code.

    `derive(text, line)` derives one line here and returns what prints it and gives its
    exit code; with `jobs` > 1, `job.run` derives and prints in a worker, into text.
    """
    if out.fmt == "json":
        out.collected = []
    out.env.repeated = {}
    from .progress import progress

    stopped: BaseException | None = None
    tally = Tally()
    with (
        _stoppable(),
        progress(out.env, _lines(file), "lines", unless_stdout_terminal=True) as tick,
    ):
        tally.tick = tick
        try:
            if jobs > 1 and job is not None:
                _in_pool(_items(file), out, job, jobs, tally)
            else:
                _in_turn(_items(file), out, derive, tally)
        except (KeyboardInterrupt, _Terminated) as err:  # the finished results still count
            stopped = err
    if out.collected is not None:
        from ..render import json_text

        out.env.echo(json_text(out.collected, "json").rstrip("\n"))
    if stopped is not None:
        by = "Ctrl-C" if isinstance(stopped, KeyboardInterrupt) else stopped.name
        out.env.note(
            f"stopped ({by}) after {tally.finished} formula(s); their results are in the output"
        )
        return 130 if isinstance(stopped, KeyboardInterrupt) else stopped.code
    again = sum(out.env.repeated.values())
    if again:
        out.env.note(f"note: {again} later note(s) repeated one above and are left out")
    if not tally.begun:
        out.env.note("note: the file has no formulas (only blank lines and comments)")
    if tally.bad:
        out.env.note(f"{len(tally.bad)} of {tally.begun} line(s) failed: {_numbers(tally.bad)}")
    if tally.unverified:
        out.env.note(f"{len(tally.unverified)} line(s) not verified: {_numbers(tally.unverified)}")
    return 2 if tally.bad else 1 if tally.unverified else 0


def _in_turn(
    items: Iterator[tuple[int, str | ParseError]],
    out: _Printer,
    derive: Callable[[str, int], Callable[[], int]],
    tally: Tally,
) -> None:
    for number, item in items:
        if isinstance(item, ParseError):
            printed = functools.partial(_printed_error, out, item, number)
        else:
            printed = derive(item, number)  # the work: Ctrl-C stops it here
        with whole():  # the record: written whole, and counted
            _begin(out, tally, number)
            tally.count(number, printed())


def _begin(out: _Printer, tally: Tally, line: int) -> None:
    """A record starts: after the first, headed by its line number."""
    if tally.begun:
        out.separator(f"line {line}")
    tally.begun += 1


def _printed_error(out: _Printer, error: SymchainError, line: int, text: str | None = None) -> int:
    out.error(text, error, line)
    return error.exit_code


def _in_pool(
    items: Iterator[tuple[int, str | ParseError]],
    out: _Printer,
    job: Job,
    jobs: int,
    tally: Tally,
) -> None:
    """The lines through a pool of `jobs` processes, written out in input order."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork is quick (the workers start with SymPy imported) but unsafe beside other threads
    # (a progress bar's): then a fork server, or spawn where there is none
    alone = threading.active_count() == 1
    method = "fork" if "fork" in methods and alone else \
        "forkserver" if "forkserver" in methods else "spawn"  # fmt: skip
    context = multiprocessing.get_context(method)
    for stream in (sys.stdout, sys.stderr):  # a forked worker must not write them again
        stream.flush()
    pool = context.Pool(jobs, initializer=_worker_signals)
    window: collections.deque[tuple[int, str | ParseError, Any]] = collections.deque()
    try:
        for number, item in items:
            pending = None if isinstance(item, ParseError) else pool.apply_async(
                job.run, (item, number)
            )  # fmt: skip
            window.append((number, item, pending))
            while len(window) > AHEAD * jobs:
                _write(window.popleft(), out, job, tally)
        while window:
            _write(window.popleft(), out, job, tally)
    finally:
        pool.terminate()  # a stop or an error: the lines still running are dropped
        pool.join()


def _write(entry: tuple[int, str | ParseError, Any], out: _Printer, job: Job, tally: Tally) -> None:
    """One line's record, waited for and written out whole."""
    import multiprocessing

    number, item, pending = entry
    record: Record | None = None
    error: SymchainError | None = item if isinstance(item, ParseError) else None
    if pending is not None:
        try:  # the worker's own time limit ends it long before this
            record = pending.get(timeout=2 * job.timeout + 5)
        except multiprocessing.TimeoutError:
            error = InternalError(
                "the worker process stopped without an answer (out of memory, or killed)"
            )
        except Exception as exc:  # a worker's failure: reported, never hidden
            from .run import internal

            error = internal(exc)
    with whole():
        _begin(out, tally, number)
        if record is None:
            assert error is not None
            text = None if isinstance(item, ParseError) else item
            tally.count(number, _printed_error(out, error, number, text))
            return
        for message in record.stderr.splitlines():  # as one process gives them: notes once
            out.env.note(message)
        if record.stdout:
            out.env.write(record.stdout)
        if record.collected is not None and out.collected is not None:
            out.collected.extend(record.collected)
        tally.count(number, record.code)


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to this process, which ends the pool, and dies of SIGTERM
    plainly (not by the batch's handler it was forked with)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def workers(jobs: int) -> int:
    """--jobs N: N worker processes; 0 is one per core this process may use."""
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


STOPS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def whole() -> Iterator[None]:
    """The block is not cut by Ctrl-C, SIGTERM or SIGHUP: the signals that come during it
    are delivered when it ends, every one (an ignored SIGINT must not hide a SIGTERM), in
    the main thread; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    stops = [getattr(signal, name) for name in STOPS if hasattr(signal, name)]
    previous = {signum: signal.signal(signum, lambda s, f: caught.append(s)) for signum in stops}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):  # each once, in order: one may raise
            signal.raise_signal(signum)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP (the terminal closed) during a batch: ends it as Ctrl-C does,
    with what was finished printed, and the exit code the signal would give (143, 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.name = signal.Signals(signum).name
        self.code = 128 + signum


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM and SIGHUP raise _Terminated while a batch runs (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        raise _Terminated(signum)

    caught = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.signal(signum, terminated) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


COUNTED_BYTES = 256 * 2**20  # a longer file's lines are not counted for the bar


def _lines(file: IO[bytes]) -> int | None:
    """How many lines a regular file has, for the progress bar: counted in blocks, then
    rewound.  None for what can be read only once or never ends (a pipe, a terminal,
    /dev/zero, which seeks) and for a file too big to count in passing."""
    import stat

    try:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > COUNTED_BYTES:
            return None
        start = file.tell()
        count, last = 0, b"\n"
        for block in iter(lambda: file.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
        file.seek(start)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return count + (last != b"\n")


def _items(file: IO[bytes]) -> Iterator[tuple[int, str | ParseError]]:
    """The file's formulas by line number, with comments and blank lines left out; a line
    that cannot be a formula (too long, not UTF-8) is the ParseError that says why."""
    for number, raw in enumerate(_bounded_lines(file), start=1):
        if isinstance(raw, _TooLong):
            yield number, ParseError(raw.words())
            if raw.endless:
                return
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, ParseError("the line is not valid UTF-8")
            continue
        text = line.split("#", 1)[0].strip().strip("\ufeff")
        if text:
            yield number, text


@dataclass(frozen=True)
class _TooLong:
    """A line over the formula limit, not read whole; `endless` when no line end came
    within SKIP_BYTES either (/dev/zero), so the rest of the file is not read."""

    endless: bool

    def words(self) -> str:
        rest = "; no line end followed, so the rest of the input is not read" if \
            self.endless else ""  # fmt: skip
        return f"the line is longer than a formula may be (2,000 characters): not read{rest}"


def _bounded_lines(file: IO[bytes]) -> Iterator[bytes | _TooLong]:
    """The file's lines, none read past LINE_BYTES: a longer one is skipped to its end."""
    while True:
        raw = file.readline(LINE_BYTES)
        if not raw:
            return
        if raw.endswith(b"\n") or len(raw) < LINE_BYTES:
            yield raw
            continue
        skipped = 0
        while skipped < SKIP_BYTES:
            chunk = file.readline(65536)
            skipped += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                break
        else:
            yield _TooLong(endless=True)
            return
        yield _TooLong(endless=False)


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (", ..." if len(numbers) > 20 else "")
