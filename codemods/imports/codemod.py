"""Deprecated, aliased and indirect imports of moved names, and string references to old paths.

The decision is `fast.analyze`'s alone (stdlib `ast`); `analyze` here hands it a LibCST-parsed
file's text for callers that hold one. `transform` rewrites with LibCST the files whose fixes
the analysis could not give as text edits.
"""

from __future__ import annotations

from typing import ClassVar

from codemods.core.base import Analysis, ParsedFile, TransformResult
from codemods.core.imports.rewrite import rewrite_imports
from codemods.core.line_shift import shift_findings
from codemods.core.paths import RepositoryPathMap
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.imports import fast
from codemods.imports import needles as imports_needles
from codemods.imports.calls import constructor_calls


class ImportsCodemod:
    """Rewrites every import of a moved name to its canonical path."""

    name: ClassVar[str] = "imports"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return imports_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        """The `ast` analysis of the parsed file's text (the one decider)."""
        return fast.analyze(AstFile(parsed.code, parsed.context), rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        paths = RepositoryPathMap(rules)
        calls = constructor_calls(parsed, rules, paths)
        blocked = {**calls.mismatched, **calls.pending}
        result = rewrite_imports(parsed, paths, blocked, "deprecated-import")
        result.findings.extend(shift_findings(calls.mismatches, parsed.code, result.code))
        return result
