"""The import rewrite's one decider (`codemods.core.imports.decide`) where its `ast` reading is
the rule, and LibCST's writer (`rewrite.py`) applying it where the text edits leave a file."""

from __future__ import annotations

import ast
import sys

import pytest

from codemods.core.base import ParsedFile
from codemods.core.imports.decide import decide
from codemods.core.imports.tree_facts import locatable
from codemods.core.paths import RepositoryPathMap
from codemods.core.rules import RenameRule, RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from codemods.imports.codemod import ImportsCodemod
from codemods.imports.fast import analyze, edits_cover_all
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "<default>").rules
PATH = "netra_backend/app/services/sample.py"
OLD = "netra_backend.app.agents.supervisor.execution_engine"
CANONICAL = "netra_backend.app.agents.supervisor.user_execution_engine"
CONTEXT = FileContext.from_path(PATH)


def rewritten(source: str, rules: RuleSet = RULES) -> tuple[str, list[tuple[int, int, str]]]:
    result = ImportsCodemod().transform(ParsedFile(source, CONTEXT), rules)
    return result.code, [(f.line, f.column, f.message) for f in result.findings]


def test_a_new_name_a_builtin_takes_keeps_the_bound_name() -> None:
    rules = RuleSet(renames=(RenameRule("app.old.Thing", "app.new.print", "name"),))
    source = "from app.old import Thing\n\nThing()\n"
    code, findings = rewritten(source, rules)
    assert code == "from app.new import print as Thing\n\nThing()\n"
    assert findings == [
        (1, 20, "kept `print as Thing`: `print` already means something else here (a builtin)")
    ]


def test_a_string_annotation_the_model_cannot_read_keeps_the_bound_name() -> None:
    source = f"from {OLD} import ExecutionEngine\n\ndef f(x: 'Execution\\x45ngine'): pass\n"
    assert edits_cover_all(analyze(AstFile(source, CONTEXT), RULES).findings)  # text, too
    code, findings = rewritten(source)
    assert code == source.replace(
        f"from {OLD} import ExecutionEngine",
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine",
    )
    why = "`ExecutionEngine` may be read by a string annotation"
    assert findings == [(1, 65, f"kept `UserExecutionEngine as ExecutionEngine`: {why}")]


def test_reads_inside_f_strings_are_renamed_by_the_libcst_writer() -> None:
    source = (
        f"from {OLD} import ExecutionEngine\n"
        "x = f\"{ExecutionEngine.__name__!r:>{len('ExecutionEngine')}}\"\n"
        f"y = f\"{{patch('{OLD}.ExecutionEngine')}}\"\n"
    )
    assert not edits_cover_all(analyze(AstFile(source, CONTEXT), RULES).findings)
    code, findings = rewritten(source)
    assert code == (
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = f\"{UserExecutionEngine.__name__!r:>{len('ExecutionEngine')}}\"\n"
        f"y = f\"{{patch('{CANONICAL}.UserExecutionEngine')}}\"\n"
    )
    assert findings == []


def test_the_plan_is_keyed_by_the_ast_nodes_it_decides() -> None:
    source = (
        f"from {OLD} import ExecutionEngine\n"
        f"import {OLD} as engine_module\n"
        "a = ExecutionEngine()\n"
        "b = engine_module.ExecutionEngine\n"
        f"patch('{OLD}.ExecutionEngine.run')\n"
    )
    file = AstFile(source, CONTEXT)
    plan = decide(file, RepositoryPathMap(RULES), {}, "deprecated-import")
    assert sorted((a.name, [n.name for n in o]) for a, o in plan.outcomes.items()) == [
        ("ExecutionEngine", ["UserExecutionEngine"]),
        (OLD, []),
    ]
    assert sorted((n.lineno, n.col_offset, text) for n, text in plan.renames.items()) == [
        (3, 4, "UserExecutionEngine"),
        (4, 4, "UserExecutionEngine"),
    ]
    assert [(s.lineno, v) for s, v in plan.literals.items()] == [
        (5, f"{CANONICAL}.UserExecutionEngine.run")
    ]
    assert [n.module for extras in plan.extras.values() for n in extras] == [CANONICAL]
    assert plan.reports == [] and plan.changes == 1


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 places f-string parts exactly")
def test_a_read_whose_place_this_python_does_not_give_is_not_written() -> None:
    """Before 3.12, `ast` places an f-string's expressions by searching the string's text: a
    place whose text does not read back as the node is not trusted."""
    source = 'x = f"{a} {b}"\n'
    file = AstFile(source, CONTEXT)
    names = {node.id: node for node in ast.walk(file.tree) if isinstance(node, ast.Name)}
    assert locatable(file, names["a"]) and locatable(file, names["x"])
    names["a"].col_offset += 4  # now where `b` stands
    names["a"].end_col_offset += 4
    assert not locatable(file, names["a"])
