"""Deprecated, aliased and indirect imports of moved names, and string references to old paths.

The decision is `fast.analyze`'s (stdlib `ast`); `analyze` here hands it a LibCST-parsed file's
text. Only a file the running Python's `ast` cannot parse (3.12 syntax on 3.11) is read by
`_ImportCollector`, a layer that extracts the import facts from LibCST and feeds them to the
same verdicts: it goes when the runner reports such files as unparsable instead. `transform`
rewrites with LibCST the files whose fixes the analysis could not give as text edits.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from codemods.core.base import Analysis, ParsedFile, TransformResult, dotted_name
from codemods.core.imports.rewrite import rewrite_imports
from codemods.core.imports.scopes import imported_module
from codemods.core.imports.sites import path_strings
from codemods.core.line_shift import shift_findings
from codemods.core.paths import PathMap, RepositoryPathMap
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.imports import fast
from codemods.imports import needles as imports_needles
from codemods.imports.calls import constructor_calls
from codemods.imports.constructions import Constructions
from codemods.imports.verdicts import (
    CANONICAL,
    Verdict,
    compat_alias_verdict,
    from_import_verdict,
    import_verdict,
    star_import_verdict,
    string_verdict,
)


def import_alias_name(alias: cst.ImportAlias) -> str:
    return dotted_name(alias.name) or ""


def bound_name(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    target = alias.asname.name
    return target.value if isinstance(target, cst.Name) else None


class _ImportCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, paths: PathMap) -> None:
        self.parsed = parsed
        self.paths = paths
        self.analysis = Analysis()

    def _report(self, node: cst.CSTNode, verdict: Verdict | None) -> None:
        if verdict is CANONICAL:
            self.analysis.count("canonical_imports")
        elif verdict is not None:
            self.analysis.findings.append(verdict.at(self.parsed, node))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._report(alias, import_verdict(self.paths, import_alias_name(alias)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = imported_module(node, self.parsed.context)
        if isinstance(node.names, cst.ImportStar):
            self._report(node, star_import_verdict(self.paths, module))
            return
        own = self.parsed.context.module
        for alias in node.names:
            name, asname = import_alias_name(alias), bound_name(alias)
            self._report(alias, from_import_verdict(self.paths, own, module, name, asname))

    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign):
                        self._compat_alias(small)

    def _compat_alias(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        if not isinstance(node.value, cst.Name | cst.Attribute):
            return
        alias = node.targets[0].target.value
        for path in self.parsed.qualified_names(node.value) & self.paths.canonical:
            self._report(node, compat_alias_verdict(alias, path))

    def visit_Call(self, node: cst.Call) -> None:
        self._string_references(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._string_references(node)

    def _string_references(self, node: cst.Call | cst.Subscript) -> None:
        for string in path_strings(node):
            self._report(string, string_verdict(self.paths, string.evaluated_value))


class ImportsCodemod:
    """Rewrites every import of a moved name to its canonical path."""

    name: ClassVar[str] = "imports"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return imports_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        """The `ast` analysis of the parsed file's text (the one decider)."""
        try:
            file = AstFile(parsed.code, parsed.context)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            collector = _ImportCollector(parsed, RepositoryPathMap(rules))
            parsed.module.visit(collector)
            return collector.analysis
        return fast.analyze(file, rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        paths = RepositoryPathMap(rules)
        try:
            file = AstFile(parsed.code, parsed.context)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            calls = constructor_calls(parsed, rules, paths)  # LibCST, for what ast cannot read
            blocked, reviews = {**calls.mismatched, **calls.pending}, calls.mismatches
        else:  # the analysis' decision: only the calls that can name a constructor rule's class
            blocked, reviews = Constructions(file, rules, paths).held()
        result = rewrite_imports(parsed, paths, blocked, "deprecated-import")
        result.findings.extend(shift_findings(reviews, parsed.code, result.code))
        return result
