"""The import rewrite written with LibCST: the analysis' plan (`decide`), found in the tree.

`decide` made every decision from the `ast` tree: which alias goes where, which reads and
strings are renamed, what is removed and what is reported. Here each decided node is found in
the LibCST tree by its position, the statements are rebuilt (`build`) and every edit is applied
in one pass, layout kept. Nothing here decides what a name means.
"""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst.metadata import PositionProvider

from codemods.core.base import ParsedFile, TransformResult
from codemods.core.imports.build import PlannedStatement, StatementBuilder
from codemods.core.imports.decide import ImportPlan
from codemods.core.imports.edits import EditApplier
from codemods.core.imports.sites import Plan, Site, import_sites
from codemods.core.line_shift import shift_findings
from codemods.core.tree import AstFile

Span = tuple[int, int, int, int]
_NODES = (cst.Name, cst.Attribute, cst.SimpleString, cst.ImportAlias, cst.Assign, cst.Try)


class _Nodes(cst.CSTVisitor):
    """The nodes a plan can name, by where they start and end."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.found: dict[tuple[type, Span], cst.CSTNode] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _NODES):
            span = self.parsed.get(PositionProvider, node)
            key = (span.start.line, span.start.column, span.end.line, span.end.column)
            if isinstance(node, cst.Try):  # a block's end is counted otherwise by `ast`
                key = (span.start.line, span.start.column, 0, 0)
            self.found.setdefault((type(node), key), node)
        return True


class ImportRewrite:
    """Finds the plan's nodes in the LibCST tree and applies every edit."""

    def __init__(self, parsed: ParsedFile, file: AstFile, plan: ImportPlan) -> None:
        self.parsed = parsed
        self.file = file
        self.decided = plan
        self.sites = import_sites(parsed)
        self._nodes = _Nodes(parsed)
        parsed.module.visit(self._nodes)
        self._sites = {parsed.position(site.node): site for site in self.sites}

    def _span(self, node: ast.AST) -> Span:
        return (*self.file.position(node), *self.file.end_position(node))

    def _found(self, kind: type, node: ast.AST) -> cst.CSTNode:
        return self._nodes.found[(kind, self._span(node))]

    def _site(self, statement: ast.stmt) -> Site:
        return self._sites[self.file.position(statement)]

    def _alias(self, alias: ast.alias) -> cst.ImportAlias:
        return self._found(cst.ImportAlias, alias)  # type: ignore[return-value]

    def plan(self) -> Plan:
        """The decided plan, keyed by this tree's nodes."""
        decided, plan = self.decided, Plan()
        for node, text in decided.renames.items():
            found = self._found(type_of(node), node)
            if isinstance(found, cst.Name) and text.isidentifier():
                plan.expressions[found] = found.with_changes(value=text)
            else:
                plan.expressions[found] = cst.parse_expression(text)
        for node, value in decided.literals.items():
            string = self._found(cst.SimpleString, node)
            assert isinstance(string, cst.SimpleString)
            plan.expressions[string] = string.with_changes(
                value=string.prefix + string.quote + value + string.quote
            )
        for node, pairs in decided.words.items():
            plan.strings[self._found(cst.SimpleString, node)] = pairs  # type: ignore[index]
        for node in decided.removed:
            kind = cst.Assign if isinstance(node, ast.Assign) else cst.SimpleString
            plan.removed.add(self._found(kind, node))
        return plan

    def statements(self) -> dict[cst.CSTNode, PlannedStatement]:
        """The decided import statements, with this tree's aliases."""
        found = {}
        for statement, planned in self.decided.statements.items():
            site = self._site(statement)
            found[site.node] = PlannedStatement(
                [self._alias(alias) for alias in planned.kept],
                [(self._alias(a) if a else None, item) for a, item in planned.fresh],
                [item for _, item in planned.joined],
            )
        return found

    def run(self) -> TransformResult:
        plan = self.plan()
        changes = self.decided.changes + self.decided.statement_changes
        edits = StatementBuilder(self.parsed.context, self.sites, self.statements()).build()
        expressions = dict(plan.expressions)
        for node, pairs in plan.strings.items():
            expressions[node] = _rename_in_string(node, pairs)
            changes += 1
        findings = list(self.decided.reports)
        if not edits and not expressions and not plan.removed:
            return TransformResult(self.parsed.code, findings, 0)
        folded = {
            self._nodes.found[(cst.Try, (*self.file.position(node), 0, 0))]
            for node in self.decided.folded
        }
        applier = EditApplier(expressions, edits, set(plan.removed), folded)  # type: ignore[arg-type]
        code = self.parsed.module.visit(applier).code  # one code generation, not two
        if code == self.parsed.code:
            return TransformResult(self.parsed.code, findings, 0)
        findings = shift_findings(findings, self.parsed.code, code)
        return TransformResult(code, findings, max(changes, 1))


def type_of(node: ast.AST) -> type:
    """The LibCST node type an `ast` read is found as."""
    return cst.Attribute if isinstance(node, ast.Attribute) else cst.Name


def _rename_in_string(node: cst.SimpleString, pairs: list[tuple[str, str]]) -> cst.SimpleString:
    text = node.raw_value
    for old, new in pairs:
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
    return node.with_changes(value=node.prefix + node.quote + text + node.quote)


def rewrite_imports(parsed: ParsedFile, file: AstFile, plan: ImportPlan) -> TransformResult:
    """Write the import rewrite's plan (`decide.decide`, from `file`: the `ast` parse of the
    same code) with LibCST."""
    return ImportRewrite(parsed, file, plan).run()
