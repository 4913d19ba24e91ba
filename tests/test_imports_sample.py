"""The imports (and constructors) rules end to end on a git copy of the sample repository.

`migrator run --rule constructors --rule imports --dry-run` must produce a diff `git apply`
accepts; applied, the scan shows no fragmented imports left but the documented manual-review
items; a second run has nothing to do; and with the deprecated modules deleted, the sample's own
tests pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec_modules import stub_spec_modules

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
DEPRECATED = (
    "agents/supervisor/execution_engine.py",
    "agents/execution_engine_consolidated.py",
    "agents/supervisor/request_scoped_execution_engine.py",
    "agents/execution_engine_unified_factory.py",
    "agents/supervisor/execution_factory.py",
    "core/managers/execution_engine_factory.py",
)
# The one sample test that needs a call the rules refuse to rewrite (see the xfail below).
SYSTEM_TASK_TEST = "tests/test_subclass_and_types.py::test_system_task_runs_without_a_user"


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, input=stdin, capture_output=True, text=True, env=ENV, timeout=180
    )


def migrator(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return run(sys.executable, "-m", "migrator", *args, cwd=repo)


def git(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com")
    return run("git", *identity, *args, cwd=repo, stdin=stdin)


def sample_pytest(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """The sample repository's own test suite, run in `repo`."""
    return run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, cwd=repo)


def dry_run(repo: Path) -> subprocess.CompletedProcess:
    rules = ("--rule", "constructors", "--rule", "imports")
    return migrator(repo, "run", *rules, "--dry-run", "--jobs", "1")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    repo = tmp_path_factory.mktemp("sample") / "repo"
    shutil.copytree(SAMPLE, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "legacy sample")
    first = dry_run(repo)
    check = git(repo, "apply", "--check", stdin=first.stdout)
    git(repo, "apply", stdin=first.stdout)
    scan = migrator(repo, "scan", "--format", "json", "--jobs", "1")
    second = dry_run(repo)
    for module in DEPRECATED:
        (repo / "netra_backend" / "app" / module).unlink()
    return {"repo": repo, "first": first, "check": check, "scan": scan, "second": second}


def test_dry_run_diff_applies_and_names_what_needs_review(migrated: dict) -> None:
    first = migrated["first"]
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("diff --git ")
    assert migrated["check"].returncode == 0, migrated["check"].stderr
    # 35: engine_config_service.py keeps its import (its call does not fit the new class).
    assert "35 of 79 files would change" in first.stderr
    assert (
        "netra_backend/app/services/system_tasks.py:8:69: `ExecutionEngine` is still constructed "
        "directly (line 10)" in first.stderr
    )
    assert (
        "netra_backend/app/services/engine_config_service.py:6:71: `ExecutionEngine` is left "
        "unchanged: a call of it does not fit `UserExecutionEngine`'s parameters "
        "(context, agent_factory, websocket_emitter); port that call by hand" in first.stderr
    )
    assert (
        "netra_backend/app/services/engine_config_service.py:7:13: `ExecutionEngine(...)` would "
        "build `UserExecutionEngine`, which takes (context, agent_factory, websocket_emitter): "
        "these arguments do not fit, so `ExecutionEngine` keeps its import; port this call by "
        "hand" in first.stderr
    )
    assert "engine_config_service.py" not in first.stdout, "its import and call stay unchanged"


def test_scan_after_apply_leaves_only_the_manual_review_items(migrated: dict) -> None:
    scan = migrated["scan"]
    assert scan.returncode == 0, scan.stderr
    report = json.loads(scan.stdout)
    metrics = report["metrics"]
    assert metrics["aliased_imports"] == 0
    assert metrics["indirect_imports"] == 0
    # Left on purpose, reported for manual review during the run: system_tasks.py still calls
    # `ExecutionEngine._init_from_factory(...)` without a user context (refused by the
    # constructors rule, so the imports rule keeps that name). The `importlib.import_module(...)`
    # of the consolidated module follows the spec's whole-module rule. engine_config_service.py
    # keeps its import of the consolidated `ExecutionEngine`: its `config=` call does not fit
    # `UserExecutionEngine`, so a human ports it.
    assert metrics["deprecated_imports"] == 2
    assert metrics["string_references"] == 0
    left = sorted(
        (f["path"], f["line"], f["rule"])
        for f in report["findings"]
        if f["rule"]
        in {"deprecated-import", "aliased-import", "indirect-import", "string-reference"}
    )
    assert left == [
        ("netra_backend/app/services/engine_config_service.py", 6, "deprecated-import"),
        ("netra_backend/app/services/system_tasks.py", 8, "deprecated-import"),
    ]


def test_second_run_has_nothing_to_do(migrated: dict) -> None:
    second = migrated["second"]
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""


def test_sample_tests_pass_without_the_deprecated_modules(migrated: dict) -> None:
    result = sample_pytest(migrated["repo"], "--deselect", SYSTEM_TASK_TEST)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "77 passed, 1 deselected" in result.stdout


@pytest.mark.xfail(
    strict=True,
    reason=(
        "system_tasks.py calls ExecutionEngine._init_from_factory(registry, bridge) without a "
        "user context: the constructors rule refuses it and, by design, the imports rule then "
        "leaves that name's import on the deprecated module (FORMS.md row B expects it renamed "
        "to UserExecutionEngine._init_from_factory). Deleting the module breaks this one test "
        "until a human ports the call."
    ),
)
def test_system_task_runs_once_its_call_is_ported(migrated: dict) -> None:
    result = sample_pytest(migrated["repo"], SYSTEM_TASK_TEST)
    assert result.returncode == 0, result.stdout[-3000:]


# ---- small repositories: what is never touched, and what a partial run keeps ----------------
OLD_IMPORT = (
    "from netra_backend.app.agents.supervisor.execution_engine import UserExecutionContext\n"
)
NEW_IMPORT = "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
SHIM = "netra_backend/app/agents/supervisor/request_scoped_execution_engine.py"
CANONICAL_MODULE = "netra_backend/app/agents/supervisor/user_execution_engine.py"
SHIM_SOURCE = (
    "from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine\n"
    "\n"
    "RequestScopedExecutionEngine = UserExecutionEngine\n"
)
SHIM_USER = (
    "from netra_backend.app.agents.supervisor.request_scoped_execution_engine import (\n"
    "    RequestScopedExecutionEngine,\n"
    ")\n"
    "\n"
    "ENGINES = [RequestScopedExecutionEngine]\n"
)


def make_repo(root: Path, files: dict[str, str], *, init_git: bool = True) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    stub_spec_modules(root)  # the rest of the built-in spec's modules: `run` checks them
    if init_git:
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "start")
    return root


def changed_paths(diff: str) -> list[str]:
    return [line.split(" b/", 1)[1] for line in diff.splitlines() if line.startswith("diff --git")]


@pytest.mark.parametrize("init_git", [True, False], ids=["git", "no-git"])
def test_ignored_and_virtualenv_files_are_never_touched(tmp_path: Path, init_git: bool) -> None:
    files = {
        ".gitignore": ".venv/\nbuild/\n",
        "netra_backend/app/services/user.py": OLD_IMPORT,
        ".venv/lib/python3.11/site-packages/pkg/mod.py": OLD_IMPORT,
        "build/lib/netra_backend/app/services/user.py": OLD_IMPORT,
    }
    repo = make_repo(tmp_path, files, init_git=init_git)

    result = migrator(repo, "run", "--rule", "imports", "--dry-run", "--jobs", "1")

    assert result.returncode == 0, result.stderr
    assert changed_paths(result.stdout) == ["netra_backend/app/services/user.py"]
    assert f"-{OLD_IMPORT}+{NEW_IMPORT}" in result.stdout


def test_compat_alias_stays_while_files_outside_the_run_import_it(tmp_path: Path) -> None:
    files = {
        CANONICAL_MODULE: "class UserExecutionEngine:\n    pass\n",  # the imports' target
        SHIM: SHIM_SOURCE,
        "netra_backend/app/services/user.py": SHIM_USER,
        "tests/test_user.py": SHIM_USER,
    }
    repo = make_repo(tmp_path, files)

    partial = migrator(
        repo, "run", "--rule", "imports", "--path", "netra_backend/**", "--dry-run", "--jobs", "1"
    )
    whole = migrator(repo, "run", "--rule", "imports", "--dry-run", "--jobs", "1")

    assert partial.returncode == 0 and whole.returncode == 0, partial.stderr + whole.stderr
    assert changed_paths(partial.stdout) == ["netra_backend/app/services/user.py"]
    assert (
        f"{SHIM}:3:0: compatibility alias `RequestScopedExecutionEngine` kept: files outside this "
        "run import `netra_backend.app.agents.supervisor.request_scoped_execution_engine."
        "RequestScopedExecutionEngine`" in partial.stderr
    )
    assert changed_paths(whole.stdout) == [
        SHIM,
        "netra_backend/app/services/user.py",
        "tests/test_user.py",
    ]
    assert "-RequestScopedExecutionEngine = UserExecutionEngine\n" in whole.stdout
