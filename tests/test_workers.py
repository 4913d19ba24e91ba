"""A `migrator` killed with SIGKILL leaves no worker process behind (scan and dry run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.spec_modules import stub_spec_modules

PROC = Path("/proc")
pytestmark = pytest.mark.skipif(
    not (PROC / "self" / "stat").exists(), reason="reads processes from /proc (Linux)"
)
PROJECT = Path(__file__).resolve().parent.parent


def stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)", which may hold spaces
    return fields[0], int(fields[1])


def descendants(root: int) -> set[int]:
    """Every process below `root`, from a snapshot of /proc."""
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (found := stat(int(entry.name))):
            parents[int(entry.name)] = found[1]
    below, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return below


def executable(pid: int) -> str | None:
    try:
        return os.readlink(PROC / str(pid) / "exe")
    except OSError:
        return None


def alive(pid: int) -> bool:
    found = stat(pid)
    return found is not None and found[0] != "Z"  # a zombie has exited; no one reaped it yet


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough engine-using files to keep two workers busy for many seconds."""
    root = tmp_path_factory.mktemp("workers") / "repo"
    generate(root, files=1500, affected=1.0, seed=5, median_size=1500)  # a scan: 1.7 s
    stub_spec_modules(root)  # `run` refuses a spec whose targets the tree lacks
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def seen() -> Iterator[set[int]]:
    """Processes a test started or saw; any still alive afterwards is killed (a failed test)."""
    pids: set[int] = set()
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "command",
    [["scan", "{root}"], ["run", "--dry-run", "--repo", "{root}"]],
    ids=["scan", "dry-run"],
)
def test_sigkill_to_migrator_leaves_no_worker(
    command: list[str], tree: Path, tmp_path: Path, seen: set[int]
) -> None:
    argv = [sys.executable, "-m", "migrator", *(a.format(root=tree) for a in command)]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(PROJECT)}
    process = subprocess.Popen(
        [*argv, "--jobs", "2", "--no-cache"],
        cwd=tree,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen.add(process.pid)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2:
        assert process.poll() is None, "migrator finished before its workers were seen"
        assert time.monotonic() < deadline, "no two workers appeared"
        time.sleep(0.05)
        python = executable(process.pid)  # workers run it too; a `git` child does not
        workers = {
            pid for pid in descendants(process.pid) if alive(pid) and executable(pid) == python
        }
        seen.update(workers)
    time.sleep(0.2)  # the workers are at work on their queued chunks
    assert all(alive(pid) for pid in workers)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if alive(pid)] == []
