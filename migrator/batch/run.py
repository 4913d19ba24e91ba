"""Run a batch: apply, gate, then commit or restore, chunk by chunk, crash-safe."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from migrator.batch.chunking import cut_chunks
from migrator.batch.gates import (
    GATE_ENVIRONMENT_HINT,
    GateResult,
    execute,
    failed_tests,
    run_gate,
)
from migrator.batch.journal import Journal
from migrator.batch.lock import LockHeld, hold
from migrator.batch.plan import target_rows
from migrator.batch.preflight import Refused, open_for_change
from migrator.batch.record import ChunkRecord, FileRecord, RunRecord, save_record
from migrator.engine.changes import compute_changes
from migrator.engine.fileio import atomic_write
from migrator.engine.runner import FileResult
from migrator.engine.scan import scan
from migrator.git import GitError, Repository
from migrator.report.baseline import is_worse, ratcheted
from migrator.spec import Batch, Spec

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Say = Callable[[str], None]
Chooser = Callable[[list[FileResult]], "ChosenChanges"]


class Interrupted(BaseException):
    """SIGTERM arrived during a run."""


@dataclass
class ChosenChanges:
    """The bytes to write per file (all of a change, or the hunks a user took)."""

    contents: dict[str, bytes]
    skipped: list[dict[str, object]] = field(default_factory=list)


@dataclass
class RunResult:
    """How a run ended: exit code, the one-line verdict, the run record and where it was saved."""

    exit_code: int
    message: str
    record: RunRecord
    record_path: Path | None = None


def worsened(before: dict[str, float], after: dict[str, float]) -> list[str]:
    """The ratcheted metrics `after` is worse on (`canonical_import_usage` falling, any other
    rising; the raw count `canonical_imports` is not ratcheted)."""
    return [
        metric
        for metric, value in ratcheted(after).items()
        if metric in before and is_worse(metric, value, before[metric])
    ]


def compact(metrics: dict[str, float]) -> str:
    return json.dumps(metrics, separators=(",", ":"), sort_keys=False)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise inside the run so it can restore at once."""

    def on_term(signum: int, frame: object) -> None:
        raise Interrupted()

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
        previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def commit_message(
    spec: Spec,
    batch: Batch,
    rules: tuple[str, ...],
    index: int,
    total: int,
    files: list[str],
    base: str,
    before: dict[str, float],
    after: dict[str, float],
    gates_passed: bool,
) -> str:
    """The message of one chunk's commit, ending in the Migration-* trailers."""
    rule_list = ", ".join(rules)
    lines = [
        f"migrator: {batch.name} ({index}/{total}): {rule_list}",
        "",
        f"Rewrote {len(files)} file(s) with the {rule_list} codemod(s) of the "
        f"{spec.name} migration.",
    ]
    if batch.gates:
        lines.append("Gate: " + "; ".join(" ".join(g.argv) for g in batch.gates))
    lines += [
        "",
        f"Migration-Batch: {batch.name}",
        f"Migration-Chunk: {index}/{total}",
        f"Migration-Rules: {','.join(rules)}",
        f"Migration-Spec: {spec.digest}",
        f"Migration-Base: {base}",
        f"Migration-Metrics-Before: {compact(before)}",
        f"Migration-Metrics-After: {compact(after)}",
        f"Migration-Gate: {'passed' if gates_passed else 'none'}",
    ]
    return "\n".join(lines) + "\n"


def all_changes(results: list[FileResult]) -> ChosenChanges:
    return ChosenChanges({r.path: r.new or b"" for r in results})


class BatchRun:
    """One `migrator run BATCH`: the state a run carries from preflight to its record."""

    def __init__(
        self,
        repo: Repository,
        spec: Spec,
        batch: Batch,
        *,
        rules: tuple[str, ...] | None = None,
        jobs: int | None = None,
        chooser: Chooser | None = None,
        say: Say | None = None,
    ) -> None:
        self.repo, self.root, self.spec, self.batch = repo, repo.root, spec, batch
        self.rules = rules or batch.rules
        self.jobs, self.chooser = jobs, chooser
        self.say = say or (lambda text: print(text, file=sys.stderr))
        self.journal = Journal(repo.git_dir)
        self.files: dict[str, FileRecord] = {}  # path -> its entry in the record
        self.parent: str | None = None  # HEAD before the current chunk (None before the first)
        self.started = time.time()
        self.record = RunRecord(
            batch=batch.name,
            rules=list(self.rules),
            spec=spec.source,
            spec_digest=spec.digest,
            base=repo.head_sha(),
            branch=repo.branch(),
            started=_iso(self.started),
        )

    # -- the whole run --
    def run(self) -> RunResult:
        try:
            with hold(self.repo.git_dir, f"migrator run {self.batch.name}"):
                return self._run_locked()
        except LockHeld as error:
            raise Refused(str(error)) from None

    def _run_locked(self) -> RunResult:
        with signals_interrupt():
            try:
                result = self._run()
            except (KeyboardInterrupt, Interrupted):
                restored = self._restore_current()
                result = self._finish(
                    EXIT_INTERRUPTED,
                    "interrupted",
                    f"interrupted: restored {len(restored)} file(s) of the current chunk"
                    + self._landed_note(),
                )
            except BaseException:
                self._restore_current()
                raise
        return result

    def _run(self) -> RunResult:
        timer = time.monotonic()
        change_set = compute_changes(
            self.root, self.spec, self.rules, self.batch.paths, self.batch.exclude, self.jobs
        )
        self._timing("compute", timer)
        changed = change_set.changed
        chosen = self.chooser(changed) if self.chooser and changed else all_changes(changed)
        self.record.skipped_by_user = chosen.skipped
        self.files = {r.path: self._file_entry(r, chosen) for r in change_set.results}
        self.record.files = list(self.files.values())
        if not chosen.contents:
            what = "nothing taken" if changed else "nothing to change"
            return self._finish(EXIT_OK, "nothing-to-change", f"{self.batch.name}: {what}")
        paths = sorted(chosen.contents)
        dirty = self.repo.dirty_paths(paths)
        if dirty:
            raise Refused(
                f"{len(dirty)} file(s) the batch would change have uncommitted changes: "
                + ", ".join(dirty)
                + " (commit or stash them first)"
            )
        baselines = self._baselines(paths)
        timer = time.monotonic()
        before = self._metrics()
        self.record.metrics_before = before
        self._timing("metrics", timer)
        originals = {r.path: r.original or b"" for r in changed}
        limit = self.batch.max_files_per_commit
        chunks = cut_chunks(paths, chosen.contents, limit, before=originals)
        for index, chunk in enumerate(chunks, 1):
            self.say(f"{self.batch.name}: chunk {index}/{len(chunks)}: {len(chunk)} file(s)")
            outcome = self._chunk(index, len(chunks), chunk, chosen, baselines, before)
            if isinstance(outcome, RunResult):
                return outcome
            before = outcome
        self.record.metrics_after = before
        self.record.targets = [
            {"metric": m, "value": v, "target": t, "met": ok}
            for m, v, t, ok in target_rows(before, self.batch.targets)
        ]
        count = len(self.record.commits)
        return self._finish(
            EXIT_OK,
            "committed",
            f"{self.batch.name}: {len(paths)} file(s) committed in {count} commit(s)",
        )

    def _chunk(
        self,
        index: int,
        total: int,
        chunk: list[str],
        chosen: ChosenChanges,
        baselines: dict[int, set[str]],
        before: dict[str, float],
    ) -> dict[str, float] | RunResult:
        """Write, gate and commit one chunk; the metrics after it, or the run's end."""
        entry = ChunkRecord(index, chunk)
        self.record.chunks.append(entry)
        self.parent = self.repo.head_sha()
        self.journal.clear()
        self.journal.begin({"batch": self.batch.name, "parent": self.parent, "chunk": index})
        for path in chunk:
            timer = time.monotonic()
            self.journal.record(self.root, path)
            atomic_write(self.root / path, chosen.contents[path])
            self.files[path].write_seconds = round(time.monotonic() - timer, 6)
            self.files[path].chunk = index
        gates: list[GateResult] = []
        for number, gate in enumerate(self.batch.gates):
            self.say(f"gate: {' '.join(gate.argv)}")
            result = run_gate(gate, self.root, baselines.get(number), files=chunk)
            gates.append(result)
            entry.gates = [g.to_dict() for g in gates]
            if not result.passed:
                return self._gate_failed(index, total, chunk, entry, result)
        after = self._metrics()
        worse = worsened(before, after)
        if worse:
            return self._metrics_worse(index, total, chunk, entry, before, after, worse)
        message = commit_message(
            self.spec,
            self.batch,
            self.rules,
            index,
            total,
            chunk,
            str(self.record.base),
            before,
            after,
            bool(self.batch.gates),
        )
        try:
            sha = self.repo.commit_paths(chunk, message)
        except GitError as error:
            self._restore_current()
            self._mark(chunk, "restored")
            entry.status = "commit-failed"
            return self._finish(
                EXIT_FAILED,
                "commit-failed",
                f"{self.batch.name}: chunk {index}/{total} not committed ({error}); "
                f"its {len(chunk)} file(s) were restored" + self._landed_note(),
            )
        self.journal.clear()
        entry.status, entry.commit = "committed", sha
        entry.metrics_before, entry.metrics_after = before, after
        self.record.commits.append(sha)
        self._mark(chunk, "committed")
        self.say(f"committed {sha[:12]} ({index}/{total})")
        return after

    def _gate_failed(
        self, index: int, total: int, chunk: list[str], entry: ChunkRecord, result: GateResult
    ) -> RunResult:
        restored = self._restore_current()
        self._mark(chunk, "restored")
        entry.status = "gate-failed"
        self.say(f"gate failed: {' '.join(result.argv)} (exit {result.returncode}); last lines:")
        self.say(result.tail())
        if result.new_failures:
            self.say("new failures: " + ", ".join(result.new_failures))
        if result.interpreter:
            self.say(f"the gate's Python was {result.interpreter}; {GATE_ENVIRONMENT_HINT}")
        return self._finish(
            EXIT_FAILED,
            "gate-failed",
            f"{self.batch.name}: gate failed on chunk {index}/{total}; restored "
            f"{len(restored)} file(s), nothing committed for it" + self._landed_note(),
        )

    def _metrics_worse(
        self,
        index: int,
        total: int,
        chunk: list[str],
        entry: ChunkRecord,
        before: dict[str, float],
        after: dict[str, float],
        worse: list[str],
    ) -> RunResult:
        """A chunk that makes a ratcheted metric worse is never committed: restored, exit 1."""
        restored = self._restore_current()
        self._mark(chunk, "restored")
        entry.status = "metrics-worse"
        entry.metrics_before, entry.metrics_after = before, after
        changes = ", ".join(f"{m} {before[m]} -> {after[m]}" for m in worse)
        return self._finish(
            EXIT_FAILED,
            "metrics-worse",
            f"{self.batch.name}: chunk {index}/{total} would make {changes}; restored "
            f"{len(restored)} file(s), nothing committed for it" + self._landed_note(),
        )

    # -- helpers --
    def _landed_note(self) -> str:
        commits = self.record.commits
        if not commits:
            return ""
        shas = ", ".join(sha[:12] for sha in commits)
        return f"; chunks already committed stay: {shas}"

    def _restore_current(self) -> list[str]:
        """Undo the current chunk's writes from the journal (unless its commit landed)."""
        paths = self.journal.paths()
        if paths and (self.parent is None or self.repo.head_sha() == self.parent):
            self.journal.restore(self.root)
        self.journal.clear()
        return paths

    def _baselines(self, paths: list[str]) -> dict[int, set[str]]:
        """Each `baseline = true` gate on the untouched tree, over every file the batch will
        change (for `{files}` and built-in gates); a gate that already fails there is warned
        about: only new failures will fail a chunk."""
        baselines: dict[int, set[str]] = {}
        for number, gate in enumerate(self.batch.gates):
            if not gate.baseline:
                continue
            self.say(f"baseline: {' '.join(gate.argv)} (on the untouched tree)")
            code, output, seconds = execute(gate, self.root, files=paths)
            baselines[number] = set(failed_tests(output))
            if code != 0:
                self.say(
                    f"warning: gate `{' '.join(gate.argv)}` already fails on the untouched tree "
                    f"(exit {code}, {len(baselines[number])} failing test(s)); "
                    "a chunk fails only on new failures"
                )
            self.record.baseline.append(
                {
                    "argv": list(gate.argv),
                    "returncode": code,
                    "seconds": round(seconds, 3),
                    "failed_tests": sorted(baselines[number]),
                    "output": output,
                }
            )
        return baselines

    def _metrics(self) -> dict[str, float]:
        # The result cache (under .git/) re-analyzes only the files a chunk changed.
        return scan(
            self.root,
            self.spec,
            paths=self.batch.paths,
            exclude=self.batch.exclude,
            jobs=self.jobs,
            cache=True,
        ).metrics

    def _mark(self, chunk: list[str], status: str) -> None:
        for path in chunk:
            self.files[path].status = status

    def _file_entry(self, result: FileResult, chosen: ChosenChanges) -> FileRecord:
        skipped = [s for s in chosen.skipped if s["path"] == result.path]
        if result.error:
            status = "error"
        elif result.skipped:
            status = "skipped"
        elif result.changed and result.path in chosen.contents:
            status = "pending"
        elif result.changed:
            status = "skipped-by-user"
        else:
            status = "unchanged"
        return FileRecord(
            path=result.path,
            status=status,
            rules=sorted(result.changes),
            edits=dict(result.changes),
            skip_reason=result.skipped,
            error=result.error,
            skipped_hunks=len(skipped),
            manual_review=[f.to_dict() for f in result.findings if f.manual_review],
            findings=len(result.findings),
        )

    def _timing(self, name: str, since: float) -> None:
        self.record.timings[name] = round(time.monotonic() - since, 3)

    def _finish(self, code: int, outcome: str, message: str) -> RunResult:
        for entry in self.files.values():
            if entry.status == "pending":
                entry.status = "not-written"  # the run stopped before its chunk
        finished = time.time()
        self.record.outcome, self.record.exit_code, self.record.message = outcome, code, message
        self.record.finished = _iso(finished)
        self.record.seconds = round(finished - self.started, 3)
        path = save_record(self.repo.git_dir, self.record)
        return RunResult(code, message, self.record, path)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def run_batch(
    root: Path,
    spec: Spec,
    batch: Batch,
    *,
    allow_detached: bool = False,
    jobs: int | None = None,
    chooser: Chooser | None = None,
    say: Say | None = None,
) -> RunResult:
    """Preflight, then run the batch; `Refused` (exit 2) when it cannot start."""
    repo = open_for_change(root, allow_detached=allow_detached)
    return BatchRun(repo, spec, batch, jobs=jobs, chooser=chooser, say=say).run()
