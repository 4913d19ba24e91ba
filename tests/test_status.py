"""`migrator plan` and `migrator status`: batches, targets, and the history read from trailers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.batch.history import parse_trailers
from migrator.history import batch_history  # the public path the README documents
from tests.batchkit import cli, git, head, make_repo, register

SPEC = """
[migration]
name = "test-migration"
include = ["**/*.py"]

[[batch]]
name = "week-1"
rules = ["marker"]
paths = ["pkg_a/**"]
gate = []

[batch.targets]
auth_bypasses = { max = 0 }

[[batch]]
name = "week-2"
rules = ["marker"]
paths = ["**"]
gate = []

[batch.targets]
auth_bypasses = { max = 0 }

[targets]
auth_bypasses = { max = 0 }
singletons = { max = 0 }
"""
FILES = {
    "pkg_a/one.py": "X = OLD_CALL\n",
    "pkg_b/two.py": "Y = OLD_CALL\nZ = OLD_CALL\n",
}


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", FILES, SPEC)


def plan(repo: Path) -> list[dict]:
    result = cli("plan", str(repo), "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_lists_each_batch_with_what_it_would_change_now(repo: Path) -> None:
    first, second = plan(repo)
    assert first == {
        "name": "week-1",
        "rules": ["marker"],
        "paths": ["pkg_a/**"],
        "exclude": [],
        "files": 1,
        "changes": 1,
        "changes_per_rule": {"marker": 1},
        "manual_review": [],
        "targets": {"auth_bypasses": "<= 0"},
        "landed": False,
        "rolled_back": False,
    }
    assert (second["files"], second["changes"]) == (2, 3)
    text = cli("plan", str(repo), "--jobs", "1")
    assert "week-1  [to do]" in text.stdout
    assert "now: 2 file(s), 3 change(s) (marker: 3)" in text.stdout


def test_plan_shows_landed_and_rolled_back_batches(repo: Path) -> None:
    assert cli("run", "week-1", "--repo", str(repo), "--jobs", "1").exit_code == 0
    first, second = plan(repo)
    assert (first["landed"], first["files"]) == (True, 0)
    assert (second["landed"], second["files"]) == (False, 1)
    assert cli("rollback", "week-1", "--repo", str(repo)).exit_code == 0
    first, _ = plan(repo)
    assert (first["landed"], first["rolled_back"], first["files"]) == (False, True, 1)


def test_status_metrics_against_every_target_and_the_history(repo: Path) -> None:
    assert cli("run", "week-1", "--repo", str(repo), "--jobs", "1").exit_code == 0
    sha = head(repo)
    result = cli("status", str(repo), "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["metrics"]["auth_bypasses"] == 2
    assert document["targets"] == [
        # week-1 is judged over its own paths (pkg_a/**), as its run measured it: met
        {"scope": "week-1", "metric": "auth_bypasses", "value": 0, "target": "<= 0", "met": True},
        {"scope": "week-2", "metric": "auth_bypasses", "value": 2, "target": "<= 0", "met": False},
        {"scope": "final", "metric": "auth_bypasses", "value": 2, "target": "<= 0", "met": False},
        {"scope": "final", "metric": "singletons", "value": 0, "target": "<= 0", "met": True},
    ]
    assert document["batch_metrics"]["week-1"]["auth_bypasses"] == 0
    assert document["batch_metrics"]["week-2"]["auth_bypasses"] == 2
    [commit] = document["history"]["commits"]
    assert commit["sha"] == sha
    assert (commit["batch"], commit["chunk"], commit["rules"]) == ("week-1", "1/1", ["marker"])
    assert commit["files"] == ["pkg_a/one.py"]
    assert commit["author"] == "Test Author <author@example.com>"
    assert commit["metrics_before"]["auth_bypasses"] == 1  # week-1's own paths
    assert commit["metrics_after"]["auth_bypasses"] == 0
    assert (commit["gate"], commit["rolled_back"]) == ("none", False)
    text = cli("status", str(repo), "--jobs", "1").stdout
    assert "Metrics now, against the plan's targets" in text and "Batch history" in text
    rows = [line for line in text.splitlines() if "week-" in line and "│" in line]
    assert rows == [
        "│ auth_bypasses          │       2 │ week-1 │ 0 <= 0 ok      │ <= 0 NOT MET │",
        "│                        │         │ week-2 │ 2 <= 0 NOT MET │              │",
    ]
    assert f"week-1 1/1  {sha[:10]}" in text and "Test Author  1 file(s)  gate none" in text


def test_history_marks_rolled_back_commits(repo: Path) -> None:
    assert cli("run", "week-2", "--repo", str(repo), "--jobs", "1").exit_code == 0
    landed = head(repo)
    assert cli("rollback", "week-2", "--repo", str(repo)).exit_code == 0
    history = batch_history(repo)
    [commit] = history.commits
    assert commit.sha == landed and commit.rolled_back_by == head(repo)
    [rollback] = history.rollbacks
    assert (rollback.batch, rollback.reverted) == ("week-2", landed)


def test_history_ignores_ordinary_commits_and_outside_git(repo: Path, tmp_path: Path) -> None:
    (repo / "notes.txt").write_text("x\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-q", "-m", "notes\n\nMigration-Batch mentioned in prose only")
    assert batch_history(repo).commits == []
    assert batch_history(tmp_path).commits == []


def test_parse_trailers() -> None:
    message = "subject\n\nbody\n\nMigration-Batch: week-3\nMigration-Chunk: 2/5\n"
    assert parse_trailers(message) == {"Migration-Batch": "week-3", "Migration-Chunk": "2/5"}
    assert parse_trailers("subject\n\nMigration-Batch: x\nnot a trailer\n") == {}
    assert parse_trailers("Migration-Batch: only a subject") == {}


def test_status_scans_once_through_the_scan_cache(repo: Path, monkeypatch) -> None:
    from tests.parity import count_parses

    assert cli("scan", str(repo), "--jobs", "1").exit_code == 0  # fills the cache
    parses = count_parses(monkeypatch)
    result = cli("status", str(repo), "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert parses == []  # every file's result came from the cache the scan filled
    assert json.loads(result.stdout)["batch_metrics"]["week-1"]["auth_bypasses"] == 1
    (repo / "pkg_b" / "two.py").write_text("Y = OLD_CALL\n")
    again = json.loads(cli("status", str(repo), "--json", "--jobs", "1").stdout)
    assert sorted(parses) == ["pkg_b/two.py"]  # only the changed file, once for every scope
    assert (
        again["metrics"]["auth_bypasses"],
        again["batch_metrics"]["week-2"]["auth_bypasses"],
    ) == (2, 2)


def test_plan_shows_progress_per_batch_on_a_terminal(repo: Path, monkeypatch) -> None:
    from migrator.engine import changes

    shown: list[tuple[str, int]] = []

    def track(items, total, label, **_options):
        shown.append((label, total))
        yield from items

    monkeypatch.setattr(changes, "track", track)
    assert cli("plan", str(repo), "--jobs", "1").exit_code == 0
    # every tracked file of each batch's paths (migration.toml is not a .py file)
    assert shown == [("planning week-1 (1/2)", 1), ("planning week-2 (2/2)", 2)]
