"""Every codemod's fixtures, one generic harness (in the manner of Fixit's and ruff's snapshots).

For each `codemods/<name>/fixtures/X.before.py`: the rewrite gives `X.after.py` exactly, the
output parses, a second run changes nothing, and the findings (the analysis of the before file,
and what the rewrite left for review) equal the snapshot `X.findings.json` beside it.

`UPDATE_SNAPSHOTS=1 pytest tests/test_fixtures.py` writes the snapshots from the current output
instead; review their diff like code. A fixture runs where `tests/test_<name>_codemod.py`'s
`fixture_setup(case)` puts it, under its rules (else a plain path and the built-in spec).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
from pathlib import Path

import pytest

from codemods import CODEMODS
from codemods.core.base import ParsedFile
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import FileContext, Finding
from codemods.registry import fast_analyzer
from migrator.spec import default_spec_text, parse_spec

CODEMODS_DIR = Path(__file__).resolve().parents[1] / "codemods"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
FIXTURES = sorted(CODEMODS_DIR.glob("*/fixtures/*.before.py"))
FIELDS = ("rule", "line", "column", "message", "fixable", "manual_review")


def fixture_id(before: Path) -> str:
    return f"{before.parent.parent.name}/{before.name.removesuffix('.before.py')}"


def setup(name: str, case: str) -> tuple[FileContext, RuleSet]:
    try:
        module = importlib.import_module(f"tests.test_{name}_codemod")
    except ModuleNotFoundError:
        module = None
    if module is not None and hasattr(module, "fixture_setup"):
        return module.fixture_setup(case)
    default = parse_spec(default_spec_text(), "<default>").rules
    return FileContext.from_path(f"pkg/{case}.py"), default


def analyze(name: str, source: str, context: FileContext, rules: RuleSet):
    """The codemod's one analysis as a scan reports it: its `ast` analyzer where it has one,
    else its `analyze`."""
    fast = fast_analyzer(name)
    if fast is not None and not hasattr(CODEMODS[name], "analyze"):
        return fast(AstFile(source, context), rules).scanned()
    return CODEMODS[name].analyze(ParsedFile(source, context), rules)


def as_data(findings: list[Finding]) -> list[dict[str, object]]:
    return [{field: getattr(finding, field) for field in FIELDS} for finding in findings]


def test_every_codemod_has_fixtures() -> None:
    assert {before.parent.parent.name for before in FIXTURES} == set(CODEMODS)


@pytest.mark.parametrize("before", FIXTURES, ids=fixture_id)
def test_fixture(before: Path) -> None:
    name, case = before.parent.parent.name, before.name.removesuffix(".before.py")
    context, rules = setup(name, case)
    codemod = CODEMODS[name]
    source = before.read_text(encoding="utf-8")

    analysis = analyze(name, source, context, rules)
    result = codemod.transform(ParsedFile(source, context), rules)

    assert result.code == before.with_name(f"{case}.after.py").read_text(encoding="utf-8")
    ast.parse(result.code)
    again = codemod.transform(ParsedFile(result.code, context), rules)
    assert again.code == result.code, "a second run changes the code"
    assert (result.changes > 0) == (result.code != source)
    assert again.changes == 0
    found = {"analysis": as_data(analysis.findings), "transform": as_data(result.findings)}
    snapshot = before.with_name(f"{case}.findings.json")
    if UPDATE:
        snapshot.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert json.loads(snapshot.read_text(encoding="utf-8")) == found
