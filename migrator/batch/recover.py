"""`migrator recover`: put back what a killed run left half-written, from its journal."""

from __future__ import annotations

from pathlib import Path

from migrator.batch.journal import Journal, put_back
from migrator.batch.lock import LockHeld, hold
from migrator.batch.preflight import Refused
from migrator.git import open_repository


def recover(root: Path) -> tuple[list[str], str]:
    """Put every journaled file back to HEAD's state, clear the journal; (paths, how)."""
    repo = open_repository(root)
    if repo is None:
        raise Refused(f"{root}: not a git repository")
    try:
        with hold(repo.git_dir, "migrator recover"):
            journal = Journal(repo.git_dir)
            entries = journal.entries()
            if not entries:
                journal.clear()
                return [], "nothing to recover"
            paths = [entry.path for entry in entries]
            repo.unstage(paths)
            if journal.meta().get("parent") == repo.head_sha():
                journal.restore(repo.root)  # HEAD did not move: the exact original bytes
                how = "restored the original bytes"
            else:
                for path in paths:
                    put_back(repo.root / path, repo.head_blob(path))
                how = "restored HEAD's version"
            journal.clear()
            return paths, how
    except LockHeld as error:
        raise Refused(str(error)) from None
