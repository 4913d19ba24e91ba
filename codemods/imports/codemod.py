"""Deprecated, aliased and indirect imports of moved names, and string references to old paths.

The analysis is `fast.analyze` alone (stdlib `ast`): there is no LibCST one. The rewrite's plan
is `codemods.core.imports.decide`, made from the same `ast` tree; the analysis writes it as text
edits when it can, and `transform` writes it with LibCST for the files whose fixes are not all
text. The runner transforms only what the running Python's `ast` reads.
"""

from __future__ import annotations

from typing import ClassVar

from codemods.core.base import ParsedFile, TransformResult
from codemods.core.imports.rewrite import rewrite_imports
from codemods.core.line_shift import shift_findings
from codemods.core.paths import RepositoryPathMap
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.imports import needles as imports_needles
from codemods.imports.constructions import constructions
from codemods.imports.fixes import imports_plan


class ImportsCodemod:
    """Rewrites every import of a moved name to its canonical path."""

    name: ClassVar[str] = "imports"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return imports_needles(rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        paths = RepositoryPathMap(rules)
        file = AstFile(parsed.code, parsed.context)  # the runner transforms what `ast` reads
        # the analysis' decision: only the calls that can name a constructor rule's class
        reviews = constructions(file, rules, paths).held()[1]
        result = rewrite_imports(parsed, file, imports_plan(file, paths, rules))
        result.findings.extend(shift_findings(reviews, parsed.code, result.code))
        return result
