"""The imports analysis (the one decider, over the stdlib `ast`): exact findings and counts."""

from __future__ import annotations

from dataclasses import replace

from codemods.core.rules import RenameRule
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from codemods.imports.fast import analyze
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "<default>").rules
PATH = "netra_backend/app/services/sample.py"
OLD = "netra_backend.app.agents.supervisor.execution_engine"
CONSOLIDATED = "netra_backend.app.agents.execution_engine_consolidated"
CANONICAL = "netra_backend.app.agents.supervisor.user_execution_engine"
NEW_ENGINE = f"{CANONICAL}.UserExecutionEngine"


def normalized(analysis) -> tuple:
    findings = sorted(
        (f.line, f.column, f.rule, f.message, f.fixable, f.manual_review) for f in analysis.findings
    )
    return findings, {k: v for k, v in analysis.counts.items() if v}


def findings(source: str, path: str = PATH, rules=RULES) -> list[tuple]:
    """The analysis' findings: (line, column, rule, message, fixable, manual_review)."""
    return normalized(analyze(AstFile(source, FileContext.from_path(path)), rules))[0]


def counts(source: str, path: str = PATH) -> dict[str, int]:
    context = FileContext.from_path(path)
    return normalized(analyze(AstFile(source, context), RULES))[1]


def moved(value: str, line: int, column: int, new: str) -> tuple:
    return (line, column, "string-reference", f'"{value}": moved to {new}', True, False)


def deprecated(value: str, line: int, column: int) -> tuple:
    message = f'"{value}": names a deprecated module that no rule moves'
    return (line, column, "string-reference", message, False, True)


# imports ----------------------------------------------------------------------------------------


def test_import_findings_sit_at_the_alias_with_columns_in_characters() -> None:
    source = (
        f"é = 'ü'; import os, {CONSOLIDATED} as legacy\n"
        f"from {OLD} import (\n"
        "    Other,  # not a moved name\n"
        "    ExecutionEngine as Engine,\n"
        ")\n"
    )
    assert findings(source) == [
        (
            1,
            20,
            "deprecated-import",
            f"`import {CONSOLIDATED}`: moved to {CANONICAL}",
            True,
            False,
        ),
        (
            4,
            4,
            "deprecated-import",
            f"`ExecutionEngine` from {OLD}: moved to {NEW_ENGINE}",
            True,
            False,
        ),
    ]


def test_star_import_from_an_old_module_is_reported_at_the_statement() -> None:
    source = f"if True:\n    from {CONSOLIDATED} import *\nfrom os import *\n"
    message = f"`from {CONSOLIDATED} import *`: star import from a deprecated module"
    assert findings(source) == [(2, 4, "deprecated-import", message, False, True)]


def test_relative_imports_resolve_against_the_file() -> None:
    source = "from .execution_engine import ExecutionEngine\nfrom . import execution_engine\n"
    path = "netra_backend/app/agents/supervisor/runner.py"
    assert findings(source, path) == [
        (1, 30, "deprecated-import", f"`ExecutionEngine` from {OLD}: moved to {NEW_ENGINE}")
        + (True, False),
        (
            2,
            14,
            "deprecated-import",
            "module `netra_backend.app.agents.supervisor.execution_engine` is deprecated",
            True,
            False,
        ),
    ]


def test_canonical_imports_are_counted_or_reported_when_renamed() -> None:
    source = (
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {CANONICAL} import UserExecutionEngine as UserExecutionEngine\n"
        f"def f():\n    from {CANONICAL} import UserExecutionEngine as Engine\n"
    )
    message = "`UserExecutionEngine` imported as `Engine`"
    assert findings(source) == [(4, 74, "aliased-import", message, True, False)]
    assert counts(source) == {"canonical_imports": 2}


def test_indirect_imports_of_canonical_names() -> None:
    source = (
        "from netra_backend.app.agents import UserExecutionEngine\n"
        "from netra_backend.app.services.sample import UserExecutionEngine\n"  # its own module
        "from elsewhere import UserExecutionEngine\n"  # not a project module
    )
    message = f"`UserExecutionEngine` from netra_backend.app.agents: import it from {NEW_ENGINE}"
    assert findings(source) == [(1, 37, "indirect-import", message, True, False)]


# compatibility aliases ---------------------------------------------------------------------------


def test_module_level_compatibility_aliases() -> None:
    source = (
        f"from {CANONICAL} import UserExecutionEngine as Impl\n"
        "import netra_backend.app.agents.supervisor.user_execution_engine as engines\n"
        "x = 1; ExecutionEngine = Impl\n"
        "(Legacy) = engines.UserExecutionEngine\n"
        "A = B = Impl\n"  # two targets
        "UserExecutionEngine = Impl\n"  # same name: not an alias
        "Other: type = Impl\n"  # annotated
        "if True:\n    Nested = Impl\n"
        "def f():\n    Local = Impl\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "Direct = UserExecutionEngine\n"
    )
    # each fix finding is followed by what the rewrite reports there: `Impl` stays, its new
    # name taken (line 6); the alias is kept, no rule moving it
    taken = "`UserExecutionEngine` already means something else here (line 6)"
    unmoved = (
        "no rule moves `netra_backend.app.services.sample.ExecutionEngine`, so the files "
        "importing it are not rewritten"
    )
    assert findings(source) == [
        (1, 70, "aliased-import", "`UserExecutionEngine` imported as `Impl`", True, False),
        (1, 70, "aliased-import", f"kept `UserExecutionEngine as Impl`: {taken}", False, True),
        (3, 7, "aliased-import", "compatibility alias `ExecutionEngine = UserExecutionEngine`")
        + (True, False),
        (3, 7, "aliased-import", f"compatibility alias `ExecutionEngine` kept: {unmoved}")
        + (False, True),
        (4, 0, "aliased-import", "compatibility alias `Legacy = UserExecutionEngine`")
        + (True, False),
        (13, 0, "aliased-import", "compatibility alias `Direct = UserExecutionEngine`")
        + (True, False),
    ]


# string references -------------------------------------------------------------------------------


def test_first_positional_and_path_keywords_of_path_taking_calls() -> None:
    source = (
        "import importlib, sys\n"
        "from unittest import mock\n"
        f'@mock.patch("{OLD}.ExecutionEngine")\n'
        "class T:\n"
        "    def f(self):\n"
        f'        importlib.import_module("{OLD}")\n'
        f'        mock.patch(new=1, target="{CONSOLIDATED}.ExecutionEngineFactory")\n'
        f'        __import__(name="{CONSOLIDATED}", globals=None)\n'
        f'        find_spec(None, "{OLD}")\n'  # not the first argument
        f'        patch.object("{OLD}")\n'  # `object` takes no path
        f'        patch(x=1, *"{OLD}")\n'  # the keyword comes first
        f'        patch(*("{OLD}",))\n'
    )
    assert findings(source) == [
        moved(f"{OLD}.ExecutionEngine", 3, 12, NEW_ENGINE),
        deprecated(OLD, 6, 32),
        moved(
            f"{CONSOLIDATED}.ExecutionEngineFactory",
            7,
            33,
            "netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory",
        ),
        moved(CONSOLIDATED, 8, 24, CANONICAL),
    ]


def test_starred_first_arguments_are_positional() -> None:
    source = f'patch(*"{OLD}")\npatch(**"{CONSOLIDATED}")\n'
    assert findings(source) == [deprecated(OLD, 1, 7), moved(CONSOLIDATED, 2, 8, CANONICAL)]


def test_only_single_str_literals_are_references() -> None:
    source = (
        f'patch("{CONSOLIDATED}" "")\n'  # implicit concatenation: not a SimpleString
        'patch(\n    "netra_backend.app."  # split\n'
        '    "agents.execution_engine_consolidated"\n)\n'
        f'patch(b"{CONSOLIDATED}")\n'
        f'patch(f"{CONSOLIDATED}")\n'
        f'patch(("{CONSOLIDATED}"))\n'  # parenthesized: still one literal
        f"patch('''{CONSOLIDATED}''')\n"
        'patch("netra_backend.app.agents.execution_engine_consolidated\\x2eExecutionEngine")\n'
        f'patch("{CONSOLIDATED} ")\n'  # not a dotted path
    )
    assert findings(source) == [
        moved(CONSOLIDATED, 8, 7, CANONICAL),
        moved(CONSOLIDATED, 9, 6, CANONICAL),
        moved(f"{CONSOLIDATED}.ExecutionEngine", 10, 6, NEW_ENGINE),
    ]


def test_sys_modules_keys() -> None:
    source = (
        "import sys\n"
        f'sys.modules["{OLD}"]\n'
        f'sys.modules["{OLD}",]\n'  # one element with a trailing comma
        f'sys.modules[("{OLD}"),]\n'
        f'sys.modules[("{OLD}",)]\n'  # a tuple key
        f'sys.modules["{OLD}", "x"]\n'
        f'sys.modules["{OLD}":]\n'
        f'(sys).modules["{OLD}"]\n'
        f'sys.\\\n  modules["{OLD}"]\n'
        f'os.modules["{OLD}"]\n'
        f'sys.modules[*"{OLD}"]\n'  # LibCST: a starred index whose value is the string
        f'sys.modules[*("{OLD}"),]\n'
        f'sys.modules[(*"{OLD}",)]\n'
    )
    assert findings(source) == [
        deprecated(OLD, 2, 12),
        deprecated(OLD, 3, 12),
        deprecated(OLD, 4, 13),
        deprecated(OLD, 8, 14),
        deprecated(OLD, 10, 10),
        deprecated(OLD, 12, 13),
        deprecated(OLD, 13, 14),
    ]


def test_references_in_every_kind_of_statement_part() -> None:
    # Statements are only walked where a needle word occurs: every place a call can sit.
    source = (
        "import sys\n"
        "@decorate(\n"
        f'    patch("{OLD}"),\n'
        ")\n"
        f'def f(a=patch("{OLD}")) -> patch("{OLD}"):\n'
        "    try:\n"
        "        pass\n"
        f'    except patch("{OLD}"):\n'
        "        while True:\n"
        f'            with patch("{OLD}") as p:\n'
        "                match p:\n"
        f'                    case 1 if sys.modules["{OLD}"]:\n'
        f'                        x = lambda: patch("{OLD}")\n'
        f'class C(patch("{OLD}")): pass\n'
        f'for i in patch("{OLD}"): pass\n'
        f'@patch("{OLD}")\n'
        "async def g():\n"
        "    pass\n"
    )
    expected = [(3, 10), (5, 14), (5, 80), (8, 17), (10, 23), (12, 42), (13, 42), (14, 14)]
    expected += [(15, 15), (16, 7)]
    assert findings(source) == [deprecated(OLD, *where) for where in expected]


def test_carriage_return_line_endings() -> None:
    source = f'import sys\rx = 1\r\nsys.modules["{OLD}"]\rpatch("{OLD}")\n'
    assert findings(source) == [deprecated(OLD, 3, 12), deprecated(OLD, 4, 6)]


def test_files_without_needle_words_skip_the_expression_walk() -> None:
    source = f'x = ["{OLD}"]\nprint("{OLD}")\nfrom {OLD} import ExecutionEngine\n'
    assert findings(source) == [
        (3, 65, "deprecated-import", f"`ExecutionEngine` from {OLD}: moved to {NEW_ENGINE}")
        + (True, False)
    ]


def test_a_reference_inside_an_f_string_is_reported_at_the_f_string_for_review() -> None:
    # Before Python 3.12, ast's positions inside an f-string are not the source's.
    source = f"x = f\"{{patch('{CONSOLIDATED}')}}\"\n"
    message = f'"{CONSOLIDATED}": moved to {CANONICAL} (inside an f-string: rewrite it by hand)'
    assert findings(source) == [(1, 4, "string-reference", message, False, True)]
    assert findings("x = f\"{patch('elsewhere.path')}\"\n") == []


def test_module_move_rules_and_rule_set_changes() -> None:
    move = RenameRule(
        "netra_backend.app.agents.legacy_engines", "netra_backend.app.agents.supervisor.engines"
    )
    rules = replace(RULES, renames=(*RULES.renames, move))
    source = (
        "from netra_backend.app.agents.legacy_engines import *\n"
        'patch("netra_backend.app.agents.legacy_engines.Thing")\n'
    )
    star = (
        "`from netra_backend.app.agents.legacy_engines import *`: "
        "star import from a deprecated module"
    )
    assert findings(source, rules=rules) == [
        (1, 0, "deprecated-import", star, False, True),
        moved(
            "netra_backend.app.agents.legacy_engines.Thing",
            2,
            6,
            "netra_backend.app.agents.supervisor.engines.Thing",
        ),
    ]
    assert findings(source) == []  # the default rules again: nothing cached from the others


def test_identifiers_that_python_normalizes_are_read_as_python_reads_them() -> None:
    source = f"from {OLD} import \uff25xecutionEngine\n"  # a fullwidth E: Python reads `E`
    analysis = analyze(AstFile(source, FileContext.from_path(PATH)), RULES)
    message = f"`ExecutionEngine` from {OLD}: moved to {NEW_ENGINE}"
    assert normalized(analysis)[0] == [(1, 65, "deprecated-import", message, True, False)]
    assert analysis.findings[0].edits == ()  # the rewrite (LibCST) spells it as written
    # Non-ASCII text that NFKC keeps is fine.
    assert findings(f"from {OLD} import ExecutionEngine  # é ü 😀\n") != []
