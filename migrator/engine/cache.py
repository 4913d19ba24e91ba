"""A content-hash cache of per-file results, so an unchanged file is never parsed twice.

A result is stored under (namespace, path) with the sha of the content it came from; the
namespace digests the spec, the codemods run, analysis or transform, and the tool version.
Inside a git repository the blob shas of the index name the content of every file that git
knows is unchanged, so those files are not even read. The store is one SQLite database (every
run's writes land in one transaction); an entry that cannot be decoded is a miss, and a
database that cannot be opened or read turns the cache off for the run, never the run itself.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import codemods
from codemods.core.values import Finding
from migrator import __version__
from migrator.engine import runner
from migrator.engine.runner import FileResult, Job
from migrator.git import IndexShas, absolute_git_dir

DB_NAME = "results.sqlite3"
WHOLE_TREE = "\0tree"  # the row of a namespace's whole-tree document: no file has this path
KEEP_NAMESPACES = 16  # older specs/rule selections are pruned beyond this many
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    namespace TEXT NOT NULL, path TEXT NOT NULL, sha TEXT NOT NULL, payload BLOB NOT NULL,
    PRIMARY KEY (namespace, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS namespaces (namespace TEXT PRIMARY KEY, used REAL NOT NULL);
"""


def namespace(job: Job, spec_digest: str) -> str:
    """What besides a file's path and content decides its result."""
    rules = json.dumps(asdict(job.rules), sort_keys=True, default=_sorted)
    parts = [__version__, code_digest(), spec_digest, rules, ",".join(job.codemods)]
    # The running Python's parser decides which files can be analyzed at all.
    parts += [str(job.transform), str(job.prefilter), sys.version.split()[0]]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _sorted(value: object) -> list:
    """Sets in the rules (facts about other files) in one order, whatever the hash seed."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot digest {type(value).__name__}")


@functools.cache
def code_digest() -> str:
    """The analysing code itself, so an edited codemod never reads results of the old one."""
    digest = hashlib.sha256()
    sources = sorted(Path(codemods.__file__ or "").parent.rglob("*.py"))
    for source in [*sources, Path(runner.__file__ or "")]:
        digest.update(source.as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def blob_sha(data: bytes) -> str:
    """The sha git gives this content, so own hashes and index shas share one key space."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migrator"


def cache_dir(root: Path) -> Path:
    """`<git dir>/migrator/cache` in a repository, else a per-root directory of the user's."""
    found = absolute_git_dir(root)
    if found is not None:
        return found / "migrator" / "cache"
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return user_cache_dir() / key


class ResultCache:
    """Results of one kind of job over one repository; look up and store in path chunks."""

    def __init__(
        self,
        root: Path,
        ns: str,
        directory: Path | None = None,
        *,
        known_shas: dict[str, str] | None = None,
        facts: str | None = None,
    ) -> None:
        """`known_shas`: git's shas of the unchanged files, when the caller just asked git
        (else git is asked now, and its answer read when a sha is first needed); `facts`: the
        namespace of the facts results carry (`FileResult.facts`), stored beside them."""
        self.root = root
        self.namespace = ns
        self.facts_namespace = facts
        self._used = {ns}  # marked used on close: this one, and those it stored facts in
        self.directory = directory or cache_dir(root)
        self._known: dict[str, str] | None = known_shas
        self._asked = IndexShas(root) if known_shas is None else None
        self._waiting: list[tuple[str, str, bytes]] = []  # stored once git has answered
        self.hits = self.misses = 0
        self._shas: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.directory / DB_NAME, isolation_level=None, timeout=1.0)
            self._db.executescript(SCHEMA)
            self._db.execute("BEGIN")
        except (OSError, sqlite3.Error):
            self._db = None

    @property
    def known_shas(self) -> dict[str, str]:
        """Path -> blob sha of the files git vouches for (`index_shas`)."""
        if self._known is None:
            self._known = self._asked.get() if self._asked is not None else {}
        return self._known

    @known_shas.setter
    def known_shas(self, shas: dict[str, str]) -> None:
        self._known = shas

    @property
    def cold(self) -> bool:
        """Nothing stored for this namespace yet: no lookup nor `recall` can hit."""
        return self._empty

    @functools.cached_property
    def _empty(self) -> bool:
        """Nothing stored for this namespace yet (a cold run): no lookup can hit."""
        if self._db is None:
            return True
        try:
            found = self._db.execute(
                "SELECT 1 FROM results WHERE namespace = ? LIMIT 1", (self.namespace,)
            ).fetchone()
        except sqlite3.Error:
            return False
        return found is None

    @classmethod
    def for_job(
        cls, root: Path, job: Job, spec_digest: str, known_shas: dict[str, str] | None = None
    ) -> ResultCache:
        facts = job.facts.namespace if job.facts is not None else None
        return cls(root, namespace(job, spec_digest), known_shas=known_shas, facts=facts)

    def sha(self, path: str) -> str | None:
        """The content sha of `path`: from the index when git vouches for it, else hashed."""
        if path in self.known_shas:
            return self.known_shas[path]
        if path not in self._shas:
            try:
                self._shas[path] = blob_sha((self.root / path).read_bytes())
            except OSError:
                return None
        return self._shas[path]

    def lookup(self, paths: list[str]) -> dict[str, FileResult]:
        """The stored results of those paths whose content is unchanged."""
        found: dict[str, FileResult] = {}
        for path, payload in self.payloads(paths).items():
            result = self._decode(path, payload)
            if result is not None:
                found[path] = result
        self.hits += len(found)
        self.misses += len(paths) - len(found)
        return found

    def payloads(self, paths: list[str]) -> dict[str, bytes]:
        """The stored payloads of those paths whose content is unchanged."""
        if self._db is None or self._empty:
            return {}
        wanted = {p: s for p in paths if (s := self.sha(p)) is not None}
        found: dict[str, bytes] = {}
        marks_max = 900  # SQLite's bound on parameters per statement, with room for the namespace
        names = list(wanted)
        try:
            for start in range(0, len(names), marks_max):
                chunk = names[start : start + marks_max]
                rows = self._db.execute(
                    "SELECT path, sha, payload FROM results WHERE namespace = ? AND path IN "
                    f"({','.join('?' * len(chunk))})",
                    (self.namespace, *chunk),
                ).fetchall()
                found.update((path, payload) for path, sha, payload in rows if wanted[path] == sha)
        except sqlite3.Error:
            self._db = None
            return {}
        return found

    def store(self, results: Iterable[FileResult]) -> None:
        """Remember results computed from the content `sha()` saw, and the facts they carry
        (under `facts_namespace`); errors of reading are not."""
        kept = [r for r in results if not (r.error and r.error.startswith("cannot read"))]
        self.store_payloads((result.path, encode(result)) for result in kept)
        if self.facts_namespace is not None:
            facts = [(r.path, r.facts) for r in kept if r.facts is not None]
            if facts:
                self.store_payloads(facts, self.facts_namespace)

    def store_payloads(self, items: Iterable[tuple[str, bytes]], ns: str | None = None) -> None:
        """Remember payloads computed from the content `sha()` saw, in this cache's namespace
        or `ns` (while git is still answering `known_shas`, they wait for it: the caller goes
        on working)."""
        if self._db is None:
            return
        ns = ns or self.namespace
        self._used.add(ns)
        self._waiting.extend((ns, path, payload) for path, payload in items)
        if self._known is None and self._asked is not None and not self._asked.ready():
            return
        self._store_waiting()

    def _store_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        if self._db is None:
            return
        rows = [
            (ns, path, sha, payload)
            for ns, path, payload in waiting
            if (sha := self.sha(path)) is not None
        ]
        try:
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error:
            self._db = None

    def close(self) -> None:
        """Commit this run's entries in one transaction and prune long-unused namespaces."""
        self.known_shas  # noqa: B018 - git, if still at work, is waited for
        self._store_waiting()
        if self._db is None:
            return
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO namespaces VALUES (?, julianday('now'))",
                [(ns,) for ns in sorted(self._used)],
            )
            stale = self._db.execute(
                "SELECT namespace FROM namespaces ORDER BY used DESC LIMIT -1 OFFSET ?",
                (KEEP_NAMESPACES,),
            ).fetchall()
            for (old,) in stale:
                self._db.execute("DELETE FROM results WHERE namespace = ?", (old,))
                self._db.execute("DELETE FROM namespaces WHERE namespace = ?", (old,))
            self._db.execute("COMMIT")
        except sqlite3.Error:
            pass
        finally:
            self._db.close()
            self._db = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- a whole scan's report, for a re-scan of an unchanged tree -------------------------

    def tree_key(self, paths: Iterable[str]) -> str | None:
        """A digest of every path with its content sha (None if one cannot be read).

        Inside git the shas come from the index, so an unchanged tree costs no file reads.
        """
        digest = hashlib.sha256(self.namespace.encode())
        for path in paths:
            sha = self.sha(path)
            if sha is None:
                return None
            digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + sha.encode())
        return digest.hexdigest()

    def recall(self, key: str) -> dict | None:
        """The document stored for this tree key, if any (a corrupt one is a miss)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT payload FROM results WHERE namespace = ? AND path = ? AND sha = ?",
                (self.namespace, WHOLE_TREE, key),
            ).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def remember(self, key: str, document: dict) -> None:
        """Store a document for this tree key (one per namespace: the latest tree)."""
        if self._db is None:
            return
        try:
            payload = json.dumps(document, separators=(",", ":")).encode()
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                (self.namespace, WHOLE_TREE, key, payload),
            )
        except sqlite3.Error:
            self._db = None

    def _decode(self, path: str, payload: bytes) -> FileResult | None:
        try:
            return decode(path, payload, self.root)
        except Exception:  # noqa: BLE001 - a corrupt entry is a miss, whatever is wrong with it
            return None


def encode(result: FileResult) -> bytes:
    """A compact JSON form; an untouched file (the common case) is two bytes."""
    if result == FileResult(result.path):
        return b"{}"
    data: dict[str, object] = {}
    if result.findings:
        data["f"] = [
            [f.rule, f.line, f.column, f.message, f.fixable, f.manual_review]
            for f in result.findings
        ]
    if result.counts:
        data["c"] = result.counts
    if result.names:
        data["n"] = {metric: sorted(values) for metric, values in result.names.items()}
    for key, value in (("e", result.error), ("s", result.skipped)):
        if value is not None:
            data[key] = value
    if result.changes:
        data["x"] = result.changes
    if result.new is not None:
        data["w"] = result.new.decode("latin-1")
    return json.dumps(data, separators=(",", ":")).encode()


def decode(path: str, payload: bytes, root: Path) -> FileResult:
    """The result `encode` stored; an entry with new content reads the original from disk."""
    data = json.loads(payload)
    result = FileResult(path)
    result.findings = [
        Finding(rule, path, int(line), int(column), message, bool(fixable), bool(review))
        for rule, line, column, message, fixable, review in data.get("f", [])
    ]
    result.counts = {str(k): int(v) for k, v in data.get("c", {}).items()}
    result.names = {str(k): set(v) for k, v in data.get("n", {}).items()}
    result.error = data.get("e")
    result.skipped = data.get("s")
    result.changes = {str(k): int(v) for k, v in data.get("x", {}).items()}
    if "w" in data:
        result.new = data["w"].encode("latin-1")
        result.original = (root / path).read_bytes()
    return result
