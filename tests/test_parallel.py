"""Parallel workers: `--jobs 1` and `--jobs 2` give identical results, streamed in path order."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from benchmarks.generate import generate
from codemods import CODEMODS
from migrator import runner
from migrator.changes import compute_changes
from migrator.progress import track
from migrator.runner import Job, run_files
from migrator.scan import scan
from migrator.spec import default_spec_text, parse_spec
from tests.test_prefilter import sample_report

SPEC = parse_spec(default_spec_text(), "default")


def test_scan_jobs_1_and_2_identical_on_a_generated_repository(tmp_path: Path) -> None:
    generate(tmp_path, files=100, affected=0.1, seed=11, median_size=200)
    (tmp_path / "netra_backend/app/broken.py").write_text("from x import ExecutionEngine(\n")
    one = scan(tmp_path, SPEC, jobs=1).to_dict()
    two = scan(tmp_path, SPEC, jobs=2).to_dict()
    assert one == two
    assert one["files_scanned"] == 101 > runner.INLINE_LIMIT
    assert [e["path"] for e in one["errors"]] == ["netra_backend/app/broken.py"]
    assert one["metrics"]["deprecated_imports"] > 0


def test_scan_jobs_1_and_2_identical_on_the_sample_repository() -> None:
    assert sample_report(1) == sample_report(2)
    assert sample_report(1)["files_scanned"] > runner.INLINE_LIMIT


def test_changes_jobs_1_and_2_identical(tmp_path: Path) -> None:
    generate(tmp_path, files=80, affected=0.1, seed=5, median_size=200)
    one = compute_changes(tmp_path, SPEC, tuple(CODEMODS), jobs=1)
    two = compute_changes(tmp_path, SPEC, tuple(CODEMODS), jobs=2)
    assert one.changed, "the generated tree has something to rewrite"
    assert [(r.path, r.new, r.changes, r.findings, r.error) for r in one.results] == [
        (r.path, r.new, r.changes, r.findings, r.error) for r in two.results
    ]


def test_results_stream_in_path_order_with_bounded_work_in_flight(
    tmp_path: Path, monkeypatch
) -> None:
    """The pool never holds more than jobs * IN_FLIGHT chunks, however many files there are."""
    monkeypatch.setattr(runner, "CHUNK", 2)
    paths = [f"m{i:03}.py" for i in range(200)]
    for path in paths:
        (tmp_path / path).write_text("x = 1\n" if path != "m150.py" else "ExecutionEngine(\n")
    submitted: list[int] = []
    real_submit = runner._submit

    def submit(pool, job, chunk, cache):
        submitted.append(len(chunk))
        return real_submit(pool, job, chunk, cache)

    monkeypatch.setattr(runner, "_submit", submit)
    job = Job(str(tmp_path), SPEC.rules, tuple(CODEMODS))
    stream = run_files(job, paths, jobs=2)
    first = next(stream)
    assert first.path == "m000.py"
    assert len(submitted) == 2 * runner.IN_FLIGHT
    rest = list(stream)
    assert [r.path for r in [first, *rest]] == paths
    assert [r.path for r in rest if r.error] == ["m150.py"]


def test_progress_only_on_a_terminal_and_only_for_long_runs() -> None:
    quiet = Console(file=io.StringIO(), force_terminal=False)
    assert list(track(range(5), 5, "scanning", console=quiet, delay=0)) == [0, 1, 2, 3, 4]
    assert quiet.file.getvalue() == ""
    short = Console(file=io.StringIO(), force_terminal=True)
    assert list(track(range(5), 5, "scanning", console=short, delay=60)) == [0, 1, 2, 3, 4]
    assert short.file.getvalue() == ""
    long = Console(file=io.StringIO(), force_terminal=True)
    assert list(track(range(5), 5, "scanning", console=long, delay=0)) == [0, 1, 2, 3, 4]
    assert "scanning" in long.file.getvalue()
