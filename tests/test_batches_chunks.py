"""Chunking: files that belong together land together, each chunk gated and committed alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.batch.chunking import cut_chunks
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
    "pkg_a/one.py": "X = OLD_CALL\n",
    "pkg_a/two.py": "Y = OLD_CALL\n",
    "pkg_b/three.py": "Z = OLD_CALL\n",
    "pkg_b/four.py": "W = OLD_CALL\n",
    "pkg_c/five.py": "V = OLD_CALL\n",
}
# The gate logs which files are migrated when it runs, and fails when told to by a marker file.
GATE = """
import json, pathlib, sys
root = pathlib.Path('.')
migrated = sorted(str(p) for p in root.rglob('*.py') if 'NEW_CALL' in p.read_text())
log = pathlib.Path(sys.argv[1])
with log.open('a') as handle:
    handle.write(json.dumps(migrated) + '\\n')
fail_on = pathlib.Path(sys.argv[2])
if fail_on.exists() and fail_on.read_text() in migrated:
    print('FAILED tests/test_x.py::test_it - broke', fail_on.read_text())
    sys.exit(1)
"""


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def setup(tmp_path: Path, limit: int) -> tuple[Path, Path, Path]:
    log, fail_on = tmp_path / "gate.log", tmp_path / "fail_on"
    argv = [*gate_script(tmp_path / "repo", GATE), str(log), str(fail_on)]
    return make_repo(tmp_path / "repo", FILES, spec_text(argv, max_files=limit)), log, fail_on


def run(repo: Path):
    return cli("run", "week-1", "--repo", str(repo), "--jobs", "1")


def test_chunks_become_separate_commits_each_after_its_own_gate(tmp_path: Path) -> None:
    repo, log, _ = setup(tmp_path, limit=2)
    base = head(repo)
    result = run(repo)
    assert result.exit_code == 0, result.output
    assert commit_count(repo) == 4
    shas = git(repo, "rev-list", "--reverse", f"{base}..HEAD").split()
    assert [files_in(repo, sha) for sha in shas] == [
        ["pkg_a/one.py", "pkg_a/two.py"],
        ["pkg_b/four.py", "pkg_b/three.py"],
        ["pkg_c/five.py"],
    ]
    for index, sha in enumerate(shas, 1):
        lines = trailers(repo, sha).splitlines()
        assert f"Migration-Chunk: {index}/3" in lines
        assert f"Migration-Base: {base}" in lines
        assert "Migration-Gate: passed" in lines
    gate_runs = [json.loads(line) for line in log.read_text().splitlines()]
    assert gate_runs == [
        ["pkg_a/one.py", "pkg_a/two.py"],
        ["pkg_a/one.py", "pkg_a/two.py", "pkg_b/four.py", "pkg_b/three.py"],
        sorted(FILES),
    ]
    before = [json.loads(t.split(": ", 1)[1]) for t in _trailer_values(repo, shas, "Before")]
    after = [json.loads(t.split(": ", 1)[1]) for t in _trailer_values(repo, shas, "After")]
    assert [m["auth_bypasses"] for m in before] == [5, 3, 1]
    assert [m["auth_bypasses"] for m in after] == [3, 1, 0]
    assert status(repo) == ""


def _trailer_values(repo: Path, shas: list[str], which: str) -> list[str]:
    key = f"Migration-Metrics-{which}:"
    return [next(t for t in trailers(repo, s).splitlines() if t.startswith(key)) for s in shas]


def test_a_failing_chunk_is_restored_and_earlier_chunks_stay(tmp_path: Path) -> None:
    repo, _, fail_on = setup(tmp_path, limit=2)
    fail_on.write_text("pkg_b/three.py")
    result = run(repo)
    assert result.exit_code == 1
    assert commit_count(repo) == 2
    landed = head(repo)
    assert files_in(repo) == ["pkg_a/one.py", "pkg_a/two.py"]
    assert status(repo) == ""
    tree = snapshot(repo)
    assert tree["pkg_b/three.py"] == b"Z = OLD_CALL\n"
    assert tree["pkg_c/five.py"] == b"V = OLD_CALL\n"  # never written
    assert "gate failed on chunk 2/3" in result.stderr
    assert f"chunks already committed stay: {landed[:12]}" in result.stderr
    assert "FAILED tests/test_x.py::test_it - broke pkg_b/three.py" in result.stderr
    [saved] = (repo / ".git/migrator/runs").glob("*.json")
    record = json.loads(saved.read_text())
    assert {f["path"]: f["status"] for f in record["files"]} == {
        "pkg_a/one.py": "committed",
        "pkg_a/two.py": "committed",
        "pkg_b/four.py": "restored",
        "pkg_b/three.py": "restored",
        "pkg_c/five.py": "not-written",
    }
    assert [c["status"] for c in record["chunks"]] == ["committed", "gate-failed"]


def test_a_module_and_the_tests_that_import_it_land_together() -> None:
    sources = {
        "app/core/engine.py": b"X = 1\n",
        "app/core/other.py": b"Y = 1\n",
        "app/web/view.py": b"Z = 1\n",
        "tests/test_engine.py": b"from app.core.engine import X\n",
        "tests/test_view.py": b"import app.web.view\n",
        "tests/test_misc.py": b"from app.web import view\n",
    }
    chunks = cut_chunks(sorted(sources), sources, limit=3)
    assert chunks == [
        ["app/core/other.py", "tests/test_engine.py", "app/core/engine.py"],
        ["tests/test_misc.py", "tests/test_view.py", "app/web/view.py"],
    ]


def test_importers_land_before_the_modules_they_import() -> None:
    """Files that import each other (in the old or the new source) land together where they
    fit; split, a module that drops an old name lands after every file that imported it."""
    before = {
        "a_old/legacy.py": b"Old = New\n",
        "b_users/one.py": b"from a_old.legacy import Old\n",
        "c_users/two.py": b"from a_old import legacy\n",
        "d_misc/three.py": b"X = 1\n",
    }
    after = {
        "a_old/legacy.py": b"",
        "b_users/one.py": b"from z.canonical import New\n",
        "c_users/two.py": b"from z import canonical\n",
        "d_misc/three.py": b"X = 2\n",
    }
    chunks = cut_chunks(sorted(after), after, limit=1, before=before)
    assert chunks == [
        ["d_misc/three.py"],
        ["b_users/one.py"],
        ["c_users/two.py"],
        ["a_old/legacy.py"],
    ]
    together = cut_chunks(sorted(after), after, limit=3, before=before)
    assert together == [
        ["d_misc/three.py"],
        ["b_users/one.py", "c_users/two.py", "a_old/legacy.py"],
    ]


def test_import_cycles_do_not_stop_chunking() -> None:
    sources = {"p/a.py": b"import p.b\n", "p/b.py": b"import p.a\n", "q/c.py": b"import p.a\n"}
    chunks = cut_chunks(sorted(sources), sources, limit=1)
    assert sorted(path for chunk in chunks for path in chunk) == sorted(sources)
    assert chunks[-1] == ["p/a.py"]  # imported by both others: last


def test_a_package_larger_than_the_limit_is_split_at_the_limit() -> None:
    paths = [f"big/m{i}.py" for i in range(5)] + ["small/s.py"]
    chunks = cut_chunks(paths, {}, limit=2)
    assert chunks == [
        ["big/m0.py", "big/m1.py"],
        ["big/m2.py", "big/m3.py"],
        ["big/m4.py", "small/s.py"],
    ]
    assert all(len(chunk) <= 2 for chunk in chunks)


def test_relative_imports_in_tests_are_resolved() -> None:
    sources = {
        "pkg/mod.py": b"A = 1\n",
        "pkg/tests/test_mod.py": b"from ..mod import A\n",
        "pkg/zzz.py": b"B = 1\n",
        "other/x.py": b"C = 1\n",
    }
    chunks = cut_chunks(sorted(sources), sources, limit=2)
    assert ["pkg/tests/test_mod.py", "pkg/mod.py"] in chunks
