"""Where a line of one version of a file sits in another: findings keep pointing at their code
after a rewrite added or removed lines above them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from difflib import SequenceMatcher

from codemods.core.values import Finding


def line_map(old: str, new: str) -> Callable[[int], int]:
    """old line number (1-based) -> the same line's number in `new`.

    Unchanged lines map exactly; a line inside a rewritten block maps to the line at the same
    offset in its replacement (its last line when the replacement is shorter); a deleted line
    maps to the line that now stands where it was.
    """
    if old == new:
        return lambda line: line
    before, after = old.splitlines(), new.splitlines()
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    last = max(len(after), 1)

    def shifted(line: int) -> int:
        index = line - 1
        for tag, i1, i2, j1, j2 in opcodes:
            if i1 <= index < i2:
                if tag == "equal":
                    return j1 + (index - i1) + 1
                if j2 > j1:
                    return min(j1 + (index - i1), j2 - 1) + 1
                return min(j1 + 1, last)
        return min(line, last)

    return shifted


def shift_findings(findings: Iterable[Finding], old: str, new: str) -> list[Finding]:
    """The findings, positioned in `old`, moved to their lines in `new` (columns unchanged)."""
    findings = list(findings)
    if old == new or not findings:
        return findings
    shifted = line_map(old, new)
    return [replace(f, line=shifted(f.line)) for f in findings]
