"""The imports codemod's check of a file's bytes before a parse (`Descriptor.declines`).

Everything the analysis reports or counts sits where one of its needles is a whole name: in an
import statement, in a string (a path), or as the value of an assignment (a compatibility
alias); or the file's own module path holds a needle (its relative imports). An occurrence of
a needle in a comment (`commented`) is not; another is looked at from where its dotted name
starts:

- an `=` or a quote before it (blanks, `(` and line breaks between): maybe an alias or a path;
- else, back over names, dots, commas, parentheses, blanks, continuations and line breaks (a
  line break into a line holding `#` ends the look: an import may hold a comment), the
  keyword `import` or `from`: maybe an import.

A file where no occurrence may matter is declined: the analysis would find nothing. A needle
inside a longer name (`StronglyTypedUserExecutionContext`) is not one (`tests/test_text_checks.py`).
"""

from __future__ import annotations

import re

from codemods.core.rules import RuleSet
from codemods.core.text_checks import (
    NAME_BYTES,
    Source,
    commented,
    dotted_start,
    is_word,
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
    before = skip_back(data, name, _BEFORE_VALUE)
    if before == 0 or data[before - 1] in b"=\"'":
        return True
    reach = name
    while reach:
        byte = data[reach - 1]
        if byte in b"\r\n":
            line = max(data.rfind(b"\n", 0, reach - 1), data.rfind(b"\r", 0, reach - 1)) + 1
            if b"#" in data[line : reach - 1]:
                return True
        elif not _IN_IMPORT[byte]:
            break
        reach -= 1
    return _KEYWORD.search(data, reach, start) is not None
