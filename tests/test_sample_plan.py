"""The whole built-in plan on a git copy of the sample repository, as `scripts/demo.sh` runs it:
week-1 to week-4 gated by compile-changed and the sample's own tests, and the demo's reviewer
porting the manual-review findings before week-2 and week-3. No batch commit may leave a
ratcheted metric worse than it found it (read back from the commits' own trailers)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.batch.history import parse_trailers
from migrator.batch.run import worsened
from migrator.spec import default_spec_text
from tests.batchkit import IDENTITY, cli, git, hermetic_git

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "sample_repo"
GATE = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]


def reviewer(repo: Path, batch: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo_review.py"), batch], cwd=repo, check=True
    )
    git(repo, "commit", "-qam", f"Port the manual-review findings of {batch} by hand")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    monkeypatch = pytest.MonkeyPatch()
    hermetic_git(monkeypatch)
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    repo = tmp_path_factory.mktemp("plan") / "repo"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    spec = default_spec_text().replace("max_files_per_commit = 50", "max_files_per_commit = 12")
    compile_changed = f'{{ builtin = "compile-changed", python = {json.dumps(sys.executable)} }}'
    spec = re.sub(r"(?m)^gate = .*$", f"gate = [{compile_changed}, {json.dumps(GATE)}]", spec)
    assert spec.count(compile_changed) == 4, "the demo's gates: compile-changed, then pytest"
    (repo / "migration.toml").write_text(spec)
    (repo / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Sample legacy backend")
    outputs = []
    try:
        for batch in ("week-1", "week-2", "week-3", "week-4"):
            if batch in ("week-2", "week-3"):
                reviewer(repo, batch)
            result = cli("run", batch, "--repo", str(repo), "--jobs", "1")
            outputs.append(result.output)
            assert result.exit_code == 0, result.output
    finally:
        monkeypatch.undo()
    return repo, outputs


def batch_commits(repo: Path) -> list[dict[str, str]]:
    shas = git(repo, "rev-list", "--reverse", "HEAD").split()
    found = []
    for sha in shas:
        trailers = parse_trailers(git(repo, "log", "-1", "--format=%B", sha))
        if "Migration-Batch" in trailers:
            found.append(trailers)
    return found


def test_no_batch_commit_makes_a_ratcheted_metric_worse(planned) -> None:
    repo, _ = planned
    commits = batch_commits(repo)
    assert [(c["Migration-Batch"], c["Migration-Chunk"]) for c in commits] == [
        ("week-1", "1/1"),
        ("week-2", "1/1"),
        ("week-3", "1/3"),
        ("week-3", "2/3"),
        ("week-3", "3/3"),
        ("week-4", "1/1"),
    ]
    for commit in commits:
        before = json.loads(commit["Migration-Metrics-Before"])
        after = json.loads(commit["Migration-Metrics-After"])
        assert worsened(before, after) == [], commit
    # di_violations stays 1 (services/debug_tools.py): week-3 no longer turns the consolidated
    # `ExecutionEngine(config=...)` into a `UserExecutionEngine` call that cannot take it.
    assert json.loads(commits[-1]["Migration-Metrics-After"]) == {
        "deprecated_imports": 1,  # engine_config_service.py, left for a human
        "aliased_imports": 0,
        "indirect_imports": 0,
        "fragmented_imports": 1,
        "canonical_imports": 63,
        "canonical_import_usage": 98.4,
        "string_references": 0,
        "direct_instantiations": 0,
        "di_violations": 1,
        "singletons": 0,
        "auth_bypasses": 0,
        "token_validation_paths": 1,
    }


def test_the_consolidated_engine_call_is_left_for_review_not_rewritten(planned) -> None:
    repo, outputs = planned
    service = repo / "netra_backend/app/services/engine_config_service.py"
    assert service.read_bytes() == (SAMPLE / service.relative_to(repo)).read_bytes()
    [record] = (repo / ".git" / "migrator" / "runs").glob("*-week-3.json")
    [entry] = [
        f
        for f in json.loads(record.read_text())["files"]
        if f["path"] == str(service.relative_to(repo))
    ]
    assert [(f["rule"], f["line"], f["message"]) for f in entry["manual_review"]] == [
        (
            "deprecated-import",
            6,
            "`ExecutionEngine` is left unchanged: a call of it does not fit "
            "`UserExecutionEngine`'s parameters (context, agent_factory, websocket_emitter); "
            "port that call by hand",
        ),
        (
            "constructor-signature",
            7,
            "`ExecutionEngine(...)` would build `UserExecutionEngine`, which takes (context, "
            "agent_factory, websocket_emitter): these arguments do not fit, so `ExecutionEngine` "
            "keeps its import; port this call by hand",
        ),
    ]
