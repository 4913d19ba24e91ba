"""One stdlib `ast` parse of a file, with the positions, parents and scopes analyzers read."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Iterable
from functools import cached_property

from codemods.core import text_checks
from codemods.core.scope_index import ScopeIndex
from codemods.core.scopes import IMPORT, LOCAL, Scope
from codemods.core.values import FileContext, Located

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Unsupported(Exception):  # noqa: N818 - a signal, not an error
    """The fast analyzer cannot promise LibCST's answer here: analyze the file with LibCST."""


def source_encoding(source: bytes) -> str:
    """The codec Python (and LibCST) read these bytes with: BOM and coding cookie honoured."""
    if source.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if b"coding" in source[:400]:
        return tokenize.detect_encoding(io.BytesIO(source).readline)[0]
    return "utf-8"


def decode(source: bytes) -> str:
    """The text Python (and LibCST) read from these bytes (a BOM is not part of it)."""
    return source.decode(source_encoding(source))


class AstFile(Located):
    """A parsed file: `tree`, and on demand its scopes, parents and character positions.

    Raises SyntaxError/ValueError/UnicodeDecodeError when the stdlib cannot read the file; the
    caller then falls back to LibCST, which reports the error in its own words.
    """

    def __init__(self, source: bytes | str, context: FileContext) -> None:
        self.context = context
        self.text = decode(source) if isinstance(source, bytes) else source
        with warnings.catch_warnings():  # the compiler's SyntaxWarnings are not ours to print
            warnings.simplefilter("ignore")
            self.tree = ast.parse(self.text)
        self._identifiers_plain: bool | None = None

    @cached_property
    def scopes(self) -> ScopeIndex:
        return ScopeIndex(self.tree)

    def release(self) -> None:
        """Done with the file: its scope index (if built) is freed now, not by the collector."""
        index = self.__dict__.pop("scopes", None)
        if index is not None:
            index.release()

    @cached_property
    def _lines(self) -> list[str]:
        return _NEWLINE.split(self.text)

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its line break, as ast counts lines."""
        return self._lines[number - 1]

    @property
    def plain_identifiers(self) -> bool:
        """Whether every word of the file is as NFKC normalization leaves it (`text_checks`)."""
        if self._identifiers_plain is None:
            self._identifiers_plain = text_checks.plain_identifiers(self.text)
        return self._identifiers_plain

    def require_plain_identifiers(self) -> None:
        """Raise Unsupported if a word of the file changes under NFKC normalization.

        `ast` normalizes identifiers (`ｐatch` is `patch`), LibCST keeps them as written, so
        such a file could resolve names differently: an analyzer that compares names calls this
        and leaves the file to LibCST.
        """
        if not self.plain_identifiers:
            raise Unsupported("an identifier that NFKC normalization changes")

    def may_call(self, names: Iterable[str]) -> bool:
        """`text_checks.may_call` of the file's text."""
        return text_checks.may_call(self.text, names, self.plain_identifiers)

    def may_name(self, path: str) -> bool:
        """`text_checks.may_name` of the file's text and module."""
        return text_checks.may_name(self.text, self.context.module, path, self.plain_identifiers)

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.scopes.parents.get(node)

    def scope(self, node: ast.AST) -> Scope | None:
        return self.scopes.scope_of.get(node)

    def in_fstring(self, node: ast.AST) -> bool:
        """Does the node stand inside an f-string (in its statement)?"""
        parent = self.parent(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, ast.JoinedStr):
                return True
            parent = self.parent(parent)
        return False

    def position(self, node: ast.AST) -> tuple[int, int]:
        """(line, column) with the column in characters, as LibCST's `PositionProvider`."""
        return self._characters(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end_position(self, node: ast.AST) -> tuple[int, int]:
        """(line, column) just after the node, the column in characters."""
        return self._characters(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def _characters(self, line: int, offset: int) -> tuple[int, int]:
        """An `ast` place (line, UTF-8 byte offset) with its column in characters."""
        text = self._lines[line - 1]
        if not text.isascii():
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))
        return line, offset

    def segment(self, node: ast.AST) -> str:
        """The node's source text (its lines joined by `\\n`), without re-splitting the file."""
        start = node.lineno, node.col_offset  # type: ignore[attr-defined]
        return self.span_text(start, (node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def between(self, first: ast.AST, second: ast.AST) -> str:
        """The source text from the end of `first` to the start of `second`."""
        start = first.end_lineno, first.end_col_offset  # type: ignore[attr-defined]
        return self.span_text(start, (second.lineno, second.col_offset))  # type: ignore[attr-defined]

    def span_text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The text between two `ast` positions (line, byte offset), lines joined by `\\n`."""
        lines = self._lines
        (first, begin), (last, stop) = (start[0] - 1, start[1]), (end[0] - 1, end[1])
        if first == last:
            return lines[first].encode()[begin:stop].decode()
        parts = [lines[first].encode()[begin:].decode(), *lines[first + 1 : last]]
        parts.append(lines[last].encode()[:stop].decode())
        return "\n".join(parts)

    def qualified_names(self, node: ast.AST) -> set[str]:
        """Absolute dotted names the node may refer to, as `ParsedFile.qualified_names`."""
        resolved: set[str] = set()
        for name, source in self.scopes.qualified_names(node):
            if source in (IMPORT, LOCAL):
                absolute = self.context.absolute(name, source == IMPORT)
                if absolute is not None:
                    resolved.add(absolute)
        return resolved


def one_literal(file: AstFile, node: ast.Constant) -> bool:
    """Is this string one literal token (a LibCST `SimpleString`), not an implicit concatenation
    (`"a" "b"`)? False too for text that does not tokenize again, which `ast` accepted."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(f"({file.segment(node)})").readline)
        return sum(1 for token in tokens if token.type == tokenize.STRING) == 1
    except (tokenize.TokenError, SyntaxError):
        return False


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None (as `codemods.core.base.dotted_name`)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
