"""The rewrite path: codemods run in turn on each other's output, and the result must parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods import registry
from codemods.core.base import TransformResult
from codemods.core.descriptor import Descriptor
from codemods.core.rules import RuleSet
from migrator.engine.runner import Job, process_file


class Replace:
    """A toy codemod: replaces one string in files that contain it."""

    def __init__(self, name: str, old: str, new: str) -> None:
        self.name, self.old, self.new = name, old, new

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return frozenset({self.old.encode()})

    def transform(self, parsed, rules: RuleSet) -> TransformResult:
        code = parsed.code.replace(self.old, self.new)
        return TransformResult(code, [], changes=parsed.code.count(self.old))


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch):
    def add(*codemods: Replace) -> tuple[str, ...]:
        for codemod in codemods:
            descriptor = Descriptor(
                name=codemod.name,
                section=codemod.name,
                read=lambda spec, value, key: value,
                needles=codemod.needles,
                codemod=codemod,
            )
            monkeypatch.setitem(registry.DESCRIPTORS, codemod.name, descriptor)
        return tuple(c.name for c in codemods)

    return add


def test_each_codemod_sees_the_previous_ones_output(tmp_path: Path, register) -> None:
    (tmp_path / "m.py").write_text("alpha = 1\n")
    names = register(Replace("first", "alpha", "beta"), Replace("second", "beta", "gamma"))
    result = process_file(Job(str(tmp_path), RuleSet(), names, transform=True), "m.py")
    assert (result.error, result.new, result.changes) == (
        None,
        b"gamma = 1\n",
        {"first": 1, "second": 1},
    )


def test_a_change_followed_by_a_codemod_that_changes_nothing_is_kept(
    tmp_path: Path, register
) -> None:
    (tmp_path / "m.py").write_text("alpha = 1\n")
    names = register(Replace("first", "alpha", "beta"), Replace("idle", "alpha", "never"))
    result = process_file(Job(str(tmp_path), RuleSet(), names, transform=True), "m.py")
    assert (result.error, result.new, result.changes) == (None, b"beta = 1\n", {"first": 1})


@pytest.mark.parametrize("last", [True, False], ids=["last codemod", "followed by another"])
def test_output_that_does_not_parse_is_an_error_and_writes_nothing(
    tmp_path: Path, register, last: bool
) -> None:
    (tmp_path / "m.py").write_text("alpha = 1\n")
    broken = Replace("breaks", "alpha = 1", "alpha = (1")
    names = register(broken) if last else register(broken, Replace("after", "alpha", "x"))
    result = process_file(Job(str(tmp_path), RuleSet(), names, transform=True), "m.py")
    assert result.new is None
    assert result.error is not None
    assert result.error.startswith("codemod `breaks` produced code that does not parse: ")
