"""What the import rewrite's decisions read from a file's stdlib `ast` tree: the paths an import
spells, the strings that name paths or `__all__` entries, where a statement stands in its
block, and whether `ast` places a node where its text is."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator

from codemods.core.paths import PathMap, destination
from codemods.core.references import PATH_TAKING_CALLS, is_path_argument, takes_path
from codemods.core.scopes import Assignment
from codemods.core.tree import AstFile, dotted, one_literal

RELIABLE_FSTRING_POSITIONS = sys.version_info >= (3, 12)
AS_NAME = re.compile(r"[\s)]*as[ \t]+")  # after an `except` clause's type, up to the name
SIMPLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Import,
    ast.ImportFrom,
    ast.Pass,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Delete,
    ast.Global,
    ast.Nonlocal,
    ast.Break,
    ast.Continue,
)


def imported_module(statement: ast.ImportFrom, ctx) -> str:
    """The absolute module a from-import reads from."""
    return ctx.resolve("." * statement.level + (statement.module or ""))


def imported_path(alias: ast.alias, statement: ast.Import | ast.ImportFrom, ctx) -> str:
    """The absolute dotted path an import alias brings in."""
    if isinstance(statement, ast.Import):
        return alias.name
    module = imported_module(statement, ctx)
    return f"{module}.{alias.name}" if module else alias.name


def meaning(assignment: Assignment, file: AstFile, paths: PathMap) -> str | None:
    """Where the binding's value lives after the migration (imports only; None otherwise)."""
    node = assignment.node
    if not isinstance(node, ast.Import | ast.ImportFrom):
        return None
    for alias in node.names:
        if (alias.asname or alias.name) == assignment.name:
            path = imported_path(alias, node, file.context)
            return destination(path, file.context.module, paths)
    return None


def binding_line(file: AstFile, node: ast.AST) -> int:
    """The line of the name a binding node binds (after `as`, for an `except` clause)."""
    if isinstance(node, ast.ExceptHandler) and node.type is not None:
        end = node.type.end_lineno, node.type.end_col_offset
        first = node.body[0]
        found = AS_NAME.match(file.span_text(end, (first.lineno, first.col_offset)))
        if found is not None:
            return node.type.end_lineno + found.group().count("\n")  # type: ignore[operator]
    return node.lineno  # type: ignore[attr-defined]


def all_strings(file: AstFile) -> list[ast.Constant]:
    """The one-literal string elements of the module-level `__all__` lists and tuples."""
    found = []
    for statement in file.tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AugAssign | ast.AnnAssign):
            targets = [statement.target]
        else:
            continue
        value = statement.value
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        if not isinstance(value, ast.List | ast.Tuple):
            continue
        for element in value.elts:
            if (
                isinstance(element, ast.Constant)
                and isinstance(element.value, str)
                and one_literal(file, element)
            ):
                found.append(element)
    return found


def path_strings(file: AstFile) -> Iterator[ast.Constant]:
    """The one-literal strings where a call or `sys.modules[...]` takes a dotted path, in
    source order."""
    if "modules" not in file.text and not any(name in file.text for name in PATH_TAKING_CALLS):
        return  # no call can take a path, and no `sys.modules[...]` is spelled
    owners = [node for node in file.scopes.parents if isinstance(node, ast.Call | ast.Subscript)]
    owners.sort(key=lambda node: (node.lineno, node.col_offset))
    for node in owners:
        for value in path_arguments(file, node):
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and one_literal(file, value)
            ):
                yield value


def path_arguments(file: AstFile, node: ast.AST) -> list[ast.AST]:
    """The expressions where this call or `sys.modules[...]` takes a dotted path."""
    if isinstance(node, ast.Call):
        if not takes_path(dotted(node.func) or ""):
            return []
        # LibCST's `Call.args` are in source order; ast splits positional and keyword ones
        # (`f(a=1, *b)` is legal), so put them back in order; `**x` is positional in its terms.
        ordered = sorted([*node.args, *node.keywords], key=lambda a: (a.lineno, a.col_offset))
        found = []
        for index, arg in enumerate(ordered):
            keyword = arg.arg if isinstance(arg, ast.keyword) else None
            if is_path_argument(index, keyword):
                found.append(arg.value if isinstance(arg, ast.keyword | ast.Starred) else arg)
        return found
    if isinstance(node, ast.Subscript) and dotted(node.value) == "sys.modules":
        element = node.slice
        if isinstance(element, ast.Tuple):
            # `m["a.b",]` and `m[*"a.b"]` are one subscript element, `m[("a.b",)]` a tuple
            # index; a 1-tuple without parentheses has a trailing comma or a star.
            if len(element.elts) != 1:
                return []
            segment = file.segment(element)
            if segment.startswith("(") and segment.endswith(")"):
                return []
            element = element.elts[0]
            if isinstance(element, ast.Starred):
                element = element.value
        return [element]
    return []


def literal_text(file: AstFile, node: ast.Constant) -> tuple[str, str, str]:
    """A one-token string literal's prefix, the text between its quotes, and its quote."""
    literal = file.segment(node)
    prefix = len(literal) - len(literal.lstrip("rRuUbB"))
    quote = literal[prefix : prefix + 3]
    if quote not in ('"""', "'''"):
        quote = literal[prefix : prefix + 1]
    return literal[:prefix], literal[prefix + len(quote) : len(literal) - len(quote)], quote


def locatable(file: AstFile, node: ast.AST) -> bool:
    """Does `ast` give this node's true place? Always from Python 3.12; before, an expression
    inside an f-string is placed by a search of the string's text, trusted when the text found
    there reads back as the same expression."""
    if RELIABLE_FSTRING_POSITIONS or not file.in_fstring(node):
        return True
    try:
        found = ast.parse(file.segment(node).strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return False
    return ast.dump(found) == ast.dump(node)


def inner_blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists a compound statement holds (its handlers' and cases' included)."""
    for _name, value in ast.iter_fields(statement):
        if isinstance(value, list) and value:
            if isinstance(value[0], ast.stmt):
                yield value
            elif isinstance(value[0], ast.ExceptHandler | ast.match_case):
                yield from (part.body for part in value)


def simple_statement(file: AstFile, node: ast.AST) -> ast.stmt | None:
    """The simple statement holding `node`, None when a compound statement comes first."""
    while node is not None and not isinstance(node, SIMPLE):
        if isinstance(node, ast.stmt):
            return None
        node = file.parent(node)  # type: ignore[assignment]
    return node  # type: ignore[return-value]


def block_of(file: AstFile, statement: ast.stmt) -> list[ast.stmt]:
    parent = file.parent(statement) or file.tree
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block
    raise AssertionError("a statement stands in a block of its parent")  # pragma: no cover


def index_in(file: AstFile, block: list[ast.stmt], node: ast.AST | None) -> int:
    """The index in `block` of the statement that holds `node`, or -1."""
    while node is not None:
        for index, statement in enumerate(block):
            if statement is node:
                return index
        node = file.parent(node)
    return -1
