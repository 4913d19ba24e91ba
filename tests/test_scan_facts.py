"""A cached scan leaves the importer facts of each file it parses, for a later pre-pass to read."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.generate import commit, generate
from codemods import codemod_names
from migrator.cli import app
from migrator.engine import importers, runner
from migrator.engine.cache import ResultCache
from migrator.engine.discover import discover
from migrator.engine.scan import scan
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")
OLD = "netra_backend.app.agents.supervisor.execution_engine"
# Files with a facts needle that the scan does not parse: a syntax error, and an old name in a
# comment alone (no codemod reports there, so the scan reads but does not parse it).
UNPARSED = {
    "netra_backend/app/broken.py": f"from {OLD} import ExecutionEngine\ndef broken(:\n",
    "netra_backend/app/remark.py": "# ExecutionEngine moved\nVALUE = 1\n",
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scan-facts")
    generate(root, files=120, affected=0.3, seed=5, median_size=600)
    for path, text in UNPARSED.items():
        (root / path).write_text(text)
    commit(root)
    return root


@pytest.fixture
def repo(tree: Path) -> Path:
    """The tree with an empty cache."""
    shutil.rmtree(tree / ".git" / "migrator", ignore_errors=True)
    return tree


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The paths the scan parses (`AstFile`) in this process (the tests run with jobs=1)."""
    done: set[str] = set()
    real = runner.AstFile

    def recording(source, context):
        file = real(source, context)
        done.add(context.path)
        return file

    monkeypatch.setattr(runner, "AstFile", recording)
    return done


@pytest.fixture
def prepass_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources the pre-pass parses."""
    done: list[str] = []
    real = importers.parse_or_none

    def counting(source: bytes):
        done.append(source)
        return real(source)

    monkeypatch.setattr(importers, "parse_or_none", counting)
    return done


def files(root: Path) -> list[str]:
    return [p for p in discover(root, SPEC.include) if p.endswith(".py")]


def stored_facts(root: Path) -> dict[str, bytes]:
    with ResultCache(root, importers.facts_namespace(SPEC.rules)) as store:
        return store.payloads(files(root))


def prepass_payloads(root: Path, paths: list[str]) -> dict[str, bytes]:
    """What the pre-pass computes and stores of these files (`_FactIndex.get`)."""
    computed = importers._facts_of(root, SPEC.rules, paths)
    return {p: f.encode() if f else b"null" for p, f in zip(paths, computed, strict=True)}


def with_needle(root: Path) -> set[str]:
    search = importers._fact_tools(SPEC.rules)[1]
    assert search is not None
    return {p for p in files(root) if search.find_matches_as_indexes((root / p).read_bytes())}


def needle_free(root: Path) -> set[str]:
    """The files holding none of the scan's needles (the facts needles are among them)."""
    job = runner.Job(str(root), SPEC.rules, codemod_names())
    return {p for p in files(root) if not job.occurrences((root / p).read_bytes())}


def test_a_cached_scan_stores_the_prepass_facts_of_each_file_it_parses(
    repo: Path, parsed: set[str]
) -> None:
    scan(repo, SPEC, jobs=1, cache=True)
    stored = stored_facts(repo)
    # and of each file it found no needle in: `null`, as the pre-pass would find
    assert set(stored) == parsed | needle_free(repo)
    assert len(needle_free(repo)) == 80 and not parsed & needle_free(repo)
    assert stored == prepass_payloads(repo, sorted(stored))
    assert {stored[p] for p in needle_free(repo)} == {b"null"}
    # Files with facts, and files parsed for another codemod's needles (no facts: None).
    assert {p for p, payload in stored.items() if payload != b"null"} == parsed & with_needle(repo)
    assert parsed - with_needle(repo)
    assert not parsed & set(UNPARSED)


def test_after_a_cached_scan_the_prepass_parses_only_what_the_scan_did_not(
    repo: Path, parsed: set[str], prepass_parses: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    scan(repo, SPEC, jobs=1, cache=True)
    read: list[str] = []
    real_read = importers.read_no_follow

    def reading(path: str) -> bytes:
        read.append(str(Path(path).relative_to(repo)))
        return real_read(path)

    monkeypatch.setattr(importers, "read_no_follow", reading)
    facts = importers.repository_facts(repo, SPEC, files(repo), cache=True, whole=True)
    # It reads only the files the scan read but did not parse, holding one of its needles.
    assert read == [p for p in files(repo) if p not in parsed | needle_free(repo)]
    left = [p for p in files(repo) if p in with_needle(repo) - parsed]
    assert set(UNPARSED) < set(left) < with_needle(repo)
    assert prepass_parses == [(repo / p).read_bytes() for p in left]
    assert facts == importers.repository_facts(repo, SPEC, files(repo), cache=False, whole=True)


def test_a_scan_in_worker_processes_stores_the_same(repo: Path) -> None:
    scan(repo, SPEC, jobs=1, cache=True)
    inline = stored_facts(repo)
    shutil.rmtree(repo / ".git" / "migrator")
    scan(repo, SPEC, jobs=2, cache=True)  # 122 files: a pool's chunks
    assert stored_facts(repo) == inline


def test_a_scan_without_the_cache_stores_nothing(
    repo: Path, parsed: set[str], prepass_parses: list[bytes]
) -> None:
    done = CliRunner().invoke(app, ["scan", str(repo), "--no-cache", "--format", "json", "-j", "1"])
    assert done.exit_code == 0, done.output
    assert parsed
    assert not (repo / ".git" / "migrator").exists()
    importers.repository_facts(repo, SPEC, files(repo), cache=True, whole=True)
    assert len(prepass_parses) == len(with_needle(repo))


def test_a_file_python_may_decode_otherwise_is_left_to_the_prepass(
    tmp_path: Path, parsed: set[str]
) -> None:
    body = f"from {OLD} import ExecutionEngine\n__all__ = ['ExecutionEngine', 'é']\n"
    sources = {
        # Python rejects a cookie other than UTF-8 after a BOM; `decode` reads UTF-8.
        "bom.py": codecs.BOM_UTF8 + b"# coding: latin-1\n" + body.encode(),
        # A cookie beyond the 400 bytes `source_encoding` looks at: Python reads Latin-1.
        "late.py": b"# " + b"x" * 450 + b"\n# coding: latin-1\n" + body.encode(),
        "plain.py": body.encode(),
    }
    for name, source in sources.items():
        (tmp_path / name).write_bytes(source)
    commit(tmp_path)
    scan(tmp_path, SPEC, jobs=1, cache=True)
    assert parsed == set(sources)
    stored = stored_facts(tmp_path)
    assert set(stored) == {"plain.py"}
    assert stored == prepass_payloads(tmp_path, ["plain.py"])
    assert prepass_payloads(tmp_path, ["bom.py"]) == {"bom.py": b"null"}
    late = prepass_payloads(tmp_path, ["late.py"])["late.py"]
    assert late != stored["plain.py"]  # Python's `__all__` holds 'Ã©', not 'é'
