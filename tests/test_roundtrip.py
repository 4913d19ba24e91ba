"""Round trips: what no rule changes stays byte-identical; what changes keeps its file style.

A file's style (CRLF newlines, a UTF-8 BOM, no final newline) must commute with the migration:
rewriting the styled file gives the styled rewrite of the plain file, byte for byte.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from codemods import CODEMODS
from migrator.engine.runner import Job, process_file
from migrator.spec import default_spec_text, parse_spec
from tests.batchkit import cli, git, hermetic_git

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "fixtures" / "sample_repo"
FIXTURES = sorted((ROOT.parent / "codemods").glob("*/fixtures/*.before.py"))
RULES = parse_spec(default_spec_text(), "<default>").rules
BOM = b"\xef\xbb\xbf"


def crlf(source: bytes) -> bytes:
    return source.replace(b"\n", b"\r\n")


def bom(source: bytes) -> bytes:
    return BOM + source


def no_final_newline(source: bytes) -> bytes:
    return source.removesuffix(b"\n")


STYLES: dict[str, Callable[[bytes], bytes]] = {
    "crlf": crlf,
    "bom": bom,
    "no_final_newline": no_final_newline,
    "crlf_bom_no_final_newline": lambda s: bom(crlf(no_final_newline(s))),
}


def rewrite(root: Path, path: str, source: bytes) -> tuple[bytes, str | None]:
    """What the tool writes for `source` at `path` with every codemod (the run's own code path)."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source)
    result = process_file(Job(str(root), RULES, tuple(CODEMODS), transform=True), path)
    return (result.new if result.changed else source), result.error


@pytest.mark.parametrize(
    "style",
    [
        "crlf_bom_no_final_newline",  # all three at once in `make test`; each alone in fuzz
        *(
            pytest.param(name, marks=pytest.mark.slow)
            for name in ("crlf", "bom", "no_final_newline")
        ),
    ],
)
def test_file_style_commutes_with_every_codemod_fixture(tmp_path: Path, style: str) -> None:
    apply = STYLES[style]
    checked = 0
    for fixture in FIXTURES:
        plain = fixture.read_bytes()
        if b"\r" in plain or plain.startswith(BOM):
            continue  # already styled: the plain rewrite is not the reference
        path = f"netra_backend/app/services/{fixture.parent.name}_{fixture.stem[:-7]}.py"
        expected, error = rewrite(tmp_path / "plain", path, plain)
        styled, styled_error = rewrite(tmp_path / style, path, apply(plain))
        assert styled_error == error, fixture.name
        if error is None:
            assert styled == apply(expected), f"{fixture.parent.name}/{fixture.name}"
            checked += 1
    assert checked >= 50


def copy_sample(base: Path) -> Path:
    root = base / "sample"
    shutil.copytree(SAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")
    return root


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def line_endings(data: bytes) -> set[bytes]:
    endings = set()
    if b"\r\n" in data:
        endings.add(b"\r\n")
    if b"\n" in data.replace(b"\r\n", b""):
        endings.add(b"\n")
    if b"\r" in data.replace(b"\r\n", b""):
        endings.add(b"\r")
    return endings


def test_sample_repository_round_trip(tmp_path: Path, monkeypatch) -> None:
    """Every rule over the sample: untouched files byte-identical, changed files keep style."""
    hermetic_git(monkeypatch)
    root = copy_sample(tmp_path)
    before = files_of(root)
    preview = cli("run", "--repo", str(root), "--dry-run", "--jobs", "2", "--no-cache")
    assert preview.exit_code == 0, preview.output
    announced = {
        line.removeprefix("diff --git a/").split(" b/")[0]
        for line in preview.stdout.splitlines()
        if line.startswith("diff --git ")
    }
    result = cli("run", "--repo", str(root), "--no-commit", "--jobs", "2", "--no-cache")
    assert result.exit_code == 0, result.output
    after = files_of(root)
    assert after.keys() == before.keys()
    changed = {path for path in before if after[path] != before[path]}
    assert changed == announced and len(changed) >= 20
    for path in changed:
        old, new = before[path], after[path]
        assert line_endings(new) <= line_endings(old) | {b"\n"} and b"\r" not in new, path
        assert new.startswith(BOM) == old.startswith(BOM), path
        assert new.endswith(b"\n") == old.endswith(b"\n"), path
        new.decode("utf-8")
        compile(new, path, "exec")
