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


class ScopeIndex:
    """Every scope of a module, each node's scope and each node's parent."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope("module", tree)
        self.scopes: list[Scope] = [self.module]
        self.scope_of: dict[ast.AST, Scope] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.accesses_by_node: dict[ast.AST, list[Access]] = {}
        _Builder(self).build(tree)

    def qualified_names(self, node: ast.AST) -> set[tuple[str, str]]:
        """What LibCST's `scope.get_qualified_names_for(node)` gives, as (name, source) pairs."""
        scope = self.scope_of.get(node)
        if scope is None:
            return set()
        accesses = self.accesses_by_node.get(node)
        if accesses:
            return {
                name
                for access in accesses
                for referent in access.referents
                for name in referent.qualified_names(referent.name)
            }
        name = full_name(node)
        if name is None:
            return set()
        assignments: list[Assignment] | None = []
        prefix: str | None = name
        while prefix:
            if scope.contains(prefix):
                assignments = scope.resolve(prefix)
                break
            index = prefix.rfind(".")
            prefix = None if index == -1 else prefix[:index]
        if assignments is None:  # a builtin
            first = name.split(".", 1)[0]
            return {(f"builtins.{first}", BUILTIN)}
        for assignment in assignments:
            if assignment.node is node:
                return assignment.qualified_names(name)
        results: set[tuple[str, str]] = set()
        for assignment in assignments:
            results |= assignment.qualified_names(name)
        return results


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Fields that never hold a node a scope cares about: contexts and operators are shared
# singletons, the rest are strings and numbers.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "conversion", "is_async"})
_FIELDS: dict[type, tuple[str, ...]] = {}
_DISPATCH: dict[type, tuple] = {}  # node type -> (visit method or None, child fields, assigns)


def _child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a node type that may hold child nodes, in `ast.iter_child_nodes` order."""
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = tuple(f for f in node_type._fields if f not in _LEAF_FIELDS)
        _FIELDS[node_type] = fields
    return fields


class _Builder:
    """One walk in LibCST's `ScopeVisitor` order, counting assignment-like nodes as it does."""

    def __init__(self, index: ScopeIndex) -> None:
        self.index = index
        self.parents, self.scope_of = index.parents, index.scope_of
        self.scope = index.module
        self.deferred: list[tuple[Access, ast.Attribute | None]] = []
        self.top_attribute: list[ast.Attribute | None] = [None]

    def build(self, tree: ast.Module) -> None:
        self.index.scope_of[tree] = self.scope
        for statement in tree.body:
            self.visit(statement, tree)
        self._infer_accesses()

    # --- helpers -------------------------------------------------------------------------

    def _new_scope(self, kind: str, node: ast.AST, name: str | None) -> Scope:
        scope = Scope(kind, node, self.scope, name)
        self.index.scopes.append(scope)
        return scope

    def _children(self, node: ast.AST) -> None:
        for name in _child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, node)
            elif isinstance(value, ast.AST):
                self.visit(value, node)

    def _mark(self, node: ast.AST, parent: ast.AST | None) -> None:
        if parent is not None:
            self.index.parents[node] = parent
        self.index.scope_of[node] = self.scope

    def _visit_in(self, scope: Scope, node: ast.AST | None, parent: ast.AST) -> None:
        if node is None:
            return
        saved, self.scope = self.scope, scope
        self.visit(node, parent)
        self.scope = saved

    # --- the walk ------------------------------------------------------------------------

    def visit(self, node: ast.AST, parent: ast.AST | None) -> None:
        if parent is not None:
            self.parents[node] = parent
        self.scope_of[node] = self.scope
        node_type = type(node)
        entry = _DISPATCH.get(node_type)
        if entry is None:
            method = getattr(_Builder, f"visit_{node_type.__name__}", None)
            fields = _child_fields(node_type)
            assignment_like = issubclass(node_type, ASSIGNMENT_LIKE)
            entry = _DISPATCH[node_type] = (method, fields, assignment_like)
        method, fields, assignment_like = entry
        if method is not None:
            method(self, node)
        else:  # the children, inline: most nodes take this path
            visit = self.visit
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if item is not None and type(item) is not str:
                            visit(item, node)
                elif value is not None and isinstance(value, ast.AST):
                    visit(value, node)
        if assignment_like:
            self.scope.count += 1

    def visit_Constant(self, node: ast.Constant) -> None:
        """A leaf: nothing below it binds or reads a name."""

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._mark(alias, node)
            if alias.asname:
                self.scope.record(alias.asname, node)
                continue
            parts = alias.name.split(".")
            for size in range(len(parts), 0, -1):
                self.scope.record(".".join(parts[:size]), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self._mark(alias, node)
            if alias.name == "*":
                return
            self.scope.record(alias.asname or alias.name, node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.scope.record(node.id, node)
            return
        access = Access(node, node.id, self.scope, self.scope.count)
        self.deferred.append((access, self.top_attribute[-1]))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self.top_attribute[-1] is None:
            self.top_attribute[-1] = node
        self.visit(node.value, node)
        if self.top_attribute[-1] is node:
            self.top_attribute[-1] = None

    def visit_Call(self, node: ast.Call) -> None:
        self.top_attribute.append(None)
        self._children(node)
        self.top_attribute.pop()

    def visit_keyword(self, node: ast.keyword) -> None:
        self.visit(node.value, node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        name = node.name if not isinstance(node, ast.Lambda) else None
        if name is not None:
            self.scope.record(name, node)
        scope = self._new_scope("function", node, name)
        outer = self.scope
        self.scope = scope
        self._parameters(node.args, outer)
        if isinstance(node, ast.Lambda):
            self.visit(node.body, node)
        else:
            for statement in node.body:
                self.visit(statement, node)
        self.scope = outer
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator, node)
            if node.returns is not None:
                self.visit(node.returns, node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _parameters(self, args: ast.arguments, outer: Scope) -> None:
        self._mark(args, self.index.parents.get(args))
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        params = list(zip(positional, defaults, strict=True))
        if args.vararg is not None:
            params.append((args.vararg, None))
        params += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
        if args.kwarg is not None:
            params.append((args.kwarg, None))
        # LibCST's Parameters order: positional, *args, keyword-only, **kwargs.
        for arg, default in params:
            self._mark(arg, args)
            self.scope.record(arg.arg, arg)
            self._visit_in(outer, default, arg)
            self._visit_in(outer, arg.annotation, arg)
        self.scope.count += 1  # LibCST counts the Parameters node

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.record(node.name, node)
        for decorator in node.decorator_list:
            self.visit(decorator, node)
        for base in node.bases:
            self.visit(base, node)
        for keyword in node.keywords:
            self.visit(keyword, node)
        outer = self.scope
        self.scope = self._new_scope("class", node, node.name)
        for statement in node.body:
            self.visit(statement, node)
        self.scope = outer

    def visit_Global(self, node: ast.Global) -> None:
        if self.scope.parent is not None:
            for name in node.names:
                self.scope.overwrites[name] = self.scope.globals

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        if self.scope.parent is not None:
            for name in node.names:
                self.scope.overwrites[name] = self.scope.parent

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp) -> None:
        first, *rest = node.generators
        self._mark(first, node)
        self.visit(first.iter, first)
        outer = self.scope
        self.scope = self._new_scope("comprehension", node, None)
        self.visit(first.target, first)
        self.scope.count += 1
        for condition in first.ifs:
            self.visit(condition, first)
        self.scope.count += 1  # the CompFor
        for generator in rest:
            self._mark(generator, node)
            self.visit(generator.target, generator)
            self.visit(generator.iter, generator)
            self.scope.count += 1
            for condition in generator.ifs:
                self.visit(condition, generator)
            self.scope.count += 1
        if isinstance(node, ast.DictComp):
            self.visit(node.key, node)
            self.visit(node.value, node)
        else:
            self.visit(node.elt, node)
        self.scope = outer

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target, node)
        self.scope.count += 1
        self.visit(node.iter, node)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement, node)

    visit_For = visit_AsyncFor = _for

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.visit(target, node)
        self.visit(node.value, node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type, node)
        if node.name is not None:
            self.scope.record(node.name, node)
            self.scope.count += 1  # the AsName
        for statement in node.body:
            self.visit(statement, node)

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr, node)
        if node.optional_vars is not None:
            self.visit(node.optional_vars, node)
            self.scope.count += 1  # the AsName
        self.scope.count += 1  # the WithItem

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.target, node)
        self.visit(node.value, node)

    def _match_capture(self, node: ast.MatchAs | ast.MatchStar) -> None:
        if isinstance(node, ast.MatchAs) and node.pattern is not None:
            self.visit(node.pattern, node)
        if node.name is not None:
            self.scope.record(node.name, node)

    visit_MatchAs = visit_MatchStar = _match_capture

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self._children(node)
        if node.rest is not None:
            self.scope.record(node.rest, node)

    def _infer_accesses(self) -> None:
        by_node = self.index.accesses_by_node
        for access, attribute in self.deferred:
            if attribute is not None:
                for dotted, node in dotted_names(attribute):
                    if access.scope.contains(dotted):
                        access.node, access.name = node, dotted
                        break
            access.scope.accesses.append(access)
            by_node.setdefault(access.node, []).append(access)


ASSIGNMENT_LIKE = (
    ast.AnnAssign,
    ast.Assign,
    ast.AugAssign,
    ast.ClassDef,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Global,
    ast.Import,
    ast.ImportFrom,
    ast.NamedExpr,
    ast.Nonlocal,
)
