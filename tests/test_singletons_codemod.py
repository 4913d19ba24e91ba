"""The singletons codemod on before/after fixture pairs: findings per shape, the one fix."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import RuleSet, SingletonRule
from codemods.core.tree import AstFile
from codemods.core.values import Analysis
from codemods.singletons.codemod import SingletonsCodemod
from codemods.singletons.fast import analyze

FIXTURES = Path(__file__).parents[1] / "codemods" / "singletons" / "fixtures"
CLASSES = (
    "netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory",
    "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine",
)
RULES = RuleSet(singletons=(SingletonRule(CLASSES, fix=True),))
NO_FIX = RuleSet(singletons=(SingletonRule(CLASSES, fix=False),))
CODEMOD = SingletonsCodemod()
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))

# What analyze() reports on the *before* file: (line, column, message start, manual review).
FINDINGS: dict[str, list[tuple[int, int, str, bool]]] = {
    "fixable": [
        (
            11,
            0,
            "module global `_engine_factory` holds a shared `ExecutionEngineFactory` instance: "
            "`get_execution_engine_factory()` will build a new instance per call",
            False,
        )
    ],
    # The mechanical shape, but the spec does not vouch for the class: reported, never fixed
    # (a class keeping state in `self` would lose it with an instance per call).
    "suffix_only": [
        (
            9,
            0,
            "module global `_manager_factory` holds a shared `MockWebSocketManagerFactory` "
            "instance; not fixed: `MockWebSocketManagerFactory` matched only by the suffix "
            "`Factory`; add it to the [[singleton]] rule's `classes` to let migrator fix it",
            True,
        )
    ],
    "fix_disabled": [
        (
            5,
            0,
            "module global `_engine_factory` holds a shared `ExecutionEngineFactory` instance; "
            "not fixed: the spec's [[singleton]] rule for it has fix = false",
            True,
        )
    ],
    "public_instance": [
        (
            5,
            0,
            "module global `engine_factory` holds a shared `ExecutionEngineFactory` instance: "
            "`get_execution_engine_factory()` will build a new instance per call; "
            "the public global stays: delete it once no other module imports it",
            True,
        )
    ],
    "module_instance": [
        (
            6,
            0,
            "module global `engine_factory` holds a shared `ExecutionEngineFactory` instance; "
            "not fixed: `engine_factory` is used outside a getter that only returns it",
            True,
        ),
        (
            7,
            0,
            "module global `_bridge` holds a shared `AgentWebSocketBridge` instance; "
            "not fixed: `_bridge` is used outside a getter that only returns it",
            True,
        ),
    ],
    "global_getter": [
        (
            13,
            8,
            "`global _factory_instance` caches a shared `ExecutionEngineFactory` instance",
            True,
        )
    ],
    "class_attribute": [
        (9, 4, "class attribute `default_bridge` holds a shared `WebSocketBridge` instance", True),
        (18, 12, "`cls._instance` caches a shared `ToolDispatcherFactory` instance", True),
    ],
    "cached_new": [(7, 4, "`ExecutionEngineFactory.__new__` returns one cached instance", True)],
    "cached_getter": [
        (11, 0, "cached getter `get_bridge()` returns one shared `AgentWebSocketBridge`", True),
        (16, 0, "cached getter `get_engine()` returns one shared `UserExecutionEngine`", True),
    ],
}

# Where the transform's leftovers differ from the findings on the before file.
LEFT: dict[str, list[tuple[int, str]]] = {
    "fixable": [],
    "public_instance": [
        (
            5,
            "module global `engine_factory` holds a shared `ExecutionEngineFactory` instance; "
            "not fixed: it is public: delete it once no other module imports it",
        )
    ],
}


def parse(source: str | bytes, case: str) -> ParsedFile:
    return ParsedFile(source, FileContext.from_path(f"netra_backend/app/{case}.py"))


def analysis(source: str, case: str) -> Analysis:
    """The codemod's one analysis (stdlib `ast`) of a fixture."""
    return analyze(AstFile(source, parse("", case).context), rules_for(case))


def rules_for(case: str) -> RuleSet:
    return NO_FIX if case == "fix_disabled" else RULES


def fixture_setup(case: str) -> tuple[FileContext, RuleSet]:
    """Where a fixture sits and the rules it runs under (for tests/test_fixtures.py)."""
    return parse("", case).context, rules_for(case)


def test_every_shape_has_a_case() -> None:
    assert set(CASES) == set(FINDINGS) | {"no_needles"}


@pytest.mark.parametrize("case", CASES)
def test_analyze_reports_each_shape_with_its_line(case: str) -> None:
    findings = analysis((FIXTURES / f"{case}.before.py").read_text(), case).findings
    got = [(f.line, f.column, f.message, f.manual_review) for f in findings]
    assert got == FINDINGS.get(case, [])
    assert all(f.rule == "singleton" for f in findings)
    assert all(f.fixable is not f.manual_review for f in findings)


@pytest.mark.parametrize("case", CASES)
def test_transform(case: str) -> None:
    before = (FIXTURES / f"{case}.before.py").read_text()
    after = (FIXTURES / f"{case}.after.py").read_text()
    result = CODEMOD.transform(parse(before, case), rules_for(case))
    assert result.code == after
    cst.parse_module(result.code)
    again = CODEMOD.transform(parse(result.code, case), rules_for(case))
    assert again.code == result.code, "second run changed the code"
    # What the transform leaves behind: the manual-review findings of the new code.
    left = [(f.line, f.message) for f in result.findings]
    before_left = [(line, msg) for line, _, msg, review in FINDINGS.get(case, []) if review]
    assert left == LEFT.get(case, before_left)


def test_only_the_fixable_case_changes() -> None:
    changed = {
        case
        for case in CASES
        if (FIXTURES / f"{case}.before.py").read_bytes()
        != (FIXTURES / f"{case}.after.py").read_bytes()
    }
    assert changed == {"fixable", "public_instance"}


def test_after_the_fix_nothing_is_left() -> None:
    assert analysis((FIXTURES / "fixable.after.py").read_text(), "fixable").findings == []


def test_file_without_needles_is_byte_identical() -> None:
    source = (FIXTURES / "no_needles.before.py").read_bytes()
    assert not any(needle in source for needle in CODEMOD.needles(RULES))
    assert CODEMOD.transform(parse(source, "no_needles"), RULES).code.encode() == source
