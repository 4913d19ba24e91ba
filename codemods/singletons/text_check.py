"""The singletons codemod's check of a file's bytes before a parse (`Descriptor.declines`).

Every shape the analysis reports needs, in the text, a rule's class named, a `__new__`, a
`cache` decorator, or an instance assigned: a call `= Callee(` whose callee's last name ends in
a rule's suffix (or is `cls`). A file with none of them is declined: the analysis would find
nothing. The check is a superset of those shapes (`tests/test_text_checks.py`).
"""

from __future__ import annotations

import re
from functools import cache

from ahocorasick_rs import BytesAhoCorasick

from codemods.core.rules import RuleSet
from codemods.core.text_checks import NAME_BYTES, Source, dotted_start, skip_back
from codemods.core.values import FileContext

# After a callee's last name, up to the call's `(`: blanks, line breaks, continuations, the
# `)` of a parenthesized callee, and comments.
_CALL_GAP = re.compile(rb"(?:\s|\\|\)|#[^\r\n]*+)*+\(")
_BEFORE_CALLEE = b" \t\f(\\"  # between `=` and the callee on one line


def declines(source: Source, context: FileContext, rules: RuleSet) -> bool:
    """True when no singleton shape can be in the file (read from its bytes)."""
    if not rules.singletons:
        return True
    if not source.readable_bytes:
        return False
    data = source.data
    shorts = {c.rpartition(".")[2] for rule in rules.singletons for c in rule.classes}
    if any(short and short.encode() in data for short in shorts):
        return False  # a rule's class named: its qualified names decide
    if b"__new__" in data or b"cache" in data:
        return False  # a cached `__new__` or a cached getter
    suffixes = frozenset(s for rule in rules.singletons for s in rule.suffixes)
    return not any(_assigned(data, start) for start in _calls(data, suffixes))


def _calls(data: bytes, suffixes: frozenset[str]) -> list[int]:
    """Where each callee's last name that ends in a suffix (or is `cls`) starts its match."""
    starts = []
    for _, start, end in _search(suffixes).find_matches_as_indexes(data, True):
        if (end == len(data) or not NAME_BYTES[data[end]]) and _CALL_GAP.match(data, end):
            starts.append(start)
    return starts


def _assigned(data: bytes, start: int) -> bool:
    """Can the call whose callee's name ends at `start`'s match be an assigned value?"""
    before = skip_back(data, dotted_start(data, start), _BEFORE_CALLEE)
    # At a line's start, an enclosing bracket or a continuation may hold an assignment.
    return before == 0 or data[before - 1] in b"=\r\n"


@cache
def _search(suffixes: frozenset[str]) -> BytesAhoCorasick:
    return BytesAhoCorasick(sorted(s.encode() for s in suffixes | {"cls"} if s))
