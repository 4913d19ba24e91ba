"""Expression helpers for flag removal: literals, purity, parentheses."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ClassScope, GlobalScope, ImportAssignment, Scope

Literal = bool | int | str | None


def literal_node(value: Literal) -> cst.BaseExpression:
    """The source literal for a flag's value."""
    if value is None or isinstance(value, bool):
        return cst.Name(repr(value))
    if isinstance(value, int):
        if value < 0:
            return cst.UnaryOperation(cst.Minus(), cst.Integer(str(-value)))
        return cst.Integer(str(value))
    return cst.SimpleString(repr(value))


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


def in_place_of(original: cst.BaseExpression, result: cst.BaseExpression) -> cst.BaseExpression:
    """`result` standing where `original` stood, keeping the original's parentheses.

    Parentheses stay even around atoms: `return(FLAG or x)` must not become `returnx`.
    """
    if not original.lpar or result.lpar:
        return result
    return result.with_changes(lpar=original.lpar, rpar=original.rpar)


def flag_names_in_string(value: str, names: frozenset[str]) -> bool:
    """Does a string name a flag (`"FLAG"` or `"pkg.mod.FLAG"`)?"""
    return value.rpartition(".")[2] in names


def shadowed(scope: Scope | None, name: str) -> bool:
    """Is `name` bound locally there (a parameter, a loop variable), hiding the flag?"""
    if scope is None:
        return False
    return any(
        not isinstance(a.scope, GlobalScope | ClassScope) and not isinstance(a, ImportAssignment)
        for a in scope[name]
    )
