"""The metrics at every batch commit, measured from git objects (nothing is checked out).

Each distinct (path, blob) is analysed once for the whole history (most files do not change
between batches) and kept in `<git dir>/migrator/cache/history.sqlite3`, so the next report
analyses only new commits. Results the scan cache already holds for a blob are reused.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from codemods import codemod_names
from migrator.batch.history import History
from migrator.engine import cache
from migrator.engine.discover import matcher
from migrator.engine.metrics import ScanReport, compute_metrics
from migrator.engine.runner import INLINE_LIMIT, FileResult, Job, process_source
from migrator.engine.spec_check import with_module_facts
from migrator.engine.workers import pool as worker_pool
from migrator.git import GitObjects
from migrator.spec import Spec

HISTORY_DB = "history.sqlite3"


@dataclass
class Point:
    """The metrics of the tree at one commit of the migration."""

    kind: str  # "start", "batch" or "rollback"
    sha: str
    batch: str
    chunk: str
    date: str
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        short = self.sha[:7]
        if self.kind == "start":
            return f"start {short}"
        if self.kind == "rollback":
            return f"rollback {self.batch} {short}"
        return f"{self.batch} {self.chunk} {short}"


class BlobResults:
    """Results by (path, blob sha), kept beside the scan cache so a report only analyses what
    is new since the last one. Any failure of the store turns it off, never the report."""

    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS blobs (namespace TEXT NOT NULL, path TEXT NOT NULL, "
        "sha TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (namespace, path, sha)) "
        "WITHOUT ROWID"
    )

    def __init__(self, root: Path, job: Job, spec: Spec) -> None:
        self.root = root
        self.namespace = cache.namespace(job, spec.digest)
        self.opened = False
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection | None:
        """The store, opened on first use (old namespaces are dropped then)."""
        if not self.opened:
            self.opened = True
            try:
                directory = cache.cache_dir(self.root)
                directory.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(directory / HISTORY_DB, isolation_level=None)
                self._db.execute(self.SCHEMA)
                self._db.execute("DELETE FROM blobs WHERE namespace != ?", (self.namespace,))
            except (OSError, sqlite3.Error):
                self._db = None
        return self._db

    def get(self, path: str, sha: str) -> FileResult | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT payload FROM blobs WHERE namespace = ? AND path = ? AND sha = ?",
                (self.namespace, path, sha),
            ).fetchone()
            return cache.decode(path, row[0], self.root) if row else None
        except Exception:  # noqa: BLE001 - an unreadable entry is a miss
            return None

    def put(self, entries: list[tuple[str, str, FileResult]]) -> None:
        if self.db is None or not entries:
            return
        rows = [(self.namespace, path, sha, cache.encode(r)) for path, sha, r in entries]
        try:
            self.db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class TreeScanner:
    """Scans commits' trees, analysing each (path, blob) once across all of them."""

    def __init__(self, root: Path, spec: Spec, jobs: int | None = None) -> None:
        self.root = root
        self.spec = spec
        self.jobs = jobs
        self.git = GitObjects(root)
        # The working tree's module facts, as the scan's (same cache entries; the facts change
        # only which deprecated imports need review, never a metric).
        self.job = Job(str(root), with_module_facts(spec.rules, root), codemod_names())
        self.included, self.excluded = matcher(spec.include), matcher(spec.exclude)
        self.memo: dict[tuple[str, str], FileResult] = {}
        self.stored = BlobResults(root, self.job, spec)
        self.analysed = self.reused = 0

    def scan(self, commit: str) -> ScanReport:
        tree = {
            path: sha
            for path, sha in self.git.tree(commit).items()
            if self.included.match_file(path) and not self.excluded.match_file(path)
        }
        missing = [path for path, sha in tree.items() if (path, sha) not in self.memo]
        known = {p: r for p in missing if (r := self.stored.get(p, tree[p])) is not None}
        missing = [path for path in missing if path not in known]
        from_scan = self._from_scan_cache(tree, missing)
        self.stored.put([(path, tree[path], result) for path, result in from_scan.items()])
        known.update(from_scan)
        for path, result in known.items():
            self.memo[(path, tree[path])] = result
        self.reused += len(known)
        missing = [path for path in missing if path not in known]
        contents = self.git.blobs(tree[path] for path in missing)
        work = [(path, contents[tree[path]]) for path in missing]
        analysed = list(self._analyse(work))
        for result in analysed:
            self.memo[(result.path, tree[result.path])] = result
        self.stored.put([(r.path, tree[r.path], r) for r in analysed])
        self.analysed += len(analysed)
        return compute_metrics(self.memo[(path, tree[path])] for path in sorted(tree))

    def _analyse(self, work: list[tuple[str, bytes]]) -> Iterable[FileResult]:
        workers = self.jobs or os.cpu_count() or 1
        if workers <= 1 or len(work) < INLINE_LIMIT:
            return [process_source(self.job, path, source) for path, source in work]
        with worker_pool(workers) as pool:
            analyse = partial(_analyse_item, self.job)
            return list(pool.map(analyse, work, chunksize=16))

    def _from_scan_cache(self, tree: dict[str, str], paths: list[str]) -> dict[str, FileResult]:
        """Results the scan cache holds for exactly these blobs."""
        if not paths:
            return {}
        try:
            with cache.ResultCache.for_job(self.root, self.job, self.spec.digest) as store:
                store.known_shas = dict(tree)
                return store.lookup(paths)
        except Exception:  # noqa: BLE001 - the cache is an optimisation, never a reason to fail
            return {}

    def close(self) -> None:
        self.stored.close()


def _analyse_item(job: Job, item: tuple[str, bytes]) -> FileResult:
    return process_source(job, *item)


def burndown(
    root: Path, spec: Spec, history: History, jobs: int | None = None
) -> tuple[list[Point], TreeScanner]:
    """A point before the first batch, then one per batch commit and rollback, in order."""
    scanner = TreeScanner(root, spec, jobs)
    if not history.commits:
        return [], scanner
    order = scanner.git.order()
    points = [
        Point("batch", c.sha, c.batch, c.chunk, c.date) for c in history.commits if c.sha in order
    ]
    points += [
        Point("rollback", r.sha, r.batch, "", r.date) for r in history.rollbacks if r.sha in order
    ]
    points.sort(key=lambda point: order[point.sha])
    start = _start(scanner.git, history, points[0].sha) if points else None
    if start:
        points.insert(0, Point("start", start, "", "", ""))
    try:
        for point in points:
            point.metrics = scanner.scan(point.sha).metrics
    finally:
        scanner.close()
    return points, scanner


def _start(git: GitObjects, history: History, first_sha: str) -> str | None:
    """The commit the first batch started from (its Migration-Base, else its parent)."""
    first = history.find(first_sha)
    if first is None:
        return None
    return (git.resolve(first.base) if first.base else None) or git.resolve(f"{first.sha}^")
