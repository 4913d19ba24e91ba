"""Load (`make fuzz` only): a 20,000-file repository scanned and dry-run with bounded memory, and
a 2,000-file batch landing as chunked commits. Measured numbers: benchmarks/LOAD.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import commit, generate
from tests.batchkit import cli, commit_count, git, make_repo, register, spec_text, status
from tests.spec_modules import stub_spec_modules

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MIGRATOR = str(Path(sys.executable).parent / "migrator")
FILES = 20_000
PEAK_LIMIT_MB = 400  # measured 153 MB for the scan (LOAD.md): workers stream, nothing piles up
BATCH_FILES, PER_COMMIT = 2_000, 200


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory) -> tuple[Path, int]:
    """The generated repository, with stubs of the modules the built-in spec names that it
    lacks (`run` refuses a spec whose paths are missing); and how many files it has."""
    out = tmp_path_factory.mktemp("load") / "repo"
    stats = generate(out, FILES, 0.05, median_size=1500)
    assert stats["files"] == FILES
    stubs = stub_spec_modules(out)
    commit(out)
    return out, FILES + len(stubs)


def measured(command: str, cwd: Path) -> dict:
    """Peak RSS (largest single process) and wall time of a shell command, via measure.py."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/measure.py"), "--", "sh", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_scan_of_20000_files_has_bounded_memory(big_repo, tmp_path: Path) -> None:
    repo, files = big_repo
    report = tmp_path / "scan.json"
    record = measured(f"{MIGRATOR} scan . --format json --no-cache --jobs 2 > {report}", repo)
    assert record["code"] == 0
    assert record["peak_mb"] < PEAK_LIMIT_MB, record
    data = json.loads(report.read_text())
    assert data["files_scanned"] == files
    assert data["metrics"]["deprecated_imports"] > 0


def test_dry_run_of_20000_files_has_bounded_memory(big_repo, tmp_path: Path) -> None:
    repo, _files = big_repo
    summary = tmp_path / "summary.txt"
    command = f"{MIGRATOR} run --dry-run --no-cache --jobs 2 > /dev/null 2> {summary}"
    record = measured(command, repo)
    assert record["code"] == 0, summary.read_text()[-2000:]
    assert record["peak_mb"] < PEAK_LIMIT_MB, record
    assert "files would change" in summary.read_text()
    assert status(repo) == ""  # a dry run writes nothing


def test_2000_file_batch_lands_as_chunked_commits(tmp_path: Path, monkeypatch) -> None:
    register(monkeypatch)
    files = {f"pkg{i // 50:02d}/m{i:04d}.py": f"V{i} = OLD_CALL\n" for i in range(BATCH_FILES)}
    repo = make_repo(tmp_path / "repo", files, spec_text(max_files=PER_COMMIT))
    result = cli("run", "week-1", "--repo", str(repo), "--jobs", "1")
    assert result.exit_code == 0, result.output
    commits = git(repo, "rev-list", "--reverse", "HEAD").split()[1:]
    assert len(commits) == commit_count(repo) - 1 == BATCH_FILES // PER_COMMIT
    landed: list[str] = []
    for index, sha in enumerate(commits, 1):
        touched = git(repo, "show", "--name-only", "--format=", sha).split()
        assert 0 < len(touched) <= PER_COMMIT
        trailer = git(repo, "log", "-1", "--format=%(trailers:key=Migration-Chunk,valueonly)", sha)
        assert trailer.strip() == f"{index}/{len(commits)}"
        landed += touched
    assert sorted(landed) == sorted(files)
    assert status(repo) == ""
    assert all(
        (repo / p).read_text() == f"V{p[-7:-3].lstrip('0') or 0} = NEW_CALL\n" for p in files
    )
