"""A rewrite never makes a file worse by migrator's own measure: such a change is withdrawn.

After each codemod's change, both texts are measured (every codemod's analysis, undefined names,
the project's imports); a change that adds a finding or unbinds a name is not kept, the other
codemods' changes are, and the site is reported for manual review with the reason. Findings
carry their line in the text that is written.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from codemods import registry
from codemods.core.base import TransformResult
from codemods.core.descriptor import Descriptor
from codemods.core.rules import RuleSet
from migrator.engine.changes import ordered_rules
from migrator.engine.runner import Job, process_source
from migrator.spec import default_spec_text, parse_spec

RULES = parse_spec(default_spec_text(), "default").rules
OLD_MODULE = "netra_backend.app.agents.supervisor.execution_engine"
CONTEXT_IMPORT = f"from {OLD_MODULE} import UserExecutionContext\n"
NEW_CONTEXT_IMPORT = (
    "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
)
PATH = "netra_backend/app/services/user.py"


class Replace:
    """A toy codemod that replaces one string (and analyzes nothing itself)."""

    def __init__(self, name: str, old: str, new: str) -> None:
        self.name, self.old, self.new = name, old, new

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return frozenset({self.old.encode()})

    def transform(self, parsed, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code.replace(self.old, self.new), [], 1)


def register(monkeypatch: pytest.MonkeyPatch, codemod) -> None:
    """Put a toy codemod into the registry for this test."""
    descriptor = Descriptor(
        name=codemod.name,
        section=codemod.name,
        read=lambda spec, value, key: value,
        needles=codemod.needles,
        codemod=codemod,
    )
    monkeypatch.setitem(registry.DESCRIPTORS, codemod.name, descriptor)


def rewrite(tmp_path: Path, source: str, codemods: tuple[str, ...], path: str = PATH):
    job = Job(str(tmp_path), RULES, codemods, transform=True)
    return process_source(job, path, source.encode())


def manual(result) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.message) for f in result.findings if f.manual_review]


def test_a_change_that_unbinds_a_name_is_withdrawn_and_the_other_codemods_change_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, Replace("drop_os", "import os\n", ""))
    source = f"import os\n{CONTEXT_IMPORT}\nprint(os.sep, UserExecutionContext)\n"

    result = rewrite(tmp_path, source, ("imports", "drop_os"))

    assert result.error is None
    kept = f"import os\n{NEW_CONTEXT_IMPORT}\nprint(os.sep, UserExecutionContext)\n"
    assert result.new == kept.encode()
    assert result.changes == {"imports": 1}
    assert manual(result) == [
        (
            "rewrite-withdrawn",
            4,  # where `os` would be undefined
            "`drop_os` left this unchanged: it would leave `os` undefined; change it by hand",
        )
    ]


def test_a_change_that_adds_a_finding_of_another_rule_is_withdrawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bypass` writes a mock-auth flag: the flags rule's analysis counts a new auth bypass."""
    register(monkeypatch, Replace("bypass", "DEBUG = False\n", "MOCK_AUTH_AVAILABLE = True\n"))
    source = f"{CONTEXT_IMPORT}DEBUG = False\n\n\ndef f():\n    return UserExecutionContext\n"

    result = rewrite(tmp_path, source, ("imports", "bypass"))

    assert result.new == source.replace(CONTEXT_IMPORT, NEW_CONTEXT_IMPORT).encode()
    [(rule, line, message)] = manual(result)
    assert (rule, line) == ("rewrite-withdrawn", 2)
    assert message.startswith("`bypass` left this unchanged: it would add a `auth-bypass` finding")


def test_an_import_rewrite_that_turns_a_deprecated_import_into_an_alias_is_withdrawn(
    tmp_path: Path,
) -> None:
    """`ENGINE = RequestScopedExecutionEngine` would become a compatibility alias of the
    canonical class (an `aliased-import` finding the file did not have): left for a human."""
    source = (
        "from netra_backend.app.agents.supervisor.request_scoped_execution_engine import (\n"
        "    RequestScopedExecutionEngine,\n"
        ")\n"
        "\n"
        "ENGINE = RequestScopedExecutionEngine\n"
    )

    result = rewrite(tmp_path, source, ("imports",))

    assert not result.changed
    assert manual(result) == [
        (
            "rewrite-withdrawn",
            5,
            "`imports` left this unchanged: it would add a `aliased-import` finding: "
            "compatibility alias `ENGINE = UserExecutionEngine`; change it by hand",
        )
    ]


def test_a_finding_that_only_changes_its_words_is_not_new(tmp_path: Path) -> None:
    """The singleton fix of a public module instance: its finding stays at the same line with
    other words (the getter is fixed, the global stays for its importers). Kept."""
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine_factory import (\n"
        "    ExecutionEngineFactory,\n"
        ")\n"
        "\n"
        "default_engine_factory = ExecutionEngineFactory()\n"
        "\n"
        "\n"
        "def get_default_engine_factory():\n"
        "    return default_engine_factory\n"
    )

    result = rewrite(tmp_path, source, ("singletons",), "netra_backend/app/factories.py")

    assert result.changes == {"singletons": 1}
    assert b"    return ExecutionEngineFactory()\n" in result.new
    assert [rule for rule, _, _ in manual(result)] == ["singleton"]


def test_manual_review_findings_carry_the_line_of_the_written_text(tmp_path: Path) -> None:
    """The import rewrite and the constructor conversion move lines; every finding a rewrite
    reports points at its code in the new text, not where it was before."""
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import (\n"
        "    ExecutionEngine,\n"
        "    UserExecutionContext,\n"
        ")\n"
        "\n"
        "\n"
        "def build(registry, bridge, context: UserExecutionContext):\n"
        "    return ExecutionEngine(registry, bridge, context)\n"
        "\n"
        "\n"
        "def configured(settings):\n"
        "    from netra_backend.app.agents.execution_engine_consolidated import ExecutionEngine\n"
        "    return ExecutionEngine(config=settings)\n"
    )

    result = rewrite(tmp_path, source, ordered_rules(("imports", "constructors")))

    new = result.new.decode().splitlines()
    call = new.index("    return ExecutionEngine(config=settings)") + 1
    local_import = call - 1
    assert call != 13, "the rewrite moved the lines: the test needs that"
    assert [(rule, line) for rule, line, _ in manual(result)] == [
        ("deprecated-import", local_import),
        ("constructor-signature", call),
    ]


@pytest.mark.parametrize(
    ("new_import", "missing"),
    [
        ("from pkg.gone import Engine", "pkg.gone"),  # no such module
        ("from pkg.engines import Motor as Engine", "pkg.engines.Motor"),  # no such name there
        ("import pkg.gone as Engine", "pkg.gone"),
    ],
)
def test_a_change_that_points_an_import_at_nothing_is_withdrawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_import: str, missing: str
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "engines.py").write_text("class Engine:\n    pass\n")
    old_import = "from pkg.engines import Engine"
    register(monkeypatch, Replace("repoint", old_import, new_import))
    source = f"{old_import}\n\nprint(Engine)\n"

    result = rewrite(tmp_path, source, ("repoint",), "app/user.py")

    assert not result.changed
    assert manual(result) == [
        (
            "rewrite-withdrawn",
            1,
            f"`repoint` left this unchanged: it would import `{missing}`, which the repository "
            "does not provide; change it by hand",
        )
    ]


def test_imports_outside_the_project_or_in_a_file_with_a_broken_one_are_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "star.py").write_text("from os.path import *\n")
    rename = Replace("rename_name", "old_name", "new_name")
    register(monkeypatch, rename)
    source = (
        "import numpy_not_installed  # outside the project\n"
        "from pkg.gone import old_name  # broken before the change too\n"
        "from pkg.star import old_name as other  # a star import: any name may be there\n"
    )

    result = rewrite(tmp_path, source, ("rename_name",), "app/user.py")

    assert result.changed and manual(result) == []


def test_the_import_check_visits_imports_in_the_order_ast_walk_gives() -> None:
    import ast

    from migrator.engine.withdraw import _imports

    source = (
        "import a\n"
        "def f():\n"
        "    import b\n"
        "    try:\n"
        "        import c\n"
        "    except ImportError:\n"
        "        from . import d\n"
        "    else:\n"
        "        import e\n"
        "    finally:\n"
        "        import g\n"
        "class C:\n"
        "    from h import *\n"
        "match x:\n"
        "    case 1:\n"
        "        import i\n"
        "if y:\n"
        "    import j\n"
        "else:\n"
        "    with z:\n"
        "        import k\n"
        "import m\n"
    )
    tree = ast.parse(source)
    walked = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert list(_imports(tree)) == walked
    names = [n.names[0].name for n in walked]
    assert names == ["a", "m", "b", "*", "j", "c", "e", "g", "i", "k", "d"]  # by depth


def test_a_measured_rewrite_leaves_no_cycle_for_the_collector(tmp_path: Path) -> None:
    """Both texts' scope indexes and pyflakes' scopes are taken apart when the file is done:
    reference counting frees them at once, and the collector has nothing to walk."""
    body = "\n".join(
        f"def f{i}(a, b=UserExecutionContext):\n    return a, b, os\n" for i in range(30)
    )
    source = f"import os\n{CONTEXT_IMPORT}{body}"
    gc.collect()
    gc.disable()
    try:
        result = rewrite(tmp_path, source, ("imports",))
        assert result.changes == {"imports": 1}
        assert result.new == f"import os\n{NEW_CONTEXT_IMPORT}{body}".encode()
    finally:
        gc.enable()
    assert gc.collect() == 0
