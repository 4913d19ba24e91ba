"""The imports analysis' fixes as text edits: applied to the source, they are exactly the rewrite.

Contract (`codemods.imports.fast.edits_cover_all`): a file's imports findings either all carry
their edits (every finding with `fix`) or none does; when they do, `apply_edits(text, all their
edits)` is what `ImportsCodemod.transform` writes, byte for byte.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from codemods.core.annotation_reads import AnnotationReads, CannotTell
from codemods.core.base import ParsedFile
from codemods.core.edits import apply_edits
from codemods.core.line_shift import shift_findings
from codemods.core.tree import AstFile
from codemods.core.values import FileContext, Finding
from codemods.imports.codemod import ImportsCodemod
from codemods.imports.fast import analyze, edits_cover_all
from migrator.spec import default_spec_text, parse_spec
from tests.test_imports_codemod import fixture_setup

FIXTURES = Path(__file__).parents[1] / "codemods" / "imports" / "fixtures"
CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))
SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
RULES = parse_spec(default_spec_text(), "<default>").rules
PATH = "netra_backend/app/services/sample.py"
OLD = "netra_backend.app.agents.supervisor.execution_engine"
CANONICAL = "netra_backend.app.agents.supervisor.user_execution_engine"
CONSOLIDATED = "netra_backend.app.agents.execution_engine_consolidated"
CONTEXT = "netra_backend.app.services.user_execution_context"
FACTORY = "netra_backend.app.agents.supervisor.execution_engine_factory"
PACKAGE = "netra_backend.app.agents.supervisor"

# The fixtures whose whole rewrite the analysis gives as edits; the others go to `transform`.
EDITED = {
    "collision_parameter_and_local",
    "comments_kept",
    "constructor_new_style_call",
    "constructor_pending",
    "form01_from_partial",
    "form02_alias_name_taken",
    "form02_from_alias",
    "form03_from_package_import_module",
    "form03_import_module_as",
    "form04_relative",
    "form05_local_imports",
    "form05_try_fallback",
    "form05_try_fallback_assignment",
    "form05_type_checking",
    "form06_import_through_reexport",
    "form06_indirect",
    "form07_string_references",
    "form08_canonical_alias",
    "form11_compat_alias",
    "form11_compat_alias_imported_elsewhere",
    "form11_compat_alias_unknown_importers",
    "multiline_entry_comments",
    "multiline_entry_moved_out",
    "multiline_entry_renamed",
    "non_call_references",
    "rebinding",
    "shadowed_by_parameter",
}


def edited(source: str, context: FileContext, rules=RULES) -> str | None:
    """The source with the analysis' edits applied, or None when they do not cover the fix."""
    findings = analyze(AstFile(source, context), rules).findings
    if not edits_cover_all(findings):
        assert all(not finding.edits for finding in findings)  # all or nothing
        return None
    return apply_edits(source, [edit for finding in findings for edit in finding.edits])


def transformed(source: str, context: FileContext, rules=RULES) -> str:
    return ImportsCodemod().transform(ParsedFile(source, context), rules).code


@pytest.mark.parametrize("case", CASES)
def test_every_fixture_is_its_after_file_by_edits_or_by_transform(case: str) -> None:
    context, rules = fixture_setup(case)
    source = (FIXTURES / f"{case}.before.py").read_text(encoding="utf-8")
    after = (FIXTURES / f"{case}.after.py").read_text(encoding="utf-8")
    result = edited(source, context, rules)
    assert (result is not None) == (case in EDITED)
    assert (result if result is not None else transformed(source, context, rules)) == after


def run_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, relative: str = PATH
):
    """The runner's result for `source` as the repository's one file, under the built-in spec;
    the test fails if the run reaches LibCST (its parse or the imports transform)."""
    from migrator.engine import runner
    from migrator.engine.changes import compute_changes

    path = tmp_path / relative
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")

    def never(*_args, **_kwargs):
        raise AssertionError("reached LibCST")

    monkeypatch.setattr(ImportsCodemod, "transform", never)
    monkeypatch.setattr(runner, "libcst_parse", never)
    spec = parse_spec(default_spec_text(), "<default>")
    [result] = compute_changes(tmp_path, spec, ("imports",), jobs=1, facts_cache=False).results
    return result


def test_sample_repository_edits_equal_the_rewrite() -> None:
    compared = []
    for path in sorted(SAMPLE.rglob("*.py")):
        relative = path.relative_to(SAMPLE).as_posix()
        source = path.read_text(encoding="utf-8")
        context = FileContext.from_path(relative)
        try:
            result = edited(source, context)
        except SyntaxError:
            continue  # the sample's deliberately broken file
        if result is not None:
            assert result == transformed(source, context), relative
            compared.append(relative)
    assert len(compared) == 23, compared


def check(source: str, expected: str, path: str = PATH) -> None:
    """The edits give `expected`, and so does the rewrite."""
    context = FileContext.from_path(path)
    assert edited(source, context) == expected
    assert transformed(source, context) == expected


def test_a_moved_and_renamed_name_repoints_the_import_and_renames_its_uses() -> None:
    check(
        f"from {OLD} import ExecutionEngine  # keep\n"
        "\n"
        "def f(engine: ExecutionEngine) -> ExecutionEngine:\n"
        "    ExecutionEngine.x = 1  # é\n"
        "    return [ExecutionEngine for _ in range(2)], engine.ExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine  # keep\n"
        "\n"
        "def f(engine: UserExecutionEngine) -> UserExecutionEngine:\n"
        "    UserExecutionEngine.x = 1  # é\n"
        "    return [UserExecutionEngine for _ in range(2)], engine.ExecutionEngine\n",
    )


def test_names_leaving_a_one_line_import_get_lines_of_their_own_after_it() -> None:
    check(
        "def f():\n"
        f"    from {OLD} import Other, UserExecutionContext ,ExecutionEngineFactory, Last\n"
        "    return Other, UserExecutionContext, ExecutionEngineFactory, Last\n",
        "def f():\n"
        f"    from {OLD} import Other, Last\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        f"    from {FACTORY} import ExecutionEngineFactory\n"
        "    return Other, UserExecutionContext, ExecutionEngineFactory, Last\n",
    )


def test_names_going_to_several_modules_split_the_import() -> None:
    check(
        f"from {OLD} import UserExecutionContext, ExecutionEngineFactory  # why\n"
        "x = UserExecutionContext, ExecutionEngineFactory\n",
        f"from {CONTEXT} import UserExecutionContext  # why\n"
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "x = UserExecutionContext, ExecutionEngineFactory\n",
    )


def test_a_class_still_constructed_directly_keeps_its_import_for_review() -> None:
    source = (
        f"from {OLD} import ExecutionEngine, UserExecutionContext\n"
        "engine = ExecutionEngine(1, 2)\n"
        "new = ExecutionEngine(registry=1)\n"  # written for the new class: not pending
    )
    context = FileContext.from_path(PATH)
    findings = analyze(AstFile(source, context), RULES).findings
    why = (
        "`ExecutionEngine` is still constructed directly (line 2): convert that with the "
        "constructors rule first; its imports and uses are left unchanged"
    )
    assert [(f.line, f.column, f.message, f.fixable, f.manual_review, f.fix) for f in findings] == [
        (1, 65, why, False, True, False),
        (1, 82, f"`UserExecutionContext` from {OLD}: moved to {CONTEXT}.UserExecutionContext")
        + (True, False, True),
    ]
    expected = (
        f"from {OLD} import ExecutionEngine\n"
        f"from {CONTEXT} import UserExecutionContext\n"
        "engine = ExecutionEngine(1, 2)\n"
        "new = ExecutionEngine(registry=1)\n"
    )
    check(source, expected)


def test_a_parenthesised_import_keeps_its_layout() -> None:
    check(
        f"from {CONSOLIDATED} import (  # head\n"
        "    helper,  # the helper\n"
        "    # between\n"
        "    ExecutionEngine as Engine,\n"
        ")\n"
        "x = helper, Engine\n",
        f"from {CANONICAL} import (  # head\n"
        "    helper,  # the helper\n"
        "    # between\n"
        "    UserExecutionEngine,\n"
        ")\n"
        "x = helper, UserExecutionEngine\n",
    )


def test_names_leaving_a_parenthesised_import_take_their_comments_along() -> None:
    check(
        "def f():\n"
        f"    from {OLD} import (\n"
        "        Other,  # stays\n"
        "        # about the context\n"
        "        UserExecutionContext,  # moves\n"
        "        ExecutionEngine,\n"
        "    )\n"
        "    return Other, UserExecutionContext, ExecutionEngine\n",
        "def f():\n"
        f"    from {OLD} import (\n"
        "        Other,  # stays\n"
        "        # about the context\n"
        "    )\n"
        f"    from {CONTEXT} import UserExecutionContext  # moves\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "    return Other, UserExecutionContext, UserExecutionEngine\n",
    )


def test_a_parenthesised_import_split_between_modules_stays_for_the_most_names() -> None:
    check(
        f"from {CONSOLIDATED} import (\n"
        "    UserExecutionContext,  # one\n"
        "    helper,\n"
        "    Other,  # three\n"
        "    ExecutionEngineFactory,\n"
        ")\n",
        f"from {CANONICAL} import (\n"
        "    helper,\n"
        "    Other,  # three\n"
        ")\n"
        f"from {CONTEXT} import UserExecutionContext  # one\n"
        f"from {FACTORY} import ExecutionEngineFactory\n",
    )


def test_names_sharing_a_line_of_a_parenthesised_import_keep_their_commas() -> None:
    # a name leaving: the one staying takes the original ending
    check(
        f"from {OLD} import (\n    UserExecutionContext, Other\n)\n"
        "x = UserExecutionContext, Other\n",
        f"from {OLD} import (\n    Other\n)\n"
        f"from {CONTEXT} import UserExecutionContext\nx = UserExecutionContext, Other\n",
    )
    # split between modules, a comment kept on its line, a trailing comma before `)`
    check(
        f"from {CONSOLIDATED} import (  # head\n"
        "    helper, ExecutionEngine as Engine,  # both\n"
        "    Other, UserExecutionContext, ExecutionEngineFactory, )\n"
        "x = helper, Engine, Other\n",
        f"from {CANONICAL} import (  # head\n"
        "    helper, UserExecutionEngine,  # both\n"
        "    Other, )\n"
        f"from {CONTEXT} import UserExecutionContext\n"
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "x = helper, UserExecutionEngine, Other\n",
    )
    # a dropped name's comment lines go with it: the name kept before it has no line of its own
    check(
        f"from {OLD} import (\n"
        "    Other, UserExecutionContext,\n"
        "    # about the engine\n"
        "    ExecutionEngine, Last\n"
        ")\n"
        "x = Other, ExecutionEngine, Last\n",
        f"from {OLD} import (\n    Other, Last\n)\n"
        f"from {CONTEXT} import UserExecutionContext\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = Other, UserExecutionEngine, Last\n",
    )
    # a space before a comma; the last name on the closing parenthesis' line
    check(
        f"from {OLD} import (\n    Other,\n    UserExecutionContext , Last,\n)\n",
        f"from {OLD} import (\n    Other,\n    Last,\n)\n"
        f"from {CONTEXT} import UserExecutionContext\n",
    )
    check(
        f"from {OLD} import (\n    ExecutionEngine, UserExecutionContext)\n",
        f"from {CANONICAL} import (\n    UserExecutionEngine)\n"
        f"from {CONTEXT} import UserExecutionContext\n",
    )
    # two names becoming one, with no space after their comma
    check(
        f"from {CONSOLIDATED} import (\n"
        "    ExecutionEngine,RequestScopedExecutionEngine,\n"
        "    ExecutionEngineFactory\n"
        ")\n",
        f"from {CANONICAL} import (\n    UserExecutionEngine\n)\n"
        f"from {FACTORY} import ExecutionEngineFactory\n",
    )


def test_a_fallback_binding_in_the_except_branch_is_renamed_with_the_import() -> None:
    check(
        "try:\n"
        f"    from {OLD} import ExecutionEngine\n"
        "except ImportError as error:\n"
        "    log(error)\n"
        "    ExecutionEngine = None\n"
        "if ExecutionEngine:\n"
        "    pass\n",
        "try:\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "except ImportError as error:\n"
        "    log(error)\n"
        "    UserExecutionEngine = None\n"
        "if UserExecutionEngine:\n"
        "    pass\n",
    )


def test_the_new_name_bound_to_the_same_class_elsewhere_is_no_conflict() -> None:
    check(
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "def f():\n"
        "    from netra_backend.app.agents.execution_engine_unified_factory import (\n"
        "        UnifiedExecutionEngineFactory,\n"
        "    )\n"
        "    return UnifiedExecutionEngineFactory, ExecutionEngineFactory\n",
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "def f():\n"
        f"    from {FACTORY} import (\n"
        "        ExecutionEngineFactory,\n"
        "    )\n"
        "    return ExecutionEngineFactory, ExecutionEngineFactory\n",
    )


def test_relative_imports_stay_relative() -> None:
    check(
        "from ..agents.supervisor.execution_engine import UserExecutionContext\n"
        "from ..agents . supervisor.execution_engine import ExecutionEngineFactory as F\n"
        "x = F\n",
        "from ..services.user_execution_context import UserExecutionContext\n"
        "from ..agents.supervisor.execution_engine_factory import ExecutionEngineFactory\n"
        "x = ExecutionEngineFactory\n",
        path="netra_backend/app/routes/x.py",
    )


def test_a_class_a_call_does_not_fit_keeps_its_import_and_the_others_move() -> None:
    # `ExecutionEngine(a=1)` would build `UserExecutionEngine`, which takes no `a`: the
    # analysis keeps that import for review (as the rewrite does) and the factory moves.
    source = (
        f"from {CONSOLIDATED} import ExecutionEngine, ExecutionEngineFactory\n"
        "engine = ExecutionEngine(a=1)\n"
        'patch("netra_backend.app.agents.execution_engine_consolidated.ExecutionEngine.run")\n'
        "factory = ExecutionEngineFactory()\n"
    )
    check(
        source,
        f"from {CONSOLIDATED} import ExecutionEngine\n"
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "engine = ExecutionEngine(a=1)\n"
        'patch("netra_backend.app.agents.execution_engine_consolidated.ExecutionEngine.run")\n'
        "factory = ExecutionEngineFactory()\n",
    )
    findings = analyze(AstFile(source, FileContext.from_path(PATH)), RULES).findings
    kept = (
        "`ExecutionEngine` is left unchanged: a call of it does not fit `UserExecutionEngine`'s "
        "parameters (context, agent_factory, websocket_emitter); port that call by hand"
    )
    assert [(f.rule, f.line, f.column, f.message[:40], f.fix) for f in findings] == [
        ("deprecated-import", 1, 67, kept[:40], False),
        ("deprecated-import", 1, 84, "`ExecutionEngineFactory` from netra_back", True),
        ("string-reference", 3, 6, kept[:40], False),
        ("constructor-signature", 2, 9, "`ExecutionEngine(...)` would build `User", False),
    ]
    result = ImportsCodemod().transform(ParsedFile(source, FileContext.from_path(PATH)), RULES)
    left = [f for f in findings if not f.fix]
    assert result.findings == shift_findings(left, source, result.code)


def test_a_later_import_of_the_new_module_is_left_as_it_is() -> None:
    # The rewrite joins a moved name only to an earlier import of its module.
    check(
        f"from {OLD} import UserExecutionContext\nfrom {CONTEXT} import Other\n",
        f"from {CONTEXT} import UserExecutionContext\nfrom {CONTEXT} import Other\n",
    )


def test_two_names_that_become_one_in_a_statement_are_imported_once() -> None:
    check(
        f"from {CONSOLIDATED} import (\n"
        "    ExecutionEngine as A,  # first\n"
        "    RequestScopedExecutionEngine,  # second\n"
        ")\n"
        "x = A, RequestScopedExecutionEngine\n",
        f"from {CANONICAL} import (\n"
        "    UserExecutionEngine,  # first\n"
        ")\n"
        "x = UserExecutionEngine, UserExecutionEngine\n",
    )
    check(
        f"from {OLD} import ExecutionEngine, Other, ExecutionEngine as E\nx = E\n",
        f"from {OLD} import Other\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine\n",
    )


def test_a_later_import_of_a_name_already_imported_in_the_block_goes_with_its_lines() -> None:
    check(
        "import os\n"
        f"from {OLD} import ExecutionEngine  # one\n"
        "\n"
        "# the relative spelling\n"
        "from ..agents.supervisor.execution_engine import ExecutionEngine as Rel  # two\n"
        "# after\n"
        "x = ExecutionEngine, Rel\n",
        "import os\n"
        f"from {CANONICAL} import UserExecutionEngine  # one\n"
        "# after\n"
        "x = UserExecutionEngine, UserExecutionEngine\n",
        path="netra_backend/app/routes/x.py",
    )


def test_a_canonical_alias_of_a_name_the_block_imports_is_dropped() -> None:
    check(
        "def f():\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        f"    from {CANONICAL} import UserExecutionEngine as Engine\n"
        f"    from {CONTEXT} import (\n"
        "        UserExecutionContext,\n"
        "        # a comment line\n"
        f"        Other,\n"
        "    )\n"
        f"    from {OLD} import UserExecutionContext as C, Third\n"
        "    return Engine, UserExecutionEngine, C, Third\n",
        "def f():\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        f"    from {CONTEXT} import (\n"
        "        UserExecutionContext,\n"
        "        # a comment line\n"
        f"        Other,\n"
        "    )\n"
        f"    from {OLD} import Third\n"
        "    return UserExecutionEngine, UserExecutionEngine, UserExecutionContext, Third\n",
    )


def test_an_untouched_later_import_of_a_name_a_move_now_imports_is_dropped() -> None:
    check(
        f"from {OLD} import ExecutionEngine\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {CANONICAL} import (\n"
        "    Other,\n"
        "    UserExecutionEngine,\n"
        ")\n"
        f"from {CANONICAL} import UserExecutionEngine, Last\n"
        "if x:\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "y = ExecutionEngine, UserExecutionEngine, Other, Last\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {CANONICAL} import (\n"
        "    Other,\n"
        ")\n"
        f"from {CANONICAL} import Last\n"
        "if x:\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "y = UserExecutionEngine, UserExecutionEngine, Other, Last\n",
    )


def test_one_name_imported_in_two_blocks_of_a_scope_is_renamed_as_one() -> None:
    check(
        f"from {OLD} import ExecutionEngine\n"
        "if TYPE_CHECKING:\n"
        f"    from {CONSOLIDATED} import ExecutionEngine\n"
        "def f(e: ExecutionEngine) -> None:\n"
        "    return ExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        "if TYPE_CHECKING:\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "def f(e: UserExecutionEngine) -> None:\n"
        "    return UserExecutionEngine\n",
    )
    check(
        "if x:\n"
        f"    from {OLD} import UserExecutionContext\n"
        "else:\n"
        f"    from {CONSOLIDATED} import UserExecutionContext\n",
        "if x:\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "else:\n"
        f"    from {CONTEXT} import UserExecutionContext\n",
    )


def test_a_try_whose_branches_now_import_the_same_names_is_folded_into_its_body() -> None:
    check(
        "import os\n"
        "# before the try\n"
        "try:  # on the try\n"
        "    # before the body\n"
        f"    from {OLD} import UserExecutionContext  # body\n"
        "    import os\n"
        "except (ImportError, ModuleNotFoundError):  # on the handler\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "    import os\n"
        "\n"
        "# before x\n"
        "print(UserExecutionContext)\n"
        "def f():\n"
        "    try:\n"
        f"        from {CANONICAL} import UserExecutionEngine\n"
        "    except ImportError:\n"
        f"        from {OLD} import ExecutionEngine as UserExecutionEngine\n"
        "    # at the try's indentation\n"
        "    return UserExecutionEngine\n",
        "import os\n"
        "# before the try\n"
        f"from {CONTEXT} import UserExecutionContext  # body\n"
        "import os\n"
        "\n"
        "# before x\n"
        "print(UserExecutionContext)\n"
        "def f():\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "    # at the try's indentation\n"
        "    return UserExecutionEngine\n",
    )


def test_a_try_whose_branches_still_differ_stays() -> None:
    check(
        "try:\n"
        f"    from {OLD} import UserExecutionContext, Other\n"
        "except ImportError:\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "try:\n"
        f"    from {OLD} import UserExecutionContext as C\n"
        "except KeyError:\n"
        f"    from {CONTEXT} import UserExecutionContext as C\n",
        "try:\n"
        f"    from {OLD} import Other\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "except ImportError:\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "try:\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        "except KeyError:\n"
        f"    from {CONTEXT} import UserExecutionContext\n",
    )


def test_a_deprecated_module_imported_by_name_gives_way_to_the_one_name_read_from_it() -> None:
    check(
        "import os\n"
        f"from {PACKAGE} import execution_engine  # why\n"
        "\n"
        "def f(e: execution_engine.ExecutionEngine) -> None:\n"
        "    return isinstance(e, execution_engine . ExecutionEngine)\n",
        "import os\n"
        f"from {CANONICAL} import UserExecutionEngine  # why\n"
        "\n"
        "def f(e: UserExecutionEngine) -> None:\n"
        "    return isinstance(e, UserExecutionEngine)\n",
    )
    check(
        f"from {PACKAGE} import agent_registry, execution_engine as ee, user_execution_engine\n"
        "x = ee.ExecutionEngine\n",
        f"from {PACKAGE} import agent_registry, user_execution_engine\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine\n",
    )
    check(  # the block imports the name already
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {PACKAGE} import execution_engine\n"
        "x = execution_engine.ExecutionEngine, UserExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine, UserExecutionEngine\n",
    )
    check(
        "from .. import execution_engine\nx = execution_engine.ExecutionEngine\n",
        "from ..user_execution_engine import UserExecutionEngine\nx = UserExecutionEngine\n",
        path="netra_backend/app/agents/supervisor/x/y.py",
    )


def test_a_deprecated_module_also_read_for_other_names_stays_with_the_moved_name_after_it() -> None:
    check(  # `import ... as`: the name's import on a line after it
        "import os\n"
        f"import {OLD} as engine_module  # why\n"
        "\n"
        "def reset():\n"
        "    engine_module._factory_instance = None\n"
        "    return isinstance(engine_module.helper, engine_module.ExecutionEngine)\n",
        "import os\n"
        f"import {OLD} as engine_module  # why\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "\n"
        "def reset():\n"
        "    engine_module._factory_instance = None\n"
        "    return isinstance(engine_module.helper, UserExecutionEngine)\n",
    )
    check(  # `from package import module`, passed around itself as well
        f"from {PACKAGE} import execution_engine, other\n"
        "x = execution_engine.ExecutionEngine, execution_engine\n",
        f"from {PACKAGE} import execution_engine, other\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine, execution_engine\n",
    )
    check(  # read for the moved name only: the import gives way to the name's
        f"if x:\n    import {OLD} as m\ny = m.ExecutionEngine\n",
        f"if x:\n    from {CANONICAL} import UserExecutionEngine\ny = UserExecutionEngine\n",
    )
    check(  # a later import of the name in the block goes (the module's import binds it)
        "import os\n"
        f"import {OLD} as m\n"
        f"from {OLD} import ExecutionEngine as E\n"
        "x = m.ExecutionEngine, m.helper, E\n",
        "import os\n"
        f"import {OLD} as m\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine, m.helper, UserExecutionEngine\n",
    )
    check(  # `from package import module` after an import of the name: the module stays
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {PACKAGE} import execution_engine\n"
        "x = execution_engine.ExecutionEngine, execution_engine.helper, UserExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {PACKAGE} import execution_engine\n"
        "x = UserExecutionEngine, execution_engine.helper, UserExecutionEngine\n",
    )
    check(  # ... or after an import of the name's module: the name joins it, the module stays
        f"from {CANONICAL} import Other\n"
        f"from {PACKAGE} import execution_engine\n"
        "x = execution_engine.ExecutionEngine, execution_engine.helper, Other\n",
        f"from {CANONICAL} import Other, UserExecutionEngine\n"
        f"from {PACKAGE} import execution_engine\n"
        "x = UserExecutionEngine, execution_engine.helper, Other\n",
    )
    check(  # an earlier import of the name in the block: no line of its own
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"import {OLD} as m\n"
        "x = m.ExecutionEngine, m.helper, UserExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"import {OLD} as m\n"
        "x = UserExecutionEngine, m.helper, UserExecutionEngine\n",
    )


def test_a_kept_module_is_reported_as_the_rewrite_reports_it_in_its_order() -> None:
    source = (
        "def f():\n"
        f"    from {OLD} import ExecutionEngine\n"
        "    return ExecutionEngine(1, 2)\n"
        f"import {OLD} as engine_module\n"
        f'patch("{OLD}.UserExecutionContext")\n'
        "x = engine_module.UserExecutionContext, engine_module.helper\n"
    )
    context = FileContext.from_path(PATH)
    findings = analyze(AstFile(source, context), RULES).findings
    assert edits_cover_all(findings)
    left = [f for f in findings if not f.fix]
    assert [(f.rule, f.line, f.column, f.message[:24]) for f in left] == [
        ("deprecated-import", 2, 4 + 5 + len(OLD) + 8, "`ExecutionEngine` is sti"),
        ("deprecated-import", 4, 7, "module `engine_module` i"),
    ]
    assert left[1].message == "module `engine_module` is still used for names no rule moves"
    assert left[1].manual_review and not left[1].fixable
    result = ImportsCodemod().transform(ParsedFile(source, context), RULES)
    assert result.findings == shift_findings(left, source, result.code)
    assert apply_edits(source, [e for f in findings for e in f.edits]) == result.code
    assert result.changes == sum(1 for f in findings if f.fix) == 2


def test_the_runner_keeps_a_module_import_and_reports_it_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migrator.engine import runner

    source = (
        f"import {OLD} as engine_module\n"
        "def reset():\n"
        "    engine_module._factory_instance = None\n"
        "    return engine_module.ExecutionEngine.from_registry(None)\n"
    )
    expected = (
        f"import {OLD} as engine_module\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "def reset():\n"
        "    engine_module._factory_instance = None\n"
        "    return UserExecutionEngine.from_registry(None)\n"
    )
    context = FileContext.from_path(PATH)
    rewritten = ImportsCodemod().transform(ParsedFile(source, context), RULES)
    assert rewritten.code == expected
    result = run_without_libcst(tmp_path, monkeypatch, source)
    assert result.error is None
    assert result.new == expected.encode()
    assert result.findings == rewritten.findings
    assert [f.message for f in result.findings] == [
        "module `engine_module` is still used for names no rule moves"
    ]
    assert result.changes == {"imports": 1}
    # A scan reports the import once, as it does where the LibCST rewrite keeps it: the kept
    # note is the rewrite's, not a second deprecated import.
    job = runner.Job(str(tmp_path), RULES, ("imports",))
    scanned = runner.process_source(job, PATH, source.encode())
    assert [(f.rule, f.line, f.column, f.fixable) for f in scanned.findings] == [
        ("deprecated-import", 1, 7, True)
    ]


def test_a_moved_name_joins_an_earlier_untouched_import_of_its_module_in_the_block() -> None:
    check(
        f"from {CONTEXT} import Other ,  Another\n"
        "import os\n"
        f"from {OLD} import UserExecutionContext, ExecutionEngineFactory  # why\n"
        f"from {FACTORY} import X\n"
        f"from {CONSOLIDATED} import UserExecutionContext as U\n"
        "x = U\n",
        f"from {CONTEXT} import Other ,  Another ,  UserExecutionContext\n"
        "import os\n"
        f"from {FACTORY} import ExecutionEngineFactory  # why\n"
        f"from {FACTORY} import X\n"
        "x = UserExecutionContext\n",
    )
    check(
        f"from {CONTEXT} import (Other)\n"
        f"from {OLD} import UserExecutionContext\n"
        f"from {PACKAGE} import execution_engine\n"
        f"from {CANONICAL} import Y\n"
        f"from {OLD} import ExecutionEngineFactory, ExecutionEngine as E\n"
        "z = E, execution_engine.ExecutionEngine\n",
        f"from {CONTEXT} import (Other, UserExecutionContext)\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {CANONICAL} import Y\n"
        f"from {FACTORY} import ExecutionEngineFactory\n"
        "z = UserExecutionEngine, UserExecutionEngine\n",
    )


def test_a_moved_name_joins_an_earlier_import_laid_out_on_several_lines() -> None:
    # after the first comma bare of its comment and lines; the last name's comment follows
    check(
        f"from {CANONICAL} import (\n"
        "    helper,  # one\n"
        "\n"
        "    # two\n"
        "    other  # three\n"
        ")\n"
        "import os\n"
        f"from {OLD} import ExecutionEngine, UserExecutionEngine as U\n"
        "x = ExecutionEngine, U\n",
        f"from {CANONICAL} import (\n"
        "    helper,  # one\n"
        "\n"
        "    # two\n"
        "    other,\n"
        "    UserExecutionEngine  # three\n"
        ")\n"
        "import os\n"
        "x = UserExecutionEngine, UserExecutionEngine\n",
    )
    # names sharing a line, a comma on a line of its own, one name: the comma as it is, or `, `
    for names, joined in [
        ("(helper,  # c\n    other)", "(helper,  # c\n    other,\n    UserExecutionEngine)"),
        (
            "(\n    helper\n    , other\n)",
            "(\n    helper\n    , other\n    , UserExecutionEngine\n)",
        ),
        ("(\n    helper\n    # last\n)", "(\n    helper, UserExecutionEngine\n    # last\n)"),
    ]:
        check(
            f"from {CANONICAL} import {names}\nimport os\nfrom {OLD} import ExecutionEngine\n"
            "x = ExecutionEngine\n",
            f"from {CANONICAL} import {joined}\nimport os\nx = UserExecutionEngine\n",
        )
    # an import keeping its bound name joins as it is (each reported as the rewrite does)
    why = (
        "kept `ExecutionEngineFactory as {}`: `ExecutionEngineFactory` already means something "
        "else here (line 8)"
    )
    fallback(
        f"from {FACTORY} import (\n"
        "    ExecutionEngineFactory as F,\n"
        "    get_factory\n"
        ")\n"
        f"from {CONSOLIDATED} import (\n"
        "    ExecutionEngineFactory as A\n"
        ")\n"
        "class ExecutionEngineFactory: pass\n"
        "x = F, A\n",
        f"from {FACTORY} import (\n"
        "    ExecutionEngineFactory as F,\n"
        "    get_factory,\n"
        "    ExecutionEngineFactory as A\n"
        ")\n"
        "class ExecutionEngineFactory: pass\n"
        "x = F, A\n",
        [(2, 4, why.format("F")), (4, 4, why.format("A"))],
    )


def test_a_path_string_is_its_new_path_between_the_same_quotes() -> None:
    check(
        "from unittest import mock\n"
        f"mock.patch(r'{CONSOLIDATED}.logger')\n"
        f'mock.patch("""{OLD}.ExecutionEngine.execute""")\n',
        "from unittest import mock\n"
        f"mock.patch(r'{CANONICAL}.logger')\n"
        f'mock.patch("""{CANONICAL}.UserExecutionEngine.execute""")\n',
    )


def changes_counted(source: str) -> tuple[int, int]:
    """(the changes the analysis' edited fixes count, the changes the rewrite counts)."""
    context = FileContext.from_path(PATH)
    findings = analyze(AstFile(source, context), RULES).findings
    assert edits_cover_all(findings)
    rewritten = ImportsCodemod().transform(ParsedFile(source, context), RULES)
    return sum(f.changes for f in findings if f.fix), rewritten.changes


def test_string_annotations_reading_the_name_are_renamed_in_place() -> None:
    source = (
        f"from {OLD} import ExecutionEngine\n"
        "from typing import Literal\n"
        "def f(x: 'ExecutionEngine', *a: \"Optional[ExecutionEngine]\") -> 'ExecutionEngine':\n"
        "    y: 'dict[str, ExecutionEngine | ExecutionEngine]' = {}\n"
        "    z: Literal['ExecutionEngine'] = 'ExecutionEngine'\n"
        "    return x\n"
    )
    check(
        source,
        f"from {CANONICAL} import UserExecutionEngine\n"
        "from typing import Literal\n"
        "def f(x: 'UserExecutionEngine', *a: \"Optional[UserExecutionEngine]\")"
        " -> 'UserExecutionEngine':\n"
        "    y: 'dict[str, UserExecutionEngine | UserExecutionEngine]' = {}\n"
        "    z: Literal['ExecutionEngine'] = 'ExecutionEngine'\n"
        "    return x\n",
    )
    # the rewrite counts the import and each string it renames: 1 + 4
    assert changes_counted(source) == (5, 5)


def test_a_string_annotation_of_another_binding_of_the_name_stays() -> None:
    source = (
        f"from {OLD} import ExecutionEngine\n"
        "def f(x: 'ExecutionEngine'):\n"
        "    def g(ExecutionEngine):\n"
        "        y: 'ExecutionEngine' = ExecutionEngine\n"
        "class C:\n"
        "    ExecutionEngine = 1\n"
        "    x: 'ExecutionEngine'\n"
    )
    check(
        source,
        f"from {CANONICAL} import UserExecutionEngine\n"
        "def f(x: 'UserExecutionEngine'):\n"
        "    def g(ExecutionEngine):\n"
        "        y: 'ExecutionEngine' = ExecutionEngine\n"
        "class C:\n"
        "    ExecutionEngine = 1\n"
        "    x: 'ExecutionEngine'\n",
    )
    assert changes_counted(source) == (2, 2)


def test_an_all_entry_is_renamed_and_counted_as_the_rewrite_counts_it() -> None:
    source = f"from {OLD} import ExecutionEngine\n__all__ = ['ExecutionEngine', \"Other\"]\n"
    check(
        source,
        f"from {CANONICAL} import UserExecutionEngine\n"
        "__all__ = ['UserExecutionEngine', \"Other\"]\n",
    )
    assert changes_counted(source) == (2, 2)


def test_an_all_entry_of_a_name_a_kept_alias_still_binds_stays() -> None:
    """`__all__` names the module's last binding, here the compatibility alias the rewrite
    keeps: renaming the entry would take `ExecutionEngine` from every star import."""
    kept_alias = (
        f"from {CANONICAL} import UserExecutionEngine\n"
        f"from {OLD} import ExecutionEngine\n\n"
        "ExecutionEngine = UserExecutionEngine\n\n"
        '__all__ = ["ExecutionEngine", "build"]\n\n\n'
        "def build():\n    return ExecutionEngine\n"
    )
    check(kept_alias, kept_alias.replace(f"from {OLD} import ExecutionEngine\n", ""))
    assert changes_counted(kept_alias) == (1, 1)


@pytest.mark.parametrize(
    "source",
    [
        # an escape in a path string: the rewrite reports it
        f'from unittest import mock\nmock.patch("{OLD}.ExecutionEngine\\x2eexecute")\n',
        # a try the rewrite folds whose body has a statement on several lines (LibCST keeps
        # its inner indentation) ...
        f"try:\n    from {CONTEXT} import (\n        UserExecutionContext,\n    )\n"
        f"except ImportError:\n    from {OLD} import UserExecutionContext\n",
        # ... or a comment after it indented deeper than it (the last handler's block owns it)
        f"try:\n    from {CONTEXT} import UserExecutionContext\n"
        f"except ImportError:\n    from {OLD} import UserExecutionContext\n\n    # late\nx = 1\n",
        # a name the rewrite joins to an earlier import with a trailing comma ...
        f"from {CONTEXT} import (Other, Another,)\nfrom {OLD} import UserExecutionContext\n",
        # ... on several lines as well, or continued by a backslash
        f"from {CONTEXT} import (\n    Other,\n)\nfrom {OLD} import UserExecutionContext\n",
        f"from {CONTEXT} import Other, \\\n    Another\nfrom {OLD} import UserExecutionContext\n",
        # an import the rewrite drops right after a compound statement (whose block may own
        # the comment lines between them)
        f"from {CONTEXT} import UserExecutionContext\nif x:\n    pass\n"
        f"from {OLD} import UserExecutionContext\n",
        # ... or after a statement ending in a semicolon
        f"from {CONTEXT} import UserExecutionContext\nx = 1;\n"
        f"from {OLD} import UserExecutionContext\n",
        # two statements on one line
        f"import os; from {OLD} import UserExecutionContext\n",
        # a parenthesised import on several lines whose first name shares the `(`'s line
        f"from {OLD} import (UserExecutionContext,\n    Other)\n",
        # a module read for a moved name where that name means something else
        f"import {OLD} as m\nUserExecutionEngine = 1\nx = m.ExecutionEngine, m.helper\n",
        # ... a module bound more than once
        f"import {OLD} as m\nif x:\n    m = None\ny = m.ExecutionEngine, m.helper\n",
        # ... a moved name assigned through it (no read)
        f"import {OLD} as m\nm.ExecutionEngine = None\ny = m.helper\n",
        # ... a module import without `as` (the rewrite follows the dotted reads) ...
        f"import {OLD}\nx = {OLD}.ExecutionEngine\n",
        # ... or with other modules in its statement ...
        f"import os, {OLD} as m\nx = m.ExecutionEngine, m.helper\n",
        # ... or in a try the rewrite may fold
        f"try:\n    import {OLD} as m\nexcept ImportError:\n    m = None\nx = m.ExecutionEngine\n",
        # a module read for two moved names: the rewrite counts each new import as a change
        f"from {PACKAGE} import execution_engine\n"
        "x = execution_engine.ExecutionEngine, execution_engine.UserExecutionContext\n",
        # a module in a parenthesised import
        f"from {PACKAGE} import (\n    execution_engine,\n    other,\n)\n"
        "x = execution_engine.ExecutionEngine\n",
        # a plain module import
        "import netra_backend.app.agents.execution_engine_consolidated as c\n",
    ],
)
def test_sites_left_to_the_rewrite_carry_no_edits(source: str) -> None:
    findings = analyze(AstFile(source, FileContext.from_path(PATH)), RULES).findings
    assert any(finding.fix for finding in findings)
    assert not edits_cover_all(findings)
    assert all(finding.edits == () for finding in findings)


def test_the_runner_writes_dropped_and_regrouped_imports_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        f"from {OLD} import ExecutionEngine\n"
        f"from {CONSOLIDATED} import ExecutionEngine as Engine, RequestScopedExecutionEngine\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "if TYPE_CHECKING:\n"
        f"    from {CONSOLIDATED} import ExecutionEngine\n"
        "x = ExecutionEngine, Engine, RequestScopedExecutionEngine, UserExecutionEngine\n"
        "def lazy():\n"
        "    try:\n"
        f"        from {CONTEXT} import UserExecutionContext\n"
        "    except ImportError:\n"
        f"        from {OLD} import UserExecutionContext\n"
        f"    from {PACKAGE} import execution_engine\n"
        "    return UserExecutionContext, execution_engine.ExecutionEngine\n"
    )
    expected = (
        f"from {CANONICAL} import UserExecutionEngine\n"
        "if TYPE_CHECKING:\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "x = UserExecutionEngine, UserExecutionEngine, UserExecutionEngine, UserExecutionEngine\n"
        "def lazy():\n"
        f"    from {CONTEXT} import UserExecutionContext\n"
        f"    from {CANONICAL} import UserExecutionEngine\n"
        "    return UserExecutionContext, UserExecutionEngine\n"
    )
    assert transformed(source, FileContext.from_path(PATH)) == expected
    result = run_without_libcst(tmp_path, monkeypatch, source)
    assert result.error is None
    assert result.new == expected.encode()


def test_edits_report_what_they_keep_in_the_rewrites_order() -> None:
    # The rewrite reports the imports it keeps before the path strings it keeps, wherever they
    # stand; the edits carry the same findings in the same order.
    source = (
        f"from {OLD} import UserExecutionContext\n"
        f'patch("{OLD}.ExecutionEngine.run")\n'
        "def f():\n"
        f"    from {OLD} import ExecutionEngine\n"
        "    return ExecutionEngine(1, 2), UserExecutionContext\n"
    )
    context = FileContext.from_path(PATH)
    findings = analyze(AstFile(source, context), RULES).findings
    assert edits_cover_all(findings)
    left = [f for f in findings if not f.fix]
    assert [(f.rule, f.line) for f in left] == [("deprecated-import", 4), ("string-reference", 2)]
    result = ImportsCodemod().transform(ParsedFile(source, context), RULES)
    assert result.findings == shift_findings(left, source, result.code)
    assert apply_edits(source, [e for f in findings for e in f.edits]) == result.code


def test_a_reference_in_an_f_string_leaves_the_file_to_the_rewrite() -> None:
    # The analysis reports the f-string for review; the rewrite reads the string inside it
    # and rewrites it too, which no edit stands for.
    source = (
        f"from {OLD} import UserExecutionContext\nx = f\"{{patch('{OLD}.ExecutionEngine')}}\"\n"
    )
    context = FileContext.from_path(PATH)
    assert edited(source, context) is None
    assert transformed(source, context) == (
        f"from {CONTEXT} import UserExecutionContext\n"
        f"x = f\"{{patch('{CANONICAL}.UserExecutionEngine')}}\"\n"
    )


# ---- compatibility aliases (`decide._Decider._decide_compat_aliases`) -----------------------
OLD_FILE = "netra_backend/app/agents/supervisor/execution_engine.py"  # the module a rule moves
RUN_RULES = replace(RULES, imported_elsewhere=frozenset())  # a run no outside file imports from


def check_rewrite(source: str, expected: str, path: str, rules=RULES) -> list[Finding]:
    """The analysis' edits give `expected`, and so does the rewrite, with the same findings
    (rule, place, words, flags and order) and the same count of changes; the findings the
    edits leave, for review."""
    context = FileContext.from_path(path)
    findings = analyze(AstFile(source, context), rules).findings
    assert edits_cover_all(findings)
    written = apply_edits(source, [edit for finding in findings for edit in finding.edits])
    result = ImportsCodemod().transform(ParsedFile(source, context), rules)
    assert written == result.code == expected
    left = shift_findings([f for f in findings if not f.fix], source, written)
    assert [f.to_dict() for f in left] == [f.to_dict() for f in result.findings]
    assert sum(f.changes for f in findings if f.fix) == result.changes
    return left


def kept(source: str, why: str, line: int, path: str = OLD_FILE, rules=RULES) -> None:
    """The alias at `line` stays, reported as the rewrite reports it; nothing changes."""
    left = check_rewrite(source, source, path, rules)
    message = f"compatibility alias `ExecutionEngine` kept: {why}"
    assert [(f.rule, f.line, f.column, f.message) for f in left] == [
        ("aliased-import", line, 0, message)
    ]
    assert left[0].manual_review and not left[0].fixable


USED = "`ExecutionEngine` is still used in this file"
ALIAS = f"from {CANONICAL} import UserExecutionEngine\n\nExecutionEngine = UserExecutionEngine\n"


def test_a_compatibility_alias_still_read_in_the_file_is_kept() -> None:
    source = ALIAS + "def f():\n    return ExecutionEngine()\n"
    kept(source, USED, 3, rules=RUN_RULES)
    # ... read through another binding of the name in the module scope, here an import
    source = ALIAS + "if x:\n    from os import path as ExecutionEngine\ny = ExecutionEngine\n"
    kept(source, USED, 3, rules=RUN_RULES)


def test_a_compatibility_alias_of_a_module_no_rule_moves_is_kept() -> None:
    own = "netra_backend.app.services.sample.ExecutionEngine"
    why = f"no rule moves `{own}`, so the files importing it are not rewritten"
    kept(ALIAS, why, 3, path=PATH, rules=RUN_RULES)


def test_a_compatibility_alias_sharing_its_line_is_kept() -> None:
    source = ALIAS.replace("ExecutionEngine =", "x = 1; ExecutionEngine =")
    context = FileContext.from_path(OLD_FILE)
    left = check_rewrite(source, source, OLD_FILE, RUN_RULES)
    assert [(f.line, f.column, f.message) for f in left] == [
        (
            3,
            7,
            "compatibility alias `ExecutionEngine` kept: it shares its line with other statements",
        )
    ]
    assert analyze(AstFile(source, context), RUN_RULES).findings[0].changes == 0
    # ... one logical line continued by a backslash: the analysis decides it as well
    for joined in ("x = 1; \\\nExecutionEngine =", "x = 1 \\\n; ExecutionEngine ="):
        source = ALIAS.replace("ExecutionEngine =", joined)
        why = "it shares its line with other statements"
        left = check_rewrite(source, source, OLD_FILE, RUN_RULES)
        assert [f.message for f in left] == [f"compatibility alias `ExecutionEngine` kept: {why}"]
    # ... and a backslash inside the alias' own statement joins no other one
    source = ALIAS.replace("= UserExecutionEngine", "= \\\n    UserExecutionEngine")
    assert ALIAS not in source
    removed = f"from {CANONICAL} import UserExecutionEngine\n"
    assert check_rewrite(source, removed, OLD_FILE, RUN_RULES) == []


def test_an_entry_spelled_by_concatenated_literals_stays_when_its_alias_goes() -> None:
    # the rewrite reads one-literal entries only: `'Execution' 'Engine'` is no entry to it
    source = ALIAS + "__all__ = ['Execution' 'Engine', 'X']\n"
    expected = (
        f"from {CANONICAL} import UserExecutionEngine\n__all__ = ['Execution' 'Engine', 'X']\n"
    )
    assert check_rewrite(source, expected, OLD_FILE, RUN_RULES) == []


def test_a_compatibility_alias_files_outside_the_run_may_import_is_kept() -> None:
    why = "unknown whether files outside this run import it (`migrator run` checks)"
    kept(ALIAS, why, 3)  # no run: nothing known of the other files
    module = "netra_backend.app.agents.supervisor.execution_engine"
    outside = replace(RULES, imported_elsewhere=frozenset({module}))
    kept(ALIAS, f"files outside this run import `{module}`", 3, rules=outside)


def test_a_removed_compatibility_alias_goes_with_its_lines_and_its_all_entries() -> None:
    left = check_rewrite(
        '"""Deprecated."""\n'
        f"from {CANONICAL} import UserExecutionEngine\n"
        "\n"
        "# the old name\n"
        "ExecutionEngine = UserExecutionEngine  # compat\n"
        "Engine = UserExecutionEngine\n"  # no old name: no alias to the rewrite
        f'patch("{OLD}.ExecutionEngine.run")\n'
        "__all__ = ['ExecutionEngine', 'Engine']\n"
        '__all__ += ("Engine" , "ExecutionEngine", )\n'
        "__all__ += [ 'UserExecutionEngine',\"ExecutionEngine\",'Engine' ]\n"
        "__all__ += ('ExecutionEngine',\"X\" )\n",
        '"""Deprecated."""\n'
        f"from {CANONICAL} import UserExecutionEngine\n"
        "Engine = UserExecutionEngine\n"
        f'patch("{CANONICAL}.UserExecutionEngine.run")\n'
        "__all__ = ['Engine']\n"
        '__all__ += ("Engine", )\n'
        "__all__ += [ 'UserExecutionEngine','Engine' ]\n"
        '__all__ += ("X", )\n',  # a one-element tuple gets its comma
        OLD_FILE,
        RUN_RULES,
    )
    assert left == []


def test_the_runner_removes_a_compatibility_alias_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        f"from {OLD} import ExecutionEngine as Legacy\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "\n"
        "ExecutionEngine = UserExecutionEngine\n"
        '__all__ = ["ExecutionEngine", "UserExecutionEngine"]\n'
        "def f():\n"
        "    return Legacy\n"
    )
    expected = (
        f"from {CANONICAL} import UserExecutionEngine\n"
        '__all__ = ["UserExecutionEngine"]\n'
        "def f():\n"
        "    return UserExecutionEngine\n"
    )
    check_rewrite(source, expected, OLD_FILE, RUN_RULES)
    result = run_without_libcst(tmp_path, monkeypatch, source, OLD_FILE)
    assert result.error is None
    assert result.new == expected.encode()
    assert result.findings == []
    assert result.changes == {"imports": 2}


def test_the_runner_reports_a_kept_compatibility_alias_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        f"from {OLD} import UserExecutionContext\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "ExecutionEngine = UserExecutionEngine\n"
        f'patch("{OLD}.ExecutionEngine", ExecutionEngine)\n'
        'patch("netra_backend.app.agents.supervisor.execution_engine.helper")\n'
    )
    rewritten = ImportsCodemod().transform(
        ParsedFile(source, FileContext.from_path(OLD_FILE)), RULES
    )
    result = run_without_libcst(tmp_path, monkeypatch, source, OLD_FILE)
    assert result.error is None
    assert result.new == rewritten.code.encode()
    assert result.changes == {"imports": rewritten.changes} == {"imports": 2}
    assert result.findings == rewritten.findings
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        ("string-reference", 5, f'"{OLD}.helper": names a deprecated module that no rule moves'),
        ("aliased-import", 3, f"compatibility alias `ExecutionEngine` kept: {USED}"),
    ]


def test_a_compatibility_alias_read_in_a_string_annotation_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    annotated = 'def annotated(engine: "ExecutionEngine") -> "ExecutionEngine": ...\n'
    kept(ALIAS + annotated, USED, 3, rules=RUN_RULES)
    # ... whatever LibCST makes of another string mentioning it
    other = "def other(engine: u'ExecutionEngine'): ...\n"
    kept(ALIAS + annotated + other, USED, 3, rules=RUN_RULES)
    # ... read from a class's or a function's body
    kept(ALIAS + 'class C:\n    engine: "ExecutionEngine"\n', USED, 3, rules=RUN_RULES)
    body = 'def f():\n    engine: "list[ExecutionEngine]" = []\n'
    kept(ALIAS + body, USED, 3, rules=RUN_RULES)
    # the runner keeps it without LibCST
    result = run_without_libcst(tmp_path, monkeypatch, ALIAS + annotated, OLD_FILE)
    assert result.error is None and result.new is None
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        ("aliased-import", 3, f"compatibility alias `ExecutionEngine` kept: {USED}")
    ]


@pytest.mark.parametrize(
    "source",
    [
        # a parameter's default is no annotation (LibCST reads it only in a typing subscript)
        "def f(a: 'int' = 'Engine'): ...\n",
        # LibCST reads `Engine` in the comprehension's own scope, not at the string's place
        "def f(a: '[Engine for _ in y]'): ...\n",
    ],
)
def test_string_annotation_reads_decline_what_they_do_not_model(source: str) -> None:
    file = AstFile(source, FileContext.from_path("pkg/mod.py"))
    with pytest.raises(CannotTell):
        AnnotationReads(file).accesses("Engine")


SUBSCRIPTS = (
    f"from {OLD} import ExecutionEngine\nimport typing\nfrom typing import List, cast as c\n"
)


@pytest.mark.parametrize(
    "body",
    [
        # LibCST reads a string outside annotations by the innermost subscript or call around
        # it: a subscript of a name bound to no typing name is no type hint
        "d = {}\nd['ExecutionEngine'] = ExecutionEngine\n",
        "def f(found):\n    found['ExecutionEngine'] = ExecutionEngine\n",
        "d = {}\nx = d['a']['ExecutionEngine'], ExecutionEngine\n",
        "d = {}\ndef f(a=d['ExecutionEngine']): return ExecutionEngine\n",
        # ... nor one of anything but a name, even a typing one
        "x = typing.List['ExecutionEngine'], ExecutionEngine\n",
        # ... nor a call's argument, in a typing subscript as well
        "d = {}\nx = List[d.get('ExecutionEngine')], ExecutionEngine\n",
    ],
)
def test_a_string_in_a_subscript_libcst_reads_as_no_type_is_left_as_it_is(body: str) -> None:
    context = FileContext.from_path(PATH)
    result = edited(SUBSCRIPTS + body, context)
    assert result is not None
    assert result == transformed(SUBSCRIPTS + body, context)
    assert "'ExecutionEngine'" in result and result.count("UserExecutionEngine") == 2


@pytest.mark.parametrize(
    "body",
    [
        # a typing subscript's string, in a subscript of its own or not: the rewrite reads it
        "d = {}\nx = d[List['ExecutionEngine']], ExecutionEngine\n",
        "x = List['ExecutionEngine'], ExecutionEngine\n",
        # a typing call's, under another name or spelled through the module
        "x = c('ExecutionEngine', 1), ExecutionEngine\n",
        "x = typing.cast('ExecutionEngine', 1), ExecutionEngine\n",
    ],
)
def test_a_string_a_typing_subscript_or_call_holds_is_read_as_a_type(body: str) -> None:
    context = FileContext.from_path(PATH)
    result = edited(SUBSCRIPTS + body, context)
    assert result is not None and result == transformed(SUBSCRIPTS + body, context)
    assert result.count("'UserExecutionEngine'") == 1


def test_string_annotation_reads_read_a_parameter_annotation() -> None:
    file = AstFile("def f(a: 'Engine' = None): ...\n", FileContext.from_path("pkg/mod.py"))
    assert [access.name for access in AnnotationReads(file).accesses("Engine")] == ["Engine"]


def test_a_compatibility_alias_no_string_annotation_reads_is_removed() -> None:
    # the annotations read the class's own binding of the name
    holder = (
        "class Holder:\n"
        "    ExecutionEngine = int\n"
        '    def annotated(self, engine: "ExecutionEngine") -> "ExecutionEngine": ...\n'
    )
    check_rewrite(
        ALIAS + holder,
        f"from {CANONICAL} import UserExecutionEngine\n" + holder,
        OLD_FILE,
        RUN_RULES,
    )
    # ... or no binding at all: it stands before the alias
    annotated = 'engine: "ExecutionEngine" = None\n'
    check_rewrite(
        f"from {CANONICAL} import UserExecutionEngine\n"
        + annotated
        + "\n"
        + "ExecutionEngine = UserExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine\n" + annotated,
        OLD_FILE,
        RUN_RULES,
    )


@pytest.mark.parametrize(
    "reader",
    [
        "def f(x: u'ExecutionEngine'): pass\n",  # a prefix
        "def f(x: 'ExecutionEngine.run'): pass\n",  # a dotted name
        "y = cast('ExecutionEngine', x)\n",  # a typing call's argument
    ],
)
def test_a_compatibility_alias_a_string_annotation_reads_is_kept(reader: str) -> None:
    """The import rewrite reads a typing call's string, a prefixed one and a dotted name as
    types (`AnnotationReads(decided=True)`), and both writers follow that one decision."""
    kept(ALIAS + reader, USED, 3, rules=RUN_RULES)


@pytest.mark.parametrize(
    "source",
    [
        # the alias right after a compound statement (whose block may own the lines before it)
        f"from {CANONICAL} import UserExecutionEngine\nif x:\n    pass\n"
        "ExecutionEngine = UserExecutionEngine\n",
        # an `__all__` entry to drop from a display on several lines
        ALIAS + "__all__ = [\n    'ExecutionEngine',\n    'X',\n]\n",
        # ... or left empty
        ALIAS + "__all__ = ['ExecutionEngine']\n",
        # an alias the rewrite reads through a re-export, which the analysis does not report
        f"from {CONSOLIDATED} import ExecutionEngine as E\n\nExecutionEngine = E\n"
        f"from {OLD} import UserExecutionContext\n",
    ],
)
def test_compatibility_aliases_left_to_the_rewrite_carry_no_edits(source: str) -> None:
    findings = analyze(AstFile(source, FileContext.from_path(OLD_FILE)), RUN_RULES).findings
    assert any(finding.fix for finding in findings)
    assert not edits_cover_all(findings)
    assert all(finding.edits == () for finding in findings)


def test_an_all_entry_of_a_renamed_import_is_dropped_where_the_new_name_is_listed() -> None:
    check_rewrite(
        f"from {OLD} import ExecutionEngine\n"
        "__all__ = ['ExecutionEngine', 'UserExecutionEngine']\n"
        "__all__ += ('UserExecutionEngine', 'ExecutionEngine',)\n",
        f"from {CANONICAL} import UserExecutionEngine\n"
        "__all__ = ['UserExecutionEngine']\n"
        "__all__ += ('UserExecutionEngine',)\n",
        PATH,
    )


def test_a_use_a_later_rebinding_always_reaches_first_keeps_the_old_name() -> None:
    # The rewrite renames the uses only the import reaches; a use in another scope (or later
    # in the module) that the alias's assignment rebinds first keeps its name, and the alias,
    # still used, is kept.
    left = check_rewrite(
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"
        "import os\n"
        f"from {CANONICAL} import UserExecutionEngine\n"
        "first = ExecutionEngine\n"
        "\n"
        "ExecutionEngine = UserExecutionEngine\n"
        "later = ExecutionEngine\n"
        "def f():\n"
        "    return ExecutionEngine\n"
        '__all__ = ["ExecutionEngine", "UserExecutionEngine"]\n',
        f"from {CANONICAL} import UserExecutionEngine\n"
        "import os\n"
        "first = UserExecutionEngine\n"
        "\n"
        "ExecutionEngine = UserExecutionEngine\n"
        "later = ExecutionEngine\n"
        "def f():\n"
        "    return ExecutionEngine\n"
        '__all__ = ["ExecutionEngine", "UserExecutionEngine"]\n',  # the alias still binds it
        OLD_FILE,
        RUN_RULES,
    )
    assert [(f.line, f.message) for f in left] == [
        (5, f"compatibility alias `ExecutionEngine` kept: {USED}")
    ]


REACHED = "is also bound by another statement that reaches the same uses"


def fallback(source: str, expected: str, kept: list[tuple[int, int, str]]) -> None:
    """The edits keep the bound names as the rewrite does, and report each as it does."""
    left = check_rewrite(source, expected, PATH)
    assert [(f.rule, f.line, f.column, f.message) for f in left] == [
        ("aliased-import", line, column, message) for line, column, message in kept
    ]
    assert all(f.manual_review and not f.fixable for f in left)


def test_an_import_whose_uses_another_binding_may_reach_keeps_its_bound_name() -> None:
    new = f"from {CANONICAL} import UserExecutionEngine as E\n"
    why = f"kept `UserExecutionEngine as E`: `E` {REACHED}"
    # a rebinding in a compound statement may come first or not
    fallback(
        f"from {OLD} import ExecutionEngine as E\nif x:\n    E = None\ny = E\n",
        f"{new}if x:\n    E = None\ny = E\n",
        [(1, 65, why)],
    )
    # ... and one before the import does not come first
    fallback(
        f"E = None\nfrom {OLD} import ExecutionEngine as E\ndef f():\n    return E\n",
        f"E = None\n{new}def f():\n    return E\n",
        [(2, 65, why)],
    )
    # an import of the name the rules do not move
    fallback(
        f"from {OLD} import ExecutionEngine\nif x:\n    from {FACTORY} import ExecutionEngine\n"
        "y = ExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\nif x:\n"
        f"    from {FACTORY} import ExecutionEngine\ny = ExecutionEngine\n",
        [(1, 65, f"kept `UserExecutionEngine as ExecutionEngine`: `ExecutionEngine` {REACHED}")],
    )


TAKEN = "`UserExecutionEngine` already means something else here"
KEPT = "kept `UserExecutionEngine as ExecutionEngine`"


def test_an_import_whose_new_name_is_taken_keeps_its_bound_name() -> None:
    # a canonical name imported under another one stays so, reported (no change)
    why = (
        "kept `ExecutionEngineFactory as UserFactory`: `ExecutionEngineFactory` already means "
        "something else here (line 6)"
    )
    source = (
        f"from {FACTORY} import (\n"
        "    ExecutionEngineFactory as UserFactory,\n"
        "    get_factory\n"
        ")\n\n"
        "class ExecutionEngineFactory(UserFactory):\n"
        "    pass\n"
        "x = UserFactory, get_factory\n"
    )
    fallback(source, source, [(2, 4, why)])
    # a moved name: its new import keeps the name; the first binding of the new name is named
    new = f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"
    fallback(
        f"from {OLD} import ExecutionEngine\nUserExecutionEngine = 1\nx = ExecutionEngine\n",
        new + "UserExecutionEngine = 1\nx = ExecutionEngine\n",
        [(1, 65, f"{KEPT}: {TAKEN} (line 2)")],
    )
    # ... in the scope of a use as well: a parameter, `**` or `*` included
    for parameter in ("UserExecutionEngine=None", "**UserExecutionEngine", "*UserExecutionEngine"):
        rest = (
            f"def f(\n    {parameter},\n):\n    return ExecutionEngine\nUserExecutionEngine = 1\n"
        )
        fallback(
            f"from {OLD} import ExecutionEngine\n" + rest,
            new + rest,
            [(1, 65, f"{KEPT}: {TAKEN} (line 3)")],
        )
    # ... an exception's name, at the line of the name
    for header in ("except (\n        ValueError) as", "except (ValueError,\n    ) as"):
        rest = (
            f"def f():\n    try:\n        pass\n    {header} UserExecutionEngine:\n        pass\n"
            "    return ExecutionEngine\n"
        )
        fallback(
            f"from {OLD} import ExecutionEngine\n" + rest,
            new + rest,
            [(1, 65, f"{KEPT}: {TAKEN} (line 6)")],
        )
    # ... a decorated class, an import of something else
    for binding in (
        "@dec\n\nclass UserExecutionEngine: pass\n",
        "import os as UserExecutionEngine\n",
    ):
        rest = "if x:\n    pass\n" + binding + "z = ExecutionEngine\n"
        fallback(
            f"from {OLD} import ExecutionEngine\n" + rest,
            new + rest,
            [(1, 65, f"{KEPT}: {TAKEN} (line {4 + binding.startswith('@') * 2})")],
        )
    # an import in a class body (taken before the class attribute question)
    body = "    UserExecutionEngine = 1\n    x = ExecutionEngine\n"
    fallback(
        f"class C:\n    from {OLD} import ExecutionEngine\n" + body,
        "class C:\n    " + new + body,
        [(2, 69, f"{KEPT}: {TAKEN} (line 3)")],
    )
    # a try folded once both branches import the kept name: each import reported
    fallback(
        f"try:\n    from {OLD} import ExecutionEngine\n"
        f"except ImportError:\n    from {CONSOLIDATED} import ExecutionEngine\n"
        "UserExecutionEngine = 1\nx = ExecutionEngine\n",
        new + "UserExecutionEngine = 1\nx = ExecutionEngine\n",
        [(1, 69, f"{KEPT}: {TAKEN} (line 5)"), (1, 71, f"{KEPT}: {TAKEN} (line 5)")],
    )


def test_a_new_name_bound_to_the_same_class_by_a_module_import_is_free() -> None:
    check(
        f"import {CANONICAL}.UserExecutionEngine as UserExecutionEngine\n"
        f"from {OLD} import ExecutionEngine\nx = ExecutionEngine\n",
        f"import {CANONICAL}.UserExecutionEngine as UserExecutionEngine\n"
        f"from {CANONICAL} import UserExecutionEngine\nx = UserExecutionEngine\n",
    )


def test_a_string_annotation_another_binding_may_reach_keeps_the_bound_name() -> None:
    # the string annotation is a use of the import to the rewrite, as a name is
    why = f"kept `UserExecutionEngine as ExecutionEngine`: `ExecutionEngine` {REACHED}"
    rest = "if x:\n    ExecutionEngine = object\ndef f(engine: 'ExecutionEngine'): ...\n"
    fallback(
        f"from {OLD} import ExecutionEngine\n" + rest,
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n" + rest,
        [(1, 65, why)],
    )


def test_a_string_annotation_a_later_rebinding_always_reaches_first_keeps_its_word() -> None:
    # A compatibility alias after the import rebinds the name before the annotation: the
    # rewrite renames the import, not the annotation, which reads the alias (kept, still used).
    annotated = 'def annotated(engine: "ExecutionEngine") -> "ExecutionEngine": ...\n'
    imports = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        f"    from {OLD} import ExecutionEngine\n"
    )
    rest = f"from {CANONICAL} import UserExecutionEngine\n\nExecutionEngine = UserExecutionEngine\n"
    left = check_rewrite(
        imports + rest + annotated,
        imports.replace(f"{OLD} import ExecutionEngine", f"{CANONICAL} import UserExecutionEngine")
        + rest
        + annotated,
        PATH,
        RUN_RULES,
    )
    assert [(f.rule, f.line, f.message) for f in left] == [
        ("aliased-import", 6, f"compatibility alias `ExecutionEngine` kept: {USED}")
    ]


def test_a_group_keeping_its_bound_name_is_planned_as_the_rewrite_plans_it() -> None:
    # The canonical import already reads `UserExecutionEngine as ExecutionEngine`: it stays
    # (no change); the later imports of the name are rebound after `ExecutionEngine = 1`, so
    # the first of them stays where it is (it is what `x` reads) and the last goes, as an import
    # the block has since; the moved `RequestScopedExecutionEngine` joins the first import (no
    # binding of its new name between); each kept name is reported.
    why = f"kept `UserExecutionEngine as ExecutionEngine`: `ExecutionEngine` {REACHED}"
    fallback(
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"
        "ExecutionEngine = 1\n"
        f"from {CONSOLIDATED} import (\n"
        "    ExecutionEngine,  # c\n"
        "    RequestScopedExecutionEngine,\n"
        ")\n"
        f"from {OLD} import ExecutionEngine, UserExecutionContext\n"
        "x = ExecutionEngine, RequestScopedExecutionEngine\n",
        f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine, UserExecutionEngine\n"
        "ExecutionEngine = 1\n"
        f"from {CANONICAL} import (\n"
        "    UserExecutionEngine as ExecutionEngine,  # c\n"
        ")\n"
        f"from {CONTEXT} import UserExecutionContext\n"
        "x = ExecutionEngine, UserExecutionEngine\n",
        [(1, 70, why), (4, 4, why), (6, 65, why)],  # where the lines went
    )


def test_the_runner_withdraws_a_kept_bound_name_without_libcst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import the rewrite keeps as `UserExecutionEngine as E` would be a new aliased
    # import: the runner withdraws the change, reporting what the rewrite reported there.
    source = (
        f"from {OLD} import ExecutionEngine as E, UserExecutionContext\n"
        "if x:\n    E = None\ndef f():\n    return E, UserExecutionContext\n"
    )
    result = run_without_libcst(tmp_path, monkeypatch, source)
    assert result.error is None
    assert result.new is None and result.changes == {}
    assert [(f.rule, f.line, f.column, f.message) for f in result.findings] == [
        ("aliased-import", 1, 65, f"kept `UserExecutionEngine as E`: `E` {REACHED}"),
        (
            "rewrite-withdrawn",
            1,
            0,
            "`imports` left this unchanged: it would add a `aliased-import` finding: "
            "`UserExecutionEngine` imported as `E`; change it by hand",
        ),
    ]


def test_an_all_entry_of_a_renamed_import_is_renamed_beside_a_concatenated_name() -> None:
    # `'User' 'ExecutionEngine'` is no entry to the rewrite: it renames the old one instead
    # (a change it counts).
    source = (
        f"from {OLD} import ExecutionEngine\n"
        "__all__ = ['ExecutionEngine', 'User' 'ExecutionEngine']\n"
    )
    check(
        source,
        f"from {CANONICAL} import UserExecutionEngine\n"
        "__all__ = ['UserExecutionEngine', 'User' 'ExecutionEngine']\n",
    )


# ---- a binding never moves across a rebinding of its name (`StatementPlanner._rebound_between`)
SAMPLE_MODULE = "netra_backend/app/agents/supervisor/sample_module.py"  # the property tests' path
KEPT_EE = f"kept `UserExecutionEngine as ExecutionEngine`: `ExecutionEngine` {REACHED}"
ALIAS_USED = (
    "compatibility alias `ExecutionEngine` kept: `ExecutionEngine` is still used in this file"
)
ALIAS_UNMOVED = (
    "compatibility alias `ExecutionEngine` kept: no rule moves "
    "`netra_backend.app.agents.supervisor.sample_module.ExecutionEngine`, so the files importing "
    "it are not rewritten"
)
CALL = "    engine = ExecutionEngine(registry, websocket_bridge, user_context)\n"
KEPT_IMPORT = f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"


@pytest.mark.parametrize(
    ("source", "expected", "findings"),
    [
        pytest.param(  # the kept name stays after the alias, the one `f` reads (fuzz-found)
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine\n"
            f"def f():\n{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"{KEPT_IMPORT}def f():\n{CALL}",
            [(3, 67, KEPT_EE), (2, 0, ALIAS_USED)],
            id="alias-before-the-moved-import",
        ),
        pytest.param(  # only `ExecutionEngine` imported
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"from {CONSOLIDATED} import ExecutionEngine\n"
            f"def f():\n{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"{KEPT_IMPORT}def f():\n{CALL}",
            [(3, 67, KEPT_EE), (2, 0, ALIAS_USED)],
            id="only-the-moved-name",
        ),
        pytest.param(  # a rebinding to something else: joining would make `f` read it
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = Other\n"
            f"from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine\n"
            f"def f():\n{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = Other\n"
            f"{KEPT_IMPORT}def f():\n{CALL}",
            [(3, 67, KEPT_EE)],
            id="rebound-to-another-value",
        ),
        pytest.param(  # ... by a def
            f"from {CANONICAL} import UserExecutionEngine\n"
            "def ExecutionEngine(): pass\n"
            f"from {CONSOLIDATED} import ExecutionEngine\n"
            f"def f():\n{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "def ExecutionEngine(): pass\n"
            f"{KEPT_IMPORT}def f():\n{CALL}",
            [(3, 67, KEPT_EE)],
            id="rebound-by-a-def",
        ),
        pytest.param(  # the alias after the moved import: the rename is a duplicate, dropped
            f"from {CANONICAL} import UserExecutionEngine\n"
            f"from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"def f():\n{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            f"def f():\n{CALL}",
            [(2, 0, ALIAS_USED)],
            id="alias-after-the-moved-import",
        ),
        pytest.param(  # the moved import inside the function: renamed there
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            "def f():\n"
            f"    from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine\n"
            f"{CALL}",
            f"from {CANONICAL} import UserExecutionEngine\n"
            "ExecutionEngine = UserExecutionEngine\n"
            "def f():\n"
            f"    from {CANONICAL} import UserExecutionEngine\n"
            f"{CALL.replace('ExecutionEngine', 'UserExecutionEngine')}",
            [(2, 0, ALIAS_UNMOVED)],
            id="moved-import-in-the-function",
        ),
        pytest.param(  # an earlier import of the same binding before a rebinding is no duplicate
            f"{KEPT_IMPORT}"
            "ExecutionEngine = Other\n"
            f"from {CONSOLIDATED} import ExecutionEngine\n"
            f"def f():\n{CALL}",
            f"{KEPT_IMPORT}ExecutionEngine = Other\n{KEPT_IMPORT}def f():\n{CALL}",
            [(1, 70, KEPT_EE), (3, 67, KEPT_EE)],
            id="same-binding-before-a-rebinding",
        ),
        pytest.param(  # ... nor is a later one after it, untouched
            f"from {CONSOLIDATED} import ExecutionEngine\n"
            "ExecutionEngine = Other\n"
            f"{KEPT_IMPORT}def f():\n{CALL}",
            f"{KEPT_IMPORT}ExecutionEngine = Other\n{KEPT_IMPORT}def f():\n{CALL}",
            [(1, 67, KEPT_EE), (3, 70, KEPT_EE)],
            id="untouched-later-import-after-a-rebinding",
        ),
    ],
)
def test_a_binding_does_not_move_across_a_rebinding_of_its_name(
    source: str, expected: str, findings: list[tuple[int, int, str]]
) -> None:
    left = check_rewrite(source, expected, SAMPLE_MODULE)
    assert [(f.line, f.column, f.message) for f in left] == findings
    assert all(f.rule == "aliased-import" and f.manual_review for f in left)
    # a second run leaves it as it is
    assert check_rewrite(expected, expected, SAMPLE_MODULE) is not None


_STILL_CONSTRUCTED = (
    "`ExecutionEngine` is still constructed directly (line 2): convert that with the "
    "constructors rule first; its imports and uses are left unchanged"
)


@pytest.mark.parametrize(
    ("source", "findings"),
    [
        # The read before the import does not reach it, so the rewrite dropped the import; the
        # constructions' analysis still read `engine_module.ExecutionEngine` through it (holding
        # the first import), and without it a second run moved that import.
        (
            f"from {OLD} import ExecutionEngine\n"
            "engine = engine_module.ExecutionEngine(registry, bridge, ctx)\n"
            f"import {OLD} as engine_module\n",
            [
                ("deprecated-import", 1, 65, _STILL_CONSTRUCTED),
                (
                    "deprecated-import",
                    3,
                    7,
                    "module `engine_module` is still used for names no rule moves",
                ),
            ],
        ),
        # `ExecutionEngine._init_from_factory` is a direct construction of the old class to the
        # constructions' analysis (LibCST reads a dotted name through every binding of its first
        # name), which holds the old import; renaming the use to
        # `UserExecutionEngine._init_from_factory` hid that construction, so a second run moved
        # the old import. The canonical alias now keeps its bound name, reported.
        (
            f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"
            "engine = ExecutionEngine._init_from_factory(registry, websocket_bridge)\n"
            f"from {OLD} import ExecutionEngine\n",
            [
                ("deprecated-import", 3, 65, _STILL_CONSTRUCTED),
                (
                    "aliased-import",
                    1,
                    70,
                    "kept `UserExecutionEngine as ExecutionEngine`: `ExecutionEngine` is also "
                    f"read as `{OLD}.ExecutionEngine`, which must stay",
                ),
            ],
        ),
    ],
    ids=["module-import-read-before-it", "use-also-reads-a-held-class"],
)
def test_a_file_found_by_fuzzing_is_left_as_it_is_with_its_reasons(
    source: str, findings: list[tuple[str, int, int, str]]
) -> None:
    context = FileContext.from_path(SAMPLE_MODULE)
    # the kept bound name is an import already as the plan writes it: the edits change nothing
    by_text = "_init_from_factory" in source
    assert edited(source, context) == (source if by_text else None)
    result = ImportsCodemod().transform(ParsedFile(source, context), RULES)
    assert result.code == source
    assert [(f.rule, f.line, f.column, f.message) for f in result.findings] == findings


UNREAD = "`ExecutionEngine` may be read by a string annotation"
NEW_AS_OLD = f"from {CANONICAL} import UserExecutionEngine as ExecutionEngine\n"
NEW_NAME = f"from {CANONICAL} import UserExecutionEngine\n"


@pytest.mark.parametrize(
    ("rest", "renamed", "why"),
    [
        # a typing call's string and a dotted name in an annotation are read as types
        ("x = cast('ExecutionEngine', y)\n", "x = cast('UserExecutionEngine', y)\n", None),
        (
            "def f(x: 'ExecutionEngine.Inner'): pass\n",
            "def f(x: 'UserExecutionEngine.Inner'): pass\n",
            None,
        ),
        # a string in a string annotation, a concatenation, an escape: the model cannot read
        # them, so the import keeps the bound name
        ("def f(x: \"List['ExecutionEngine']\"): pass\n", None, UNREAD),
        ("def f(x: 'Execution' 'Engine'): pass\n", None, UNREAD),
        ("def f(x: 'ExecutionEngin\\x65'): pass\n", None, UNREAD),
        # the new name bound by a match capture, or by a parameter (its name's line)
        (
            "match y:\n    case UserExecutionEngine:\n        pass\nx = ExecutionEngine\n",
            None,
            f"{TAKEN} (line 3)",
        ),
        (
            "def f(*\n    UserExecutionEngine):\n    return ExecutionEngine\n",
            None,
            f"{TAKEN} (line 3)",
        ),
    ],
)
def test_what_the_ast_reading_decides_both_writers_write(
    rest: str, renamed: str | None, why: str | None
) -> None:
    source = f"from {OLD} import ExecutionEngine\n" + rest
    if renamed is not None:
        assert check_rewrite(source, NEW_NAME + renamed, PATH) == []
        return
    left = check_rewrite(source, NEW_AS_OLD + rest, PATH)
    assert [(f.line, f.column, f.message) for f in left] == [(1, 65, f"{KEPT}: {why}")]
