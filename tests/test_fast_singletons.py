"""The singletons codemod's one analysis (`codemods.singletons.fast`, stdlib `ast`): the exact
findings of every shape, and the exact text of every fix it decides.

Candidates are named by the default spec's classes (`ExecutionEngineFactory`,
`UserExecutionEngine`) or its suffixes (`ToolFactory`, `SearchEngine`, `...Bridge`).
"""

from __future__ import annotations

import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.edits import apply_edits
from codemods.core.rules import RuleSet, SingletonRule
from codemods.core.tree import AstFile
from codemods.singletons.codemod import SingletonsCodemod
from codemods.singletons.fast import analyze, decide
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "default").rules
CONTEXT = FileContext.from_path("netra_backend/app/x/mod.py")

PLAIN = "not a plain module-level instance"
SIDE_EFFECTS = "the constructor's arguments have side effects"
PUBLIC = "it is public: delete it once no other module imports it"
NO_FIX = "the spec's [[singleton]] rule for it has fix = false"
LEFTOVER = "the public global stays: delete it once no other module imports it"


def outside(name: str) -> str:
    return f"`{name}` is used outside a getter that only returns it"


def unused(name: str) -> str:
    return f"nothing in this module uses `{name}`: delete it by hand"


def twice(name: str) -> str:
    return f"`{name}` is assigned more than once"


def review(line: int, column: int, message: str) -> tuple:
    return (line, column, message, False, True)


def unfixed(line: int, column: int, name: str, cls: str, why: str) -> tuple:
    message = f"module global `{name}` holds a shared `{cls}` instance; not fixed: {why}"
    return review(line, column, message)


def _getter(name: str, cls: str, getter: str) -> str:
    return (
        f"module global `{name}` holds a shared `{cls}` instance: "
        f"`{getter}()` will build a new instance per call"
    )


VOUCHED = {"ExecutionEngineFactory", "UserExecutionEngine"}  # the default spec's `classes`


def suffix_only(cls: str) -> str:
    suffix = next(s for s in ("Factory", "Engine", "Bridge") if cls.endswith(s))
    return (
        f"`{cls}` matched only by the suffix `{suffix}`; add it to the [[singleton]] rule's "
        "`classes` to let migrator fix it"
    )


def fixed(line: int, column: int, name: str, cls: str, getter: str) -> tuple:
    """The fixable shape: fixed for a class the spec names, reported for a suffix match."""
    if cls not in VOUCHED:
        return unfixed(line, column, name, cls, suffix_only(cls))
    return (line, column, _getter(name, cls, getter), True, False)


def public(line: int, column: int, name: str, cls: str, getter: str) -> tuple:
    if cls not in VOUCHED:
        return unfixed(line, column, name, cls, suffix_only(cls))
    return review(line, column, f"{_getter(name, cls, getter)}; {LEFTOVER}")


def fast(source: str, rules: RuleSet = RULES) -> list[tuple]:
    analysis = analyze(AstFile(source, CONTEXT), rules)
    return sorted(
        (f.line, f.column, f.message, f.fixable, f.manual_review) for f in analysis.findings
    )


CASES = [
    pytest.param(
        r"""
from netra_backend.app.agents.supervisor.execution_engine_factory import (
    ExecutionEngineFactory as EEF,
)
import netra_backend.app.agents.supervisor.user_execution_engine as uee

_factory = EEF()
engine = uee.UserExecutionEngine()


def get_factory():
    return _factory
""",
        [
            fixed(7, 0, "_factory", "ExecutionEngineFactory", "get_factory"),
            unfixed(8, 0, "engine", "UserExecutionEngine", PUBLIC),
        ],
        id="alias_import",
    ),
    pytest.param(
        r"""
from netra_backend.app.agents.supervisor.execution_engine_factory import ExecutionEngineFactory

_a = ExecutionEngineFactory()()
_b = [ExecutionEngineFactory][0]()
_c = make().ToolFactory()
""",
        [
            unfixed(4, 0, "_a", "ExecutionEngineFactory", unused("_a")),
        ],
        id="call_of_call",
    ),
    pytest.param(
        r'''
_a = ToolFactory(); x = 1
_b = ToolFactory();
y = 2; _c: ToolFactory = ToolFactory()


def get_a(): return _a


def get_b():
    """Doc."""; return _b


def get_c():
    """Doc."""
    "more"
    return _c
''',
        [
            unfixed(2, 0, "_a", "ToolFactory", PLAIN),
            unfixed(3, 0, "_b", "ToolFactory", outside("_b")),
            unfixed(4, 7, "_c", "ToolFactory", PLAIN),
        ],
        id="semicolons_and_suites",
    ),
    pytest.param(
        r"""
import os

_a = ToolFactory(1, -2, 3.5, None, True, "s", os.sep, x and y, 1 < z <= 3, not q, *args, k=v, **kw)
_b = ToolFactory("a" "b")
_c = ToolFactory(b"x")
_d = ToolFactory(2j)
_e = ToolFactory(...)
_f = ToolFactory(make())
_g = ToolFactory(f"x{y}")


def get_a():
    return _a


def get_b():
    return _b


def get_c():
    return _c


def get_d():
    return _d


def get_e():
    return _e


def get_f():
    return _f


def get_g():
    return _g
""",
        [
            fixed(4, 0, "_a", "ToolFactory", "get_a"),
            unfixed(5, 0, "_b", "ToolFactory", SIDE_EFFECTS),
            unfixed(6, 0, "_c", "ToolFactory", SIDE_EFFECTS),
            unfixed(7, 0, "_d", "ToolFactory", SIDE_EFFECTS),
            unfixed(8, 0, "_e", "ToolFactory", SIDE_EFFECTS),
            unfixed(9, 0, "_f", "ToolFactory", SIDE_EFFECTS),
            unfixed(10, 0, "_g", "ToolFactory", SIDE_EFFECTS),
        ],
        id="purity",
    ),
    pytest.param(
        r"""
a = b = ToolFactory()
(c, d) = ToolFactory()
e: ToolFactory = ToolFactory()
é = f = SearchEngine()
x[0] = ToolFactory()


class Holder:
    one = two = ToolFactory()
    three, four = ToolFactory(), None
    helper = make_bridge()

    def method(self):
        self._instance_cache = ToolFactory()
        self.plain = ToolFactory()
        (self)._instance = ToolFactory()
        make()._instance = ToolFactory()
        cls.anything = ToolFactory()
        local = ToolFactory()
""",
        [
            unfixed(2, 0, "a", "ToolFactory", PLAIN),
            unfixed(2, 4, "b", "ToolFactory", PLAIN),
            unfixed(4, 0, "e", "ToolFactory", PUBLIC),
            unfixed(5, 0, "é", "SearchEngine", PLAIN),
            unfixed(5, 4, "f", "SearchEngine", PLAIN),
            review(10, 4, "class attribute `one` holds a shared `ToolFactory` instance"),
            review(10, 10, "class attribute `two` holds a shared `ToolFactory` instance"),
            review(15, 8, "`self._instance_cache` caches a shared `ToolFactory` instance"),
            review(17, 8, "`self._instance` caches a shared `ToolFactory` instance"),
            review(18, 8, "`None` caches a shared `ToolFactory` instance"),
            review(19, 8, "`cls.anything` caches a shared `ToolFactory` instance"),
        ],
        id="targets",
    ),
    pytest.param(
        r"""
def setup():
    global _first, _second
    _first = ToolFactory()
    if ready:
        with lock:
            try:
                _second = ToolFactory()
            except Exception:
                _second: ToolFactory = ToolFactory()
    match mode:
        case 1:
            _first = ToolFactory()
    _third = ToolFactory()

    def inner():
        _first = ToolFactory()
        global _third
        _third = ToolFactory()

    class Local:
        global _fourth
        x = ToolFactory()
    _fourth = ToolFactory()


def late():
    _late = ToolFactory()
    global _late


class Top:
    global _top
    _top = ToolFactory()
""",
        [
            review(4, 4, "`global _first` caches a shared `ToolFactory` instance"),
            review(8, 16, "`global _second` caches a shared `ToolFactory` instance"),
            review(10, 16, "`global _second` caches a shared `ToolFactory` instance"),
            review(13, 12, "`global _first` caches a shared `ToolFactory` instance"),
            review(19, 8, "`global _third` caches a shared `ToolFactory` instance"),
            review(24, 4, "`global _fourth` caches a shared `ToolFactory` instance"),
            review(34, 4, "class attribute `_top` holds a shared `ToolFactory` instance"),
        ],
        id="globals",
    ),
    pytest.param(
        r"""
class ToolFactory:
    def __new__(cls):
        if not cls._instance:
            for x in y:
                cls._instance = super().__new__(cls)
        return cls._instance


class SharedBridge:
    async def __new__(cls):
        (cls)._shared = object()


class AnnotatedEngine:
    def __new__(cls):
        cls._instance: object = object()
        cls._instance = cls._other = object()


class Plain:
    def __new__(cls):
        cls._instance = object()


class OuterFactory:
    def method(self):
        def __new__(cls):
            cls._singleton = 1
""",
        [
            review(3, 4, "`ToolFactory.__new__` returns one cached instance"),
            review(11, 4, "`SharedBridge.__new__` returns one cached instance"),
            review(28, 8, "`OuterFactory.__new__` returns one cached instance"),
        ],
        id="cached_new",
    ),
    pytest.param(
        r"""
import functools
from functools import cache, lru_cache


@functools.lru_cache(maxsize=None)
def get_tool():
    if debug:
        return make()
    try:
        return ToolFactory(1)
    finally:
        return SearchEngine()


@cache
async def get_engine():
    def nested():
        return SearchEngine()
    return ToolFactory()


@lru_cache
def get_with_arg(x):
    return ToolFactory()


@other
@cache
def get_kwonly(*, x=1):
    return ToolFactory()


@cache
def get_varargs(*args):
    return ToolFactory()


@caching.cache()
def get_plain():
    return make()


class ToolBridge:
    @staticmethod
    @cache
    def instance():
        return cls()


class Plain:
    @staticmethod
    @cache
    def instance():
        return cls()
""",
        [
            review(7, 0, "cached getter `get_tool()` returns one shared `ToolFactory`"),
            review(17, 0, "cached getter `get_engine()` returns one shared `SearchEngine`"),
            review(47, 4, "cached getter `instance()` returns one shared `ToolBridge`"),
        ],
        id="cached_getter",
    ),
    pytest.param(
        r"""
_used_twice = ToolFactory()
_shadowed = ToolFactory()
_mixed = ToolFactory()
_unused = ToolFactory()
public_unused = ToolFactory()
public_getter = ToolFactory()
_twice = ToolFactory()
_twice = ToolFactory()


def get_used_twice():
    return _used_twice


def also():
    return _used_twice.x


def get_shadowed():
    return _shadowed


def shadows():
    print(_shadowed)
    _shadowed = 2


def get_mixed():
    return _mixed


def mixes():
    _mixed = 1
    print(_mixed)
    _mixed = 2


def get_public_getter():
    return public_getter


def get_twice():
    return _twice


if TYPE_CHECKING:
    _typed = ToolFactory()


@decorated
def get_typed():
    return _typed


def get_async_ok():
    return _async_ok


_async_ok = SearchEngine()


class Box:
    def get_boxed():
        return _boxed


_boxed = SearchEngine()
""",
        [
            unfixed(2, 0, "_used_twice", "ToolFactory", outside("_used_twice")),
            unfixed(3, 0, "_shadowed", "ToolFactory", outside("_shadowed")),
            unfixed(4, 0, "_mixed", "ToolFactory", outside("_mixed")),
            unfixed(5, 0, "_unused", "ToolFactory", unused("_unused")),
            unfixed(6, 0, "public_unused", "ToolFactory", PUBLIC),
            public(7, 0, "public_getter", "ToolFactory", "get_public_getter"),
            unfixed(8, 0, "_twice", "ToolFactory", twice("_twice")),
            unfixed(9, 0, "_twice", "ToolFactory", twice("_twice")),
            unfixed(48, 4, "_typed", "ToolFactory", PLAIN),
            fixed(60, 0, "_async_ok", "SearchEngine", "get_async_ok"),
            unfixed(68, 0, "_boxed", "SearchEngine", outside("_boxed")),
        ],
        id="references",
    ),
    pytest.param(
        r'''
_in_if = SearchEngine()
_with_arg = SearchEngine()
_nested_return = SearchEngine()
_async = SearchEngine()
_two_statements = SearchEngine()
_fstring_doc = SearchEngine()
_suite = SearchEngine()

if True:
    def get_in_if():
        return _in_if


def get_with_arg(x=1):
    return _with_arg


def get_nested_return():
    if x:
        return _nested_return


async def get_async():
    return _async


def get_two_statements():
    log()
    return _two_statements


def get_suite(): return _suite


def get_fstring_doc():
    """a""" f"b"
    return _fstring_doc
''',
        [
            unfixed(2, 0, "_in_if", "SearchEngine", outside("_in_if")),
            unfixed(3, 0, "_with_arg", "SearchEngine", outside("_with_arg")),
            unfixed(4, 0, "_nested_return", "SearchEngine", outside("_nested_return")),
            fixed(5, 0, "_async", "SearchEngine", "get_async"),
            unfixed(6, 0, "_two_statements", "SearchEngine", outside("_two_statements")),
            fixed(7, 0, "_fstring_doc", "SearchEngine", "get_fstring_doc"),
            unfixed(8, 0, "_suite", "SearchEngine", outside("_suite")),
        ],
        id="getter_shapes",
    ),
    pytest.param(
        r"""
_concat = SearchEngine()
_single = SearchEngine()
_plain_concat = SearchEngine(f"a" "b")


def get_concat():
    f"a" "b"
    return _concat


def get_single():
    f"a{b}"
    return _single


def get_plain_concat():
    "a" \
    "b"
    return _plain_concat
""",
        [
            fixed(2, 0, "_concat", "SearchEngine", "get_concat"),
            unfixed(3, 0, "_single", "SearchEngine", outside("_single")),
            unfixed(4, 0, "_plain_concat", "SearchEngine", SIDE_EFFECTS),
        ],
        id="fstring_docs",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_findings(source: str, expected: list[tuple]) -> None:
    assert fast(source) == expected


FACTORY = "netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory"
GETTER = f"""
from {FACTORY.rpartition(".")[0]} import ExecutionEngineFactory

_factory = ExecutionEngineFactory()
_tool = ToolFactory()


def get_factory():
    return _factory


def get_tool():
    return _tool
"""


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(
            RuleSet(singletons=(SingletonRule((FACTORY,), fix=False),)),
            [
                unfixed(4, 0, "_factory", "ExecutionEngineFactory", NO_FIX),
                unfixed(5, 0, "_tool", "ToolFactory", NO_FIX),
            ],
            id="fix-false",
        ),
        pytest.param(
            # The class rule wins for the class, the suffix rule (listed last) for the rest.
            RuleSet(
                singletons=(
                    SingletonRule((FACTORY,), fix=True, suffixes=()),
                    SingletonRule((), fix=False, suffixes=("Factory",)),
                )
            ),
            [
                fixed(4, 0, "_factory", "ExecutionEngineFactory", "get_factory"),
                unfixed(5, 0, "_tool", "ToolFactory", NO_FIX),
            ],
            id="two-rules",
        ),
        pytest.param(
            RuleSet(singletons=(SingletonRule(("elsewhere.Other",), fix=True, suffixes=()),)),
            [],
            id="no-candidate",
        ),
        pytest.param(RuleSet(), [], id="no-rules"),
    ],
)
def test_rules_decide_candidates_and_fixes(rules: RuleSet, expected: list[tuple]) -> None:
    assert fast(GETTER, rules) == expected


def test_a_file_without_needles_never_builds_scopes() -> None:
    file = AstFile("_cache = {}\n\n\ndef get_cache():\n    return _cache\n", CONTEXT)
    assert analyze(file, RULES).findings == []
    assert "scopes" not in file.__dict__


def test_suffix_candidates_without_module_instances_need_no_scopes() -> None:
    source = "class Holder:\n    tool = ToolFactory()\n"
    file = AstFile(source, CONTEXT)
    expected = [review(2, 4, "class attribute `tool` holds a shared `ToolFactory` instance")]
    assert fast(source) == expected
    analyze(file, RULES)
    assert "scopes" not in file.__dict__


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(  # a forward reference to the global would break once it is gone
            '_tool = ToolFactory()\n\n\ndef get_tool() -> "_tool":\n    return _tool\n',
            [unfixed(1, 0, "_tool", "ToolFactory", outside("_tool"))],
            id="string-annotation",
        ),
        pytest.param(
            '_tool = ToolFactory()\n\n\ndef get_tool() -> "Optional[_tool]":\n    return _tool\n'
            "x = cast('_tool', y)\n",
            [unfixed(1, 0, "_tool", "ToolFactory", outside("_tool"))],
            id="string-annotation-in-cast",
        ),
        pytest.param(  # a string that is no annotation is no use of the global
            "_tool = ToolFactory()\n\n\ndef get_tool():\n    return _tool\n\n\nlog('_tool')\n",
            [fixed(1, 0, "_tool", "ToolFactory", "get_tool")],
            id="plain-string",
        ),
        pytest.param(  # Python reads `ﬁ` as `fi`: so does the analysis
            "ﬁle_tool = ToolFactory()\n",
            [unfixed(1, 0, "file_tool", "ToolFactory", PUBLIC)],
            id="nfkc-identifier",
        ),
        pytest.param(  # one logical line across a backslash: not alone on it
            "_tool = ToolFactory() \\\n; x = 1\n",
            [unfixed(1, 0, "_tool", "ToolFactory", PLAIN)],
            id="backslash-joins-statements",
        ),
        pytest.param(  # a backslash before an empty line: the statement is still alone
            "_tool = ToolFactory() \\\n\n\ndef get_tool():\n    return _tool\n",
            [fixed(1, 0, "_tool", "ToolFactory", "get_tool")],
            id="backslash-then-blank-line",
        ),
        pytest.param(  # a `;` closing the line before: alone on its own line
            "y = 1;\n_tool = ToolFactory()\n\n\ndef get_tool():\n    return _tool\n",
            [fixed(2, 0, "_tool", "ToolFactory", "get_tool")],
            id="semicolon-ends-line-before",
        ),
        pytest.param(  # the body continues the header's logical line: a suite, not a block
            "_tool = ToolFactory()\n\n\ndef get_tool(): \\\n    return _tool\n",
            [unfixed(1, 0, "_tool", "ToolFactory", outside("_tool"))],
            id="backslash-before-body",
        ),
        pytest.param(  # a comment ending in a backslash continues nothing
            "_tool = ToolFactory()\n\n\ndef get_tool():\n    # see \\\n    return _tool\n",
            [fixed(1, 0, "_tool", "ToolFactory", "get_tool")],
            id="backslash-in-comment",
        ),
    ],
)
def test_constructs_decided_by_python_semantics(source: str, expected: list[tuple]) -> None:
    assert fast(source) == expected


FIXED = RuleSet(singletons=(SingletonRule(("pkg.F",), fix=True),))
PKG = FileContext.from_path("pkg/mod.py")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "from pkg import F\n# header\n_x = F()  # t\n\n\ndef get():\n    return _x\n",
            "from pkg import F\n\n\ndef get():\n    return F()\n",
            id="header-comments-stay",
        ),
        pytest.param(
            "from pkg import F\ny = 1\n\n# c1\n\n_x = F()\n# after\ndef get():\n    return _x\n",
            "from pkg import F\ny = 1\n# after\ndef get():\n    return F()\n",
            id="own-comments-go",
        ),
        pytest.param(
            "from pkg import F\ndef f():\n    pass\n\n    # deep\n# shallow\n    \n# z\n_x = F()\n"
            "def get():\n    return _x\n",
            "from pkg import F\ndef f():\n    pass\n\n    # deep\n# shallow\n    \n"
            "def get():\n    return F()\n",
            id="block-footer-stays",
        ),
        pytest.param(
            "from pkg import F\nif x: pass\n    # deep\n_x = F()\ndef get():\n    return _x\n",
            "from pkg import F\nif x: pass\ndef get():\n    return F()\n",
            id="suite-has-no-footer",
        ),
        pytest.param(
            "from pkg import F\ny = 1\n_x = F() \\\n\ndef get():\n    return _x\n",
            "from pkg import F\ny = 1\ndef get():\n    return F()\n",
            id="backslash-ends-statement",
        ),
        pytest.param(
            "from pkg import F\ndef get():\n    return _x\n    # deep\n_x = F()",
            "from pkg import F\ndef get():\n    return F()\n    # deep",
            id="no-final-line-break",
        ),
        pytest.param(
            "from pkg import F\ny = 1\r\n# c\r\n_x = F()\r\n\r\ndef get():\r\n    return _x\r\n",
            "from pkg import F\ny = 1\r\n\r\ndef get():\r\n    return F()\r\n",
            id="crlf",
        ),
        pytest.param(  # LibCST's rewrite failed here (no space after `return`)
            "from pkg import F\n_x = F()\ndef get():\n    return(_x)  # r\n",
            "from pkg import F\ndef get():\n    return F()  # r\n",
            id="parenthesized-return",
        ),
        pytest.param(
            'from pkg import F\n_x = (F(a,\n\n  # c\n  """s\nt""", \\\n  b))\ndef get():\n'
            '\t"""Doc."""\n\treturn _x\n',
            'from pkg import F\ndef get():\n\t"""Doc."""\n\treturn F(a,\n\t\n\t  # c\n'
            '\t  """s\nt""", \\\n  b)\n',
            id="multiline-call-is-indented",
        ),
        pytest.param(
            "from pkg import F\nx = F()\ndef get():\n    return x\n",
            "from pkg import F\nx = F()\ndef get():\n    return F()\n",
            id="public-global-stays",
        ),
    ],
)
def test_the_fix_is_text_edits_the_transform_applies(before: str, after: str) -> None:
    analysis, edits = decide(AstFile(before, PKG), FIXED)
    fixes = [finding for finding in analysis.findings if finding.fix]
    assert len(fixes) == 1
    assert apply_edits(before, edits) == after
    # A private global's finding carries the edits (the runner applies them alone); a public
    # one's stays reworded, so the transform applies them and reports what is left.
    assert fixes[0].edits == (tuple(edits) if fixes[0].fixable else ())
    result = SingletonsCodemod().transform(ParsedFile(before, PKG), FIXED)
    assert (result.code, result.changes) == (after, 1)
    again = SingletonsCodemod().transform(ParsedFile(after, PKG), FIXED)
    assert (again.code, again.changes) == (after, 0)


def test_only_fixed_private_globals_carry_edits() -> None:
    source = (
        "from pkg import F\n_x = F()\n_y = F()\nz = F()\n\n\ndef get():\n    return _x\n\n\n"
        "def get_z():\n    return z\n"
    )
    findings = analyze(AstFile(source, PKG), FIXED).findings
    assert [(f.line, f.fix, bool(f.edits)) for f in findings] == [
        (2, True, True),
        (3, False, False),
        (4, True, False),
    ]
