"""A chunk whose metrics after are worse than before on a ratcheted metric is never committed.

`canonical_import_usage` falling, or any other ratcheted metric rising (the raw count
`canonical_imports` is exempt), stops the run like a failing gate: the chunk's files are
restored byte for byte, nothing is committed, exit 1, and the message names the metric.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codemods import registry
from codemods.core.base import Analysis, TransformResult
from codemods.core.descriptor import Descriptor
from codemods.core.rules import RuleSet
from migrator.batch.run import worsened
from tests.batchkit import IDENTITY, cli, commit_count, hermetic_git, make_repo, snapshot, status

CANONICAL = "from pkg.new import Engine\n"
SPEC = (
    '[migration]\nname = "t"\ninclude = ["**/*.py"]\n\n'
    '[[rename]]\nold = "pkg.old.Engine"\nnew = "pkg.new.Engine"\n\n'
    '[[batch]]\nname = "week-1"\nrules = ["drop_canonical"]\npaths = ["**"]\ngate = []\n'
)


class DropCanonical:
    """Deletes an (unused) canonical import: no finding appears, no name goes undefined, but
    the share of canonical imports falls."""

    name = "drop_canonical"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return frozenset({CANONICAL.encode()})

    def analyze(self, parsed, rules: RuleSet) -> Analysis:
        return Analysis()

    def transform(self, parsed, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code.replace(CANONICAL, ""), [], 1)


def register(monkeypatch: pytest.MonkeyPatch, codemod) -> None:
    """Put a toy codemod into the registry for this test."""
    descriptor = Descriptor(
        name=codemod.name,
        section=codemod.name,
        read=lambda spec, value, key: value,
        needles=codemod.needles,
        codemod=codemod,
    )
    monkeypatch.setitem(registry.DESCRIPTORS, codemod.name, descriptor)


def test_worse_means_usage_falling_or_another_ratcheted_metric_rising() -> None:
    before = {"canonical_import_usage": 50.0, "canonical_imports": 4, "singletons": 1}
    assert worsened(before, {**before, "canonical_imports": 2}) == []
    assert worsened(before, {**before, "canonical_import_usage": 60.0, "singletons": 0}) == []
    assert worsened(before, {**before, "canonical_import_usage": 49.9, "singletons": 2}) == [
        "canonical_import_usage",
        "singletons",
    ]


def test_a_chunk_that_makes_a_metric_worse_is_restored_and_not_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, DropCanonical())
    hermetic_git(monkeypatch)
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    files = {
        "pkg/__init__.py": "",
        "pkg/new.py": "class Engine:\n    pass\n",
        "app/a.py": f"{CANONICAL}\nVALUE = 1\n",
        "app/b.py": "from pkg.old import Engine\n\nprint(Engine)\n",
    }
    repo = make_repo(tmp_path / "repo", files, SPEC)
    before, commits = snapshot(repo), commit_count(repo)

    result = cli("run", "week-1", "--repo", str(repo), "--jobs", "1", "--json")

    assert result.exit_code == 1, result.output
    assert (
        "week-1: chunk 1/1 would make canonical_import_usage 50.0 -> 0.0; restored 1 file(s), "
        "nothing committed for it"
    ) in result.output
    assert snapshot(repo) == before and status(repo) == ""
    assert commit_count(repo) == commits
    record = json.loads(result.stdout[result.stdout.index("{") :])
    assert record["outcome"] == "metrics-worse"
    assert record["chunks"][0]["status"] == "metrics-worse"
