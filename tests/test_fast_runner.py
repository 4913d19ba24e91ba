"""The runner's analysis: each codemod's one `ast` analysis; LibCST only for rewrites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codemods import registry
from migrator.engine.scan import scan
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")
SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
ROOT = Path(__file__).resolve().parent.parent


def test_sample_scan_metrics_come_from_the_ast_analyses() -> None:
    metrics = scan(SAMPLE, SPEC, jobs=1).to_dict()["metrics"]
    assert metrics["direct_instantiations"] == 23
    assert scan(SAMPLE, SPEC, jobs=2).to_dict()["metrics"] == metrics


def test_a_failing_analysis_is_the_files_error_never_a_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def failing(file, rules):
        calls.append(file.context.path)
        raise RuntimeError("a bug\nmore")

    real = registry.fast_analyzer
    monkeypatch.setattr(
        registry, "fast_analyzer", lambda name: failing if name == "constructors" else real(name)
    )
    # No codemod keeps a LibCST analysis of its own to answer instead.
    monkeypatch.setattr(registry, "CODEMODS", {name: object() for name in registry.names()})
    report = scan(SAMPLE, SPEC, jobs=1).to_dict()
    assert len(calls) > 10
    failed = [e for e in report["errors"] if e["message"] == "codemod `constructors` failed: a bug"]
    assert sorted(e["path"] for e in failed) == sorted(calls)
    # The sample's one file that no Python parses is reported as before.
    assert [e["path"] for e in report["errors"] if e not in failed] == [
        "netra_backend/app/services/broken_legacy_handler.py"
    ]


def test_a_scan_the_fast_analyzers_answer_never_imports_libcst(tmp_path: Path) -> None:
    old = "netra_backend.app.agents.supervisor.execution_engine"
    (tmp_path / "svc.py").write_text(
        f"from {old} import ExecutionEngine\n\n"
        "def build(registry, bridge, ctx):\n"
        "    return ExecutionEngine(registry, bridge, ctx)\n"
    )
    (tmp_path / "auth.py").write_text("MOCK_AUTH_AVAILABLE = True\n")
    program = (
        "import sys, json\nfrom pathlib import Path\n"
        "from migrator.engine.scan import scan\nfrom migrator.spec import load_spec\n"
        f"root = Path({str(tmp_path)!r})\n"
        "report = scan(root, load_spec(None, root), jobs=1)\n"
        "print(json.dumps([report.metrics['deprecated_imports'],"
        " report.metrics['direct_instantiations'], report.metrics['auth_bypasses'],"
        " 'libcst' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[1, 1, 1, false]"


def test_the_compilers_syntax_warnings_are_not_printed(tmp_path: Path) -> None:
    old = "netra_backend.app.agents.supervisor.execution_engine"
    (tmp_path / "odd.py").write_text(f'x = "a" (1)\nfrom {old} import ExecutionEngine\n')
    done = subprocess.run(
        [sys.executable, "-m", "migrator", "scan", str(tmp_path), "--no-cache", "--jobs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "SyntaxWarning" not in done.stderr
    assert "deprecated_imports" in done.stdout


def test_scan_libcst_flag_is_accepted_and_ignored_with_a_warning() -> None:
    from typer.testing import CliRunner

    from migrator.cli import app

    done = CliRunner().invoke(app, ["scan", str(SAMPLE), "--libcst", "--no-cache", "-j", "1"])
    plain = CliRunner().invoke(app, ["scan", str(SAMPLE), "--no-cache", "-j", "1"])
    assert done.exit_code == plain.exit_code == 0
    assert done.stdout == plain.stdout
    warning = (
        "warning: --libcst is ignored: each codemod has one analysis now (stdlib `ast`); a file "
        "in newer syntax than this Python's is reported, not guessed at\n"
    )
    assert done.stderr == plain.stderr.replace("spec\n", "spec\n" + warning, 1)
    assert warning in done.stderr
