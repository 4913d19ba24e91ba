"""A fix as data: text edits anchored in the analyzed source, as ruff's `Fix`/`Edit`.

An analysis that knows the exact new text of a site attaches its edits to the finding
(`Finding.edits`); the rewrite applies them without parsing the file again. Parser-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `text[start:end]` (offsets in characters of the decoded source) with `content`."""

    start: int
    end: int
    content: str = ""

    @classmethod
    def insertion(cls, at: int, content: str) -> Edit:
        return cls(at, at, content)

    @classmethod
    def deletion(cls, start: int, end: int) -> Edit:
        return cls(start, end, "")


class OverlappingEdits(ValueError):
    """Two edits touch the same characters: the analysis decided one site twice."""


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with every edit applied; identical edits count once, overlapping ones raise."""
    ordered = sorted(set(edits))
    pieces: list[str] = []
    cursor = 0
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"edit {edit} lies outside the text ({len(text)} characters)")
        if edit.start < cursor:
            raise OverlappingEdits(f"edit {edit} overlaps an earlier one ending at {cursor}")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
