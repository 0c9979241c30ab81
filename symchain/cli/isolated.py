"""Running someone's code in a child process, so that it cannot touch the report.

gradcheck imports and runs the user's file.  In the same process, that code could write
into the JSON on stdout (through fd 1, C's printf, a subprocess, an atexit handler),
end the process with os._exit(0) (which CI would read as a pass), or hang where an alarm
cannot reach it (a bare `except:` in a loop).  Here the work runs in a forked child whose
file descriptors 1 and 2 go to a temporary file; the parent gets back the result (or the
error) through a pipe, shows what the code printed on stderr, and treats a child that
ends without an answer, is killed by a signal or runs past the time limit as an error
(exit 2), never as a result.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.errors import InternalError, LimitError, SymchainError, UsageError

T = TypeVar("T")
SHOWN_OUTPUT = 1 << 20  # bytes of the code's own output shown on stderr, at most


def run_isolated(work: Callable[[], T], timeout: float, what: str) -> T:
    """work()'s result, computed in a child process (see the module); `what` names the code
    in messages ("net.py:Net")."""
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: no isolation
        return work()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as output:
        sys.stdout.flush()
        sys.stderr.flush()
        child = context.Process(target=_child, args=(work, send, output.fileno()), daemon=True)
        with warnings.catch_warnings():  # a library's at-fork warning (JAX's, imported by a
            warnings.simplefilter("ignore", RuntimeWarning)  # test beside us) is not ours
            child.start()
        send.close()
        try:
            answer = _wait(receive, child, timeout, what)
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receive.close()
            _show(output)
    return _unpack(answer, what)


def _child(work: Callable[[], Any], send: Any, output_fd: int) -> None:
    """In the child: fds 1 and 2 into the temporary file, the work, the answer sent."""
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    text = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stdout = sys.stderr = text  # print() too, whatever the parent's streams were
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        answer: tuple[str, Any] = ("ok", work())
    except SymchainError as err:
        answer = ("error", err)
    except Exception as err:  # noqa: BLE001 - not the user's (theirs is a UsageError): ours
        detail = " ".join(str(err).split())
        answer = ("internal", f"internal error: {type(err).__name__}: {detail} (in the check)")
    except BaseException as err:  # noqa: BLE001 - the user's code: reported, never raised here
        answer = ("raised", f"{type(err).__name__}: {' '.join(str(err).split())}")
    text.flush()
    try:
        pickle.dumps(answer)
    except Exception as err:  # noqa: BLE001 - what cannot be sent back is said, in words
        if answer[0] == "error":
            answer = ("message", (type(answer[1]).__name__, str(answer[1])))
        else:
            answer = ("internal", f"the result could not be sent back: {err}")
    send.send(answer)
    send.close()
    os._exit(0)  # no atexit handler of the user's runs, and nothing is flushed twice


def _wait(receive: Any, child: Any, timeout: float, what: str) -> tuple[str, Any]:
    if not receive.poll(timeout):
        raise LimitError(f"gave up after {timeout:g} s: {what} was still running (--timeout)")
    try:
        return receive.recv()  # type: ignore[no-any-return]
    except EOFError:
        child.join(5)
        code = child.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            raise UsageError(f"{what} was killed by signal {name} before the check finished "
                             "(a crash in compiled code, or a kill)") from None  # fmt: skip
        raise UsageError(
            f"{what} ended the process (exit code {code}, as os._exit does) "
            "before the check finished: the code under check must return"
        ) from None


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
