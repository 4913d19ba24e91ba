"""Kill a chunked batch run at every write and every commit, with SIGKILL, SIGTERM and SIGINT.

After `migrator recover` the work tree and the branch must equal the state before the batch or
the state after a whole chunk (as an uninterrupted run leaves it), never a mix. Two concurrent
runs: the second refuses with exit 2 and says who holds the lock.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.batchkit import (
    cli,
    commit_count,
    git,
    make_repo,
    register,
    spec_text,
    start_paused,
    status,
)

FILES = {f"pkg{i}/m.py": f"V{i} = OLD_CALL\n" for i in range(5)}
MAX_FILES = 2  # chunks of 2, 2 and 1 files: 5 writes, 3 commits
WRITES, COMMITS = "writes", "commits"
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}
# (signal, pause point, count): a few in `make test`, every point in `make fuzz`.
FAST = [
    ("SIGKILL", WRITES, 1),
    ("SIGKILL", WRITES, 4),
    ("SIGKILL", COMMITS, 1),
    ("SIGTERM", WRITES, 3),
    ("SIGINT", COMMITS, 2),
]
EVERY = [
    (name, point, count)
    for name in SIGNALS
    for point, counts in ((WRITES, range(1, 6)), (COMMITS, range(1, 3)))
    for count in counts
]
POINTS = FAST + [pytest.param(*p, marks=pytest.mark.slow) for p in EVERY if p not in FAST]


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def tracked_state(repo: Path) -> dict[str, bytes]:
    return {path: (repo / path).read_bytes() for path in FILES}


def reference_states(tmp_path: Path) -> list[dict[str, bytes]]:
    """The files before the batch and after each chunk of an uninterrupted run."""
    repo = make_repo(tmp_path / "reference", FILES, spec_text(max_files=MAX_FILES))
    result = cli("run", "week-1", "--repo", str(repo), "--jobs", "1")
    assert result.exit_code == 0, result.output
    shas = git(repo, "rev-list", "--reverse", "HEAD").split()
    return [{p: git(repo, "show", f"{sha}:{p}").encode() for p in FILES} for sha in shas]


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> list[dict[str, bytes]]:
    import pytest as _pytest

    with _pytest.MonkeyPatch.context() as patch:
        register(patch)
        states = reference_states(tmp_path_factory.mktemp("ref"))
    assert len(states) == 4  # the initial commit and three chunks
    return states


@pytest.mark.parametrize(("signame", "point", "count"), POINTS)
def test_killed_run_recovers_to_a_whole_chunk_boundary(
    tmp_path: Path, references, signame: str, point: str, count: int
) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text(max_files=MAX_FILES))
    process = start_paused(repo, point, count)
    process.send_signal(SIGNALS[signame])
    process.communicate(timeout=60)
    if signame != "SIGKILL":
        assert process.returncode == 130
    recovered = cli("recover", str(repo))
    assert recovered.exit_code == 0, recovered.output
    assert status(repo) == ""
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert not (repo / ".git/migrator/journal").exists()
    assert not (repo / ".git/migrator/lock").exists() or signame == "SIGKILL"
    landed = commit_count(repo) - 1
    assert tracked_state(repo) == references[landed]
    # A killed run loses only the chunk in flight; a chunk whose commit was made stays.
    assert landed == (count if point == COMMITS else (count - 1) // MAX_FILES)
    # The batch then finishes from where it stopped, to the same end state.
    again = cli("run", "week-1", "--repo", str(repo), "--jobs", "1")
    assert again.exit_code == 0, again.output
    assert tracked_state(repo) == references[-1] and status(repo) == ""


def test_second_concurrent_run_refuses_and_names_the_holder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES, spec_text(max_files=MAX_FILES))
    process = start_paused(repo, WRITES, 1)
    try:
        second = cli("run", "week-1", "--repo", str(repo), "--jobs", "1")
        assert second.exit_code == 2
        assert f"another migrator run holds {repo / '.git/migrator/lock'}" in second.stderr
        assert f"(pid {process.pid}: migrator run week-1); wait for it to finish" in second.stderr
        assert cli("recover", str(repo)).exit_code == 2  # never under a live run
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 130 and status(repo) == ""
