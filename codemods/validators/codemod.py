"""Token validation: calls of the many old validators that one canonical function replaces.

The analysis (`fast.plan`, stdlib `ast`) decides which calls reach an old validator, which old
validators must keep their imports (a call that does not fit the canonical one's parameters)
and what becomes of a module's calls of its own old validators. The transform applies that: the
shared import rewrite moves the imports of the validators not blocked, and the own calls are
edited as text.
"""

from __future__ import annotations

from typing import ClassVar

from codemods.core.base import ParsedFile, TransformResult
from codemods.core.edits import apply_edits
from codemods.core.imports.decide import decide
from codemods.core.imports.rewrite import rewrite_imports
from codemods.core.line_shift import shift_findings
from codemods.core.paths import PathMap
from codemods.core.rules import RenameRule, RuleSet
from codemods.core.tree import AstFile
from codemods.validators import fast
from codemods.validators import needles as validators_needles

METRIC = fast.METRIC


class ValidatorsCodemod:
    """Routes every call of an old validator through the canonical one."""

    name: ClassVar[str] = "validators"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return validators_needles(rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        if not rules.validators:
            return TransformResult(parsed.code)
        file = AstFile(parsed.code, parsed.context)
        decided = fast.plan(file, rules)
        renames = tuple(
            RenameRule(old, rule.new, "name", pending=rule.pending)
            for rule in rules.validators
            for old in rule.old
        )
        paths = PathMap(
            RuleSet(renames=renames, validators=rules.validators, own_objects=rules.own_objects)
        )
        plan = decide(file, paths, decided.blocked, fast.RULE, modules_deprecated=False)
        result = rewrite_imports(parsed, file, plan)
        if result.code != parsed.code:
            return result
        code = apply_edits(parsed.code, decided.edits)
        findings = shift_findings([*result.findings, *decided.reviews], parsed.code, code)
        return TransformResult(code, findings, result.changes + len(decided.edits))
