"""Token validation: calls of the many old validators that one canonical function replaces."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import libcst as cst

from codemods.core.base import Analysis, Analyzer, ParsedFile, TransformResult
from codemods.core.imports.rewrite import rewrite_imports
from codemods.core.line_shift import shift_findings
from codemods.core.paths import PathMap
from codemods.core.rules import RenameRule, RuleSet, ValidatorRule
from codemods.validators import messages as say
from codemods.validators import needles as validators_needles
from codemods.validators.local import rewrite_local_calls

METRIC = "token_validation_paths"


class _ValidatorCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.old = {old: rule.new for rule in rules.validators for old in rule.old}
        self.new = frozenset(rule.new for rule in rules.validators)
        self.analysis = Analysis()

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.parsed.qualified_names(node.func):
            if name in self.new:
                self.analysis.add_name(METRIC, name)
            elif name in self.old:
                self.analysis.add_name(METRIC, name)
                short, canonical = name.rpartition(".")[2], self.old[name]
                message = say.several_validators(short, canonical)
                self.analysis.findings.append(
                    self.parsed.finding("token-validation", node, message)
                )


class ValidatorsCodemod:
    """Routes every call of an old validator through the canonical one."""

    name: ClassVar[str] = "validators"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return validators_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        return self.analyzer(parsed, rules).run(parsed)

    def analyzer(self, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
        collector = _ValidatorCollector(parsed, rules)
        return Analyzer([collector], lambda: collector.analysis)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        if not rules.validators:
            return TransformResult(parsed.code)
        renames = tuple(
            RenameRule(old, rule.new, "name", pending=rule.pending)
            for rule in rules.validators
            for old in rule.old
        )
        paths = PathMap(
            RuleSet(renames=renames, validators=rules.validators, own_objects=rules.own_objects)
        )
        blocked = _unbindable_calls(parsed, rules)
        result = rewrite_imports(
            parsed, paths, blocked, "token-validation", modules_deprecated=False
        )
        if result.code != parsed.code:
            return result
        ready = tuple(rule for rule in rules.validators if not rule.pending)
        code, findings, changes = rewrite_local_calls(parsed, replace(rules, validators=ready))
        findings = shift_findings([*result.findings, *findings], parsed.code, code)
        return TransformResult(code, findings, result.changes + changes)


def binding_problem(call: cst.Call, params: tuple[str, ...]) -> str | None:
    """Why the call's arguments do not bind to `params` (the first required), if they do not."""
    if not params:
        return None
    given: set[str] = set()
    for index, arg in enumerate(call.args):
        if arg.star:
            return f"`{arg.star}` arguments cannot be matched to its parameters"
        if arg.keyword is None:
            if index >= len(params):
                return "more positional arguments than it takes"
            name = params[index]
        else:
            name = arg.keyword.value
            if name not in params:
                return f"it has no parameter `{name}`"
        if name in given:
            return f"argument `{name}` given twice"
        given.add(name)
    if params[0] not in given:
        return f"no `{params[0]}` argument"
    return None


class _CallShapeChecker(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.by_old: dict[str, ValidatorRule] = {
            old: rule for rule in rules.validators for old in rule.old
        }
        self.blocked: dict[str, str] = {}

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.parsed.qualified_names(node.func) & set(self.by_old):
            rule = self.by_old[name]
            problem = binding_problem(node, rule.params)
            if problem is not None and name not in self.blocked:
                short, new = name.rpartition(".")[2], rule.new.rpartition(".")[2]
                line = self.parsed.position(node)[0]
                self.blocked[name] = (
                    f"`{short}(...)` on line {line} does not fit `{new}"
                    f"({', '.join(rule.params)})`: {problem}; left for manual review"
                )


def _unbindable_calls(parsed: ParsedFile, rules: RuleSet) -> dict[str, str]:
    """Old validators called here with arguments the canonical one cannot take."""
    if not any(rule.params for rule in rules.validators):
        return {}
    checker = _CallShapeChecker(parsed, rules)
    parsed.module.visit(checker)
    return checker.blocked
