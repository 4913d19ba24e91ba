"""Every fast analyzer reports exactly what its LibCST codemod reports, file by file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from codemods import CODEMOD_NAMES, CODEMODS
from codemods.core.tree import Unsupported
from codemods.registry import fast_analyzer
from migrator.spec import default_spec_text, parse_spec
from tests.parity import both, corpus_files, generated_tree, normalized
from tests.strategies import any_program

RULES = parse_spec(default_spec_text(), "default").rules
# The codemods that still keep a LibCST analysis to compare with (flags, constructors,
# singletons, validators and imports decide in their `ast` analysis alone:
# tests/test_fast_<name>.py; imports also tests/test_imports_edits.py).
FAST = [
    name
    for name in CODEMOD_NAMES
    if fast_analyzer(name) is not None and hasattr(CODEMODS[name], "analyze")
]


@pytest.mark.parametrize("name", FAST)
def test_fast_analysis_equals_libcst_on_every_corpus_file(name: str, tmp_path_factory) -> None:
    generated = generated_tree(str(tmp_path_factory.getbasetemp()))
    analyze = fast_analyzer(name)
    compared = unsupported = 0
    mismatches = []
    for path, source in corpus_files(generated):
        pair = both(path, source)
        if pair is None:
            continue
        parsed, fast_file = pair
        expected = normalized(CODEMODS[name].analyze(parsed, RULES))
        try:
            actual = normalized(analyze(fast_file, RULES))
        except Unsupported:
            unsupported += 1
            continue
        compared += 1
        if actual != expected:
            mismatches.append((path, expected, actual))
    assert mismatches == []
    assert compared > 250 and unsupported <= compared // 50, (compared, unsupported)


def test_every_codemod_has_a_fast_analyzer() -> None:
    assert all(fast_analyzer(name) is not None for name in CODEMOD_NAMES)


def test_generated_tree_is_in_the_corpus(tmp_path: Path) -> None:
    assert any(
        p.startswith("netra_backend/") for p, _ in corpus_files(generated_tree(str(tmp_path)))
    )


@given(any_program())
def test_fast_analysis_equals_libcst_on_generated_programs(source: str) -> None:
    pair = both("netra_backend/app/agents/supervisor/generated.py", source.encode())
    if pair is None:
        return
    parsed, fast_file = pair
    for name in FAST:
        expected = normalized(CODEMODS[name].analyze(parsed, RULES))
        try:
            actual = normalized(fast_analyzer(name)(fast_file, RULES))
        except Unsupported:
            continue
        assert actual == expected, name
