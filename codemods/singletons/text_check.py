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
from codemods.core.text_checks import (
    NAME_BYTES,
    Source,
    assigns,
    commented,
    dotted_start,
    ends_continued,
    in_function,
    line_start,
    skip_back,
)
from codemods.core.values import FileContext

# After a callee's last name, up to the call's `(`: blanks, line breaks, continuations, the
# `)` of a parenthesized callee, and comments.
_CALL_GAP = re.compile(rb"(?:\s|\\|\)|#[^\r\n]*+)*+\(")
_BEFORE_CALLEE = b" \t\f(\\"  # between `=` and the callee on one line
_BEFORE_DECORATED = b" \t\f(\\\r\n"  # between `@` and a decorator's dotted name
# Before a dotted name's start, one of these may join it to more of it (`pkg . Name`,
# `(pkg).Name`): maybe.
_JOINED = b".)"


def declines(source: Source, context: FileContext, rules: RuleSet) -> bool:
    """True when no singleton shape can be in the file (read from its bytes)."""
    if not rules.singletons:
        return True
    if not source.readable_bytes:
        return False
    data = source.data
    shorts = {c.rpartition(".")[2] for rule in rules.singletons for c in rule.classes}
    if any(_in_code(data, short.encode()) for short in shorts if short):
        return False  # a rule's class named: its qualified names decide
    if _in_code(data, b"__new__") or _cache_decorated(data):
        return False  # a cached `__new__` or a cached getter
    suffixes = frozenset(s for rule in rules.singletons for s in rule.suffixes)
    return not any(_assigned(data, start) for start in _calls(data, suffixes))


def _in_code(data: bytes, word: bytes) -> bool:
    """Does `word` occur outside a comment?"""
    start = data.find(word)
    while start >= 0:
        if not commented(data, start):
            return True
        start = data.find(word, start + 1)
    return False


def _cache_decorated(data: bytes) -> bool:
    """May a decorator's last name be `cache` or `lru_cache` (`@functools.lru_cache(...)`,
    `@(cache)`)?"""
    start = data.find(b"cache")
    while start >= 0:
        end = start + len(b"cache")
        if end == len(data) or not NAME_BYTES[data[end]]:
            if _decorator(data, dotted_start(data, end)) and not commented(data, start):
                return True
        start = data.find(b"cache", end)
    return False


def _calls(data: bytes, suffixes: frozenset[str]) -> list[int]:
    """Where each callee's last name that ends in a suffix (or is `cls`) starts its match."""
    starts = []
    for _, start, end in _search(suffixes).find_matches_as_indexes(data, True):
        if (
            (end == len(data) or not NAME_BYTES[data[end]])
            and _CALL_GAP.match(data, end)
            and not commented(data, start)
        ):
            starts.append(start)
    return starts


def _decorator(data: bytes, name: int) -> bool:
    """May the dotted name starting at `name` be a decorator's (after `@`, blanks, `(` and line
    breaks between)? A line break into a line holding `#` ends the look: maybe."""
    reach = name
    while reach and data[reach - 1] in _BEFORE_DECORATED:
        if data[reach - 1] in b"\r\n":
            line = line_start(data, reach - 1)
            if b"#" in data[line : reach - 1]:
                return True
        reach -= 1
    return reach > 0 and (data[reach - 1] == ord("@") or data[reach - 1] in _JOINED)


def _assigned(data: bytes, start: int) -> bool:
    """Can the call whose callee's name ends at `start`'s match be an assigned value?"""
    before = skip_back(data, dotted_start(data, start), _BEFORE_CALLEE)
    if before and data[before - 1] == ord("="):
        return _may_hold(data, before - 1)
    # At a line's start, an enclosing bracket or a continuation may hold an assignment.
    return before == 0 or data[before - 1] in b"\r\n" or data[before - 1] in _JOINED


def _may_hold(data: bytes, equals: int) -> bool:
    """Can the `=` at `equals` be an assignment's to a target the analysis reports: a name
    (at a module's or a class's level, or declared `global` in its function), `cls.<attr>` or
    an `<attr>` starting with `_instance`? Not when it is part of `==`, `+=`, `:=` and the
    like, nor when its one target, alone in its statement (after a line's indentation or a
    `;`), is another attribute (`self.engine = `) or a name surely in a function's body."""
    if not assigns(data, equals):
        return False
    end = skip_back(data, equals, b" \t\f")
    target = dotted_start(data, end)
    dotted = data[target:end]
    if not dotted or dotted.startswith(b"."):
        return True
    attribute = b"." in dotted
    if attribute:
        parts = dotted.split(b".")
        if (len(parts) == 2 and parts[0] == b"cls") or parts[-1].startswith(b"_instance"):
            return True
    statement = skip_back(data, target, b" \t\f")
    if statement == 0 or data[statement - 1] == ord(";"):
        return not attribute
    if data[statement - 1] not in b"\r\n" or ends_continued(data, statement - 1):
        return True
    if attribute:
        return False
    return b"global" in data or not in_function(data, statement, target)


@cache
def _search(suffixes: frozenset[str]) -> BytesAhoCorasick:
    return BytesAhoCorasick(sorted(s.encode() for s in suffixes | {"cls"} if s))
