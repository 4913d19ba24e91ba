"""Instances of engine, factory and bridge classes held in module or class globals.

The analysis (`fast.decide`, stdlib `ast`) decides everything and gives each fix as text
edits; the transform applies them. No LibCST pass over the file decides anything again. (A
file whose fixes are all private globals never gets here: their findings carry the edits, which
the runner applies itself.)
"""

from __future__ import annotations

from typing import ClassVar

from codemods.core.base import ParsedFile, TransformResult
from codemods.core.edits import apply_edits
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.singletons import fast
from codemods.singletons import needles as singletons_needles


class SingletonsCodemod:
    """Finds singleton instances; fixes the module-instance-plus-getter shape where allowed."""

    name: ClassVar[str] = "singletons"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return singletons_needles(rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        if not rules.singletons:
            return TransformResult(parsed.code)
        analysis, edits = fast.decide(AstFile(parsed.code, parsed.context), rules)
        fixes = [finding for finding in analysis.findings if finding.fix]
        remaining = [finding for finding in analysis.findings if finding.manual_review]
        if not fixes:
            return TransformResult(parsed.code, remaining)
        code = apply_edits(parsed.code, edits)
        # What is left for a human, at its place in the new code.
        after = fast.analyze(AstFile(code, parsed.context), rules).findings
        return TransformResult(code, [f for f in after if f.manual_review], len(fixes))
