"""Roll a batch (or one of its commits) back with `git revert`, newest first, history kept."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from migrator.batch.history import BatchCommit, History, history_of
from migrator.batch.lock import LockHeld, hold
from migrator.batch.preflight import Refused, open_for_change
from migrator.git import GitError


@dataclass
class RollbackResult:
    """What a rollback did (or would do) and how long it took."""

    target: str
    commits: list[BatchCommit]
    reverts: list[str] = field(default_factory=list)
    already: bool = False
    seconds: float = 0.0


def rollback_message(commit: BatchCommit) -> str:
    return (
        f"migrator: roll back {commit.batch} ({commit.chunk})\n\n"
        f"This reverts commit {commit.sha}.\n\n"
        f"Migration-Rollback: {commit.sha}\n"
        f"Migration-Batch: {commit.batch}\n"
    )


def commits_to_revert(history: History, target: str, sha: str | None) -> RollbackResult:
    """The batch's (or the one commit's) commits still in effect, newest first."""
    found = history.find(sha) if sha is not None else None
    if target in history.batch_names():
        commits = history.of_batch(target)
    elif found is not None:
        commits = [found]
    elif sha is not None:
        raise Refused(f"{target}: commit {sha[:12]} is not a migrator batch commit")
    else:
        known = ", ".join(history.batch_names()) or "none landed"
        raise Refused(f"{target}: no batch or commit by that name in the history ({known})")
    live = [c for c in commits if not c.rolled_back]
    return RollbackResult(target, list(reversed(live)), already=not live)


def rollback(root: Path, target: str, *, dry_run: bool = False) -> RollbackResult:
    """Revert every commit of `target` (a batch name or a commit), newest first."""
    started = time.monotonic()
    repo = open_for_change(root)
    history = history_of(repo)
    plan = commits_to_revert(history, target, repo.resolve(target))
    if dry_run or plan.already:
        return plan
    dirty = repo.tracked_dirty_paths()
    if dirty:
        raise Refused("the work tree has uncommitted changes: " + ", ".join(dirty))
    start = repo.head_sha() or ""
    try:
        with hold(repo.git_dir, f"migrator rollback {target}"):
            for commit in plan.commits:
                try:
                    plan.reverts.append(repo.revert(commit.sha, rollback_message(commit)))
                except GitError as error:
                    repo.reset_keep(start)  # all or nothing: drop the reverts made so far
                    raise RollbackFailed(str(error)) from None
    except LockHeld as error:
        raise Refused(str(error)) from None
    plan.seconds = time.monotonic() - started
    return plan


class RollbackFailed(Exception):
    """A revert did not apply (a later commit changed the same lines); nothing was changed."""
