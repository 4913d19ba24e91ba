"""A scan runs each codemod's measure: its analysis without the fixes' edits. What the scan
reports of it (findings once `Analysis.scanned()`, in the scan's order; counts; names) is what
the full analysis gives."""

from __future__ import annotations

import pytest

import codemods.imports.fast as imports_fast
from codemods import CODEMODS
from codemods.core.tree import AstFile
from codemods.core.values import Analysis, FileContext
from codemods.registry import fast_analyzer, measure_analyzer
from migrator.engine.runner import Job, process_source
from migrator.spec import default_spec_text, parse_spec
from tests.parity import corpus_files, generated_tree

RULES = parse_spec(default_spec_text(), "default").rules
OLD_ENGINE = "netra_backend.app.agents.supervisor.execution_engine"
SOURCE = (
    f"from {OLD_ENGINE} import ExecutionEngine\n"
    "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n"
    "Context = UserExecutionContext\n"
)


def _reported(analysis: Analysis) -> tuple:
    """What a scan reports: findings sorted as `compute_metrics` sorts them (a stable sort by
    position and rule), with whether each is fixed; counts; names."""
    scanned = analysis.scanned()
    findings = sorted(scanned.findings, key=lambda f: (f.line, f.column, f.rule))
    return (
        [(f.to_dict(), f.fix) for f in findings],
        scanned.counts,
        {metric: sorted(names) for metric, names in scanned.names.items()},
    )


def test_the_imports_measure_decides_no_edit_and_reports_the_same() -> None:
    context = FileContext.from_path("netra_backend/app/agents/runner.py")
    full = fast_analyzer("imports")(AstFile(SOURCE, context), RULES)
    measured = measure_analyzer("imports")(AstFile(SOURCE, context), RULES)
    assert [f.rule for f in full.findings if f.edits] == ["aliased-import", "deprecated-import"]
    assert [f.edits for f in measured.findings] == [(), ()]
    assert _reported(measured) == _reported(full)
    assert [(f.rule, f.line, f.column) for f in measured.findings] == [
        ("aliased-import", 4, 0),
        ("deprecated-import", 1, 65),
    ]
    assert measured.counts == {"canonical_imports": 1}


def test_a_codemod_without_a_measure_is_measured_by_its_analysis() -> None:
    assert measure_analyzer("singletons") is fast_analyzer("singletons")
    assert measure_analyzer("imports") is imports_fast.measure


def test_measures_report_what_the_analyses_report_on_the_corpus(tmp_path_factory) -> None:
    generated = generated_tree(str(tmp_path_factory.getbasetemp()))
    compared = 0
    for path, source in corpus_files(generated):
        context = FileContext.from_path(path)
        try:
            AstFile(source, context)
        except (SyntaxError, ValueError):
            continue
        for name in CODEMODS:
            full = fast_analyzer(name)(AstFile(source, context), RULES)
            measured = measure_analyzer(name)(AstFile(source, context), RULES)
            assert _reported(measured) == _reported(full), (path, name)
        compared += 1
    assert compared > 250


def test_a_scan_decides_no_edit(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("a scan decided the fixes' edits")

    monkeypatch.setattr(imports_fast, "text_fixes", refuse)
    scan = Job("/", RULES, tuple(CODEMODS))
    result = process_source(scan, "netra_backend/app/agents/runner.py", SOURCE.encode())
    assert result.error is None
    assert sorted((f.rule, f.line) for f in result.findings) == [
        ("aliased-import", 4),
        ("deprecated-import", 1),
    ]
