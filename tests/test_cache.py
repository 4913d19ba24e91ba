"""The result cache: a re-scan of an unchanged tree parses nothing, and nothing stale comes back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codemods.core.base import Finding
from migrator.cli import app
from migrator.engine import runner
from migrator.engine import scan as scan_module
from migrator.engine.cache import (
    DB_NAME,
    WHOLE_TREE,
    ResultCache,
    blob_sha,
    decode,
    encode,
)
from migrator.engine.changes import compute_changes
from migrator.engine.runner import FileResult
from migrator.engine.scan import scan
from migrator.git import index_shas
from migrator.spec import default_spec_text, parse_spec
from tests.parity import count_parses
from tests.spec_modules import stub_spec_modules

SPEC = parse_spec(default_spec_text(), "default")
OLD = "netra_backend.app.agents.supervisor.execution_engine"
CANON = "netra_backend.app.agents.supervisor.user_execution_engine"
DEPRECATED = f"from {OLD} import ExecutionEngine\n\nengines = [ExecutionEngine]\n"
CANONICAL = f"from {CANON} import UserExecutionEngine\n"
FILES = {
    "netra_backend/app/a.py": DEPRECATED,
    "netra_backend/app/b.py": CANONICAL,
    "netra_backend/app/plain.py": "def f():\n    return 1\n",
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Outside git the cache goes to the user cache directory: keep it inside the test."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the runner parses (in this process: the tests run with jobs=1)."""
    return count_parses(monkeypatch)


def git(root: Path, *args: str) -> None:
    env = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", *env, *args], cwd=root, check=True, capture_output=True)


def make_repo(root: Path, files: dict[str, str] = FILES, *, commit: bool = True) -> Path:
    repo = root / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    if commit:
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "initial")
    return repo


def summary(report) -> tuple:
    return report.to_dict()["metrics"], [f.to_dict() for f in report.findings], report.errors


def test_rescan_of_unchanged_repository_parses_nothing(tmp_path: Path, parses) -> None:
    repo = make_repo(tmp_path)
    first = scan(repo, SPEC, jobs=1, cache=True)
    assert sorted(parses) == ["netra_backend/app/a.py", "netra_backend/app/b.py"]
    assert (repo / ".git" / "migrator" / "cache" / DB_NAME).is_file()
    parses.clear()
    second = scan(repo, SPEC, jobs=1, cache=True)
    assert parses == []
    assert summary(second) == summary(first)
    assert first.metrics["deprecated_imports"] == 1 and first.metrics["canonical_imports"] == 1


def test_rescan_does_not_even_read_files_git_vouches_for(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path)
    scan(repo, SPEC, jobs=1, cache=True)
    reads: list[str] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    scan(repo, SPEC, jobs=1, cache=True)
    assert [name for name in reads if name.endswith(".py")] == []


@pytest.mark.parametrize("commit_change", [False, True], ids=["dirty", "committed"])
def test_a_changed_file_is_never_served_stale(tmp_path: Path, parses, commit_change) -> None:
    repo = make_repo(tmp_path)
    scan(repo, SPEC, jobs=1, cache=True)
    (repo / "netra_backend/app/b.py").write_text(DEPRECATED)
    if commit_change:
        git(repo, "commit", "-qam", "change")
    parses.clear()
    report = scan(repo, SPEC, jobs=1, cache=True)
    assert parses == ["netra_backend/app/b.py"]
    assert report.metrics["deprecated_imports"] == 2
    assert report.metrics["canonical_imports"] == 0
    assert summary(report) == summary(scan(repo, SPEC, jobs=1))


def test_same_size_same_second_edit_is_seen(tmp_path: Path, parses) -> None:
    """Content, not size or mtime, decides: a same-length edit right after a scan is seen."""
    repo = make_repo(tmp_path)
    scan(repo, SPEC, jobs=1, cache=True)
    target = repo / "netra_backend/app/a.py"
    target.write_text(DEPRECATED.replace("engine =", "eng1ne ="))
    report = scan(repo, SPEC, jobs=1, cache=True)
    assert [f.line for f in report.findings if f.path.endswith("a.py")] == [1]
    assert summary(report) == summary(scan(repo, SPEC, jobs=1))


def test_untracked_and_deleted_files(tmp_path: Path, parses) -> None:
    repo = make_repo(tmp_path)
    scan(repo, SPEC, jobs=1, cache=True)
    (repo / "netra_backend/app/new.py").write_text(DEPRECATED)
    (repo / "netra_backend/app/a.py").unlink()
    parses.clear()
    report = scan(repo, SPEC, jobs=1, cache=True)
    assert parses == ["netra_backend/app/new.py"]
    assert [f.path for f in report.findings if f.rule == "deprecated-import"] == [
        "netra_backend/app/new.py"
    ]


def test_a_changed_spec_never_reads_the_old_specs_results(tmp_path: Path, parses) -> None:
    repo = make_repo(tmp_path)
    before = scan(repo, SPEC, jobs=1, cache=True)
    assert before.metrics["deprecated_imports"] == 1
    narrower = parse_spec(
        default_spec_text().replace(f'old = "{OLD}.ExecutionEngine"', f'old = "{OLD}.Unused"'),
        "narrower",
    )
    assert narrower.digest != SPEC.digest
    parses.clear()
    after = scan(repo, narrower, jobs=1, cache=True)
    assert sorted(parses) == ["netra_backend/app/a.py", "netra_backend/app/b.py"]
    assert summary(after) == summary(scan(repo, narrower, jobs=1))
    assert after.metrics["deprecated_imports"] == 0
    parses.clear()
    assert summary(scan(repo, SPEC, jobs=1, cache=True)) == summary(before)
    assert parses == []


def test_outside_git_the_user_cache_directory_is_used(tmp_path: Path, user_cache, parses) -> None:
    repo = make_repo(tmp_path, commit=False)
    first = scan(repo, SPEC, jobs=1, cache=True)
    assert list(user_cache.glob(f"migrator/*/{DB_NAME}"))
    parses.clear()
    assert summary(scan(repo, SPEC, jobs=1, cache=True)) == summary(first)
    assert parses == []
    (repo / "netra_backend/app/plain.py").write_text(DEPRECATED)
    report = scan(repo, SPEC, jobs=1, cache=True)
    assert parses == ["netra_backend/app/plain.py"]
    assert report.metrics["deprecated_imports"] == 2


def test_a_corrupt_entry_is_a_miss(tmp_path: Path, parses) -> None:
    repo = make_repo(tmp_path)
    first = scan(repo, SPEC, jobs=1, cache=True)
    db = sqlite3.connect(repo / ".git" / "migrator" / "cache" / DB_NAME)
    with db:  # the file's entry and the whole tree's report
        db.execute(
            "UPDATE results SET payload = x'7b2266223a5b5b' WHERE path LIKE '%a.py' OR path = ?",
            (WHOLE_TREE,),
        )
    db.close()
    parses.clear()
    assert summary(scan(repo, SPEC, jobs=1, cache=True)) == summary(first)
    assert parses == ["netra_backend/app/a.py"]


def test_a_rescan_of_an_unchanged_tree_reuses_the_whole_report(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path)
    (repo / "netra_backend/app/broken.py").write_text("ExecutionEngine(\n")
    first = scan(repo, SPEC, jobs=1, cache=True)
    assert first.errors and first.findings

    def no_file_work(*args, **kwargs):
        raise AssertionError("an unchanged tree must not look at any file")

    monkeypatch.setattr(scan_module, "run_files", no_file_work)
    again = scan(repo, SPEC, jobs=1, cache=True)
    assert summary(again) == summary(first)
    assert again.files_scanned == first.files_scanned and again.skipped == first.skipped
    (repo / "netra_backend/app/broken.py").write_text("x = 1\n")  # one untracked file changes
    with pytest.raises(AssertionError, match="must not look"):
        scan(repo, SPEC, jobs=1, cache=True)


def test_a_corrupt_database_never_stops_a_scan(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = scan(repo, SPEC, jobs=1)
    store = repo / ".git" / "migrator" / "cache"
    store.mkdir(parents=True)
    (store / DB_NAME).write_bytes(b"this is not a database" * 100)
    assert summary(scan(repo, SPEC, jobs=1, cache=True)) == summary(first)
    assert summary(scan(repo, SPEC, jobs=1, cache=True)) == summary(first)


def test_no_cache_flag_reads_and_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    result = CliRunner().invoke(app, ["scan", str(repo), "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert not (repo / ".git" / "migrator").exists()
    result = CliRunner().invoke(app, ["scan", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (repo / ".git" / "migrator" / "cache" / DB_NAME).is_file()


def test_transform_results_are_cached_and_equal(tmp_path: Path, parses) -> None:
    repo = make_repo(tmp_path, commit=False)
    stub_spec_modules(repo)  # a rename moves only the names its new module provides
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "initial")):
        git(repo, *command)
    fresh = compute_changes(repo, SPEC, ("imports",), jobs=1)
    cold = compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    parses.clear()
    warm = compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    assert parses == []
    assert [r.path for r in fresh.changed] == ["netra_backend/app/a.py"]
    for other in (cold, warm):
        assert [(r.path, r.original, r.new, r.changes) for r in other.changed] == [
            (r.path, r.original, r.new, r.changes) for r in fresh.changed
        ]
        assert [f for r in other.results for f in r.findings] == [
            f for r in fresh.results for f in r.findings
        ]


def test_encode_decode_round_trip(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"old \xe9\r\n")
    result = FileResult(
        "m.py",
        findings=[Finding("deprecated-import", "m.py", 3, 4, "msg \u2192 x", True, False)],
        counts={"canonical_imports": 2},
        names={"token_validation_paths": {"a.b", "c.d"}},
        skipped=None,
        error="does not parse: x",
        original=b"old \xe9\r\n",
        new=b"new \xe9\xff\r\n",
        changes={"imports": 2},
    )
    back = decode("m.py", encode(result), tmp_path)
    assert back == result
    assert encode(FileResult("x.py")) == b"{}"


def test_index_shas_are_git_blob_shas_and_skip_modified_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    shas = index_shas(repo)
    assert shas == {name: blob_sha(text.encode()) for name, text in FILES.items()}
    (repo / "netra_backend/app/a.py").write_text("x = 1\n")
    assert "netra_backend/app/a.py" not in index_shas(repo)
    store = ResultCache(repo, "ns")
    assert store.sha("netra_backend/app/a.py") == blob_sha(b"x = 1\n")
    store.close()


def test_a_fully_cached_parallel_run_starts_no_worker(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path, {f"netra_backend/app/m{i}.py": f"x = {i}\n" for i in range(80)})
    (repo / "netra_backend/app/m3.py").write_text(DEPRECATED)
    first = scan(repo, SPEC, jobs=2, cache=True)

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(runner, "ProcessPoolExecutor", no_pool)
    assert summary(scan(repo, SPEC, jobs=2, cache=True)) == summary(first)
    assert first.files_scanned == 80 and first.metrics["deprecated_imports"] == 1


def test_a_change_in_another_file_that_a_rewrite_depends_on_is_seen(tmp_path: Path) -> None:
    """The rewrite of one file depends on re-exports elsewhere: those facts key the cache too."""
    hub = "netra_backend/app/agents/__init__.py"
    user = "netra_backend/app/services/user.py"
    files = {
        hub: "from .supervisor.execution_engine import ExecutionEngine\n",
        user: "from netra_backend.app.agents import ExecutionEngine\n\nx = [ExecutionEngine]\n",
    }
    repo = make_repo(tmp_path, files, commit=False)
    stub_spec_modules(repo)  # a rename moves only the names its new module provides
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "initial")):
        git(repo, *command)

    def rewrites(**options) -> list[tuple[str, bytes | None]]:
        changes = compute_changes(repo, SPEC, ("imports",), jobs=1, **options)
        return [(r.path, r.new) for r in changes.changed]

    before = rewrites(cache=True)
    assert user in [path for path, _ in before]
    (repo / hub).write_text("class ExecutionEngine:\n    pass\n")
    after = rewrites(cache=True)
    assert after == rewrites()
    assert user not in [path for path, _ in after]


def test_the_namespace_is_the_same_in_every_process(tmp_path: Path) -> None:
    code = (
        "from migrator.engine.cache import namespace; from migrator.engine.runner import Job; "
        "from migrator.spec import default_spec_text, parse_spec; from dataclasses import replace; "
        "s = parse_spec(default_spec_text(), 'd'); "
        "r = replace(s.rules, imported_elsewhere=frozenset(f'm{i}.N' for i in range(50))); "
        "print(namespace(Job('.', r, ('imports',), transform=True), s.digest))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1 and len(seen.pop().strip()) == 32
