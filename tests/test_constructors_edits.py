"""The constructors rewrite as text edits (`codemods.constructors.edits`): the analysis decides
and writes each fix; the transform applies the edits and computes no LibCST metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codemods.constructors.fast import analyze, rewrite_decisions
from codemods.constructors.plan import plan_file
from codemods.constructors.rewrite import ConstructorRewriter
from codemods.core.base import ParsedFile
from codemods.core.edits import Edit, apply_edits
from codemods.core.tree import AstFile
from tests.test_constructors_codemod import (
    CONVERSIONS,
    FIXTURES,
    REVIEW,
    RULES,
    parsed,
    transform,
)

ROOT = Path(__file__).resolve().parent.parent

IMPORT = "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
# Fixtures whose fix the analysis leaves to the LibCST rewrite, and why.
LEFT_TO_LIBCST: dict[str, str] = {}


def fixes(source: str):
    found = analyze(AstFile(source, parsed("").context), RULES, with_edits=True).findings
    return [finding for finding in found if finding.fix]


def edits_of(source: str) -> list[Edit] | None:
    """The file's edits, or None when some fix has none (the LibCST rewrite runs)."""
    found = fixes(source)
    if not all(finding.edits for finding in found):
        return None
    return [edit for finding in found for edit in finding.edits]


def test_every_fixture_conversion_arrives_as_edits() -> None:
    as_edits = set()
    for case in CONVERSIONS:
        before = (FIXTURES / f"{case}.before.py").read_text("utf-8")
        after = (FIXTURES / f"{case}.after.py").read_text("utf-8")
        edits = edits_of(before)
        if edits is None:
            continue
        as_edits.add(case)
        assert apply_edits(before, edits) == after, case
    assert as_edits == set(CONVERSIONS) - set(LEFT_TO_LIBCST)


@pytest.mark.parametrize("case", sorted(set(CONVERSIONS) - set(LEFT_TO_LIBCST)))
def test_a_transform_with_edits_computes_no_metadata(case: str, monkeypatch) -> None:
    before = (FIXTURES / f"{case}.before.py").read_text("utf-8")
    expected = libcst_rewrite(before)
    file = parsed(before, case)

    def refuse(*_args, **_kwargs):
        raise AssertionError("LibCST metadata or parents were computed")

    for name in ("get", "parent", "position", "qualified_names", "wrapper"):
        monkeypatch.setattr(ParsedFile, name, refuse)
    result = transform_parsed(file)
    assert result.code == (FIXTURES / f"{case}.after.py").read_text("utf-8")
    assert result.changes == CONVERSIONS[case]
    assert result.code == expected


def libcst_rewrite(source: str) -> str:
    """The LibCST rewrite's output (metadata and all), as before the edits."""
    file = parsed(source)
    decided = rewrite_decisions(AstFile(source, file.context), RULES)
    rewriter = ConstructorRewriter(plan_file(file, RULES, decided), file.module.default_indent)
    return file.module.visit(rewriter).code


def transform_parsed(file: ParsedFile):
    from codemods.constructors.codemod import ConstructorsCodemod

    return ConstructorsCodemod().transform(file, RULES)


SOURCE = (
    "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine,"
    " ExecutionStatus\n"
    "from typing import Optional\n"
    "\n"
    "\n"
    "class Runner:\n"
    '    engine: Optional["Engine"] = None\n'
    "\n"
    "    async def start(self, registry, bridge, ctx):\n"
    '        self.events["ExecutionEngine"] = ExecutionStatus.READY\n'
    "        self.engine = await ExecutionEngine(registry, bridge, ctx)  # the one engine\n"
    "        return self.engine\n"
)


def test_awaited_call_partial_import_and_added_imports_as_exact_edits() -> None:
    # The await goes with the old call; the old name leaves its statement (its neighbour
    # stays); the new imports follow the statement the old name came from. A string that
    # merely spells the old name (a dict key) is no use of it.
    start = SOURCE.index("await")
    end = SOURCE.index("  # the one")
    assert edits_of(SOURCE) == [
        Edit(
            start,
            end,
            "UserExecutionEngine(\n"
            "            context=ctx,\n"
            "            agent_factory=get_agent_instance_factory(),\n"
            "            websocket_emitter=UserWebSocketEmitter(ctx.user_id, ctx.thread_id,"
            " ctx.run_id, bridge),\n"
            "        )",
        ),
        Edit(SOURCE.index("ExecutionEngine,"), SOURCE.index("\nfrom typing"), "ExecutionStatus"),
        Edit(
            SOURCE.index("from typing"),
            SOURCE.index("from typing"),
            "from netra_backend.app.agents.supervisor.agent_instance_factory import (\n"
            "    UserWebSocketEmitter,\n"
            "    get_agent_instance_factory,\n"
            ")\n"
            "from netra_backend.app.agents.supervisor.user_execution_engine import"
            " UserExecutionEngine\n",
        ),
    ]
    assert transform(SOURCE).code == (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionStatus\n"
        "from netra_backend.app.agents.supervisor.agent_instance_factory import (\n"
        "    UserWebSocketEmitter,\n"
        "    get_agent_instance_factory,\n"
        ")\n"
        "from netra_backend.app.agents.supervisor.user_execution_engine import"
        " UserExecutionEngine\n"
        "from typing import Optional\n"
        "\n"
        "\n"
        "class Runner:\n"
        '    engine: Optional["Engine"] = None\n'
        "\n"
        "    async def start(self, registry, bridge, ctx):\n"
        '        self.events["ExecutionEngine"] = ExecutionStatus.READY\n'
        "        self.engine = UserExecutionEngine(\n"
        "            context=ctx,\n"
        "            agent_factory=get_agent_instance_factory(),\n"
        "            websocket_emitter=UserWebSocketEmitter(ctx.user_id, ctx.thread_id,"
        " ctx.run_id, bridge),\n"
        "        )  # the one engine\n"
        "        return self.engine\n"
    )


CALL = "    return ExecutionEngine(registry, bridge, ctx)\n"
LEFT = {
    # positions inside an f-string are not reliable before Python 3.12
    "f-string": IMPORT + "def f(registry, bridge, ctx):\n"
    '    return f"{ExecutionEngine(registry, bridge, ctx)}"\n',
    # the import shares its line with another statement
    "semicolon": IMPORT.rstrip("\n") + "; import os\ndef f(registry, bridge, ctx):\n" + CALL,
    "crlf": (IMPORT + "def f(registry, bridge, ctx):\n" + CALL).replace("\n", "\r\n"),
}


@pytest.mark.parametrize("case", sorted(LEFT))
def test_what_the_edits_leave_to_the_libcst_rewrite(case: str) -> None:
    source = LEFT[case]
    assert len(fixes(source)) == 1
    assert edits_of(source) is None
    result = transform(source)  # the LibCST rewrite still converts it
    assert (result.code, result.changes) == (libcst_rewrite(source), 1)


NEW_CALL = (
    "    return UserExecutionEngine(\n"
    "        context=ctx,\n"
    "        agent_factory=get_agent_instance_factory(),\n"
    "        websocket_emitter=UserWebSocketEmitter(ctx.user_id, ctx.thread_id, ctx.run_id,"
    " bridge),\n"
    "    )\n"
)
NEW_IMPORTS = (
    "from netra_backend.app.agents.supervisor.agent_instance_factory import (\n"
    "    UserWebSocketEmitter,\n"
    "    get_agent_instance_factory,\n"
    ")\n"
    "from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine\n"
)
# Once left to the LibCST rewrite because the text edits could not decide about an import:
# one plan (`imports_plan`) now decides for both writers, and the text writes what LibCST wrote.
KEPT_IMPORTS = {
    # a string annotation may name the old class: its import stays
    "string annotation": (
        IMPORT + 'def f(registry, bridge, ctx) -> "ExecutionEngine":\n' + CALL,
        IMPORT + NEW_IMPORTS + 'def f(registry, bridge, ctx) -> "ExecutionEngine":\n' + NEW_CALL,
    ),
    "typing subscript": (
        IMPORT
        + "from typing import Optional\n"
        + 'def f(registry, bridge, ctx) -> Optional["ExecutionEngine"]:\n'
        + CALL,
        IMPORT
        + NEW_IMPORTS
        + "from typing import Optional\n"
        + 'def f(registry, bridge, ctx) -> Optional["ExecutionEngine"]:\n'
        + NEW_CALL,
    ),
    # both aliases bind `a`; nothing else uses `a`, so the converted call's alias goes
    "two dotted aliases": (
        "import netra_backend.app.agents.supervisor.execution_engine,"
        " netra_backend.app.services\n"
        "def f(registry, bridge, ctx):\n"
        "    return netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine(\n"
        "        registry, bridge, ctx\n"
        "    )\n",
        "import netra_backend.app.services\n"
        + NEW_IMPORTS
        + "def f(registry, bridge, ctx):\n"
        + NEW_CALL,
    ),
}


@pytest.mark.parametrize("case", sorted(KEPT_IMPORTS))
def test_the_plan_decides_the_imports_for_the_text_and_for_libcst(case: str) -> None:
    source, expected = KEPT_IMPORTS[case]
    edits = edits_of(source)
    assert edits is not None
    assert apply_edits(source, edits) == expected
    assert transform(source).code == expected
    assert libcst_rewrite(source) == expected


def test_a_use_of_the_shared_top_name_keeps_both_dotted_aliases() -> None:
    source = KEPT_IMPORTS["two dotted aliases"][0] + "print(netra_backend)\n"
    expected = (
        "import netra_backend.app.agents.supervisor.execution_engine,"
        " netra_backend.app.services\n"
        + NEW_IMPORTS
        + "def f(registry, bridge, ctx):\n"
        + NEW_CALL
        + "print(netra_backend)\n"
    )
    assert transform(source).code == expected
    assert libcst_rewrite(source) == expected


def test_a_string_that_only_spells_the_name_does_not_keep_the_edits_away() -> None:
    source = (
        IMPORT
        + 'KEY = {"ExecutionEngine": 1}["ExecutionEngine"]\n\ndef f(registry, bridge, ctx):\n'
        + CALL
    )
    edits = edits_of(source)
    assert edits is not None
    assert apply_edits(source, edits) == libcst_rewrite(source)
    assert IMPORT not in apply_edits(source, edits)


# Fixtures whose edits need LibCST (each call or import parsed alone) and why: the runner
# leaves them to the transform.
NEED_LIBCST = {
    "expressions": "arguments that are not plain names, attributes, calls or subscripts",
    "multiline_comments": "comments between the arguments",
}


def test_plain_calls_arrive_as_parser_free_edits() -> None:
    parser_free = set()
    for case in CONVERSIONS:
        before = (FIXTURES / f"{case}.before.py").read_text("utf-8")
        found = [f for f in analyze(AstFile(before, parsed("").context), RULES).findings if f.fix]
        if not all(finding.edits for finding in found):
            continue
        parser_free.add(case)
        edits = [edit for finding in found for edit in finding.edits]
        after = (FIXTURES / f"{case}.after.py").read_text("utf-8")
        assert apply_edits(before, edits) == after, case
    assert parser_free == set(CONVERSIONS) - set(LEFT_TO_LIBCST) - set(NEED_LIBCST)


def test_a_file_with_a_dependency_finding_leaves_the_fix_to_the_transform() -> None:
    # The runner, applying edits, would report the finding; the transform does not.
    source = (
        IMPORT + "from netra_backend.app.agents.supervisor.user_execution_engine import"
        " UserExecutionEngine\n\n"
        "def f(registry, bridge, ctx):\n"
        "    UserExecutionEngine(context=ctx)\n" + CALL
    )
    found = analyze(AstFile(source, parsed("").context), RULES).findings
    assert [(f.rule, f.fix, bool(f.edits)) for f in found] == [
        ("direct-instantiation", True, False),
        ("di-violation", False, False),
    ]
    assert edits_of(source) is not None  # the transform's own edits


RUN = """
import json, sys
from pathlib import Path
from migrator.engine.changes import compute_changes
from migrator.spec import load_spec
root = Path({root!r})
changes = compute_changes(root, load_spec(None, root), ("constructors",), jobs=1)
print(json.dumps({{
    "changed": {{r.path: r.new.decode() for r in changes.changed}},
    "errors": [r.error for r in changes.errors],
    "findings": [(f.line, f.column, f.message) for r in changes.changed for f in r.findings],
    "libcst": "libcst" in sys.modules,
}}))
"""


def test_the_runner_applies_a_plain_conversion_without_libcst(tmp_path: Path) -> None:
    before = (FIXTURES / "init_from_factory.before.py").read_text("utf-8")
    refused = "\n\ndef g(registry, bridge):\n    return ExecutionEngine(registry, bridge)\n"
    root = tmp_path / "repo"
    (root / "netra_backend" / "app" / "services").mkdir(parents=True)
    (root / "netra_backend" / "app" / "services" / "module.py").write_text(before + refused)
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(root=str(root))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    after = libcst_rewrite(before + refused)
    assert after.startswith(IMPORT)  # the refused call still uses the old class
    assert result == {
        "changed": {"netra_backend/app/services/module.py": after},
        "errors": [],
        "findings": [
            [
                after.count("\n"),  # the last line, where the refused call now is
                11,
                REVIEW + "no `user_context` argument at the call site; not guessing one",
            ]
        ],
        "libcst": False,
    }


DOTTED = "import netra_backend.app.agents.supervisor.execution_engine\n"
QUALIFIED = "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine(registry, b, c)"
WRITTEN = {
    # the dotted import still serves another use: it stays
    "dotted import still used": DOTTED + "def f(registry, b, c):\n"
    "    status = netra_backend.app.agents.supervisor.execution_engine.ExecutionStatus\n"
    f"    return {QUALIFIED}\n",
    # the block left without a statement gets `pass`, after the comment above the import
    "emptied block": "from netra_backend.app.agents.supervisor.agent_instance_factory import"
    " UserWebSocketEmitter, get_agent_instance_factory\n"
    "from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine\n"
    "def f(registry, bridge, ctx):\n"
    "    if ctx:\n"
    "        # the engine, lazily\n"
    "        " + IMPORT + "    return ExecutionEngine(registry, bridge, ctx)\n",
    # its only use converted: it goes
    "dotted import unused": DOTTED + f"def f(registry, b, c):\n    return {QUALIFIED}\n",
}


@pytest.mark.parametrize("case", sorted(WRITTEN))
def test_imports_edited_as_text(case: str) -> None:
    source = WRITTEN[case]
    edits = edits_of(source)
    assert edits is not None
    expected = libcst_rewrite(source)
    assert apply_edits(source, edits) == expected
    if case == "emptied block":
        assert "    if ctx:\n        # the engine, lazily\n        pass\n" in expected
    else:
        assert (DOTTED in expected) == (case == "dotted import still used")
