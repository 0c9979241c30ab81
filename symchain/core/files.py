"""Writing an output file whole or not at all.

A write straight into the file truncates it first, so a full disk or a killed process
leaves half a file where the old one was.  Here the bytes go to a temporary file beside
it, are flushed to disk, and replace it in one rename; on any error the old file is
untouched and the error is raised.  A path that is not a regular file (/dev/stdout, a
pipe, /dev/full) cannot be replaced: it is written directly, and its errors are raised
just the same, so nothing is reported as written that was not.
"""

from __future__ import annotations

import os
import stat
import tempfile

from .errors import UsageError


def write_file(path: str, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`; a UsageError says why it could not be."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        special = os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode)
        if special:
            _write_through(path, raw)
        else:
            _replace(path, raw)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None


def _write_through(path: str, raw: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(raw)
        handle.flush()


def _replace(path: str, raw: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".symchain-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.exists(path):  # keep the old file's permissions
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
