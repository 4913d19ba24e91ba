"""A file Python rejects is reported with Python's own message and line, everywhere."""

from __future__ import annotations

import json
from pathlib import Path

from tests.batchkit import OLD, cli, make_repo, register, spec_text

# 97 good lines, then an indented line where none may be: Python says line 98; LibCST says 1:1.
BROKEN = "".join(f"x{i} = {i}\n" for i in range(1, 97)) + f"{OLD}()\n    y = 2\n"
MESSAGE = "does not parse: unexpected indent (line 98)"


def broken_repo(tmp_path: Path, monkeypatch) -> Path:
    register(monkeypatch)
    return make_repo(tmp_path / "repo", {"pkg/broken.py": BROKEN, "pkg/ok.py": f"{OLD}()\n"})


def test_scan_reports_pythons_message_in_text_json_and_sarif(tmp_path: Path, monkeypatch) -> None:
    repo = broken_repo(tmp_path, monkeypatch)
    spec = ["--spec", str(repo / "migration.toml"), "-j", "1", "--no-cache"]
    text = cli("scan", str(repo), *spec)
    assert text.exit_code == 0
    assert f"error: pkg/broken.py: {MESSAGE}" in text.stdout.splitlines()
    data = json.loads(cli("scan", str(repo), *spec, "--format", "json").stdout)
    assert data["errors"] == [{"path": "pkg/broken.py", "message": MESSAGE}]
    sarif = json.loads(cli("scan", str(repo), *spec, "--format", "sarif").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [MESSAGE]
    location = notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "pkg/broken.py"


def test_run_record_carries_pythons_message(tmp_path: Path, monkeypatch) -> None:
    repo = broken_repo(tmp_path, monkeypatch)
    (repo / "migration.toml").write_text(spec_text())
    result = cli("run", "week-1", "--repo", str(repo), "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    entries = {entry["path"]: entry for entry in record["files"]}
    assert entries["pkg/broken.py"]["status"] == "error"
    assert entries["pkg/broken.py"]["error"] == MESSAGE


def test_message_for_each_kind_of_rejection() -> None:
    from migrator.engine.runner import python_parse_error

    assert python_parse_error(b"x = 1\ndef broken(:\n") == "invalid syntax (line 2)"
    assert python_parse_error(b"if x:\n    y\n  z\n") == (
        "unindent does not match any outer indentation level (line 3)"
    )
    assert python_parse_error(b"if x:\n\ty\n        z\n") == (
        "inconsistent use of tabs and spaces in indentation (line 3)"
    )
    assert python_parse_error(b"if x:\nb\n") == (
        "expected an indented block after 'if' statement on line 1 (line 2)"
    )
    assert python_parse_error(b"x = 1\x00\n") == "source code string cannot contain null bytes"
    assert python_parse_error(b"x = 1\n") is None


def test_an_indentation_error_is_not_asked_of_libcst(monkeypatch) -> None:
    from migrator.engine import runner

    asked: list[bytes] = []

    def libcst_reads(source):
        asked.append(source)
        return False  # LibCST rejects it too

    monkeypatch.setattr(runner, "libcst_reads", libcst_reads)
    assert runner.unparsable(BROKEN.encode()) == MESSAGE
    assert runner.unparsable(b"if x:\n\ty\n        z\n") == (
        "does not parse: inconsistent use of tabs and spaces in indentation (line 3)"
    )
    assert asked == []  # no newer Python reads indentation otherwise
    assert runner.unparsable(b"x = 1\ndef broken(:\n") == (
        "does not parse: invalid syntax (line 2)"
    )
    assert asked == [b"x = 1\ndef broken(:\n"]
