"""Files the tool writes get the user's umask; files it rewrites keep their own mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from migrator.engine.fileio import atomic_write
from tests.batchkit import cli


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_umask_mode(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "report.html"
    atomic_write(target, b"<html></html>")
    assert target.read_bytes() == b"<html></html>"
    assert mode(target) == 0o640
    assert os.umask(0o027) == 0o027  # the umask itself is left as it was


def test_existing_file_keeps_its_mode(tmp_path: Path, umask_027: None) -> None:
    script, private = tmp_path / "tool.py", tmp_path / "secret.py"
    script.write_bytes(b"old\n")
    script.chmod(0o755)
    private.write_bytes(b"old\n")
    private.chmod(0o600)
    atomic_write(script, b"new\n")
    atomic_write(private, b"new\n")
    assert (mode(script), mode(private)) == (0o755, 0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.py", "tool.py"]


def test_baseline_and_spec_get_the_umask_mode(tmp_path: Path, umask_027: None) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    assert cli("init", str(tmp_path)).exit_code == 0
    assert cli("check", str(tmp_path), "--update-baseline", "-j", "1").exit_code == 0
    assert mode(tmp_path / "migration.toml") == 0o640
    assert mode(tmp_path / ".migrator-baseline.json") == 0o640
