"""Writing files without ever leaving a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def new_file_mode() -> int:
    """The mode `open()` would give a new file: 0o666 less the user's umask."""
    umask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` via a temporary file in the same directory.

    An existing file keeps its mode; a new one gets the mode the user's umask gives (mkstemp's
    own 0600 would hide reports and shims from everyone else).
    """
    mode = path.stat().st_mode & 0o7777 if path.exists() else new_file_mode()
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".migrator-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
