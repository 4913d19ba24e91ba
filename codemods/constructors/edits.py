"""The constructors rewrite as text edits: the analysis' decisions, laid out as text.

`text_fixes` takes the calls `codemods.constructors.fast` decided to convert, and their plan
(`imports_plan`: the class name at each call, the imports to add and to remove), and gives the
edits that write exactly what the LibCST rewrite (`plan` + `rewrite`) writes of that plan, or
None when a file needs that rewrite for its layout. All or nothing for a file.

No LibCST metadata and no parse of the file. A call whose arguments are plain (names,
attributes, calls, subscripts; nothing but whitespace, commas and keywords between them) is
written as text the way `calls.build_call` lays it out, and a one-line import loses its names as
text: parser-free, so the runner applies these edits without LibCST. Otherwise, only with
`allow_libcst` (the transform), that one call's text is parsed alone and rebuilt by
`calls.build_call` itself (comments and layout kept), and that one import statement by
`core.imports.edits.without_aliases`. The imports to add are text (`core.imports.text`).

Left to the LibCST rewrite (None): a `\\r` in the file, a pending rule, a converted call inside
an f-string (`ast` positions there are not reliable before 3.12), an import to edit that shares
its line with another statement, and a module-top import before the first statement.
"""

from __future__ import annotations

import ast
import re

from codemods.constructors.imports_plan import (
    Conversion,
    ImportsPlan,
    Visible,
    plan_imports,
    statement_blocks,
    statement_lists,
)
from codemods.constructors.templates import PLACEHOLDER
from codemods.core.edits import Edit
from codemods.core.imports.text import LINE_LIMIT, from_import_text
from codemods.core.tree import AstFile

_AFTER_STATEMENT = re.compile(r"[ \t\f]*(#[^\n]*)?\n")
_AWAIT = re.compile(r"await(?:[ \t\f]|\\\n)*")
# What may stand between the arguments of a call `_as_text` writes (whitespace and commas)
_GAP = re.compile(r"[ \t]*,[ \t]*(?:\n[ \t]*)?")
_KEYWORD = re.compile(r"\w+[ \t]*=[ \t]*")
_OPENING = re.compile(r"([ \t]*)\n([ \t]*)")  # `(` ending its line, the first argument's indent
_CLOSING = re.compile(r"[ \t]*,?[ \t]*(?:\n([ \t]*))?")  # after the last argument, to `)`
_FLAT_CLOSING = re.compile(r"[ \t]*,?[ \t]*")
_FALLBACK_INDENT = "    "  # LibCST's default indent for a file without an indented block


class Bail(Exception):  # noqa: N818 - a signal: this file needs the LibCST rewrite
    pass


class _Text:
    """Character offsets of `ast` positions (lines split on `\\n` only)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def row(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\n")

    def column(self, line: int, byte_column: int) -> int:
        row = self.row(line)
        if row.isascii():
            return byte_column
        return len(row.encode("utf-8")[:byte_column].decode("utf-8"))

    def offset(self, line: int, byte_column: int) -> int:
        return self.starts[line - 1] + self.column(line, byte_column)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def after_statement(self, node: ast.AST) -> int:
        """The offset just after the line break that ends `node`'s line (nothing else on it)."""
        end = self.span(node)[1]
        match = _AFTER_STATEMENT.match(self.text, end)
        if match is None:
            raise Bail
        return match.end()


def default_indent(tree: ast.Module, text: _Text) -> str:
    """LibCST's `Module.default_indent`: the indent of the file's first indented block."""
    for statement in tree.body:
        for block in statement_blocks(statement):
            if not block:
                continue
            first = block[0]
            row = text.row(first.lineno)
            lead = row[: text.column(first.lineno, first.col_offset)]
            if lead and not lead.strip():
                return lead
    return _FALLBACK_INDENT


class _Fixer:
    def __init__(self, file: AstFile, visible: Visible, allow_libcst: bool) -> None:
        if "\r" in file.text:
            raise Bail
        self.allow_libcst = allow_libcst
        self.file = file
        self.text = _Text(file.text)
        self.visible = visible  # fast's `_Planner._visible`
        self.indent = default_indent(file.tree, self.text)

    # ---- the calls ---------------------------------------------------------------------------

    def fixes(self, calls: list[Conversion]) -> list[tuple[Edit, ...]]:
        for call in calls:
            if call.rule.pending or self._in_fstring(call.node):
                raise Bail
        plan = plan_imports(self.file, self.visible, calls)
        conversions = plan.conversions
        by_node = {call.node: call for call in conversions}
        own: dict[ast.Call, list[Edit]] = {}
        outer_of: dict[ast.Call, ast.Call] = {}
        for call in conversions:
            outer = self._outermost(call.node, by_node)
            outer_of[call.node] = outer
            if outer is call.node:
                own[call.node] = [self._call_edit(call, by_node)]
        imports = self._import_edits(plan)
        result = []
        for index, call in enumerate(conversions):
            edits = list(own[outer_of[call.node]])
            if index == 0:
                edits += imports
            result.append(tuple(edits))
        return result

    def _in_fstring(self, node: ast.AST) -> bool:
        parent = self.file.parent(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, ast.JoinedStr):
                return True
            parent = self.file.parent(parent)
        return False

    def _outermost(self, node: ast.Call, by_node: dict[ast.Call, Conversion]) -> ast.Call:
        outer = node
        parent = self.file.parent(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if parent in by_node:
                outer = parent  # type: ignore[assignment]
            parent = self.file.parent(parent)
        return outer

    def _call_edit(self, call: Conversion, by_node: dict[ast.Call, Conversion]) -> Edit:
        start, end = self.text.span(call.node)
        parent = self.file.parent(call.node)
        if isinstance(parent, ast.Await) and parent.value is call.node:
            await_start = self.text.span(parent)[0]
            match = _AWAIT.match(self.text.text, await_start)
            if match is None or match.end() > start:
                raise Bail
            edit_start = await_start
            # `await (Old(...))`: the parentheses stay around the new call
            start = match.end()
        else:
            edit_start = start
        inner = [node for node in _calls_in_order(call.node) if node in by_node]
        content = self._as_text(call) if inner == [call.node] else None
        if content is None:
            if not self.allow_libcst:
                raise Bail
            content = self._rebuilt(call, self.text.text[start:end], by_node)
        return Edit(edit_start, end, content)

    def _rebuilt(self, call: Conversion, snippet: str, by_node) -> str:
        from codemods.constructors.snippet import rebuild

        inner = [by_node.get(node) for node in _calls_in_order(call.node)]
        layouts = {
            node: self._layout(node) for node in _calls_in_order(call.node) if node in by_node
        }
        try:
            return rebuild(snippet, inner, layouts, self.indent, self.file)
        except Exception as error:  # noqa: BLE001 - anything unexpected: the LibCST rewrite
            raise Bail from error

    def _as_text(self, call: Conversion) -> str | None:
        """The new call as `calls.build_call` writes it, for a call whose arguments are plain
        names, attributes, calls or subscripts with nothing but whitespace, commas and
        keywords between them (no comment, no parentheses of their own): None otherwise."""
        node, text = call.node, self.text.text
        arguments = _arguments_in_order(node)
        if not arguments or any(t in template for _, template in call.rule.args for t in "'\"#"):
            return None
        values: dict[str, str] = {}
        func_end = self.text.span(node.func)[1]
        if text[func_end : func_end + 1] != "(":
            return None
        cursor = func_end + 1
        gaps: list[str] = []
        for argument, key in zip(arguments, call.parameters, strict=True):
            value = argument.value if isinstance(argument, ast.keyword) else argument
            if not _plain_value(value):
                return None
            begin, finish = self.text.span(argument)
            gaps.append(text[cursor:begin])
            if isinstance(argument, ast.keyword):
                value_start = self.text.span(value)[0]
                spelled = text[begin:value_start]
                if (
                    _KEYWORD.fullmatch(spelled) is None
                    or spelled.split("=")[0].strip() != argument.arg
                ):
                    return None
            segment = text[self.text.span(value)[0] : finish]
            if "\n" in segment:
                return None
            values[key] = segment  # type: ignore[index]
            cursor = finish
        close = self.text.span(node)[1] - 1
        gaps.append(text[cursor:close])
        if any(_GAP.fullmatch(gap) is None for gap in gaps[1:-1]):
            return None
        new_args = [
            (keyword, PLACEHOLDER.sub(lambda p: values[p[1]], template))
            for keyword, template in call.rule.args
        ]
        first, last = gaps[0], gaps[-1]
        prefix, suffix, line_indent = self._layout(node)
        name = call.class_name
        if any("\n" in gap for gap in gaps):  # the old call's own hanging layout
            opening = _OPENING.fullmatch(first)
            closing = _CLOSING.fullmatch(last)
            if opening is None or closing is None:
                return None
            ending, arg_indent = opening.group(1), opening.group(2)
            close_indent = closing.group(1)
            lines = [f"{arg_indent}{keyword}={value}" for keyword, value in new_args]
            body = ",\n".join(lines)
            tail = ")" if close_indent is None else f",\n{close_indent})"
            return f"{name}({ending}\n{body}{tail}"
        if first or _FLAT_CLOSING.fullmatch(last) is None:
            return None
        one_line = f"{name}(" + ", ".join(f"{k}={v}" for k, v in new_args) + ")"
        if prefix + len(one_line) + suffix <= LINE_LIMIT:
            return one_line
        inner = line_indent + self.indent
        lines = [f"{inner}{keyword}={value}" for keyword, value in new_args]
        return f"{name}(\n" + ",\n".join(lines) + f",\n{line_indent})"

    def _layout(self, node: ast.Call) -> tuple[int, int, str]:
        first = self.text.row(node.lineno)
        last = self.text.row(node.end_lineno)  # type: ignore[arg-type]
        indent = first[: len(first) - len(first.lstrip())]
        prefix = self.text.column(node.lineno, node.col_offset)
        end = self.text.column(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
        return prefix, len(last) - end, indent

    # ---- the imports -------------------------------------------------------------------------

    def _import_edits(self, plan: ImportsPlan) -> list[Edit]:
        edits: list[Edit] = []
        removed, additions = plan.removals, plan.additions
        for statement in [*removed, *(anchor for anchor in additions if anchor is not None)]:
            self._alone_on_line(statement)
        emptied = self._emptied_blocks(removed, additions)
        for statement, aliases in removed.items():
            edits.append(self._removal(statement, aliases, statement in emptied))
        top = None
        if None in additions:
            top = self._module_top(removed)
        for anchor, modules in additions.items():
            if anchor is None:
                at, indent, width = top, "", 0  # type: ignore[assignment]
            else:
                at = self.text.after_statement(anchor)
                row = self.text.row(anchor.lineno)
                width = self.text.column(anchor.lineno, anchor.col_offset)
                indent = row[:width]
            pieces = []
            for module in sorted(modules):
                new = from_import_text(module, sorted(modules[module]), (width, self.indent))
                pieces.extend(indent + line for line in new.splitlines(keepends=True))
            edits.append(Edit.insertion(at, "".join(pieces)))  # type: ignore[arg-type]
        return edits

    def _module_top(self, removed: dict[ast.stmt, set[ast.alias]]) -> int:
        """Where imports go at the module top: after the docstring and the leading imports."""
        body = self.file.tree.body
        index = 0
        if body and _is_docstring(body[0]):
            index = 1
        while index < len(body) and isinstance(body[index], ast.Import | ast.ImportFrom):
            self._alone_on_line(body[index])
            index += 1
        if index == 0:
            raise Bail  # before the first statement: LibCST's module header decides
        if body[index - 1] in removed:
            raise Bail
        self._alone_on_line(body[index - 1])
        return self.text.after_statement(body[index - 1])

    def _alone_on_line(self, statement: ast.stmt) -> None:
        """Raise Bail unless the statement has its lines to itself."""
        start = self.text.span(statement)[0]
        before = self.text.text[self.text.line_start(statement.lineno) : start]
        if before.strip():
            raise Bail
        self.text.after_statement(statement)

    def _removal(self, statement: ast.stmt, aliases: set[ast.alias], to_pass: bool) -> Edit:
        names = statement.names  # type: ignore[attr-defined]
        start = self.text.line_start(statement.lineno)
        end = self.text.after_statement(statement)
        if to_pass:
            indent = self.text.row(statement.lineno)[
                : self.text.column(statement.lineno, statement.col_offset)
            ]
            return Edit(start, end, f"{indent}pass\n")
        if len(aliases) == len(names):
            return Edit.deletion(start, end)
        begin = self.text.span(statement)[0]
        kept = [index for index, alias in enumerate(names) if alias not in aliases]
        flat = self._flat_without(statement, kept, begin)
        if flat is not None:
            return flat
        if not self.allow_libcst:
            raise Bail
        from codemods.constructors.snippet import without

        try:
            return Edit(begin, end, without(self.text.text[begin:end], kept))
        except Exception as error:  # noqa: BLE001 - anything unexpected: the LibCST rewrite
            raise Bail from error

    def _flat_without(self, statement: ast.stmt, kept: list[int], begin: int) -> Edit | None:
        """A one-line import without parentheses whose names are separated by `, `: the kept
        names, as `core.imports.edits.without_aliases` writes them (None: another layout)."""
        names = statement.names  # type: ignore[attr-defined]
        spans = [self.text.span(alias) for alias in names]
        text = self.text.text
        gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        if statement.lineno != statement.end_lineno or any(gap != ", " for gap in gaps):
            return None
        end = self.text.span(statement)[1]
        if end != spans[-1][1]:
            return None  # parentheses
        kept_text = ", ".join(text[spans[i][0] : spans[i][1]] for i in kept)
        return Edit(spans[0][0], spans[-1][1], kept_text)

    def _emptied_blocks(self, removed: dict[ast.stmt, set[ast.alias]], anchors) -> set[ast.stmt]:
        """The last statement of each indented block the removals leave with no statement:
        the rewrite writes `pass` there (after the comments above the removed statements)."""
        gone = {s for s, aliases in removed.items() if len(aliases) == len(s.names)}  # type: ignore[attr-defined]
        last: set[ast.stmt] = set()
        for statement in gone:
            parent = self.file.parent(statement)
            if isinstance(parent, ast.Module):
                continue
            for block in statement_lists(parent):
                if any(item is statement for item in block):
                    if all(item in gone and item not in anchors for item in block):
                        last.add(block[-1])
        return last


def _is_docstring(statement: ast.stmt) -> bool:
    """`core.syntax.is_docstring` (a string literal statement); an f-string one: Bail."""
    if not isinstance(statement, ast.Expr):
        return False
    if isinstance(statement.value, ast.JoinedStr):
        raise Bail
    return isinstance(statement.value, ast.Constant) and isinstance(
        statement.value.value, str | bytes
    )


def _calls_in_order(node: ast.AST) -> list[ast.Call]:
    from codemods.constructors.fast import _calls_in_order as in_order

    return in_order(node)


def _arguments_in_order(call: ast.Call) -> list[ast.expr | ast.keyword]:
    from codemods.constructors.fast import _arguments

    return _arguments(call)


def _plain_value(node: ast.expr) -> bool:
    """An argument `build_call` puts anywhere in a template without parentheses."""
    if isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript):
        return True
    return isinstance(node, ast.Constant) and any(node.value is v for v in (True, False, None))


def text_fixes(
    file: AstFile, visible: Visible, calls: list[Conversion], allow_libcst: bool = False
) -> list[tuple[Edit, ...]] | None:
    """Each converted call's edits (in `calls` order), or None: the file needs the rewrite.
    Parser-free unless `allow_libcst`: then a call or import statement whose layout the text
    writer does not handle is parsed alone (never the file) and rebuilt by the rewrite's code."""
    try:
        return _Fixer(file, visible, allow_libcst).fixes(calls)
    except Bail:
        return None
