"""The repository pre-pass: per-file facts cached by content, and read only where a run needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import commit, generate
from codemods.core.values import FileContext
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


def whole_facts(root: Path, selected: list[str], cache: bool) -> importers.RuleSet:
    """The pre-pass reading every fact of each file it reads (as `plan`'s does)."""
    return importers.repository_facts(root, SPEC, selected, cache=cache, whole=True)


def test_a_second_run_parses_no_unchanged_file(repo: Path, parses: list[int]) -> None:
    uncached = whole_facts(repo, files(repo), cache=False)
    cold = parses[0]
    assert cold == len(candidates(repo)) == 37
    first = whole_facts(repo, files(repo), cache=True)
    assert parses[0] == 2 * cold
    second = whole_facts(repo, files(repo), cache=True)
    assert parses[0] == 2 * cold  # every fact came from the cache
    assert first == second == uncached


def candidates(root: Path) -> list[str]:
    """The files holding a facts needle: those the pre-pass reads further."""
    search = importers._fact_tools(SPEC.rules)[1]
    assert search is not None
    return [p for p in files(root) if search.find_matches_as_indexes((root / p).read_bytes())]


def test_a_run_over_every_file_parses_only_those_that_may_re_export(
    repo: Path, parses: list[int]
) -> None:
    """A run's own files need no imports: a file whose bytes show that it neither re-exports
    a moved name nor binds an alias is not parsed, and the facts are the same."""
    facts = importers.repository_facts(repo, SPEC, files(repo), cache=False)
    assigns = importers.alias_assignment(importers.old_names(importers.PathMap(SPEC.rules)))
    may = [
        path
        for path in candidates(repo)
        if importers.may_reexport((repo / path).read_bytes(), FileContext.from_path(path), assigns)
    ]
    assert len(may) == parses[0] == 2
    assert facts == whole_facts(repo, files(repo), cache=False)
    assert parses[0] == 2 + 37


def test_an_edited_file_alone_is_parsed_again(
    repo: Path, parses: list[int], tmp_path: Path
) -> None:
    whole_facts(repo, files(repo), cache=True)
    edited = next(p for p in files(repo) if b"ExecutionEngine" in (repo / p).read_bytes())
    original = (repo / edited).read_bytes()
    try:
        (repo / edited).write_bytes(original + b"\nX = 1\n")
        before = parses[0]
        whole_facts(repo, files(repo), cache=True)
        assert parses[0] == before + 1
    finally:
        (repo / edited).write_bytes(original)


def test_a_one_file_run_reads_the_facts_it_needs_not_every_file(
    repo: Path, parses: list[int]
) -> None:
    everything = whole_facts(repo, files(repo), cache=False)
    read = parses[0]
    one = next(p for p in files(repo) if b"import ExecutionEngine" in (repo / p).read_bytes())
    facts = importers.repository_facts(repo, SPEC, [one], cache=False)
    assert parses[0] - read < read / 3
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
