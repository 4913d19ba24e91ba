"""The flags codemod on before/after fixture pairs: exact output, findings, idempotence."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import FlagRule, RuleSet
from codemods.flags.codemod import FlagsCodemod

FIXTURES = Path(__file__).parents[1] / "codemods" / "flags" / "fixtures"
RULES = RuleSet(flags=(FlagRule("MOCK_AUTH_AVAILABLE", False),))
CODEMOD = FlagsCodemod()
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))

RUNTIME = "the flag cannot be removed mechanically, review by hand"
# (line, column, message) of every finding the transform reports, at its place in the *after*
# file (the input's, when nothing changed); all are manual-review.
FINDINGS: dict[str, list[tuple[int, int, str]]] = {
    "and_or": [
        (21, 16, "flag read left in place: the flag is the right operand of a value expression"),
    ],
    "runtime_written": [
        (5, 0, f"`MOCK_AUTH_AVAILABLE` is computed at run time: {RUNTIME}"),
        (9, 11, f"`MOCK_AUTH_AVAILABLE` is rebound through `global`: {RUNTIME}"),
        (10, 4, f"`MOCK_AUTH_AVAILABLE` is assigned at run time: {RUNTIME}"),
        (20, 4, f"`MOCK_AUTH_AVAILABLE` is set through `setattr`: {RUNTIME}"),
        (24, 12, f"`MOCK_AUTH_AVAILABLE` is assigned by `:=` at run time: {RUNTIME}"),
    ],
    "unused_helpers": [
        (11, 0, "`mock_claims_json` is no longer used here after removing the bypass flag"),
    ],
    "side_effects": [
        (9, 7, "flag read left in place: dropping the left operand of `and` loses its effects"),
        (15, 11, "flag read left in place: `MOCK_AUTH_AVAILABLE` is read from an expression with"),
    ],
}


def transform(source: bytes | str, case: str):
    parsed = ParsedFile(source, FileContext.from_path(f"pkg/{case}.py"))
    return CODEMOD.transform(parsed, RULES)


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


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    before = (FIXTURES / f"{case}.before.py").read_text()
    after = (FIXTURES / f"{case}.after.py").read_text()
    result = transform(before, case)
    assert result.code == after
    cst.parse_module(result.code)
    assert transform(result.code, case).code == result.code, "second run changed the code"
    found = [(f.line, f.column, f.message) for f in result.findings]
    expected = FINDINGS.get(case, [])
    assert len(found) == len(expected)
    for (line, column, message), (want_line, want_column, want_message) in zip(
        found, expected, strict=True
    ):
        assert (line, column) == (want_line, want_column)
        assert message.startswith(want_message)
    assert all(f.rule == "auth-bypass" and f.manual_review for f in result.findings)


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
        parsed = ParsedFile(after, FileContext.from_path(f"pkg/{case}.py"))
        assert CODEMOD.analyze(parsed, RULES).findings == [], case


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
