"""The repository pre-pass: per-file facts cached by content, and read only where a run needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import commit, generate
from migrator.engine import importers
from migrator.engine.discover import discover
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("facts")
    generate(root, files=120, affected=0.3, seed=5, median_size=600)
    commit(root)
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counter = [0]
    real = importers.parse_or_none

    def counting(source: bytes):
        counter[0] += 1
        return real(source)

    monkeypatch.setattr(importers, "parse_or_none", counting)
    return counter


def files(root: Path) -> list[str]:
    return [p for p in discover(root, SPEC.include) if p.endswith(".py")]


def test_a_second_run_parses_no_unchanged_file(repo: Path, parses: list[int]) -> None:
    uncached = importers.repository_facts(repo, SPEC, files(repo), cache=False)
    cold = parses[0]
    assert cold > 30  # the generated tree's candidates
    first = importers.repository_facts(repo, SPEC, files(repo), cache=True)
    assert parses[0] == 2 * cold
    second = importers.repository_facts(repo, SPEC, files(repo), cache=True)
    assert parses[0] == 2 * cold  # every fact came from the cache
    assert first == second == uncached


def test_an_edited_file_alone_is_parsed_again(
    repo: Path, parses: list[int], tmp_path: Path
) -> None:
    importers.repository_facts(repo, SPEC, files(repo), cache=True)
    edited = next(p for p in files(repo) if b"ExecutionEngine" in (repo / p).read_bytes())
    original = (repo / edited).read_bytes()
    try:
        (repo / edited).write_bytes(original + b"\nX = 1\n")
        before = parses[0]
        importers.repository_facts(repo, SPEC, files(repo), cache=True)
        assert parses[0] == before + 1
    finally:
        (repo / edited).write_bytes(original)


def test_a_one_file_run_reads_the_facts_it_needs_not_every_file(
    repo: Path, parses: list[int]
) -> None:
    everything = importers.repository_facts(repo, SPEC, files(repo), cache=False)
    candidates = parses[0]
    one = next(p for p in files(repo) if b"import ExecutionEngine" in (repo / p).read_bytes())
    facts = importers.repository_facts(repo, SPEC, [one], cache=False)
    assert parses[0] - candidates < candidates / 3
    # The re-exports it can name are those of the whole repository that it names.
    assert set(facts.reexports) <= set(everything.reexports)
    assert facts.imported_elsewhere == frozenset()  # it binds no compatibility alias


def test_the_facts_are_kept_apart_for_each_set_of_canonical_paths() -> None:
    # A validator rule's new function is a canonical path: a file re-exporting it gives facts
    # only under a spec that has it, so a spec without it must not read those facts.
    canonical = 'new = "netra_backend.app.auth_integration.auth.validate_token_jwt"'
    assert default_spec_text().count(canonical) == 1
    without = parse_spec(
        default_spec_text().replace(canonical, canonical.replace("_jwt", "_v2")), "edited"
    )
    paths = importers.PathMap
    assert paths(without.rules).canonical != paths(SPEC.rules).canonical
    assert without.rules.renames == SPEC.rules.renames  # the renames alone do not tell
    assert importers.facts_namespace(without.rules) != importers.facts_namespace(SPEC.rules)
    assert importers.facts_namespace(SPEC.rules) == importers.facts_namespace(
        parse_spec(default_spec_text(), "again").rules
    )
