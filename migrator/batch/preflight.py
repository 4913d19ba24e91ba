"""Preflight: is it safe to change the repository now? `Refused` says why not."""

from __future__ import annotations

from pathlib import Path

from migrator.batch.journal import Journal
from migrator.batch.lock import alive, holder, lock_path
from migrator.git import Repository, open_repository


class Refused(Exception):
    """The run cannot start (exit 2); the message says why."""


def pending_recovery(root: Path) -> str | None:
    """The message to show when a killed run left its journal behind, else None."""
    repo = open_repository(root)
    if repo is None:
        return None
    journal = Journal(repo.git_dir)
    if not journal.pending():
        return None
    running = holder(repo.git_dir)
    if running and alive(running.get("pid")):  # a live run's journal: it is not interrupted
        return (
            f"another migrator run holds {lock_path(repo.git_dir)} (pid {running.get('pid')}: "
            f"{running.get('command')}); wait for it to finish"
        )
    count = len(journal.entries())
    return (
        f"a previous migrator run was interrupted and left {count} file(s) half-migrated "
        f"(journal in {journal.dir}): run `migrator recover` first"
    )


def open_for_change(root: Path, *, allow_detached: bool = False) -> Repository:
    """The repository, when it is safe to change it; otherwise `Refused` saying why."""
    repo = open_repository(root)
    if repo is None:
        raise Refused(f"{root}: not a git repository (use --dry-run to preview without git)")
    operation = repo.operation_in_progress()
    if operation:
        raise Refused(f"{repo.root}: {operation} is in progress; finish or abort it first")
    if repo.head_sha() is None:
        raise Refused(f"{repo.root}: the repository has no commit yet")
    if repo.is_detached() and not allow_detached:
        raise Refused(f"{repo.root}: HEAD is detached; check out a branch or pass --allow-detached")
    message = pending_recovery(repo.root)
    if message:
        raise Refused(message)
    problem = repo.identity_problem()
    if problem:
        raise Refused(problem)
    return repo
