"""Running someone's code in a child process, so that it cannot touch the report.

gradcheck imports and runs the user's file.  In the same process, that code could write
into the JSON on stdout (through fd 1, C's printf, a subprocess, an atexit handler),
end the process with os._exit(0) (which CI would read as a pass), or hang where an alarm
cannot reach it (a bare `except:` in a loop).  Here the work runs in a forked child whose
file descriptors 1 and 2 go to a temporary file; the parent gets back the result (or the
error) through a pipe, shows what the code printed on stderr, and treats a child that
ends without an answer, is killed by a signal or runs past the time limit as an error
(exit 2), never as a result.

The answer is framed and signed with a key made for the run (HMAC-SHA256), and the parent
unpickles only a frame whose signature holds: bytes the code writes into a descriptor it
inherited are an error, never a verdict.  The key lives in the child's memory, so code
written to defeat symchain can still find it (or patch symchain there): this guards against
accidents and casual forgery, and the child is no sandbox.

Progress, for a bar, comes over a second pipe: framed (done, total) pairs that the child
writes without ever waiting (a pair the pipe has no room for is dropped) and the parent
reads as it waits.  A bar is only a picture: bytes the code writes there can move it, not
the report.
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import pickle
import secrets
import select
import signal
import struct
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ..core.errors import InternalError, LimitError, SymchainError, UsageError

T = TypeVar("T")
SHOWN_OUTPUT = 1 << 20  # bytes of the code's own output shown on stderr, at most
Progress = Callable[[int, int], None]  # (done, total)
_TICK = b"symchain-tick"  # a progress frame: this, then done and total as 8-byte integers
_TICK_FRAME = len(_TICK) + 16
TICK_SECONDS = 0.1  # the child sends a pair at most this often (and the last one always)


def run_isolated(
    work: Callable[[Progress | None], T],
    timeout: float,
    what: str,
    on_progress: Progress | None = None,
) -> T:
    """work(progress)'s result, computed in a child process (see the module); `what` names
    the code in messages ("net.py:Net").  With `on_progress`, work gets a `progress(done,
    total)` whose calls reach on_progress in this process; else None."""
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: no isolation
        return work(on_progress)
    context = multiprocessing.get_context("fork")
    key = secrets.token_bytes(32)  # signs the answer: bytes the code wrote are not one
    read_fd, write_fd = os.pipe()
    ticks = os.pipe() if on_progress is not None else None
    with tempfile.TemporaryFile() as output:
        sys.stdout.flush()
        sys.stderr.flush()
        child = context.Process(
            target=_child,
            args=(work, read_fd, write_fd, key, output.fileno(), ticks),
            daemon=True,
        )
        with warnings.catch_warnings():  # a library's at-fork warning (JAX's, imported by a
            warnings.simplefilter("ignore", RuntimeWarning)  # test beside us) is not ours
            child.start()
        os.close(write_fd)
        if ticks is not None:
            os.close(ticks[1])
        try:
            listen = None if ticks is None or on_progress is None else (ticks[0], on_progress)
            data = _read(read_fd, child, timeout, what, listen)
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            os.close(read_fd)
            if ticks is not None:
                os.close(ticks[0])
            _show(output)
    return cast(T, _unpack(_opened(data, key, child, what), what))


def _sender(fd: int) -> Progress:
    """In the child: progress(done, total) as frames on fd, never blocking the work."""
    os.set_blocking(fd, False)
    last = 0.0
    gone = False

    def progress(done: int, total: int) -> None:
        nonlocal last, gone
        now = time.monotonic()
        if gone or (now - last < TICK_SECONDS and done != total):
            return
        last = now
        try:
            os.write(fd, _TICK + struct.pack(">QQ", max(done, 0), max(total, 0)))
        except BlockingIOError:  # the pipe is full: this frame of the picture is not drawn
            return
        except OSError:  # the parent is gone, or the code closed the pipe: no more frames
            gone = True  # (the answer has its own channel, and says what became of it)

    return progress


def _child(work: Callable[[Progress | None], Any], read_fd: int, write_fd: int, key: bytes,
           output_fd: int, ticks: tuple[int, int] | None = None) -> None:  # fmt: skip
    """In the child: fds 1 and 2 into the temporary file, the work, the answer sent."""
    os.close(read_fd)  # the code under check cannot read the parent's end
    progress = None
    if ticks is not None:
        os.close(ticks[0])
        progress = _sender(ticks[1])
    # nor find the key in the Process object's arguments (it can still search this frame)
    multiprocessing.current_process()._args = ()  # type: ignore[attr-defined]
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    text = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stdout = sys.stderr = text  # print() too, whatever the parent's streams were
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        answer: tuple[str, Any] = ("ok", work(progress))
    except SymchainError as err:
        answer = ("error", err)
    except Exception as err:  # noqa: BLE001 - not the user's (theirs is a UsageError): ours
        detail = " ".join(str(err).split())
        answer = ("internal", f"internal error: {type(err).__name__}: {detail} (in the check)")
    except BaseException as err:  # noqa: BLE001 - the user's code: reported, never raised here
        answer = ("raised", f"{type(err).__name__}: {' '.join(str(err).split())}")
    text.flush()
    try:
        payload = pickle.dumps(answer)
    except Exception as err:  # noqa: BLE001 - what cannot be sent back is said, in words
        if answer[0] == "error":
            answer = ("message", (type(answer[1]).__name__, str(answer[1])))
        else:
            answer = ("internal", f"the result could not be sent back: {err}")
        payload = pickle.dumps(answer)
    frame = _MAGIC + len(payload).to_bytes(8, "big") + _signature(key, payload) + payload
    try:
        with open(write_fd, "wb", closefd=True) as channel:
            channel.write(frame)
    except OSError:  # the code closed the channel (or the parent is gone): the parent says so
        os._exit(CHANNEL_GONE)
    os._exit(0)  # no atexit handler of the user's runs, and nothing is flushed twice


CHANNEL_GONE = 75  # the child's exit code when its answer could not be written
_MAGIC = b"symchain-answer\n"
_HEAD = len(_MAGIC) + 8 + 32  # magic, payload length, HMAC-SHA256
MAX_ANSWER = 1 << 28  # bytes: a report, however large, is far less (a full check's is ~10 MB)


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def _read(fd: int, child: Any, timeout: float, what: str,
          listen: tuple[int, Progress] | None = None) -> bytes:  # fmt: skip
    """Everything the child sends, until a whole frame, end of file, or the child has ended
    and nothing more comes (a process the code forked may hold the pipe open); a time-out
    past `timeout` seconds.  `listen`: the progress pipe, and what to tell of it."""
    deadline = time.monotonic() + timeout
    data = bytearray()
    ticks = bytearray()
    while not _whole(data):
        left = deadline - time.monotonic()
        if left <= 0:
            raise LimitError(f"gave up after {timeout:g} s: {what} was still running (--timeout)")
        watched = [fd] if listen is None else [fd, listen[0]]
        readable, _, _ = select.select(watched, [], [], min(left, 0.05))
        if listen is not None and listen[0] in readable:
            chunk = os.read(listen[0], 1 << 16)
            if not chunk:
                listen = None  # the child closed it: the answer is all that is left
            else:
                ticks = _told(ticks + chunk, listen[1])
        if fd in readable:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                if not data and child.is_alive():  # the channel is gone, the child is not
                    child.join(0.5)
                    if child.is_alive():
                        raise UsageError(
                            f"{what} closed or replaced symchain's result channel (a file "
                            "descriptor it inherited), so there is no result: the code under "
                            "check must leave descriptors it did not open alone"
                        )
                break
            data += chunk
            if len(data) > _HEAD + MAX_ANSWER:
                break
        elif not child.is_alive():
            readable, _, _ = select.select([fd], [], [], 0)  # written just before it ended
            if not readable:
                break
    return bytes(data)


def _told(ticks: bytearray, tell: Progress) -> bytearray:
    """The latest whole progress frame in `ticks` told (a sane one: done ≤ total); what
    follows it is kept for the next read."""
    at = ticks.rfind(_TICK)
    while at >= 0 and len(ticks) - at < _TICK_FRAME:  # the last frame is not whole yet
        at = ticks.rfind(_TICK, 0, at)
    if at < 0:
        return ticks[-_TICK_FRAME:]
    done, total = struct.unpack(">QQ", ticks[at + len(_TICK) : at + _TICK_FRAME])
    if done <= total < 1 << 48:
        tell(done, total)
    return ticks[at + _TICK_FRAME :]


def _whole(data: bytearray) -> bool:
    if len(data) < _HEAD:
        return False
    return len(data) >= _HEAD + int.from_bytes(data[len(_MAGIC) : len(_MAGIC) + 8], "big")


def _opened(data: bytes, key: bytes, child: Any, what: str) -> tuple[str, Any]:
    """The child's answer, if it is one symchain signed; else why there is none."""
    if not data:
        child.join(5)
        code = child.exitcode
        if code == CHANNEL_GONE:
            raise UsageError(
                f"{what} closed or replaced symchain's result channel (a file descriptor it "
                "inherited), so there is no result: the code under check must leave "
                "descriptors it did not open alone"
            )
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            raise UsageError(f"{what} was killed by signal {name} before the check finished "
                             "(a crash in compiled code, or a kill)")  # fmt: skip
        raise UsageError(
            f"{what} ended the process (exit code {code}, as os._exit does) "
            "before the check finished: the code under check must return"
        )
    head, payload = data[:_HEAD], data[_HEAD:]
    size = int.from_bytes(head[len(_MAGIC) : len(_MAGIC) + 8], "big")
    signed = head[len(_MAGIC) + 8 :]
    if (
        not head.startswith(_MAGIC)
        or len(payload) != size
        or not hmac.compare_digest(signed, _signature(key, payload))
    ):
        raise UsageError(
            f"{what} wrote into symchain's result channel (a file descriptor it inherited), "
            "so there is no result: the code under check must leave descriptors it did "
            "not open alone"
        )
    answer: tuple[str, Any] = pickle.loads(payload)  # signed by the child's symchain
    return answer


def _unpack(answer: tuple[str, Any], what: str) -> Any:
    kind, value = answer
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "message":
        name, text = value
        cls = {"UsageError": UsageError, "LimitError": LimitError}.get(name, InternalError)
        raise cls(text)
    if kind == "internal":
        raise InternalError(value)
    raise UsageError(f"the code of {what} raised {value}, which ends a program: it must return")


def _show(output: Any) -> None:
    """What the code printed, on stderr (as it would have been), up to SHOWN_OUTPUT bytes."""
    output.seek(0, os.SEEK_END)
    size = output.tell()
    if not size:
        return
    output.seek(0)
    data = output.read(SHOWN_OUTPUT)
    stream = sys.stderr.buffer if hasattr(sys.stderr, "buffer") else None
    if stream is not None:
        stream.write(data)
        stream.flush()
    else:  # a test's text stream
        sys.stderr.write(data.decode("utf-8", errors="replace"))
    if size > SHOWN_OUTPUT:
        sys.stderr.write(f"\n[... {size - SHOWN_OUTPUT} more bytes of the code's output]\n")
