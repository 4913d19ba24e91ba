"""Scope questions the import rewrite asks: what a binding means, and whether a name is free."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import BaseAssignment, ImportAssignment, Scope

from codemods.core.base import FileContext, dotted_name
from codemods.core.paths import PathMap
from codemods.core.paths import destination as module_destination


def imported_module(node: cst.ImportFrom, ctx: FileContext) -> str:
    """The absolute module a from-import reads from."""
    module = dotted_name(node.module) if node.module is not None else ""
    return ctx.resolve("." * len(node.relative) + (module or ""))


def imported_path(alias: cst.ImportAlias, node: cst.Import | cst.ImportFrom, ctx: FileContext):
    """The absolute dotted path an import alias brings in."""
    name = dotted_name(alias.name) or ""
    if isinstance(node, cst.Import):
        return name
    base = imported_module(node, ctx)
    return f"{base}.{name}" if base else name


def alias_for(assignment: ImportAssignment) -> cst.ImportAlias | None:
    """The alias of an import statement that made this assignment."""
    node = assignment.node
    if not isinstance(node, cst.Import | cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    for alias in node.names:
        if alias.evaluated_alias == assignment.name or (
            alias.asname is None and dotted_name(alias.name) == assignment.name
        ):
            return alias
    return None


def meaning(assignment: BaseAssignment, ctx: FileContext, paths: PathMap) -> str | None:
    """Where the binding's value lives after the migration (imports only; None otherwise)."""
    if not isinstance(assignment, ImportAssignment):
        return None
    alias = alias_for(assignment)
    if alias is None:
        return None
    path = imported_path(alias, assignment.node, ctx)  # type: ignore[arg-type]
    return destination(path, ctx, paths)


def destination(path: str, ctx: FileContext, paths: PathMap) -> str:
    """Where an imported dotted path points once migrated, read in the file of `ctx`."""
    return module_destination(path, ctx.module, paths)


def visible(scope: Scope, name: str) -> set[BaseAssignment]:
    """Assignments of `name` a lookup in `scope` may reach, plus every one made in `scope`."""
    found = set(scope.assignments[name]) if name in scope.assignments else set()
    if name in scope:
        found |= set(scope[name])
    return found


def name_conflicts(
    name: str, target: str, scopes: set[Scope], ctx: FileContext, paths: PathMap
) -> list[BaseAssignment]:
    """Every binding of `name` in any of `scopes` that means something other than `target`."""
    return [
        assignment
        for scope in scopes
        for assignment in visible(scope, name)
        if meaning(assignment, ctx, paths) != target
    ]


def name_taken(
    name: str, target: str, scopes: set[Scope], ctx: FileContext, paths: PathMap
) -> BaseAssignment | None:
    """A binding of `name` in any of `scopes` that means something other than `target`."""
    conflicts = name_conflicts(name, target, scopes, ctx, paths)
    return conflicts[0] if conflicts else None
