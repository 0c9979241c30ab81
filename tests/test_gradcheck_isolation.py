"""The code gradcheck checks runs in a child process (cli/isolated.py): nothing it prints
reaches the report, and ending the process, a crash, a hang or a BaseException is an
error with exit 2, never a pass (issue 14, item 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("symchain")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "symchain"]

HOSTILE = """
import os, signal, subprocess, sys, time
import numpy as np
CASE = {case!r}

class Net:
    def __init__(self):
        self.params = {{"W": np.ones((3, 2))}}

    def loss(self, X, y=None):
        s = X @ self.params["W"]
        if y is None:
            return s
        if CASE == "exit":
            os._exit(0)
        if CASE == "fd1":
            os.write(1, b"FD1 NOISE\\n")
            sys.__stdout__.write("DUNDER NOISE\\n")
        if CASE == "subprocess":
            subprocess.run(["echo", "SUBPROCESS NOISE"])
        if CASE == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        if CASE == "hang":
            while True:
                try:
                    time.sleep(0.1)
                except BaseException:
                    pass
        if CASE == "baseexception":
            raise GeneratorExit("bye")
        if CASE == "descriptors":  # bytes into every descriptor it might have inherited
            for fd in range(3, 64):
                try:
                    os.write(fd, b"GARBAGE\\n")
                except OSError:
                    pass
        if CASE == "closepipes":  # every pipe it inherited, closed
            for fd in range(3, 64):
                try:
                    if os.fstat(fd).st_mode & 0o170000 == 0o010000:
                        os.close(fd)
                except OSError:
                    pass
        if CASE == "forged":  # a frame of the right form, signed with a key of its own
            import hashlib, hmac, pickle
            from symchain.cli import isolated
            payload = pickle.dumps(("ok", "forged"))
            frame = (isolated._MAGIC + len(payload).to_bytes(8, "big")
                     + hmac.new(b"k" * 32, payload, hashlib.sha256).digest() + payload)
            for fd in range(3, 64):
                try:
                    os.write(fd, frame)
                except OSError:
                    pass
            os._exit(0)
        return 0.5 * float((s ** 2).sum()), {{"W": X.T @ s}}
"""


def _run(tmp_path, case, *extra):
    (tmp_path / f"h_{case}.py").write_text(HOSTILE.format(case=case))
    command = [*COMMAND, "gradcheck", f"h_{case}.py:Net", "--format", "json", *extra]
    return subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120
    )


@pytest.mark.parametrize("case", ["fd1", "subprocess"])
def test_what_the_code_prints_goes_to_stderr_and_the_json_stays_whole(tmp_path, case):
    r = _run(tmp_path, case)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    assert "NOISE" in r.stderr and "NOISE" not in r.stdout


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("exit", "ended the process (exit code 0, as os._exit does) before the check finished"),
        ("segv", "was killed by signal SIGSEGV before the check finished"),
        ("baseexception", "raised GeneratorExit: bye, which ends a program: it must return"),
    ],
)
def test_code_that_ends_the_process_is_an_error_never_a_pass(tmp_path, case, words):
    r = _run(tmp_path, case)
    assert r.returncode == 2
    assert words in json.loads(r.stdout)["error"]["message"] and "Traceback" not in r.stderr


def test_a_hang_that_swallows_every_exception_still_ends_at_the_timeout(tmp_path):
    r = _run(tmp_path, "hang", "--timeout", "3")
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["message"] == (
        "gave up after 3 s: h_hang.py:Net was still running (--timeout)"
    )


@pytest.mark.parametrize("case", ["descriptors", "forged"])
def test_bytes_written_into_the_result_channel_are_an_error_never_a_verdict(tmp_path, case):
    r = _run(tmp_path, case)
    assert r.returncode == 2, r.stdout + r.stderr
    assert json.loads(r.stdout)["error"]["message"] == (
        f"h_{case}.py:Net wrote into symchain's result channel (a file descriptor it "
        "inherited), so there is no result: the code under check must leave descriptors it "
        "did not open alone"
    )


def test_a_process_the_code_forks_does_not_hold_the_answer_back(tmp_path):
    """An orphan keeps the pipe open after the child has answered and ended."""
    (tmp_path / "orphan.py").write_text(
        HOSTILE.format(case="none").replace(
            "class Net:", "if os.fork() == 0:\n    time.sleep(30)\n    os._exit(0)\n\nclass Net:"
        )
    )
    r = subprocess.run([*COMMAND, "gradcheck", "orphan.py:Net", "--format", "json"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=25)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_a_closed_result_channel_is_said_to_be_closed(tmp_path):
    r = _run(tmp_path, "closepipes")
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["message"] == (
        "h_closepipes.py:Net closed or replaced symchain's result channel (a file descriptor it "
        "inherited), so there is no result: the code under check must leave descriptors it did "
        "not open alone"
    )
