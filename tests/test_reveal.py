"""derive --reveal: one step per key press on a terminal (tmux), everything when piped."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symchain.cli import main

SCRIPT = Path(sys.executable).with_name("symchain")


def test_piped_reveal_prints_everything():
    plain = CliRunner().invoke(main, ["derive", "(3x+1)^2 sin(x)"]).output
    revealed = CliRunner().invoke(main, ["derive", "(3x+1)^2 sin(x)", "--reveal"]).output
    assert revealed == plain


def _pane(session: str) -> str:
    out = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    )
    return out.stdout


@pytest.mark.skipif(not shutil.which("tmux") or not SCRIPT.exists(), reason="needs tmux")
def test_reveal_in_a_real_terminal(tmp_path):
    session = f"symchain-reveal-{tmp_path.name}"
    command = f"{SCRIPT} derive '(3x+1)^2 sin(x)' --reveal; sleep 20"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "40", command], check=True
    )
    try:
        deadline = time.time() + 20
        while "hint:" not in _pane(session) and time.time() < deadline:
            time.sleep(0.2)
        first = _pane(session)
        assert "hint: start with the product rule" in first and "chain rule" not in first
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        time.sleep(1.0)
        two = _pane(session)
        assert "chain rule: d/dx (3*x + 1)**2" in two and "trig rule" not in two
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        time.sleep(1.0)
        rest = _pane(session)
        assert "trig rule" in rest and "✓ verified" in rest and "Enter: next step" not in rest
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
