"""Module-level compatibility aliases (`ExecutionEngine = UserExecutionEngine`) as the import
rewrite decides them (`ImportRewrite._decide_compat_aliases`), from the stdlib `ast` alone.

The rewrite reads an alias of an old name (`paths.old_names`) bound, alone in its line, to a
canonical path under another name, and keeps it with a reason judged on the original file (the
name still read, no rule moving the module's own path, another statement on its line, files
outside the run importing it) or removes it with the `__all__` entries naming it. `decide` gives
each such statement's reason (None: removed), or `UNDECIDED` where the `ast` view cannot tell
what LibCST sees (a string annotation LibCST may read otherwise than `annotation_reads` models;
a statement continued onto another line with a backslash).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from codemods.core.annotation_reads import AnnotationReads, CannotTell
from codemods.core.imports.compat_reason import Undecided, kept_reason
from codemods.core.paths import PathMap, old_names, split_path
from codemods.core.tree import AstFile
from codemods.imports.constructions import destination


@dataclass(frozen=True)
class CompatAlias:
    """One statement the rewrite reads as a compatibility alias, and what it decides."""

    statement: ast.Assign
    alias: str
    why: str | None | Undecided  # kept: why; None: removed; UNDECIDED: left to the rewrite


def kept_message(alias: str, why: str) -> str:
    """What the rewrite reports at an alias it keeps (`aliased-import`, for review)."""
    return f"compatibility alias `{alias}` kept: {why}"


def is_kept_message(message: str) -> bool:
    return message.startswith("compatibility alias `") and "` kept: " in message


def is_fallback(message: str) -> bool:
    """What the rewrite reports at an import that keeps its bound name (`kept `New as Bound`:
    why`, `ImportRewrite._fallback`)."""
    return message.startswith("kept `") and "` as " in message.partition(":")[0]


def decide(file: AstFile, paths: PathMap) -> dict[int, CompatAlias]:
    """The rewrite's compatibility aliases of this file (`sites.FileFacts.compat`), by id of
    their statement, each with its decision."""
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
        why = _kept(file, paths, body, index, target.id)
        found[id(statement)] = CompatAlias(statement, target.id, why)
    return found


def _kept(
    file: AstFile, paths: PathMap, body: list[ast.stmt], index: int, alias: str
) -> str | None | Undecided:
    """`ImportRewrite._compat_alias_kept`: the shared decision on this tree's facts."""
    used = _referenced(file, body[index], alias)
    shared = _shares_line(file, body, index) if used is False else False
    return kept_reason(alias, file.context.module, paths, used, shared)


def _referenced(file: AstFile, statement: ast.Assign, alias: str) -> bool | None:
    """Does an access refer to a binding of `alias` in the module scope (LibCST's
    `assignment.references`), one read in a string annotation included (LibCST parses those)?
    None when no access does and a string annotation may read it otherwise than
    `AnnotationReads` models."""
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
    reads = AnnotationReads(file)
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


def _shares_line(file: AstFile, body: list[ast.stmt], index: int) -> bool | None:
    """Is the statement one of several on its line (`a = 1; Alias = Name`)? None when a
    backslash continues a line between it and a neighbour."""
    statement = body[index]
    pairs = []
    if index > 0:
        pairs.append((body[index - 1], statement))
    if index + 1 < len(body):
        pairs.append((statement, body[index + 1]))
    for first, second in pairs:
        if first.end_lineno == second.lineno:  # type: ignore[attr-defined]
            return True  # two statements on one line: a semicolon between them
        tail = file.line(first.end_lineno).encode()[first.end_col_offset :]  # type: ignore[attr-defined]
        if tail.rstrip(b"\r\n").rstrip().endswith(b"\\"):
            return None
    return False
