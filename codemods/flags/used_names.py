"""The module-level names something in a module refers to, from the stdlib `ast` scope model.

`referenced_names` gives the module scope's assignments that have references, plus the
`__all__` strings, as LibCST's `ScopeProvider` would (the tests hold it to that reference), and
raises `Unsupported` or `CannotTell` where the model may differ from it: the flags cleanup then
removes nothing (`cleanup.referenced_globals`).

LibCST's `Assignment.references` is not `Access.referents` read backwards: an access in a scope
refers to every module-scope assignment its name resolves to (in the module scope itself, only
to those made before it), and an access made before a local assignment of its name in the same
scope also refers to what the name resolves to in the enclosing scope (`record_accesses`).
"""

from __future__ import annotations

import ast

from codemods.core.annotation_reads import AnnotationReads
from codemods.core.scopes import Access, Scope
from codemods.core.tree import AstFile, Unsupported, one_literal

TYPE_NAME_CALLS = frozenset({"NewType", "TypeVar"})  # LibCST skips their first argument


def referenced_names(file: AstFile) -> set[str]:
    """Module-level names something in the module refers to (including `__all__`)."""
    file.require_plain_identifiers()  # ast's names are NFKC-normalized, LibCST's not
    _require_modelled(file)
    module = file.scopes.module
    used: set[str] = set()
    for scope in file.scopes.scopes:
        for access in scope.accesses:
            if access.name not in used and _refers_to_module(access, module):
                used.add(access.name)
    reads = AnnotationReads(file)
    unused = set(module.assignments) - used
    for root in sorted({name.split(".", 1)[0] for name in unused}):
        # CannotTell where LibCST may read a string otherwise, or read a dotted name in it
        accesses = reads.accesses(root)
        if root in unused and any(_refers_to_module(access, module) for access in accesses):
            used.add(root)
    return used | dunder_all(file)


def _refers_to_module(access: Access, module: Scope) -> bool:
    """Whether LibCST records the access among a module-scope assignment's references."""
    name, scope = access.name, access.scope
    if not module.assignments.get(name):
        return False
    for assignment in scope.resolve(name) or ():
        if assignment.scope is module:
            if scope is not module or assignment.index < access.index:
                return True
        elif assignment.scope is scope and assignment.index >= access.index:
            # an access before a local assignment: LibCST gives it to the enclosing scope's
            shadowed = scope.parent.resolve(name) if scope.parent is not None else None
            if any(each.scope is module for each in shadowed or ()):
                return True
    return False


def _require_modelled(file: AstFile) -> None:
    """Raise Unsupported where LibCST's scopes are not what `ScopeIndex` builds for a
    module-level name (one walk of the tree)."""
    module = file.scopes.module
    type_calls = set(TYPE_NAME_CALLS)
    calls: list[ast.Call] = []  # calls whose first argument is no constant
    for node in ast.walk(file.tree):
        kind = type(node)
        if kind is ast.Call:
            if not _constant_first(node):
                calls.append(node)
        elif kind is ast.Import or kind is ast.ImportFrom:
            type_calls.update(
                alias.asname or alias.name
                for alias in node.names
                if alias.name.rpartition(".")[2] in TYPE_NAME_CALLS
            )
        elif kind is ast.Nonlocal:
            if file.scope(node) is module:
                raise Unsupported("nonlocal at module level (LibCST raises)")
        elif kind in _PATTERNS:
            if _pattern_names(node) & module.assignments.keys():
                raise Unsupported("a match pattern names a module-level name (LibCST reads it)")
        elif (
            kind in _DEFINITIONS
            and getattr(node, "type_params", None)
            or (kind.__name__ == "TypeAlias")
        ):
            raise Unsupported("type parameters or a type alias (LibCST's annotation scopes)")
    if any(_called_name(call) in type_calls for call in calls):
        raise Unsupported("a NewType/TypeVar call whose first argument LibCST skips")


_PATTERNS = (ast.MatchAs, ast.MatchStar, ast.MatchMapping, ast.MatchClass)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _pattern_names(node: ast.AST) -> set[str]:
    """The names a match pattern node captures or names as a keyword: LibCST reads each as
    an access (the model binds the captures), so neither may be a module-level name."""
    if isinstance(node, ast.MatchAs | ast.MatchStar) and node.name is not None:
        return {node.name}
    if isinstance(node, ast.MatchMapping) and node.rest is not None:
        return {node.rest}
    if isinstance(node, ast.MatchClass):
        return set(node.kwd_attrs)
    return set()


def _called_name(node: ast.Call) -> str | None:
    """The last name of what the call calls, as LibCST's full name of it ends (`a.b()` and
    `a.b[T]()` call `b`): a call LibCST may qualify as `typing.NewType` ends in that name or in
    an alias importing it."""
    func: ast.expr = node.func
    while isinstance(func, ast.Call | ast.Subscript):
        func = func.func if isinstance(func, ast.Call) else func.value
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _constant_first(node: ast.Call) -> bool:
    """Whether the call's first argument in the source is a constant (LibCST does not visit
    it: a name there is no access)."""
    if not node.args and not node.keywords:
        return True
    return bool(node.args) and isinstance(node.args[0], ast.Constant)


def dunder_all(file: AstFile) -> set[str]:
    """The strings of module-level `__all__ = [...]` / `(...)` assignments, each a single
    string literal (LibCST's `literal_value` reads no concatenation)."""
    names: set[str] = set()
    for statement in file.tree.body:
        if not isinstance(statement, ast.Assign) or not isinstance(
            statement.value, ast.List | ast.Tuple
        ):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets):
            continue
        for element in statement.value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                if one_literal(file, element):
                    names.add(element.value)
    return names
