"""`migrator check`: the ratchet against a baseline, the final targets, and pending rewrites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.report.baseline import BASELINE_FILENAME

SUP = "netra_backend.app.agents.supervisor"
DEPRECATED = f"from {SUP}.execution_engine import ExecutionEngine\n"
CANONICAL = f"from {SUP}.user_execution_engine import UserExecutionEngine\n"
SERVICE = "netra_backend/app/services/runner.py"


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", str(root), *args])


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Outside git the result cache lives in the user's cache directory: keep it in tmp."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write(tmp_path, SERVICE, "import os\n" + DEPRECATED + CANONICAL)
    write(tmp_path, "netra_backend/app/services/other.py", CANONICAL)
    return tmp_path


@pytest.fixture
def baselined(repo: Path) -> Path:
    result = check(repo, "--update-baseline")
    assert result.exit_code == 0, result.output
    return repo


def baseline_of(root: Path) -> dict:
    return json.loads((root / BASELINE_FILENAME).read_text())


def test_without_a_baseline_check_says_how_to_make_one(repo: Path) -> None:
    result = check(repo)
    assert result.exit_code == 2
    assert f"{repo / BASELINE_FILENAME}: no baseline yet" in result.stderr
    assert "--update-baseline" in result.stderr


def test_update_baseline_writes_metrics_and_fingerprints(baselined: Path) -> None:
    data = baseline_of(baselined)
    assert data["version"] == 1
    assert data["metrics"]["deprecated_imports"] == 1
    assert data["metrics"]["canonical_import_usage"] == 66.7
    assert "canonical_imports" not in data["metrics"]
    assert [(f["rule"], f["path"], f["line"]) for f in data["findings"]] == [
        ("deprecated-import", SERVICE, 2)
    ]
    assert check(baselined).exit_code == 0


def test_a_new_deprecated_import_fails_with_its_location(baselined: Path) -> None:
    write(baselined, "netra_backend/app/routes/new.py", '"""New."""\n' + DEPRECATED)
    result = check(baselined)
    assert result.exit_code == 1
    assert "regressed deprecated_imports: 2 (baseline 1)" in result.stdout
    assert "regressed canonical_import_usage: 50.0 (baseline 66.7)" in result.stdout
    assert "1 new finding(s) not in the baseline:" in result.stdout
    assert "  netra_backend/app/routes/new.py:2:" in result.stdout
    assert SERVICE not in result.stdout


def test_lines_moving_above_a_known_finding_is_not_a_new_finding(baselined: Path) -> None:
    target = baselined / SERVICE
    target.write_text("# moved down\n\n\n" + target.read_text())
    result = check(baselined)
    assert result.exit_code == 0
    assert result.stdout == "ok: no metric is worse than the baseline\n"


def test_update_baseline_tightens_when_a_metric_improves(baselined: Path) -> None:
    write(baselined, SERVICE, "import os\n" + CANONICAL)
    result = check(baselined)
    assert result.exit_code == 0
    assert "improved deprecated_imports: 0 (baseline 1)" in result.stdout
    assert check(baselined, "--update-baseline").exit_code == 0
    data = baseline_of(baselined)
    assert data["metrics"]["deprecated_imports"] == 0
    assert data["findings"] == []
    write(baselined, SERVICE, "import os\n" + DEPRECATED + CANONICAL)
    assert check(baselined).exit_code == 1


def test_update_baseline_never_loosens_without_allow_regression(baselined: Path) -> None:
    write(baselined, "netra_backend/app/routes/new.py", DEPRECATED)
    before = (baselined / BASELINE_FILENAME).read_text()
    result = check(baselined, "--update-baseline")
    assert result.exit_code == 1
    assert (baselined / BASELINE_FILENAME).read_text() == before
    assert "unchanged" in result.stdout
    result = check(baselined, "--update-baseline", "--allow-regression")
    assert result.exit_code == 0, result.output
    data = baseline_of(baselined)
    assert data["metrics"]["deprecated_imports"] == 2
    assert len(data["findings"]) == 2
    assert check(baselined).exit_code == 0


def test_tightening_keeps_a_regressed_metric_at_its_old_value(baselined: Path) -> None:
    write(baselined, SERVICE, "import os\n" + CANONICAL)  # deprecated 1 -> 0
    write(
        baselined,
        "netra_backend/app/x.py",
        f"from {SUP}.user_execution_engine import (\n    UserExecutionEngine as E,\n)\n",
    )  # aliased 0 -> 1
    result = check(baselined, "--update-baseline")
    assert result.exit_code == 1
    metrics = baseline_of(baselined)["metrics"]
    assert (metrics["deprecated_imports"], metrics["aliased_imports"]) == (0, 0)


def test_allow_regression_alone_is_bad_usage(baselined: Path) -> None:
    result = check(baselined, "--allow-regression")
    assert result.exit_code == 2
    assert "--allow-regression only applies with --update-baseline" in result.stderr


def test_a_broken_baseline_file_is_bad_input(repo: Path) -> None:
    (repo / BASELINE_FILENAME).write_text("{not json")
    result = check(repo)
    assert result.exit_code == 2
    assert f"{repo / BASELINE_FILENAME}: not a JSON baseline" in result.stderr


def test_baseline_option_names_another_file(repo: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("ci") / "ratchet.json"
    assert check(repo, "--baseline", str(elsewhere), "--update-baseline").exit_code == 0
    assert elsewhere.is_file() and not (repo / BASELINE_FILENAME).exists()
    assert check(repo, "--baseline", str(elsewhere)).exit_code == 0


def test_targets_fail_and_list_the_findings_behind_them(repo: Path) -> None:
    result = check(repo, "--targets")
    assert result.exit_code == 1
    assert "missed deprecated_imports: 1 (target <= 0)" in result.stdout
    assert "missed canonical_import_usage: 66.7 (target >= 95)" in result.stdout
    assert f"  {SERVICE}:2:" in result.stdout
    write(repo, SERVICE, CANONICAL)
    result = check(repo, "--targets")
    assert result.exit_code == 0
    assert result.stdout == "ok: every final target is met (7 metrics)\n"


def test_would_change_fails_while_a_rule_still_rewrites_code(tmp_path: Path) -> None:
    write(tmp_path, SERVICE, CANONICAL)
    result = check(tmp_path, "--would-change")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: no rule would change any of 1 files\n"
    write(tmp_path, "netra_backend/app/routes/new.py", DEPRECATED)
    result = check(tmp_path, "--would-change")
    assert result.exit_code == 1
    assert result.stdout == "would change netra_backend/app/routes/new.py (imports)\n"


def test_pre_commit_hooks_run_check(tmp_path: Path) -> None:
    import yaml  # a test dependency: missing, this fails rather than skips

    hooks = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["migrator-check"]["entry"] == "migrator check"
    assert by_id["migrator-check"]["pass_filenames"] is False
    assert by_id["migrator-would-change"]["entry"] == "migrator check --would-change"
