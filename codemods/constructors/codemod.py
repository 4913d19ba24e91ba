"""Direct construction of a deprecated class, and dependency-injection violations of the new one.

`ExecutionEngine(registry, bridge, ctx)` (however the class is reached) becomes
`UserExecutionEngine(context=ctx, agent_factory=..., websocket_emitter=...)` from the rule's
templates; a call that cannot be converted without guessing stays as it is, with a finding.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import libcst as cst

from codemods.constructors import fast
from codemods.constructors import messages as say
from codemods.constructors import needles as constructors_needles
from codemods.constructors.binding import Binding, bind, di_problem, matching_rule, placeholders
from codemods.constructors.plan import FilePlan, finish_plan, plan_file, start_plan
from codemods.constructors.rewrite import ConstructorRewriter
from codemods.core.base import (
    Analysis,
    Analyzer,
    Finding,
    ParsedFile,
    TransformResult,
)
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile

__all__ = [
    "Binding",
    "ConstructorsCodemod",
    "bind",
    "di_problem",
    "matching_rule",
    "placeholders",
]

RULE = "direct-instantiation"


def _short(path: str) -> str:
    return path.rpartition(".")[2]


def old_class_calls(parsed: ParsedFile, rules: RuleSet) -> frozenset[tuple[int, int]] | None:
    """Where the `ast` analysis found a call of an old class (to convert or to refuse): the
    only calls the planner must resolve. None when that analysis cannot tell for this file."""
    try:
        findings = fast.analyze(AstFile(parsed.code, parsed.context), rules).findings
    except Exception:  # noqa: BLE001 - Unsupported, unparsable for `ast`, or a bug: plan all
        return None
    return frozenset((f.line, f.column) for f in findings if f.rule == RULE)


def plan_findings(parsed: ParsedFile, plan: FilePlan, *, refusals_only: bool = False) -> list:
    """A finding for every conversion (fixable) and every refusal (manual review)."""
    findings: list[Finding] = []
    if not refusals_only:
        for call, conversion in plan.conversions.items():
            old, new = _short(conversion.rule.old), _short(conversion.rule.new)
            findings.append(parsed.finding(RULE, call, say.conversion(old, new)))
    for refusal in plan.refusals:
        old = _short(refusal.rule.old)
        message = say.refusal(old, refusal.reason)
        findings.append(
            parsed.finding(RULE, refusal.call, message, fixable=False, manual_review=True)
        )
    findings.sort(key=lambda f: (f.line, f.column))
    return findings


class _DIViolations(cst.CSTVisitor):
    """Calls of a new class that miss one of its arguments or pass a literal None."""

    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.rules = rules
        self.findings: list[Finding] = []

    def visit_Call(self, node: cst.Call) -> None:
        names = self.parsed.qualified_names(node.func)
        for rule in self.rules.constructors:
            if rule.new not in names:
                continue
            problem = di_problem(node, rule)
            if problem is not None:
                message = say.di_violation(_short(rule.new), problem)
                finding = self.parsed.finding(
                    "di-violation", node, message, fixable=False, manual_review=True
                )
                self.findings.append(finding)


class ConstructorsCodemod:
    """Turns direct construction of the old class into factory-based construction of the new."""

    name: ClassVar[str] = "constructors"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return constructors_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        return self.analyzer(parsed, rules).run(parsed)

    def analyzer(self, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
        planner = start_plan(parsed, rules)
        violations = _DIViolations(parsed, rules)

        def finish() -> Analysis:
            analysis = Analysis(plan_findings(parsed, finish_plan(planner)))
            analysis.findings.extend(violations.findings)
            return analysis

        return Analyzer([planner, violations], finish)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        # A pending rule's class is not written yet: its calls are reported by the scan only.
        ready = tuple(rule for rule in rules.constructors if not rule.pending)
        rules = replace(rules, constructors=ready)
        plan = plan_file(parsed, rules, old_class_calls(parsed, rules))
        if not plan.conversions:
            return TransformResult(parsed.code, plan_findings(parsed, plan, refusals_only=True))
        rewriter = ConstructorRewriter(plan, parsed.module.default_indent)
        code = parsed.module.visit(rewriter).code
        # Report what is left for review where it now sits in the rewritten file.
        rewritten = ParsedFile(code, parsed.context)
        left = plan_file(rewritten, rules, old_class_calls(rewritten, rules))
        findings = plan_findings(rewritten, left, refusals_only=True)
        return TransformResult(code, findings, changes=len(plan.conversions))
