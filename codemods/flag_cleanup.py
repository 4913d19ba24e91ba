"""After a flag is folded away: delete its definitions, then what became unused."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    MetadataWrapper,
    ScopeProvider,
)

from codemods.flag_blocks import Placeholders
from codemods.flag_expr import literal_value, shadowed


def flag_reads(module: cst.Module, names: Collection[str]) -> set[str]:
    """The flags a module still reads (as a name or as an attribute)."""
    reads = _FlagReads(set(names))
    MetadataWrapper(module, unsafe_skip_copy=True).visit(reads)
    return reads.found


class _FlagReads(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ExpressionContextProvider, ScopeProvider)

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.found: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _load(self, node: cst.CSTNode) -> bool:
        context = self.get_metadata(ExpressionContextProvider, node, None)
        return context is ExpressionContext.LOAD

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names and self._load(node):
            if not shadowed(self.get_metadata(ScopeProvider, node, None), node.value):
                self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self.names and self._load(node):
            self.found.add(node.attr.value)


def referenced_globals(module: cst.Module) -> set[str]:
    """Module-level names something in the module refers to (including `__all__`)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[module]
    used = {a.name for a in global_scope.assignments if a.references}
    return used | _dunder_all(module)


def _dunder_all(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = small.targets if isinstance(small, cst.Assign) else ()
            if not any(
                isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in targets
            ):
                continue
            if isinstance(small.value, cst.List | cst.Tuple):
                for element in small.value.elements:
                    known, value = literal_value(element.value)
                    if known and isinstance(value, str):
                        names.add(value)
    return names


def _drop_from_dunder_all(module: cst.Module, names: set[str]) -> cst.Module:
    """Remove deleted names from a module-level `__all__` list or tuple."""

    class _DunderAll(cst.CSTTransformer):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
            named_all = any(
                isinstance(t.target, cst.Name) and t.target.value == "__all__"
                for t in updated_node.targets
            )
            value = updated_node.value
            if not named_all or not isinstance(value, cst.List | cst.Tuple):
                return updated_node
            kept = [
                e
                for e in value.elements
                if literal_value(e.value) not in {(True, n) for n in names}
            ]
            if len(kept) == len(value.elements):
                return updated_node
            if kept and len(value.elements) > 1 and kept[-1] is not value.elements[-1]:
                kept[-1] = kept[-1].with_changes(comma=value.elements[-1].comma)
            return updated_node.with_changes(value=value.with_changes(elements=kept))

    return module.visit(_DunderAll())


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return alias.evaluated_name


class _Remover(cst.CSTTransformer):
    """Deletes module-level bindings of chosen names; fills or drops emptied blocks."""

    def __init__(
        self,
        imports: Collection[str] = (),
        assignments: Collection[str] = (),
        functions: Collection[str] = (),
        literal_only: bool = False,
        imports_anywhere: bool = False,
    ) -> None:
        super().__init__()
        self.imports = set(imports)
        self.assignments = set(assignments)
        self.functions = set(functions)
        self.literal_only = literal_only
        self.imports_anywhere = imports_anywhere
        self.depth = 0
        self.try_bodies: set[int] = set()
        self.removed: set[str] = set()
        self.placeholders = Placeholders()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.BaseStatement:
        self.depth -= 1
        if self.depth == 0 and updated_node.name.value in self.functions:
            self.removed.add(updated_node.name.value)
            return self.placeholders.mark(updated_node)
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.depth -= 1
        return updated_node

    def _drop_aliases(self, aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
        kept = [a for a in aliases if _bound_name(a) not in self.imports]
        self.removed.update(_bound_name(a) for a in aliases if a not in kept)
        if kept and len(kept) != len(aliases) and isinstance(aliases[-1].comma, cst.MaybeSentinel):
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return kept

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        if self.depth and not self.imports_anywhere:
            return updated_node
        kept = self._drop_aliases(list(updated_node.names))
        if not kept:
            return cst.RemovalSentinel.REMOVE
        return (
            updated_node.with_changes(names=kept)
            if len(kept) < len(updated_node.names)
            else (updated_node)
        )

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if self.depth and not self.imports_anywhere:
            return updated_node
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        kept = self._drop_aliases(list(updated_node.names))
        if not kept:
            return cst.RemovalSentinel.REMOVE
        if len(kept) == len(updated_node.names):
            return updated_node
        return updated_node.with_changes(names=kept)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> bool:
        if not isinstance(target, cst.Name) or target.value not in self.assignments:
            return False
        if self.literal_only and (value is None or not literal_value(value)[0]):
            return False
        self.removed.add(target.value)
        return True

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.Assign | cst.RemovalSentinel:
        if self.depth > 1 or len(updated_node.targets) != 1:
            return updated_node
        if self.depth == 1 and not self.literal_only:
            return updated_node
        if self._assigned(updated_node.targets[0].target, updated_node.value):
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign | cst.RemovalSentinel:
        if self.depth > 1 or (self.depth == 1 and not self.literal_only):
            return updated_node
        if updated_node.value is not None and self._assigned(
            updated_node.target, updated_node.value
        ):
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if not updated_node.body:
            return self.placeholders.mark(updated_node)
        return updated_node

    def visit_Try(self, node: cst.Try) -> None:
        self.try_bodies.add(id(node.body))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self.placeholders.drop(updated_node.body)
        if not body and id(original_node) not in self.try_bodies:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        if _same(body, updated_node.body):
            return updated_node
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.placeholders:
            return updated_node
        return updated_node.with_changes(body=self.placeholders.drop(updated_node.body))

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.BaseStatement:
        if updated_node.body.body:
            return updated_node
        if updated_node.orelse is None and updated_node.finalbody is None:
            return self.placeholders.mark(updated_node)
        return updated_node.with_changes(
            body=updated_node.body.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        )


def _same(a: Sequence[cst.CSTNode], b: Sequence[cst.CSTNode]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class _TryBindings(cst.CSTVisitor):
    """Names bound by imports and fallback assignments inside the given `try` statements."""

    def __init__(self, flags: Collection[str]) -> None:
        self.flags = set(flags)
        self.names: set[str] = set()
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Try(self, node: cst.Try) -> None:
        blocks = [node.body, *(h.body for h in node.handlers)]
        statements = [s for block in blocks for s in getattr(block, "body", ())]
        small = [
            s for line in statements if isinstance(line, cst.SimpleStatementLine) for s in line.body
        ]
        if not any(_assigns_flag(s, self.flags) for s in small):
            return
        for statement in small:
            if isinstance(statement, cst.Import | cst.ImportFrom) and not isinstance(
                statement.names, cst.ImportStar
            ):
                self.names.update(_bound_name(a) for a in statement.names)
            elif isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                target = statement.targets[0].target
                if isinstance(target, cst.Name) and literal_value(statement.value)[0]:
                    self.names.add(target.value)
        self.names -= self.flags


def _assigns_flag(statement: cst.BaseSmallStatement, flags: set[str]) -> bool:
    if isinstance(statement, cst.Assign):
        return any(
            isinstance(t.target, cst.Name) and t.target.value in flags for t in statement.targets
        )
    if isinstance(statement, cst.AnnAssign):
        return isinstance(statement.target, cst.Name) and statement.target.value in flags
    return False


def remove_flag_definitions(
    module: cst.Module, flags: Collection[str]
) -> tuple[cst.Module, set[str]]:
    """Delete literal assignments and imports of flags nothing reads any more.

    Returns the new module and the other names the flags' `try` blocks bound (candidates for
    deletion once unused).
    """
    collector = _TryBindings(flags)
    module.visit(collector)
    remover = _Remover(imports=flags, assignments=flags, literal_only=True, imports_anywhere=True)
    return _drop_from_dunder_all(module.visit(remover), set(flags)), collector.names


def remove_unused(
    module: cst.Module, used_before: set[str], try_bound: set[str]
) -> tuple[cst.Module, set[str]]:
    """Delete module-level imports, private helpers and fallbacks that became unused.

    Returns the new module and the public functions that became unused (left for review).
    """
    public_unused: set[str] = set()
    for _ in range(5):
        used = referenced_globals(module)
        newly = (used_before | try_bound) - used
        bindings = _module_bindings(module)
        imports = {n for n in newly if "import" in bindings.get(n, ())}
        functions = {n for n in newly - try_bound if bindings.get(n) == {"function"}}
        assignments = {
            n
            for n in newly
            if "assign" in bindings.get(n, ()) and (n in try_bound or n.startswith("_"))
        }
        public_unused |= {n for n in functions if not n.startswith("_")}
        functions = {n for n in functions if n.startswith("_")}
        if not (imports or functions or assignments):
            break
        remover = _Remover(imports=imports, assignments=assignments, functions=functions)
        changed = module.visit(remover)
        if changed.deep_equals(module):
            break
        module = changed
    return module, public_unused


def _module_bindings(module: cst.Module) -> dict[str, set[str]]:
    """Module-level names and how they are bound: "import", "function", "class", "assign"."""
    kinds: dict[str, set[str]] = {}

    class _Bindings(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            kinds.setdefault(node.name.value, set()).add("function")
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            kinds.setdefault(node.name.value, set()).add("class")
            return False

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            kinds.setdefault(_bound_name(node), set()).add("import")

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    kinds.setdefault(target.target.value, set()).add("assign")

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name):
                kinds.setdefault(node.target.value, set()).add("other")

    module.visit(_Bindings())
    return kinds
