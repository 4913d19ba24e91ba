"""`migrator rollback BATCH|COMMIT`: git revert of each batch commit, newest first, history kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.batch.history import batch_history
from tests.batchkit import (
    cli,
    commit_count,
    git,
    head,
    make_repo,
    register,
    snapshot,
    spec_text,
    status,
    trailers,
)

FILES = {f"pkg{i}/m.py": f"V{i} = OLD_CALL\n" for i in range(3)}


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


@pytest.fixture
def landed(tmp_path: Path) -> tuple[Path, dict[str, bytes], list[str]]:
    """A repository where week-1 landed as three commits (one file each)."""
    repo = make_repo(tmp_path / "repo", FILES, spec_text(max_files=1))
    before = snapshot(repo)
    base = head(repo)
    assert cli("run", "week-1", "--repo", str(repo), "--jobs", "1").exit_code == 0
    shas = git(repo, "rev-list", "--reverse", f"{base}..HEAD").split()
    assert len(shas) == 3
    return repo, before, shas


def rollback(repo: Path, *args: str):
    return cli("rollback", *args, "--repo", str(repo))


def test_rollback_of_a_multi_commit_batch(landed) -> None:
    repo, before, shas = landed
    top = head(repo)
    result = rollback(repo, "week-1")
    assert result.exit_code == 0, result.output
    assert snapshot(repo) == before and status(repo) == ""
    assert commit_count(repo) == 7  # initial + 3 batch commits + 3 reverts: history keeps both
    reverts = git(repo, "rev-list", "--reverse", f"{top}..HEAD").split()
    reverted = [trailers(repo, sha).splitlines() for sha in reverts]
    assert reverted == [
        [f"Migration-Rollback: {shas[2]}", "Migration-Batch: week-1"],
        [f"Migration-Rollback: {shas[1]}", "Migration-Batch: week-1"],
        [f"Migration-Rollback: {shas[0]}", "Migration-Batch: week-1"],
    ]
    assert git(repo, "log", "-1", "--format=%s").strip() == "migrator: roll back week-1 (1/3)"
    assert "rolled back week-1: 3 revert commit(s) in" in result.stderr
    assert f"reverted {shas[2][:12]} week-1 (3/3)" in result.stdout.splitlines()[0]
    history = batch_history(repo)
    assert [c.rolled_back_by for c in history.commits] == list(reversed(reverts))
    assert not history.landed("week-1")


def test_a_batch_already_rolled_back_says_so(landed) -> None:
    repo, _, _ = landed
    assert rollback(repo, "week-1").exit_code == 0
    top = head(repo)
    again = rollback(repo, "week-1")
    assert again.exit_code == 0
    assert "week-1: already rolled back; nothing to do" in again.stderr
    assert head(repo) == top


def test_dry_run_lists_the_commits_and_changes_nothing(landed) -> None:
    repo, _, shas = landed
    top = head(repo)
    result = rollback(repo, "week-1", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"would revert {sha[:12]} week-1 ({i}/3)" for i, sha in reversed(list(enumerate(shas, 1)))
    ]
    assert head(repo) == top


def test_path_is_positional_like_the_other_commands(landed) -> None:
    repo, _, shas = landed
    top = head(repo)
    by_path = cli("rollback", "week-1", str(repo), "--dry-run")
    assert by_path.exit_code == 0, by_path.output
    assert by_path.stdout == rollback(repo, "week-1", "--dry-run").stdout
    assert by_path.stdout.splitlines()[0] == f"would revert {shas[2][:12]} week-1 (3/3)"
    both = cli("rollback", "week-1", str(repo), "--repo", str(repo.parent), "--dry-run")
    assert both.exit_code == 2
    assert "two repositories given" in both.stderr
    assert head(repo) == top


def test_rollback_of_one_commit(landed) -> None:
    repo, _, shas = landed
    result = rollback(repo, shas[1][:10])
    assert result.exit_code == 0, result.output
    assert (repo / "pkg1/m.py").read_text() == "V1 = OLD_CALL\n"
    assert (repo / "pkg0/m.py").read_text() == "V0 = NEW_CALL\n"
    assert trailers(repo).splitlines()[0] == f"Migration-Rollback: {shas[1]}"
    # The rest of the batch is then rolled back without touching that commit again.
    assert rollback(repo, "week-1").exit_code == 0
    assert commit_count(repo) == 7


def test_refuses_a_dirty_tree(landed) -> None:
    repo, _, _ = landed
    (repo / "pkg0/m.py").write_text("local edit\n")
    top = head(repo)
    result = rollback(repo, "week-1")
    assert result.exit_code == 2
    assert "uncommitted changes: pkg0/m.py" in result.stderr
    assert head(repo) == top and (repo / "pkg0/m.py").read_text() == "local edit\n"


def test_unknown_target_and_non_batch_commit(landed) -> None:
    repo, _, _ = landed
    unknown = rollback(repo, "week-7")
    assert unknown.exit_code == 2
    assert "week-7: no batch or commit by that name" in unknown.stderr
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    other = rollback(repo, first)
    assert other.exit_code == 2 and "is not a migrator batch commit" in other.stderr


def test_a_conflicting_revert_undoes_the_whole_rollback(landed) -> None:
    repo, _, _ = landed
    (repo / "pkg0/m.py").write_text("V0 = SOMETHING_ELSE\n")
    git(repo, "commit", "-q", "-am", "later change on the same line")
    top, tree = head(repo), snapshot(repo)
    result = rollback(repo, "week-1")
    assert result.exit_code == 1
    assert "cannot revert" in result.stderr and "nothing changed" in result.stderr
    assert head(repo) == top and snapshot(repo) == tree and status(repo) == ""


def test_rerunning_a_rolled_back_batch_lands_it_again(landed) -> None:
    repo, _, _ = landed
    assert rollback(repo, "week-1").exit_code == 0
    assert cli("run", "week-1", "--repo", str(repo), "--jobs", "1").exit_code == 0
    assert batch_history(repo).landed("week-1")
    assert (repo / "pkg2/m.py").read_text() == "V2 = NEW_CALL\n"
