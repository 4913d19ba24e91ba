"""Files in Python 3.12 syntax (PEP 701 f-strings, `type` statements, PEP 695 generics).

The project's users run 3.12 and 3.13, and the fast analyzers use the running Python's `ast`,
whose f-string positions changed in 3.12. `.ci/run` runs this file on 3.11, 3.12 and 3.13 (nox):
the scan and the rewrite must give the same answer on each; the analyzer-by-analyzer comparison
needs an `ast` that parses the file, so it runs on 3.12 and later only.
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

from codemods import CODEMOD_NAMES, CODEMODS
from codemods.core.tree import Unsupported
from codemods.registry import fast_analyzer
from migrator.engine.changes import compute_changes
from migrator.engine.scan import scan
from migrator.spec import load_spec
from tests.parity import both, normalized
from tests.validator_spec import websocket_validators_rules, websocket_validators_text

FIXTURE = Path(__file__).parent / "fixtures" / "py312" / "engines.py"
EXPECTED = FIXTURE.with_name("engines.expected.py")
REL = "netra_backend/app/agents/engines.py"
RULES = websocket_validators_rules()  # the fixture calls the WebSocket validators
NEEDS_312 = pytest.mark.skipif(
    sys.version_info < (3, 12),
    reason="PEP 701 f-strings and PEP 695 syntax do not parse with this Python's ast (< 3.12)",
)

# (line, column, rule, the text at that position): as LibCST reports them on every Python.
FINDINGS = [
    (3, 65, "deprecated-import", "ExecutionEngine\n"),
    (5, 48, "deprecated-import", "execution_engine\n"),
    (7, 0, "auth-bypass", "MOCK_AUTH_AVAILABLE = True"),
    (15, 13, "direct-instantiation", "ExecutionEngine(registry"),
    (21, 18, "token-validation", 'validate_jwt(headers["authorization"])'),
    (21, 62, "token-validation", "validate_jwt(token)!r"),
    (24, 28, "auth-bypass", "MOCK_AUTH_AVAILABLE else"),
    (27, 21, "direct-instantiation", "ExecutionEngine(registry, bridge, context)!r"),
]


def repo_with_fixture(root: Path) -> Path:
    (root / REL).parent.mkdir(parents=True)
    shutil.copy(FIXTURE, root / REL)
    (root / "migration.toml").write_text(websocket_validators_text())
    return root


def test_fixture_uses_the_312_syntax() -> None:
    text = FIXTURE.read_text()
    assert 'f"{config["name"]}: {f"{config["mode"]}"}"' in text  # same quotes, nested
    assert "type EngineMap = " in text and "type Pair[T] = " in text
    assert "def build[T](" in text and "class Pool[E: ExecutionEngine]:" in text


def test_expected_positions_point_at_the_usages() -> None:
    lines = FIXTURE.read_text().splitlines(keepends=True)
    for line, column, _rule, text in FINDINGS:
        assert lines[line - 1][column:].startswith(text), (line, column)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "libcst"])
def test_scan_finds_every_usage_at_its_line_and_column(tmp_path: Path, fast: bool) -> None:
    root = repo_with_fixture(tmp_path)
    report = scan(root, load_spec(None, root), jobs=1, fast=fast)
    assert report.errors == [] and report.skipped == []
    found = [(f.path, f.line, f.column, f.rule) for f in report.findings]
    assert found == [(REL, line, column, rule) for line, column, rule, _ in FINDINGS]


def test_rewrite_keeps_the_312_syntax(tmp_path: Path) -> None:
    root = repo_with_fixture(tmp_path)
    changes = compute_changes(root, load_spec(None, root), CODEMOD_NAMES, jobs=1)
    assert [r.path for r in changes.changed] == [REL] and changes.errors == []
    new = changes.changed[0].new
    assert new == EXPECTED.read_bytes()
    if sys.version_info >= (3, 12):
        ast.parse(new)


@NEEDS_312
def test_fast_analyzers_agree_with_libcst() -> None:
    pair = both(REL, FIXTURE.read_bytes())
    assert pair is not None
    parsed, fast_file = pair
    handed_to_libcst = []
    for name in CODEMOD_NAMES:
        expected = normalized(CODEMODS[name].analyze(parsed, RULES))
        try:
            actual = normalized(fast_analyzer(name)(fast_file, RULES))
        except Unsupported:
            handed_to_libcst.append(name)
            continue
        assert actual == expected, name
    # A flag read in an f-string's conditional and a constructor call in an f-string are left
    # to LibCST on purpose; every other analyzer answers from `ast` and agrees.
    assert handed_to_libcst == ["flags", "constructors"]
