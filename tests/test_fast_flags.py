"""The flags fast analyzer (stdlib `ast`) on the forms where ast and LibCST differ: exact
findings, each also checked against the LibCST analyzer on the same source."""

from __future__ import annotations

import sys
import textwrap

import pytest

from codemods.core.base import ParsedFile
from codemods.core.rules import FlagRule, RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import FileContext
from codemods.flags.codemod import FlagsCodemod
from codemods.flags.fast import analyze

RULES = RuleSet(flags=(FlagRule("FLAG", False), FlagRule("OTHER", False)))
CONTEXT = FileContext.from_path("pkg/mod.py")
TRUTHY = "`FLAG` set to a truthy value: an auth bypass"
RUNTIME = "`FLAG` is computed at run time: review and remove by hand"
READ = "condition reads an auth-bypass flag"


def findings(analysis) -> list[tuple]:
    return [(f.line, f.column, f.message, f.fixable, f.manual_review) for f in analysis.findings]


def fast(source: str, rules: RuleSet = RULES) -> list[tuple]:
    return findings(analyze(AstFile(textwrap.dedent(source), CONTEXT), rules))


def libcst(source: str, rules: RuleSet = RULES) -> list[tuple]:
    parsed = ParsedFile(textwrap.dedent(source), CONTEXT)
    return findings(FlagsCodemod().analyze(parsed, rules))


def check(source: str, expected: list[tuple], rules: RuleSet = RULES) -> None:
    """The fast analyzer gives `expected` (line, column, message), as LibCST does, in order."""
    actual = fast(source, rules)
    assert [(line, column, message) for line, column, message, *_ in actual] == expected
    assert actual == libcst(source, rules)


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
    check("ＦＬＡＧ = True\n", [])  # LibCST keeps the name as written: not the flag


@pytest.mark.parametrize(
    "source",
    [
        "if (FLAG, 1):\n    pass\n",
        "while (x for x in FLAG):\n    pass\n",
        'x = f"{1 if FLAG else 2}"\n',
        "if NewType(FLAG, int):\n    pass\n",
        "FLAG = 0\nＦＬＡＧ = True\n",
        "FLAG = 0\nif settings.ＦＬＡＧ:\n    pass\n",
        "FLAG = 0\nif check(ＦＬＡＧ=1):\n    pass\n",
    ],
)
def test_forms_left_to_libcst(source: str) -> None:
    with pytest.raises(Unsupported):
        fast(source)
    libcst(source)  # LibCST analyzes them


def test_unsupported_forms_without_a_flag_read_are_answered() -> None:
    check(
        "if (a, 1):\n    pass\nx = f'{1 if a else 2}'\nif NewType(a, FLAG):\n    pass\n",
        [(4, 3, READ)],
    )


def test_no_libcst_import() -> None:
    import subprocess

    code = "import codemods.flags.fast, sys; assert 'libcst' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
