"""The walk that builds a module's scopes, in LibCST's `ScopeVisitor` order, over stdlib `ast`.

`ScopeIndex` holds every scope, each node's scope and parent, and the accesses by node; it answers
`get_qualified_names_for` as LibCST's scopes do. The model it builds lives in `scopes.py`.
"""

from __future__ import annotations

import ast

from codemods.core.scopes import (
    BUILTIN,
    Access,
    Scope,
    dotted_names,
    full_name,
)


class ScopeIndex:
    """Every scope of a module, each node's scope and each node's parent."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope("module", tree)
        self.scopes: list[Scope] = [self.module]
        self.scope_of: dict[ast.AST, Scope] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.accesses_by_node: dict[ast.AST, list[Access]] = {}
        # each string constant's place among its scope's assignments: where LibCST reads a
        # string annotation's names (`string_access`)
        self.string_places: dict[ast.Constant, int] = {}
        _Builder(self).build(tree)

    def release(self) -> None:
        """Break the index's reference cycles (scopes and their assignments and accesses), so
        that reference counting frees it, and the tree, at once: the cyclic collector would
        first walk every object of them."""
        for scope in self.scopes:
            scope.assignments.clear()
            scope.accesses.clear()
            scope.overwrites.clear()
            scope.parent = None
        self.scopes.clear()
        self.scope_of.clear()
        self.parents.clear()
        self.accesses_by_node.clear()
        self.string_places.clear()

    def string_access(self, node: ast.Constant, name: str) -> Access:
        """The access LibCST records for `name` read inside the string annotation `node`."""
        scope = self.scope_of[node]
        return Access(node, name, scope, self.string_places[node])

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
        assignments = scope.longest_prefix(name)
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
        """A leaf: nothing below it binds or reads a name (a string annotation's names are
        read where it stands: its place is kept)."""
        if type(node.value) is str:
            self.index.string_places[node] = self.scope.count

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

    def _type_params(self, node: ast.AST) -> None:
        """A generic's type parameters (3.12): their bounds and defaults read the names of the
        enclosing scope."""
        for param in getattr(node, "type_params", None) or ():
            self._mark(param, node)
            for field in ("bound", "default_value"):
                value = getattr(param, field, None)
                if value is not None:
                    self.visit(value, param)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        name = node.name if not isinstance(node, ast.Lambda) else None
        if name is not None:
            self.scope.record(name, node)
            self._type_params(node)
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
        self._type_params(node)
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
