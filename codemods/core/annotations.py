"""Where a string literal may be read as a type: LibCST's rewrites look into such strings, so a
text edit that renames a name must know when one spells it."""

from __future__ import annotations

import ast
from collections.abc import Callable

from codemods.core.tree import AstFile, dotted

TYPING_CALLS = frozenset({"cast", "TypeVar", "NewType"})  # calls whose string arguments are types


def in_annotation(
    file: AstFile, node: ast.AST, types_subscript: Callable[[ast.Subscript], bool]
) -> bool:
    """Whether `node` (a string constant) stands in an annotation, a return annotation, a
    typing call's arguments, or a subscript that `types_subscript` says reads its slice as a
    type (codemods differ on which subscripts LibCST's rewrite of theirs treats so)."""
    child, parent = node, file.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt | ast.arg):
        if isinstance(parent, ast.Subscript) and types_subscript(parent):
            return True
        if isinstance(parent, ast.Call):
            name = dotted(parent.func) or ""
            if name.rpartition(".")[2] in TYPING_CALLS:
                return True
        child, parent = parent, file.parent(parent)
    if isinstance(parent, ast.arg):
        return True
    if isinstance(parent, ast.AnnAssign):
        return child is parent.annotation
    if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
        return child is parent.returns
    return False
