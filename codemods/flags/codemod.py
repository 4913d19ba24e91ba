"""The flags codemod's rewrite: a bypass flag's reads become its value, dead branches and what
became unused go. What the scan reports is decided by `codemods.flags.fast`."""

from __future__ import annotations

import ast
from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.core.base import Finding, ParsedFile, TransformResult
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.flags import messages as say
from codemods.flags import needles as flags_needles
from codemods.flags.cleanup import (
    referenced_globals,
    remove_flag_definitions,
    remove_unused,
)
from codemods.flags.fast import flags_read, folds, has_work, runtime_writes
from codemods.flags.fold import FlagFolder
from codemods.flags.remover import bound_name


class FlagsCodemod:
    """Removes bypass flags, replacing reads by their value and deleting dead branches."""

    name: ClassVar[str] = "flags"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return flags_needles(rules)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        file = AstFile(parsed.code, parsed.context)
        decided = folds(file, rules)
        values = decided.values
        if not values:
            return TransformResult(parsed.code)
        names = frozenset(values)
        written = runtime_writes(file, values)
        if written:
            return TransformResult(parsed.code, written)
        if not has_work(file, decided):
            return TransformResult(parsed.code)  # no scope analysis of a file with nothing to do
        used_before = referenced_globals(parsed.code, parsed.context)
        folder = FlagFolder(parsed, decided)
        module = parsed.wrapper.visit(folder)
        gone = names - flags_read(AstFile(module.code, parsed.context), names)
        module, try_bound = remove_flag_definitions(module, gone)
        importers = imported_here(rules, parsed.context.module)
        unused_public: set[str] = set()
        used_after: set[str] | None = None
        if used_before is not None:  # else the model cannot tell what is unused: none goes
            module, unused_public, used_after = remove_unused(
                module, parsed.context, used_before, try_bound, importers
            )
        code = module.code
        if code == parsed.code:
            return TransformResult(parsed.code, folder.findings)
        after = AstFile(code, parsed.context)
        findings = _leftovers(after, parsed, rules, unused_public)
        unused = set()
        if used_before is not None and used_after is not None:
            unused = (used_before | try_bound) - used_after
        held = {name: importers[name] for name in sorted(unused & set(importers))}
        findings += _held(after, parsed, held)
        return TransformResult(code, findings, folder.changes)


def _leftovers(
    after: AstFile, parsed: ParsedFile, rules: RuleSet, unused_public: set[str]
) -> list[Finding]:
    """What still needs a human, at its place in the new code (`after`).

    The new code is parsed by LibCST only when a flag read is left in it (the folder reports
    only at reads the analysis found) or a public function became unused.
    """
    left = folds(after, rules)
    if not left and not unused_public:
        return []
    result = ParsedFile(after.text, parsed.context)
    folder = FlagFolder(result, left)
    result.wrapper.visit(folder)
    findings = list(folder.findings)
    for statement in result.module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in unused_public:
            message = (
                f"`{statement.name.value}` is no longer used here after removing the bypass "
                "flag: delete it if no other module uses it"
            )
            findings.append(
                result.finding("auth-bypass", statement, message, fixable=False, manual_review=True)
            )
    return findings


def imported_here(rules: RuleSet, module: str) -> dict[str, tuple[str, ...]]:
    """This module's names that other files import, with those files (repository facts)."""
    prefix = f"{module}."
    return {
        path[len(prefix) :]: files
        for path, files in rules.importers
        if module and path.startswith(prefix) and "." not in path[len(prefix) :]
    }


def _held(after: AstFile, parsed: ParsedFile, held: dict[str, tuple[str, ...]]) -> list[Finding]:
    """A finding at each name kept only because other modules import it from here: at the
    first import binding it in the new code (`after`), else at the module's start."""
    if not held:
        return []
    try:
        after.require_plain_identifiers()  # ast's names are NFKC-normalized, LibCST's not
    except Unsupported:
        return _held_by_libcst(after.text, parsed, held)
    first: dict[str, ast.alias] = {}
    for node in ast.walk(after.tree):
        if isinstance(node, ast.alias):
            name = node.asname or node.name
            known = first.get(name)
            if known is None or (node.lineno, node.col_offset) < (known.lineno, known.col_offset):
                first[name] = node
    findings = []
    for name, files in held.items():
        message = say.kept_for_importers(name, files)
        node = first.get(name)
        finding = (
            after.finding("auth-bypass", node, message, fixable=False, manual_review=True)
            if node is not None
            else Finding(
                "auth-bypass", parsed.context.path, 1, 0, message, fixable=False, manual_review=True
            )
        )
        findings.append(finding)
    return findings


def _held_by_libcst(
    code: str, parsed: ParsedFile, held: dict[str, tuple[str, ...]]
) -> list[Finding]:
    """`_held`, where names are compared as written (a file whose identifiers NFKC changes)."""
    result = ParsedFile(code, parsed.context)
    aliases = m.findall(result.module, m.ImportAlias())
    findings = []
    for name, files in held.items():
        node = next((alias for alias in aliases if bound_name(alias) == name), None)
        message = say.kept_for_importers(name, files)
        findings.append(
            result.finding(
                "auth-bypass", node or result.module, message, fixable=False, manual_review=True
            )
        )
    return findings
