"""The imports codemod's check of a file's bytes before a parse (`Descriptor.declines`).

Everything the analysis reports or counts sits where one of its needles is a whole name: in an
import statement, in a string (a path), or as the value of an assignment (a compatibility
alias); or the file's own module path holds a needle (its relative imports). An occurrence of
a needle in a comment (`commented`) is not; another is looked at from where its dotted name
starts:

- a quote right before it: maybe a path string, if the dotted name holds a dot and the same
  quote closes it (a path string's value is the whole dotted path);
- else a quote or the file's start before it (blanks, `(` and line breaks between): maybe;
- an `=` before it: maybe an alias, if a name alone, at a line's start, is assigned;
- else, back over names, dots, commas, parentheses, blanks, continuations, line breaks and the
  comments of the lines crossed (a `#` that may be in a string ends the look), the keyword
  `import` or `from`: maybe an import.

A file where no occurrence may matter is declined: the analysis would find nothing. A needle
inside a longer name (`StronglyTypedUserExecutionContext`) is not one (`tests/test_text_checks.py`).
"""

from __future__ import annotations

import re

from codemods.core.rules import RuleSet
from codemods.core.text_checks import (
    DOTTED_NAME_BYTES,
    NAME_BYTES,
    Source,
    assigns,
    commented,
    dotted_start,
    ends_continued,
    is_word,
    line_start,
    skip_back,
)
from codemods.core.values import FileContext
from codemods.imports.fast import needle_words

_BEFORE_VALUE = b" \t\f(\\\r\n"  # between `=` (or a quote) and a name
_IN_IMPORT = bytes(
    1 if NAME_BYTES[byte] or bytes([byte]) in b"., ()\t\f\\" else 0 for byte in range(256)
)
_KEYWORD = re.compile(rb"\b(?:import|from)\b")


def declines(source: Source, context: FileContext, rules: RuleSet) -> bool:
    """True when no import, path string or alias of the file can hold one of the needles."""
    if not source.readable_bytes:
        return False
    if any(needle in context.module for needle in needle_words(rules)):
        return False
    data = source.data
    return not any(
        is_word(data, start, end) and _may_matter(data, start)
        for start, end in source.occurrences("imports")
    )


def _may_matter(data: bytes, start: int) -> bool:
    if commented(data, start):
        return False
    name = dotted_start(data, start)
    if name and data[name - 1] in b"\"'":
        return _may_be_path(data, name)
    before = skip_back(data, name, _BEFORE_VALUE)
    if before == 0 or data[before - 1] in b"\"'":
        return True
    if data[before - 1] == ord("="):
        return _may_be_alias(data, before - 1)
    return _after_import_keyword(data, name, start)


def _after_import_keyword(data: bytes, name: int, start: int) -> bool:
    """Back from the dotted name at `name`, over names, dots, commas, parentheses, blanks,
    continuations, line breaks and the comments of the lines crossed, is there an `import`
    or `from` keyword? A line crossed whose `#` may be in a string ends the look: maybe."""
    reach, searched_to = name, start
    while reach:
        byte = data[reach - 1]
        if byte in b"\r\n":
            line = line_start(data, reach - 1)
            comment = data.find(b"#", line, reach - 1)
            if comment >= 0:
                if not commented(data, comment + 1):
                    return True
                if _KEYWORD.search(data, reach, searched_to):
                    return True
                reach = searched_to = comment  # on from the comment's start
                continue
        elif not _IN_IMPORT[byte]:
            break
        reach -= 1
    return _KEYWORD.search(data, reach, searched_to) is not None


def _may_be_path(data: bytes, name: int) -> bool:
    """Can the literal opening right before the dotted name at `name` be a path string? Its
    value is the whole dotted name, with a dot in it (`DOTTED_PATH`), so the same quote closes
    it right after the name."""
    end = name
    while end < len(data) and DOTTED_NAME_BYTES[data[end]]:
        end += 1
    return b"." in data[name:end] and end < len(data) and data[end] == data[name - 1]


def _may_be_alias(data: bytes, equals: int) -> bool:
    """Can the `=` at `equals` be a compatibility alias's: a module-level statement (at a
    line's start, after no indentation) assigning one name? Not an `==`, `+=` or `:=`, nor an
    assignment to an attribute, to several targets or inside a block; maybe wherever the
    text alone cannot tell (`(Alias) =`, a line after `;` or a continued line)."""
    if not assigns(data, equals):
        return False
    end = skip_back(data, equals, b" \t")
    if end and data[end - 1] == ord(")"):
        return True
    target = end
    while target and NAME_BYTES[data[target - 1]]:
        target -= 1
    if target == end:
        return False  # a subscript, a starred or a tuple target
    indented = skip_back(data, target, b" \t")
    if indented == 0:
        return True  # the file's first line
    byte = data[indented - 1]
    if byte in b"\r\n":
        return indented == target or ends_continued(data, indented - 1)
    return byte in b";\f\\"
