"""The constructors codemod on before/after fixture pairs, plus the scanner's counts around it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from codemods.constructors.codemod import ConstructorsCodemod
from codemods.constructors.fast import analyze
from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.tree import AstFile
from migrator.spec import default_spec_text, parse_spec

FIXTURES = Path(__file__).parents[1] / "codemods" / "constructors" / "fixtures"
RULES = parse_spec(default_spec_text(), "<default>").rules
CODEMOD = ConstructorsCodemod()
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))

REVIEW = "direct `ExecutionEngine(...)` construction needs manual review: "
NO_CONTEXT = "no `user_context` argument at the call site; not guessing one"
TWICE = "`user_context` has possible side effects and the new call would use it twice"
# (line, column, reason) of every finding the transform reports; all are manual-review.
FINDINGS: dict[str, list[tuple[int, int, str]]] = {
    "manual_missing_context": [
        (6, 11, NO_CONTEXT),
        (10, 11, "no `websocket_bridge` argument at the call site; not guessing one"),
    ],
    "manual_literal_none": [
        (5, 11, "`user_context` is a literal None; not guessing a real one"),
        (9, 11, "`user_context` is a literal None; not guessing a real one"),
    ],
    "manual_star_args": [
        (5, 11, "`*` arguments cannot be matched to the old parameters"),
        (9, 11, "`**` arguments cannot be matched to the old parameters"),
    ],
    "manual_side_effects": [(5, 11, TWICE), (9, 11, TWICE)],
    "manual_unknown_keyword": [
        (5, 11, "unknown keyword argument `config`"),
        (9, 11, "more positional arguments than the old signature takes"),
    ],
    "manual_name_conflict": [(9, 11, "`UserExecutionEngine` already means something else here")],
    "manual_template_name_conflict": [
        (5, 11, "`get_agent_instance_factory` already means something else here"),
    ],
    "manual_ambiguous_fallback": [
        (
            8,
            11,
            "`ExecutionEngine` is also imported as "
            "`netra_backend.app.agents.execution_engine_consolidated.ExecutionEngine`; "
            "not guessing which class this builds",
        ),
    ],
    # Lines of the rewritten file: the finding points where the call now is.
    "partial": [(11, 11, NO_CONTEXT), (23, 11, NO_CONTEXT)],
}
CONVERSIONS = {
    "aliased_import": 1,
    "dotted_import": 1,
    "exported_name": 1,
    "expressions": 3,
    "init_from_factory": 2,
    "keyword": 1,
    "local_import": 1,
    "mixed": 2,
    "module_attribute": 1,
    "multiline_comments": 3,
    "nested_call": 2,
    "old_import_still_used": 1,
    "package_module": 1,
    "partial": 1,
    "positional": 1,
    "relative_import": 1,
    "reordered": 2,
    "reuse_canonical_import": 1,
}


def parsed(source: str | bytes, case: str = "module") -> ParsedFile:
    return ParsedFile(source, FileContext.from_path(f"netra_backend/app/services/{case}.py"))


def transform(source: str | bytes, case: str = "module", rules: RuleSet = RULES):
    return CODEMOD.transform(parsed(source, case), rules)


def fixture_setup(case: str) -> tuple[FileContext, RuleSet]:
    """Where a fixture sits and the rules it runs under (for tests/test_fixtures.py)."""
    return parsed("", case).context, RULES


def counts(source: str, rules: RuleSet = RULES) -> tuple[int, int]:
    """(direct_instantiations, di_violations) as the scanner counts them."""
    findings = analyze(AstFile(source, parsed("").context), rules).findings
    direct = sum(f.rule == "direct-instantiation" for f in findings)
    return direct, sum(f.rule == "di-violation" for f in findings)


def test_every_case_is_covered() -> None:
    unchanged = {"lookalikes", "no_needles"}
    assert set(CASES) == set(CONVERSIONS) | set(FINDINGS) | unchanged


def test_the_fixtures_use_the_default_specs_rule() -> None:
    (rule,) = RULES.constructors
    assert rule.old == "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine"
    assert rule.params == ("registry", "websocket_bridge", "user_context")
    assert rule.classmethods == ("_init_from_factory",)


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    before = (FIXTURES / f"{case}.before.py").read_text()
    after = (FIXTURES / f"{case}.after.py").read_text()
    result = transform(before, case)
    assert result.code == after
    cst.parse_module(result.code)
    assert result.changes == CONVERSIONS.get(case, 0)
    again = transform(result.code, case)
    assert again.code == result.code, "second run changed the code"
    assert again.changes == 0
    found = [(f.line, f.column, f.message) for f in result.findings]
    expected = [(line, column, REVIEW + reason) for line, column, reason in FINDINGS.get(case, [])]
    assert found == expected
    assert all(f.rule == "direct-instantiation" and f.manual_review for f in result.findings)
    assert all(not f.fixable for f in result.findings)


@pytest.mark.parametrize("case", sorted(FINDINGS.keys() - {"partial"} | {"lookalikes"}))
def test_refused_files_stay_byte_identical(case: str) -> None:
    before = (FIXTURES / f"{case}.before.py").read_bytes()
    assert (FIXTURES / f"{case}.after.py").read_bytes() == before
    assert transform(before, case).code.encode() == before


def test_scanner_counts_what_the_transform_converts_or_flags() -> None:
    for case in CASES:
        before = (FIXTURES / f"{case}.before.py").read_text()
        direct, _ = counts(before)
        assert direct == CONVERSIONS.get(case, 0) + len(FINDINGS.get(case, [])), case
        after = transform(before, case).code
        assert counts(after) == (len(FINDINGS.get(case, [])), 0), case


def test_scan_findings_say_which_calls_are_fixable() -> None:
    source = (FIXTURES / "partial.before.py").read_text()
    findings = analyze(AstFile(source, parsed("").context), RULES).findings
    assert [(f.line, f.fixable, f.manual_review) for f in findings] == [
        (6, False, True),
        (10, True, False),
        (14, False, True),
    ]
    assert (
        findings[1].message
        == "direct `ExecutionEngine(...)` construction: use `UserExecutionEngine(...)`"
    )


def test_di_violations_before_and_after() -> None:
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
        "from netra_backend.app.agents.supervisor.user_execution_engine import (\n"
        "    UserExecutionEngine,\n"
        ")\n"
        "a = UserExecutionEngine(context=None, agent_factory=f, websocket_emitter=e)\n"
        "b = UserExecutionEngine(registry=r, websocket_bridge=b, user_context=c)\n"
        "c = UserExecutionEngine(c, f, e)\n"
        "d = ExecutionEngine(r, b, c)\n"
    )
    assert counts(source) == (1, 2)
    result = transform(source)
    assert result.changes == 1
    assert counts(result.code) == (0, 2)
    assert result.code.endswith(
        "d = UserExecutionEngine(\n"
        "    context=c,\n"
        "    agent_factory=get_agent_instance_factory(),\n"
        "    websocket_emitter=UserWebSocketEmitter(c.user_id, c.thread_id, c.run_id, b),\n"
        ")\n"
    )


def test_short_call_stays_on_one_line() -> None:
    rule = ConstructorRule(
        old="pkg.old.Old", new="pkg.new.New", params=("a", "b"), args=(("x", "{b}"), ("y", "{a}"))
    )
    source = "from pkg.old import Old\nv = Old(1, b=2)  # keep\n"
    result = transform(source, rules=RuleSet(constructors=(rule,)))
    assert result.code == "from pkg.new import New\nv = New(x=2, y=1)  # keep\n"


def test_precedence_parentheses_where_the_template_needs_them() -> None:
    rule = ConstructorRule(
        old="pkg.old.Old",
        new="pkg.new.New",
        params=("ctx", "n"),
        args=(("user", "{ctx}.user_id"), ("count", "{n} * 2"), ("raw", "{ctx}")),
    )
    source = (
        "from pkg.old import Old\n"
        "async def f(a, b, n):\n"
        "    return Old(a if a else b, n + 1)\n"
        "async def g(s, n):\n"
        "    return Old(await s.ctx(), n)\n"
    )
    result = transform(source, rules=RuleSet(constructors=(rule,)))
    assert result.code == (
        "from pkg.old import Old\n"
        "from pkg.new import New\n"
        "async def f(a, b, n):\n"
        "    return New(user=(a if a else b).user_id, count=(n + 1) * 2, raw=a if a else b)\n"
        "async def g(s, n):\n"
        "    return Old(await s.ctx(), n)\n"
    )
    assert [f.message.rpartition(": ")[2] for f in result.findings] == [
        "`ctx` has possible side effects and the new call would use it twice"
    ]


def test_awaited_argument_used_once_keeps_its_await() -> None:
    rule = ConstructorRule(
        old="pkg.old.Old", new="pkg.new.New", params=("ctx",), args=(("attr", "{ctx}.user"),)
    )
    source = "from pkg.old import Old\nasync def f(s):\n    return Old(await s.ctx())\n"
    result = transform(source, rules=RuleSet(constructors=(rule,)))
    assert "return New(attr=(await s.ctx()).user)\n" in result.code


def test_crlf_file_keeps_its_newlines() -> None:
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\r\n"
        "\r\n"
        "def f(r, b, c):\r\n"
        "    return ExecutionEngine(r, b, c)\r\n"
    )
    code = transform(source).code
    assert "\n" not in code.replace("\r\n", "")
    assert "        context=c,\r\n" in code


def test_file_without_needles_is_untouched() -> None:
    source = b"import os\n\nprint(os.sep)  # no engines here\n"
    result = transform(source)
    assert result.code.encode() == source
    assert result.findings == []
    assert CODEMOD.needles(RULES) >= {b"ExecutionEngine", b"UserExecutionEngine"}
