"""Run a batch's gate commands: live output to stderr, kept for the run record, judged."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from migrator.spec import Gate

FILES = "{files}"  # a gate argument that stands for the chunk's changed files
BUILTIN_SCRIPTS = {"compile-changed": "compile_changed.py"}
KEEP_CHARS = 200_000  # of each gate's output, in the run record
TIMED_OUT = 124  # a gate's exit code when its `timeout` ended it, as coreutils' `timeout`
PYTEST_FAILURE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)
PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?")  # python, python3, python3.12
GATE_ENVIRONMENT_HINT = (
    'point the gate at the project\'s environment, e.g. cmd = [".venv/bin/python", "-m", "pytest"]'
)


@dataclass
class GateResult:
    """One gate command's run and verdict."""

    argv: tuple[str, ...]
    returncode: int
    seconds: float
    output: str
    passed: bool
    failed_tests: list[str] = field(default_factory=list)
    new_failures: list[str] = field(default_factory=list)
    baseline: bool = False
    interpreter: str | None = None  # of a failed Python command: its path and sys.version

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.output.rstrip().splitlines()[-lines:])

    def to_dict(self) -> dict[str, object]:
        return {
            "argv": list(self.argv),
            "returncode": self.returncode,
            "seconds": round(self.seconds, 3),
            "passed": self.passed,
            "failed_tests": self.failed_tests,
            "new_failures": self.new_failures,
            "baseline": self.baseline,
            "interpreter": self.interpreter,
            "output": self.output,
        }


def failed_tests(output: str) -> list[str]:
    """The pytest node ids a run reports as failed or errored (its short summary)."""
    return sorted(set(PYTEST_FAILURE.findall(output)))


def command_line(gate: Gate, files: Sequence[str] = ()) -> list[str] | str:
    """What a gate runs: an argument `{files}` becomes the changed files, one argument each (in
    a shell command, `{files}` anywhere becomes them quoted); a built-in gate is its script run
    by the gate's python."""
    if gate.builtin is not None:
        script = (Path(__file__).parent / BUILTIN_SCRIPTS[gate.builtin]).read_text("utf-8")
        return [gate.argv[0], "-c", script, *files]
    if gate.shell:
        quoted = " ".join(shlex.quote(name) for name in files)
        return " ".join(gate.argv).replace(FILES, quoted)
    argv: list[str] = []
    for word in gate.argv:
        argv.extend(files if word == FILES else [word])
    return argv


def execute(
    gate: Gate, root: Path, stream: TextIO | None = None, files: Sequence[str] = ()
) -> tuple[int, str, float]:
    """Run one gate command in `root`, streaming its output; (returncode, output, seconds).

    The gate runs in a process group of its own, so that a timeout or an interrupted run
    ends every process it started (a test server, pytest's workers), not only the first.
    """
    stream = stream or sys.stderr
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = command_line(gate, files)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            shell=gate.shell,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        message = f"cannot run `{gate.argv[0]}`: {error.strerror or error}\n"
        stream.write(message)
        return 127, message, time.monotonic() - started
    timed_out = threading.Event()

    def time_out() -> None:
        timed_out.set()
        _kill_group(process)

    timer = threading.Timer(gate.timeout, time_out) if gate.timeout else None
    kept: list[str] = []
    try:
        if timer is not None:
            timer.daemon = True
            timer.start()
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace")
            stream.write(line)
            stream.flush()
            kept.append(line)
        returncode = process.wait()
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    finally:
        if timer is not None:
            timer.cancel()
    if timed_out.is_set():
        message = f"migrator: the gate timed out after {gate.timeout:g} s; killed its processes\n"
        stream.write(message)
        kept.append(message)
        returncode = TIMED_OUT
    else:
        _kill_group(process)  # what the gate left running in the background
    output = "".join(kept)[-KEEP_CHARS:]
    return returncode, output, time.monotonic() - started


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_gate(
    gate: Gate,
    root: Path,
    baseline_failures: set[str] | None = None,
    stream: TextIO | None = None,
    files: Sequence[str] = (),
) -> GateResult:
    """Run and judge a gate over the chunk's `files`; with a baseline, only tests that passed
    there can fail it."""
    returncode, output, seconds = execute(gate, root, stream, files)
    failures = failed_tests(output)
    result = GateResult(gate.argv, returncode, seconds, output, returncode == 0, failures)
    if returncode != 0 and baseline_failures is not None:
        result.baseline = True
        result.new_failures = [test for test in failures if test not in baseline_failures]
        # Without any failing node id the run cannot be compared (crash, collection error).
        result.passed = bool(failures) and not result.new_failures
    elif returncode != 0:
        result.new_failures = failures
    if not result.passed:
        result.interpreter = interpreter(gate, root)
    return result


def interpreter(gate: Gate, root: Path) -> str | None:
    """Which Python a gate's command ran, as `path (sys.version)`; None when it is no Python.

    A bare `python` is looked up on PATH like the gate's own run did; that is often migrator's
    environment, not the project's, which is the usual reason a gate fails to import anything.
    """
    words = shlex.split(gate.argv[0]) if gate.shell else list(gate.argv[:1])
    command = words[0] if words else ""
    if not PYTHON.fullmatch(Path(command).name):
        return None
    found = str(root / command) if "/" in command else shutil.which(command)
    if found is None or not os.access(found, os.X_OK):
        return f"`{command}`: not found (PATH={os.environ.get('PATH', '')})"
    try:
        done = subprocess.run(
            [found, "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"{found} (cannot ask it its version: {error})"
    version = " ".join(done.stdout.split()) or f"exit {done.returncode}, no version"
    return f"{found} ({version})"


def run_baselines(gates: tuple[Gate, ...], root: Path) -> dict[int, set[str]]:
    """Failing tests of each `baseline = true` gate on the untouched tree, by gate index."""
    baselines = {}
    for index, gate in enumerate(gates):
        if gate.baseline:
            sys.stderr.write(f"baseline: {' '.join(gate.argv)}\n")
            _code, output, _seconds = execute(gate, root)
            baselines[index] = set(failed_tests(output))
    return baselines
