"""Module-level compatibility aliases (`ExecutionEngine = UserExecutionEngine`): which statements
the import rewrite reads as one, and whether it keeps or removes each, decided once from the
stdlib `ast` tree.

An alias is a module-level `Alias = Name` (or `= module.Name`), alone as its statement's target,
where `Alias` is a name a rename rule moves (`paths.old_names`) and `Name` means a canonical path
of another last name. It stays, with the first reason that holds: its name is still read in the
file (or may be, by a string annotation), no rule moves the module's own `Alias` (the files
importing it would break), another statement shares its logical line, or files outside the run
import it. Otherwise the rewrite removes it, with the `__all__` entries naming it. The imports
analysis writes those decisions as text; the LibCST rewrite finds each statement by position.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from codemods.core.annotation_reads import AnnotationReads, CannotTell
from codemods.core.paths import PathMap, destination, old_names, split_path
from codemods.core.tree import AstFile

_CONTINUATION = re.compile(r"\\\n")


@dataclass(frozen=True)
class CompatAlias:
    """One statement the rewrite reads as a compatibility alias, and what it decides."""

    statement: ast.Assign
    alias: str
    why: str | None  # kept: why; None: removed


def kept_message(alias: str, why: str) -> str:
    """What the rewrite reports at an alias it keeps (`aliased-import`, for review)."""
    return f"compatibility alias `{alias}` kept: {why}"


def is_kept_message(message: str) -> bool:
    return message.startswith("compatibility alias `") and "` kept: " in message


def is_fallback(message: str) -> bool:
    """What the rewrite reports at an import that keeps its bound name (`kept `New as Bound`:
    why`, `decide._Decider._fallback`)."""
    return message.startswith("kept `") and " as " in message.partition("`: ")[0]


def decide(file: AstFile, paths: PathMap) -> dict[int, CompatAlias]:
    """The compatibility aliases of this file, by id of their statement, each with its
    decision."""
    names = old_names(paths)
    found: dict[int, CompatAlias] = {}
    body = file.tree.body
    for index, statement in enumerate(body):
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, value = statement.targets[0], statement.value
        if not isinstance(target, ast.Name) or target.id not in names:
            continue
        if not isinstance(value, ast.Name | ast.Attribute):
            continue
        module = file.context.module
        meant = {destination(q, module, paths) for q in file.qualified_names(value)}
        if all(split_path(path)[1] == target.id for path in meant & paths.canonical):
            continue
        why = kept_reason(
            target.id,
            module,
            paths,
            _referenced(file, statement, target.id),
            _shares_line(file, body, index),
        )
        found[id(statement)] = CompatAlias(statement, target.id, why)
    return found


def kept_reason(
    alias: str, module: str, paths: PathMap, used: bool | None, shares_line: bool
) -> str | None:
    """The reason the alias stays, in the rewrite's order of reasons; None: it goes. `used`:
    a binding of the name is read in the file (None: a string annotation may read it)."""
    own = f"{module}.{alias}"
    if used:
        return f"`{alias}` is still used in this file"
    if used is None:
        return f"`{alias}` may be read by a string annotation in this file"
    if paths.rename(own) is None:
        return f"no rule moves `{own}`, so the files importing it are not rewritten"
    if shares_line:
        return "it shares its line with other statements"
    elsewhere = paths.rules.imported_elsewhere
    if elsewhere is None:
        return "unknown whether files outside this run import it (`migrator run` checks)"
    probe = own
    while probe:
        if probe in elsewhere:
            return f"files outside this run import `{probe}`"
        probe = probe.rpartition(".")[0]
    return None


def _referenced(file: AstFile, statement: ast.Assign, alias: str) -> bool | None:
    """Does an access refer to a binding of `alias` in the module scope, one read in a string
    annotation included? None when no access does and a string annotation may read it
    otherwise than `AnnotationReads` models."""
    scope = file.scope(statement)
    if scope is None:  # pragma: no cover - every module statement has the module's scope
        return None
    bindings = {id(a) for a in scope.assignments.get(alias, [])}
    for each in file.scopes.scopes:
        for access in each.accesses:
            if access.name != alias and not access.name.startswith(alias + "."):
                continue
            if any(id(referent) in bindings for referent in access.referents):
                return True
    reads = AnnotationReads(file, decided=True)
    used: bool | None = False
    for node in reads.mentioning(alias):
        try:
            access = reads.access(node, alias)
        except CannotTell:
            used = None  # unless another string reads it
            continue
        if access is not None and any(id(r) in bindings for r in access.referents):
            return True
    return used


def _shares_line(file: AstFile, body: list[ast.stmt], index: int) -> bool:
    """Is the statement one of several on its logical line (`a = 1; Alias = Name`, or one
    continued onto the next line with a backslash before the `;`)?"""
    statement = body[index]
    pairs = []
    if index > 0:
        pairs.append((body[index - 1], statement))
    if index + 1 < len(body):
        pairs.append((statement, body[index + 1]))
    for first, second in pairs:
        if first.end_lineno == second.lineno:  # type: ignore[attr-defined]
            return True  # two statements on one line: a semicolon between them
        gap = file.between(first, second)
        if "\n" not in _CONTINUATION.sub("", gap):
            return True  # joined by a backslash: one logical line
    return False
