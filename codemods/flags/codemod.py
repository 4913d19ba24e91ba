"""The flags codemod's rewrite: a bypass flag's reads become its value, dead branches and what
became unused go. What the scan reports is decided by `codemods.flags.fast`."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.core.base import Finding, ParsedFile, TransformResult
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
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
        used_before = referenced_globals(parsed.module)
        folder = FlagFolder(parsed, decided)
        module = parsed.wrapper.visit(folder)
        gone = names - flags_read(AstFile(module.code, parsed.context), names)
        module, try_bound = remove_flag_definitions(module, gone)
        importers = imported_here(rules, parsed.context.module)
        module, unused_public = remove_unused(module, used_before, try_bound, importers)
        if module.code == parsed.code:
            return TransformResult(parsed.code, folder.findings)
        findings = _leftovers(module.code, parsed, rules, unused_public)
        unused = (used_before | try_bound) - referenced_globals(module)
        held = {name: importers[name] for name in sorted(unused & set(importers))}
        findings += _held(module.code, parsed, held)
        return TransformResult(module.code, findings, folder.changes)


def _leftovers(
    code: str, parsed: ParsedFile, rules: RuleSet, unused_public: set[str]
) -> list[Finding]:
    """What still needs a human, at its place in the new code."""
    result = ParsedFile(code, parsed.context)
    folder = FlagFolder(result, folds(AstFile(code, parsed.context), rules))
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


def _held(code: str, parsed: ParsedFile, held: dict[str, tuple[str, ...]]) -> list[Finding]:
    """A finding at each name kept only because other modules import it from here."""
    if not held:
        return []
    result = ParsedFile(code, parsed.context)
    findings = []
    for name, files in held.items():
        node = next(
            (
                alias
                for alias in m.findall(result.module, m.ImportAlias())
                if bound_name(alias) == name
            ),
            None,
        )
        message = say.kept_for_importers(name, files)
        findings.append(
            result.finding(
                "auth-bypass", node or result.module, message, fixable=False, manual_review=True
            )
        )
    return findings
