"""derive --reveal: one step per key press on a terminal (tmux), everything when piped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from symchain.cli.app import main

SCRIPT = Path(sys.executable).with_name("symchain")


def test_piped_reveal_prints_everything():
    plain = CliRunner().invoke(main, ["derive", "(3x+1)^2 sin(x)"]).output
    revealed = CliRunner().invoke(main, ["derive", "(3x+1)^2 sin(x)", "--reveal"]).output
    assert revealed == plain


def _wait_for(session: str, text: str, seconds: float = 20) -> str:
    """The pane once `text` is on it (a loaded machine may take a while), or as it is."""
    deadline = time.time() + seconds
    pane = _pane(session)
    while text not in pane and time.time() < deadline:
        time.sleep(0.2)
        pane = _pane(session)
    return pane


def _pane(session: str) -> str:
    out = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    )
    return out.stdout


@pytest.mark.skipif(not shutil.which("tmux") or not SCRIPT.exists(), reason="needs tmux")
def test_reveal_in_a_real_terminal(tmp_path):
    session = f"symchain-reveal-{os.getpid()}-{tmp_path.name}"  # unique across parallel runs
    command = f"{SCRIPT} derive '(3x+1)^2 sin(x)' --reveal; sleep 20"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "40", command], check=True
    )
    try:
        first = _wait_for(session, "hint:")
        assert "hint: start with the product rule" in first and "chain rule" not in first
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        two = _wait_for(session, "chain rule: d/dx (3*x + 1)**2")
        assert "trig rule" not in two
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        rest = _wait_for(session, "✓ verified")
        assert "trig rule" in rest and "Enter: next step" not in rest
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_ctrl_d_shows_the_rest_instead_of_failing(monkeypatch):
    """click.getchar raises EOFError on Ctrl-D: the rest is shown, as with q."""
    from rich.console import Console

    from symchain import render
    from symchain.calculus.derivation import derive
    from symchain.cli import reveal

    def ctrl_d():
        raise EOFError

    monkeypatch.setattr(reveal.click, "getchar", ctrl_d)
    d = derive("(3x+1)^2 sin(x)")
    view = render.find_view(d)
    console = Console(record=True, width=100, color_system=None)
    reveal.reveal_lines(view.lines(d, "normal"), console, view.hint(d))
    shown = console.export_text()
    assert "hint:" in shown and "verified" in shown


def test_each_revealed_line_has_the_guides_of_the_whole_tree(monkeypatch):
    """One line at a time, the tree read `│ └ chain rule` where the whole reads `├ chain
    rule`: the guides depend on the lines around, so they are worked out over all."""
    from rich.console import Console

    from symchain import render
    from symchain.calculus.derivation import derive
    from symchain.cli import reveal
    from symchain.render.formats.rich import print_lines

    monkeypatch.setattr(reveal.click, "getchar", lambda: "\r")
    d = derive("sin(x^2)*exp(3x+1)")
    lines = render.find_view(d).lines(d, "normal")
    revealed = Console(record=True, width=100, color_system=None, force_terminal=False)
    reveal.reveal_lines(lines, revealed, "a hint")
    whole = Console(record=True, width=100, color_system=None)
    print_lines(lines, whole)
    shown = [row for row in revealed.export_text().splitlines() if not row.startswith("hint:")]
    shown = [row.replace("(Enter: next step, q: show the rest)", "").replace("\r\x1b[2K", "")
             for row in shown]  # fmt: skip
    assert "\n".join(shown).strip() == whole.export_text().strip()
