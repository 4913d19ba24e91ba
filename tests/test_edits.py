"""Fixes as data: text edits applied to the analyzed source."""

from __future__ import annotations

import pytest

from codemods.core.edits import Edit, OverlappingEdits, apply_edits


def test_edits_apply_in_offset_order_whatever_order_they_come_in() -> None:
    text = "from a import X\nfrom b import Y\n"
    edits = [Edit(21, 22, "c"), Edit(5, 6, "z"), Edit.insertion(len(text), "Z = 1\n")]
    assert apply_edits(text, edits) == "from z import X\nfrom c import Y\nZ = 1\n"


def test_an_identical_edit_counts_once_and_a_deletion_removes_its_range() -> None:
    text = "import a, b\n"
    assert apply_edits(text, [Edit.deletion(8, 11), Edit.deletion(8, 11)]) == "import a\n"


def test_overlapping_edits_and_edits_outside_the_text_are_refused() -> None:
    with pytest.raises(OverlappingEdits, match="overlaps an earlier one ending at 4"):
        apply_edits("abcdef", [Edit(0, 4, "x"), Edit(3, 5, "y")])
    with pytest.raises(ValueError, match="outside the text"):
        apply_edits("abc", [Edit(2, 9, "x")])
