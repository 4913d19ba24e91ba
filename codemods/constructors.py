"""Direct construction of a deprecated class, and dependency-injection violations of the new one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.base import Analysis, ParsedFile, TransformResult, last_components
from codemods.rules import ConstructorRule, RuleSet

PLACEHOLDER = re.compile(r"\{(\w+)\}")
SIDE_EFFECTS = m.Call() | m.Await() | m.Yield() | m.NamedExpr()


@dataclass(frozen=True)
class Binding:
    """The call's arguments bound to the old parameters, or why they cannot be."""

    arguments: dict[str, cst.Arg]
    problem: str | None = None


def placeholders(rule: ConstructorRule) -> list[str]:
    """Every `{param}` the templates use, once per use, in template order."""
    return [name for _, template in rule.args for name in PLACEHOLDER.findall(template)]


def bind(call: cst.Call, rule: ConstructorRule) -> Binding:
    """Bind arguments to `rule.params` as Python would; report what prevents a safe rewrite."""
    arguments: dict[str, cst.Arg] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            return Binding({}, f"`{arg.star}` arguments cannot be matched to the old parameters")
        if arg.keyword is None:
            if position >= len(rule.params):
                return Binding({}, "more positional arguments than the old signature takes")
            key = rule.params[position]
            position += 1
        else:
            key = arg.keyword.value
            if key not in rule.params:
                return Binding({}, f"unknown keyword argument `{key}`")
        if key in arguments:
            return Binding({}, f"argument `{key}` given twice")
        arguments[key] = arg
    uses = placeholders(rule)
    for name in dict.fromkeys(uses):
        if name not in arguments:
            return Binding(arguments, f"no `{name}` argument at the call site; not guessing one")
        if uses.count(name) > 1 and m.findall(arguments[name].value, SIDE_EFFECTS):
            reason = f"`{name}` has possible side effects and the new call would use it twice"
            return Binding(arguments, reason)
    return Binding(arguments)


def matching_rule(parsed: ParsedFile, call: cst.Call, rules: RuleSet) -> ConstructorRule | None:
    """The constructor rule whose old class (or one of its classmethods) this call constructs."""
    names = parsed.qualified_names(call.func)
    for rule in rules.constructors:
        if rule.old in names or any(f"{rule.old}.{cm}" in names for cm in rule.classmethods):
            return rule
    return None


def di_problem(call: cst.Call, rule: ConstructorRule) -> str | None:
    """Why a call of the new class breaks dependency injection, if it does."""
    if any(arg.star for arg in call.args):
        return None
    required = [name for name, _ in rule.args]
    given: set[str] = set()
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            given.add(arg.keyword.value)
        elif index < len(required):
            given.add(required[index])
        if m.matches(arg.value, m.Name("None")):
            return "passes a literal None"
    missing = [name for name in required if name not in given]
    if missing:
        return "missing " + ", ".join(f"`{name}`" for name in missing)
    return None


class _ConstructorCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.rules = rules
        self.analysis = Analysis()

    def visit_Call(self, node: cst.Call) -> None:
        rule = matching_rule(self.parsed, node, self.rules)
        if rule is not None:
            binding = bind(node, rule)
            old = rule.old.rpartition(".")[2]
            new = rule.new.rpartition(".")[2]
            if binding.problem is None:
                message = f"direct `{old}(...)` construction: use `{new}(...)`"
                finding = self.parsed.finding("direct-instantiation", node, message)
            else:
                message = f"direct `{old}(...)` construction needs manual review: {binding.problem}"
                finding = self.parsed.finding(
                    "direct-instantiation", node, message, fixable=False, manual_review=True
                )
            self.analysis.findings.append(finding)
            return
        names = self.parsed.qualified_names(node.func)
        for rule in self.rules.constructors:
            if rule.new in names:
                problem = di_problem(node, rule)
                if problem is not None:
                    new = rule.new.rpartition(".")[2]
                    message = f"`{new}(...)` {problem}: pass every dependency explicitly"
                    self.analysis.findings.append(
                        self.parsed.finding(
                            "di-violation", node, message, fixable=False, manual_review=True
                        )
                    )


class ConstructorsCodemod:
    """Turns direct construction of the old class into factory-based construction of the new."""

    name: ClassVar[str] = "constructors"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        paths = [r.old for r in rules.constructors] + [r.new for r in rules.constructors]
        return last_components(paths)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        collector = _ConstructorCollector(parsed, rules)
        parsed.wrapper.visit(collector)
        return collector.analysis

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code)
