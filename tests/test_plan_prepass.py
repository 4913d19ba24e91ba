"""`plan` computes its batches over one tree with one `Prepass`: each batch's change set is the
one a separate `compute_changes` gives, and what the batches share is computed once."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import commit
from codemods.core.paths import PathMap
from migrator.batch.history import History
from migrator.batch.plan import plan_batches
from migrator.engine import cache, importers, prepass, run_memo, runner
from migrator.engine import discover as discover_module
from migrator.engine.changes import ChangeSet, compute_changes, ordered_rules
from migrator.engine.discover import discover
from migrator.git import IndexShas, index_shas, work_tree_files
from migrator.spec import Batch, default_spec_text, parse_spec

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
SPEC = parse_spec(default_spec_text(), "default")
ALIAS = "netra_backend/app/agents/execution_engine_consolidated.py"  # `Old = New` at top level


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a cold facts cache
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    return root


def needled(root: Path, batch: Batch) -> set[str]:
    """The batch's files that hold one of its codemods' needles."""
    job = runner.Job(str(root), SPEC.rules, ordered_rules(batch.rules))
    files = discover(root, SPEC.include, SPEC.exclude, batch.paths, batch.exclude)
    return {path for path in files if job.occurrences((root / path).read_bytes())}


def rows(change_set: ChangeSet) -> tuple[int, list[tuple]]:
    """Everything a change set holds of each file."""
    fields = [
        (r.path, r.original, r.new, r.changes, r.findings, r.counts, r.names, r.error, r.skipped)
        for r in change_set.results
    ]
    return change_set.files_considered, fields


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_batch_of_a_plan_is_what_a_run_of_it_alone_gives(sample: Path, jobs: int) -> None:
    plans = plan_batches(sample, SPEC, History(), jobs)
    alone = [compute_changes(sample, SPEC, b.rules, b.paths, b.exclude, jobs) for b in SPEC.batches]
    assert [rows(p.change_set) for p in plans] == [rows(c) for c in alone]
    assert [len(p.change_set.changed) for p in plans] == [2, 6, 25, 35]
    # The alias file is rewritten differently by week-3 (files outside it import the alias,
    # which it keeps) and week-4 (nothing is outside): its results are not shared.
    week3, week4 = ({r.path: r for r in p.change_set.results}[ALIAS] for p in plans[2:])
    assert week3.new != week4.new
    assert any("files outside this run import" in f.message for f in week3.findings)
    assert not any("files outside this run import" in f.message for f in week4.findings)


def test_a_plan_computes_each_shared_fact_once(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    facts_of: Counter[str] = Counter()

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    def file_facts(root, path, *args):
        facts_of[path] += 1
        return real_file_facts(root, path, *args)

    real_file_facts = importers._file_facts
    monkeypatch.setattr(importers, "_file_facts", file_facts)
    monkeypatch.setattr(prepass, "own_definitions", counted("own", prepass.own_definitions))
    monkeypatch.setattr(prepass, "flag_importers", counted("flags", prepass.flag_importers))
    monkeypatch.setattr(prepass, "worker_pool", counted("pool", prepass.worker_pool))
    monkeypatch.setattr(runner, "worker_pool", counted("runner pool", runner.worker_pool))
    monkeypatch.setattr(discover_module, "work_tree_files", counted("git", work_tree_files))
    commit(sample)
    plans = plan_batches(sample, SPEC, History(), 2)
    assert [p.batch.name for p in plans] == ["week-1", "week-2", "week-3", "week-4"]
    # Three batches need the own definitions, one the flag importers; the four share one pool,
    # and the tree is listed once for the four batches and the three pre-passes.
    assert calls == {"own": 1, "flags": 1, "pool": 1, "git": 1}
    python = [p for p in discover(sample, SPEC.include) if p.endswith(".py")]
    assert len(python) == 79
    assert facts_of == dict.fromkeys(python, 1)  # every file's importer facts, once


def test_week_4_takes_week_3s_results_of_the_files_binding_no_alias(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processed: Counter[tuple[tuple[str, ...], str]] = Counter()
    real = runner.process_file

    def process_file(job: runner.Job, path: str) -> runner.FileResult:
        processed[job.codemods, path] += 1
        return real(job, path)

    monkeypatch.setattr(runner, "process_file", process_file)
    plan_batches(sample, SPEC, History(), 1)
    week3, week4 = SPEC.batches[2:]
    assert week3.rules == week4.rules
    codemods = ordered_rules(week3.rules)
    three = set(discover(sample, SPEC.include, SPEC.exclude, week3.paths, week3.exclude))
    four = discover(sample, SPEC.include, SPEC.exclude, week4.paths, week4.exclude)
    assert ALIAS in three and len(three) == 64 and len(four) == 79
    twice = {path for (rules, path), n in processed.items() if rules == codemods and n == 2}
    once = {path for (rules, path), n in processed.items() if rules == codemods and n == 1}
    # Only the files of both that bind an alias of a moved name (`Old = New` at top level)
    # are computed twice: their result may read the outside imports, which differ.
    paths = PathMap(SPEC.rules)
    trees = {p: importers.parse_or_none((sample / p).read_bytes()) for p in three}
    aliases = {p for p, tree in trees.items() if tree and importers.binds_alias(tree, paths)}
    assert ALIAS in aliases and len(aliases) == 4
    assert twice == aliases
    # The files without a needle of the batch are not read by either (the shared needle index).
    assert once == needled(sample, week4) - aliases
    assert len(once) == 53


def test_a_cached_plan_asks_git_for_the_index_once_and_a_second_plan_recalls_it_all(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(sample)
    asked: list[Path] = []
    processed: list[str] = []

    def counted(root: Path) -> dict[str, str]:
        asked.append(root)
        return index_shas(root)

    def process_file(job: runner.Job, path: str) -> runner.FileResult:
        processed.append(path)
        return real(job, path)

    class Counted(IndexShas):
        def __init__(self, root: Path) -> None:
            asked.append(root)
            super().__init__(root)

    real = runner.process_file
    for module in (prepass, run_memo):
        monkeypatch.setattr(module, "index_shas", counted)
    monkeypatch.setattr(cache, "IndexShas", Counted)
    monkeypatch.setattr(runner, "process_file", process_file)
    first = plan_batches(sample, SPEC, History(), 1, cache=True)
    assert asked == [sample]  # the memos, the result caches and the facts cache of 4 batches
    # Each batch reads only the files holding its needles (2, 51, 46 and 57 of them), and
    # week-4 reuses week-3's results of its 42 alias-free files.
    assert [len(needled(sample, batch)) for batch in SPEC.batches] == [2, 51, 46, 57]
    assert len(processed) == 2 + 51 + 46 + 57 - 42
    processed.clear()
    second = plan_batches(sample, SPEC, History(), 1, cache=True)
    assert processed == []  # each batch recalled whole
    assert [p.to_dict() for p in second] == [p.to_dict() for p in first]


def test_a_plan_after_an_edit_reads_the_edited_file_not_the_tree(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(sample)
    plan_batches(sample, SPEC, History(), 1, cache=True)
    edited = "netra_backend/app/agents/builtin_agents.py"  # no needle: no repository fact moves
    (sample / edited).write_bytes((sample / edited).read_bytes() + b"\n# edited\n")
    indexes: list[int] = []
    processed: list[str] = []
    real_index, real_process = prepass.NeedleIndex, runner.process_file

    def index(words, paths, files):
        indexes.append(len(paths))
        return real_index(words, paths, files)

    def process_file(job: runner.Job, path: str) -> runner.FileResult:
        processed.append(path)
        return real_process(job, path)

    monkeypatch.setattr(prepass, "NeedleIndex", index)
    monkeypatch.setattr(runner, "process_file", process_file)
    again = plan_batches(sample, SPEC, History(), 1, cache=True)
    # Every batch's cache holds the other files' results: no read of the whole tree for the
    # needles, and only the edited file is read: once by each batch but week-4, which takes
    # week-3's result of it (it binds no alias).
    assert indexes == []
    assert processed == [edited] * 3
    fresh = plan_batches(sample, SPEC, History(), 1)
    assert [p.to_dict() for p in again] == [p.to_dict() for p in fresh]
