"""Gates a real backend can pass: the `compile-changed` built-in gate, `{files}`, baselines."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrator.batch.gates import command_line, run_gate
from migrator.spec import Gate
from tests.batchkit import cli, commit_count, gate_script, make_repo, register, spec_text

SCRIPT = Path(__file__).parents[1] / "migrator" / "batch" / "compile_changed.py"
PYTHON = json.dumps(sys.executable)


@pytest.fixture(autouse=True)
def marker(monkeypatch):
    register(monkeypatch)


def compile_changed(root: Path, *files: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.read_text(), *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout.splitlines()


def test_compile_changed_reports_each_file(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/good.py": "VALUE = 1\n",
        "pkg/broken.py": "x = 1\n    y = 2\n",
        "pkg/wrong_name.py": "from pkg.good import MISSING\n",
        "pkg/wrong_module.py": "import pkg.nowhere\n",
        "pkg/needs_service.py": "import surely_not_installed_anywhere\n",
        "pkg/raises.py": "raise RuntimeError('needs a database')\n",
        "scripts/run-me.py": "print('not a module name')\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    code, lines = compile_changed(tmp_path, *files)
    assert code == 1
    assert lines[0] == "FAILED pkg/broken.py::compile - unexpected indent (line 2)"
    assert lines[1].startswith(
        "FAILED pkg/wrong_name.py::import - ImportError: cannot import name 'MISSING' from "
        "'pkg.good'"
    )
    assert lines[2:] == [
        "FAILED pkg/wrong_module.py::import - ModuleNotFoundError: No module named 'pkg.nowhere'",
        "skipped pkg/needs_service.py::import - the environment lacks "
        "`surely_not_installed_anywhere`",
        "FAILED pkg/raises.py::import - RuntimeError: needs a database",
        "skipped scripts/run-me.py::import - not importable as a module",
        "compile-changed: 8 file(s), 7 compiled, 2 imported, 2 skipped, 4 failed",
    ]
    assert compile_changed(tmp_path, "pkg/__init__.py", "pkg/good.py") == (
        0,
        ["compile-changed: 2 file(s), 2 compiled, 2 imported, 0 skipped, 0 failed"],
    )


def test_files_placeholder_expands_to_the_chunk() -> None:
    files = ["a b.py", "c.py"]
    assert command_line(Gate(("ruff", "check", "{files}")), files) == [
        "ruff",
        "check",
        "a b.py",
        "c.py",
    ]
    assert command_line(Gate(("ruff check {files}",), shell=True), files) == (
        "ruff check 'a b.py' c.py"
    )
    assert command_line(Gate(("python", "compile-changed"), builtin="compile-changed"), files)[
        ::3
    ] == ["python", "a b.py"]


APP = {
    "lib/names.py": "OLD_CALL = 1\n",  # outside the batch's paths: it keeps the old name
    "app/__init__.py": "",
    "app/user.py": "from lib.names import OLD_CALL\n\nVALUE = OLD_CALL\n",
}


def builtin_spec(baseline: bool = False) -> str:
    flag = ", baseline = true" if baseline else ""
    gate = f'gate = [{{ builtin = "compile-changed", python = {PYTHON}{flag} }}]'
    return spec_text(paths='["app/**"]', extra_gate=gate)


def test_a_rewrite_that_breaks_an_import_fails_the_builtin_gate(tmp_path: Path) -> None:
    # The name is bound only on a branch that never runs: static checks see it, Python does not.
    files = {**APP, "lib/names.py": "OLD_CALL = 1\nif OLD_CALL > 1:\n    NEW_CALL = 1\n"}
    repo = make_repo(tmp_path / "repo", files, builtin_spec())
    before = commit_count(repo)
    result = cli("run", "week-1", "--repo", str(repo), "--json", "-j", "1")
    assert result.exit_code == 1
    [chunk] = json.loads(result.stdout)["chunks"]
    [gate] = chunk["gates"]
    assert gate["argv"] == [sys.executable, "compile-changed"]
    assert gate["failed_tests"] == ["app/user.py::import"]
    assert "ImportError: cannot import name 'NEW_CALL' from 'lib.names'" in gate["output"]
    assert (repo / "app/user.py").read_text() == APP["app/user.py"]  # restored
    assert commit_count(repo) == before


def test_the_builtin_gate_passes_a_sound_rewrite(tmp_path: Path) -> None:
    files = {**APP, "lib/names.py": "OLD_CALL = 1\nNEW_CALL = 1\n"}
    repo = make_repo(tmp_path / "repo", files, builtin_spec())
    result = cli("run", "week-1", "--repo", str(repo), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    [chunk] = json.loads(result.stdout)["chunks"]
    assert chunk["gates"][0]["output"].splitlines() == [
        "compile-changed: 1 file(s), 1 compiled, 1 imported, 0 skipped, 0 failed"
    ]


def test_baseline_warns_when_the_gate_already_fails(tmp_path: Path) -> None:
    files = {
        **APP,
        "lib/names.py": "OLD_CALL = 1\nNEW_CALL = 1\n",
        "app/old.py": "import lib.gone\nX = OLD_CALL\n",  # fails to import before any rewrite
    }
    repo = make_repo(tmp_path / "repo", files, builtin_spec(baseline=True))
    result = cli("run", "week-1", "--repo", str(repo), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    assert (
        f"warning: gate `{sys.executable} compile-changed` already fails on the untouched tree "
        "(exit 1, 1 failing test(s)); a chunk fails only on new failures"
    ) in result.stderr
    record = json.loads(result.stdout)
    assert record["baseline"][0]["failed_tests"] == ["app/old.py::import"]
    assert record["chunks"][0]["gates"][0]["new_failures"] == []


def test_files_placeholder_in_a_batch_gate(tmp_path: Path) -> None:
    files = {"a/one.py": "X = OLD_CALL\n", "b/two.py": "Y = OLD_CALL\n", "c/same.py": "Z = 1\n"}
    repo = make_repo(tmp_path / "repo", files)
    argv = gate_script(repo, "import sys\nprint(sys.argv[1:])\n") + ["{files}"]
    (repo / "migration.toml").write_text(spec_text(gate=argv))
    result = cli("run", "week-1", "--repo", str(repo), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    [chunk] = json.loads(result.stdout)["chunks"]
    assert chunk["gates"][0]["output"] == "['a/one.py', 'b/two.py']\n"


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        (
            '{ builtin = "compile-all" }',
            "`batch[0].gate[0].builtin`: unknown built-in gate `compile-all` "
            "(gates: compile-changed)",
        ),
        (
            '{ builtin = "compile-changed", cmd = ["x"] }',
            "`batch[0].gate[0].cmd`: a built-in gate takes no `cmd` or `shell`",
        ),
        (
            '{ cmd = ["x"], python = "python3" }',
            "`batch[0].gate[0].python`: `python` only applies to a `builtin` gate",
        ),
    ],
)
def test_bad_builtin_gates_are_refused(tmp_path: Path, gate: str, message: str) -> None:
    repo = make_repo(tmp_path / "repo", APP, spec_text(extra_gate=f"gate = [{gate}]"))
    result = cli("plan", str(repo), "-j", "1")
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_builtin_spec_gates_every_batch_with_compile_changed() -> None:
    from migrator.spec import default_spec_text, parse_spec

    spec = parse_spec(default_spec_text(), "default")
    expected = (Gate(("python", "compile-changed"), builtin="compile-changed"),)
    assert {batch.name: batch.gates for batch in spec.batches} == {
        "week-1": expected,
        "week-2": expected,
        "week-3": expected,
        "week-4": expected,
    }


def test_an_import_that_hangs_fails_after_the_import_timeout(tmp_path: Path) -> None:
    """A module that blocks when imported (waiting on a service), even one that swallows
    every `Exception`, fails its check; the next file is still checked."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/waits.py").write_text(
        "import time\ntry:\n    time.sleep(60)\nexcept Exception:\n    pass\n"
    )
    (tmp_path / "pkg/good.py").write_text("VALUE = 1\n")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.read_text(), "--import-timeout", "0.5", "pkg/waits.py"]
        + ["pkg/good.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert (done.returncode, done.stdout.splitlines()) == (
        1,
        [
            "FAILED pkg/waits.py::import - still importing after 0.5 s",
            "compile-changed: 2 file(s), 2 compiled, 1 imported, 0 skipped, 1 failed",
        ],
    )


def test_a_gate_past_its_timeout_is_killed_with_its_children_and_fails(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    body = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    gate = Gate(tuple(gate_script(tmp_path, body)), timeout=1.5)
    stream = io.StringIO()
    started = time.monotonic()
    result = run_gate(gate, tmp_path, stream=stream)
    assert time.monotonic() - started < 30
    assert (result.returncode, result.passed) == (124, False)
    assert result.output == (
        "started\nmigrator: the gate timed out after 1.5 s; killed its processes\n"
    )
    child = int(marker.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_gate_timeouts_are_read_and_checked(tmp_path: Path) -> None:
    from migrator.spec import SpecError, parse_spec

    def spec(gate: str) -> str:
        batch = f'[[batch]]\nname = "b"\nrules = ["imports"]\ngate = [{gate}]\n'
        return f'[migration]\nname = "t"\n\n{batch}'

    loaded = parse_spec(spec('{ cmd = ["true"], timeout = 90 }'), "s.toml")
    assert loaded.batches[0].gates[0].timeout == 90.0
    builtin = parse_spec(spec('{ builtin = "compile-changed", timeout = 600 }'), "s.toml")
    assert builtin.batches[0].gates[0].timeout == 600.0
    with pytest.raises(SpecError, match=r"timeout.*expected a positive number of seconds"):
        parse_spec(spec('{ cmd = ["true"], timeout = 0 }'), "s.toml")
