"""The flags codemod on before/after fixture pairs: exact output, findings, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import FlagRule, RuleSet
from codemods.core.tree import AstFile
from codemods.flags.codemod import FlagsCodemod
from codemods.flags.fast import analyze

FIXTURES = Path(__file__).parents[1] / "codemods" / "flags" / "fixtures"
RULES = RuleSet(flags=(FlagRule("MOCK_AUTH_AVAILABLE", False),))
CODEMOD = FlagsCodemod()
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))


def transform(source: bytes | str, case: str):
    parsed = ParsedFile(source, FileContext.from_path(f"pkg/{case}.py"))
    return CODEMOD.transform(parsed, RULES)


def fixture_setup(case: str) -> tuple[FileContext, RuleSet]:
    """Where a fixture sits and the rules it runs under (for tests/test_fixtures.py)."""
    return FileContext.from_path(f"pkg/{case}.py"), RULES


def test_every_case_is_covered() -> None:
    expected = {
        "and_or",
        "cross_module",
        "early_return",
        "elif_chain",
        "if_flag",
        "if_not",
        "no_needles",
        "runtime_written",
        "side_effects",
        "ternary",
        "try_import",
        "while_loop",
        "module_level",
        "shadowed",
        "unused_helpers",
    }
    assert set(CASES) == expected


@pytest.mark.parametrize("case", ["no_needles", "runtime_written"])
def test_unchanged_files_stay_byte_identical(case: str) -> None:
    source = (FIXTURES / f"{case}.before.py").read_bytes()
    assert transform(source, case).code.encode() == source


def test_needles_are_the_flag_names() -> None:
    assert CODEMOD.needles(RULES) == frozenset({b"MOCK_AUTH_AVAILABLE"})


def test_truthy_value_keeps_the_bypass_branch() -> None:
    rules = RuleSet(flags=(FlagRule("FEATURE_ON", True),))
    source = "FEATURE_ON = True\n\nif FEATURE_ON:\n    run()\nelse:\n    skip()\n"
    parsed = ParsedFile(source, FileContext.from_path("pkg/feature.py"))
    assert CODEMOD.transform(parsed, rules).code == "\nrun()\n"


def test_analyze_counts_nothing_after_transform() -> None:
    cases = ("if_flag", "if_not", "elif_chain", "early_return", "try_import", "cross_module")
    for case in (*cases, "while_loop", "module_level", "shadowed"):
        after = (FIXTURES / f"{case}.after.py").read_text()
        file = AstFile(after, FileContext.from_path(f"pkg/{case}.py"))
        assert analyze(file, RULES).findings == [], case


# ---- soundness: folding never changes what the code does -----------------------------------

ATOMS = ["MOCK_AUTH_AVAILABLE", "a", "b", "True", "False", "None", "hit(1)", "hit(0)", "user.ok"]


def expressions(depth: int = 3):
    from hypothesis import strategies as st

    atoms = st.sampled_from(ATOMS)
    if depth == 0:
        return atoms
    inner = expressions(depth - 1)
    return st.one_of(
        atoms,
        inner.map(lambda e: f"not {e}"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({' '.join(t)})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(inner, st.sampled_from(["==", "!=", "is", "is not"]), atoms).map(
            lambda t: f"({' '.join(t)})"
        ),
    )


PROGRAM = """\
MOCK_AUTH_AVAILABLE = False


def in_condition(a, b, user, log):
    def hit(v):
        log.append(v)
        return v

    if {expr}:
        return "yes"
    return "no"


def as_value(a, b, user, log):
    def hit(v):
        log.append(v)
        return v

    return {expr}
"""


def behaviour(code: str) -> list:
    from types import SimpleNamespace

    namespace: dict = {}
    exec(compile(code, "<flags>", "exec"), namespace)  # noqa: S102 - generated test code
    seen = []
    for a in (True, False, 0, None, "x"):
        for b in (True, False):
            for ok in (True, False):
                for function in ("in_condition", "as_value"):
                    log: list = []
                    result = namespace[function](a, b, SimpleNamespace(ok=ok), log)
                    seen.append((function, a, b, ok, result, tuple(log)))
    return seen


def test_folding_keeps_behaviour() -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(expressions())
    def check(expr: str) -> None:
        before = PROGRAM.format(expr=expr)
        after = transform(before, "generated").code
        assert behaviour(after) == behaviour(before), after
        assert transform(after, "generated").code == after

    check()


def test_a_tested_conditional_expression_folds_its_chosen_branch_in_one_pass() -> None:
    """Found by `test_folding_keeps_behaviour`: the branch a folded `x if C else y` keeps
    stands where only its truth is read, so it folds in the same pass (idempotence)."""
    expr = "not ((a and MOCK_AUTH_AVAILABLE) if not MOCK_AUTH_AVAILABLE else MOCK_AUTH_AVAILABLE)"
    before = PROGRAM.format(expr=expr)
    after = transform(before, "generated").code
    assert "    return True\n" in after
    assert "MOCK_AUTH_AVAILABLE" not in after
    assert transform(after, "generated").code == after
    assert behaviour(after) == behaviour(before)
