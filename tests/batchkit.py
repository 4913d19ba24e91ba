"""Test support for the batch tests: a tiny marker codemod and real temporary git repositories."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from codemods import registry
from codemods.core.base import Analysis, Finding, ParsedFile, TransformResult
from codemods.core.descriptor import Descriptor
from codemods.core.rules import RuleSet

OLD, NEW = "OLD_CALL", "NEW_CALL"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}


class MarkerCodemod:
    """Rewrites OLD_CALL to NEW_CALL; each OLD_CALL counts as an auth bypass for the metrics."""

    name = "marker"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return frozenset({OLD.encode()})

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        analysis = Analysis()
        for number, line in enumerate(parsed.code.splitlines(), 1):
            if OLD in line:
                column = line.index(OLD)
                path = parsed.context.path
                analysis.findings.append(Finding("auth-bypass", path, number, column, "old call"))
        return analysis

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        count = parsed.code.count(OLD)
        return TransformResult(parsed.code.replace(OLD, NEW), [], count)


MARKER = Descriptor(
    name="marker",
    section="marker",
    read=lambda spec, value, key: spec.table(value, key, set()),
    needles=lambda rules: frozenset({OLD.encode()}),
    codemod="tests.batchkit:MarkerCodemod",
)


def register(monkeypatch) -> None:
    """Put the marker codemod into the registry and make git hermetic with an identity."""
    monkeypatch.setitem(registry.DESCRIPTORS, "marker", MARKER)
    hermetic_git(monkeypatch)
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)


def hermetic_git(monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def spec_text(
    gate: list[str] | None = None,
    max_files: int = 50,
    paths: str = '["**"]',
    extra_gate: str = "",
) -> str:
    gate_line = f"gate = [{_toml_list(gate)}]" if gate else "gate = []"
    if extra_gate:
        gate_line = extra_gate
    return (
        '[migration]\nname = "test-migration"\ninclude = ["**/*.py"]\n\n'
        '[[batch]]\nname = "week-1"\nrules = ["marker"]\n'
        f"paths = {paths}\n{gate_line}\nmax_files_per_commit = {max_files}\n\n"
        "[batch.targets]\nauth_bypasses = { max = 0 }\n"
    )


def _toml_list(argv: list[str]) -> str:
    return json.dumps(argv)  # a JSON list of strings is a TOML array


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    result = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def make_repo(root: Path, files: dict[str, str], spec: str | None = None) -> Path:
    """A git repository with `files` (and migration.toml) in one initial commit."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for path, text in {**files, "migration.toml": spec or spec_text()}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the work tree (outside .git), byte for byte."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def trailers(root: Path, sha: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%(trailers:only,unfold)", sha).strip()


def files_in(root: Path, sha: str = "HEAD") -> list[str]:
    out = git(root, "show", "--name-only", "--format=", sha)
    return sorted(line for line in out.splitlines() if line)


def cli(*args: str, input: str | None = None):
    from migrator.cli import app

    return CliRunner().invoke(app, list(args), input=input)


def gate_script(root: Path, body: str) -> list[str]:
    """A gate that runs `body` (Python) with this interpreter, from a file outside the repo."""
    script = root.parent / f"gate_{abs(hash(body))}.py"
    script.write_text(body)
    return [sys.executable, str(script)]


PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A `migrator` process with the marker codemod registered, for tests that must kill a real run.
LAUNCH = (
    "import sys; sys.path.insert(0, {root!r});"
    "from codemods import registry; from tests.batchkit import MARKER, pause_after;"
    "registry.register(MARKER);"
    "pause_after({point!r}, {count});"
    "from migrator.cli import app; app(sys.argv[1:])"
)
PAUSED = "test pause after"
PAUSE_POINTS = ("writes", "commits")


def pause_after(point: str, count: int) -> None:
    """In a launched run, sleep (to be signalled or killed) after the `count`-th file write, or
    after the `count`-th commit (before its chunk's journal is cleared), by wrapping the run's
    file writer or the repository's commit: production code has no test hook."""
    from migrator.batch import run
    from migrator.git import Repository

    done = 0

    def pause(what: str) -> None:
        nonlocal done
        done += 1
        if done == count:
            print(f"migrator: {PAUSED} {count} {what}", file=sys.stderr, flush=True)
            time.sleep(300)

    if point == "writes":
        write = run.atomic_write

        def atomic_write(path: Path, data: bytes) -> None:
            write(path, data)  # in run.py only a chunk's files are written this way
            pause("write(s)")

        run.atomic_write = atomic_write
    elif point == "commits":
        commit = Repository.commit_paths

        def commit_paths(self: Repository, paths: list[str], message: str) -> str:
            sha = commit(self, paths, message)
            pause("commit(s)")
            return sha

        Repository.commit_paths = commit_paths  # type: ignore[method-assign]
    else:
        raise ValueError(f"pause point {point!r} is not one of {PAUSE_POINTS}")


def start_paused(repo: Path, point: str, count: int) -> subprocess.Popen:
    """`migrator run week-1` in a subprocess, sleeping after `count` "writes" or "commits"."""
    env = {**os.environ, **IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    launch = LAUNCH.format(root=str(PROJECT_ROOT), point=point, count=count)
    process = subprocess.Popen(
        [sys.executable, "-c", launch, "run", "week-1", "--repo", str(repo), "--jobs", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline, seen = time.monotonic() + 120, ""
    assert process.stderr is not None
    while PAUSED not in seen:
        ready, _, _ = select.select([process.stderr], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stderr.readline() if ready else ""
        if not line:
            why = "timed out after 120 s" if not ready else f"exited with {process.wait(10)}"
            process.kill()
            raise AssertionError(f"the run never paused ({why}); stderr so far:\n{seen}")
        seen += line
    return process
