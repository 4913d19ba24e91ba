"""Apply a `FilePlan`: convert the calls, add the imports they need, drop imports left unused."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from codemods.constructors.calls import build_call, parse_templates
from codemods.constructors.plan import Anchor, FilePlan
from codemods.core.imports.edits import from_import_line, without_aliases
from codemods.core.rules import ConstructorRule
from codemods.core.syntax import is_docstring


def _without_aliases(
    original: cst.SimpleStatementLine,
    updated: cst.SimpleStatementLine,
    removals: dict[cst.CSTNode, set[cst.ImportAlias]],
) -> cst.SimpleStatementLine | None:
    """The statement line minus the aliases to remove (None when nothing is left of it)."""
    kept: list[cst.BaseSmallStatement] = []
    for old, new in zip(original.body, updated.body, strict=True):
        drop = removals.get(old)
        if not drop or not isinstance(old, cst.Import | cst.ImportFrom):
            kept.append(new)
            continue
        assert isinstance(new, cst.Import | cst.ImportFrom)
        pairs = zip(old.names, new.names, strict=True)  # type: ignore[arg-type]
        gone = {alias for before, alias in pairs if before in drop}
        rest = without_aliases(new, gone.__contains__)
        if rest is not None:
            kept.append(rest)
    if not kept:
        return None
    if len(kept) < len(updated.body):
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(body=kept)


def _module_top(body: Sequence[cst.BaseStatement]) -> int:
    """Index after the module docstring and the leading run of import statements."""
    index = 0
    if body and is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_import_line(body[index]):
        index += 1
    return index


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


class ConstructorRewriter(cst.CSTTransformer):
    """Carries out a plan on the tree it was made from."""

    def __init__(self, plan: FilePlan, default_indent: str) -> None:
        self.plan = plan
        self.default_indent = default_indent
        self.templates: dict[ConstructorRule, list[tuple[str, cst.BaseExpression]]] = {}

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        conversion = self.plan.conversions.get(original_node)
        if conversion is None:
            return updated_node
        templates = self.templates.get(conversion.rule)
        if templates is None:
            templates = self.templates[conversion.rule] = parse_templates(conversion.rule)
        return build_call(conversion, updated_node, templates, self.default_indent)

    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.BaseExpression:
        """An awaited old constructor becomes the plain (synchronous) new constructor call."""
        if original_node.expression not in self.plan.conversions:
            return updated_node
        call = updated_node.expression
        return call.with_changes(
            lpar=[*updated_node.lpar, *call.lpar], rpar=[*call.rpar, *updated_node.rpar]
        )

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, orphans = self._edit(original_node.body, updated_node.body, top=None)
        if not body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()], orphans)])
        return updated_node.with_changes(body=body, footer=[*orphans, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        top = _module_top(original_node.body) if None in self.plan.additions else None
        body, orphans = self._edit(original_node.body, updated_node.body, top)
        return updated_node.with_changes(body=body, footer=[*orphans, *updated_node.footer])

    def _imports(self, anchor: Anchor) -> list[cst.BaseStatement]:
        modules = self.plan.additions.get(anchor, {})
        indent = self.plan.anchor_indent.get(anchor, 0)
        return [
            from_import_line(module, sorted(modules[module]), (indent, self.default_indent))
            for module in sorted(modules)
        ]

    def _edit(
        self,
        original: Sequence[cst.BaseStatement],
        updated: Sequence[cst.BaseStatement],
        top: int | None,
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """The body with aliases removed and imports added, and comments left with no statement."""
        result: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []  # comments above a removed statement

        def place(statement: cst.BaseStatement) -> None:
            nonlocal carried
            if carried:
                leading = [*carried, *statement.leading_lines]  # type: ignore[attr-defined]
                statement = statement.with_changes(leading_lines=leading)
                carried = []
            result.append(statement)

        for index, (old, new) in enumerate(zip(original, updated, strict=True)):
            if index == top:
                result.extend(self._imports(None))
            kept: cst.BaseStatement | None = new
            if isinstance(old, cst.SimpleStatementLine) and isinstance(
                new, cst.SimpleStatementLine
            ):
                if any(small in self.plan.removals for small in old.body):
                    kept = _without_aliases(old, new, self.plan.removals)
            if kept is None:
                carried += list(new.leading_lines)  # type: ignore[attr-defined]
            else:
                place(kept)
            if old in self.plan.additions:
                for statement in self._imports(old):  # type: ignore[arg-type]
                    place(statement)
        if top is not None and top >= len(original):
            result.extend(self._imports(None))
        return result, carried
