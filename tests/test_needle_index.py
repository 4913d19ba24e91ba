"""The needle index of a plan: each run reads only the files holding one of its needles."""

from __future__ import annotations

import os
from pathlib import Path

from migrator.engine.file_map import here
from migrator.engine.needle_index import UNREAD, NeedleIndex


def tree(root: Path) -> list[str]:
    (root / "old.py").write_bytes(b"from pkg import ExecutionEngine\n")
    (root / "plain.py").write_bytes(b"x = 1\n")
    (root / "new.py").write_bytes(b"from pkg import UserExecutionEngine\n")
    os.symlink(root / "old.py", root / "link.py")
    return ["link.py", "new.py", "old.py", "plain.py"]


def test_each_file_holds_every_needle_found_in_it_overlapping_ones_too(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    words = [b"ExecutionEngine", b"UserExecutionEngine", b"MOCK_AUTH"]
    index = NeedleIndex(words, paths, here(tmp_path))
    assert index.held == {
        "link.py": UNREAD,  # never followed: the run reads it and reports the link
        "new.py": frozenset({b"ExecutionEngine", b"UserExecutionEngine"}),
        "old.py": frozenset({b"ExecutionEngine"}),
    }


def test_a_run_reads_the_files_with_its_needles_and_those_the_index_could_not_read(
    tmp_path: Path,
) -> None:
    paths = tree(tmp_path)
    index = NeedleIndex([b"ExecutionEngine", b"UserExecutionEngine"], paths, here(tmp_path))
    assert index.worth_reading(paths, [b"UserExecutionEngine"]) == ["link.py", "new.py"]
    assert index.worth_reading(paths, [b"ExecutionEngine"]) == ["link.py", "new.py", "old.py"]
    assert index.worth_reading(["plain.py"], [b"ExecutionEngine"]) == []


def test_a_run_reads_every_file_when_the_index_cannot_answer_for_it(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    index = NeedleIndex([b"ExecutionEngine"], paths, here(tmp_path))
    # a needle the index did not look for (repository facts can add some)
    assert index.worth_reading(paths, [b"ExecutionEngine", b"Bridge"]) == paths
    # a file it did not read
    (tmp_path / "more.py").write_bytes(b"y = 2\n")
    assert index.worth_reading([*paths, "more.py"], [b"ExecutionEngine"]) == [*paths, "more.py"]
    assert NeedleIndex([], paths, here(tmp_path)).worth_reading(paths, [b"x"]) == paths
