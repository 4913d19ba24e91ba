"""The real-plan benchmark's checker (`benchmarks/real_plan.py`): a repointed import must still
name the same object, except where an explicit per-name `[[rename]]` asks for the repoint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks.real_plan import asked_for, check_batch
from codemods.core.rules import RenameRule
from migrator.engine.modules import ModuleIndex

RENAMES = (
    RenameRule("pkg.old_mod.Engine", "pkg.new_mod.UserEngine"),
    RenameRule("pkg.old_mod", "pkg.new_mod"),
)
FILES = {
    "pkg/__init__.py": "",
    "pkg/old_mod.py": "class Engine:\n    pass\n\n\nclass Context:\n    pass\n",
    "pkg/new_mod.py": "from pkg.context import Context\n\n\nclass UserEngine:\n    pass\n",
    "pkg/context.py": "class Context:\n    pass\n",
    "pkg/shim.py": "from pkg.old_mod import Engine\n",  # a re-export of the old object
    "pkg/adapter.py": "class Engine:\n    pass\n",  # an object of its own, same name
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for path, text in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("old_path", "new_path", "expected"),
    [
        ("pkg.old_mod.Engine", "pkg.new_mod.UserEngine", True),  # the rule itself
        ("pkg.shim.Engine", "pkg.new_mod.UserEngine", True),  # the same object, re-exported
        ("pkg.adapter.Engine", "pkg.new_mod.UserEngine", False),  # its own class
        ("pkg.old_mod.Engine", "pkg.context.Context", False),  # not the rule's new
        ("pkg.old_mod.Context", "pkg.new_mod.Context", False),  # a whole-module rename
    ],
)
def test_only_a_per_name_rename_s_own_repoint_is_exempt(
    repo: Path, old_path: str, new_path: str, expected: bool
) -> None:
    assert asked_for(RENAMES, ModuleIndex(repo), old_path, new_path) is expected


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_check_batch_counts_asked_for_repoints_and_reports_the_others(repo: Path) -> None:
    user = "from pkg.old_mod import Engine, Context\nfrom pkg.adapter import Engine as Adapter\n"
    (repo / "pkg" / "user.py").write_text(user)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "pkg" / "user.py").write_text(
        "from pkg.new_mod import UserEngine as Engine, Context\n"
        "from pkg.new_mod import UserEngine as Adapter\n"
    )
    git(repo, "commit", "-qam", "batch")
    checked = check_batch(repo, base, RENAMES)
    assert checked.renamed == 1
    assert checked.repaired == []
    assert checked.problems == [
        "pkg/user.py: `Context` was pkg.old_mod.Context (pkg.old_mod.Context), is now "
        "pkg.new_mod.Context (pkg.context.Context): another object",
        "pkg/user.py: `Adapter` was pkg.adapter.Engine (pkg.adapter.Engine), is now "
        "pkg.new_mod.UserEngine (pkg.new_mod.UserEngine): another object",
    ]


def test_an_import_that_did_not_resolve_before_is_repaired_not_another_object(repo: Path) -> None:
    (repo / "pkg" / "user.py").write_text(
        "from pkg.gone import UserEngine\nfrom pkg.context import Engine\n"
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "pkg" / "user.py").write_text(
        "from pkg.new_mod import UserEngine\nfrom pkg.old_mod import Engine\n"
    )
    git(repo, "commit", "-qam", "batch")
    checked = check_batch(repo, base, RENAMES)
    assert checked.problems == []
    assert checked.renamed == 0
    assert checked.repaired == [
        "pkg/user.py: `UserEngine` was pkg.gone.UserEngine, which did not resolve; "
        "is now pkg.new_mod.UserEngine",
        "pkg/user.py: `Engine` was pkg.context.Engine, which did not resolve; "
        "is now pkg.old_mod.Engine",
    ]
