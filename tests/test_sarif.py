"""`migrator scan --format sarif`: SARIF 2.1.0 that validates and locates every finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app

SCHEMA = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)
OLD = "netra_backend.app.agents.supervisor.execution_engine"
CANON = "netra_backend.app.agents.supervisor.user_execution_engine"


def write(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Outside git the result cache lives in the user's cache directory: keep it in tmp."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "netra_backend/app/services/runner.py",
        f"# header\nfrom {OLD} import ExecutionEngine\n"
        f"from {CANON} import UserExecutionEngine as Engine\n",
    )
    write(tmp_path, "netra_backend/app/broken file.py", f"from {OLD} import (\n")
    return tmp_path


def sarif_of(repo: Path) -> dict:
    result = CliRunner().invoke(app, ["scan", str(repo), "--format", "sarif"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sarif_validates_against_the_2_1_0_schema(repo: Path) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA} (shared/ is not beside the project)")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text("utf-8"))
    log = sarif_of(repo)
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_results_locate_each_finding(repo: Path) -> None:
    run = sarif_of(repo)["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    located = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
            r["message"]["text"],
        )
        for r in run["results"]
    ]
    path = "netra_backend/app/services/runner.py"
    assert located == [
        (
            "deprecated-import",
            "deprecated-import",
            path,
            {"startLine": 2, "startColumn": len(f"from {OLD} import ") + 1},
            f"`ExecutionEngine` from {OLD}: moved to {CANON}.UserExecutionEngine",
        ),
        (
            "aliased-import",
            "aliased-import",
            path,
            {"startLine": 3, "startColumn": len(f"from {CANON} import ") + 1},
            "`UserExecutionEngine` imported as `Engine`",
        ),
    ]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "netra_backend/app/broken%20file.py"
    ]
    assert run["properties"]["metrics"]["deprecated_imports"] == 1


def test_sarif_fingerprints_survive_line_shifts(repo: Path) -> None:
    before = [r["partialFingerprints"] for r in sarif_of(repo)["runs"][0]["results"]]
    target = repo / "netra_backend/app/services/runner.py"
    target.write_text('"""A docstring."""\n\n\n' + target.read_text())
    after_results = sarif_of(repo)["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after_results]
    assert lines == [5, 6]
    assert [r["partialFingerprints"] for r in after_results] == before
    assert len({next(iter(p.values())) for p in before}) == 2
