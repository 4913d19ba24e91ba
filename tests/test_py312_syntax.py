"""Files in Python 3.12 syntax (PEP 701 f-strings, `type` statements, PEP 695 generics).

The project's users run 3.12 and 3.13, and the analyses use the running Python's `ast`, whose
f-string positions changed in 3.12. `.ci/run` runs this file on 3.11, 3.12 and 3.13 (nox): on
3.12 and later the scan and the rewrite find and fix every usage; on 3.11, whose parser cannot
read the file, it is reported with the Python that can, and left unchanged.
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

from codemods import CODEMOD_NAMES
from migrator.engine.changes import compute_changes
from migrator.engine.runner import INLINE_LIMIT, Job, process_file, settled
from migrator.engine.scan import scan
from migrator.spec import load_spec
from tests.validator_spec import websocket_validators_text

FIXTURE = Path(__file__).parent / "fixtures" / "py312" / "engines.py"
EXPECTED = FIXTURE.with_name("engines.expected.py")
REL = "netra_backend/app/agents/engines.py"

# (line, column, rule, the text at that position).
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
    # the fixture calls the WebSocket validators
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


ON_311 = sys.version_info < (3, 12)
UNPARSABLE_ON_311 = (
    "does not parse on Python 3.11: invalid syntax (line 9); it is written in newer "
    "Python syntax: run migrator on Python 3.12 or later to migrate it"
)


def test_scan_finds_every_usage_at_its_line_and_column(tmp_path: Path) -> None:
    """On 3.12 and later the `ast` analyses read the file; 3.11 names the Python to use."""
    root = repo_with_fixture(tmp_path)
    report = scan(root, load_spec(None, root), jobs=1)
    found = [(f.path, f.line, f.column, f.rule) for f in report.findings]
    if ON_311:
        assert report.errors == [{"path": REL, "message": UNPARSABLE_ON_311}]
        assert found == []
    else:
        assert report.errors == [] and report.skipped == []
        assert found == [(REL, line, column, rule) for line, column, rule, _ in FINDINGS]


def test_rewrite_keeps_the_312_syntax(tmp_path: Path) -> None:
    root = repo_with_fixture(tmp_path)
    changes = compute_changes(root, load_spec(None, root), CODEMOD_NAMES, jobs=1)
    if ON_311:
        assert changes.changed == []
        assert [(r.path, r.error) for r in changes.errors] == [(REL, UNPARSABLE_ON_311)]
        return
    assert [r.path for r in changes.changed] == [REL] and changes.errors == []
    new = changes.changed[0].new
    assert new == EXPECTED.read_bytes()
    ast.parse(new)


def test_a_worker_leaves_libcsts_word_to_its_parent(tmp_path: Path) -> None:
    """A pool's worker does not import LibCST to tell a newer Python's file from a broken one:
    its result carries the bytes (`unsettled`), and the parent settles the message."""
    root = repo_with_fixture(tmp_path)
    job = Job(str(root), load_spec(None, root).rules, CODEMOD_NAMES)
    worker = process_file(job, REL, settle=False)
    if not ON_311:
        assert worker.unsettled is None and worker == process_file(job, REL)
        return
    assert worker.error == "does not parse: invalid syntax (line 9)"
    assert worker.unsettled == FIXTURE.read_bytes()
    assert settled(worker).error == UNPARSABLE_ON_311
    assert worker.unsettled is None
    assert process_file(job, REL).error == UNPARSABLE_ON_311


def test_a_pooled_scan_settles_the_message(tmp_path: Path) -> None:
    root = repo_with_fixture(tmp_path)
    for index in range(INLINE_LIMIT):  # enough files for the scan to use worker processes
        (root / f"module_{index}.py").write_text(f"VALUE = {index}\n")
    report = scan(root, load_spec(None, root), jobs=2)
    assert report.files_scanned == INLINE_LIMIT + 1
    expected = [{"path": REL, "message": UNPARSABLE_ON_311}] if ON_311 else []
    assert report.errors == expected
