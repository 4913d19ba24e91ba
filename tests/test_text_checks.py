"""The codemods' checks of a file's bytes before any parse (`Descriptor.declines`): a file a
codemod declines is one where its analysis finds nothing, and a file every present codemod
declines is not parsed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codemods import CODEMODS
from codemods.core.text_checks import Source, commented, in_function
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from codemods.registry import fast_analyzer, text_check
from migrator.engine.runner import Job, process_source
from migrator.spec import default_spec_text, parse_spec
from tests.parity import corpus_files, generated_tree
from tests.strategies import IMPORT_FORMS, USE_FORMS

RULES = parse_spec(default_spec_text(), "default").rules
JOB = Job("/", RULES, tuple(CODEMODS))
CHECKED = [name for name in CODEMODS if text_check(name) is not None]
PATH = "netra_backend/app/agents/runner.py"
CONTEXT = "netra_backend.app.services.user_execution_context"


def declined(name: str, source: bytes, path: str = PATH) -> bool:
    check = text_check(name)
    assert check is not None
    return check(Source(source, JOB.occurrences(source)), FileContext.from_path(path), RULES)


def found(name: str, source: bytes, path: str = PATH) -> tuple:
    analysis = fast_analyzer(name)(AstFile(source, FileContext.from_path(path)), RULES)
    return analysis.findings, {k: v for k, v in analysis.counts.items() if v}, analysis.names


NOTHING = ([], {}, {})


def test_every_codemod_but_flags_checks_the_bytes() -> None:
    assert CHECKED == ["validators", "singletons", "constructors", "imports"]


@pytest.mark.parametrize(
    "source, declines",
    [
        (f"from {CONTEXT} import UserExecutionContext\n", False),
        (
            f"from {CONTEXT} import (\n    Other,  # see: below\n    UserExecutionContext,\n)\n",
            False,
        ),
        (f"from {CONTEXT} import (\n    Other,\n    UserExecutionContext,\n)\n", False),
        (f"from {CONTEXT} \\\n    import UserExecutionContext\n", False),
        ("Context = UserExecutionContext\n", False),
        ("Context = (\n    services.UserExecutionContext\n)\n", False),
        (f'TARGET = "{CONTEXT}.UserExecutionContext"\n', False),
        ("def f(context: UserExecutionContext) -> None: ...\n", True),
        ("from shared.types import StronglyTypedUserExecutionContext\n", True),
        ("# UserExecutionContext is made per request\n", True),
        ("items = [UserExecutionContext, Other]\n", True),
        (f"# from {CONTEXT} import UserExecutionContext\n", True),
        (f"x = 1  # from {CONTEXT} import UserExecutionContext\n", True),
        (f'"""\n# from {CONTEXT} import UserExecutionContext\n"""\n', True),
        (f"x = '#'; from {CONTEXT} import UserExecutionContext\n", False),
        (f'x = "#"; from {CONTEXT} import UserExecutionContext\n', False),
        ('KEYS = {"UserExecutionContext": 1}\n', True),
        (f'patch("{CONTEXT}.UserExecutionContext")\n', False),
        ("def f():\n    context = services.UserExecutionContext\n", True),
        ("if x:\n    Context = UserExecutionContext\n", True),
        ("x = 1; Context = services.UserExecutionContext\n", False),
        ("(Context) = services.UserExecutionContext\n", False),
        ("x = 1\nself.context = UserExecutionContext\n", True),
        ("x = 1\nContext == UserExecutionContext\n", True),
        (f"from {CONTEXT} import (\n    # the context\n    UserExecutionContext,\n)\n", False),
        ("def f():\n    # the context\n    x = 1\n    self.context = UserExecutionContext\n", True),
    ],
)
def test_the_imports_check(source: str, declines: bool) -> None:
    assert declined("imports", source.encode()) is declines
    if declines:
        assert found("imports", source.encode()) == NOTHING


@pytest.mark.parametrize(
    "before, surely",
    [
        ("# see ", True),
        ("x = 1  # see ", True),
        ("# a 'quoted' ", False),  # the `#` may be in a string closed before the name
        ('"#" + ', False),
        ("{x} # ", False),  # a line of an f-string: `{` may open code after its `#`
        ("", False),
        ("    ", False),
    ],
)
def test_commented_is_sure_of_a_comment(before: str, surely: bool) -> None:
    line = f"{before}Name()"
    for text in (line, f"x = 1\r\n{line}", f'x = """\n{line}\n"""'):
        start = text.index("Name()")
        assert commented(text, start) is surely
        assert commented(text.encode(), start) is surely


def test_the_imports_check_reads_the_module_path() -> None:
    source = b"from . import helpers  # UserExecutionContext\n"
    assert declined("imports", source)
    assert not declined(
        "imports", source, "netra_backend/app/agents/supervisor/execution_engine.py"
    )


@pytest.mark.parametrize(
    "source, declines",
    [
        ("shared = ToolBridge()\n", False),
        ("class A:\n    shared: Bridge = pkg.ToolBridge ()\n", False),
        ("_engine = (\n    SomeEngine()\n)\n", False),
        ("def get():\n    global _engine\n    _engine = SomeEngine()\n", False),
        ("class A:\n    def __new__(cls):\n        cls._instance = super().__new__(cls)\n", False),
        ("@lru_cache\ndef get():\n    return SomeFactory()\n", False),
        ("def f():\n    return SomeFactory()\n", True),
        ("engines = [SomeEngine(), ToolBridge()]\n", True),
        ("register(SomeFactory())\n", True),
        ("x = y if c else SomeFactory()\n", True),
        ("shared = pkg . ToolBridge()\n", False),
        ("shared = (pkg).ToolBridge()\n", False),
        ("@functools . lru_cache\ndef get():\n    return SomeFactory()\n", False),
        ("@(\n    # the cache\n    cache\n)\ndef get():\n    return SomeFactory()\n", False),
        ("@cache\ndef get():\n    return SomeFactory()\n", False),
        ("cache = {}\n\ndef get():\n    return SomeFactory()\n", True),
        ("# shared = ToolBridge()\n", True),
        ("# class UserExecutionEngine: __new__ with @cache\n", True),
        ("class A:\n    def f(self):\n        self.engine = SomeEngine()\n", True),
        ("self.x = 1; self.engine = SomeEngine()\n", True),
        ("if engine == SomeEngine():\n    pass\n", True),
        ("engine += SomeEngine()\n", True),
        ("if (engine := SomeEngine()):\n    pass\n", True),
        ("x = self.engine = SomeEngine()\n", False),
        ("x = \\\n    self.engine = SomeEngine()\n", False),
        ("x: self.engine = SomeEngine()\n", False),
        ("cls.shared = SomeEngine()\n", False),
        ("self._instance = SomeEngine()\n", False),
        ("self . engine = SomeEngine()\n", False),
        ("def f():\n    engine = SomeEngine()\n", True),
        ('def f():\n    """Doc.\n\n    More.\n    """\n    engine = SomeEngine()\n', True),
        ("async def f(\n    a,\n) -> None:\n    engine = SomeEngine()\n", True),
        ("def f():\n    global engine\n    engine = SomeEngine()\n", False),
        ("class A(\n    Base,\n):\n    engine = SomeEngine()\n", False),
        ("try:\n    engine = SomeEngine()\nexcept E:\n    pass\n", False),
        ("class C:\n    T = '''\n  def g():\n    '''\n    shared = SomeEngine()\n", False),
        ('class C:\n    x = """\ndef g():\n    """ + """\n"""\n    shared = SomeEngine()\n', False),
        ("x = 'a\\\ndef g(): '\nif y:\n    shared = SomeEngine()\n", False),
        ("def f():\n\tengine = SomeEngine()\n", False),
        ("def f():\r\n    engine = SomeEngine()\r\n", True),
    ],
)
def test_the_singletons_check(source: str, declines: bool) -> None:
    assert declined("singletons", source.encode()) is declines
    if declines:
        assert found("singletons", source.encode()) == NOTHING


def test_a_file_every_present_codemod_declines_is_not_parsed() -> None:
    broken = b"def f(:\n    return SomeFactory()  # UserExecutionContext\n"
    assert JOB.present(broken) == {"singletons", "imports"}
    result = process_source(JOB, PATH, broken)
    assert (result.error, result.findings) == (None, [])
    kept = b"def f(:\n    pass\nshared = SomeFactory()\n"
    assert process_source(JOB, PATH, kept).error == "does not parse: invalid syntax (line 1)"


def _assert_exact(path: str, source: bytes) -> int:
    """Each codemod that declines the file finds nothing in it; how many declined."""
    try:
        AstFile(source, FileContext.from_path(path))
    except (SyntaxError, ValueError):
        return 0
    present = JOB.present(source)
    count = 0
    for name in CHECKED:
        if name in present and declined(name, source, path):
            assert found(name, source, path) == NOTHING, (path, name)
            count += 1
    return count


def test_no_declined_file_of_the_corpus_holds_a_finding(tmp_path_factory) -> None:
    generated = generated_tree(str(tmp_path_factory.getbasetemp()))
    assert sum(_assert_exact(path, source) for path, source in corpus_files(generated)) > 100


SINGLETON_FORMS = (
    "shared = ToolBridge()",
    "class A:\n    shared = pkg.SomeEngine()",
    "_f = (\n    SomeFactory()\n)",
    "def g():\n    global _f\n    _f = SomeFactory()",
    "value = make(SomeFactory())",
    "self.engine = SomeEngine()",
    "x = self.engine = SomeEngine()",
    "shared = pkg . ToolBridge()  # UserExecutionEngine",
    "# shared = ToolBridge()",
    "@functools . lru_cache\ndef get():\n    return SomeFactory()",
    'def g(\n    a,\n):\n    """Doc.\n    """\n    engine = SomeEngine()',
    "class A:\n    def g(self):\n        shared = ToolBridge()\n    shared = ToolBridge()",
    'class C:\n    T = """\ndef g():\n    """\n    shared = SomeEngine()',
)


@given(
    st.lists(st.sampled_from(IMPORT_FORMS + USE_FORMS + SINGLETON_FORMS), min_size=1, max_size=6),
    st.booleans(),
)
def test_no_declined_program_holds_a_finding(forms: list[str], nested: bool) -> None:
    body = [
        ("def f():\n" + "".join(f"    {line}\n" for line in form.splitlines()))
        if nested and i % 2
        else form
        for i, form in enumerate(forms)
    ]
    _assert_exact(PATH, ("\n".join(body) + "\n").encode())


@pytest.mark.parametrize(
    "source, surely",
    [
        ("def f():\n    x = 1\n", True),
        ("async  def f():\n    if y:\n        x = 1\n", True),
        ("class A:\n    def f(self):\n        x = 1\n", True),
        ("def f():\n    class A:\n        x = 1\n", True),  # a class in a function
        ('def f():\n    """Doc.\n\ndef g():\n    """\n    x = 1\n', True),
        ("def f(\n    a,\n    b=(1, 2),\n) -> int:\n    x = 1\n", True),
        ("def f():\n    # a comment\n\n    x = 1\n", True),
        ("class A:\n    x = 1\n", False),
        ("if y:\n    x = 1\n", False),
        ("class A(\n    Base,\n):\n    x = 1\n", False),
        ("x = 1\n", False),  # the module's level
        ("class C:\n    T = '''\n  def g():\n    '''\n    x = 1\n", False),
        ('class C:\n    s = """\ndef g():\n    """ + "a"\n    x = 1\n', False),  # other quotes
        ("x = 'a\\\ndef g(): '\nif y:\n    x = 1\n", False),  # a string continued
        ("def f():\n\tx = 1\n", False),  # a tab
        ("def f():\n    y = g(\na)\n    x = 1\n", False),  # a dedented bracket line
    ],
)
def test_in_function_is_sure_only_where_the_text_tells(source: str, surely: bool) -> None:
    data = source.encode()
    statement = data.rindex(b"x = 1")
    line = data.rfind(b"\n", 0, statement) + 1
    assert in_function(data, line, statement) is surely
