"""Where a statement sits in the text, in characters: what the singleton fix deletes and
replaces, read from one tokenization of the file. Parser-free but for the stdlib `tokenize`.

The rewrite keeps LibCST's layout rules, so that applying these edits writes what a LibCST
transform that removes the statement would write:
- a module-level statement owns the comment and blank lines between the previous statement and
  itself (the first statement's belong to the module header and stay);
- after an indented block, the lines up to the last one indented as that block still belong to
  the block (its footer) and stay;
- a file without a final line break keeps none after the deletion of its last statement.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cached_property

from codemods.core.edits import Edit

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Between two statements of one logical line: blanks and backslash continuations around a `;`.
_BLANKS = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))*"
_SEMICOLON = re.compile(f"{_BLANKS};{_BLANKS}")


class Layout:
    """A source text's lines and tokens, with ast positions turned into character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def starts(self) -> list[int]:
        """The offset each line starts at (lines end with `\\r\\n`, `\\r` or `\\n`, as for ast)."""
        return [0, *(match.end() for match in _LINE_BREAK.finditer(self.text))]

    def _line(self, number: int) -> str:
        starts = self.starts
        end = starts[number] if number < len(starts) else len(self.text)
        return self.text[starts[number - 1] : end]

    def offset(self, line: int, byte_column: int) -> int:
        """The character offset of an ast position (its column counts UTF-8 bytes)."""
        text = self._line(line)
        if not text.isascii():
            byte_column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
        return self.starts[line - 1] + byte_column

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node) : self.end(node)]

    @cached_property
    def tokens(self) -> list[tokenize.TokenInfo]:
        lines = [self._line(number) for number in range(1, len(self.starts) + 1)]
        return list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))

    def _token_offset(self, position: tuple[int, int]) -> int:
        row, column = position
        if row > len(self.starts):
            return len(self.text)
        return min(self.starts[row - 1] + column, len(self.text))

    def same_logical_line(self, first: ast.stmt, second: ast.stmt) -> bool:
        """Do two consecutive statements share one logical line (`a; b`, also across a
        backslash continuation)?"""
        if first.end_lineno == second.lineno:
            return True
        gap = self.text[self.end(first) : self.start(second)]
        return _SEMICOLON.fullmatch(gap) is not None

    def starts_new_line(self, header: ast.AST, first: ast.stmt) -> bool:
        """Is the block's first statement on a logical line of its own (an indented block), not
        on its header's (a suite: `def f(): return x`, also through a backslash)?"""
        before = self._line(first.lineno).encode("utf-8")[: first.col_offset]
        if before.strip():
            return False
        if first.lineno == 1 or not self._line(first.lineno - 1).rstrip().endswith("\\"):
            return True
        head, body = self.start(header), self.start(first)
        return any(
            token.type == tokenize.NEWLINE and head <= self._token_offset(token.start) < body
            for token in self.tokens
        )

    def _logical_end(self, node: ast.AST) -> int:
        """The offset after the line break that ends the node's logical line."""
        after = self.end(node)
        for token in self.tokens:
            if token.type == tokenize.NEWLINE and self._token_offset(token.start) >= after:
                return self._token_offset(token.end)
        return len(self.text)

    def _footer_end(self, statement: ast.stmt, gap_start: int) -> int:
        """Where the lines the block before a module-level statement owns end (`gap_start`
        when no indented block ends right before it)."""
        here = self.start(statement)
        stack: list[str] = []
        for token in self.tokens:
            if token.type == tokenize.INDENT:
                stack.append(token.string)
            elif token.type == tokenize.DEDENT:
                if self._token_offset(token.start) >= here:
                    break  # the blocks still open end right before the statement
                stack.pop()
            elif self._token_offset(token.start) >= here:
                return gap_start  # no block ends here
        if not stack:
            return gap_start
        indent, end = stack[0], gap_start
        cursor = gap_start
        while cursor < here:
            line_end = self._next_line_start(cursor)
            if self.text[cursor:line_end].startswith(indent):
                end = line_end
            cursor = line_end
        return end

    def _next_line_start(self, offset: int) -> int:
        match = _LINE_BREAK.search(self.text, offset)
        return match.end() if match else len(self.text)

    def removal(self, body: list[ast.stmt], index: int) -> Edit:
        """The deletion of module-level statement `body[index]` (alone on its logical line),
        with the lines it owns."""
        statement = body[index]
        end = self._logical_end(statement)
        if index == 0:
            start = self.starts[statement.lineno - 1]
        else:
            start = self._footer_end(statement, self._logical_end(body[index - 1]))
        text = self.text
        if end == len(text) and not text.endswith(("\n", "\r")) and start > 0:
            start -= 2 if text[max(start - 2, 0) : start] == "\r\n" else 1
        return Edit.deletion(start, end)

    def moved(self, node: ast.AST, indent: str) -> str:
        """The node's text for a block indented by `indent`: as LibCST writes a node moved from
        module level, each line break inside its brackets (not inside a string, not after a
        backslash) is followed by the block's indentation."""
        start, end = self.start(node), self.end(node)
        ends = (self._token_offset(t.end) for t in self.tokens if t.type == tokenize.NL)
        breaks = [offset for offset in ends if start <= offset < end]
        pieces, cursor = [], start
        for offset in breaks:
            pieces += [self.text[cursor:offset], indent]
            cursor = offset
        pieces.append(self.text[cursor:end])
        return "".join(pieces)

    def indentation(self, statement: ast.stmt) -> str:
        """The whitespace before a statement that starts its line."""
        return self._line(statement.lineno).encode("utf-8")[: statement.col_offset].decode()

    def return_value(self, ret: ast.Return, content: str) -> Edit:
        """`return <value>` (parentheses around the value included) becomes `return content`."""
        start, end = self.start(ret) + len("return"), self.end(ret)
        after = self.text[start:end]
        blank = len(after) - len(after.lstrip(" \t\f\\\r\n"))
        return Edit(start + blank, end, content if blank else f" {content}")
