"""Deprecated, aliased and indirect imports of moved names, and string references to old paths."""

from __future__ import annotations

import re
from typing import ClassVar

import libcst as cst

from codemods.base import (
    Analysis,
    Analyzer,
    ParsedFile,
    TransformResult,
    dotted_name,
)
from codemods.import_calls import constructor_calls
from codemods.import_rewrite import rewrite_imports
from codemods.needles import NEEDLES
from codemods.paths import PathMap
from codemods.rules import RuleSet

DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
# Calls whose first argument is a dotted path the runtime resolves.
PATH_TAKING_CALLS = frozenset({"patch", "import_module", "__import__", "find_spec"})
PATH_KEYWORDS = frozenset({"target", "name"})


def module_of(node: cst.ImportFrom, parsed: ParsedFile) -> str:
    """The absolute module a from-import reads from."""
    dots = "." * len(node.relative)
    name = dotted_name(node.module) if node.module is not None else ""
    return parsed.context.resolve(dots + (name or ""))


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

    def _add(self, rule: str, node: cst.CSTNode, message: str, **kw: bool) -> None:
        self.analysis.findings.append(self.parsed.finding(rule, node, message, **kw))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = import_alias_name(alias)
            moved = self.paths.rename(module)
            if moved is not None:
                self._add("deprecated-import", alias, f"`import {module}`: moved to {moved[1]}")
            elif module in self.paths.old_modules:
                self._add("deprecated-import", alias, f"`import {module}`: deprecated module")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = module_of(node, self.parsed)
        if isinstance(node.names, cst.ImportStar):
            if self.paths.is_old_module(module):
                message = f"`from {module} import *`: star import from a deprecated module"
                self._add("deprecated-import", node, message, fixable=False, manual_review=True)
            return
        for alias in node.names:
            self._classify(module, alias)

    def _classify(self, module: str, alias: cst.ImportAlias) -> None:
        name = import_alias_name(alias)
        path = f"{module}.{name}"
        asname = bound_name(alias)
        moved = self.paths.rename(path)
        if moved is not None:
            self._add("deprecated-import", alias, f"`{name}` from {module}: moved to {moved[1]}")
        elif path in self.paths.old_modules:
            self._add("deprecated-import", alias, f"module `{path}` is deprecated")
        elif path in self.paths.canonical:
            if asname is not None and asname != name:
                self._add("aliased-import", alias, f"`{name}` imported as `{asname}`")
            else:
                self.analysis.count("canonical_imports")
        elif self._is_indirect(module, name):
            canonical = self.paths.canonical_by_name[name]
            self._add(
                "indirect-import", alias, f"`{name}` from {module}: import it from {canonical}"
            )

    def _is_indirect(self, module: str, name: str) -> bool:
        canonical = self.paths.canonical_by_name.get(name)
        if canonical is None or not self.paths.in_project(module):
            return False
        if module == self.parsed.context.module:
            return False
        return module != canonical.rpartition(".")[0]

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
            if path.rpartition(".")[2] != alias:
                message = f"compatibility alias `{alias} = {path.rpartition('.')[2]}`"
                self._add("aliased-import", node, message)

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func) or ""
        if callee.rpartition(".")[2] not in PATH_TAKING_CALLS:
            return
        for index, arg in enumerate(node.args):
            positional_first = index == 0 and arg.keyword is None
            keyword = arg.keyword is not None and arg.keyword.value in PATH_KEYWORDS
            if positional_first or keyword:
                self._string_reference(arg.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if dotted_name(node.value) == "sys.modules" and len(node.slice) == 1:
            element = node.slice[0].slice
            if isinstance(element, cst.Index):
                self._string_reference(element.value)

    def _string_reference(self, node: cst.BaseExpression) -> None:
        if not isinstance(node, cst.SimpleString):
            return
        value = node.evaluated_value
        if not isinstance(value, str) or not DOTTED_PATH.fullmatch(value):
            return
        if not self.paths.references_old(value):
            return
        moved = self.paths.rename(value)
        if moved is not None:
            self._add("string-reference", node, f'"{value}": moved to {moved[1]}')
        else:
            message = f'"{value}": names a deprecated module that no rule moves'
            self._add("string-reference", node, message, fixable=False, manual_review=True)


class ImportsCodemod:
    """Rewrites every import of a moved name to its canonical path."""

    name: ClassVar[str] = "imports"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return NEEDLES[self.name](rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        return self.analyzer(parsed, rules).run(parsed)

    def analyzer(self, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
        collector = _ImportCollector(parsed, PathMap(rules))
        return Analyzer([collector], lambda: collector.analysis)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        paths = RepositoryPathMap(rules)
        calls = constructor_calls(parsed, rules, paths)
        result = rewrite_imports(parsed, paths, calls.pending, "deprecated-import")
        if result.code != parsed.code:
            result.findings.extend(calls.mismatches)
        return result


class RepositoryPathMap(PathMap):
    """Renames plus the runner's re-export facts (`module.Name` re-exports of moved names).

    Re-exporting modules are not old modules: only the names they re-export move.
    """

    def __init__(self, rules: RuleSet) -> None:
        super().__init__(rules)
        for rule in rules.reexports:
            self._by_old.setdefault(rule.old, rule)
