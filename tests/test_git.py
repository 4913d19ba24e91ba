"""`migrator.git` against real temporary repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.git import GitError, open_repository
from tests.batchkit import IDENTITY, git, hermetic_git, make_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    hermetic_git(monkeypatch)
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    return make_repo(tmp_path / "repo", {"a.py": "A = 1\n", "b.py": "B = 1\n", "c.py": "C\n"})


def test_outside_a_repository(tmp_path: Path) -> None:
    assert open_repository(tmp_path) is None


def test_state(repo: Path) -> None:
    ops = open_repository(repo / "sub" if (repo / "sub").exists() else repo)
    assert ops is not None and ops.root == repo.resolve()
    assert ops.head_sha() == git(repo, "rev-parse", "HEAD").strip()
    assert (ops.branch(), ops.is_detached(), ops.operation_in_progress()) == ("main", False, None)
    assert ops.head_blob("a.py") == b"A = 1\n" and ops.head_blob("nope.py") is None
    assert ops.identity_problem() is None
    assert ops.resolve("HEAD~0") == ops.head_sha() and ops.resolve("no-such-ref") is None


def test_dirty_paths_staged_unstaged_untracked_renamed(repo: Path) -> None:
    ops = open_repository(repo)
    (repo / "a.py").write_text("A = 2\n")
    (repo / "new.py").write_text("N\n")
    git(repo, "mv", "b.py", "b2.py")
    assert ops.dirty_paths() == ["a.py", "b.py", "b2.py", "new.py"]
    assert ops.dirty_paths(["a.py", "c.py"]) == ["a.py"]
    assert ops.dirty_paths([]) == []
    assert ops.tracked_dirty_paths() == ["a.py", "b.py", "b2.py"]


def test_commit_paths_commits_only_those_and_keeps_other_staged_changes(repo: Path) -> None:
    ops = open_repository(repo)
    (repo / "a.py").write_text("A = 2\n")
    (repo / "c.py").write_text("C2\n")
    git(repo, "add", "c.py")
    sha = ops.commit_paths(["a.py"], "subject\n\nMigration-Batch: w\n")
    assert git(repo, "show", "--name-only", "--format=", sha).split() == ["a.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["c.py"]
    [logged] = ops.log(grep="^Migration-Batch:")
    assert (logged.sha, logged.subject, logged.files) == (sha, "subject", ("a.py",))
    assert logged.message == "subject\n\nMigration-Batch: w"
    assert logged.author == "Test Author <author@example.com>"


def test_commit_failure_is_one_line(repo: Path) -> None:
    ops = open_repository(repo)
    with pytest.raises(GitError, match="^git commit failed: .*pathspec"):
        ops.commit_paths(["missing.py"], "x")


def test_identity_problem_without_any_identity(repo: Path, monkeypatch) -> None:
    for name in IDENTITY:
        monkeypatch.delenv(name)
    # Empty names too: on a host with a real domain git would otherwise invent an e-mail.
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "")
    monkeypatch.setenv("HOME", str(repo.parent))
    assert "git has no identity" in (open_repository(repo).identity_problem() or "")


def test_paths_are_literal_not_pathspec_magic(repo: Path) -> None:
    ops = open_repository(repo)
    (repo / "a*.py").write_text("star\n")
    git(repo, "add", "a*.py")
    git(repo, "commit", "-qm", "star")
    (repo / "a.py").write_text("A = 2\n")
    (repo / "a*.py").write_text("star 2\n")
    assert ops.dirty_paths(["a*.py"]) == ["a*.py"]
    sha = ops.commit_paths(["a*.py"], "only the star")
    assert git(repo, "show", "--name-only", "--format=", sha).split() == ["a*.py"]
    assert ops.dirty_paths() == ["a.py"]
