"""Statement removal that keeps the blank lines separating what remains."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


class Placeholders:
    """Statements marked for removal; a block drops them when it is rebuilt.

    Removing a statement outright also removes the blank lines above it, gluing its
    neighbours together; a marked statement hands those blank lines to the next statement.
    """

    def __init__(self) -> None:
        self._marked: dict[int, cst.BaseStatement] = {}

    def mark(self, statement: cst.BaseStatement) -> cst.BaseStatement:
        if isinstance(statement, cst.SimpleStatementLine) and not statement.body:
            statement = statement.with_changes(body=[cst.Pass()])
        self._marked[id(statement)] = statement
        return statement

    def drop(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        kept: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        for statement in body:
            if id(statement) in self._marked:
                carry = carry or [line for line in statement.leading_lines if line.comment is None]
                continue
            if carry and not statement.leading_lines:
                statement = statement.with_changes(leading_lines=carry)
            carry = []
            kept.append(statement)
        return kept

    def __bool__(self) -> bool:
        return bool(self._marked)
