"""A second run over an unchanged tree recalls the first one's change set: no pre-pass, no parse;
any edit that could change the answer (inside the run's paths or not) runs it again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from migrator.engine import changes
from migrator.engine.changes import compute_changes
from migrator.spec import default_spec_text, parse_spec
from tests.spec_modules import stub_spec_modules

SPEC = parse_spec(default_spec_text(), "default")
OLD = "netra_backend.app.agents.supervisor.execution_engine"
FILES = {
    "netra_backend/app/a.py": f"from {OLD} import ExecutionEngine\n\nengines = [ExecutionEngine]\n",
    "netra_backend/app/plain.py": "def f():\n    return 1\n",
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    stub_spec_modules(root)
    env = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "initial")):
        subprocess.run(["git", *env, *command], cwd=root, check=True, capture_output=True)
    return root


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The rule selections actually computed (not recalled)."""
    calls: list[tuple[str, ...]] = []
    real = changes._compute

    def counting(root, spec, rules, *args):
        calls.append(rules)
        return real(root, spec, rules, *args)

    monkeypatch.setattr(changes, "_compute", counting)
    return calls


def outcome(change_set: changes.ChangeSet) -> list[tuple]:
    return [(r.path, r.original, r.new, r.changes, r.findings, r.error) for r in change_set.results]


def test_an_unchanged_tree_is_recalled_whole(repo: Path, computed: list) -> None:
    first = compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    second = compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    assert computed == [("imports",)]
    assert [r.path for r in first.changed] == ["netra_backend/app/a.py"]
    assert outcome(second) == outcome(first)
    assert second.files_considered == first.files_considered


def test_another_selection_or_no_cache_computes_again(repo: Path, computed: list) -> None:
    compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    compute_changes(repo, SPEC, ("imports", "constructors"), jobs=1, cache=True)
    compute_changes(repo, SPEC, ("imports",), ("netra_backend/app/a.py",), jobs=1, cache=True)
    compute_changes(repo, SPEC, ("imports",), jobs=1, cache=False)
    assert computed == [("imports",), ("imports", "constructors"), ("imports",), ("imports",)]


def test_an_edit_outside_the_paths_run_computes_again(repo: Path, computed: list) -> None:
    only_a = ("netra_backend/app/a.py",)
    compute_changes(repo, SPEC, ("imports",), only_a, jobs=1, cache=True)
    # A module the run does not rewrite now re-exports the moved name: a fact the run reads.
    (repo / "netra_backend/app/plain.py").write_text(f"from {OLD} import ExecutionEngine\n")
    compute_changes(repo, SPEC, ("imports",), only_a, jobs=1, cache=True)
    assert len(computed) == 2


def test_a_recalled_change_set_reads_its_original_from_disk(repo: Path, computed: list) -> None:
    compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    again = compute_changes(repo, SPEC, ("imports",), jobs=1, cache=True)
    (changed,) = again.changed
    assert changed.original == (repo / "netra_backend/app/a.py").read_bytes()
    assert b"UserExecutionEngine" in (changed.new or b"")
    assert len(computed) == 1
