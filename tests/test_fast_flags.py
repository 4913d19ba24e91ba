"""The flags analysis (stdlib `ast`, the codemod's one decider): exact findings on every form
that needs a decision, and the flag reads it tells the rewrite to fold."""

from __future__ import annotations

import sys
import textwrap

import pytest

from codemods.core.base import ParsedFile
from codemods.core.rules import FlagRule, RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from codemods.flags.codemod import FlagsCodemod
from codemods.flags.fast import analyze, folds, has_work, runtime_writes

RULES = RuleSet(flags=(FlagRule("FLAG", False), FlagRule("OTHER", False)))
CONTEXT = FileContext.from_path("pkg/mod.py")
TRUTHY = "`FLAG` set to a truthy value: an auth bypass"
RUNTIME = "`FLAG` is computed at run time: review and remove by hand"
READ = "condition reads an auth-bypass flag"


def findings(analysis) -> list[tuple]:
    return [(f.line, f.column, f.message, f.fixable, f.manual_review) for f in analysis.findings]


def fast(source: str, rules: RuleSet = RULES) -> list[tuple]:
    return findings(analyze(AstFile(textwrap.dedent(source), CONTEXT), rules))


def check(source: str, expected: list[tuple], rules: RuleSet = RULES) -> None:
    """The analysis gives `expected` (line, column, message), in order; a truthy assignment
    and a condition are fixable, a computed value is left for review."""
    actual = fast(source, rules)
    assert [(line, column, message) for line, column, message, *_ in actual] == expected
    for _, _, message, fixable, review in actual:
        assert (fixable, review) == ((False, True) if message == RUNTIME else (True, False))


def rewrite(source: str, rules: RuleSet = RULES) -> str:
    parsed = ParsedFile(textwrap.dedent(source), CONTEXT)
    return FlagsCodemod().transform(parsed, rules).code


def test_literal_values_as_libcst_sees_them() -> None:
    source = """\
        FLAG = True
        FLAG = 1
        FLAG = 0.5
        FLAG = "on"
        FLAG = b"on"
        FLAG = (True)
        FLAG = 0x0
        FLAG = False
        FLAG = None
        FLAG = ""
        FLAG = 0.0
        FLAG = 1j
        FLAG = ...
        FLAG = -1
        FLAG = "a" "b"
        FLAG = ("a"
                "")
        FLAG = f"on"
        FLAG = compute()
    """
    truthy = [(line, 0, TRUTHY) for line in range(1, 7)]
    runtime = [(line, 0, RUNTIME) for line in (12, 13, 14, 15, 16, 18, 19)]
    check(source, truthy + runtime)


def test_targets_chained_attribute_annotated_and_ignored_forms() -> None:
    source = """\
        a = FLAG = True
        settings.FLAG = 1
        (settings).FLAG = 1
        (FLAG) = True
        FLAG: bool = True
        FLAG: bool
        FLAG, b = True, 1
        FLAG += 1
        FLAG[0] = 1
        (FLAG := 1)
        for FLAG in []:
            pass
    """
    check(source, [(1, 4, TRUTHY), (2, 0, TRUTHY), (3, 0, TRUTHY), (4, 1, TRUTHY), (5, 0, TRUTHY)])


def test_conditions_and_their_positions() -> None:
    source = """\
        if FLAG:
            pass
        elif (OTHER):
            pass
        while (a) and FLAG:
            pass
        x = 1 if settings.FLAG else 2
        y = (1 if FLAG else 2) if OTHER else 3
        if check(FLAG=1):
            pass
        if (
            a
            or FLAG
        ):
            pass
        z = [x for x in y if FLAG]
        match z:
            case 1 if FLAG:
                pass
        assert FLAG
    """
    expected = [
        (1, 3, READ),
        (3, 6, READ),
        (5, 6, READ),
        (7, 9, READ),
        (8, 26, READ),
        (8, 10, READ),
        (9, 3, READ),
        (12, 4, READ),
    ]
    check(source, expected)


def test_shadowing_by_parameters_loops_lambdas_and_locals() -> None:
    source = """\
        FLAG = False


        def parameter(FLAG=True):
            if FLAG:
                pass


        def comprehension():
            return [1 for FLAG in range(3) if FLAG] if any(FLAG for FLAG in x) else 0


        def lambda_parameter():
            if lambda FLAG: FLAG:
                pass


        def later_local():
            if FLAG:
                pass
            FLAG = 1


        def imported():
            from settings import FLAG
            if FLAG:
                pass


        def rebound_globally():
            global FLAG
            FLAG = 0
            if FLAG:
                pass


        def closure():
            FLAG = 0

            def inner():
                nonlocal FLAG
                if FLAG:
                    pass


        class Holder:
            FLAG = 0

            def method(self):
                if FLAG:
                    pass

            if FLAG:
                pass


        def attribute(FLAG):
            if FLAG and self.FLAG:
                pass
    """
    check(
        source,
        [
            (21, 4, TRUTHY),
            (26, 7, READ),
            (33, 7, READ),
            (50, 11, READ),
            (53, 7, READ),
            (58, 7, READ),
        ],
    )


def test_a_flag_named_like_a_builtin_is_shadowed_by_the_builtin() -> None:
    rules = RuleSet(flags=(FlagRule("__debug__", False), FlagRule("print", False)))
    source = """\
        if __debug__:
            pass
        if print:
            pass
        if obj.print:
            pass
    """
    check(source, [(5, 3, READ)], rules)


def test_columns_are_characters_on_non_ascii_lines() -> None:
    source = """\
        x = "é" if FLAG else "ü"; y = "€"; FLAG = "ü"
    """
    check(source, [(1, 11, READ), (1, 35, TRUTHY)])


def test_no_flag_name_in_the_file_is_no_finding() -> None:
    check("if other:\n    pass\nX = True\n", [])
    # The needles are the names as written: a file that never spells one has nothing to do.
    check("ＦＬＡＧ = True\n", [])


def test_identifiers_are_compared_as_python_reads_them() -> None:
    """`ast` normalizes identifiers (NFKC), as Python does: `ＦＬＡＧ` is the flag."""
    check("FLAG = 0\nＦＬＡＧ = True\n", [(2, 0, TRUTHY)])
    check("FLAG = 0\nif settings.ＦＬＡＧ:\n    pass\n", [(2, 3, READ)])
    check("FLAG = 0\nif check(ＦＬＡＧ=1):\n    pass\n", [(2, 3, READ)])
    source = "FLAG = True\nif ＦＬＡＧ:\n    run()\nprint(FLAG)\n"
    assert rewrite(source) == "print(False)\n"
    source = "import settings\nFLAG = True\nif settings.ＦＬＡＧ:\n    run()\nx = ＦＬＡＧ\n"
    # the scope model declines a file whose identifiers NFKC changes: nothing else is removed
    assert rewrite(source) == "import settings\nx = False\n"


def test_tuple_and_generator_tests_are_reported_at_their_parenthesis() -> None:
    check("if (FLAG, 1):\n    pass\n", [(1, 3, READ)])
    check("while (x for x in FLAG):\n    pass\n", [(1, 6, READ)])
    check("if (a, 1):\n    pass\n", [])


def test_conditions_in_f_strings_are_reported_at_the_f_string_before_312() -> None:
    """Positions inside an f-string are not reliable before Python 3.12: one finding at the
    outermost string, whatever number of conditional expressions it holds."""
    reliable = sys.version_info >= (3, 12)
    check('x = f"{1 if FLAG else 2}"\n', [(1, 12, READ)] if reliable else [(1, 4, READ)])
    nested = 'x = "a" f"{1 if FLAG else 2} {f\'{2 if OTHER else 3}\'}"\n'
    check(nested, [(1, 16, READ), (1, 38, READ)] if reliable else [(1, 4, READ)])
    check("x = f'{1 if a else 2}'\n", [])
    source = 'FLAG = True\nx = f"{1 if FLAG else 2} {FLAG}"\ny = "a" f"{FLAG}"\n'
    assert rewrite(source) == 'x = f"{2} {False}"\ny = "a" f"{False}"\n'


def test_new_type_and_type_var_arguments_are_ordinary_reads() -> None:
    check("if NewType(FLAG, int):\n    pass\n", [(1, 3, READ)])
    check("if NewType(a, FLAG):\n    pass\n", [(1, 3, READ)])
    check("if TypeVar(a):\n    pass\n", [])


def test_a_string_that_does_not_tokenize_alone_is_left_for_review() -> None:
    check('FLAG = ("a"\n"")\n', [(1, 0, RUNTIME)])


def test_folds_are_the_reads_the_rewrite_replaces() -> None:
    source = textwrap.dedent(
        """\
        import settings as FLAG_MODULE
        from config import FLAG as ALIAS
        FLAG = True
        x = FLAG or ALIAS


        def f(FLAG):
            return FLAG, settings.FLAG, call().FLAG


        y = f"{FLAG} {[FLAG for FLAG in z]}"
        w = f"{FLAG}"
        """
    )
    decided = folds(AstFile(source, CONTEXT), RULES)
    assert decided.values == {"FLAG": False, "OTHER": False, "ALIAS": False}
    assert decided.reads == {(4, 4), (4, 12), (8, 17)}
    assert decided.unsafe == {(8, 32)}
    assert decided.in_fstrings == {(12, 4, "FLAG")}  # line 11 also reads a shadowed FLAG
    assert not folds(AstFile("x = 1\n", CONTEXT), RULES)


def test_no_libcst_import() -> None:
    import subprocess

    code = "import codemods.flags.fast, sys; assert 'libcst' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_runtime_writes_leave_the_file_to_a_human() -> None:
    source = textwrap.dedent(
        """\
        import os
        FLAG = 1
        FLAG = -1
        def f():
            global a, FLAG
            del FLAG, x.FLAG
            lambda: (FLAG := 2)
            os.getenv("pkg.FLAG")
            g(k="FLAG")
        class A:
            FLAG = "a" "b"
            x.FLAG = 1
            [a, *FLAG] = 1, 2
            FLAG += 1
        x = f"{setattr(a, 'FLAG', 1)}"
        """
    )
    file = AstFile(source, CONTEXT)
    found = [(f.line, f.column, f.message) for f in runtime_writes(file, {"FLAG": False})]
    how = "`FLAG` is {}: the flag cannot be removed mechanically, review by hand".format
    in_fstring = 7 if sys.version_info >= (3, 12) else 4
    assert found == [
        (5, 14, how("rebound through `global`")),
        (6, 8, how("deleted at run time")),
        (6, 14, how("deleted at run time")),
        (7, 13, how("assigned by `:=` at run time")),
        (8, 4, how("read from the environment (`os.getenv`)")),
        (9, 4, how("named in a string passed to `g` (set or read at run time)")),
        (11, 4, how("computed at run time")),
        (12, 4, how("assigned at run time")),
        (13, 9, how("computed at run time")),
        (14, 4, how("computed at run time")),
        (15, in_fstring, how("set through `setattr`")),
    ]
    assert all(f.manual_review and not f.fixable for f in runtime_writes(file, {"FLAG": 0}))
    assert rewrite(source, RuleSet(flags=(FlagRule("FLAG", False),))) == source
    assert runtime_writes(AstFile("FLAG = True\nif FLAG:\n    pass\n", CONTEXT), {"FLAG": 0}) == []


@pytest.mark.parametrize(
    ("source", "work"),
    [
        ("x = 1  # MOCK: FLAG\ny = 'FLAG'\n", False),
        ("def f(FLAG):\n    return FLAG\n", False),  # a parameter: shadowed, not the flag
        ("settings.FLAG = 1\n", False),
        ("x = FLAG\n", True),
        ("FLAG = False\n", True),
        ("from config import FLAG\n", True),
        ("import config as FLAG\n", True),
        ("from config import other as FLAG\n", True),
    ],
)
def test_has_work_when_a_read_folds_or_a_definition_may_go(source: str, work: bool) -> None:
    file = AstFile(source, CONTEXT)
    assert has_work(file, folds(file, RULES)) is work
    if not work:
        assert rewrite(source) == source
