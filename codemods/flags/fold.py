"""Replace reads of a bypass flag by its value, fold what became constant, prune dead branches."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import PositionProvider

from codemods.core.base import Finding, ParsedFile
from codemods.core.syntax import Literal, is_pure, literal_value
from codemods.flags.blocks import Placeholders
from codemods.flags.expr import in_place_of, literal_node
from codemods.flags.fast import Folds
from codemods.flags.remover import same_nodes

TERMINALS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
Statement = cst.BaseStatement
Replacement = Statement | cst.FlattenSentinel[Statement] | cst.RemovalSentinel


def _as_python_reads(name: str) -> str:
    """An identifier as Python (and the analysis) reads it: NFKC-normalized."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


class FlagFolder(cst.CSTTransformer):
    """One pass: the flag reads `folds` names become literals, constant tests lose their dead
    branches. Which reads fold is decided by the analysis (`codemods.flags.fast.folds`)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, parsed: ParsedFile, folds: Folds) -> None:
        super().__init__()
        self.parsed = parsed
        self.folds = folds
        self.values = folds.values
        self.fstring: tuple[cst.CSTNode, int, int] | None = None  # the outermost string
        self.findings: list[Finding] = []
        self.changes = 0
        # Constants this pass made, by id; the nodes are kept alive so ids stay unique.
        self.derived: dict[int, cst.BaseExpression] = {}
        self.boolean_context: set[int] = set()
        self.elifs: set[int] = set()
        self.terminals: dict[int, cst.CSTNode] = {}
        self.placeholders = Placeholders()
        self.footers: dict[int, tuple[Statement, list[cst.EmptyLine]]] = {}

    # ---- bookkeeping -----------------------------------------------------------------
    def _derive(self, value: Literal, like: cst.BaseExpression) -> cst.BaseExpression:
        """A literal standing in `like`'s place, with `like`'s parentheses."""
        node = literal_node(value)
        if like.lpar:
            node = node.with_changes(lpar=like.lpar, rpar=like.rpar)
        self.derived[id(node)] = node
        return node

    def _constant(self, node: cst.BaseExpression) -> tuple[bool, Literal]:
        """(True, value) for a constant this pass derived from a flag."""
        if id(node) in self.derived:
            return literal_value(node)
        return False, None

    def _unsafe(self, node: cst.CSTNode, why: str) -> None:
        message = f"flag read left in place: {why}; simplify by hand"
        self.findings.append(
            self.parsed.finding("auth-bypass", node, message, fixable=False, manual_review=True)
        )

    # ---- contexts --------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_If(self, node: cst.If) -> None:
        self.boolean_context.add(id(node.test))
        if isinstance(node.orelse, cst.If):
            self.elifs.add(id(node.orelse))

    def visit_While(self, node: cst.While) -> None:
        self.boolean_context.add(id(node.test))

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self.boolean_context.add(id(node.test))
        if id(node) in self.boolean_context:  # only the chosen branch's truth is used
            self.boolean_context.update((id(node.body), id(node.orelse)))

    def visit_Assert(self, node: cst.Assert) -> None:
        self.boolean_context.add(id(node.test))

    def visit_CompIf(self, node: cst.CompIf) -> None:
        self.boolean_context.add(id(node.test))

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not):
            self.boolean_context.add(id(node.expression))

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if id(node) in self.boolean_context:
            self.boolean_context.update((id(node.left), id(node.right)))

    # ---- reads -----------------------------------------------------------------------
    def _string_start(self, node: cst.BaseExpression) -> None:
        if self.fstring is None:
            start = self.get_metadata(PositionProvider, node).start
            self.fstring = (node, start.line, start.column)

    def _string_end(self, node: cst.BaseExpression) -> None:
        if self.fstring is not None and self.fstring[0] is node:
            self.fstring = None

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._string_start(node)

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        self._string_end(original_node)
        return updated_node

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string_start(node)

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        self._string_end(original_node)
        return updated_node

    def _decided(self, node: cst.CSTNode, name: str) -> str | None:
        """The flag this read folds to, when the analysis decided it folds."""
        flag = _as_python_reads(name)
        if flag not in self.values:
            return None
        if self.fstring is not None:
            _, line, column = self.fstring
            return flag if (line, column, flag) in self.folds.in_fstrings else None
        start = self.get_metadata(PositionProvider, node).start
        return flag if (start.line, start.column) in self.folds.reads else None

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        flag = self._decided(original_node, original_node.value)
        if flag is None:
            return updated_node
        self.changes += 1
        return self._derive(self.values[flag], original_node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return _as_python_reads(node.attr.value) not in self.values

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        flag = _as_python_reads(original_node.attr.value)
        if flag not in self.values:
            return updated_node
        if self.fstring is None:
            start = self.get_metadata(PositionProvider, original_node).start
            if (start.line, start.column) in self.folds.unsafe:
                why = f"`{flag}` is read from an expression with side effects"
                self._unsafe(original_node, why)
                return updated_node
        flag = self._decided(original_node, flag)
        if flag is None:
            return updated_node
        self.changes += 1
        return self._derive(self.values[flag], original_node)

    # ---- folding ---------------------------------------------------------------------
    def leave_UnaryOperation(
        self, original_node: cst.UnaryOperation, updated_node: cst.UnaryOperation
    ) -> cst.BaseExpression:
        known, value = self._constant(updated_node.expression)
        if known and isinstance(updated_node.operator, cst.Not):
            return self._derive(not value, updated_node)
        return updated_node

    def leave_BooleanOperation(
        self, original_node: cst.BooleanOperation, updated_node: cst.BooleanOperation
    ) -> cst.BaseExpression:
        is_and = isinstance(updated_node.operator, cst.And)
        left_known, left = self._constant(updated_node.left)
        right_known, right = self._constant(updated_node.right)
        if left_known:
            # `C and x` is C when C is falsy, else x; `C or x` is C when C is truthy, else x.
            if bool(left) != is_and:
                return self._derive(left, updated_node)
            return in_place_of(updated_node, updated_node.right)
        if not right_known:
            return updated_node
        if id(original_node) not in self.boolean_context:
            self._unsafe(original_node, "the flag is the right operand of a value expression")
            return original_node
        if bool(right) == is_and:
            # `x and <truthy>` / `x or <falsy>` test the same as `x`.
            return in_place_of(updated_node, updated_node.left)
        if is_pure(updated_node.left):
            return self._derive(right, updated_node)
        operator = "and" if is_and else "or"
        self._unsafe(original_node, f"dropping the left operand of `{operator}` loses its effects")
        return original_node

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.BaseExpression:
        if len(updated_node.comparisons) != 1:
            return updated_node
        target = updated_node.comparisons[0]
        if id(updated_node.left) not in self.derived and id(target.comparator) not in self.derived:
            return updated_node
        left_known, left = literal_value(updated_node.left)
        right_known, right = literal_value(target.comparator)
        if not (left_known and right_known):
            return updated_node
        operator = target.operator
        identity_safe = all(v is None or isinstance(v, bool) for v in (left, right))
        if isinstance(operator, cst.Equal):
            return self._derive(left == right, updated_node)
        if isinstance(operator, cst.NotEqual):
            return self._derive(left != right, updated_node)
        if isinstance(operator, cst.Is) and identity_safe:
            return self._derive(left is right, updated_node)
        if isinstance(operator, cst.IsNot) and identity_safe:
            return self._derive(left is not right, updated_node)
        return updated_node

    def leave_IfExp(self, original_node: cst.IfExp, updated_node: cst.IfExp) -> cst.BaseExpression:
        known, value = self._constant(updated_node.test)
        if not known:
            return updated_node
        branch = updated_node.body if value else updated_node.orelse
        return in_place_of(updated_node, branch)

    # ---- statements ------------------------------------------------------------------
    def _body(
        self, block: cst.BaseSuite, leading: tuple[cst.EmptyLine, ...]
    ) -> list[cst.BaseStatement]:
        """A branch's statements, ready to stand in the enclosing block."""
        if isinstance(block, cst.SimpleStatementSuite):
            statements: list[cst.BaseStatement] = [
                cst.SimpleStatementLine(
                    body=block.body, trailing_whitespace=block.trailing_whitespace
                )
            ]
        else:
            statements = list(block.body)
        if statements:
            first = statements[0]
            statements[0] = first.with_changes(leading_lines=[*leading, *first.leading_lines])
            last = statements[-1]
            if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], TERMINALS):
                self.terminals[id(last)] = last
            if isinstance(block, cst.IndentedBlock) and any(line.comment for line in block.footer):
                self.footers[id(last)] = (last, list(block.footer))
        return statements

    def _flatten(self, statement: Statement, statements: list[Statement]) -> Replacement:
        if not statements:
            return self.placeholders.mark(statement)
        return cst.FlattenSentinel(statements)

    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> cst.BaseStatement | cst.Else | cst.FlattenSentinel | cst.RemovalSentinel:
        known, value = self._constant(updated_node.test)
        if not known:
            return updated_node
        orelse = updated_node.orelse
        leading = tuple(updated_node.leading_lines)
        if id(original_node) in self.elifs:
            if value:
                return cst.Else(body=updated_node.body, leading_lines=leading)
            if orelse is None:
                return cst.RemovalSentinel.REMOVE
            return orelse.with_changes(leading_lines=[*leading, *orelse.leading_lines])
        if value:
            return self._flatten(updated_node, self._body(updated_node.body, leading))
        if orelse is None:
            return self.placeholders.mark(updated_node)
        if isinstance(orelse, cst.If):
            return orelse.with_changes(leading_lines=[*leading, *orelse.leading_lines])
        body = self._body(orelse.body, (*leading, *orelse.leading_lines))
        return self._flatten(updated_node, body)

    def leave_While(
        self, original_node: cst.While, updated_node: cst.While
    ) -> cst.BaseStatement | cst.FlattenSentinel | cst.RemovalSentinel:
        known, value = self._constant(updated_node.test)
        if not known or value:
            return updated_node
        if updated_node.orelse is None:
            return self.placeholders.mark(updated_node)
        leading = (*updated_node.leading_lines, *updated_node.orelse.leading_lines)
        return self._flatten(updated_node, self._body(updated_node.orelse.body, leading))

    def _reachable(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """Drop statements after a return/raise that a pruned branch left unconditional."""
        for index, statement in enumerate(body):
            if id(statement) in self.terminals:
                return body[: index + 1]
        return body

    def _rebuild(
        self, statements: Sequence[Statement]
    ) -> tuple[list[Statement], list[cst.EmptyLine]]:
        """A block's body after pruning; comments that closed a kept branch move down a line."""
        body: list[Statement] = []
        pending: list[cst.EmptyLine] = []
        for statement in self._reachable(self.placeholders.drop(statements)):
            closing = self.footers[id(statement)][1] if id(statement) in self.footers else []
            if pending:
                leading = [*pending, *statement.leading_lines]
                statement = statement.with_changes(leading_lines=leading)
            pending = list(closing)
            body.append(statement)
        return body, pending

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, footer = self._rebuild(updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        if footer or not same_nodes(body, updated_node.body):
            return updated_node.with_changes(body=body, footer=[*footer, *updated_node.footer])
        return updated_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, footer = self._rebuild(updated_node.body)
        if footer or not same_nodes(body, updated_node.body):
            return updated_node.with_changes(body=body, footer=[*footer, *updated_node.footer])
        return updated_node
