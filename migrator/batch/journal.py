"""The crash-safety journal: every file's original bytes, saved before the file is written."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from migrator.engine.fileio import atomic_write

ENTRIES = "entries.jsonl"
META = "run.json"


@dataclass(frozen=True)
class Entry:
    """One journaled file: its repository-relative path and where its original bytes are kept."""

    path: str
    blob: str | None  # None: the file did not exist before the run


class Journal:
    """`.git/migrator/journal/`: survives a killed run so `migrator recover` can undo it."""

    def __init__(self, git_dir: Path) -> None:
        self.dir = git_dir / "migrator" / "journal"
        self._recorded: set[str] | None = None

    def entries(self) -> list[Entry]:
        """The journaled files, in the order they were first written."""
        try:
            lines = (self.dir / ENTRIES).read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries, seen = [], set()
        for line in lines:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash: its file was never written
            if data["path"] not in seen:
                seen.add(data["path"])
                entries.append(Entry(data["path"], data.get("blob")))
        return entries

    def begin(self, meta: dict[str, object]) -> None:
        """Start journaling a chunk: what it belongs to and the commit it started from."""
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.dir / META, json.dumps(meta).encode())

    def meta(self) -> dict[str, object]:
        try:
            return json.loads((self.dir / META).read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}

    def pending(self) -> bool:
        return bool(self.entries())

    def paths(self) -> list[str]:
        return [entry.path for entry in self.entries()]

    def record(self, root: Path, path: str) -> None:
        """Save `path`'s current bytes (durably) before it is written for the first time."""
        if self._recorded is None:
            self._recorded = set(self.paths())
        if path in self._recorded:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        full = root / path
        blob = None
        if full.exists():
            blob = f"{len(self._recorded):06d}.orig"
            atomic_write(self.dir / blob, full.read_bytes())
        line = json.dumps({"path": path, "blob": blob}) + "\n"
        with open(self.dir / ENTRIES, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        self._recorded.add(path)

    def original(self, entry: Entry) -> bytes | None:
        return None if entry.blob is None else (self.dir / entry.blob).read_bytes()

    def restore(self, root: Path) -> list[str]:
        """Put every journaled file back to its original bytes; returns the paths restored."""
        restored = []
        for entry in self.entries():
            put_back(root / entry.path, self.original(entry))
            restored.append(entry.path)
        return restored

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self._recorded = None


def put_back(path: Path, data: bytes | None) -> None:
    """Write `data` to `path` atomically, or remove the file when it should not exist."""
    if data is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, data)
