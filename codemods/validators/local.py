"""Calls of an old validator inside the module that defines it, routed to the canonical one.

The import rewrite only sees names that arrive through imports; a deprecated module that calls
its own old validator (`return validate_jwt(token)`) would keep a second validation path alive.
Such a call is rewritten only where the canonical function is already imported into the module
under its own name, so the new call means exactly the canonical function; elsewhere it is left
for review.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.base import Finding, ParsedFile
from codemods.core.imports.scopes import imported_module
from codemods.core.rules import RuleSet


def _canonical_bindings(parsed: ParsedFile, canonical: set[str]) -> set[str]:
    """Canonical paths imported at module level under their own last name."""
    bound: set[str] = set()
    for statement in parsed.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                module = imported_module(small, parsed.context)
                for alias in small.names:
                    if alias.asname is None and isinstance(alias.name, cst.Name):
                        bound |= {f"{module}.{alias.name.value}"} & canonical
    return bound


class _LocalCallRewriter(cst.CSTTransformer):
    def __init__(self, parsed: ParsedFile, targets: dict[str, str], usable: set[str]) -> None:
        self.parsed = parsed
        self.targets = targets  # old qualified name -> canonical qualified name
        self.usable = usable
        self.findings: list[Finding] = []
        self.changes = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not isinstance(original_node.func, cst.Name):
            return updated_node
        names = self.parsed.qualified_names(original_node.func) & set(self.targets)
        if not names:
            return updated_node
        canonical = self.targets[min(names)]
        short = canonical.rpartition(".")[2]
        if canonical not in self.usable:
            message = (
                f"`{original_node.func.value}(...)` calls an old validator defined here; "
                f"import {canonical} and call `{short}` instead"
            )
            self.findings.append(
                self.parsed.finding(
                    "token-validation", original_node, message, fixable=False, manual_review=True
                )
            )
            return updated_node
        self.changes += 1
        return updated_node.with_changes(func=cst.Name(short))


def rewrite_local_calls(parsed: ParsedFile, rules: RuleSet) -> tuple[str, list[Finding], int]:
    """The module's own calls of its old validators, pointed at the canonical validator."""
    module = parsed.context.module
    targets = {
        old: rule.new
        for rule in rules.validators
        for old in rule.old
        if old.rpartition(".")[0] == module
    }
    if not targets:
        return parsed.code, [], 0
    usable = _canonical_bindings(parsed, set(targets.values()))
    rewriter = _LocalCallRewriter(parsed, targets, usable)
    new_module = parsed.module.visit(rewriter)
    return new_module.code, rewriter.findings, rewriter.changes
