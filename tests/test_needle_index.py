"""The needle index of a plan: each run reads only the files holding one of its needles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrator.engine.file_map import here
from migrator.engine.needle_index import UNREAD, NeedleIndex


def tree(root: Path) -> list[str]:
    (root / "old.py").write_bytes(b"from pkg import ExecutionEngine\n")
    (root / "plain.py").write_bytes(b"x = 1\n")
    (root / "new.py").write_bytes(b"from pkg import UserExecutionEngine\n")
    os.symlink(root / "old.py", root / "link.py")
    return ["link.py", "new.py", "old.py", "plain.py"]


def test_each_file_holds_every_needle_found_in_it_overlapping_ones_too(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    words = [b"ExecutionEngine", b"UserExecutionEngine", b"MOCK_AUTH"]
    index = NeedleIndex(words, paths, here(tmp_path))
    assert index.held == {
        "link.py": UNREAD,  # never followed: the run reads it and reports the link
        "new.py": frozenset({b"ExecutionEngine", b"UserExecutionEngine"}),
        "old.py": frozenset({b"ExecutionEngine"}),
    }


def test_a_run_reads_the_files_with_its_needles_and_those_the_index_could_not_read(
    tmp_path: Path,
) -> None:
    paths = tree(tmp_path)
    index = NeedleIndex([b"ExecutionEngine", b"UserExecutionEngine"], paths, here(tmp_path))
    assert index.worth_reading(paths, [b"UserExecutionEngine"]) == ["link.py", "new.py"]
    assert index.worth_reading(paths, [b"ExecutionEngine"]) == ["link.py", "new.py", "old.py"]
    assert index.worth_reading(["plain.py"], [b"ExecutionEngine"]) == []


def test_a_run_reads_every_file_when_the_index_cannot_answer_for_it(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    index = NeedleIndex([b"ExecutionEngine"], paths, here(tmp_path))
    # a needle the index did not look for (repository facts can add some)
    assert index.worth_reading(paths, [b"ExecutionEngine", b"Bridge"]) == paths
    # a file it did not read
    (tmp_path / "more.py").write_bytes(b"y = 2\n")
    assert index.worth_reading([*paths, "more.py"], [b"ExecutionEngine"]) == [*paths, "more.py"]
    assert NeedleIndex([], paths, here(tmp_path)).worth_reading(paths, [b"x"]) == paths


def test_a_single_run_reads_again_only_the_files_its_facts_pass_found_needles_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts pre-pass notes the run's needles in each file it reads (`NeedleCensus`);
    the run then reads only those files, the unreadable ones, and every file when the
    census did not read them all (cached facts), with the same change set."""
    from benchmarks.generate import commit, generate
    from migrator.engine import runner
    from migrator.engine.changes import compute_changes
    from migrator.spec import default_spec_text, parse_spec

    root = tmp_path / "repo"
    root.mkdir()
    generate(root, files=600, affected=0.05, seed=3, median_size=400)
    commit(root)
    spec = parse_spec(default_spec_text(), "default")
    read: list[str] = []
    real = runner.process_file

    def counting(job: runner.Job, path: str, **kwargs: object) -> runner.FileResult:
        read.append(path)
        return real(job, path, **kwargs)

    monkeypatch.setattr(runner, "process_file", counting)
    cold = compute_changes(root, spec, ("imports",), jobs=1, facts_cache=False)
    job = runner.Job(str(root), spec.rules, ("imports",))
    holding = [p for p in sorted(read) if job.occurrences((root / p).read_bytes())]
    python = [p for p in root.rglob("*.py") if ".git" not in p.parts]
    assert sorted(read) == holding and 0 < len(read) < len(python) / 5
    read.clear()
    stored = compute_changes(root, spec, ("imports",), jobs=1, facts_cache=True)
    assert sorted(read) == holding  # its facts read from the files, and stored
    read.clear()
    from_store = compute_changes(root, spec, ("imports",), jobs=1, facts_cache=True)
    assert len(read) == len(python)  # facts from the store: no census, every file read
    changes = [[(r.path, r.new) for r in s.changed] for s in (cold, stored, from_store)]
    assert changes[0] == changes[1] == changes[2] and changes[0]
