"""Crash safety: a run killed mid-write leaves a journal; `migrator recover` restores HEAD."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batchkit import (
    IDENTITY,
    cli,
    commit_count,
    files_in,
    make_repo,
    register,
    snapshot,
    spec_text,
    status,
)

ROOT = Path(__file__).resolve().parent.parent
FILES = {f"pkg{i}/m.py": f"V{i} = OLD_CALL\n" for i in range(4)}
LAUNCH = (
    "import sys; sys.path.insert(0, {root!r});"
    "import codemods; from tests.batchkit import MarkerCodemod;"
    "codemods.CODEMODS['marker'] = MarkerCodemod();"
    "from migrator.cli import app; app(sys.argv[1:])"
)
PAUSED = "test pause after"


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def start_paused(repo: Path, writes: int) -> subprocess.Popen:
    """`migrator run week-1` in a subprocess, stopped (sleeping) after `writes` file writes."""
    env = {
        **os.environ,
        **IDENTITY,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "MIGRATOR_TEST_PAUSE_AFTER_WRITES": str(writes),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH.format(root=str(ROOT)), "run", "week-1"]
        + ["--repo", str(repo), "--jobs", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline, seen = time.monotonic() + 60, ""
    assert process.stderr is not None
    while PAUSED not in seen:
        ready, _, _ = select.select([process.stderr], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stderr.readline() if ready else ""
        if not line:
            process.kill()
            raise AssertionError(f"the run never paused; stderr so far:\n{seen}")
        seen += line
    return process


def test_sigkill_mid_write_then_recover_restores_head(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text())
    before = snapshot(repo)
    process = start_paused(repo, writes=2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert sorted(line[3:] for line in status(repo).splitlines()) == ["pkg0/m.py", "pkg1/m.py"]
    assert (repo / ".git/migrator/journal/entries.jsonl").exists()
    assert (repo / ".git/migrator/lock").exists()

    refused = cli("status", str(repo))
    assert refused.exit_code == 2
    assert "run `migrator recover` first" in refused.stderr
    assert cli("run", "week-1", "--repo", str(repo)).exit_code == 2
    assert cli("run", "week-1", "--repo", str(repo), "--dry-run").exit_code == 2
    monkeypatch.chdir(repo)
    scanned = cli("scan", str(repo), "--jobs", "1")
    assert scanned.exit_code == 0
    assert "warning: a previous migrator run was interrupted and left 2 file(s)" in scanned.stderr

    result = cli("recover", str(repo))
    assert result.exit_code == 0, result.output
    assert "recovered 2 file(s): restored the original bytes" in result.stderr
    assert status(repo) == ""
    assert snapshot(repo) == before
    assert not (repo / ".git/migrator/journal").exists()
    assert commit_count(repo) == 1
    again = cli("recover", str(repo))
    assert again.exit_code == 0 and "nothing to recover" in again.stderr


def test_sigkill_after_a_committed_chunk_keeps_the_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text(max_files=2))
    process = start_paused(repo, writes=3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert commit_count(repo) == 2
    assert files_in(repo) == ["pkg0/m.py", "pkg1/m.py"]
    assert status(repo) == " M pkg2/m.py\n"
    assert cli("recover", str(repo)).exit_code == 0
    assert status(repo) == ""
    assert (repo / "pkg2/m.py").read_text() == "V2 = OLD_CALL\n"
    assert (repo / "pkg0/m.py").read_text() == "V0 = NEW_CALL\n"
    # The rest of the batch can then be run to completion.
    assert cli("run", "week-1", "--repo", str(repo), "--jobs", "1").exit_code == 0
    assert commit_count(repo) == 3 and status(repo) == ""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_restore_at_once(tmp_path: Path, signum: int) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text())
    before = snapshot(repo)
    process = start_paused(repo, writes=2)
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: restored 2 file(s) of the current chunk" in err
    assert snapshot(repo) == before and status(repo) == ""
    assert not (repo / ".git/migrator/journal").exists()
    assert not (repo / ".git/migrator/lock").exists()
    assert commit_count(repo) == 1
