"""Output files are written whole or not at all, and a failed write is an error, never
"wrote" (issue 14, item 4)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import symchain.core.files as files
from symchain.cli.app import main
from symchain.core.errors import UsageError
from symchain.core.files import write_file


def test_a_new_file_gets_the_bytes_and_the_usual_permissions(tmp_path):
    target = tmp_path / "sheet.md"
    write_file(str(target), "x² and √x\n")
    assert target.read_text(encoding="utf-8") == "x² and √x\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.md"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "sheet.md"
    target.write_text("the old sheet\n")
    target.chmod(0o640)

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", lambda fd: full(fd, b""))
    with pytest.raises(UsageError, match="cannot write .*sheet.md: No space left on device"):
        write_file(str(target), "the new sheet\n")
    assert target.read_text() == "the old sheet\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.md"]
    monkeypatch.undo()
    write_file(str(target), "the new sheet\n")
    assert target.read_text() == "the new sheet\n" and stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_device_is_an_error_not_wrote():
    with pytest.raises(UsageError, match="cannot write /dev/full: No space left on device"):
        write_file("/dev/full", "x")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ["worksheet", "--count", "2", "--output", "/dev/full", "--format", "json"],
        ["derive", "sin(u)", "--let", "u=3x+1", "--graph", "dot", "--output", "/dev/full",
         "--format", "json"],
    ],
)  # fmt: skip
def test_the_commands_report_a_full_disk_with_exit_2_and_json(args):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert '"message": "cannot write /dev/full: No space left on device"' in r.output
    assert "wrote" not in r.output
