"""Small syntactic predicates shared by the codemods: docstrings, literals, purity."""

from __future__ import annotations

import libcst as cst

from codemods.core.imports.text import LINE_LIMIT  # noqa: F401 - re-exported

Literal = bool | int | str | None


def is_docstring(statement: cst.BaseStatement) -> bool:
    """A statement that is only a string literal (a module, class or function docstring)."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def literal_value(node: cst.BaseExpression) -> tuple[bool, Literal]:
    """(True, value) when the node is a True/False/None/int/str literal, else (False, None)."""
    if isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
        return True, {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Integer):
        return True, int(node.evaluated_value)
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return (True, value) if isinstance(value, str) else (False, None)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer)
    ):
        return True, -int(node.expression.evaluated_value)
    return False, None


def is_pure(node: cst.BaseExpression) -> bool:
    """Can evaluating this expression be dropped without losing a side effect or an error?"""
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, cst.Attribute):
        return is_pure(node.value)
    if literal_value(node)[0] or isinstance(node, cst.Float):
        return True
    if isinstance(node, cst.UnaryOperation):
        return is_pure(node.expression)
    if isinstance(node, cst.BooleanOperation):
        return is_pure(node.left) and is_pure(node.right)
    if isinstance(node, cst.Comparison):
        return is_pure(node.left) and all(is_pure(t.comparator) for t in node.comparisons)
    return False
