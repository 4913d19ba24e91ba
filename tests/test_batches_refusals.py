"""`migrator run BATCH` refuses (exit 2, nothing written) when it is not safe to change the tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batchkit import (
    IDENTITY,
    cli,
    commit_count,
    files_in,
    git,
    head,
    make_repo,
    register,
    snapshot,
    spec_text,
    status,
)

FILES = {"app/a.py": "A = OLD_CALL\n", "app/b.py": "B = 1\n"}


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", FILES, spec_text())


def run(repo: Path, *args: str):
    return cli("run", "week-1", "--repo", str(repo), "--jobs", "1", *args)


def assert_refused(result, repo: Path, before: dict[str, bytes], message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert snapshot(repo) == before


def test_outside_a_git_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "app").mkdir(parents=True)
    (plain / "app/a.py").write_text("A = OLD_CALL\n")
    (plain / "migration.toml").write_text(spec_text())
    before = snapshot(plain)
    assert_refused(run(plain), plain, before, "not a git repository")


def test_during_a_merge(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app/b.py").write_text("B = 2\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "app/b.py").write_text("B = 3\n")
    git(repo, "commit", "-q", "-am", "main")
    with pytest.raises(subprocess.CalledProcessError):
        git(repo, "merge", "-q", "other")
    before = snapshot(repo)
    assert_refused(run(repo), repo, before, "a merge is in progress")


def test_during_a_rebase(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app/b.py").write_text("B = 2\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "app/b.py").write_text("B = 3\n")
    git(repo, "commit", "-q", "-am", "main")
    git(repo, "checkout", "-q", "other")
    with pytest.raises(subprocess.CalledProcessError):
        git(repo, "rebase", "-q", "main")
    before = snapshot(repo)
    assert_refused(run(repo), repo, before, "a rebase is in progress")


def test_detached_head_unless_allowed(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    before = snapshot(repo)
    assert_refused(run(repo), repo, before, "HEAD is detached")
    allowed = run(repo, "--allow-detached")
    assert allowed.exit_code == 0, allowed.output
    assert files_in(repo) == ["app/a.py"]


def test_dirty_files_the_batch_would_touch_are_named(repo: Path) -> None:
    (repo / "app/a.py").write_text("A = OLD_CALL  # local edit\n")
    before = snapshot(repo)
    result = run(repo)
    assert_refused(result, repo, before, "uncommitted changes: app/a.py (commit or stash")
    assert commit_count(repo) == 1


def test_dirty_files_the_batch_does_not_touch_are_left_alone(repo: Path) -> None:
    (repo / "app/b.py").write_text("B = 'local'\n")
    result = run(repo)
    assert result.exit_code == 0, result.output
    assert files_in(repo) == ["app/a.py"]
    assert status(repo) == " M app/b.py\n"


def test_a_lock_held_by_a_live_run(repo: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = repo / ".git/migrator/lock"
        lock.parent.mkdir(parents=True)
        lock.write_text(json.dumps({"pid": sleeper.pid, "command": "migrator run week-1"}))
        before = snapshot(repo)
        result = run(repo)
        assert_refused(result, repo, before, f"another migrator run holds {lock}")
        assert f"pid {sleeper.pid}" in result.stderr
        assert lock.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_stale_lock_of_a_dead_process_is_taken_over(repo: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = repo / ".git/migrator/lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": dead.pid, "command": "migrator run week-1"}))
    assert run(repo).exit_code == 0
    assert not lock.exists()


def test_an_unknown_batch(repo: Path) -> None:
    before = snapshot(repo)
    result = cli("run", "week-9", "--repo", str(repo))
    assert_refused(result, repo, before, "no batch named `week-9` (batches: week-1)")


def test_no_git_identity_is_a_clear_error(repo: Path, monkeypatch) -> None:
    for name in IDENTITY:
        monkeypatch.delenv(name)
    # Empty names too: on a host with a real domain git would otherwise invent an e-mail.
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")
    monkeypatch.setenv("HOME", str(repo.parent))
    monkeypatch.delenv("EMAIL", raising=False)
    before, sha = snapshot(repo), head(repo)
    result = run(repo)
    assert_refused(result, repo, before, "git has no identity to commit with")
    assert head(repo) == sha


def test_a_journal_left_by_a_killed_run(repo: Path) -> None:
    journal = repo / ".git/migrator/journal"
    journal.mkdir(parents=True)
    (journal / "entries.jsonl").write_text(json.dumps({"path": "app/a.py", "blob": None}) + "\n")
    before = snapshot(repo)
    result = run(repo)
    assert_refused(result, repo, before, "run `migrator recover` first")
    assert os.path.isdir(journal)
