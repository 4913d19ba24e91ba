"""The flags cleanup's referenced module names, from the `ast` scope model alone: equal to the
reference answer LibCST's scope analysis gives (a test oracle only), or the model declines, and
then the cleanup removes nothing it would judge unused."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from hypothesis import given

from codemods.core.annotation_reads import CannotTell
from codemods.core.base import ParsedFile
from codemods.core.rules import FlagRule, RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import FileContext
from codemods.flags.cleanup import referenced_globals
from codemods.flags.codemod import FlagsCodemod
from codemods.flags.used_names import referenced_names
from tests.parity import corpus_files, generated_tree
from tests.strategies import any_program

CONTEXT = FileContext.from_path("pkg/mod.py")


def model(source: str) -> set[str] | None:
    """The model's answer, None where it declines."""
    try:
        return referenced_names(AstFile(source, CONTEXT))
    except (Unsupported, CannotTell):
        return None


def referenced_globals_libcst(module: cst.Module) -> set[str]:
    """The reference answer: the module scope's assignments LibCST records references to,
    plus the `__all__` strings."""
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    scope = wrapper.resolve(cst.metadata.ScopeProvider)[module]
    used = {a.name for a in scope.assignments if a.references}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = small.targets if isinstance(small, cst.Assign) else ()
            if not any(
                isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in targets
            ):
                continue
            value = small.value  # type: ignore[attr-defined]
            if isinstance(value, cst.List | cst.Tuple):
                used |= {
                    e.value.evaluated_value
                    for e in value.elements
                    if isinstance(e.value, cst.SimpleString)
                }
    return used


def libcst_answer(source: str) -> set[str]:
    return referenced_globals_libcst(cst.parse_module(source))


def test_equals_libcst_on_every_corpus_file(tmp_path_factory) -> None:
    generated = generated_tree(str(tmp_path_factory.getbasetemp()))
    compared = declined = 0
    mismatches = []
    for path, source in corpus_files(generated):
        try:
            module = cst.parse_module(source)
            text = module.code
            AstFile(text, CONTEXT)
        except Exception:  # noqa: BLE001 - unparsable files are not compared
            continue
        actual = model(text)
        if actual is None:
            declined += 1
            continue
        compared += 1
        expected = referenced_globals_libcst(module)
        if actual != expected:
            mismatches.append((path, sorted(expected ^ actual)))
    assert mismatches == []
    assert compared > 250 and declined <= compared // 50, (compared, declined)


@given(any_program())
def test_equals_libcst_on_generated_programs(source: str) -> None:
    try:
        module = cst.parse_module(source)
        AstFile(module.code, CONTEXT)
    except Exception:  # noqa: BLE001 - programs either parser rejects are not compared
        return
    actual = model(module.code)
    expected = referenced_globals_libcst(module)
    if actual is not None:
        assert actual == expected
    assert referenced_globals(module.code, CONTEXT) == actual


CASES = {
    "read after its binding": ("x = 1\nprint(x)\n", {"x"}),
    "read before its binding, in the module": ("print(x)\nx = 1\n", set()),
    "read in a function, bound later": ("def f():\n    return x\nx = 1\n", {"x"}),
    # LibCST gives an access made before a local binding to the enclosing scope's binding
    "read before a later local binding": (
        "x = 1\ndef f():\n    x = 2\n    print(x)\n    x = 3\n",
        {"x"},
    ),
    "shadowed by an earlier local binding": ("x = 1\ndef f():\n    x = 2\n    print(x)\n", set()),
    "global in a function": ("def f():\n    global x\n    x = 1\ndef g():\n    return x\n", {"x"}),
    "class scopes are invisible to methods": (
        "x = 1\nclass A:\n    x = 2\n    def m(self):\n        return x\n",
        {"x"},
    ),
    "dotted import": ("import os.path\nos.path.join('a')\n", {"os.path"}),
    "deleted": ("x = 1\ndel x\n", {"x"}),
    "string annotation": ("T = int\ndef f(a: 'T') -> None: ...\n", {"T"}),
    "string annotation before the binding": ("a: 'T' = 1\nT = int\n", set()),
    "match captures of other names": (
        "x = 1\ndef f(v):\n    match v:\n        case [y, *z] if x: ...\n",
        {"x"},
    ),
    "__all__": ("__all__ = ['a', 'b' 'c', ('d'), *e]\na = 1\n", {"a", "d"}),
}


@pytest.mark.parametrize("name", CASES)
def test_exact_answers(name: str) -> None:
    source, expected = CASES[name]
    assert model(source) == expected == libcst_answer(source)


DECLINED = {
    "a match capture of a module name": "x = 1\ndef f(v):\n    match v:\n        case [x]: ...\n",
    "a match keyword of a module name": "x = 1\ndef f(v):\n    match v:\n        case P(x=1): 0\n",
    "a match at module level": "match v:\n    case {**rest}: ...\n",
    "NewType with a computed name": "from typing import NewType\nn = 'N'\nN = NewType(n, int)\n",
    "aliased TypeVar": "from typing import TypeVar as TV\nn = 'T'\nT = TV(n)\n",
    "module-level nonlocal": "if True:\n    nonlocal x\n",
    "NFKC-changed identifier": "ｘ = 1\nprint(x)\n",
    "string in a typing subscript": "from typing import List\nT = int\nL = List['T']\n",
    "dotted name in a string annotation": "import os.path\ndef f(a: 'os.path.X'): ...\n",
    # LibCST reads neither as an annotation: no reference (the model used to read both)
    "default value string": "def f(a: 'int' = 'login'): ...\ndef login(): ...\n",
    # LibCST reads `x` in the comprehension's scope: a reference (the model read it earlier)
    "comprehension in a string annotation": "def f(a: '[x for x in y]'): ...\nx = 1\n",
}


@pytest.mark.parametrize("name", DECLINED)
def test_declines_where_libcst_may_differ(name: str) -> None:
    assert model(textwrap.dedent(DECLINED[name])) is None


def test_where_the_model_declines_the_cleanup_removes_nothing() -> None:
    rules = RuleSet(flags=(FlagRule("MOCK_AUTH_AVAILABLE", False),))
    flag = "MOCK_AUTH_AVAILABLE = False\n"
    helper = "import os\ndef _mock():\n    return os\n"
    source = helper + flag + "if MOCK_AUTH_AVAILABLE:\n    helper = _mock\nprint(1)\n"
    result = FlagsCodemod().transform(ParsedFile(source, CONTEXT), rules)
    assert result.code == "print(1)\n"  # the flag, its branch, and `_mock` and `os` with them
    match = "match v:\n    case os:\n        pass\n"  # a capture naming a module-level name
    assert referenced_globals(source + match, CONTEXT) is None
    result = FlagsCodemod().transform(ParsedFile(source + match, CONTEXT), rules)
    assert result.code == helper + "print(1)\n" + match  # only the flag and its branch go
