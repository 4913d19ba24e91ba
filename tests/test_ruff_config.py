"""`migrator ruff-config`: a banned-api table that makes the real ruff flag deprecated imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.spec import default_spec_text, parse_spec

SUP = "netra_backend.app.agents.supervisor"
SPEC = parse_spec(default_spec_text(), "default")


def ruff_executable() -> str | None:
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.is_file() else shutil.which("ruff")


def ruff_config(*args: str) -> str:
    result = CliRunner().invoke(app, ["ruff-config", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_table_has_every_old_path_with_its_canonical_import(tmp_path: Path) -> None:
    table = tomllib.loads(ruff_config(str(tmp_path)))["tool"]["ruff"]["lint"][
        "flake8-tidy-imports"
    ]["banned-api"]
    old_paths = {rule.old for rule in SPEC.rules.renames}
    old_paths |= {old for rule in SPEC.rules.validators for old in rule.old}
    assert set(table) == old_paths
    assert table[f"{SUP}.execution_engine.ExecutionEngine"] == {
        "msg": f"deprecated: use `from {SUP}.user_execution_engine import UserExecutionEngine`"
    }


def test_ruff_toml_flavour_has_no_tool_prefix(tmp_path: Path) -> None:
    data = tomllib.loads(ruff_config(str(tmp_path), "--ruff-toml"))
    assert list(data) == ["lint"]


def test_ruff_flags_a_deprecated_import_with_the_canonical_import(tmp_path: Path) -> None:
    ruff = ruff_executable()
    if ruff is None:
        pytest.skip("ruff is not installed next to this Python or on PATH")
    config = '[tool.ruff.lint]\nselect = ["TID251"]\n\n' + ruff_config(str(tmp_path))
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "module.py").write_text(
        f"from {SUP}.execution_engine import ExecutionEngine\n"
        f"from {SUP}.user_execution_engine import UserExecutionEngine\n"
        "print(ExecutionEngine, UserExecutionEngine)\n"
    )
    result = subprocess.run(
        [ruff, "check", "--no-cache", "--output-format", "json", "module.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    reported = [(d["code"], d["location"]["row"], d["message"]) for d in json.loads(result.stdout)]
    assert reported == [
        (
            "TID251",
            1,
            f"`{SUP}.execution_engine.ExecutionEngine` is banned: "
            f"deprecated: use `from {SUP}.user_execution_engine import UserExecutionEngine`",
        )
    ]
