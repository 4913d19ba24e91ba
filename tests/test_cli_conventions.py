"""The usual command-line conventions: `--version`, and help that shows flags as flags."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import pytest
import typer
from typer.testing import CliRunner

from migrator.cli import app

COMMAND = typer.main.get_command(app)
COMMANDS = sorted(COMMAND.commands)  # type: ignore[attr-defined]


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"migrator {version('migrator')}\n"


def test_version_from_the_installed_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "migrator", "--version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"migrator {version('migrator')}\n",
        "",
    )


def test_top_level_help_lists_version_and_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=100)
    assert result.exit_code == 0
    assert re.search(r"^  --version +Print the version and exit\.$", result.stdout, re.M)
    for name in COMMANDS:
        assert re.search(rf"^  {name} ", result.stdout, re.M), name


@pytest.mark.parametrize("name", COMMANDS)
def test_help_shows_flags_without_a_type(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"], terminal_width=100)
    assert result.exit_code == 0
    text = result.stdout
    assert "<bool>" not in text and "BOOLEAN" not in text
    flags = [
        p
        for p in COMMAND.commands[name].params  # type: ignore[attr-defined]
        if p.param_type_name == "option" and getattr(p, "is_flag", False) and not p.hidden
    ]
    assert re.search(r"^  --help +Show this message and exit\.$", text, re.M)
    for flag in flags:
        spelled = ", ".join(sorted(flag.opts, key=len))
        # `--dry-run   Print the diff; ...`: the flag, then only spaces, then its help.
        assert re.search(rf"^  {re.escape(spelled)}  +\S", text, re.M), (name, spelled, text)


def test_run_help_names_the_values_it_takes() -> None:
    text = CliRunner().invoke(app, ["run", "--help"], terminal_width=100).stdout
    assert re.search(r"^  --dry-run +Print the diff; write nothing\.$", text, re.M)
    assert re.search(r"^  -i, --interactive +Choose hunk by hunk", text, re.M)
    assert re.search(r"^  --rule RULE +Only these rules \(repeatable\)\.$", text, re.M)
    assert re.search(r"^  --path GLOB +Only files matching this glob", text, re.M)
