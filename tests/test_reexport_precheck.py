"""The pre-pass reads a run's own files without parsing them where their bytes show that they
neither re-export a moved name nor bind a compatibility alias (`importers.may_reexport`).

The bytes' answer may be "maybe" where the parse finds nothing (that costs a parse); it is never
"no" where the parse finds something (that would lose a re-export).
"""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.strategies  # noqa: F401 - the Hypothesis profiles
from codemods.core.paths import PathMap, old_names
from codemods.core.values import FileContext
from migrator.engine import importers
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "default").rules
PATHS = PathMap(RULES)
ASSIGNS = importers.alias_assignment(old_names(PATHS))
MODULE = "netra_backend/app/agents/helpers.py"
OLD = "netra_backend.app.agents.supervisor.execution_engine"


def may(source: str, path: str = MODULE) -> bool:
    return importers.may_reexport(source.encode(), FileContext.from_path(path), ASSIGNS)


def parsed_facts(source: str, path: str = MODULE) -> tuple[list, bool]:
    tree = ast.parse(source)
    context = FileContext.from_path(path)
    return importers.reexported(tree, context, PATHS), importers.binds_alias(tree, PATHS)


@pytest.mark.parametrize(
    "source",
    [
        "ExecutionEngine = UserExecutionEngine\n",
        "(ExecutionEngine) = UserExecutionEngine\n",
        "ExecutionEngine \\\n    = UserExecutionEngine\n",
        "A = ExecutionEngine = UserExecutionEngine\n",
        "(ExecutionEngine  # the old name\n) = UserExecutionEngine\n",
        "__all__ = ['ExecutionEngine']\n",
        "f(ExecutionEngine=1)\n",  # no alias, but the bytes cannot tell: a parse decides
        "# -*- coding: latin-1 -*-\nx = ExecutionEngine\n",
        "\uff25xecutionEngine = UserExecutionEngine\n",  # NFKC reads it as ExecutionEngine
    ],
)
def test_the_bytes_say_maybe(source: str) -> None:
    assert may(source)


@pytest.mark.parametrize(
    "source",
    [
        f"from {OLD} import ExecutionEngine\n",
        "engine = ExecutionEngine\nother = 2\n",
        "if ExecutionEngine == other:\n    pass\n",
        "ExecutionEngine <= other\n",
        "ExecutionEngineBuilder = make()\n",
        "MyExecutionEngine = make()\n",
        "# caf\u00e9\nx = ExecutionEngine\n",  # beyond ASCII, as NFKC leaves it
    ],
)
def test_the_bytes_say_no(source: str) -> None:
    assert not may(source)
    assert parsed_facts(source) == ([], False)


def test_a_package_may_always_re_export() -> None:
    source = f"from {OLD} import ExecutionEngine\n"
    path = "netra_backend/app/agents/__init__.py"
    assert may(source, path)
    assert parsed_facts(source, path)[0]  # it does


def test_a_name_the_bytes_cannot_spell_gives_no_answer() -> None:
    assert importers.alias_assignment(["Engine\u00e9"]) is None
    assert importers.may_reexport(b"x = 1\n", FileContext.from_path(MODULE), None)


_TARGETS = st.sampled_from(
    ["ExecutionEngine", "(ExecutionEngine)", "A = ExecutionEngine", "ExecutionEngine \\\n", "x"]
)
_VALUES = st.sampled_from(["UserExecutionEngine", "ExecutionEngine", "make()", "'ExecutionEngine'"])
_STATEMENTS = st.one_of(
    st.builds("{} = {}\n".format, _TARGETS, _VALUES),
    st.sampled_from(
        [
            f"from {OLD} import ExecutionEngine\n",
            f"from {OLD} import ExecutionEngine as Old\n",
            "from netra_backend.app.agents.supervisor.user_execution_engine import "
            "UserExecutionEngine\n",
            "__all__ = ['ExecutionEngine', 'UserExecutionEngine']\n",
            "print(ExecutionEngine == 1)\n",
            "def f(ExecutionEngine=None):\n    return ExecutionEngine\n",
            "# ExecutionEngine = old\n",
        ]
    ),
)
_BLOCKS = st.sampled_from(["{}", "try:\n    pass\nexcept ImportError:\n    {}", "if x:\n    {}"])


@given(st.lists(st.tuples(_BLOCKS, _STATEMENTS), min_size=1, max_size=6), st.booleans())
def test_whatever_the_parse_finds_the_bytes_call_maybe(
    statements: list[tuple[str, str]], package: bool
) -> None:
    source = "".join(
        block.format(statement.replace("\n", "\n    ").rstrip(" "))
        for block, statement in statements
    )
    path = "netra_backend/app/agents/__init__.py" if package else MODULE
    try:
        reexports, alias = parsed_facts(source, path)
    except SyntaxError:
        return
    if reexports or alias:
        assert may(source, path)
