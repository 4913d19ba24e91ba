"""One migrator run at a time per repository: `.git/migrator/lock`."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockHeld(Exception):
    """Another live migrator process holds the lock; the message says which."""


def lock_path(git_dir: Path) -> Path:
    return git_dir / "migrator" / "lock"


def holder(git_dir: Path) -> dict | None:
    """Who holds the lock (pid, command, since), or None when nobody does."""
    try:
        return json.loads(lock_path(git_dir).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError):
        return {"pid": None, "command": "unknown", "since": "unknown"}


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def hold(git_dir: Path, command: str) -> Iterator[None]:
    """Take the lock for the duration of the block; a lock left by a dead process is taken over."""
    path = lock_path(git_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = json.dumps({"pid": os.getpid(), "command": command, "since": time.time()})
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            current = holder(git_dir)
            if current and alive(current.get("pid")):
                raise LockHeld(
                    f"another migrator run holds {path} (pid {current.get('pid')}: "
                    f"{current.get('command')}); wait for it to finish"
                ) from None
            path.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(info)
        break
    else:
        raise LockHeld(f"cannot take {path}")
    try:
        yield
    finally:
        current = holder(git_dir)
        if current and current.get("pid") == os.getpid():
            path.unlink(missing_ok=True)
