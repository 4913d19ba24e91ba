"""Scopes, assignments and accesses over a stdlib `ast` tree, as LibCST's `ScopeProvider` sees them.

The scan's fast analyzers must report exactly what the LibCST analyzers report, so this models
LibCST's rules rather than Python's where the two differ: assignments are not flow-sensitive
(`scope[name]` is every assignment of the name in the scope), an access refers only to the
assignments of its own scope that come before it, class scopes are invisible to nested scopes,
and qualified names follow `Scope.get_qualified_names_for`, quirks included (an import's
qualified names are matched against every alias of its statement). String annotations are not
parsed into accesses (LibCST does); no analyzer reads accesses inside them.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

BUILTIN_NAMES = frozenset(dir(builtins))
IMPORT, LOCAL, BUILTIN = "import", "local", "builtin"


@dataclass(eq=False)
class Assignment:
    """One binding of `name` in `scope`: an import statement, a def, a class, a target, a param."""

    name: str
    scope: Scope
    node: ast.AST
    index: int

    @property
    def is_import(self) -> bool:
        return isinstance(self.node, ast.Import | ast.ImportFrom)

    def qualified_names(self, full_name: str) -> set[tuple[str, str]]:
        """(qualified name, source) pairs, as LibCST's `Assignment.get_qualified_names_for`."""
        if not self.is_import:
            prefix = self.scope.name_prefix
            return {(f"{prefix}.{full_name}" if prefix else full_name, LOCAL)}
        return _import_names(self.node, full_name)


def _import_names(node: ast.Import | ast.ImportFrom, full_name: str) -> set[tuple[str, str]]:
    module = ""
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
    results: set[tuple[str, str]] = set()
    for alias in node.names:
        if alias.name == "*":
            return set()
        parts = alias.name.split(".")
        for size in range(len(parts), 0, -1):
            real_name = as_name = ".".join(parts[:size])
            if module and module.endswith("."):
                real_name = f"{module}{real_name}"
            elif module:
                real_name = f"{module}.{real_name}"
            if alias.asname:
                as_name = alias.asname
            if full_name.startswith(as_name):
                remaining = full_name.split(as_name, 1)[1]
                if remaining and not remaining.startswith("."):
                    continue
                remaining = remaining.lstrip(".")
                results.add((f"{real_name}.{remaining}" if remaining else real_name, IMPORT))
                break
    return results


class Access:
    """A name read (or deleted) in a scope, and the assignments it may refer to.

    The referents are resolved when first read: most accesses of a file are never asked about.
    """

    __slots__ = ("node", "name", "scope", "index", "_referents")

    def __init__(self, node: ast.AST, name: str, scope: Scope, index: int) -> None:
        self.node, self.name, self.scope, self.index = node, name, scope, index
        self._referents: set[Assignment] | None = None

    @property
    def builtin(self) -> bool:
        """Only a builtin has the name (LibCST's `BuiltinAssignment`)."""
        return self.scope.resolve(self.name) is None

    @property
    def referents(self) -> set[Assignment]:
        """The assignments before this access in its scope, or any in enclosing scopes."""
        if self._referents is None:
            assignments = self.scope.resolve(self.name)
            earlier = {
                a for a in assignments or () if a.scope is not self.scope or a.index < self.index
            }
            if not earlier and assignments and self.scope.parent is not None:
                earlier = set(self.scope.parent.resolve(self.name, self.scope) or ())
            self._referents = earlier
        return self._referents


@dataclass(eq=False)
class Scope:
    """A module, class, function (or lambda) or comprehension scope."""

    kind: str
    node: ast.AST
    parent: Scope | None = None
    name: str | None = None
    assignments: dict[str, list[Assignment]] = field(default_factory=dict)
    overwrites: dict[str, Scope] = field(default_factory=dict)
    accesses: list[Access] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        if self.parent is None:
            self.name_prefix = ""
        elif self.kind == "class":
            self.name_prefix = ".".join(filter(None, [self.parent.name_prefix, self.name]))
        elif self.kind == "comprehension":
            self.name_prefix = ".".join(filter(None, [self.parent.name_prefix, "<comprehension>"]))
        else:
            parts = [self.parent.name_prefix, self.name, "<locals>"]
            self.name_prefix = ".".join(filter(None, parts))

    @property
    def globals(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def _visible_parent(self, first: Scope | None = None) -> Scope | None:
        parent = first if first is not None else self.parent
        while parent is not None and parent.kind == "class":
            parent = parent.parent
        return parent

    def contains(self, name: str) -> bool:
        """`name in scope`: the name has an assignment here or in a visible enclosing scope."""
        if self.parent is None:
            return bool(self.assignments.get(name)) or name in BUILTIN_NAMES
        if name in self.overwrites:
            return self.overwrites[name].contains(name)
        if name in self.assignments:
            return True
        parent = self._visible_parent()
        return parent is not None and parent.contains(name)

    def resolve(self, name: str, from_scope: Scope | None = None) -> list[Assignment] | None:
        """`scope[name]`: the assignments of the name; None when only a builtin has it."""
        from_scope = from_scope or self
        if self.parent is None:
            if name in self.assignments:
                return self.assignments[name]
            return None if name in BUILTIN_NAMES else []
        if name in self.overwrites:
            target = self._visible_parent(self.overwrites[name])
            return target.resolve(name, from_scope) if target else []
        if name in self.assignments:
            return self.assignments[name]
        parent = self._visible_parent()
        return parent.resolve(name, from_scope) if parent else []

    def longest_prefix(self, name: str) -> list[Assignment] | None:
        """The assignments of the longest dotted prefix of `name` known here ([] when none, None
        when only a builtin has it), as `get_qualified_names_for` looks a dotted name up."""
        prefix: str | None = name
        while prefix:
            if self.contains(prefix):
                return self.resolve(prefix)
            index = prefix.rfind(".")
            prefix = None if index == -1 else prefix[:index]
        return []

    def target_for(self, name: str) -> Scope:
        """The scope an assignment of `name` made here lands in (`global`/`nonlocal`)."""
        if self.parent is not None and name in self.overwrites:
            scope = self._visible_parent(self.overwrites[name]) or self.globals
            return scope.target_for(name)
        return self

    def record(self, name: str, node: ast.AST) -> Assignment:
        target = self.target_for(name)
        assignment = Assignment(name, target, node, target.count)
        target.assignments.setdefault(name, []).append(assignment)
        return assignment

    def all_assignments(self) -> Iterator[Assignment]:
        for assignments in self.assignments.values():
            yield from assignments


def full_name(node: ast.AST | str) -> str | None:
    """`get_full_name_for_node`: `a.b.c` for names, attributes, calls and subscripts of them."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, str):
        return node
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    return None


def dotted_names(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """`_gen_dotted_names`: (`a.b.c`, node), (`a.b`, inner node), (`a`, name), for attributes."""
    if isinstance(node, ast.Name):
        yield node.id, node
        return
    if not isinstance(node, ast.Attribute):
        return
    value = node.value
    if isinstance(value, ast.Call):
        value = value.func
        if isinstance(value, ast.Attribute | ast.Name):
            yield from dotted_names(value)
        return
    if isinstance(value, ast.Attribute | ast.Name):
        inner = dotted_names(value)
        first = next(inner, None)
        if first is None:
            return
        yield f"{first[0]}.{node.attr}", node
        yield first
        yield from inner
