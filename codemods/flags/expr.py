"""Expression helpers for flag removal: literal nodes and parentheses."""

from __future__ import annotations

import libcst as cst

from codemods.core.syntax import Literal


def literal_node(value: Literal) -> cst.BaseExpression:
    """The source literal for a flag's value."""
    if value is None or isinstance(value, bool):
        return cst.Name(repr(value))
    if isinstance(value, int):
        if value < 0:
            return cst.UnaryOperation(cst.Minus(), cst.Integer(str(-value)))
        return cst.Integer(str(value))
    return cst.SimpleString(repr(value))


def in_place_of(original: cst.BaseExpression, result: cst.BaseExpression) -> cst.BaseExpression:
    """`result` standing where `original` stood, keeping the original's parentheses.

    Parentheses stay even around atoms: `return(FLAG or x)` must not become `returnx`.
    """
    if not original.lpar or result.lpar:
        return result
    return result.with_changes(lpar=original.lpar, rpar=original.rpar)
