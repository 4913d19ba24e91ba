"""Gates: live output kept for the record, no shell unless asked, and pytest baselines."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from migrator.batch.gates import failed_tests, run_gate
from migrator.spec import Gate
from tests.batchkit import (
    cli,
    commit_count,
    make_repo,
    register,
    snapshot,
    spec_text,
    status,
)

CHECK_A = (
    "from pathlib import Path\n\n\n"
    "def test_a_still_old():\n    assert 'OLD' in Path('app/a.py').read_text()\n"
)
KNOWN_BAD = "def test_known_failure():\n    assert False\n\n\ndef test_fine():\n    assert True\n"


def test_output_is_streamed_and_kept(tmp_path: Path) -> None:
    stream = io.StringIO()
    gate = Gate((sys.executable, "-c", "print('one'); print('two'); raise SystemExit(4)"))
    result = run_gate(gate, tmp_path, stream=stream)
    assert stream.getvalue() == "one\ntwo\n" and result.output == "one\ntwo\n"
    assert (result.returncode, result.passed, result.tail(1)) == (4, False, "two")


def test_no_shell_unless_asked(tmp_path: Path) -> None:
    literal = run_gate(Gate(("echo", "$HOME", "&&", "false")), tmp_path, stream=io.StringIO())
    assert literal.passed and literal.output == "$HOME && false\n"
    shell = run_gate(Gate(("echo hi && false",), shell=True), tmp_path, stream=io.StringIO())
    assert not shell.passed and shell.output == "hi\n"


def test_a_missing_command_fails_the_gate(tmp_path: Path) -> None:
    result = run_gate(Gate(("no-such-command-xyz",)), tmp_path, stream=io.StringIO())
    assert (result.returncode, result.passed) == (127, False)
    assert "cannot run `no-such-command-xyz`" in result.output


def test_failed_tests_parses_the_pytest_summary() -> None:
    output = "x\nFAILED tests/t.py::test_a - assert 0\nERROR tests/u.py::test_b\nFAILED x\n"
    assert failed_tests(output) == ["tests/t.py::test_a", "tests/u.py::test_b", "x"]


@pytest.fixture
def pytest_repo(tmp_path: Path, monkeypatch) -> Path:
    register(monkeypatch)
    files = {
        "app/a.py": "A = OLD_CALL\n",
        "tests/test_known.py": KNOWN_BAD,
        "tests/test_check.py": CHECK_A,
    }
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv = json.dumps([*pytest, "-p", "no:hypothesispytest", "tests"])
    spec = (
        '[migration]\nname = "t"\ninclude = ["**/*.py"]\n\n'
        '[[batch]]\nname = "week-1"\nrules = ["marker"]\npaths = ["app/**"]\n'
        f"gate = [{{ cmd = {argv}, baseline = true }}]\n"
    )
    return make_repo(tmp_path / "repo", files, spec)


def test_baseline_gate_fails_only_on_tests_that_passed_before(pytest_repo: Path) -> None:
    before = snapshot(pytest_repo)
    result = cli("run", "week-1", "--repo", str(pytest_repo), "--jobs", "1", "--json")
    assert result.exit_code == 1, result.output
    record = json.loads(result.stdout)
    [baseline] = record["baseline"]
    assert baseline["failed_tests"] == ["tests/test_known.py::test_known_failure"]
    [gate] = record["chunks"][0]["gates"]
    assert gate["baseline"] is True
    assert gate["new_failures"] == ["tests/test_check.py::test_a_still_old"]
    assert snapshot(pytest_repo) == before and commit_count(pytest_repo) == 1


def test_baseline_gate_passes_with_only_known_failures(pytest_repo: Path) -> None:
    (pytest_repo / "tests/test_check.py").unlink()
    from tests.batchkit import git

    git(pytest_repo, "commit", "-qam", "drop the check")
    result = cli("run", "week-1", "--repo", str(pytest_repo), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert commit_count(pytest_repo) == 3 and status(pytest_repo) == ""


@pytest.fixture
def python_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `python` on PATH (this interpreter, linked) and nothing else: a known interpreter."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{Path(shutil.which('git')).parent}")
    return bin_dir / "python"


def test_a_failing_python_gate_says_which_interpreter_ran(
    tmp_path: Path, python_on_path: Path
) -> None:
    gate = Gate(("python", "-c", "raise SystemExit('No module named pytest')"))
    result = run_gate(gate, tmp_path, stream=io.StringIO())
    assert (result.returncode, result.passed) == (1, False)
    assert result.interpreter == f"{python_on_path} ({' '.join(sys.version.split())})"
    assert result.to_dict()["interpreter"] == result.interpreter


def test_the_interpreter_of_a_relative_or_shell_gate(tmp_path: Path, python_on_path) -> None:
    venv_python = tmp_path / ".venv" / "bin" / "python3"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(sys.executable)
    relative = run_gate(Gate((".venv/bin/python3", "-c", "1/0")), tmp_path, io.StringIO())
    assert relative.interpreter == f"{venv_python} ({' '.join(sys.version.split())})"
    shell = run_gate(
        Gate(("python -c 'raise SystemExit(2)'",), shell=True), tmp_path, io.StringIO()
    )
    assert shell.interpreter == f"{python_on_path} ({' '.join(sys.version.split())})"


def test_no_interpreter_for_passing_or_non_python_gates(tmp_path: Path, python_on_path) -> None:
    passing = run_gate(Gate(("python", "-c", "pass")), tmp_path, stream=io.StringIO())
    assert passing.passed and passing.interpreter is None
    failing = run_gate(Gate(("false",)), tmp_path, stream=io.StringIO())
    assert not failing.passed and failing.interpreter is None
    missing = run_gate(Gate(("python3.99", "-c", "pass")), tmp_path, stream=io.StringIO())
    assert missing.interpreter is not None and missing.interpreter.startswith(
        "`python3.99`: not found (PATH="
    )


def test_a_failed_gate_in_a_run_names_its_python_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, python_on_path: Path
) -> None:
    register(monkeypatch)
    spec = spec_text(["python", "-c", "import no_such_module_xyz"])
    repo = make_repo(tmp_path / "repo", {"app/a.py": "A = OLD_CALL\n"}, spec)
    result = cli("run", "week-1", "--repo", str(repo), "--jobs", "1", "--json")
    assert result.exit_code == 1, result.output
    [gate] = json.loads(result.stdout)["chunks"][0]["gates"]
    assert gate["interpreter"] == f"{python_on_path} ({' '.join(sys.version.split())})"
    assert (
        f"the gate's Python was {gate['interpreter']}; point the gate at the project's "
        'environment, e.g. cmd = [".venv/bin/python", "-m", "pytest"]\n'
    ) in result.stderr
    assert commit_count(repo) == 1
