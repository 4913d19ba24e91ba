"""`migrator run BATCH --interactive`: hunk by hunk on plain stdin; only taken hunks land."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from migrator.batch.interactive import apply_hunks, choose, hunks
from tests.batchkit import cli, commit_count, files_in, make_repo, register, status

OLD = b"".join(b"line %d\n" % i for i in range(1, 21))
NEW = OLD.replace(b"line 2\n", b"LINE 2\n").replace(b"line 18\n", b"LINE 18\n")
FILE_A = "".join(f"a{i} = {'OLD_CALL' if i in (1, 15) else i}\n" for i in range(1, 20))
FILES = {"app/a.py": FILE_A, "app/b.py": "B = OLD_CALL\n", "app/c.py": "C = OLD_CALL\n"}


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def answers(*lines: str):
    stream = io.StringIO("".join(f"{line}\n" for line in lines))
    return stream.readline


def test_hunks_are_split_like_git_and_apply_independently() -> None:
    found = hunks(OLD, NEW)
    assert [h.header for h in found] == ["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"]
    assert found[0].lines[:3] == [" line 1\n", "-line 2\n", "+LINE 2\n"]
    assert apply_hunks(OLD, NEW, found) == NEW
    assert apply_hunks(OLD, NEW, []) == OLD
    assert apply_hunks(OLD, NEW, found[1:]) == OLD.replace(b"line 18\n", b"LINE 18\n")


def test_choose_yes_no_all_rest_and_help() -> None:
    out = io.StringIO()
    files = [("a.py", OLD, NEW), ("b.py", OLD, NEW), ("c.py", OLD, NEW)]
    selection = choose(files, answers("?", "n", "y", "a", "d"), out)
    assert selection.contents == {
        "a.py": OLD.replace(b"line 18\n", b"LINE 18\n"),
        "b.py": NEW,
    }
    assert selection.skipped == [
        {"path": "a.py", "hunk": "@@ -1,5 +1,5 @@", "reason": "skipped by the user"},
        {"path": "c.py", "hunk": "@@ -1,5 +1,5 @@", "reason": "skipped by the user"},
        {"path": "c.py", "hunk": "@@ -15,6 +15,6 @@", "reason": "skipped by the user"},
    ]
    assert "y - take this hunk" in out.getvalue()
    assert out.getvalue().count("Take this hunk [y,n,a,d,q,?]? ") == 5


def test_quit_and_end_of_input_skip_everything_after() -> None:
    files = [("a.py", OLD, NEW), ("b.py", OLD, NEW)]
    selection = choose(files, answers("y", "q"), io.StringIO())
    assert selection.contents == {"a.py": OLD.replace(b"line 2\n", b"LINE 2\n")}
    assert len(selection.skipped) == 3 and selection.quit
    eof = choose(files, answers(), io.StringIO())
    assert eof.contents == {} and len(eof.skipped) == 4


def test_interactive_run_commits_only_the_taken_hunks(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    # a.py has two hunks: take the first, skip the second; b.py: skip; c.py: take.
    result = cli(
        "run",
        "week-1",
        "--repo",
        str(repo),
        "--jobs",
        "1",
        "--interactive",
        "--json",
        input="y\nn\nn\ny\n",
    )
    assert result.exit_code == 0, result.output
    assert commit_count(repo) == 2
    assert files_in(repo) == ["app/a.py", "app/c.py"]
    a_text = (repo / "app/a.py").read_text()
    assert "a1 = NEW_CALL\n" in a_text and "a15 = OLD_CALL\n" in a_text
    assert (repo / "app/b.py").read_text() == "B = OLD_CALL\n"
    assert status(repo) == ""
    record = json.loads(result.stdout)
    assert record["skipped_by_user"] == [
        {"path": "app/a.py", "hunk": "@@ -12,7 +12,7 @@", "reason": "skipped by the user"},
        {"path": "app/b.py", "hunk": "@@ -1 +1 @@", "reason": "skipped by the user"},
    ]
    statuses = {f["path"]: (f["status"], f["skipped_hunks"]) for f in record["files"]}
    assert statuses == {
        "app/a.py": ("committed", 1),
        "app/b.py": ("skipped-by-user", 1),
        "app/c.py": ("committed", 0),
    }


def test_interactive_run_taking_nothing_commits_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    result = cli("run", "week-1", "--repo", str(repo), "--interactive", input="q\n")
    assert result.exit_code == 0
    assert "week-1: nothing taken" in result.stderr
    assert commit_count(repo) == 1 and status(repo) == ""
