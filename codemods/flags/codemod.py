"""Auth-bypass flags: truthy assignments and the conditions that read them."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import libcst.matchers as m
from libcst.metadata import ScopeProvider

from codemods.core.base import Analysis, Analyzer, Finding, ParsedFile, TransformResult
from codemods.core.rules import RuleSet
from codemods.flags import messages as say
from codemods.flags import needles as flags_needles
from codemods.flags.cleanup import (
    flag_reads,
    referenced_globals,
    remove_flag_definitions,
    remove_unused,
)
from codemods.flags.expr import shadowed
from codemods.flags.fold import FlagFolder
from codemods.flags.remover import bound_name
from codemods.flags.runtime import RuntimeWrites


def literal_truth(node: cst.BaseExpression) -> bool | None:
    """The truth value of a literal expression, or None when it is not a literal."""
    if isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
        return node.value == "True"
    if isinstance(node, cst.Integer | cst.Float):
        return bool(node.evaluated_value)
    if isinstance(node, cst.SimpleString):
        return bool(node.evaluated_value)
    return None


def reads_flag(node: cst.CSTNode, names: frozenset[str]) -> bool:
    """Does an expression read one of the flags (as a name or as an attribute)?"""
    pattern = m.Name(m.MatchIfTrue(names.__contains__)) | m.Attribute(
        attr=m.Name(m.MatchIfTrue(names.__contains__))
    )
    if m.matches(node, pattern):
        return True
    return bool(m.findall(node, pattern))


def flag_target(node: cst.BaseAssignTargetExpression, names: frozenset[str]) -> str | None:
    if isinstance(node, cst.Name) and node.value in names:
        return node.value
    if isinstance(node, cst.Attribute) and node.attr.value in names:
        return node.attr.value
    return None


class _FlagCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, names: frozenset[str]) -> None:
        self.parsed = parsed
        self.names = names
        self.analysis = Analysis()

    def _assigned(self, target: cst.BaseAssignTargetExpression, value: cst.BaseExpression) -> None:
        flag = flag_target(target, self.names)
        if flag is None:
            return
        verdict = say.flag_assignment(flag, literal_truth(value))
        if verdict is not None:
            message, review = verdict
            self.analysis.findings.append(
                self.parsed.finding(
                    "auth-bypass", target, message, fixable=not review, manual_review=review
                )
            )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _condition(self, test: cst.BaseExpression) -> None:
        if self._reads_flag(test):
            self.analysis.findings.append(self.parsed.finding("auth-bypass", test, say.CONDITION))

    def _reads_flag(self, test: cst.BaseExpression) -> bool:
        """A flag read, not counting a parameter or local variable that shadows the flag."""
        if not reads_flag(test, self.names):
            return False
        is_flag = m.MatchIfTrue(self.names.__contains__)
        attributes = m.findall(test, m.Attribute(attr=m.Name(is_flag)))
        if attributes or m.matches(test, m.Attribute(attr=m.Name(is_flag))):
            return True
        names = [test] if m.matches(test, m.Name(is_flag)) else m.findall(test, m.Name(is_flag))
        return any(not shadowed(self.parsed.get(ScopeProvider, name), name.value) for name in names)

    def visit_If(self, node: cst.If) -> None:
        self._condition(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._condition(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._condition(node.test)


class FlagsCodemod:
    """Removes bypass flags, replacing reads by their value and deleting dead branches."""

    name: ClassVar[str] = "flags"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return flags_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        return self.analyzer(parsed, rules).run(parsed)

    def analyzer(self, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
        collector = _FlagCollector(parsed, frozenset(flag.name for flag in rules.flags))
        return Analyzer([collector], lambda: collector.analysis)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        values = flag_values(parsed.module, rules)
        if not values:
            return TransformResult(parsed.code)
        names = frozenset(values)
        runtime = RuntimeWrites(parsed, names)
        parsed.wrapper.visit(runtime)
        if runtime.findings:
            return TransformResult(parsed.code, runtime.findings)
        used_before = referenced_globals(parsed.module)
        folder = FlagFolder(parsed, values)
        module = parsed.wrapper.visit(folder)
        gone = names - flag_reads(module, names)
        module, try_bound = remove_flag_definitions(module, gone)
        importers = imported_here(rules, parsed.context.module)
        module, unused_public = remove_unused(module, used_before, try_bound, importers)
        if module.code == parsed.code:
            return TransformResult(parsed.code, folder.findings)
        findings = _leftovers(module.code, parsed, values, unused_public)
        unused = (used_before | try_bound) - referenced_globals(module)
        held = {name: importers[name] for name in sorted(unused & set(importers))}
        findings += _held(module.code, parsed, held)
        return TransformResult(module.code, findings, folder.changes)


def _leftovers(
    code: str, parsed: ParsedFile, values: dict[str, object], unused_public: set[str]
) -> list[Finding]:
    """What still needs a human, at its place in the new code."""
    result = ParsedFile(code, parsed.context)
    folder = FlagFolder(result, values)
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


def flag_values(module: cst.Module, rules: RuleSet) -> dict[str, object]:
    """Each flag name the file may use (aliases included) and the value its reads become."""
    values = {flag.name: flag.value for flag in rules.flags}
    for alias in m.findall(module, m.ImportAlias(asname=m.AsName(name=m.Name()))):
        original = alias.name.value if isinstance(alias.name, cst.Name) else None
        if original in values:
            values[alias.asname.name.value] = values[original]
    return values
