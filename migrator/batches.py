"""Plan and run batches: apply, gate, then commit or restore, chunk by chunk, crash-safe."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from codemods.core.values import Finding
from migrator.changes import ChangeSet, compute_changes
from migrator.chunking import cut_chunks
from migrator.fileio import atomic_write
from migrator.gates import GateResult, execute, failed_tests, run_gate
from migrator.gitops import GitError, Repository, open_repository
from migrator.history import History, history_of
from migrator.journal import Journal, put_back
from migrator.lock import LockHeld, alive, hold, holder, lock_path
from migrator.runner import FileResult
from migrator.scan import scan
from migrator.spec import Batch, Spec, Target

PAUSE_HOOK = "MIGRATOR_TEST_PAUSE_AFTER_WRITES"  # tests only: sleep after N writes (then kill -9)
# tests only: sleep after the Nth commit, before its journal is cleared (the last window of a chunk)
PAUSE_COMMIT_HOOK = "MIGRATOR_TEST_PAUSE_AFTER_COMMITS"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Say = Callable[[str], None]
Chooser = Callable[[list[FileResult]], "ChosenChanges"]


class Refused(Exception):
    """The run cannot start (exit 2); the message says why."""


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
    record: dict[str, object]
    record_path: Path | None = None


# ---- preflight ---------------------------------------------------------------------------
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


# ---- plan --------------------------------------------------------------------------------
@dataclass
class BatchPlan:
    """What a batch would do now, and whether it already landed."""

    batch: Batch
    change_set: ChangeSet
    landed: bool
    rolled_back: bool

    def to_dict(self) -> dict[str, object]:
        changed = self.change_set.changed
        return {
            "name": self.batch.name,
            "rules": list(self.batch.rules),
            "paths": list(self.batch.paths),
            "exclude": list(self.batch.exclude),
            "files": len(changed),
            "changes": sum(sum(r.changes.values()) for r in changed),
            "changes_per_rule": dict(sorted(self.change_set.changes_per_rule().items())),
            "manual_review": [f.to_dict() for f in self.change_set.manual_review],
            "targets": {m: t.describe() for m, t in self.batch.targets.items()},
            "landed": self.landed,
            "rolled_back": self.rolled_back,
        }


def plan_batches(root: Path, spec: Spec, history: History, jobs: int | None) -> list[BatchPlan]:
    plans = []
    for batch in spec.batches:
        change_set = compute_changes(root, spec, batch.rules, batch.paths, batch.exclude, jobs)
        commits = history.of_batch(batch.name)
        landed = history.landed(batch.name)
        plans.append(BatchPlan(batch, change_set, landed, bool(commits) and not landed))
    return plans


# ---- targets -----------------------------------------------------------------------------
def target_rows(
    metrics: dict[str, float], targets: dict[str, Target]
) -> list[tuple[str, float, str, bool]]:
    """(metric, value, target, met) for every target."""
    return [
        (name, metrics.get(name, 0), target.describe(), target.met(metrics.get(name, 0)))
        for name, target in targets.items()
    ]


def status_targets(spec: Spec, metrics: dict[str, float]) -> list[dict[str, object]]:
    """Every batch's targets and the final ones, judged against `metrics`."""
    scopes = [(b.name, b.targets) for b in spec.batches] + [("final", spec.final_targets())]
    return [
        {"scope": scope, "metric": metric, "value": value, "target": target, "met": met}
        for scope, targets in scopes
        for metric, value, target, met in target_rows(metrics, targets)
    ]


def compact(metrics: dict[str, float]) -> str:
    return json.dumps(metrics, separators=(",", ":"), sort_keys=False)


# ---- run ---------------------------------------------------------------------------------
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
        self.writes = 0
        self.started = time.time()
        self.record: dict[str, object] = {
            "batch": batch.name,
            "rules": list(self.rules),
            "spec": spec.source,
            "spec_digest": spec.digest,
            "base": repo.head_sha(),
            "branch": repo.branch(),
            "started": _iso(self.started),
            "outcome": "running",
            "commits": [],
            "files": [],
            "chunks": [],
            "baseline": [],
            "skipped_by_user": [],
            "timings": {},
        }

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
        self.record["skipped_by_user"] = chosen.skipped
        self.files = {r.path: self._file_entry(r, chosen) for r in change_set.results}
        self.record["files"] = list(self.files.values())
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
        baselines = self._baselines()
        timer = time.monotonic()
        before = self._metrics()
        self.record["metrics_before"] = before
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
        self.record["metrics_after"] = before
        self.record["targets"] = [
            {"metric": m, "value": v, "target": t, "met": ok}
            for m, v, t, ok in target_rows(before, self.batch.targets)
        ]
        count = len(self.record["commits"])  # type: ignore[arg-type]
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
        entry: dict[str, object] = {"index": index, "files": chunk, "gates": []}
        self.record["chunks"].append(entry)  # type: ignore[union-attr]
        self.parent = self.repo.head_sha()
        self.journal.clear()
        self.journal.begin({"batch": self.batch.name, "parent": self.parent, "chunk": index})
        for path in chunk:
            timer = time.monotonic()
            self.journal.record(self.root, path)
            atomic_write(self.root / path, chosen.contents[path])
            self.files[path]["write_seconds"] = round(time.monotonic() - timer, 6)
            self.files[path]["chunk"] = index
            self._after_write()
        gates: list[GateResult] = []
        for number, gate in enumerate(self.batch.gates):
            self.say(f"gate: {' '.join(gate.argv)}")
            result = run_gate(gate, self.root, baselines.get(number))
            gates.append(result)
            entry["gates"] = [g.to_dict() for g in gates]
            if not result.passed:
                return self._gate_failed(index, total, chunk, entry, result)
        after = self._metrics()
        message = commit_message(
            self.spec,
            self.batch,
            self.rules,
            index,
            total,
            chunk,
            str(self.record["base"]),
            before,
            after,
            bool(self.batch.gates),
        )
        try:
            sha = self.repo.commit_paths(chunk, message)
        except GitError as error:
            self._restore_current()
            self._mark(chunk, "restored")
            entry["status"] = "commit-failed"
            return self._finish(
                EXIT_FAILED,
                "commit-failed",
                f"{self.batch.name}: chunk {index}/{total} not committed ({error}); "
                f"its {len(chunk)} file(s) were restored" + self._landed_note(),
            )
        self._test_pause(PAUSE_COMMIT_HOOK, index, "commit(s)")
        self.journal.clear()
        entry.update(status="committed", commit=sha, metrics_before=before, metrics_after=after)
        self.record["commits"].append(sha)  # type: ignore[union-attr]
        self._mark(chunk, "committed")
        self.say(f"committed {sha[:12]} ({index}/{total})")
        return after

    def _gate_failed(
        self, index: int, total: int, chunk: list[str], entry: dict, result: GateResult
    ) -> RunResult:
        restored = self._restore_current()
        self._mark(chunk, "restored")
        entry["status"] = "gate-failed"
        self.say(f"gate failed: {' '.join(result.argv)} (exit {result.returncode}); last lines:")
        self.say(result.tail())
        if result.new_failures:
            self.say("new failures: " + ", ".join(result.new_failures))
        return self._finish(
            EXIT_FAILED,
            "gate-failed",
            f"{self.batch.name}: gate failed on chunk {index}/{total}; restored "
            f"{len(restored)} file(s), nothing committed for it" + self._landed_note(),
        )

    # -- helpers --
    def _landed_note(self) -> str:
        commits = self.record["commits"]
        if not commits:
            return ""
        shas = ", ".join(sha[:12] for sha in commits)  # type: ignore[union-attr]
        return f"; chunks already committed stay: {shas}"

    def _restore_current(self) -> list[str]:
        """Undo the current chunk's writes from the journal (unless its commit landed)."""
        paths = self.journal.paths()
        if paths and self.repo.head_sha() == getattr(self, "parent", self.repo.head_sha()):
            self.journal.restore(self.root)
        self.journal.clear()
        return paths

    def _baselines(self) -> dict[int, set[str]]:
        baselines: dict[int, set[str]] = {}
        for number, gate in enumerate(self.batch.gates):
            if not gate.baseline:
                continue
            self.say(f"baseline: {' '.join(gate.argv)} (on the untouched tree)")
            code, output, seconds = execute(gate, self.root)
            baselines[number] = set(failed_tests(output))
            self.record["baseline"].append(  # type: ignore[union-attr]
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

    def _after_write(self) -> None:
        self.writes += 1
        self._test_pause(PAUSE_HOOK, self.writes, "write(s)")

    @staticmethod
    def _test_pause(variable: str, count: int, what: str) -> None:
        pause = os.environ.get(variable)
        if pause and pause.isdigit() and count == int(pause):
            print(f"migrator: test pause after {count} {what}", file=sys.stderr, flush=True)
            time.sleep(300)

    def _mark(self, chunk: list[str], status: str) -> None:
        for path in chunk:
            self.files[path]["status"] = status

    def _file_entry(self, result: FileResult, chosen: ChosenChanges) -> dict[str, object]:
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
        return {
            "path": result.path,
            "status": status,
            "rules": sorted(result.changes),
            "edits": dict(result.changes),
            "skip_reason": result.skipped,
            "error": result.error,
            "skipped_hunks": len(skipped),
            "manual_review": [f.to_dict() for f in result.findings if f.manual_review],
            "findings": len(result.findings),
        }

    def _timing(self, name: str, since: float) -> None:
        self.record["timings"][name] = round(time.monotonic() - since, 3)  # type: ignore[index]

    def _finish(self, code: int, outcome: str, message: str) -> RunResult:
        for entry in getattr(self, "files", {}).values():
            if entry["status"] == "pending":
                entry["status"] = "not-written"  # the run stopped before its chunk
        finished = time.time()
        self.record.update(
            outcome=outcome,
            exit_code=code,
            message=message,
            finished=_iso(finished),
            seconds=round(finished - self.started, 3),
        )
        path = save_record(self.repo.git_dir, self.batch.name, self.record)
        return RunResult(code, message, self.record, path)


def save_record(git_dir: Path, batch: str, record: dict[str, object]) -> Path:
    """Write the run record to `.git/migrator/runs/<timestamp>-<batch>.json`."""
    runs = git_dir / "migrator" / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = runs / f"{stamp}-{batch}.json"
    atomic_write(path, (json.dumps(record, indent=2, default=_json_default) + "\n").encode())
    return path


def _json_default(value: object) -> object:
    if isinstance(value, Finding):
        return value.to_dict()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value).__name__)


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


def load_history(root: Path) -> History:
    repo = open_repository(root)
    return history_of(repo) if repo else History()
