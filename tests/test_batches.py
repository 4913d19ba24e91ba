"""`migrator run BATCH`: apply, gate, commit with trailers, the run record, no-op re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batchkit import (
    cli,
    commit_count,
    files_in,
    gate_script,
    git,
    head,
    make_repo,
    register,
    snapshot,
    spec_text,
    status,
    trailers,
)

FILES = {
    "app/a.py": "def f():\n    return OLD_CALL()\n",
    "app/b.py": "x = 1\n",
    "lib/c.py": "# comment\nOLD_CALL = 2\n",
}
PASS_GATE = "import sys; sys.exit(0)\n"


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    gate = gate_script(tmp_path / "repo", PASS_GATE)
    return make_repo(tmp_path / "repo", FILES, spec_text(gate))


def run(repo: Path, *args: str, input: str | None = None):
    return cli("run", "week-1", "--repo", str(repo), "--jobs", "1", *args, input=input)


def test_passing_batch_commits_exactly_the_changed_files_with_trailers(repo: Path) -> None:
    base = head(repo)
    result = run(repo)
    assert result.exit_code == 0, result.output
    assert commit_count(repo) == 2
    assert files_in(repo) == ["app/a.py", "lib/c.py"]
    assert (repo / "app/a.py").read_text() == "def f():\n    return NEW_CALL()\n"
    assert (repo / "lib/c.py").read_text() == "# comment\nNEW_CALL = 2\n"
    assert status(repo) == ""
    lines = trailers(repo).splitlines()
    spec_digest = lines[3].split(": ", 1)[1]
    assert len(spec_digest) == 12
    before = json.loads(lines[5].split(": ", 1)[1])
    after = json.loads(lines[6].split(": ", 1)[1])
    assert lines == [
        "Migration-Batch: week-1",
        "Migration-Chunk: 1/1",
        "Migration-Rules: marker",
        f"Migration-Spec: {spec_digest}",
        f"Migration-Base: {base}",
        "Migration-Metrics-Before: " + json.dumps(before, separators=(",", ":")),
        "Migration-Metrics-After: " + json.dumps(after, separators=(",", ":")),
        "Migration-Gate: passed",
    ]
    assert before["auth_bypasses"] == 2 and after["auth_bypasses"] == 0
    subject = git(repo, "log", "-1", "--format=%s").strip()
    assert subject == "migrator: week-1 (1/1): marker"
    assert "2 file(s) committed in 1 commit(s)" in result.stderr


def test_run_record_is_saved_under_git_and_printed_with_json(repo: Path) -> None:
    result = run(repo, "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    saved = sorted((repo / ".git/migrator/runs").glob("*-week-1.json"))
    assert len(saved) == 1
    assert json.loads(saved[0].read_text()) == record
    assert list(record) == [  # the README's contract, in this order
        *("batch", "rules", "spec", "spec_digest", "base", "branch", "started", "outcome"),
        *("commits", "files", "chunks", "baseline", "skipped_by_user", "timings"),
        *("metrics_before", "metrics_after", "targets", "exit_code", "message", "finished"),
        "seconds",
    ]
    assert record["outcome"] == "committed"
    assert record["commits"] == [head(repo)]
    files = {f["path"]: f for f in record["files"]}
    assert sorted(files) == ["app/a.py", "lib/c.py"]
    assert files["app/a.py"]["edits"] == {"marker": 1}
    assert files["app/a.py"]["rules"] == ["marker"]
    assert files["app/a.py"]["status"] == "committed"
    assert files["app/a.py"]["chunk"] == 1
    assert files["app/a.py"]["write_seconds"] >= 0
    [chunk] = record["chunks"]
    assert chunk["status"] == "committed"
    assert [g["passed"] for g in chunk["gates"]] == [True]
    assert chunk["gates"][0]["returncode"] == 0
    assert record["targets"] == [
        {"metric": "auth_bypasses", "value": 0, "target": "<= 0", "met": True}
    ]
    assert set(record["timings"]) == {"compute", "metrics"}


def test_rerunning_a_landed_batch_is_a_no_op(repo: Path) -> None:
    assert run(repo).exit_code == 0
    landed = head(repo)
    again = run(repo, "--json")
    assert again.exit_code == 0
    assert "week-1: nothing to change" in again.stderr
    record = json.loads(again.stdout)  # a run that stopped early has no metrics or targets
    assert record["outcome"] == "nothing-to-change" and "metrics_before" not in record
    assert list(record)[-4:] == ["exit_code", "message", "finished", "seconds"]
    assert head(repo) == landed
    assert status(repo) == ""


def test_failing_gate_restores_the_tree_byte_exact_and_commits_nothing(tmp_path: Path) -> None:
    gate = gate_script(tmp_path / "repo", "print('boom: 3 failed')\nraise SystemExit(3)\n")
    repo = make_repo(tmp_path / "repo", FILES, spec_text(gate))
    before, sha = snapshot(repo), head(repo)
    result = run(repo)
    assert result.exit_code == 1
    assert snapshot(repo) == before
    assert head(repo) == sha and status(repo) == ""
    assert "boom: 3 failed" in result.stderr  # streamed live, and its last lines repeated
    assert "gate failed on chunk 1/1; restored 2 file(s), nothing committed" in result.stderr
    assert not (repo / ".git/migrator/journal").exists()
    [saved] = (repo / ".git/migrator/runs").glob("*.json")
    record = json.loads(saved.read_text())
    assert record["outcome"] == "gate-failed"
    assert record["chunks"][0]["gates"][0]["returncode"] == 3
    assert "boom: 3 failed" in record["chunks"][0]["gates"][0]["output"]


def test_gate_runs_in_the_repository_root_without_a_shell(tmp_path: Path) -> None:
    body = "import os, sys\nopen(sys.argv[1], 'w').write(os.getcwd())\n"
    argv = [*gate_script(tmp_path / "repo", body), str(tmp_path / "cwd.txt")]
    repo = make_repo(tmp_path / "repo", FILES, spec_text(argv))
    assert run(repo).exit_code == 0
    assert Path((tmp_path / "cwd.txt").read_text()).resolve() == repo.resolve()


def test_dry_run_writes_nothing_and_works_outside_git(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    for path, text in {**FILES, "migration.toml": spec_text([])}.items():
        (plain / path).parent.mkdir(parents=True, exist_ok=True)
        (plain / path).write_text(text)
    before = snapshot(plain)
    result = run(plain, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "-    return OLD_CALL()\n+    return NEW_CALL()\n" in result.stdout
    patch = tmp_path / "week-1.patch"
    assert run(plain, "--dry-run", "--patch", str(patch)).exit_code == 0
    assert patch.read_text() == result.stdout
    assert snapshot(plain) == before


def test_patch_from_dry_run_applies_with_git_apply(repo: Path, tmp_path: Path) -> None:
    patch = tmp_path / "p.diff"
    assert run(repo, "--dry-run", "--patch", str(patch)).exit_code == 0
    git(repo, "apply", "--check", str(patch))


def test_metrics_against_targets_are_shown_at_the_end(repo: Path) -> None:
    result = run(repo)
    assert "auth_bypasses" in result.stdout and "<= 0" in result.stdout


def test_commit_hooks_run(repo: Path) -> None:
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text('#!/bin/sh\necho hooked >> "$(git rev-parse --git-dir)/hook.log"\n')
    hook.chmod(0o755)
    assert run(repo).exit_code == 0
    assert (repo / ".git/hook.log").read_text() == "hooked\n"


def test_rejecting_hook_restores_and_exits_1(repo: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no migrations today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before, sha = snapshot(repo), head(repo)
    result = run(repo)
    assert result.exit_code == 1
    assert "not committed" in result.stderr
    assert snapshot(repo) == before and head(repo) == sha and status(repo) == ""
