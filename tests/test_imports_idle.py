"""A file whose imports analysis fixes nothing never reaches the LibCST transform: the analysis
reports what the transform would (the same sites, words and order), and the runner gives that."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from codemods.core.base import ParsedFile
from codemods.core.rewrites import idle_findings
from codemods.core.rules import RenameRule
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from codemods.imports.codemod import ImportsCodemod
from codemods.imports.fast import analyze
from migrator.engine.changes import compute_changes
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "<default>")
PENDING = RenameRule(
    "netra_backend.app.legacy.things.Thing", "netra_backend.app.fresh.things.Thing", pending=True
)
RULES = replace(SPEC.rules, renames=(*SPEC.rules.renames, PENDING))
CONTEXT = FileContext.from_path("netra_backend/app/services/loader.py")

# A star import (last in the file), an import kept for a pending construction, an import of a
# pending rename, a path string of it and one of a deprecated module no rule moves.
SOURCE = """\
import importlib

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
from netra_backend.app.legacy.things import Thing


def load(registry, bridge, context):
    importlib.import_module("netra_backend.app.legacy.things.Thing")
    importlib.import_module("netra_backend.app.agents.execution_engine_unified_factory")
    return ExecutionEngine(registry, bridge, context), Thing


from netra_backend.app.agents.execution_engine_consolidated import *  # noqa: F403
"""
PENDING_WHY = (
    "`Thing` from netra_backend.app.legacy.things: netra_backend.app.fresh.things.Thing is "
    "pending (not written yet), so it is not rewritten"
)
# The transform's order: star imports as it reads them, the other imports, then the strings.
EXPECTED = [
    (
        "deprecated-import",
        13,
        0,
        "`from netra_backend.app.agents.execution_engine_consolidated import *`: "
        "star import from a deprecated module",
    ),
    (
        "deprecated-import",
        3,
        65,
        "`ExecutionEngine` is still constructed directly (line 10): convert that with the "
        "constructors rule first; its imports and uses are left unchanged",
    ),
    ("deprecated-import", 4, 44, PENDING_WHY),
    ("string-reference", 8, 28, PENDING_WHY),
    (
        "string-reference",
        9,
        28,
        '"netra_backend.app.agents.execution_engine_unified_factory": '
        "names a deprecated module that no rule moves",
    ),
]


def as_tuples(findings) -> list[tuple[str, int, int, str]]:
    return [(f.rule, f.line, f.column, f.message) for f in findings]


def test_the_analysis_gives_what_the_transform_reports_on_a_file_it_keeps() -> None:
    file = AstFile(SOURCE, CONTEXT)
    found = analyze(file, RULES).findings
    assert [f.fix for f in found] == [False] * 5
    idle = idle_findings("imports", found, file, RULES)
    assert idle is not None
    assert as_tuples(idle) == EXPECTED
    assert all(f.manual_review and not f.fixable for f in idle)
    result = ImportsCodemod().transform(ParsedFile(SOURCE, CONTEXT), RULES)
    assert result.code == SOURCE
    assert result.findings == idle


def test_a_reference_inside_an_f_string_still_runs_the_transform() -> None:
    # The transform reads (and would rewrite) the string inside; the analysis reports the
    # f-string for review, so it cannot say what the transform reports.
    source = (
        "import importlib\n"
        "x = f\"{importlib.import_module('netra_backend.app.legacy.things.Thing')}\"\n"
    )
    file = AstFile(source, CONTEXT)
    found = analyze(file, RULES).findings
    assert [(f.rule, f.fix) for f in found] == [("string-reference", False)]
    assert idle_findings("imports", found, file, RULES) is None


def test_the_runner_reports_them_without_the_transform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = """\
import importlib

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine


def load(registry, bridge, context):
    importlib.import_module("netra_backend.app.agents.execution_engine_unified_factory")
    return ExecutionEngine(registry, bridge, context)


from netra_backend.app.agents.execution_engine_consolidated import *  # noqa: F403
"""
    path = tmp_path / "netra_backend" / "app" / "services" / "loader.py"
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")

    def never(self, parsed, rules):
        raise AssertionError("transformed")

    monkeypatch.setattr(ImportsCodemod, "transform", never)
    changes = compute_changes(tmp_path, SPEC, ("imports",), jobs=1, facts_cache=False)
    [result] = changes.results
    assert result.error is None and not result.changed
    star, held, _, _, string = EXPECTED
    assert as_tuples(result.findings) == [
        (*star[:1], 11, *star[2:]),
        (*held[:3], held[3].replace("line 10", "line 8")),
        (*string[:1], 7, *string[2:]),
    ]
