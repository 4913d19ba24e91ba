"""Questions a file's text answers before any parse: can a name be written where it matters?

Each answer is "no" only when no qualified name, call or import of the file can be the one asked
about, so an analysis (or the runner, before it parses) may skip the file on it. Where the
file's identifiers are not written as Python reads them (NFKC normalization changes one), the
text cannot tell, and every answer is "maybe".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, cached_property
from typing import AnyStr

from ahocorasick_rs import AhoCorasick

_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")
# After a callee's last name, up to the call's `(` (or a subscript's `[`, or an import's `as`);
# possessive: the gap's parts never overlap, so nothing is tried twice.
_CALLEE_END = re.compile(r"(?:\s|\\|\)|#[^\n]*+)*+(?:[(\[]|as\b)")


# Bytes that may be part of a name (a byte >= 0x80: of a non-ASCII one), and of a dotted one.
NAME_BYTES = bytes(
    1 if byte >= 0x80 or byte == ord("_") or chr(byte).isalnum() else 0 for byte in range(256)
)
DOTTED_NAME_BYTES = bytes(1 if NAME_BYTES[byte] or byte == ord(".") else 0 for byte in range(256))


class Source:
    """A file's bytes before any parse, with where each codemod's needles occur in them
    (byte offsets, overlapping occurrences included, from the runner's one needle pass)."""

    def __init__(self, data: bytes, where: dict[str, Sequence[tuple[int, int]]]) -> None:
        self.data = data
        self.where = where

    def occurrences(self, codemod: str) -> Sequence[tuple[int, int]]:
        """(start, end) of each occurrence of one of the codemod's needles."""
        return self.where.get(codemod, ())

    @cached_property
    def text(self) -> str:
        """The text Python reads (raises as `codemods.core.tree.decode` does)."""
        from codemods.core.tree import decode

        return decode(self.data)

    @cached_property
    def plain(self) -> bool:
        """`plain_identifiers` of the text; an ASCII file's are, without decoding it."""
        return self.data.isascii() or plain_identifiers(self.text)

    @cached_property
    def readable_bytes(self) -> bool:
        """Whether the bytes can be read as the text: UTF-8 (each byte of a multi-byte
        character is >= 0x80, so no ASCII byte is part of one) with plain identifiers."""
        if self.data.isascii():
            return True
        from codemods.core.tree import source_encoding

        return source_encoding(self.data) in ("utf-8", "utf-8-sig") and self.plain


def plain_identifiers(text: str) -> bool:
    """Whether every word of the text is as NFKC normalization leaves it: then each name
    `ast` gives is spelled so in the text. Free for ASCII or already-normalized text."""
    return (
        text.isascii()
        or unicodedata.is_normalized("NFKC", text)
        or all(
            unicodedata.normalize("NFKC", word) == word for word in _NON_ASCII_WORD.findall(text)
        )
    )


def may_call(text: str, names: Iterable[str], plain: bool | None = None) -> bool:
    """False when no call in the text can have a callee whose last name is one of `names`,
    nor one bound by an import `as` of one: no such name is spelled where a callee or an
    imported name ends (before `(`, `[`, `)` or `as`, with blanks, line breaks and comments
    between), outside a comment (`commented`). A qualified name's last component is one of
    those two (`Scope` rules).

    `plain`: `plain_identifiers(text)` when the caller knows it."""
    if not (plain_identifiers(text) if plain is None else plain):
        return True
    wanted = frozenset(name for name in names if name)
    if not wanted:
        return False
    for _, start, end in _finder(wanted).find_matches_as_indexes(text, True):
        if (
            (start == 0 or not ("a" + text[start - 1]).isidentifier())
            and _CALLEE_END.match(text, end)
            and not commented(text, start)
        ):
            return True
    return False


def may_name(text: str, module: str, path: str, plain: bool | None = None) -> bool:
    """False when no qualified name of the file (of dotted module name `module`) can be the
    dotted `path`: each component of one is spelled in the text (an import, a name, an
    attribute) or comes from the module path (a relative import, the module's own names)."""
    if not (plain_identifiers(text) if plain is None else plain):
        return True
    parts = module.split(".")
    return all(part in text or part in parts for part in path.split("."))


@cache
def _finder(names: frozenset[str]) -> AhoCorasick:
    """Every occurrence of each name, overlapping ones included."""
    return AhoCorasick(sorted(names))


def dotted_start(data: bytes, end: int) -> int:
    """Where the dotted name (`a.b.Name`) that ends at byte `end` of `data` starts."""
    start = end
    while start and DOTTED_NAME_BYTES[data[start - 1]]:
        start -= 1
    return start


def skip_back(data: bytes, end: int, skipped: bytes) -> int:
    """Where the run of `skipped` bytes that ends at byte `end` of `data` starts."""
    start = end
    while start and data[start - 1] in skipped:
        start -= 1
    return start


def commented(data: AnyStr, start: int) -> bool:
    """Is the character at `start` surely not code: its line holds a `#` before it, and no quote
    and no `{` before it? That `#` starts a comment; or the line starts inside a string, which
    runs on past `start` (no quote closes it first) with no replacement field of an f-string
    opened in between. Type comments are comments: the analyses parse without them."""
    marks = _BYTE_MARKS if isinstance(data, bytes) else _TEXT_MARKS
    newline, carriage, hash_ = marks[0], marks[1], marks[2]
    line = max(data.rfind(newline, 0, start), data.rfind(carriage, 0, start)) + 1
    if data.find(hash_, line, start) < 0:
        return False
    return all(data.find(mark, line, start) < 0 for mark in marks[3:])


_BYTE_MARKS = (b"\n", b"\r", b"#", b"'", b'"', b"{")
_TEXT_MARKS = ("\n", "\r", "#", "'", '"', "{")


def assigns(data: bytes, equals: int) -> bool:
    """Can the `=` at `equals` be an assignment's: not the end of `==`, `<=`, `!=`, `:=`, `+=`
    or another operator's?"""
    return not (equals and data[equals - 1] in _OPERATOR_BYTES)


_OPERATOR_BYTES = b"=!<>:+-*/%&|^@"


def is_word(data: bytes, start: int, end: int) -> bool:
    """Is `data[start:end]` a whole name, not part of a longer one?"""
    return not (start and NAME_BYTES[data[start - 1]]) and not (
        end < len(data) and NAME_BYTES[data[end]]
    )


_DEF = re.compile(rb"(?:async[ \t]+)?def[ \t]")
_TRIPLE_QUOTES = (b'"""', b"'''")


def in_function(data: bytes, line: int, statement: int) -> bool:
    """Is the statement at `statement`, the first on its line (which starts at `line`), surely
    in a function's body? Back from it, each line indented less than all below it (blank and
    comment lines aside) is a header of a block holding it; one of them a `def`, it is. A
    header over several lines whose last line starts with `)` (`def f(\\n    a,\\n):`) is
    read from its first line, indented as the `)`.

    Only lines of code say so. A string over several lines is passed whole, from its closing
    line to its opening one; the look stops (not surely) at a line that ends with a backslash,
    holds a quote besides its triple quotes or more than one string's, at a tab or a form feed
    in an indentation, and at the module's level. A line of a bracket's continuation indented
    less lowers the level and may hide a header: then the answer is "not surely"."""
    indentation = data[line:statement]
    if not indentation or b"\t" in indentation or b"\f" in indentation:
        return False
    level = len(indentation)
    closing: int | None = None  # the indentation of a header's last line starting with `)`
    end = line
    while end > 0:
        start = line_start(data, end - 1)
        text = data[start : end - 1].removesuffix(b"\r")
        if text.endswith(b"\\"):
            return False
        quoted = _string_lines(data, start, text)
        if quoted is None:
            return False
        start, text = quoted
        end = start
        code = text.lstrip(b" ")
        if not code.strip() or code.startswith(b"#"):
            continue
        indent = len(text) - len(code)
        if code[:1] in b"\t\f":
            return False
        if closing is not None:  # inside the header's brackets until a line at its indentation
            if indent > closing:
                continue
            return indent == closing and _is_def(data, start, code)
        if indent < level:
            if _is_def(data, start, code):
                return True
            if code.startswith(b")") and code.rstrip().endswith(b":"):
                closing = indent
                continue
            level = indent
            if level == 0:
                return False
    return False


def line_start(data: bytes, line_break: int) -> int:
    """Where the line ending at the line break at `line_break` starts."""
    return max(data.rfind(b"\n", 0, line_break), data.rfind(b"\r", 0, line_break)) + 1


def _is_def(data: bytes, start: int, code: bytes) -> bool:
    """Is the line at `start` (its code `code`) a `def`: not a string's continued line?"""
    return bool(_DEF.match(code)) and not (start and ends_continued(data, start - 1))


def _string_lines(data: bytes, start: int, text: bytes) -> tuple[int, bytes] | None:
    """The line at `start` (its text `text`) as code: itself, when it holds no triple quote or
    one string's two; the first line of the string it closes, when it holds one (or, opening
    a string over the lines below, it is no code and neither is the statement looked from).
    None: a line the text cannot tell (other quotes, more strings, an escaped quote)."""
    tokens = [kind for kind in _TRIPLE_QUOTES if kind in text]
    if not tokens:
        return start, text
    if len(tokens) > 1 or text.count(b'"') + text.count(b"'") != 3 * text.count(tokens[0]):
        return None
    count = text.count(tokens[0])
    if count == 2:
        return start, text
    if count != 1:
        return None
    opener = data.rfind(tokens[0], 0, start)
    if opener <= 0 or data[opener - 1] == ord("\\"):
        return None
    first = line_start(data, opener)
    breaks = [at for at in (data.find(b"\n", opener), data.find(b"\r", opener)) if at >= 0]
    first_text = data[first : min(breaks, default=len(data))]
    if first_text.count(b'"') + first_text.count(b"'") != 3:
        return None  # another quote, or another string, on the string's first line
    return first, first_text


def ends_continued(data: bytes, line_break: int) -> bool:
    """Does the line that ends at the line break at `line_break` end with a backslash?"""
    end = line_break
    if data[end] == ord("\n") and end and data[end - 1] == ord("\r"):
        end -= 1
    return end > 0 and data[end - 1] == ord("\\")
