"""Crash safety: a run killed mid-write leaves a journal; `migrator recover` restores HEAD."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.batchkit import (
    cli,
    commit_count,
    files_in,
    make_repo,
    register,
    snapshot,
    spec_text,
    start_paused,
    status,
)

PAUSE_AFTER_WRITES = "writes"

FILES = {f"pkg{i}/m.py": f"V{i} = OLD_CALL\n" for i in range(4)}


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def test_sigkill_mid_write_then_recover_restores_head(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text())
    before = snapshot(repo)
    process = start_paused(repo, PAUSE_AFTER_WRITES, 2)
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
    process = start_paused(repo, PAUSE_AFTER_WRITES, 3)
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
    process = start_paused(repo, PAUSE_AFTER_WRITES, 2)
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: restored 2 file(s) of the current chunk" in err
    assert snapshot(repo) == before and status(repo) == ""
    assert not (repo / ".git/migrator/journal").exists()
    assert not (repo / ".git/migrator/lock").exists()
    assert commit_count(repo) == 1
