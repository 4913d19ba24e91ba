"""The batch history, read back from the trailers of the commits migrator made."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from migrator.git import LoggedCommit, Repository, open_repository

TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$")
MIGRATION_GREP = "^Migration-(Batch|Rollback):"


def parse_trailers(message: str) -> dict[str, str]:
    """The trailers of a commit message (its last paragraph, when every line is `Key: value`)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    trailers: dict[str, str] = {}
    last_key = None
    for line in paragraphs[-1].splitlines():
        if line[:1] in (" ", "\t") and last_key:
            trailers[last_key] += " " + line.strip()
            continue
        match = TRAILER.match(line)
        if not match:
            return {}
        last_key = match.group(1)
        trailers[last_key] = match.group(2).strip()
    return trailers


def _metrics(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class BatchCommit:
    """One commit that landed (part of) a batch."""

    sha: str
    batch: str
    chunk: str
    rules: list[str]
    date: str
    author: str
    files: list[str]
    metrics_before: dict[str, float] | None
    metrics_after: dict[str, float] | None
    gate: str
    spec: str
    base: str
    subject: str
    rolled_back_by: str | None = None

    @property
    def rolled_back(self) -> bool:
        return self.rolled_back_by is not None

    def to_dict(self) -> dict[str, object]:
        return {
            "sha": self.sha,
            "batch": self.batch,
            "chunk": self.chunk,
            "rules": self.rules,
            "date": self.date,
            "author": self.author,
            "files": self.files,
            "metrics_before": self.metrics_before,
            "metrics_after": self.metrics_after,
            "gate": self.gate,
            "spec": self.spec,
            "base": self.base,
            "subject": self.subject,
            "rolled_back": self.rolled_back,
            "rolled_back_by": self.rolled_back_by,
        }


@dataclass
class RollbackCommit:
    """A commit that reverted a batch commit."""

    sha: str
    batch: str
    reverted: str
    date: str
    author: str


@dataclass
class History:
    """Batch commits and rollback commits reachable from HEAD, oldest first."""

    commits: list[BatchCommit] = field(default_factory=list)
    rollbacks: list[RollbackCommit] = field(default_factory=list)

    def batch_names(self) -> list[str]:
        names: list[str] = []
        for commit in self.commits:
            if commit.batch not in names:
                names.append(commit.batch)
        return names

    def of_batch(self, name: str) -> list[BatchCommit]:
        return [c for c in self.commits if c.batch == name]

    def landed(self, name: str) -> bool:
        """Whether the batch has commits that are not rolled back."""
        return any(not c.rolled_back for c in self.of_batch(name))

    def find(self, sha: str) -> BatchCommit | None:
        return next((c for c in self.commits if c.sha == sha), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "commits": [c.to_dict() for c in self.commits],
            "rollbacks": [r.__dict__ for r in self.rollbacks],
        }


def history_of(repo: Repository) -> History:
    """The batch history of a repository, from its commits' trailers."""
    history = History()
    for logged in reversed(repo.log(grep=MIGRATION_GREP)):
        _add(history, logged)
    by_sha = {c.sha: c for c in history.commits}
    for rollback in history.rollbacks:
        target = by_sha.get(rollback.reverted)
        if target is not None:
            target.rolled_back_by = rollback.sha
    return history


def batch_history(root: Path) -> History:
    """The batch history of the repository at `root` (empty outside a git repository)."""
    repo = open_repository(root)
    return history_of(repo) if repo else History()


def _add(history: History, logged: LoggedCommit) -> None:
    trailers = parse_trailers(logged.message)
    batch = trailers.get("Migration-Batch")
    if not batch:
        return
    if "Migration-Rollback" in trailers:
        history.rollbacks.append(
            RollbackCommit(
                logged.sha, batch, trailers["Migration-Rollback"], logged.date, logged.author
            )
        )
        return
    history.commits.append(
        BatchCommit(
            sha=logged.sha,
            batch=batch,
            chunk=trailers.get("Migration-Chunk", "1/1"),
            rules=[r.strip() for r in trailers.get("Migration-Rules", "").split(",") if r.strip()],
            date=logged.date,
            author=logged.author,
            files=list(logged.files),
            metrics_before=_metrics(trailers.get("Migration-Metrics-Before")),
            metrics_after=_metrics(trailers.get("Migration-Metrics-After")),
            gate=trailers.get("Migration-Gate", "unknown"),
            spec=trailers.get("Migration-Spec", ""),
            base=trailers.get("Migration-Base", ""),
            subject=logged.subject,
        )
    )
