"""Parallel workers: `--jobs 1` and `--jobs 2` give identical results, streamed in path order."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console

from benchmarks.generate import generate
from codemods import CODEMODS
from migrator.engine import runner
from migrator.engine.changes import compute_changes
from migrator.engine.runner import Job, run_files
from migrator.engine.scan import scan
from migrator.progress import track
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
    futures: list = []
    in_flight: list[int] = []  # unfinished chunks right after each submission
    real_submit = runner._submit

    def submit(pool, job, chunk, cache):
        item = real_submit(pool, job, chunk, cache)
        futures.append(item[2])
        in_flight.append(sum(1 for f in futures if f is not None and not f.done()))
        return item

    monkeypatch.setattr(runner, "_submit", submit)
    job = Job(str(tmp_path), SPEC.rules, tuple(CODEMODS))
    stream = run_files(job, paths, jobs=2)
    first = next(stream)
    assert first.path == "m000.py"
    rest = list(stream)
    assert len(in_flight) == 100  # every chunk of two files was submitted once
    assert max(in_flight) <= 2 * runner.IN_FLIGHT
    assert [r.path for r in [first, *rest]] == paths
    assert [r.path for r in rest if r.error] == ["m150.py"]


def test_one_slow_chunk_does_not_stall_the_others_and_the_buffer_is_bounded(
    tmp_path: Path, monkeypatch
) -> None:
    """While the first chunk is stuck, the workers finish later chunks, up to BUFFERED."""
    monkeypatch.setattr(runner, "CHUNK", 2)
    monkeypatch.setattr(runner, "BUFFERED", 12)
    paths = [f"m{i:03}.py" for i in range(80)]
    for path in paths:
        (tmp_path / path).write_text("x = 1\n")
    release, finished = threading.Event(), []
    real_chunk = runner._process_chunk

    def process_chunk(job, chunk):
        if "m000.py" in chunk:
            assert release.wait(30)
        results = real_chunk(job, chunk)
        finished.append(chunk[0])
        return results

    class ThreadPool:  # the real pool's interface, in threads so the test can hold one chunk
        def __init__(self, stack, workers):
            self.pool = stack.enter_context(ThreadPoolExecutor(max_workers=workers))

        def submit(self, job, chunk):
            return self.pool.submit(process_chunk, job, chunk)

    monkeypatch.setattr(runner, "_LazyPool", ThreadPool)
    job = Job(str(tmp_path), SPEC.rules, tuple(CODEMODS))
    collected: list = []
    consumer = threading.Thread(target=lambda: collected.extend(run_files(job, paths, jobs=2)))
    consumer.start()
    deadline = time.monotonic() + 30
    while len(finished) < runner.BUFFERED - 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # room to overrun the bound, were it not enforced
    assert len(finished) == runner.BUFFERED - 1  # every chunk but the stuck one, and no more
    assert collected == []
    release.set()
    consumer.join(30)
    assert [r.path for r in collected] == paths


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
