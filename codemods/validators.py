"""Token validation: calls of the many old validators that one canonical function replaces."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from codemods.base import Analysis, ParsedFile, TransformResult, last_components
from codemods.rules import RuleSet

METRIC = "token_validation_paths"


class _ValidatorCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.old = {old: rule.new for rule in rules.consolidations for old in rule.old}
        self.new = frozenset(rule.new for rule in rules.consolidations)
        self.analysis = Analysis()

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.parsed.qualified_names(node.func):
            if name in self.new:
                self.analysis.add_name(METRIC, name)
            elif name in self.old:
                self.analysis.add_name(METRIC, name)
                short, canonical = name.rpartition(".")[2], self.old[name]
                message = f"`{short}(...)` is one of several token validators: call {canonical}"
                self.analysis.findings.append(
                    self.parsed.finding("token-validation", node, message)
                )


class ValidatorsCodemod:
    """Routes every call of an old validator through the canonical one."""

    name: ClassVar[str] = "validators"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        olds = [old for rule in rules.consolidations for old in rule.old]
        return last_components(olds + [rule.new for rule in rules.consolidations])

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        collector = _ValidatorCollector(parsed, rules)
        parsed.wrapper.visit(collector)
        return collector.analysis

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code)
