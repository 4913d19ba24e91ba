"""The run record: what one `migrator run` did, as `run --json` prints it and
`.git/migrator/runs/<timestamp>-<batch>.json` keeps it. Its JSON form is a contract (README)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from codemods.core.values import Finding
from migrator.engine.fileio import atomic_write


@dataclass
class _Record:
    """A dataclass whose JSON form has its fields in order, nested records included, and
    leaves out the `LATE` fields the run has not reached yet (they are never null)."""

    LATE: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None and spec.name in self.LATE:
                continue
            if isinstance(value, list):
                value = [v.to_dict() if isinstance(v, _Record) else v for v in value]
            data[spec.name] = value
        return data


@dataclass
class FileRecord(_Record):
    """One file the batch looked at: what the codemods did to it and what became of it."""

    LATE: ClassVar[frozenset[str]] = frozenset({"write_seconds", "chunk"})

    path: str
    status: str  # pending, committed, restored, not-written, unchanged, skipped, error, ...
    rules: list[str]
    edits: dict[str, int]
    skip_reason: str | None
    error: str | None
    skipped_hunks: int
    manual_review: list[dict[str, object]]
    findings: int
    write_seconds: float | None = None
    chunk: int | None = None


@dataclass
class ChunkRecord(_Record):
    """One chunk: its files, its gates' results, and its commit once made."""

    LATE: ClassVar[frozenset[str]] = frozenset(
        {"status", "commit", "metrics_before", "metrics_after"}
    )

    index: int
    files: list[str]
    gates: list[dict[str, object]] = field(default_factory=list)
    status: str | None = None  # committed, gate-failed, metrics-worse or commit-failed
    commit: str | None = None
    metrics_before: dict[str, float] | None = None
    metrics_after: dict[str, float] | None = None


@dataclass
class RunRecord(_Record):
    """The whole run, from preflight to its outcome."""

    LATE: ClassVar[frozenset[str]] = frozenset(
        {"metrics_before", "metrics_after", "targets", "exit_code", "message", "finished"}
        | {"seconds"}
    )

    batch: str
    rules: list[str]
    spec: str
    spec_digest: str
    base: str | None
    branch: str | None
    started: str
    outcome: str = "running"
    commits: list[str] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    chunks: list[ChunkRecord] = field(default_factory=list)
    baseline: list[dict[str, object]] = field(default_factory=list)
    skipped_by_user: list[dict[str, object]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    metrics_before: dict[str, float] | None = None
    metrics_after: dict[str, float] | None = None
    targets: list[dict[str, object]] | None = None
    exit_code: int | None = None
    message: str | None = None
    finished: str | None = None
    seconds: float | None = None


def save_record(git_dir: Path, record: RunRecord) -> Path:
    """Write the run record to `.git/migrator/runs/<timestamp>-<batch>.json`."""
    runs = git_dir / "migrator" / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = runs / f"{stamp}-{record.batch}.json"
    text = json.dumps(record.to_dict(), indent=2, default=_json_default) + "\n"
    atomic_write(path, text.encode())
    return path


def _json_default(value: object) -> object:
    if isinstance(value, Finding):
        return value.to_dict()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value).__name__)
