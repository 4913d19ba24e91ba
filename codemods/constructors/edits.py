"""The constructors rewrite as text edits, from the analysis' own decisions and scopes.

`text_fixes` takes the calls `codemods.constructors.fast` decided to convert and gives the
edits that write exactly what the LibCST rewrite (`plan` + `rewrite`) writes, or None when a
file needs that rewrite. All or nothing for a file.

No LibCST metadata and no parse of the file; the class name, the imports and the layout are
decided here from the `ast` scopes. A call whose arguments are plain (names, attributes, calls,
subscripts; nothing but whitespace, commas and keywords between them) is written as text the
way `calls.build_call` lays it out, and a one-line import loses its names as text: parser-free,
so the runner applies these edits without LibCST. Otherwise, only with `allow_libcst` (the
transform), that one call's text is parsed alone and rebuilt by `calls.build_call` itself
(comments and layout kept), and that one import statement by
`core.imports.edits.without_aliases`. The imports to add are text (`core.imports.text`).

Left to the LibCST rewrite (None): a `\\r` in the file, a pending rule, a converted call inside
an f-string (`ast` positions there are not reliable before 3.12), an import to edit that shares
its line with another statement, `import a.b, a.c` (both bind `a`), a module-top import
before the first statement, and a removed name that a string
annotation may spell (LibCST reads those as uses).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from codemods.constructors.templates import PLACEHOLDER, template_names
from codemods.core.annotations import in_annotation
from codemods.core.edits import Edit
from codemods.core.imports.text import LINE_LIMIT, from_import_text
from codemods.core.paths import PathMap
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.scopes import Access, Assignment, Scope
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


@dataclass(eq=False)
class _Call:
    """A converted call: its rule, the new class's name here, and where it sits."""

    node: ast.Call
    rule: ConstructorRule
    class_name: str = ""
    accesses: list[Access] = field(default_factory=list)


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
        for block in _blocks(statement):
            if not block:
                continue
            first = block[0]
            row = text.row(first.lineno)
            lead = row[: text.column(first.lineno, first.col_offset)]
            if lead and not lead.strip():
                return lead
    return _FALLBACK_INDENT


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement's blocks in source order."""
    if isinstance(statement, ast.Try | ast.TryStar):
        handlers = [handler.body for handler in statement.handlers]
        return [statement.body, *handlers, statement.orelse, statement.finalbody]
    if isinstance(statement, ast.Match):
        return [case.body for case in statement.cases]
    blocks = []
    for name in ("body", "orelse"):
        value = getattr(statement, name, None)
        if isinstance(value, list):
            blocks.append(value)
    return blocks


class _Fixer:
    def __init__(self, file: AstFile, rules: RuleSet, visible, allow_libcst: bool) -> None:
        if "\r" in file.text:
            raise Bail
        self.allow_libcst = allow_libcst
        self.file = file
        self.text = _Text(file.text)
        self.visible = visible  # fast's `_Planner._visible`
        self.paths = PathMap(rules)
        self.indent = default_indent(file.tree, self.text)
        self.wanted: list[tuple[ast.stmt | None, str, str]] = []
        self.converted_nodes: set[ast.AST] = set()
        self.converted_accesses: list[Access] = []

    # ---- the calls ---------------------------------------------------------------------------

    def fixes(self, calls: list[_Call]) -> list[tuple[Edit, ...]]:
        by_node = {call.node: call for call in calls}
        for call in calls:
            if call.rule.pending or self._in_fstring(call.node):
                raise Bail
            self._plan(call)
        own: dict[ast.Call, list[Edit]] = {}
        outer_of: dict[ast.Call, ast.Call] = {}
        for call in calls:
            outer = self._outermost(call.node, by_node)
            outer_of[call.node] = outer
            if outer is call.node:
                own[call.node] = [self._call_edit(call, by_node)]
        imports = self._import_edits()
        result = []
        for index, call in enumerate(calls):
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

    def _outermost(self, node: ast.Call, by_node: dict[ast.Call, _Call]) -> ast.Call:
        outer = node
        parent = self.file.parent(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if parent in by_node:
                outer = parent  # type: ignore[assignment]
            parent = self.file.parent(parent)
        return outer

    def _plan(self, call: _Call) -> None:
        func = call.node.func
        scope = self.file.scope(func) or self.file.scopes.module
        call.class_name, needed = self._names(scope, call.rule)
        accesses = self._func_accesses(scope, func)
        call.accesses = accesses
        self.converted_accesses.extend(accesses)
        self.converted_nodes.update(access.node for access in accesses)
        if needed:
            for anchor in self._anchors(accesses):
                self.wanted.extend((anchor, module, name) for module, name in needed)

    def _names(self, scope: Scope, rule: ConstructorRule) -> tuple[str, list[tuple[str, str]]]:
        needed: list[tuple[str, str]] = []
        module, _, short = rule.new.rpartition(".")
        class_name = short
        if self.visible(scope, short) is None:
            alias = self._alias(scope, rule.new)
            if alias is None:
                needed.append((module, short))
            else:
                class_name = alias
        for name, source in template_names(rule):
            if self.visible(scope, name) is None:
                needed.append((source, name))
        return class_name, needed

    def _alias(self, scope: Scope, path: str) -> str | None:
        candidates = set()
        current: Scope | None = scope
        while current is not None:
            for assignment in current.all_assignments():
                if assignment.is_import and "." not in assignment.name:
                    candidates.add(assignment.name)
            current = current.parent
        for name in sorted(candidates):
            if path in (self.visible(scope, name) or set()):
                return name
        return None

    def _func_accesses(self, scope: Scope, func: ast.expr) -> list[Access]:
        by_node = self.file.scopes.accesses_by_node
        found: list[Access] = []
        node: ast.expr | None = func
        while node is not None:
            found.extend(a for a in by_node.get(node, ()) if a.scope is scope)
            node = node.value if isinstance(node, ast.Attribute) else None
        return found

    def _anchors(self, accesses: list[Access]) -> list[ast.stmt | None]:
        anchors: list[ast.stmt | None] = []
        for access in accesses:
            for referent in sorted(access.referents, key=lambda a: a.index):
                if referent.is_import and referent.node not in anchors:
                    anchors.append(referent.node)  # type: ignore[arg-type]
        return anchors or [None]

    def _call_edit(self, call: _Call, by_node: dict[ast.Call, _Call]) -> Edit:
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

    def _rebuilt(self, call: _Call, snippet: str, by_node) -> str:
        from codemods.constructors.snippet import rebuild

        inner = [by_node.get(node) for node in _calls_in_order(call.node)]
        layouts = {
            node: self._layout(node) for node in _calls_in_order(call.node) if node in by_node
        }
        try:
            return rebuild(snippet, inner, layouts, self.indent, self.file)
        except Exception as error:  # noqa: BLE001 - anything unexpected: the LibCST rewrite
            raise Bail from error

    def _as_text(self, call: _Call) -> str | None:
        """The new call as `calls.build_call` writes it, for a call whose arguments are plain
        names, attributes, calls or subscripts with nothing but whitespace, commas and
        keywords between them (no comment, no parentheses of their own): None otherwise."""
        node, text = call.node, self.text.text
        arguments = _arguments_in_order(node)
        if not arguments or any(t in template for _, template in call.rule.args for t in "'\"#"):
            return None
        values: dict[str, str] = {}
        position = 0
        func_end = self.text.span(node.func)[1]
        if text[func_end : func_end + 1] != "(":
            return None
        cursor = func_end + 1
        gaps: list[str] = []
        for argument in arguments:
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
                key = argument.arg
            else:
                key = call.rule.params[position]
                position += 1
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

    def _import_edits(self) -> list[Edit]:
        edits: list[Edit] = []
        removed = self._removals()
        additions = self._additions()
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

    def _block(self, statement: ast.stmt | None) -> tuple[int, int] | None:
        """The statement list holding `statement` (None: the module top)."""
        if statement is None:
            return None
        parent = self.file.parent(statement)
        for block in _lists(parent):
            if any(item is statement for item in block):
                return id(parent), id(block)
        raise Bail

    def _additions(self) -> dict[ast.stmt | None, dict[str, set[str]]]:
        first: dict[tuple[int, int] | None, ast.stmt | None] = {}
        anchors = {anchor for anchor, _, _ in self.wanted}
        module_block = (id(self.file.tree), id(self.file.tree.body))

        def order(anchor: ast.stmt | None) -> tuple[int, int]:
            return (0, 0) if anchor is None else self.file.position(anchor)

        for anchor in sorted(anchors, key=order):
            first.setdefault(self._block(anchor), anchor)
        if None in first and module_block in first:
            del first[None]
        additions: dict[ast.stmt | None, dict[str, set[str]]] = {}
        for anchor, module, name in self.wanted:
            chosen = first.get(self._block(anchor), anchor)
            if chosen is None and module_block in first:
                chosen = first[module_block]
            additions.setdefault(chosen, {}).setdefault(module, set()).add(name)
        for anchor in additions:
            if anchor is not None:
                self._alone_on_line(anchor)
        return additions

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

    # ---- imports left unused -----------------------------------------------------------------

    def _removals(self) -> dict[ast.stmt, set[ast.alias]]:
        exported = self._exported()
        removals: dict[ast.stmt, set[ast.alias]] = {}
        seen: set[Assignment] = set()
        for access in self.converted_accesses:
            for referent in access.referents:
                if referent.is_import and referent not in seen:
                    seen.add(referent)
                    alias = self._maybe_remove(referent, exported)
                    if alias is not None:
                        removals.setdefault(referent.node, set()).add(alias)  # type: ignore[arg-type]
        return removals

    def _maybe_remove(self, assignment: Assignment, exported: set[str]) -> ast.alias | None:
        """The alias of `assignment` when every use of every name it binds was converted."""
        node = assignment.node
        assert isinstance(node, ast.Import | ast.ImportFrom)
        bound = [_bound(alias, node) for alias in node.names]
        owners = [index for index, names in enumerate(bound) if assignment.name in names]
        if len(owners) != 1:
            raise Bail
        alias, names = node.names[owners[0]], bound[owners[0]]
        if any(names & other for index, other in enumerate(bound) if index != owners[0]):
            raise Bail  # `import a.b, a.c`: which alias an assignment of `a` is, is unknown
        if assignment.name.split(".")[0] in exported:
            return None
        # `import a.b` binds `a` and `a.b` (LibCST's sibling assignments of one alias)
        siblings = [
            other
            for name in names
            for other in assignment.scope.assignments.get(name, ())
            if other.node is node
        ]
        for sibling in siblings:
            for access in self._references(sibling):
                if access.node not in self.converted_nodes:
                    return None
        for name in names:
            self._no_string_annotation(name)
        self._alone_on_line(node)
        return alias

    def _references(self, assignment: Assignment) -> list[Access]:
        return [
            access
            for scope in self.file.scopes.scopes
            for access in scope.accesses
            if access.name == assignment.name and assignment in access.referents
        ]

    def _exported(self) -> set[str]:
        """The strings of every `__all__ = ...` / `__all__ += ...` value."""
        found: set[str] = set()
        if "__all__" not in self.file.text and self.file.plain_identifiers:
            return found  # no such assignment is spelled: the tree is not walked
        for node in ast.walk(self.file.tree):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign):
                targets = [node.target]
            else:
                continue
            if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            for item in ast.walk(node.value):
                if isinstance(item, ast.JoinedStr):
                    raise Bail
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    found.add(item.value)
        return found

    def _no_string_annotation(self, name: str) -> None:
        word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        for node in self.file.scopes.parents:
            if type(node) is ast.Constant and isinstance(node.value, str):  # type: ignore[attr-defined]
                if word.search(node.value) and self._in_annotation(node):  # type: ignore[attr-defined]
                    raise Bail

    def _in_annotation(self, node: ast.AST) -> bool:
        return in_annotation(self.file, node, self._typing_subscript)

    def _typing_subscript(self, node: ast.Subscript) -> bool:
        """LibCST reads a string in a typing subscript (`Optional["X"]`) as a type."""
        if not isinstance(node.value, ast.Name):
            return False
        names = self.file.scopes.qualified_names(node.value)
        return any(name.startswith(("typing.", "typing_extensions.")) for name, _ in names)

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
            for block in _lists(parent):
                if any(item is statement for item in block):
                    if all(item in gone and item not in anchors for item in block):
                        last.add(block[-1])
        return last


def _lists(parent: ast.AST | None) -> list[list[ast.stmt]]:
    """The statement lists of a statement, handler, case or module."""
    if isinstance(parent, ast.stmt):
        return _blocks(parent)
    body = getattr(parent, "body", None)
    return [body] if isinstance(body, list) else []


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


def _bound(alias: ast.alias, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import alias binds, as the scopes record them."""
    if alias.asname or isinstance(node, ast.ImportFrom):
        return {alias.asname or alias.name}
    parts = alias.name.split(".")
    return {".".join(parts[:size]) for size in range(1, len(parts) + 1)}


def _arguments_in_order(call: ast.Call) -> list[ast.expr | ast.keyword]:
    from codemods.constructors.fast import _arguments

    return _arguments(call)


def _plain_value(node: ast.expr) -> bool:
    """An argument `build_call` puts anywhere in a template without parentheses."""
    if isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript):
        return True
    return isinstance(node, ast.Constant) and any(node.value is v for v in (True, False, None))


def text_fixes(
    file: AstFile,
    rules: RuleSet,
    visible,
    calls: list[tuple[ast.Call, ConstructorRule]],
    allow_libcst: bool = False,
) -> list[tuple[Edit, ...]] | None:
    """Each converted call's edits (in `calls` order), or None: the file needs the rewrite.
    Parser-free unless `allow_libcst`: then a call or import statement whose layout the text
    writer does not handle is parsed alone (never the file) and rebuilt by the rewrite's code."""
    try:
        fixer = _Fixer(file, rules, visible, allow_libcst)
        return fixer.fixes([_Call(node, rule) for node, rule in calls])
    except Bail:
        return None
