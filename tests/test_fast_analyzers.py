"""Every codemod decides in its `ast` analysis (no codemod keeps a LibCST one to compare with:
each is checked against its fixtures in tests/test_fast_<name>.py), and the corpus those
fixture checks and the model checks (tests/test_flags_used_names.py) read holds the generated
tree."""

from __future__ import annotations

from pathlib import Path

from codemods import CODEMOD_NAMES
from codemods.registry import fast_analyzer
from tests.parity import corpus_files, generated_tree


def test_every_codemod_has_a_fast_analyzer() -> None:
    assert all(fast_analyzer(name) is not None for name in CODEMOD_NAMES)


def test_generated_tree_is_in_the_corpus(tmp_path: Path) -> None:
    assert any(
        p.startswith("netra_backend/") for p, _ in corpus_files(generated_tree(str(tmp_path)))
    )
