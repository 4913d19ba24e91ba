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


def test_a_preview_s_workers_make_the_diffs_the_parent_prints(repo: Path) -> None:
    from migrator.engine.changes import compute_changes
    from migrator.spec import default_spec_text, parse_spec

    old = "netra_backend.app.agents.supervisor.execution_engine"
    body = "def build(engine: ExecutionEngine) -> None:\n    pass\n"
    source = f"from {old} import ExecutionEngine\n\n\n{body}"
    (repo / "a.py").write_text(source)
    spec = parse_spec(default_spec_text(), "default")
    preview = compute_changes(repo, spec, ("imports",), jobs=1, diffs=True)
    plain = compute_changes(repo, spec, ("imports",), jobs=1)
    [made] = preview.changed
    assert made.diff is not None and made.diff.startswith(b"diff --git a/a.py b/a.py\n")
    assert made.diff == diffs.unified_diff("a.py", source.encode(), made.new or b"")
    assert [r.diff for r in plain.changed] == [None]
    assert made.unified_diff() == plain.changed[0].unified_diff()
