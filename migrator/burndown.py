"""The metrics at every batch commit, measured from git objects (nothing is checked out).

Each distinct (path, blob) is analysed once for the whole history (most files do not change
between batches) and kept in `<git dir>/migrator/cache/history.sqlite3`, so the next report
analyses only new commits. Results the scan cache already holds for a blob are reused.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from codemods import codemod_names
from migrator import cache
from migrator.discover import matcher
from migrator.history import History
from migrator.metrics import ScanReport, compute_metrics
from migrator.runner import INLINE_LIMIT, FileResult, Job, process_source
from migrator.spec import Spec
from migrator.spec_check import with_module_facts

SKIPPED_MODES = {"120000", "160000"}  # symlinks and submodules are never scanned
HISTORY_DB = "history.sqlite3"


class HistoryError(Exception):
    """The repository's objects cannot be read."""


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


class GitObjects:
    """Trees and blobs of one repository, read through `git` plumbing commands."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.root, input=data, capture_output=True, check=True
            )
        except (OSError, subprocess.CalledProcessError) as error:
            detail = getattr(error, "stderr", b"") or b""
            message = detail.decode("utf-8", "replace").strip().splitlines()
            raise HistoryError(f"git {args[0]}: {message[0] if message else error}") from None
        return done.stdout

    def order(self) -> dict[str, int]:
        """Commit sha -> position in HEAD's history, oldest first."""
        shas = self._git("rev-list", "--topo-order", "--reverse", "HEAD").split()
        return {sha.decode(): index for index, sha in enumerate(shas)}

    def resolve(self, revision: str) -> str | None:
        try:
            return (
                self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
                .decode()
                .strip()
            )
        except HistoryError:
            return None

    def tree(self, commit: str) -> dict[str, str]:
        """Path -> blob sha of every regular file in the commit's tree."""
        entries: dict[str, str] = {}
        for record in self._git("ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if kind == "blob" and mode not in SKIPPED_MODES:
                entries[name.decode("utf-8", "surrogateescape")] = sha
        return entries

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many blobs, in one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self._git("cat-file", "--batch", data="\n".join(wanted).encode() + b"\n")
        contents: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            if len(header) != 3:
                raise HistoryError(f"git cat-file: cannot read blob {sha}")
            size = int(header[2])
            contents[sha] = out[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return contents


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
        with ProcessPoolExecutor(max_workers=workers) as pool:
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
