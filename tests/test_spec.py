"""The spec: the default loads; a bad spec gets one line naming the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.spec import SpecError, Target, default_spec_text, load_spec, parse_spec

MINIMAL = """\
[migration]
name = "demo"

[[rename]]
old = "pkg.old_mod.Engine"
new = "pkg.new_mod.UserEngine"
"""


def test_default_spec_carries_the_consolidation_map_and_four_batches() -> None:
    spec = parse_spec(default_spec_text(), "default")
    renames = {rule.old: rule.new for rule in spec.rules.renames}
    engine = "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine"
    factory = "netra_backend.app.agents.supervisor.execution_engine_factory.ExecutionEngineFactory"
    context = "netra_backend.app.services.user_execution_context.UserExecutionContext"
    app_ = "netra_backend.app."
    assert renames == {
        app_ + "agents.supervisor.execution_engine.ExecutionEngine": engine,
        app_ + "agents.supervisor.execution_engine.UserExecutionEngine": engine,
        app_ + "agents.supervisor.execution_engine.UserExecutionContext": context,
        app_
        + "agents.execution_engine_consolidated": f"{app_}agents.supervisor.user_execution_engine",
        app_ + "agents.execution_engine_consolidated.ExecutionEngine": engine,
        app_ + "agents.execution_engine_consolidated.RequestScopedExecutionEngine": engine,
        app_ + "agents.execution_engine_consolidated.ExecutionEngineFactory": factory,
        app_ + "agents.execution_engine_consolidated.UserExecutionContext": context,
        app_ + "agents.supervisor.request_scoped_execution_engine.RequestScopedExecutionEngine": (
            engine
        ),
        app_ + "agents.execution_engine_unified_factory.UnifiedExecutionEngineFactory": factory,
        app_ + "agents.execution_engine_unified_factory.ExecutionEngineFactory": factory,
        app_ + "agents.supervisor.execution_factory.ExecutionEngineFactory": factory,
        app_ + "core.managers.execution_engine_factory.ExecutionEngineFactory": factory,
    }
    assert [b.name for b in spec.batches] == ["week-1", "week-2", "week-3", "week-4"]
    (constructor,) = spec.rules.constructors
    assert constructor.params == ("registry", "websocket_bridge", "user_context")
    assert constructor.classmethods == ("_init_from_factory",)
    assert [name for name, _ in constructor.args] == [
        "context",
        "agent_factory",
        "websocket_emitter",
    ]
    assert spec.batch("week-1").targets == {"auth_bypasses": Target(max=0)}
    assert spec.batch("week-3").targets["canonical_import_usage"] == Target(min=90.0)
    assert [flag.name for flag in spec.rules.flags] == ["MOCK_AUTH_AVAILABLE"]


def test_minimal_spec_defaults() -> None:
    spec = parse_spec(MINIMAL, "m.toml")
    assert spec.include == ("**/*.py",)
    assert spec.batches == ()
    assert spec.rules.packages() == ("pkg",)
    assert spec.rules.renames[0].is_module is False


def test_issue_example_spec_is_accepted() -> None:
    text = (
        MINIMAL
        + """
[[rename]]
old = "pkg.consolidated"
new = "pkg.new_mod"

[[constructor]]
old = "pkg.old_mod.Engine"
new = "pkg.new_mod.UserEngine"
params = ["registry", "websocket_bridge", "user_context"]
classmethods = ["_init_from_factory"]
[constructor.args]
context = "{user_context}"
websocket_emitter = "emit({user_context}, {websocket_bridge})"
[constructor.imports]
emit = "pkg.emitters"

[[flag]]
name = "MOCK_AUTH_AVAILABLE"
value = false

[[consolidate]]
old = ["pkg.auth.validate_jwt"]
new = "pkg.unified.validate_token"

[[singleton]]
classes = ["pkg.factory.EngineFactory"]

[[batch]]
name = "week-3"
rules = ["imports", "constructors"]
paths = ["pkg/**"]
gate = [["python", "-m", "pytest", "-q", "tests/golden_path"]]
max_files_per_commit = 50
[batch.targets]
fragmented_imports = { max = 50 }
canonical_import_usage = { min = 90.0 }
"""
    )
    spec = parse_spec(text, "full.toml")
    assert spec.rules.renames[1].is_module is True
    assert spec.batches[0].gates[0].argv == ("python", "-m", "pytest", "-q", "tests/golden_path")
    assert spec.batches[0].targets["fragmented_imports"].met(50)
    assert not spec.batches[0].targets["fragmented_imports"].met(51)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINIMAL.replace("old =", "olde ="),
            "bad.toml:5: `rename[0].olde`: unknown key (did you mean `old`?)",
        ),
        (
            MINIMAL.replace('"pkg.old_mod.Engine"', '"pkg/old_mod.Engine"'),
            "bad.toml:5: `rename[0].old`: `pkg/old_mod.Engine` is not a dotted Python path"
            " like `package.module.Name`",
        ),
        (
            MINIMAL.replace('new = "pkg.new_mod.UserEngine"', "new = 3"),
            "bad.toml:6: `rename[0].new`: expected a non-empty string, got a number",
        ),
        (
            MINIMAL.replace('name = "demo"', 'nmae = "demo"'),
            "bad.toml:2: `migration.nmae`: unknown key (did you mean `name`?)",
        ),
        (
            MINIMAL + '\n[[batch]]\nname = "w"\nrules = ["imprts"]\n',
            "bad.toml:10: `batch[0].rules[0]`: unknown rule `imprts` (rules: flags, validators,"
            " singletons, constructors, imports)",
        ),
        (
            MINIMAL + '\n[[batch]]\nname = "w"\nrules = ["imports"]\n[batch.targets]\n'
            "fragmented = { max = 1 }\n",
            "bad.toml:12: `batch[0].targets.fragmented`: unknown key (did you mean"
            " `fragmented_imports`?)",
        ),
        (
            MINIMAL + "[[rename]]\nold = 1\n",
            "bad.toml:7: `rename[1].new`: missing required key",
        ),
        (
            MINIMAL + '\n[[batch]]\nname = "w"\nrules = ["imports"]\nmax_files_per_commit = 0\n',
            "bad.toml:11: `batch[0].max_files_per_commit`: expected a whole number of at least 1",
        ),
    ],
)
def test_bad_spec_errors_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(SpecError) as error:
        parse_spec(text, "bad.toml")
    assert str(error.value) == expected
    assert "\n" not in str(error.value)


def test_toml_syntax_error_names_file_and_line() -> None:
    with pytest.raises(SpecError) as error:
        parse_spec('[migration\nname = "x"\n', "broken.toml")
    message = str(error.value)
    assert message.startswith("broken.toml: invalid TOML: ")
    assert "line 1" in message


def test_load_spec_prefers_repo_file_then_default(tmp_path: Path) -> None:
    assert load_spec(None, tmp_path).source == "<built-in default spec>"
    (tmp_path / "migration.toml").write_text(MINIMAL)
    assert load_spec(None, tmp_path).name == "demo"


def test_cli_bad_spec_exits_2_with_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "migration.toml"
    spec.write_text(MINIMAL.replace("old =", "olde ="))
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {spec}:5: `rename[0].olde`: unknown key (did you mean `old`?)"]


def test_cli_missing_spec_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--spec", "nope.toml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: nope.toml: spec file not found"


def test_init_writes_default_spec_once(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "migration.toml").read_text() == default_spec_text()
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 2
    assert "already exists" in again.stderr
