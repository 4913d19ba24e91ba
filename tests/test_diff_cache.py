"""A warm dry run prints the stored diffs; a diff is used only for the exact two texts it was
made from, and is byte-identical to a freshly made one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from migrator.engine import diff_cache, diffs
from migrator.engine.changes import ChangeSet
from migrator.engine.runner import FileResult


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_bytes(b"import old\n\nold.run()\n")
    (root / "b.py").write_bytes(b"x = 1\n")
    env = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "initial")):
        subprocess.run(["git", *env, *command], cwd=root, check=True, capture_output=True)
    return root


def change_set(root: Path, new_a: bytes) -> ChangeSet:
    original = (root / "a.py").read_bytes()
    changed = FileResult("a.py", original=original, new=new_a)
    unchanged = FileResult("b.py")
    return ChangeSet([changed, unchanged], 2)


def test_stored_diffs_are_reused_for_the_same_texts_only(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = b"import new\n\nnew.run()\n"
    expected = diffs.unified_diff("a.py", (repo / "a.py").read_bytes(), new)
    assert diff_cache.change_set_diffs(repo, change_set(repo, new)) == [expected]
    made: list[str] = []
    real = diffs.unified_diff

    def counting(path: str, old: bytes, text: bytes, context: int = 3) -> bytes:
        made.append(path)
        return real(path, old, text, context)

    monkeypatch.setattr(diffs, "unified_diff", counting)
    assert diff_cache.change_set_diffs(repo, change_set(repo, new)) == [expected]
    assert made == []  # the stored diff
    other = b"import new as old\n\nold.run()\n"
    assert diff_cache.change_set_diffs(repo, change_set(repo, other)) == [
        real("a.py", (repo / "a.py").read_bytes(), other)
    ]
    assert made == ["a.py"]  # another new text: made again
    (repo / "a.py").write_bytes(b"import old\n\nold.run()\nold.stop()\n")
    assert diff_cache.change_set_diffs(repo, change_set(repo, new)) == [
        real("a.py", (repo / "a.py").read_bytes(), new)
    ]
    assert made == ["a.py", "a.py"]  # another original: made again
