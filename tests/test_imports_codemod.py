"""The imports codemod: before/after fixtures for every form, idempotence, findings, file styles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest

from codemods.core.base import FileContext, ParsedFile
from codemods.core.rules import RenameRule, RuleSet
from codemods.imports.codemod import ImportsCodemod
from migrator.spec import default_spec_text, parse_spec

FIXTURES = Path(__file__).parents[1] / "codemods" / "imports" / "fixtures"
DEFAULT_PATH = "netra_backend/app/services/sample.py"
RULES = parse_spec(default_spec_text(), "<default>").rules
MODULE_MOVE = RenameRule(
    "netra_backend.app.agents.legacy_engines", "netra_backend.app.agents.supervisor.engines"
)

SHIM_PATH = "netra_backend/app/agents/supervisor/execution_engine.py"
# case -> where the file sits (relative imports resolve against it)
PATHS = {
    "form04_relative": "netra_backend/app/agents/supervisor/runner.py",
    "form06_reexport": "netra_backend/app/agents/__init__.py",
    "form11_compat_alias": SHIM_PATH,
    "form11_compat_alias_unknown_importers": SHIM_PATH,
    "form11_compat_alias_imported_elsewhere": SHIM_PATH,
}
# case -> rules, when the default spec's are not the ones the case is about
SHIM_MODULE = "netra_backend.app.agents.supervisor.execution_engine"
CASE_RULES = {
    "form09_module_move": replace(RULES, renames=(*RULES.renames, MODULE_MOVE)),
    "form06_import_through_reexport": replace(
        RULES,
        reexports=(
            RenameRule(
                "netra_backend.app.agents.ExecutionEngine",
                "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine",
                "name",
            ),
        ),
    ),
    "form11_compat_alias": replace(RULES, imported_elsewhere=frozenset({"os.path"})),
    "form11_compat_alias_imported_elsewhere": replace(
        RULES, imported_elsewhere=frozenset({f"{SHIM_MODULE}.ExecutionEngine"})
    ),
}

CASES = sorted(p.name.removesuffix(".before.py") for p in FIXTURES.glob("*.before.py"))


def transform(source: str, path: str = DEFAULT_PATH, rules: RuleSet = RULES):
    return ImportsCodemod().transform(ParsedFile(source, FileContext.from_path(path)), rules)


def fixture_setup(case: str) -> tuple[FileContext, RuleSet]:
    """Where a fixture sits and the rules it runs under (for tests/test_fixtures.py)."""
    return FileContext.from_path(PATHS.get(case, DEFAULT_PATH)), CASE_RULES.get(case, RULES)


def test_every_fixture_has_its_after_file() -> None:
    afters = sorted(p.name.removesuffix(".after.py") for p in FIXTURES.glob("*.after.py"))
    assert afters == CASES
    assert len(CASES) >= 20


def test_file_without_needles_is_byte_identical() -> None:
    source = "import os\n\n\ndef f( x ):\n    return os.path.join(x,'a')  # hi\n"
    result = transform(source)
    assert result.code == source
    assert result.findings == [] and result.changes == 0


def test_crlf_and_missing_final_newline_are_kept() -> None:
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\r\n"
        "\r\n"
        "engine = ExecutionEngine"
    )
    result = transform(source)
    assert result.code == (
        "from netra_backend.app.agents.supervisor.user_execution_engine import "
        "UserExecutionEngine\r\n\r\nengine = UserExecutionEngine"
    )


def test_crlf_lines_added_after_a_kept_import_use_crlf() -> None:
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import helper, ExecutionEngine"
        "\r\nx = helper(ExecutionEngine)\r\n"
    )
    result = transform(source)
    assert result.code == (
        "from netra_backend.app.agents.supervisor.execution_engine import helper\r\n"
        "from netra_backend.app.agents.supervisor.user_execution_engine import "
        "UserExecutionEngine\r\nx = helper(UserExecutionEngine)\r\n"
    )


def test_results_do_not_depend_on_earlier_files() -> None:
    codemod = ImportsCodemod()
    first = (FIXTURES / "form02_from_alias.before.py").read_text()
    second = (FIXTURES / "collision_parameter_and_local.before.py").read_text()
    alone = transform(second).code
    codemod.transform(ParsedFile(first, FileContext.from_path(DEFAULT_PATH)), RULES)
    assert transform(second).code == alone


# ---- the runner's repository pre-pass (migrator.engine.importers) --------------------------------
CANONICAL = "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine"
PRE_PASS_FILES = {
    "netra_backend/app/agents/__init__.py": (
        "from .supervisor.execution_engine import ExecutionEngine\n"
        "from .helpers import ToolRegistry\n"
    ),
    "netra_backend/app/services/legacy.py": (
        f"from {CANONICAL.rpartition('.')[0]} import UserExecutionEngine\n\n"
        "Engine = UserExecutionEngine\n"
        '__all__ = ["Engine"]\n'
    ),
    "netra_backend/app/services/user.py": (
        "from netra_backend.app.services.legacy import Engine\n"
        "from ..agents import ExecutionEngine\n"
    ),
    "netra_backend/app/services/plain.py": "from .legacy import helper\n",
    "netra_backend/app/services/broken.py": "from .legacy import Engine\nif (\n",
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def test_pre_pass_finds_reexports_and_what_files_outside_the_run_import(tmp_path: Path) -> None:
    from migrator.engine.importers import repository_facts
    from migrator.spec import parse_spec

    write_tree(tmp_path, PRE_PASS_FILES)
    spec = parse_spec(default_spec_text(), "<default>")

    facts = repository_facts(tmp_path, spec, ["netra_backend/app/services/legacy.py"])

    assert facts.reexports == (
        RenameRule("netra_backend.app.agents.ExecutionEngine", CANONICAL, "name"),
        RenameRule("netra_backend.app.services.legacy.Engine", CANONICAL, "name"),
    )
    # legacy.py binds no compatibility alias (`Engine` is no moved name): nothing asks what
    # files outside the run import, so the pre-pass does not read them for it.
    assert facts.imported_elsewhere == frozenset()
    assert facts.renames == spec.rules.renames


def test_pre_pass_reads_what_files_outside_the_run_import_for_a_compatibility_alias(
    tmp_path: Path,
) -> None:
    from migrator.engine.importers import repository_facts
    from migrator.spec import parse_spec

    compat = "netra_backend/app/services/compat.py"
    module = CANONICAL.rpartition(".")[0]
    files = {**PRE_PASS_FILES, compat: f"from {module} import UserExecutionEngine\n\n"}
    files[compat] += "ExecutionEngine = UserExecutionEngine\n"
    write_tree(tmp_path, files)
    spec = parse_spec(default_spec_text(), "<default>")

    facts = repository_facts(tmp_path, spec, [compat])

    assert facts.imported_elsewhere == frozenset(
        {
            "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine",
            "netra_backend.app.services.legacy.Engine",
            "netra_backend.app.agents.ExecutionEngine",
            "netra_backend.app.agents.helpers.ToolRegistry",
            CANONICAL,
        }
    )


def test_compat_alias_outside_deprecated_modules_goes_once_nothing_imports_it() -> None:
    source = (
        f"from {CANONICAL.rpartition('.')[0]} import UserExecutionEngine\n\n"
        "RequestScopedExecutionEngine = UserExecutionEngine\n"
        "engine_class = UserExecutionEngine\n"
    )
    old = "netra_backend.app.services.legacy.RequestScopedExecutionEngine"
    alias = RenameRule(old, CANONICAL, "name")
    path = "netra_backend/app/services/legacy.py"
    free = replace(RULES, reexports=(alias,), imported_elsewhere=frozenset())
    used = replace(free, imported_elsewhere=frozenset({alias.old}))

    assert transform(source, path, free).code == (
        f"from {CANONICAL.rpartition('.')[0]} import UserExecutionEngine\n"
        "engine_class = UserExecutionEngine\n"
    )
    kept = transform(source, path, used)
    assert kept.code == source
    assert [f.message for f in kept.findings] == [
        "compatibility alias `RequestScopedExecutionEngine` kept: files outside this run import "
        f"`{old}`"
    ]


def test_a_variable_holding_the_class_is_not_a_compatibility_alias() -> None:
    """`engine = ExecutionEngine` becomes `engine = UserExecutionEngine` and then stays."""
    source = (
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
        "engine = ExecutionEngine\n"
    )
    facts = replace(RULES, imported_elsewhere=frozenset())
    once = transform(source, "pkg/holder.py", facts)
    assert once.code == (
        "from netra_backend.app.agents.supervisor.user_execution_engine import "
        "UserExecutionEngine\nengine = UserExecutionEngine\n"
    )
    assert transform(once.code, "pkg/holder.py", facts).code == once.code


@pytest.mark.parametrize(
    ("prefix", "encoding", "newline"),
    [
        (b"\xef\xbb\xbf", "utf-8", b"\r\n"),
        (b"# -*- coding: latin-1 -*-\n", "latin-1", b"\n"),
    ],
    ids=["bom-crlf", "latin-1"],
)
def test_runner_keeps_bom_encoding_and_newlines(
    tmp_path: Path, prefix: bytes, encoding: str, newline: bytes
) -> None:
    from migrator.engine.runner import Job, process_file

    lines = [
        "from netra_backend.app.agents.supervisor.execution_engine import UserExecutionContext",
        'GREETING = "Grüße"',
        "ctx = UserExecutionContext()",  # a call: `ctx = UserExecutionContext` is an alias
    ]
    source = prefix + newline.join(line.encode(encoding) for line in lines)
    (tmp_path / "mod.py").write_bytes(source)

    result = process_file(Job(str(tmp_path), RULES, ("imports",), transform=True), "mod.py")

    moved = "from netra_backend.app.services.user_execution_context import UserExecutionContext"
    expected = [moved, *lines[1:]]
    assert result.error is None
    assert result.new == prefix + newline.join(line.encode(encoding) for line in expected)


SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"


def test_every_sample_file_rewrites_to_parsing_code_once() -> None:
    """Each parsable sample file: the output parses and a second run changes nothing."""
    from codemods.validators.codemod import ValidatorsCodemod

    changed = 0
    for file in sorted(SAMPLE.rglob("*.py")):
        path = file.relative_to(SAMPLE).as_posix()
        try:
            parsed = ParsedFile(file.read_bytes(), FileContext.from_path(path))
        except cst.ParserSyntaxError:
            continue
        for codemod in (ValidatorsCodemod(), ImportsCodemod()):
            once = codemod.transform(parsed, RULES).code
            if once == parsed.code:
                continue
            changed += 1
            again = ParsedFile(once, parsed.context)
            assert codemod.transform(again, RULES).code == once, f"{codemod.name}: {path}"
            parsed = again
    # validators: the 5 callers of the legacy `validate_token` (the shim itself has no call of
    # it); imports: 22 files, not engine_config_service.py: its call does not fit the new class
    assert changed == 27
