"""The scope-aware import rewrite shared by the imports and validators codemods.

Plan first (which alias goes where, which uses are renamed, what must stay), then apply every edit
in one pass. Imports are rewritten where they stand (local imports stay local); a name is renamed
only where scope analysis proves the new name means the same thing; anything else is left as it
was and reported for manual review.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import (
    BaseAssignment,
    ClassScope,
    ImportAssignment,
    PositionProvider,
    ScopeProvider,
)

from codemods.core.base import Finding, ParsedFile, TransformResult, dotted_name
from codemods.core.imports.build import StatementBuilder
from codemods.core.imports.compat import CompatAlias, decide, kept_message
from codemods.core.imports.edits import EditApplier, NewImport
from codemods.core.imports.scopes import (
    destination,
    imported_module,
    imported_path,
    name_conflicts,
    name_taken,
)
from codemods.core.imports.sites import (
    Candidate,
    FileFacts,
    Plan,
    Site,
    collect,
    index_of,
)
from codemods.core.imports.words import star_import, still_used
from codemods.core.line_shift import shift_findings
from codemods.core.paths import PathMap, split_path
from codemods.core.tree import AstFile


class ImportRewrite:
    """Plans and applies the rewrite of one file."""

    def __init__(
        self,
        parsed: ParsedFile,
        file: AstFile,
        paths: PathMap,
        blocked: dict[str, str],
        rule: str,
        modules_deprecated: bool = True,
        string_rule: str | None = None,
    ):
        self.parsed = parsed
        self.ctx = parsed.context
        self.paths = paths
        self.blocked = blocked  # old path -> why it must stay
        self.rule = rule
        self.string_rule = string_rule or rule  # what a path string kept for review reports
        self.modules_deprecated = modules_deprecated
        self.plan = Plan()
        self.findings: list[Finding] = []
        self.changes = 0
        self.facts = FileFacts()
        self.compat: dict[tuple[int, int], CompatAlias] = {
            file.position(alias.statement): alias for alias in decide(file, paths).values()
        }

    def report(self, node: cst.CSTNode, message: str, *, rule: str | None = None) -> None:
        finding = self.parsed.finding(
            rule or self.rule, node, message, fixable=False, manual_review=True
        )
        if finding not in self.findings:
            self.findings.append(finding)

    # ---- classification ----------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        found = []
        for site in self.facts.sites:
            node = site.node
            if isinstance(node.names, cst.ImportStar):
                module = imported_module(node, self.ctx)
                if self.paths.is_old_module(module):
                    self.report(node, star_import(module))
                continue
            for alias in node.names:
                candidate = self._classify(site, alias)
                if candidate is not None:
                    found.append(candidate)
        return found

    def _classify(self, site: Site, alias: cst.ImportAlias) -> Candidate | None:
        path = imported_path(alias, site.node, self.ctx)
        bound = alias.evaluated_alias or dotted_name(alias.name) or ""
        if isinstance(site.node, cst.Import) and alias.asname is None:
            bound = path
        assignment = self._assignment(site, bound)
        moved = self.paths.rename(path)
        if moved is not None:
            rule, target = moved
            module_rule = rule.is_module and rule.old == path
            is_module = module_rule or isinstance(site.node, cst.Import)
            return Candidate(site, alias, path, bound, target, is_module, module_rule, assignment)
        if path in self.paths.old_modules:
            return Candidate(site, alias, path, bound, path, True, False, assignment)
        if isinstance(site.node, cst.Import):
            return None
        if path in self.paths.canonical:
            if bound != split_path(path)[1]:
                return Candidate(site, alias, path, bound, path, assignment=assignment)
            return None
        target = destination(path, self.ctx, self.paths)  # through a re-exporting module
        if target != path:
            return Candidate(site, alias, path, bound, target, assignment=assignment)
        return None

    def _assignment(self, site: Site, bound: str) -> BaseAssignment | None:
        if bound not in site.scope.assignments:
            return None
        for assignment in site.scope.assignments[bound]:
            if isinstance(assignment, ImportAssignment) and assignment.node is site.node:
                return assignment
        return None

    # ---- decisions ---------------------------------------------------------------------
    def decide(self) -> None:
        groups: dict[tuple[int, str], list[Candidate]] = {}
        for candidate in self.candidates():
            why = self._why_kept(candidate.old)
            if why is not None:
                self.report(candidate.alias, why)
                continue
            if candidate.assignment is None:
                self.report(candidate.alias, f"`{candidate.bound}`: cannot resolve this import")
                continue
            if candidate.is_module:
                self._decide_module(candidate)
            else:
                key = (id(candidate.site.scope), candidate.bound)
                groups.setdefault(key, []).append(candidate)
        for group in groups.values():
            self._decide_names(group)
        self._decide_strings()
        self._decide_compat_aliases()

    def _new(self, site: Site, path: str, asname: str | None = None) -> NewImport:
        module, name = split_path(path)
        return NewImport(module, name, asname if asname != name else None, site.relative)

    def _fallback(self, group: list[Candidate], why: str) -> None:
        for candidate in group:
            self.plan.outcomes[candidate.alias] = [
                self._new(candidate.site, candidate.target, candidate.bound)
            ]
            new = split_path(candidate.target)[1]
            if new != candidate.bound:
                message = f"kept `{new} as {candidate.bound}`: {why}"
                self.report(candidate.alias, message, rule="aliased-import")

    def _decide_names(self, group: list[Candidate]) -> None:
        bound = group[0].bound
        targets = {c.target for c in group}
        if len(targets) > 1:
            self._fallback(group, f"`{bound}` is imported from places that now differ")
            return
        target = targets.pop()
        desired = split_path(target)[1]
        if desired == bound:
            for candidate in group:
                self.plan.outcomes[candidate.alias] = [self._new(candidate.site, target)]
            return
        scope = group[0].site.scope
        own = {c.assignment for c in group}
        fallbacks = {
            a for a in scope.assignments[bound] if a not in own and self._import_fallback(a, group)
        }
        symbol = own | fallbacks
        renamed = []
        for assignment in symbol:
            for access in assignment.references:
                referents = set(access.referents)
                if referents <= symbol or self._rebound_first(access, group, referents - symbol):
                    if referents <= symbol:
                        renamed.append(access)
                    continue
                why = f"`{bound}` is also bound by another statement that reaches the same uses"
                self._fallback(group, why)
                return
        held = self._held_read(renamed)
        if held is not None:
            self._fallback(group, f"`{bound}` is also read as `{held}`, which must stay")
            return
        scopes = {scope} | {a.scope for a in renamed}
        taken = name_conflicts(desired, target, scopes, self.ctx, self.paths)
        if taken:  # named by the first line, whatever order the scopes' sets give
            line = min(self._line(assignment.node) for assignment in taken)
            self._fallback(group, f"`{desired}` already means something else here (line {line})")
            return
        if isinstance(scope, ClassScope) and self._used_as_attribute(bound):
            self._fallback(group, f"`{bound}` is a class attribute that may be read elsewhere")
            return
        if any(isinstance(a.node, cst.ConcatenatedString) for a in renamed):
            self._fallback(group, f"`{bound}` appears in a concatenated string annotation")
            return
        for candidate in group:
            self.plan.outcomes[candidate.alias] = [self._new(candidate.site, target)]
        for access in renamed:
            self._rename_access(access.node, bound, desired)
        for assignment in fallbacks:
            self._rename_access(assignment.node, bound, desired)
        # `__all__` names the module's last binding of the name: renamed with the imports only
        # when no other statement (a compatibility alias kept) still binds it.
        module_scope = scope is self.parsed.get(ScopeProvider, self.parsed.module)
        if module_scope and all(a in symbol for a in scope.assignments[bound]):
            self._rename_in_all(bound, desired)

    def _held_read(self, renamed: list) -> str | None:
        """An old path that must stay which a use to rename also means (through another binding
        of the name, as the constructions' analysis reads it): renaming the use would hide the
        construction that holds it."""
        for access in renamed:
            node = access.node
            parent = self.parsed.parent(node)
            while isinstance(parent, cst.Attribute) and parent.value is node:
                node, parent = parent, self.parsed.parent(parent)  # LibCST reads a dotted
            for path in sorted(self.parsed.qualified_names(node)):  # name by every binding
                parts = path.split(".")
                for size in range(len(parts), 0, -1):
                    if self._why_kept(".".join(parts[:size])) is not None:
                        return ".".join(parts[:size])
        return None

    def _import_fallback(self, assignment: BaseAssignment, group: list[Candidate]) -> bool:
        """`Name = ...` in an `except` branch of a try that imports the name (a fallback).

        Renaming it with the import and every use keeps the meaning whichever branch ran."""
        node = assignment.node
        if isinstance(assignment, ImportAssignment) or not isinstance(node, cst.Name):
            return False
        target = self.parsed.parent(node)
        assign = self.parsed.parent(target)
        if not isinstance(target, cst.AssignTarget) or not isinstance(assign, cst.Assign):
            return False
        handler = self.parsed.parent(self.parsed.parent(self.parsed.parent(assign)))
        statement = self.parsed.parent(handler)
        if not isinstance(handler, cst.ExceptHandler) or not isinstance(statement, cst.Try):
            return False
        return any(self._index_in(statement.body, c.site.node) >= 0 for c in group)

    def _rename_access(self, node: cst.CSTNode, old: str, new: str) -> None:
        if isinstance(node, cst.Name):
            self.plan.expressions[node] = node.with_changes(value=new)
        elif isinstance(node, cst.SimpleString):
            self.plan.strings.setdefault(node, []).append((old, new))

    def _rename_in_all(self, old: str, new: str) -> None:
        present = {s.evaluated_value for s in self.facts.all_strings}
        for string in self.facts.all_strings:
            if string.evaluated_value == old:
                if new in present:
                    self.plan.removed.add(string)
                else:
                    self.plan.strings.setdefault(string, []).append((old, new))

    def _rebound_first(self, access, group: list[Candidate], others: set) -> bool:
        """Does an unconditional rebinding after the imports always come before this use?"""
        for other in others:
            if isinstance(other, ImportAssignment):
                continue
            statement = self._statement_of(other.node)
            if statement is None:
                continue
            block = self.parsed.parent(statement)
            index = index_of(block, statement)
            if not all(-1 < self._index_in(block, c.site.node) < index for c in group):
                continue
            if access.scope is not other.scope:
                return True
            end = self.parsed.get(PositionProvider, statement).end
            start = self.parsed.get(PositionProvider, access.node).start
            if (start.line, start.column) > (end.line, end.column):
                return True
        return False

    def _index_in(self, block: cst.CSTNode, node: cst.CSTNode | None) -> int:
        """The index in `block` of the statement that holds `node`, or -1."""
        while node is not None:
            parent = self.parsed.parent(node)
            if parent is block:
                return index_of(block, node)
            node = parent
        return -1

    def _bindings_between(self, first: Site, last: Site, name: str) -> list[BaseAssignment]:
        """The bindings of `name` in the scope of these imports by statements of their block
        between them (a compatibility alias this rewrite removes aside)."""
        if name not in first.scope.assignments:
            return []
        start, end = self._place(first.block, first.node), self._place(last.block, last.node)
        found = []
        for assignment in first.scope.assignments[name]:
            place = self._place(first.block, assignment.node)
            if place is not None and start < place < end and not self._removed(assignment.node):
                found.append(assignment)
        return found

    def _place(self, block: cst.CSTNode, node: cst.CSTNode) -> tuple[int, int] | None:
        """Where the statement holding `node` stands in `block`: the index of its line and its
        index among the line's statements (0 for a compound statement); None outside `block`."""
        small: cst.CSTNode | None = None
        while node is not None:
            parent = self.parsed.parent(node)
            if parent is block:
                if isinstance(node, cst.SimpleStatementLine) and small is not None:
                    return index_of(block, node), index_of(node, small)
                return index_of(block, node), 0
            small, node = node, parent
        return None

    def _removed(self, node: cst.CSTNode | None) -> bool:
        """Is `node` in a statement this rewrite removes (a compatibility alias)?"""
        while node is not None and not isinstance(node, cst.BaseStatement):
            if node in self.plan.removed:
                return True
            node = self.parsed.parent(node)
        return False

    def _statement_of(self, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
        while node is not None and not isinstance(node, cst.SimpleStatementLine):
            if isinstance(node, cst.BaseCompoundStatement):
                return None
            node = self.parsed.parent(node)
        return node

    def _used_as_attribute(self, name: str) -> bool:
        return name in self.facts.attribute_names

    def _line(self, node: cst.CSTNode) -> int:
        try:
            return self.parsed.position(node)[0]
        except (KeyError, AttributeError):
            return 0

    def _decide_module(self, candidate: Candidate) -> None:
        site, assignment = candidate.site, candidate.assignment
        others = [a for a in site.scope.assignments[candidate.bound] if a is not assignment]
        if others:
            self.report(candidate.alias, f"module `{candidate.bound}` is bound more than once")
            return
        plain = isinstance(site.node, cst.Import) and candidate.alias.asname is None
        kept = still_needed = held = False
        if "." not in candidate.bound and candidate.bound in site.scope.accesses:
            # a read of the name that the import does not reach (before it in its scope) still
            # names the module to the constructions' analysis: the import stays
            accesses = site.scope.accesses[candidate.bound]
            kept = any(assignment not in access.referents for access in accesses)
        for access in assignment.references:
            node = access.node
            parent = self.parsed.parent(node)
            is_attr = isinstance(parent, cst.Attribute) and parent.value is node
            old = f"{candidate.old}.{parent.attr.value}" if is_attr else candidate.old
            moved = self.paths.rename(old) if is_attr else None
            follows = candidate.module_rule and (
                not is_attr
                or (moved is not None and moved[1] == f"{candidate.target}.{split_path(old)[1]}")
            )
            why = self._why_kept(old)
            if why is not None:
                self.report(node, why)
                kept = held = True
            elif follows:
                still_needed = True
                if plain:
                    self.plan.expressions[node] = cst.parse_expression(candidate.target)
            elif not is_attr or moved is None or not isinstance(node, cst.Name | cst.Attribute):
                kept = True
            elif not self._convert(candidate, access, parent, moved[1]):
                kept = True
        if held and candidate.module_rule:
            return  # the module import stays: a name it serves does not move
        if candidate.module_rule and (kept or still_needed):
            self._repoint_module(candidate)
        elif not kept:
            self.plan.outcomes[candidate.alias] = []
        elif self.modules_deprecated and self.paths.rename(candidate.old) is None:
            self.report(candidate.alias, still_used(candidate.bound), rule="deprecated-import")

    def _convert(self, candidate: Candidate, access, attribute: cst.Attribute, path: str) -> bool:
        """`mod.Name` becomes `Name`, imported from its new module next to the module import."""
        name = split_path(path)[1]
        scopes = {candidate.site.scope, access.scope}
        taken = name_taken(name, path, scopes, self.ctx, self.paths)
        if taken is not None:
            message = f"`{dotted_name(attribute)}`: `{name}` already means something else here"
            self.report(attribute, message)
            return False
        self.plan.expressions[attribute] = cst.Name(name)
        new = self._new(candidate.site, path)
        extras = self.plan.extras.setdefault(candidate.site, [])
        if new not in extras:
            extras.append(new)
        return True

    def _repoint_module(self, candidate: Candidate) -> None:
        site, alias = candidate.site, candidate.alias
        if isinstance(site.node, cst.Import):
            asname = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            self.plan.outcomes[alias] = [NewImport(candidate.target, "", asname)]
            return
        module, name = split_path(candidate.target)
        asname = candidate.bound
        if alias.asname is None and name != candidate.bound:
            scopes = {site.scope} | {a.scope for a in candidate.assignment.references}
            if name_taken(name, candidate.target, scopes, self.ctx, self.paths) is None:
                for access in candidate.assignment.references:
                    self._rename_access(access.node, candidate.bound, name)
                asname = name
        self.plan.outcomes[alias] = [
            NewImport(module, name, asname if asname != name else None, site.relative)
        ]

    # ---- strings and compatibility aliases ------------------------------------------------
    def _decide_strings(self) -> None:
        for node in self.facts.path_strings:
            value = node.evaluated_value
            moved = self.paths.rename(value)
            if moved is None:
                if self.modules_deprecated:
                    message = f'"{value}": names a deprecated module that no rule moves'
                    self.report(node, message, rule="string-reference")
                continue
            blocked = self._blocked_path(value)
            why = self.blocked[blocked] if blocked else self.paths.held(value)
            if why is not None:
                self.report(node, why, rule=self.string_rule)
                continue
            if node.raw_value != value:
                message = f'"{value}": escaped string, rewrite by hand'
                self.report(node, message, rule=self.string_rule)
                continue
            self.plan.expressions[node] = node.with_changes(
                value=node.prefix + node.quote + moved[1] + node.quote
            )
            self.changes += 1

    def _why_kept(self, path: str) -> str | None:
        """Why an old path must stay: a call that still needs it, a pending rule, a name the
        new module does not provide."""
        return self.blocked.get(path) or self.paths.held(path)

    def _blocked_path(self, value: str) -> str | None:
        return next((b for b in self.blocked if value == b or value.startswith(b + ".")), None)

    def _decide_compat_aliases(self) -> None:
        """The analysis' decision (`compat.decide`) at each statement it reads as an alias."""
        for _line, assign, _name in self.facts.compat:
            alias = self.compat.get(self.parsed.position(assign))
            if alias is None:
                continue
            if alias.why is not None:
                self.report(assign, kept_message(alias.alias, alias.why), rule="aliased-import")
                continue
            self.plan.removed.add(assign)
            self.changes += 1
            for string in self.facts.all_strings:
                if string.evaluated_value == alias.alias:
                    self.plan.removed.add(string)

    # ---- edits ---------------------------------------------------------------------------
    # ---- run -----------------------------------------------------------------------------
    def run(self) -> TransformResult:
        self.facts = collect(self.parsed, self.paths)
        self.decide()
        builder = StatementBuilder(self.ctx, self.facts.sites, self.plan, self._bindings_between)
        edits = builder.build()
        self.changes += builder.changes
        expressions = dict(self.plan.expressions)
        for node, pairs in self.plan.strings.items():
            expressions[node] = _rename_in_string(node, pairs)
            self.changes += 1
        removed = set(self.plan.removed)
        if not edits and not expressions and not removed:
            return TransformResult(self.parsed.code, self.findings, 0)
        applier = EditApplier(expressions, edits, removed, self._touched_tries(edits))
        code = self.parsed.module.visit(applier).code  # one code generation, not two
        if code == self.parsed.code:
            return TransformResult(self.parsed.code, self.findings, 0)
        findings = shift_findings(self.findings, self.parsed.code, code)
        return TransformResult(code, findings, max(self.changes, 1))

    def _touched_tries(self, edits) -> set[cst.Try]:
        """Try statements whose body or handler holds an import this rewrite edited."""
        tries = set()
        for node in edits:
            block = self.parsed.parent(self.parsed.parent(node))
            owner = self.parsed.parent(block) if isinstance(block, cst.IndentedBlock) else None
            if isinstance(owner, cst.ExceptHandler):
                owner = self.parsed.parent(owner)
            if isinstance(owner, cst.Try):
                tries.add(owner)
        return tries


def _rename_in_string(node: cst.SimpleString, pairs: list[tuple[str, str]]) -> cst.SimpleString:
    text = node.raw_value
    for old, new in pairs:
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
    return node.with_changes(value=node.prefix + node.quote + text + node.quote)


def rewrite_imports(
    parsed: ParsedFile,
    file: AstFile,
    paths: PathMap,
    blocked: dict[str, str],
    rule: str,
    modules_deprecated: bool = True,
    string_rule: str | None = None,
) -> TransformResult:
    """Rewrite every import the rules move (`file`: the `ast` parse of the same code, whose
    analysis decides the compatibility aliases); `blocked` maps old paths to why they must stay.

    With `modules_deprecated` false, only the moved names matter: other uses of their modules
    (attributes, path strings naming the module) are not reported. What is kept is reported
    under `rule`, a path string under `string_rule` (default: `rule`).
    """
    return ImportRewrite(parsed, file, paths, blocked, rule, modules_deprecated, string_rule).run()
