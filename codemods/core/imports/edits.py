"""The import-editing service: build import statements, drop names from them, and apply planned
node edits to a module, layout kept. Every codemod that adds or drops imports uses it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import libcst as cst

from codemods.core.base import FileContext
from codemods.core.imports.text import NewImport, from_import_text
from codemods.core.paths import module_spelling

ImportNode = TypeVar("ImportNode", cst.Import, cst.ImportFrom)


def split_relative(spelling: str) -> tuple[list[cst.Dot], cst.Attribute | cst.Name | None]:
    dots = len(spelling) - len(spelling.lstrip("."))
    rest = spelling[dots:]
    module = cst.parse_expression(rest) if rest else None
    return [cst.Dot() for _ in range(dots)], module  # type: ignore[return-value]


def import_alias(name: str, asname: str | None) -> cst.ImportAlias:
    return cst.ImportAlias(
        name=cst.parse_expression(name),  # type: ignore[arg-type]
        asname=cst.AsName(name=cst.Name(asname)) if asname and asname != name else None,
    )


def repoint(node: cst.ImportFrom, context: FileContext, module: str, relative: bool):
    """The from-import reading from `module` instead, spelled in the file's style."""
    dots, dotted = split_relative(module_spelling(context, module, relative))
    return node.with_changes(relative=dots, module=dotted)


def with_aliases(
    node: ImportNode,
    aliases: list[cst.ImportAlias],
    origins: list[cst.ImportAlias | None] | None = None,
) -> ImportNode:
    """`node` importing exactly `aliases`, commas fixed so the last keeps the original ending.

    `origins` are the entries of `node` the aliases were edited from (None: a new name;
    default: the aliases are `node`'s own). The comment lines a dropped entry held before the
    next one stay, after the entry kept before it.
    """
    original = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
    aliases, node = _carry_lines(node, original, aliases, aliases if origins is None else origins)
    last_comma = original[-1].comma if original else cst.MaybeSentinel.DEFAULT
    separator = _bare(
        next(
            (a.comma for a in original[:-1] if isinstance(a.comma, cst.Comma)),
            cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
        )
    )
    fixed = []
    for index, alias in enumerate(aliases):
        if index == len(aliases) - 1:
            fixed.append(_last(alias, last_comma))
        elif not isinstance(alias.comma, cst.Comma):
            fixed.append(alias.with_changes(comma=separator))
        else:
            fixed.append(alias)
    parenthesized = getattr(node, "lpar", None) is not None
    if len(fixed) == 1 and not parenthesized and isinstance(last_comma, cst.Comma):
        fixed[0] = fixed[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=fixed)


def _carry_lines(node, original, aliases, origins):
    """Move each dropped entry's following comment lines to the entry kept before it (or
    to the opening parenthesis)."""
    position = {id(origin): index for index, origin in enumerate(origins) if origin is not None}
    aliases, opening, previous = list(aliases), [], None
    for entry in original:
        if id(entry) in position:
            previous = position[id(entry)]
            continue
        lines = _lines_after(entry.comma)
        if not lines:
            continue
        if previous is None:
            opening.extend(lines)
        elif _lines_after(aliases[previous].comma) is not None:
            comma = aliases[previous].comma
            spacing = comma.whitespace_after
            spacing = spacing.with_changes(empty_lines=[*spacing.empty_lines, *lines])
            aliases[previous] = aliases[previous].with_changes(
                comma=comma.with_changes(whitespace_after=spacing)
            )
    if opening and node.lpar is not None:
        spacing = node.lpar.whitespace_after
        if isinstance(spacing, cst.ParenthesizedWhitespace):
            spacing = spacing.with_changes(empty_lines=[*spacing.empty_lines, *opening])
            node = node.with_changes(lpar=node.lpar.with_changes(whitespace_after=spacing))
    return aliases, node


def _lines_after(comma) -> list[cst.EmptyLine] | None:
    """The whole lines (comments, blank) between an entry's comma and the next entry."""
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return list(comma.whitespace_after.empty_lines)
    return None


def _bare(comma: cst.Comma) -> cst.Comma:
    """A separator like `comma`, without the comments its line and the lines after it hold."""
    spacing = comma.whitespace_after
    if not isinstance(spacing, cst.ParenthesizedWhitespace):
        return comma
    bare = spacing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=bare)


def without_aliases(node: ImportNode, drop: Callable[[cst.ImportAlias], bool]) -> ImportNode | None:
    """`node` minus the aliases `drop` picks (itself when none; None when none is left)."""
    if isinstance(node.names, cst.ImportStar):
        return node
    kept = [alias for alias in node.names if not drop(alias)]
    if len(kept) == len(node.names):
        return node
    return with_aliases(node, kept) if kept else None


def _last(alias: cst.ImportAlias, ending: cst.Comma | cst.MaybeSentinel) -> cst.ImportAlias:
    """The alias as the last name: the original ending, keeping the alias's own comment."""
    closing = ending.whitespace_after if isinstance(ending, cst.Comma) else None
    if not isinstance(closing, cst.ParenthesizedWhitespace):
        return alias.with_changes(comma=ending)
    if alias_comment(alias) is None:  # the ending, but not the comment of the name it ended
        lines = [*(_lines_after(alias.comma) or []), *closing.empty_lines]
        bare = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=lines)
        return alias.with_changes(comma=ending.with_changes(whitespace_after=bare))
    own = alias.comma.whitespace_after  # type: ignore[union-attr]
    spacing = own.with_changes(indent=closing.indent, last_line=closing.last_line)
    return alias.with_changes(comma=alias.comma.with_changes(whitespace_after=spacing))


def from_import_line(
    module: str, names: Sequence[str], wrap: tuple[int, str] | None = None
) -> cst.SimpleStatementLine:
    """`from module import a, b as c` (names as written): `text.from_import_text` parsed."""
    return cst.parse_statement(from_import_text(module, names, wrap))  # type: ignore[return-value]


@dataclass(frozen=True)
class Layout:
    """How a parenthesised import puts one name per line: their indent, a trailing comma."""

    indent: str
    trailing_comma: bool


def multiline_layout(node: cst.ImportFrom) -> Layout | None:
    """The layout of `from m import (\n    a,\n    b,\n)`, or None for a one-line import."""
    if node.lpar is None or isinstance(node.names, cst.ImportStar):
        return None
    opening = node.lpar.whitespace_after
    if not isinstance(opening, cst.ParenthesizedWhitespace):
        return None
    return Layout(opening.last_line.value, isinstance(node.names[-1].comma, cst.Comma))


def from_import(
    context: FileContext,
    imports: list[NewImport],
    layout: Layout | None = None,
    comments: list[cst.Comment | None] | None = None,
) -> cst.ImportFrom:
    """A fresh `from m import a, b` for imports that share a module: one line, or one name a
    line in `layout` (each name with its comment) when there are several."""
    first = imports[0]
    spelling = module_spelling(context, first.module, first.relative)
    names = [f"{i.name} as {i.asname}" if i.asname else i.name for i in imports]
    if layout is None or len(names) == 1:
        return from_import_line(spelling, names).body[0]  # type: ignore[return-value]
    notes = [f"  {c.value}" if c else "" for c in comments or [None] * len(names)]
    lines = [
        f"{layout.indent}{name}{',' if last < len(names) - 1 or layout.trailing_comma else ''}"
        f"{note}\n"
        for last, (name, note) in enumerate(zip(names, notes, strict=True))
    ]
    statement = cst.parse_statement(f"from {spelling} import (\n{''.join(lines)})\n")
    return statement.body[0]  # type: ignore[attr-defined,return-value]


@dataclass
class StatementEdit:
    """What becomes of one import statement: its replacement and statements added after it."""

    replacement: cst.BaseSmallStatement | None
    after: list[cst.BaseSmallStatement] = field(default_factory=list)
    # comments of moved names, carried to the line of the statement that now imports them
    comment: cst.Comment | None = None
    after_comments: list[cst.Comment | None] = field(default_factory=list)


def alias_comment(alias: cst.ImportAlias) -> cst.Comment | None:
    """The end-of-line comment after a name in a parenthesised import (`Name,  # why`)."""
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line.comment
    return None


def _with_comment(line: cst.SimpleStatementLine, comment: cst.Comment | None):
    if comment is None or line.trailing_whitespace.comment is not None:
        return line
    trailing = line.trailing_whitespace.with_changes(
        whitespace=cst.SimpleWhitespace("  "), comment=comment
    )
    return line.with_changes(trailing_whitespace=trailing)


class EditApplier(cst.CSTTransformer):
    """Applies node-identity edits: expression replacements and import statement edits."""

    def __init__(
        self,
        expressions: dict[cst.CSTNode, cst.CSTNode],
        statements: dict[cst.CSTNode, StatementEdit],
        removed: set[cst.CSTNode],
        collapsible: set[cst.Try],
    ) -> None:
        super().__init__()
        self.expressions = expressions
        self.statements = statements
        self.removed = removed
        self.collapsible = collapsible

    def _drop_elements(self, original_node, updated_node):
        pairs = zip(original_node.elements, updated_node.elements, strict=True)
        kept = [new for old, new in pairs if old.value not in self.removed]
        if len(kept) == len(updated_node.elements):
            return updated_node
        if kept:
            kept[-1] = kept[-1].with_changes(comma=updated_node.elements[-1].comma)
        return updated_node.with_changes(elements=kept)

    def leave_List(self, original_node, updated_node):  # type: ignore[override]
        return self._drop_elements(original_node, updated_node)

    def leave_Tuple(self, original_node, updated_node):  # type: ignore[override]
        return self._drop_elements(original_node, updated_node)

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        replacement = self.expressions.get(original_node)
        if replacement is not None:
            return replacement
        return super().on_leave(original_node, updated_node)

    def _small(self, original: cst.BaseSmallStatement, updated: cst.BaseSmallStatement):
        edit = self.statements.get(original)
        if edit is None:
            return [updated], [], []
        if edit.replacement is None:
            return [], list(edit.after), _padded(edit.after_comments, len(edit.after))
        head = [(edit.replacement, edit.comment)]
        return head, list(edit.after), _padded(edit.after_comments, len(edit.after))

    def leave_SimpleStatementLine(self, original_node, updated_node):  # type: ignore[override]
        if not any(s in self.statements or s in self.removed for s in original_node.body):
            return updated_node
        body: list[cst.BaseSmallStatement] = []
        comment: cst.Comment | None = None
        later: list[tuple[cst.BaseSmallStatement, cst.Comment | None]] = []
        for original, updated in zip(original_node.body, updated_node.body, strict=True):
            if original in self.removed:
                continue
            head, after, comments = self._small(original, updated)
            for statement in head:
                if isinstance(statement, tuple):
                    statement, comment = statement[0], comment or statement[1]
                body.append(statement)
            later.extend(zip(after, comments, strict=True))
        if not body and not later:
            return cst.RemoveFromParent()
        if not body:
            (first, comment), later = later[0], later[1:]
            body = [first]
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        lines = [_with_comment(updated_node.with_changes(body=body), comment)]
        lines += [_with_comment(cst.SimpleStatementLine(body=[s]), c) for s, c in later]
        return cst.FlattenSentinel(lines) if len(lines) > 1 else lines[0]

    def leave_SimpleStatementSuite(self, original_node, updated_node):  # type: ignore[override]
        if not any(s in self.statements or s in self.removed for s in original_node.body):
            return updated_node
        body: list[cst.BaseSmallStatement] = []
        for original, updated in zip(original_node.body, updated_node.body, strict=True):
            if original in self.removed:
                continue
            head, after, _ = self._small(original, updated)
            body.extend(s[0] if isinstance(s, tuple) else s for s in head)
            body.extend(after)
        if not body:
            body = [cst.Pass()]
        semi = cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))
        body = [s.with_changes(semicolon=semi) for s in body[:-1]] + [
            body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        ]
        return updated_node.with_changes(body=body)

    def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[override]
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated_node

    def leave_Try(self, original_node, updated_node):  # type: ignore[override]
        if original_node not in self.collapsible:  # the plan's folded tries
            return updated_node
        body = list(updated_node.body.body)
        body[0] = body[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(body)


def _padded(comments: list, length: int) -> list:
    return (list(comments) + [None] * length)[:length]
