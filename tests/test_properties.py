"""Properties of every codemod and of the whole rewrite, over generated programs.

No codemod raises, every output parses, a second run changes nothing, a file without the
spec's needles comes back byte-identical, and the rewrite never makes the file worse: no finding
it did not have (by baseline fingerprint, any rule) and no name left undefined. Few examples in
`make test`, many in `make fuzz`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import assume, given, settings
from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from codemods import CODEMODS
from codemods.core.base import FileContext, ParsedFile
from migrator.engine.fingerprints import fingerprints_in, site_key
from migrator.engine.runner import Job, process_file, process_source
from migrator.spec import default_spec_text, parse_spec
from tests.batchkit import cli
from tests.spec_modules import stub_spec_modules
from tests.strategies import (
    CANON,
    CONSOLIDATED,
    OLD,
    any_program,
    engine_programs,
    random_programs,
)

RULES = parse_spec(default_spec_text(), "<default>").rules
PATH = "netra_backend/app/agents/supervisor/sample_module.py"
NEEDLES = frozenset().union(*(c.needles(RULES) for c in CODEMODS.values()))
SLOW = settings(max_examples=max(settings().max_examples, 200))


def parses(code: str) -> bool:
    try:
        cst.parse_module(code)
    except cst.ParserSyntaxError:
        return False
    return True


def check_each_codemod(source: str) -> None:
    """Each codemod alone: no exception, output parses (also for Python's own parser when the
    input did), transforming the output again changes nothing."""
    compiles = _ast_parses(source)
    for name, codemod in CODEMODS.items():
        parsed = ParsedFile(source, FileContext.from_path(PATH))
        first = codemod.transform(parsed, RULES)
        assert parses(first.code), name
        if compiles:
            assert _ast_parses(first.code), name
        second = codemod.transform(ParsedFile(first.code, FileContext.from_path(PATH)), RULES)
        assert second.code == first.code, f"{name} is not idempotent"
        if not any(needle in source.encode() for needle in codemod.needles(RULES)):
            # Against LibCST's own rendering: its round trip of a last line of only blanks
            # drops a byte, so the runner never writes such a file (checked below).
            assert first.code == parsed.code, f"{name} changed a file without its needles"


def check_pipeline(tmp: Path, source: str) -> None:
    """Every codemod in run order, as `migrator run` does it: then once more, nothing to do."""
    target = tmp / PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.encode())
    job = Job(str(tmp), RULES, tuple(CODEMODS), transform=True)
    first = process_file(job, PATH)
    assert first.error is None, first.error
    if not any(needle in source.encode() for needle in NEEDLES):
        assert not first.changed
        return
    if not first.changed:
        return
    assert parses(first.new.decode())
    check_no_worse(tmp, source, first.new.decode())
    target.write_bytes(first.new)
    second = process_file(job, PATH)
    assert second.error is None and not second.changed, "a second run changed the file again"


def check_no_worse(tmp: Path, old: str, new: str) -> None:
    """Every finding of the new text was in the old one (a finding whose words changed at the
    same rule and line text is the same finding), and no name became undefined."""
    scan_job = Job(str(tmp), RULES, tuple(CODEMODS))
    before = process_source(scan_job, PATH, old.encode()).findings
    after = process_source(scan_job, PATH, new.encode()).findings
    old_lines, new_lines = old.splitlines(), new.splitlines()
    old_prints = fingerprints_in(before, lambda _path: old_lines)
    new_prints = fingerprints_in(after, lambda _path: new_lines)
    places = {_place(f, old_lines) for f in before}
    added = [
        f
        for f, fingerprint in zip(after, new_prints, strict=True)
        if fingerprint not in old_prints and _place(f, new_lines) not in places
    ]
    assert added == [], f"the rewrite added findings:\n{new}"
    if _ast_parses(old):
        used = {n.id for n in ast.walk(ast.parse(old)) if isinstance(n, ast.Name)}
        unbound = (undefined_names(new) - undefined_names(old)) & used
        assert not unbound, f"{unbound} became undefined:\n{new}"


def _place(finding, lines: list[str]) -> tuple[str, str]:
    rule, _path, _message, text = site_key(finding, lines)
    return rule, text


def undefined_names(code: str) -> set[str]:
    messages = pyflakes_checker.Checker(ast.parse(code)).messages
    return {m.message_args[0] for m in messages if isinstance(m, pyflakes_messages.UndefinedName)}


def _ast_parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


@given(engine_programs())
def test_codemods_on_engine_forms(source: str) -> None:
    check_each_codemod(source)


def test_imports_twice_with_a_compatibility_alias_before_a_moved_import(tmp_path: Path) -> None:
    # found by `make fuzz`: the kept `UserExecutionEngine as ExecutionEngine` was joined to the
    # first import, before the alias rebinding the name, and a second run then dropped it
    source = (
        f"from {CANON} import UserExecutionEngine\n"
        "ExecutionEngine = UserExecutionEngine\n"
        f"from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine\n"
        "def f():\n"
        "    engine = ExecutionEngine(registry, websocket_bridge, user_context)\n"
    )
    check_each_codemod(source)
    check_pipeline(tmp_path, source)


def test_a_change_withdrawn_before_a_later_one_is_tried_again_in_the_same_run(
    tmp_path: Path,
) -> None:
    # found by `make fuzz`: the constructors change is withdrawn (the call could build either
    # class: `ExecutionEngine` is bound twice), then the imports rule drops the second binding;
    # a second run converted the call. The run now tries again on its own output.
    source = (
        f"from {OLD} import ExecutionEngine\n"
        f"from {CANON} import UserExecutionEngine as ExecutionEngine\n"
        "from netra_backend.app.agents.supervisor import execution_engine\n"
        "def f():\n"
        "    engine = execution_engine.ExecutionEngine(registry, websocket_bridge, user_context)\n"
    )
    check_pipeline(tmp_path, source)
    (tmp_path / PATH).write_text(source)
    result = process_file(Job(str(tmp_path), RULES, tuple(CODEMODS), transform=True), PATH)
    assert result.changes == {"imports": 2, "constructors": 1}
    assert result.findings == []
    assert result.new is not None
    assert result.new.decode() == (
        f"from {CANON} import UserExecutionEngine\n"
        "from netra_backend.app.agents.supervisor.agent_instance_factory import (\n"
        "    UserWebSocketEmitter,\n"
        "    get_agent_instance_factory,\n"
        ")\n"
        "def f():\n"
        "    engine = UserExecutionEngine(\n"
        "        context=user_context,\n"
        "        agent_factory=get_agent_instance_factory(),\n"
        "        websocket_emitter=UserWebSocketEmitter(user_context.user_id, "
        "user_context.thread_id, user_context.run_id, websocket_bridge),\n"
        "    )\n"
    )


@given(random_programs())
def test_codemods_on_random_programs(source: str) -> None:
    # A transform takes a LibCST parse: a program LibCST rejects (hypothesmith writes some that
    # Python accepts, such as a backslash before a last CRLF) is the runner's to report, which
    # `test_whole_rewrite_is_idempotent` checks.
    assume(parses(source))
    check_each_codemod(source)


@given(any_program())
def test_whole_rewrite_is_idempotent(tmp_path_factory, source: str) -> None:
    check_pipeline(tmp_path_factory.mktemp("prop"), source)


@pytest.mark.slow
@SLOW
@given(any_program())
def test_whole_rewrite_is_idempotent_many_examples(tmp_path_factory, source: str) -> None:
    check_pipeline(tmp_path_factory.mktemp("prop"), source)


def test_a_file_libcst_cannot_reproduce_is_rewritten_by_edits_only(tmp_path: Path) -> None:
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
        "x = [ExecutionEngine]\n\n "  # a last line of only blanks: LibCST drops its "\n"
    )
    assert cst.parse_module(source).code != source
    target = tmp_path / PATH
    target.parent.mkdir(parents=True)
    target.write_text(source)
    result = process_file(Job(str(tmp_path), RULES, tuple(CODEMODS), transform=True), PATH)
    assert result.new == (  # the imports fix is text edits: no LibCST round trip
        b"from netra_backend.app.agents.supervisor.user_execution_engine import "
        b"UserExecutionEngine\nx = [UserExecutionEngine]\n\n "
    )


def test_a_file_libcst_cannot_reproduce_is_never_rewritten(tmp_path: Path) -> None:
    source = (
        "import netra_backend.app.agents.execution_engine_consolidated as engines\n"
        "x = engines.helper\n\n "  # a last line of only blanks: LibCST's round trip drops "\n"
    )
    assert cst.parse_module(source).code != source
    target = tmp_path / PATH
    target.parent.mkdir(parents=True)
    target.write_text(source)
    result = process_file(Job(str(tmp_path), RULES, tuple(CODEMODS), transform=True), PATH)
    assert not result.changed
    assert result.skipped == "not rewritten: LibCST does not reproduce this file byte for byte"
    stub_spec_modules(tmp_path)  # the rest of the spec's modules: `run` checks them
    assert cli("run", "--repo", str(tmp_path), "--no-commit", "--no-cache").exit_code == 0
    assert target.read_text() == source


def test_second_tool_run_is_a_no_op_for_a_module_holding_the_class(tmp_path: Path) -> None:
    module = tmp_path / "pkg" / "holder.py"
    module.parent.mkdir()
    module.write_text(
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
        "engines = (ExecutionEngine,)\n"  # `engine = ExecutionEngine` would become an alias
    )
    args = ("run", "--repo", str(tmp_path), "--rule", "imports", "--no-commit", "--no-cache")
    assert cli(*args, "--jobs", "1").exit_code == 0
    first = module.read_bytes()
    assert b"engines = (UserExecutionEngine,)\n" in first
    assert cli(*args, "--jobs", "1").exit_code == 0
    assert module.read_bytes() == first
