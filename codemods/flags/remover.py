"""Delete module-level bindings (imports, helpers, assignments) and tidy emptied blocks."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import libcst as cst

from codemods.core.imports.edits import ImportNode, without_aliases
from codemods.core.syntax import literal_value
from codemods.flags.blocks import Placeholders


def bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds (`a.b` for `import a.b`)."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return alias.evaluated_name


def same_nodes(a: Sequence[cst.CSTNode], b: Sequence[cst.CSTNode]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class BindingRemover(cst.CSTTransformer):
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
        self.placeholders = Placeholders()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.BaseStatement:
        self.depth -= 1
        if self.depth == 0 and updated_node.name.value in self.functions:
            return self.placeholders.mark(updated_node)
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.depth -= 1
        return updated_node

    def _without_imports(self, node: ImportNode) -> ImportNode | cst.RemovalSentinel:
        if self.depth and not self.imports_anywhere:
            return node
        rest = without_aliases(node, lambda alias: bound_name(alias) in self.imports)
        return cst.RemovalSentinel.REMOVE if rest is None else rest

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        return self._without_imports(updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        return self._without_imports(updated_node)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> bool:
        if not isinstance(target, cst.Name) or target.value not in self.assignments:
            return False
        if self.literal_only and (value is None or not literal_value(value)[0]):
            return False
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
        if same_nodes(body, updated_node.body):
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
