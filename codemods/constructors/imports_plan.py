"""What a file's converted calls need around them, decided once from the analysis' scopes.

For each converted call: the name the new class goes by there (its short name, or a name it
is already imported under), and the imports to add for it and its templates' names (after the
import its callee came from, once a block; at the module top when none). For the file: the
imports every use of which was a converted call (and that `__all__` does not list), to remove.

Both writers take this plan and only lay it out: the text edits (`edits`) and, for the files
whose layout they leave out, the LibCST rewrite (`plan` + `rewrite`). An import stays where
the scopes cannot tell whether a use needs it (`import a.b, a.c`: both bind `a`) or a string
annotation may still name it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from codemods.constructors.templates import template_names
from codemods.core.annotations import in_annotation
from codemods.core.rules import ConstructorRule
from codemods.core.scopes import Access, Assignment, Scope
from codemods.core.tree import AstFile

Visible = Callable[[Scope, str], "set[str] | None"]  # `fast._Planner._visible`
Anchor = ast.stmt | None  # the import statement new imports go after; None: the module top


@dataclass(eq=False)
class Conversion:
    """A converted call: its rule, the parameter each argument binds (in source order), and
    once planned, the new class's name here and its callee's name accesses."""

    node: ast.Call
    rule: ConstructorRule
    parameters: tuple[str, ...]
    class_name: str = ""
    accesses: list[Access] = field(default_factory=list)


@dataclass
class ImportsPlan:
    """The conversions with their class names, the imports to add and those to remove."""

    conversions: list[Conversion]
    additions: dict[Anchor, dict[str, set[str]]]  # anchor -> module -> names
    removals: dict[ast.stmt, set[ast.alias]]  # import statement -> its aliases left unused


def plan_imports(file: AstFile, visible: Visible, conversions: list[Conversion]) -> ImportsPlan:
    """The plan for these converted calls (the analysis' decision) in this file."""
    return _Planner(file, visible).plan(conversions)


class _Planner:
    def __init__(self, file: AstFile, visible: Visible) -> None:
        self.file = file
        self.visible = visible
        self.wanted: list[tuple[Anchor, str, str]] = []
        self.converted_nodes: set[ast.AST] = set()
        self.converted_accesses: list[Access] = []

    def plan(self, conversions: list[Conversion]) -> ImportsPlan:
        for conversion in conversions:
            self._convert(conversion)
        return ImportsPlan(conversions, self._additions(), self._removals())

    # ---- the calls ---------------------------------------------------------------------------

    def _convert(self, conversion: Conversion) -> None:
        func = conversion.node.func
        scope = self.file.scope(func) or self.file.scopes.module
        conversion.class_name, needed = self._names(scope, conversion.rule)
        accesses = self._func_accesses(scope, func)
        conversion.accesses = accesses
        self.converted_accesses.extend(accesses)
        self.converted_nodes.update(access.node for access in accesses)
        if needed:
            for anchor in self._anchors(accesses):
                self.wanted.extend((anchor, module, name) for module, name in needed)

    def _names(self, scope: Scope, rule: ConstructorRule) -> tuple[str, list[tuple[str, str]]]:
        """The new class's name here and the imports to add (the analysis made sure no name
        the new call spells means something else here)."""
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
        """A name under which `path` is already imported and visible in `scope`."""
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
        """The name accesses that spell the callee (`Name`, `module.Name`, `Name.method`)."""
        by_node = self.file.scopes.accesses_by_node
        found: list[Access] = []
        node: ast.expr | None = func
        while node is not None:
            found.extend(a for a in by_node.get(node, ()) if a.scope is scope)
            node = node.value if isinstance(node, ast.Attribute) else None
        return found

    def _anchors(self, accesses: list[Access]) -> list[Anchor]:
        """The import statements the callee's name comes from (new imports go after them)."""
        anchors: list[Anchor] = []
        for access in accesses:
            for referent in sorted(access.referents, key=lambda a: a.index):
                if referent.is_import and referent.node not in anchors:
                    anchors.append(referent.node)  # type: ignore[arg-type]
        return anchors or [None]

    # ---- the imports to add ------------------------------------------------------------------

    def _additions(self) -> dict[Anchor, dict[str, set[str]]]:
        """Wanted imports, once a block: after the block's first anchor (module top: None,
        unless an import of the module body is wanted as an anchor too)."""
        first: dict[tuple[int, int] | None, Anchor] = {}
        anchors = {anchor for anchor, _, _ in self.wanted}
        module_block = (id(self.file.tree), id(self.file.tree.body))

        def order(anchor: Anchor) -> tuple[int, int]:
            return (0, 0) if anchor is None else self.file.position(anchor)

        for anchor in sorted(anchors, key=order):
            first.setdefault(self._block(anchor), anchor)
        if None in first and module_block in first:
            del first[None]
        additions: dict[Anchor, dict[str, set[str]]] = {}
        for anchor, module, name in self.wanted:
            chosen = first.get(self._block(anchor), anchor)
            if chosen is None and module_block in first:
                chosen = first[module_block]
            additions.setdefault(chosen, {}).setdefault(module, set()).add(name)
        return additions

    def _block(self, statement: Anchor) -> tuple[int, int] | None:
        """The statement list holding `statement` (None: the module top)."""
        if statement is None:
            return None
        parent = self.file.parent(statement)
        for block in statement_lists(parent):
            if any(item is statement for item in block):
                return id(parent), id(block)
        raise LookupError("a statement outside its parent's blocks")

    # ---- the imports left unused -------------------------------------------------------------

    def _removals(self) -> dict[ast.stmt, set[ast.alias]]:
        exported = self._exported()
        removals: dict[ast.stmt, set[ast.alias]] = {}
        seen: set[Assignment] = set()
        for access in self.converted_accesses:
            for referent in access.referents:
                if referent.is_import and referent not in seen:
                    seen.add(referent)
                    alias = self._unused(referent, exported)
                    if alias is not None:
                        removals.setdefault(referent.node, set()).add(alias)  # type: ignore[arg-type]
        return removals

    def _unused(self, assignment: Assignment, exported: set[str]) -> ast.alias | None:
        """The alias of `assignment` when every use of every name it binds was converted."""
        node = assignment.node
        assert isinstance(node, ast.Import | ast.ImportFrom)
        bound = [bound_names(alias, node) for alias in node.names]
        owners = [index for index, names in enumerate(bound) if assignment.name in names]
        if len(owners) != 1:
            return None  # `import a.b, a.c` and a use of `a`: which alias it needs is unknown
        alias, names = node.names[owners[0]], bound[owners[0]]
        if assignment.name.split(".")[0] in exported:
            return None
        # `import a.b` binds `a` and `a.b` (LibCST's sibling assignments of one alias); the
        # scopes do not tell which alias of `import a.b, a.c` an assignment of `a` is: a use
        # of `a` keeps both
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
        if any(self._in_string_annotation(name) for name in names):
            return None  # a use the scopes do not see (LibCST reads such strings)
        return alias

    def _references(self, assignment: Assignment) -> list[Access]:
        return [
            access
            for scope in self.file.scopes.scopes
            for access in scope.accesses
            if access.name == assignment.name and assignment in access.referents
        ]

    def _exported(self) -> set[str]:
        """The strings of every `__all__ = ...` / `__all__ += ...` value (an f-string's own
        text aside)."""
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
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                found.update(_strings(node.value))
        return found

    def _in_string_annotation(self, name: str) -> bool:
        word = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
        for node in self.file.scopes.parents:
            if type(node) is ast.Constant and isinstance(node.value, str):  # type: ignore[attr-defined]
                if word.search(node.value) and self._in_annotation(node):  # type: ignore[attr-defined]
                    return True
        return False

    def _in_annotation(self, node: ast.AST) -> bool:
        return in_annotation(self.file, node, self._typing_subscript)

    def _typing_subscript(self, node: ast.Subscript) -> bool:
        """LibCST reads a string in a typing subscript (`Optional["X"]`) as a type."""
        if not isinstance(node.value, ast.Name):
            return False
        names = self.file.scopes.qualified_names(node.value)
        return any(name.startswith(("typing.", "typing_extensions.")) for name, _ in names)


def _strings(node: ast.AST) -> Iterator[str]:
    """The string literals in an expression, not counting an f-string's literal text."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            yield node.value
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.JoinedStr) and isinstance(child, ast.Constant):
            continue
        yield from _strings(child)


def bound_names(alias: ast.alias, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import alias binds, as the scopes record them."""
    if alias.asname or isinstance(node, ast.ImportFrom):
        return {alias.asname or alias.name}
    parts = alias.name.split(".")
    return {".".join(parts[:size]) for size in range(1, len(parts) + 1)}


def statement_lists(parent: ast.AST | None) -> list[list[ast.stmt]]:
    """The statement lists of a statement, handler, case or module."""
    if isinstance(parent, ast.stmt):
        return statement_blocks(parent)
    body = getattr(parent, "body", None)
    return [body] if isinstance(body, list) else []


def statement_blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
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
