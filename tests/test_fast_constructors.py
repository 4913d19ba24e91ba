"""The constructors analysis (stdlib `ast`, the codemod's one decider), finding by finding:
every case states the exact findings, and the rewrite converts exactly the calls decided."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from codemods import CODEMODS
from codemods.constructors.fast import RELIABLE_FSTRING_POSITIONS, analyze, decisions
from codemods.core.base import ParsedFile
from codemods.core.tree import AstFile
from codemods.core.values import FileContext
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "default").rules
PATH = "netra_backend/app/demo.py"
OLD = "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
NEW = "from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine\n"
CONVERT = "direct `ExecutionEngine(...)` construction: use `UserExecutionEngine(...)`"


def review(reason: str) -> str:
    return f"direct `ExecutionEngine(...)` construction needs manual review: {reason}"


def di(problem: str) -> str:
    return f"`UserExecutionEngine(...)` {problem}: pass every dependency explicitly"


def findings(source: str, path: str = PATH) -> list[tuple[int, int, str]]:
    """(line, column, message) of the analysis; a conversion is fixable, the rest review."""
    source = textwrap.dedent(source)
    context = FileContext.from_path(path)
    fast = analyze(AstFile(source, context), RULES).findings
    for finding in fast:
        manual = finding.rule == "di-violation" or "manual review" in finding.message
        assert (finding.fixable, finding.manual_review) == (not manual, manual)
        assert finding.rule in ("direct-instantiation", "di-violation")
        assert finding.rule == "di-violation" or "construction" in finding.message
    return sorted((f.line, f.column, f.message) for f in fast)


def test_binding_reasons_follow_source_order_and_python_binding() -> None:
    source = OLD + textwrap.dedent("""\
        (ExecutionEngine)(r, b, c)
        ExecutionEngine(config=1, *rest)
        ExecutionEngine(*rest, config=1)
        ExecutionEngine(r, registry=r, user_context=c, websocket_bridge=b)
        ExecutionEngine(r, b, c, d)
        ExecutionEngine(r, b, **kw)
        ExecutionEngine(r, user_context=c)
        ExecutionEngine(r, b)
        ExecutionEngine(r, b, (None))
        ExecutionEngine(r, (None), c)
        x = "é"; ExecutionEngine(r, b, c)
        ExecutionEngine(
            r,  # registry
            b,
            # context
            c,
        )
    """)
    assert findings(source) == [
        (2, 0, CONVERT),
        (3, 0, review("unknown keyword argument `config`")),
        (4, 0, review("`*` arguments cannot be matched to the old parameters")),
        (5, 0, review("argument `registry` given twice")),
        (6, 0, review("more positional arguments than the old signature takes")),
        (7, 0, review("`**` arguments cannot be matched to the old parameters")),
        (8, 0, review("no `websocket_bridge` argument at the call site; not guessing one")),
        (9, 0, review("no `user_context` argument at the call site; not guessing one")),
        (10, 0, review("`user_context` is a literal None; not guessing a real one")),
        (11, 0, review("`websocket_bridge` is a literal None; not guessing a real one")),
        (12, 9, CONVERT),  # columns in characters, not UTF-8 bytes
        (13, 0, CONVERT),
    ]


def test_side_effects_count_only_for_an_argument_used_twice() -> None:
    twice = review("`user_context` has possible side effects and the new call would use it twice")
    source = OLD + textwrap.dedent("""\
        ExecutionEngine(r, b, (x := ctx()))
        ExecutionEngine(r, b, f"{g()}")
        ExecutionEngine(r, b, [y for y in c])
        ExecutionEngine(r, b, lambda: c)
        ExecutionEngine(r, g(), c)

        async def go(r, b, c):
            ExecutionEngine(r, b, await c)

        def gen(r, b, c):
            ExecutionEngine(r, b, (yield c))
            ExecutionEngine(r, b, (yield from c))
            ExecutionEngine(r, (yield c), c)
    """)
    assert findings(source) == [
        (2, 0, twice),
        (3, 0, twice),
        (4, 0, CONVERT),
        (5, 0, CONVERT),
        (6, 0, CONVERT),
        (9, 4, twice),
        (12, 4, twice),
        (13, 4, twice),
        (14, 4, CONVERT),
    ]


def test_di_violations_of_the_new_class() -> None:
    source = NEW + textwrap.dedent("""\
        UserExecutionEngine(*a)
        UserExecutionEngine(**k)
        UserExecutionEngine(ctx)
        UserExecutionEngine(context=None, agent_factory=f, websocket_emitter=e)
        UserExecutionEngine(c, f, (None))
        UserExecutionEngine(c, f, e)
        UserExecutionEngine(c, f, websocket_emitter=e)
        UserExecutionEngine(c, context=f, websocket_emitter=e)
        UserExecutionEngine()
    """)
    assert findings(source) == [
        (4, 0, di("missing `agent_factory`, `websocket_emitter`")),
        (5, 0, di("passes a literal None")),
        (6, 0, di("passes a literal None")),
        (9, 0, di("missing `agent_factory`")),
        (10, 0, di("missing `context`, `agent_factory`, `websocket_emitter`")),
    ]


def test_calls_in_every_expression_position_and_nested_calls() -> None:
    source = OLD + textwrap.dedent("""\
        ExecutionEngine(r, b, c)()
        ExecutionEngine._init_from_factory(r, b, c)

        @ExecutionEngine(r, b, c)
        def deco(x=ExecutionEngine(r, b, c), y=lambda: ExecutionEngine(r, b, c)):
            return [ExecutionEngine(r, b, z) for z in x]

        class K(base=ExecutionEngine(r, b, c)):
            UserExecutionEngine = 1
            def m(self):
                return ExecutionEngine(r, b, c)
            v = ExecutionEngine(r, b, c)
    """)
    assert findings(source) == [
        # the outer call's callee (a call) is named as the inner one's
        (2, 0, review("no `user_context` argument at the call site; not guessing one")),
        (2, 0, CONVERT),
        (3, 0, CONVERT),
        (5, 1, CONVERT),
        (6, 11, CONVERT),
        (6, 47, CONVERT),
        (7, 12, CONVERT),
        (9, 13, CONVERT),
        (12, 15, CONVERT),  # a class scope is invisible to its methods
        (13, 8, review("`UserExecutionEngine` already means something else here")),
    ]


def test_ambiguous_imports_and_names_that_already_mean_something_else() -> None:
    source = """\
        try:
            from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
        except ImportError:
            from netra_backend.app.agents.execution_engine_consolidated import ExecutionEngine
        import netra_backend.app.agents.supervisor.execution_engine as ee
        from ..agents.supervisor import execution_engine
        from netra_backend.app.agents.execution_engine_consolidated import (
            RequestScopedExecutionEngine as UserExecutionEngine,
        )
        from netra_backend.app.agents.supervisor import execution_engine as EE

        ExecutionEngine(r, b, c)
        ExecutionEngine[int](r, b, c)
        ee.ExecutionEngine(*a, config=1)
        execution_engine.ExecutionEngine(r, b, c)
        EE.ExecutionEngine._init_from_factory(r, b, c)

        def f():
            get_agent_instance_factory = 3
            return ee.ExecutionEngine(r, b, c)

        def g():
            global UserWebSocketEmitter
            def inner():
                return ee.ExecutionEngine(r, b, c)
            return inner

        def UserWebSocketEmitter(): pass

        def h():
            UserExecutionEngine = make()
            def inner():
                nonlocal UserExecutionEngine
                UserExecutionEngine = 2
                return [ee.ExecutionEngine(r, b, c) for _ in x]
            return inner
    """
    consolidated = "netra_backend.app.agents.execution_engine_consolidated.ExecutionEngine"
    taken = review("`UserWebSocketEmitter` already means something else here")
    assert findings(source, "netra_backend/app/services/demo.py") == [
        (12, 0, review(f"`ExecutionEngine` is also imported as `{consolidated}`; {GUESS}")),
        (13, 0, review(f"`the callee` is also imported as `{consolidated}`; {GUESS}")),
        (14, 0, review("`*` arguments cannot be matched to the old parameters")),
        (15, 0, taken),
        (16, 0, taken),
        (20, 11, review("`get_agent_instance_factory` already means something else here")),
        (25, 15, taken),
        (35, 16, review("`UserExecutionEngine` already means something else here")),
    ]


GUESS = "not guessing which class this builds"


def test_a_moved_name_is_the_new_class_and_a_local_class_is_also_the_old_one() -> None:
    moved = """\
        from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine as Eng
        from netra_backend.app.agents.execution_engine_consolidated import (
            RequestScopedExecutionEngine as UserExecutionEngine,
        )
        from netra_backend.app.agents.supervisor.agent_instance_factory import (
            UserWebSocketEmitter as cwe,
        )
        Eng(r, b, c)
        UserExecutionEngine(ctx)
    """
    # The DI check reads qualified names alone: a moved name is not the new class there.
    assert findings(moved) == [(8, 0, CONVERT)]
    local = (
        OLD + "ExecutionEngine(r, b, c)\nclass ExecutionEngine: pass\nExecutionEngine(r, b, c)\n"
    )
    path = "netra_backend/app/agents/supervisor/execution_engine.py"
    assert findings(local, path) == [(2, 0, CONVERT), (4, 0, CONVERT)]
    assert findings(local.replace("ExecutionEngine(r, b, c)", "ExecutionEngine(r, b)")) == [
        (2, 0, review("no `user_context` argument at the call site; not guessing one")),
        (4, 0, review("no `user_context` argument at the call site; not guessing one")),
    ]


def test_files_without_the_classes_have_no_findings() -> None:
    assert findings("import os\nos.path.join('a', 'b')\n") == []
    lookalike = "class ExecutionEngine:\n    pass\nExecutionEngine(r, b, c)\n"
    assert findings(lookalike, "scripts/engine.py") == []


def rewrite(source: str) -> str:
    parsed = ParsedFile(source, FileContext.from_path(PATH))
    return CODEMODS["constructors"].transform(parsed, RULES).code


def test_constructor_calls_inside_an_f_string_are_decided_and_converted() -> None:
    """Found by the outermost string and the call's rank in it; reported at the call where
    `ast` positions are reliable (3.12+), else at the string."""
    source = OLD + 'x = f"{len(y)} {ExecutionEngine(r, b, c)!r} {ExecutionEngine(r, b)}"\n'
    file = AstFile(source, FileContext.from_path(PATH))
    decided = decisions(file, RULES)
    missing = "no `user_context` argument at the call site; not guessing one"
    assert {key: d.reason for key, d in decided.items()} == {(2, 4, 1): None, (2, 4, 2): missing}
    columns = (16, 45) if RELIABLE_FSTRING_POSITIONS else (4, 4)
    assert findings(source) == sorted([(2, columns[0], CONVERT), (2, columns[1], review(missing))])
    last = rewrite(source).splitlines()[-1]
    assert last.startswith('x = f"{len(y)} {UserExecutionEngine(context=c, ')
    assert last.endswith(')!r} {ExecutionEngine(r, b)}"')
    # A call that starts where the constructor call starts is not the constructor call.
    chained = OLD + "ExecutionEngine(r, b, c).execute_agent(1)\n"
    (key,) = decisions(AstFile(chained, FileContext.from_path(PATH)), RULES)
    assert key == (2, 0, 2, 24)
    assert rewrite(chained).splitlines()[-1].endswith(").execute_agent(1)")


def test_a_callee_outside_any_recorded_scope_is_resolved_in_the_module() -> None:
    assert findings(OLD + "ExecutionEngine(r, b, c)\n") == [(2, 0, CONVERT)]


def test_prebuilt_scopes_give_the_same_answer() -> None:
    source = OLD + NEW + "ExecutionEngine(r, b, c)\nUserExecutionEngine(ctx)\n"
    context = FileContext.from_path(PATH)
    fresh = analyze(AstFile(source, context), RULES).findings
    file = AstFile(source, context)
    assert file.scopes is not None
    assert analyze(file, RULES).findings == fresh
    assert len(fresh) == 2


def test_the_fast_analyzer_does_not_load_libcst() -> None:
    code = "import codemods.constructors.fast, sys; assert 'libcst' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "call",
    [
        "x = (ExecutionEngine(r, b, c))\n",
        "async def f():\n    return await (ExecutionEngine(\n        r, b,  # é\n        c))\n",
        'y = "é"; x = ExecutionEngine(r, b, "ü")\n',
    ],
    ids=["parenthesized", "awaited-multiline", "non-ascii"],
)
def test_the_rewrite_finds_every_decided_call_by_its_span(call: str) -> None:
    source = OLD + call
    (decision,) = decisions(AstFile(source, FileContext.from_path(PATH)), RULES).values()
    assert decision.reason is None
    body = rewrite(source).split(NEW)[-1]
    assert "UserExecutionEngine(\n" in body and "ExecutionEngine(r" not in body
