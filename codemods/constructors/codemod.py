"""The constructors codemod's rewrite: the calls of an old class that its analysis
(`codemods.constructors.fast`) decided to convert become calls of the new class.

`ExecutionEngine(registry, bridge, ctx)` (however the class is reached) becomes
`UserExecutionEngine(context=ctx, agent_factory=..., websocket_emitter=...)` from the rule's
templates; a refused call stays as it is, with its finding.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from codemods.constructors import fast
from codemods.constructors import needles as constructors_needles
from codemods.constructors.plan import plan_file
from codemods.constructors.rewrite import ConstructorRewriter
from codemods.core.base import Finding, ParsedFile, TransformResult
from codemods.core.edits import apply_edits
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile

__all__ = ["ConstructorsCodemod"]


def refusals(file: AstFile, rules: RuleSet) -> list[Finding]:
    """The calls the analysis leaves for review, in (line, column) order."""
    return _refused(fast.analyze(file, rules).findings)


def _refused(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.rule == fast.RULE and f.manual_review]


class ConstructorsCodemod:
    """Turns direct construction of the old class into factory-based construction of the new."""

    name: ClassVar[str] = "constructors"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return constructors_needles(rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        # A pending rule's class is not written yet: its calls are reported by the scan only.
        ready = tuple(rule for rule in rules.constructors if not rule.pending)
        rules = replace(rules, constructors=ready)
        file = AstFile(parsed.code, parsed.context)
        found = fast.analyze(file, rules, with_edits=True).findings
        fixes = [f for f in found if f.fix]
        if not fixes:
            return TransformResult(parsed.code, _refused(found))
        if all(f.edits for f in fixes):  # the analysis wrote the fix as text: no metadata
            code = apply_edits(parsed.code, [edit for f in fixes for edit in f.edits])
            findings = refusals(AstFile(code, parsed.context), rules)
            return TransformResult(code, findings, changes=len(fixes))
        plan = plan_file(parsed, rules, fast.rewrite_decisions(file, rules))
        rewriter = ConstructorRewriter(plan, parsed.module.default_indent)
        code = parsed.module.visit(rewriter).code
        # Report what is left for review where it now sits in the rewritten file.
        findings = refusals(AstFile(code, parsed.context), rules)
        return TransformResult(code, findings, changes=len(plan.conversions))
