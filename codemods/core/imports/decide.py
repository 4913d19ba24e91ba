"""Every decision of the import rewrite, made once from the stdlib `ast` tree and its scopes.

Which import alias moves where (`outcomes`, and `extras`: names a statement gains), which reads
are renamed (`renames`: a name, or `module.Name` becoming `Name`), which strings change (`words`
renamed in string annotations and `__all__` entries, `literals`: path strings), what goes
(`removed`: compatibility aliases and `__all__` entries) and what stays for review (`reports`).
Imports are rewritten where they stand; a name is renamed only where the scopes prove the new
name means the same thing; anything else is kept and reported. The writers (the analysis' text
edits, and LibCST's where layout needs it, `rewrite.py`) apply this plan and decide nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from codemods.core.annotation_reads import AnnotationReads, CannotTell
from codemods.core.imports.compat import CompatAlias, kept_message
from codemods.core.imports.compat import decide as decide_compat
from codemods.core.imports.statements import StatementPlan, StatementPlanner, folded_tries
from codemods.core.imports.text import NewImport
from codemods.core.imports.tree_facts import (
    SIMPLE,
    all_strings,
    binding_line,
    block_of,
    imported_module,
    imported_path,
    index_in,
    inner_blocks,
    literal_text,
    locatable,
    meaning,
    path_strings,
    simple_statement,
)
from codemods.core.imports.words import star_import, still_used
from codemods.core.paths import PathMap, destination, split_path
from codemods.core.references import (
    references_old_path,
)
from codemods.core.scopes import Access, Assignment, Scope
from codemods.core.tree import AstFile, dotted
from codemods.core.values import Finding


@dataclass(eq=False)
class Site:
    """One import statement, the block it stands in and its scope."""

    statement: ast.Import | ast.ImportFrom
    block: list[ast.stmt]
    scope: Scope

    @property
    def relative(self) -> bool:
        return isinstance(self.statement, ast.ImportFrom) and self.statement.level > 0


@dataclass(eq=False)
class Candidate:
    """An import alias that the rules move somewhere."""

    site: Site
    alias: ast.alias
    old: str
    bound: str
    target: str
    is_module: bool = False
    module_rule: bool = False
    assignment: Assignment | None = None


@dataclass
class ImportPlan:
    """The rewrite's decisions, keyed by the `ast` nodes they apply to."""

    outcomes: dict[ast.alias, list[NewImport]] = field(default_factory=dict)
    extras: dict[ast.stmt, list[NewImport]] = field(default_factory=dict)
    renames: dict[ast.expr, str] = field(default_factory=dict)  # a read -> its new text
    words: dict[ast.Constant, list[tuple[str, str]]] = field(default_factory=dict)
    literals: dict[ast.Constant, str] = field(default_factory=dict)  # a path string's value
    removed: set[ast.AST] = field(default_factory=set)
    reports: list[Finding] = field(default_factory=list)
    changes: int = 0  # path strings and aliases; renamed strings count one each too
    compat: dict[int, CompatAlias] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    # what each alias' decision changes elsewhere: the reads, strings and `__all__` entries
    # renamed with a group's imports, and the `module.Name` reads of a module made names
    reads: dict[ast.alias, list[ast.AST]] = field(default_factory=dict)
    converted: dict[ast.alias, list[ast.Attribute]] = field(default_factory=dict)
    # what becomes of each import statement that changes (`statements.StatementPlanner`), and
    # the changes that counts
    statements: dict[ast.stmt, StatementPlan] = field(default_factory=dict)
    statement_changes: int = 0
    folded: set[ast.Try] = field(default_factory=set)  # tries folded into their body

    def report(self, finding: Finding) -> None:
        if finding not in self.reports:
            self.reports.append(finding)


def decide(
    file: AstFile,
    paths: PathMap,
    blocked: dict[str, str],
    rule: str,
    modules_deprecated: bool = True,
    string_rule: str | None = None,
    compat: dict[int, CompatAlias] | None = None,
) -> ImportPlan:
    """Every decision of the rewrite of this file; `blocked` maps old paths to why they must
    stay. With `modules_deprecated` false, only the moved names matter: other uses of their
    modules are not reported. What is kept is reported under `rule`, a path string under
    `string_rule` (default: `rule`). `compat`: the file's compatibility aliases when the caller
    decided them already (`compat.decide`)."""
    decider = _Decider(file, paths, blocked, rule, modules_deprecated, string_rule or rule)
    decider.decide(compat)
    plan = decider.plan
    planner = StatementPlanner(
        file, plan, lambda first, last, name: bindings_between(file, plan, first, last, name)
    )
    planner.run()
    plan.statements = planner.statements
    plan.statement_changes = planner.changes
    plan.folded = folded_tries(file, plan)
    return plan


class _Decider:
    def __init__(
        self,
        file: AstFile,
        paths: PathMap,
        blocked: dict[str, str],
        rule: str,
        modules_deprecated: bool,
        string_rule: str,
    ) -> None:
        self.file = file
        self.ctx = file.context
        self.paths = paths
        self.blocked = blocked
        self.rule = rule
        self.string_rule = string_rule
        self.modules_deprecated = modules_deprecated
        self.plan = ImportPlan()
        self._references: dict[str, list[Access]] | None = None  # by the name they read
        self._annotations = AnnotationReads(file, decided=True)
        self._attribute_names: set[str] | None = None

    def report(self, node: ast.AST, message: str, *, rule: str | None = None) -> None:
        finding = self.file.finding(
            rule or self.rule, node, message, fixable=False, manual_review=True
        )
        self.plan.report(finding)

    # ---- the file's facts ----------------------------------------------------------------
    def sites(self) -> list[Site]:
        """The import statements, in source order."""
        found = []
        pending = [self.file.tree.body]
        while pending:  # statements only: an import is one
            block = pending.pop()
            for statement in block:
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    scope = self.file.scope(statement)
                    assert scope is not None
                    found.append(Site(statement, block, scope))
                elif not isinstance(statement, SIMPLE):
                    pending.extend(inner_blocks(statement))
        found.sort(key=lambda site: (site.statement.lineno, site.statement.col_offset))
        return found

    def references(self, assignment: Assignment) -> list[Access]:
        """The reads that may refer to this binding (string annotations' included), in the
        order of the file's scopes."""
        if self._references is None:
            self._references = {}
            for scope in self.file.scopes.scopes:
                for access in scope.accesses:
                    self._references.setdefault(access.name, []).append(access)
        named = self._references.get(assignment.name, [])
        found = [access for access in named if assignment in access.referents]
        for access in self._string_reads(assignment.name):
            if assignment in access.referents:
                found.append(access)
        return sorted(found, key=lambda a: (a.node.lineno, a.node.col_offset))  # type: ignore[attr-defined]

    def _string_reads(self, name: str) -> list[Access]:
        """The reads of `name` in string annotations; a string the model cannot read is
        `_Unreadable`'s business (`unreadable_strings`)."""
        found = []
        for node in self._annotations.mentioning(name):
            try:
                access = self._annotations.access(node, name)
            except CannotTell:
                continue
            if access is not None:
                found.append(access)
        return found

    def unreadable_strings(self, name: str) -> list[ast.Constant]:
        """Strings that may read `name` as a type in a way the model of string annotations
        cannot tell."""
        found = []
        for node in self._annotations.mentioning(name):
            try:
                self._annotations.access(node, name)
            except CannotTell:
                found.append(node)
        return found

    @property
    def attribute_names(self) -> set[str]:
        if self._attribute_names is None:
            self._attribute_names = {
                node.attr for node in self.file.scopes.parents if isinstance(node, ast.Attribute)
            }
        return self._attribute_names

    def all_strings(self) -> list[ast.Constant]:
        return all_strings(self.file)

    # ---- classification ------------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        found = []
        for site in self.plan.sites:
            statement = site.statement
            if statement.names[0].name == "*":
                module = imported_module(statement, self.ctx)  # type: ignore[arg-type]
                if self.paths.is_old_module(module):
                    self.report(statement, star_import(module))
                continue
            for alias in statement.names:
                candidate = self._classify(site, alias)
                if candidate is not None:
                    found.append(candidate)
        return found

    def _classify(self, site: Site, alias: ast.alias) -> Candidate | None:
        statement = site.statement
        path = imported_path(alias, statement, self.ctx)
        plain = isinstance(statement, ast.Import)
        bound = path if plain and alias.asname is None else alias.asname or alias.name
        assignment = self._assignment(site, bound)
        moved = self.paths.rename(path)
        if moved is not None:
            rule, target = moved
            module_rule = rule.is_module and rule.old == path
            is_module = module_rule or plain
            return Candidate(site, alias, path, bound, target, is_module, module_rule, assignment)
        if path in self.paths.old_modules:
            return Candidate(site, alias, path, bound, path, True, False, assignment)
        if plain:
            return None
        if path in self.paths.canonical:
            if bound != split_path(path)[1]:
                return Candidate(site, alias, path, bound, path, assignment=assignment)
            return None
        target = destination(path, self.ctx.module, self.paths)  # through a re-export
        if target != path:
            return Candidate(site, alias, path, bound, target, assignment=assignment)
        return None

    @staticmethod
    def _assignment(site: Site, bound: str) -> Assignment | None:
        for assignment in site.scope.assignments.get(bound, []):
            if assignment.node is site.statement:
                return assignment
        return None

    # ---- decisions -----------------------------------------------------------------------
    def decide(self, compat: dict[int, CompatAlias] | None = None) -> None:
        self.plan.sites = self.sites()
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
        self._decide_compat_aliases(compat)

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
        own = [c.assignment for c in group if c.assignment is not None]
        fallbacks = [
            a
            for a in scope.assignments.get(bound, [])
            if a not in own and self._import_fallback(a, group)
        ]
        symbol = {id(a) for a in [*own, *fallbacks]}
        renamed: list[Access] = []
        for assignment in [*own, *fallbacks]:
            for access in self.references(assignment):
                referents = {id(a) for a in access.referents}
                others = [a for a in access.referents if id(a) not in symbol]
                if referents <= symbol or self._rebound_first(access, group, others):
                    if referents <= symbol and all(a.node is not access.node for a in renamed):
                        renamed.append(access)
                    continue
                why = f"`{bound}` is also bound by another statement that reaches the same uses"
                self._fallback(group, why)
                return
        if self.unreadable_strings(bound):
            self._fallback(group, f"`{bound}` may be read by a string annotation")
            return
        held = self._held_read(renamed)
        if held is not None:
            self._fallback(group, f"`{bound}` is also read as `{held}`, which must stay")
            return
        scopes = [scope, *(a.scope for a in renamed)]
        taken = self._conflicts(desired, target, scopes)
        if taken:
            self._fallback(group, f"`{desired}` already means something else here ({taken})")
            return
        if scope.kind == "class" and bound in self.attribute_names:
            self._fallback(group, f"`{bound}` is a class attribute that may be read elsewhere")
            return
        unlocated = self._unlocated([a.node for a in renamed])
        if unlocated is not None:
            self._fallback(group, f"`{bound}` is read {unlocated}")
            return
        for candidate in group:
            self.plan.outcomes[candidate.alias] = [self._new(candidate.site, target)]
        nodes = [access.node for access in renamed] + [a.node for a in fallbacks]
        for node in nodes:
            self._rename_access(node, bound, desired)
        # `__all__` names the module's last binding of the name: renamed with the imports only
        # when no other statement (a compatibility alias kept) still binds it.
        if scope.parent is None and all(id(a) in symbol for a in scope.assignments.get(bound, [])):
            nodes += self._rename_in_all(bound, desired)
        for candidate in group:
            self.plan.reads[candidate.alias] = nodes

    def _held_read(self, renamed: list[Access]) -> str | None:
        """An old path that must stay which a use to rename also means (read as a dotted name
        through every binding): renaming the use would hide the construction that holds it."""
        if not self.blocked and not self.paths.holds_any:
            return None  # no path can be held
        for access in renamed:
            node = access.node
            parent = self.file.parent(node)
            while isinstance(parent, ast.Attribute) and parent.value is node:
                node, parent = parent, self.file.parent(parent)
            for path in sorted(self.file.qualified_names(node)):
                parts = path.split(".")
                for size in range(len(parts), 0, -1):
                    if self._why_kept(".".join(parts[:size])) is not None:
                        return ".".join(parts[:size])
        return None

    def _conflicts(self, name: str, target: str, scopes: list[Scope]) -> str | None:
        """Where `name` already means something other than `target` in one of `scopes`: the
        first line binding it so, or a builtin's name; None when it means nothing else."""
        lines = []
        for scope in {id(s): s for s in scopes}.values():
            visible = scope.resolve(name)
            if visible is None:
                return "a builtin"
            for assignment in [*scope.assignments.get(name, []), *visible]:
                if meaning(assignment, self.file, self.paths) != target:
                    lines.append(binding_line(self.file, assignment.node))
        return f"line {min(lines)}" if lines else None

    def _import_fallback(self, assignment: Assignment, group: list[Candidate]) -> bool:
        """`Name = ...` directly in an `except` branch of a try whose body holds one of the
        group's imports (a fallback): renaming it with the import and every use keeps the
        meaning whichever branch ran."""
        node = assignment.node
        assign = self.file.parent(node)
        if not isinstance(node, ast.Name) or not isinstance(assign, ast.Assign):
            return False
        if not any(target is node for target in assign.targets):
            return False
        handler = self.file.parent(assign)
        statement = self.file.parent(handler) if handler is not None else None
        if not isinstance(handler, ast.ExceptHandler) or not isinstance(statement, ast.Try):
            return False
        return any(index_in(self.file, statement.body, c.site.statement) >= 0 for c in group)

    def _rebound_first(self, access: Access, group: list[Candidate], others) -> bool:
        """Does an unconditional rebinding after the imports, in their block, always come
        before this use (in another scope, or after the rebinding in the same one)?"""
        for other in others:
            if other.is_import:
                continue
            statement = simple_statement(self.file, other.node)
            if statement is None:
                continue
            block = block_of(self.file, statement)
            index = next(i for i, s in enumerate(block) if s is statement)
            if not all(-1 < index_in(self.file, block, c.site.statement) < index for c in group):
                continue
            if access.scope is not other.scope:
                return True
            node = access.node
            start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
            if start > (statement.end_lineno, statement.end_col_offset):  # type: ignore[operator]
                return True
        return False

    def _rename_access(self, node: ast.AST, old: str, new: str) -> None:
        if isinstance(node, ast.Name):
            self.plan.renames[node] = new
        elif isinstance(node, ast.Constant):
            self.plan.words.setdefault(node, []).append((old, new))

    def _rename_in_all(self, old: str, new: str) -> list[ast.AST]:
        """The `__all__` entries of `old`: renamed, or dropped where `new` is listed already."""
        strings = self.all_strings()
        present = {s.value for s in strings}
        entries: list[ast.AST] = [string for string in strings if string.value == old]
        for string in entries:
            if new in present:
                self.plan.removed.add(string)
            else:
                self.plan.words.setdefault(string, []).append((old, new))  # type: ignore[arg-type]
        return entries

    def _unlocated(self, nodes: list[ast.AST]) -> str | None:
        """Why one of these reads cannot be written where it stands: inside an f-string whose
        positions this Python does not give."""
        for node in nodes:
            if not locatable(self.file, node):
                return "inside an f-string whose positions this Python does not give"
        return None

    def _decide_module(self, candidate: Candidate) -> None:
        site, assignment = candidate.site, candidate.assignment
        assert assignment is not None
        others = [a for a in site.scope.assignments.get(candidate.bound, []) if a is not assignment]
        if others:
            self.report(candidate.alias, f"module `{candidate.bound}` is bound more than once")
            return
        plain = isinstance(site.statement, ast.Import) and candidate.alias.asname is None
        kept = still_needed = held = False
        if "." not in candidate.bound:
            # a read of the name that the import does not reach (before it in its scope)
            # still names the module to the constructions' analysis: the import stays
            kept = any(
                access.name == candidate.bound and assignment not in access.referents
                for access in site.scope.accesses
            )
        for access in self.references(assignment):
            node = access.node
            parent = self.file.parent(node)
            is_attr = isinstance(parent, ast.Attribute) and parent.value is node
            old = f"{candidate.old}.{parent.attr}" if is_attr else candidate.old  # type: ignore[union-attr]
            moved = self.paths.rename(old) if is_attr else None
            follows = candidate.module_rule and (
                not is_attr
                or (moved is not None and moved[1] == f"{candidate.target}.{split_path(old)[1]}")
            )
            why = self._why_kept(old)
            if why is not None:
                self.report(node, why)
                kept = held = True
            elif is_attr and not isinstance(parent.ctx, ast.Load):  # type: ignore[union-attr]
                kept = True  # `module.Name = ...`: the module's attribute is set, not read
            elif follows:
                still_needed = True
                if plain and isinstance(node, ast.Name | ast.Attribute):
                    if locatable(self.file, node):
                        self.plan.renames[node] = candidate.target
                    else:
                        kept = True
                elif plain:
                    kept = True  # a string annotation naming the module keeps it
            elif not is_attr or moved is None or not isinstance(node, ast.Name | ast.Attribute):
                kept = True
            elif not self._convert(candidate, access, parent, moved[1]):  # type: ignore[arg-type]
                kept = True
        if held and candidate.module_rule:
            return  # the module import stays: a name it serves does not move
        if candidate.module_rule and (kept or still_needed):
            self._repoint_module(candidate)
        elif not kept:
            self.plan.outcomes[candidate.alias] = []
        elif self.modules_deprecated and self.paths.rename(candidate.old) is None:
            self.report(candidate.alias, still_used(candidate.bound), rule="deprecated-import")

    def _convert(
        self, candidate: Candidate, access: Access, attribute: ast.Attribute, path: str
    ) -> bool:
        """`mod.Name` becomes `Name`, imported from its new module next to the module import."""
        name = split_path(path)[1]
        scopes = [candidate.site.scope, access.scope]
        if self._conflicts(name, path, scopes) is not None or not locatable(self.file, attribute):
            message = f"`{dotted(attribute)}`: `{name}` already means something else here"
            if not locatable(self.file, attribute):
                message = f"`{dotted(attribute)}`: inside an f-string, rewrite it by hand"
            self.report(attribute, message)
            return False
        self.plan.renames[attribute] = name
        self.plan.converted.setdefault(candidate.alias, []).append(attribute)
        new = self._new(candidate.site, path)
        extras = self.plan.extras.setdefault(candidate.site.statement, [])
        if new not in extras:
            extras.append(new)
        return True

    def _repoint_module(self, candidate: Candidate) -> None:
        site, alias = candidate.site, candidate.alias
        if isinstance(site.statement, ast.Import):
            self.plan.outcomes[alias] = [NewImport(candidate.target, "", alias.asname)]
            return
        module, name = split_path(candidate.target)
        asname = candidate.bound
        if alias.asname is None and name != candidate.bound:
            assert candidate.assignment is not None
            references = self.references(candidate.assignment)
            scopes = [site.scope, *(a.scope for a in references)]
            nodes = [a.node for a in references]
            if (
                self._conflicts(name, candidate.target, scopes) is None
                and self._unlocated(nodes) is None
                and not self.unreadable_strings(candidate.bound)
            ):
                for access in references:
                    self._rename_access(access.node, candidate.bound, name)
                asname = name
        self.plan.outcomes[alias] = [
            NewImport(module, name, asname if asname != name else None, site.relative)
        ]

    # ---- strings and compatibility aliases ------------------------------------------------
    def _decide_strings(self) -> None:
        for node in path_strings(self.file):
            value = node.value
            if not references_old_path(self.paths, value):
                continue
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
            if literal_text(self.file, node)[1] != value:
                message = f'"{value}": escaped string, rewrite by hand'
                self.report(node, message, rule=self.string_rule)
                continue
            if not locatable(self.file, node):
                message = f'"{value}": inside an f-string, rewrite it by hand'
                self.report(node, message, rule=self.string_rule)
                continue
            self.plan.literals[node] = moved[1]
            self.plan.changes += 1

    def _why_kept(self, path: str) -> str | None:
        """Why an old path must stay: a call that still needs it, a pending rule, a name the
        new module does not provide."""
        return self.blocked.get(path) or self.paths.held(path)

    def _blocked_path(self, value: str) -> str | None:
        return next((b for b in self.blocked if value == b or value.startswith(b + ".")), None)

    def _decide_compat_aliases(self, compat: dict[int, CompatAlias] | None) -> None:
        self.plan.compat = compat if compat is not None else decide_compat(self.file, self.paths)
        for alias in self.plan.compat.values():
            if alias.why is not None:
                message = kept_message(alias.alias, alias.why)
                self.report(alias.statement, message, rule="aliased-import")
                continue
            self.plan.removed.add(alias.statement)
            self.plan.changes += 1
            for string in self.all_strings():
                if string.value == alias.alias:
                    self.plan.removed.add(string)


def bindings_between(
    file: AstFile, plan: ImportPlan, first: ast.stmt, last: ast.stmt, name: str
) -> list[ast.stmt | None]:
    """The bindings of `name` in the scope of two imports of one block made by statements of
    the block between them (not a compatibility alias the plan removes): the import statement
    making each, None for any other binding."""
    scope = file.scope(first)
    block = block_of(file, first)
    start, end = index_in(file, block, first), index_in(file, block, last)
    found: list[ast.stmt | None] = []
    for assignment in scope.assignments.get(name, []) if scope is not None else []:
        if not start < index_in(file, block, assignment.node) < end:
            continue
        if simple_statement(file, assignment.node) in plan.removed:
            continue
        found.append(assignment.node if assignment.is_import else None)  # type: ignore[arg-type]
    return found
