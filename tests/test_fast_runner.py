"""The runner's fast path: `ast` analyzers where they answer, LibCST for the rest, same results."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from benchmarks.generate import generate
from codemods import registry
from codemods.core import tree as fast
from migrator.engine.scan import scan
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")
SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
ROOT = Path(__file__).resolve().parent.parent


@cache
def libcst_report(root: Path) -> dict:
    return scan(root, SPEC, jobs=1, fast=False).to_dict()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate(root, files=80, affected=0.5, seed=11, median_size=800)
    return root


def test_sample_scan_is_the_same_with_fast_analyzers_and_with_libcst_alone() -> None:
    fast_report = scan(SAMPLE, SPEC, jobs=1).to_dict()
    assert fast_report["metrics"]["direct_instantiations"] == 23
    assert fast_report == libcst_report(SAMPLE)


def test_generated_scan_is_the_same_with_fast_analyzers_and_with_libcst_alone(
    generated: Path,
) -> None:
    assert scan(generated, SPEC, jobs=2).to_dict() == libcst_report(generated)


@pytest.mark.parametrize("failure", [fast.Unsupported("not promised"), RuntimeError("a bug")])
def test_a_fast_analyzer_that_gives_up_or_fails_hands_the_codemod_to_libcst(
    failure: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def failing(file, rules):
        calls.append(file.context.path)
        raise failure

    real = registry.fast_analyzer
    monkeypatch.setattr(
        registry, "fast_analyzer", lambda name: failing if name == "constructors" else real(name)
    )
    report = scan(SAMPLE, SPEC, jobs=1).to_dict()
    assert len(calls) > 10
    assert report == libcst_report(SAMPLE)


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
