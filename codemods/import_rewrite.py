"""The scope-aware import rewrite shared by the imports and validators codemods.

Plan first (which alias goes where, which uses are renamed, what must stay), then apply every edit
in one pass. Imports are rewritten where they stand (local imports stay local); a name is renamed
only where scope analysis proves the new name means the same thing; anything else is left as it
was and reported for manual review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    BaseAssignment,
    ClassScope,
    ImportAssignment,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from codemods.base import Finding, ParsedFile, TransformResult, dotted_name
from codemods.import_edits import (
    EditApplier,
    NewImport,
    StatementEdit,
    from_import,
    import_alias,
    repoint,
    with_aliases,
)
from codemods.paths import PathMap
from codemods.scopes import imported_path, name_taken

DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
PATH_TAKING_CALLS = frozenset({"patch", "import_module", "__import__", "find_spec"})
PATH_KEYWORDS = frozenset({"target", "name"})


def _split(path: str) -> tuple[str, str]:
    module, _, name = path.rpartition(".")
    return module, name


@dataclass(eq=False)
class Site:
    """One import statement and where it stands."""

    node: cst.Import | cst.ImportFrom
    block: cst.CSTNode
    index: int
    scope: Scope

    @property
    def relative(self) -> bool:
        return isinstance(self.node, cst.ImportFrom) and bool(self.node.relative)


@dataclass(eq=False)
class Candidate:
    """An import alias that the rules move somewhere."""

    site: Site
    alias: cst.ImportAlias
    old: str
    bound: str
    target: str
    is_module: bool = False
    module_rule: bool = False
    assignment: BaseAssignment | None = None


@dataclass
class Plan:
    outcomes: dict[cst.ImportAlias, list[NewImport]] = field(default_factory=dict)
    extras: dict[Site, list[NewImport]] = field(default_factory=dict)
    expressions: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    strings: dict[cst.SimpleString, list[tuple[str, str]]] = field(default_factory=dict)
    removed: set[cst.CSTNode] = field(default_factory=set)


class ImportRewrite:
    """Plans and applies the rewrite of one file."""

    def __init__(
        self,
        parsed: ParsedFile,
        paths: PathMap,
        blocked: dict[str, str],
        rule: str,
        modules_deprecated: bool = True,
    ):
        self.parsed = parsed
        self.ctx = parsed.context
        self.paths = paths
        self.blocked = blocked  # old path -> why it must stay
        self.rule = rule
        self.modules_deprecated = modules_deprecated
        self.plan = Plan()
        self.findings: list[Finding] = []
        self.changes = 0
        self.sites: list[Site] = []
        self.all_strings: list[cst.SimpleString] = []
        self.path_strings: list[cst.SimpleString] = []
        self.compat: list[tuple[cst.SimpleStatementLine, cst.Assign, str]] = []

    # ---- collection --------------------------------------------------------------------
    def collect(self) -> None:
        _Collector(self).visit_module(self.parsed.module)

    def report(self, node: cst.CSTNode, message: str, *, rule: str | None = None) -> None:
        finding = self.parsed.finding(
            rule or self.rule, node, message, fixable=False, manual_review=True
        )
        if finding not in self.findings:
            self.findings.append(finding)

    # ---- classification ----------------------------------------------------------------
    def candidates(self) -> list[Candidate]:
        found = []
        for site in self.sites:
            node = site.node
            if isinstance(node.names, cst.ImportStar):
                module = imported_path(cst.ImportAlias(cst.Name("x")), node, self.ctx)[:-2]
                if self.paths.is_old_module(module):
                    self.report(node, f"`from {module} import *`: star import, rewrite by hand")
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
        module, name = _split(path)
        if path in self.paths.canonical:
            if bound != name:
                return Candidate(site, alias, path, bound, path, assignment=assignment)
            return None
        canonical = self.paths.canonical_by_name.get(name)
        if (
            canonical is not None
            and self.paths.in_project(module)
            and module != self.ctx.module
            and module != _split(canonical)[0]
        ):
            return Candidate(site, alias, path, bound, canonical, assignment=assignment)
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
            if candidate.old in self.blocked:
                self.report(candidate.alias, self.blocked[candidate.old])
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
        module, name = _split(path)
        return NewImport(module, name, asname if asname != name else None, site.relative)

    def _fallback(self, group: list[Candidate], why: str) -> None:
        for candidate in group:
            self.plan.outcomes[candidate.alias] = [
                self._new(candidate.site, candidate.target, candidate.bound)
            ]
            new = _split(candidate.target)[1]
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
        desired = _split(target)[1]
        if desired == bound:
            for candidate in group:
                self.plan.outcomes[candidate.alias] = [self._new(candidate.site, target)]
            return
        own = {c.assignment for c in group}
        renamed = []
        for assignment in own:
            for access in assignment.references:
                referents = set(access.referents)
                if referents <= own or self._rebound_first(access, group, referents - own):
                    if referents <= own:
                        renamed.append(access)
                    continue
                why = f"`{bound}` is also bound by another statement that reaches the same uses"
                self._fallback(group, why)
                return
        scope = group[0].site.scope
        scopes = {scope} | {a.scope for a in renamed}
        taken = name_taken(desired, target, scopes, self.ctx, self.paths)
        if taken is not None:
            line = self._line(taken.node)
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
        if scope is self.parsed.get(ScopeProvider, self.parsed.module):
            self._rename_in_all(bound, desired)

    def _rename_access(self, node: cst.CSTNode, old: str, new: str) -> None:
        if isinstance(node, cst.Name):
            self.plan.expressions[node] = node.with_changes(value=new)
        elif isinstance(node, cst.SimpleString):
            self.plan.strings.setdefault(node, []).append((old, new))

    def _rename_in_all(self, old: str, new: str) -> None:
        present = {s.evaluated_value for s in self.all_strings}
        for string in self.all_strings:
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
            index = _index(block, statement)
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
                return _index(block, node)
            node = parent
        return -1

    def _statement_of(self, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
        while node is not None and not isinstance(node, cst.SimpleStatementLine):
            if isinstance(node, cst.BaseCompoundStatement):
                return None
            node = self.parsed.parent(node)
        return node

    def _used_as_attribute(self, name: str) -> bool:
        return name in self._attribute_names

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
        kept = False
        for access in assignment.references:
            node = access.node
            parent = self.parsed.parent(node)
            is_attr = isinstance(parent, cst.Attribute) and parent.value is node
            old = f"{candidate.old}.{parent.attr.value}" if is_attr else candidate.old
            moved = self.paths.rename(old) if is_attr else None
            follows = candidate.module_rule and (
                not is_attr
                or (moved is not None and moved[1] == f"{candidate.target}.{_split(old)[1]}")
            )
            if old in self.blocked:
                self.report(node, self.blocked[old])
                kept = True
            elif follows:
                if plain:
                    self.plan.expressions[node] = cst.parse_expression(candidate.target)
            elif not is_attr or moved is None or not isinstance(node, cst.Name | cst.Attribute):
                kept = True
            elif not self._convert(candidate, access, parent, moved[1]):
                kept = True
        if candidate.module_rule:
            self._repoint_module(candidate)
        elif not kept:
            self.plan.outcomes[candidate.alias] = []
        elif self.modules_deprecated and self.paths.rename(candidate.old) is None:
            message = f"module `{candidate.bound}` is still used for names no rule moves"
            self.report(candidate.alias, message, rule="deprecated-import")

    def _convert(self, candidate: Candidate, access, attribute: cst.Attribute, path: str) -> bool:
        """`mod.Name` becomes `Name`, imported from its new module next to the module import."""
        name = _split(path)[1]
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
        module, name = _split(candidate.target)
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
        for node in self.path_strings:
            value = node.evaluated_value
            moved = self.paths.rename(value)
            if moved is None:
                if self.modules_deprecated:
                    message = f'"{value}": names a deprecated module that no rule moves'
                    self.report(node, message, rule="string-reference")
                continue
            if self._blocked_path(value):
                self.report(node, self.blocked[self._blocked_path(value)])
                continue
            if node.raw_value != value:
                self.report(node, f'"{value}": escaped string, rewrite by hand')
                continue
            self.plan.expressions[node] = node.with_changes(
                value=node.prefix + node.quote + moved[1] + node.quote
            )
            self.changes += 1

    def _blocked_path(self, value: str) -> str | None:
        return next((b for b in self.blocked if value == b or value.startswith(b + ".")), None)

    def _decide_compat_aliases(self) -> None:
        for line, assign, alias in self.compat:
            why = self._compat_alias_kept(line, assign, alias)
            if why is not None:
                message = f"compatibility alias `{alias}` kept: {why}"
                self.report(assign, message, rule="aliased-import")
                continue
            self.plan.removed.add(assign)
            self.changes += 1
            for string in self.all_strings:
                if string.evaluated_value == alias:
                    self.plan.removed.add(string)

    def _compat_alias_kept(self, line, assign: cst.Assign, alias: str) -> str | None:
        """Why `alias = Canonical` must stay, or None when nothing can still need it."""
        own = f"{self.ctx.module}.{alias}"
        scope = self.parsed.get(ScopeProvider, assign)
        if any(a.references for a in scope.assignments[alias]):
            return f"`{alias}` is still used in this file"
        if self.paths.rename(own) is None:
            return f"no rule moves `{own}`, so the files importing it are not rewritten"
        if len(line.body) != 1:
            return "it shares its line with other statements"
        elsewhere = self.paths.rules.imported_elsewhere
        if elsewhere is None:
            return "unknown whether files outside this run import it (`migrator run` checks)"
        probe = own
        while probe:
            if probe in elsewhere:
                return f"files outside this run import `{probe}`"
            probe = probe.rpartition(".")[0]
        return None

    # ---- edits ---------------------------------------------------------------------------
    def build(self) -> dict[cst.CSTNode, StatementEdit]:
        edits: dict[cst.CSTNode, StatementEdit] = {}
        available: dict[int, list[tuple[Site, set[NewImport]]]] = {}
        for site in self.sites:
            earlier = available.setdefault(id(site.block), [])
            seen = set().union(*(bindings for _, bindings in earlier)) if earlier else set()
            edit, bindings = self._edit_site(site, seen, earlier, edits)
            if edit is not None:
                edits[site.node] = edit
            earlier.append((site, bindings))
        return edits

    def _edit_site(self, site: Site, seen: set[NewImport], earlier, edits):
        node = site.node
        if isinstance(node.names, cst.ImportStar):
            return None, set()
        kept: list[cst.ImportAlias] = []
        new: list[tuple[cst.ImportAlias | None, NewImport]] = []
        for alias in node.names:
            outcome = self.plan.outcomes.get(alias)
            if outcome and len(outcome) == 1 and _absolute(outcome[0]) == self._key(site, alias):
                outcome = None
            if outcome is None:
                kept.append(alias)
            else:
                new.extend((alias, n) for n in outcome)
        new.extend((None, n) for n in self.plan.extras.get(site, []))
        bindings = {self._key(site, a) for a in kept}
        if len(kept) == len(node.names) and not new:
            return None, bindings
        fresh: list[tuple[cst.ImportAlias | None, NewImport]] = []
        for alias, item in new:
            key = _absolute(item)
            if key in seen or key in bindings:
                self.changes += 1
                continue
            self._drop_later_duplicates(site, key)
            bindings.add(key)
            if item.name and self._join(item, earlier, edits):
                self.changes += 1
                continue
            fresh.append((alias, item))
            self.changes += 1
        if isinstance(node, cst.Import):
            return self._edit_import(site, kept, fresh), bindings
        return self._edit_from(site, kept, fresh), bindings

    def _drop_later_duplicates(self, site: Site, key: NewImport) -> None:
        """An untouched later import of the same binding in this block is now redundant."""
        for later in self.sites:
            if later.block is not site.block or later.index <= site.index:
                continue
            if isinstance(later.node.names, cst.ImportStar):
                continue
            for alias in later.node.names:
                if alias not in self.plan.outcomes and self._key(later, alias) == key:
                    self.plan.outcomes[alias] = []

    def _key(self, site: Site, alias: cst.ImportAlias) -> NewImport:
        path = imported_path(alias, site.node, self.ctx)
        if isinstance(site.node, cst.Import):
            return NewImport(path, "", alias.evaluated_alias)
        module, name = _split(path)
        return NewImport(module, name, alias.evaluated_alias)

    def _join(self, item: NewImport, earlier, edits) -> bool:
        """Add the name to an earlier, untouched from-import of the same module in this block."""
        for site, bindings in earlier:
            node = site.node
            if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
                continue
            if node in edits and node not in self._joined:
                continue
            module = imported_path(cst.ImportAlias(cst.Name("x")), node, self.ctx)[:-2]
            if module != item.module:
                continue
            current = edits[node].replacement if node in edits else node
            alias = import_alias(item.name, item.asname)
            edits[node] = StatementEdit(with_aliases(current, [*current.names, alias]))
            self._joined.add(node)
            bindings.add(_absolute(item))
            return True
        return False

    def _edit_from(self, site: Site, kept, fresh) -> StatementEdit:
        node = site.node
        if kept:
            return StatementEdit(with_aliases(node, kept), self._group(fresh))
        if not fresh:
            return StatementEdit(None)
        modules = list(dict.fromkeys(item.module for _, item in fresh))
        if len(modules) == 1 and all(alias is not None for alias, _ in fresh):
            aliases = [
                alias.with_changes(
                    name=cst.parse_expression(item.name),
                    asname=import_alias(item.name, item.asname).asname,
                )
                for alias, item in fresh
            ]
            moved = repoint(node, self.ctx, modules[0], site.relative)
            return StatementEdit(with_aliases(moved, aliases))
        groups = self._group(fresh)
        return StatementEdit(groups[0].with_changes(semicolon=node.semicolon), groups[1:])

    def _edit_import(self, site: Site, kept, fresh) -> StatementEdit:
        node = site.node
        plain = [item for _, item in fresh if not item.name]
        names = list(kept)
        for item in plain:
            alias = cst.ImportAlias(
                name=cst.parse_expression(item.module),
                asname=cst.AsName(cst.Name(item.asname)) if item.asname else None,
            )
            names.append(alias)
        froms = self._group([(a, i) for a, i in fresh if i.name])
        if not names:
            if not froms:
                return StatementEdit(None)
            return StatementEdit(froms[0].with_changes(semicolon=node.semicolon), froms[1:])
        fixed = [n.with_changes(comma=cst.MaybeSentinel.DEFAULT) for n in names]
        fixed = [
            n.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            for n in fixed[:-1]
        ] + fixed[-1:]
        return StatementEdit(node.with_changes(names=fixed), froms)

    def _group(self, fresh) -> list[cst.ImportFrom]:
        by_module: dict[str, list[NewImport]] = {}
        for _, item in fresh:
            by_module.setdefault(item.module, []).append(item)
        return [from_import(self.ctx, items) for items in by_module.values()]

    # ---- run -----------------------------------------------------------------------------
    def run(self) -> TransformResult:
        self._joined: set[cst.CSTNode] = set()
        self._attribute_names: set[str] = set()
        self.collect()
        self.decide()
        edits = self.build()
        expressions = dict(self.plan.expressions)
        for node, pairs in self.plan.strings.items():
            expressions[node] = _rename_in_string(node, pairs)
            self.changes += 1
        removed = set(self.plan.removed)
        if not edits and not expressions and not removed:
            return TransformResult(self.parsed.code, self.findings, 0)
        applier = EditApplier(expressions, edits, removed, self._touched_tries(edits))
        module = self.parsed.module.visit(applier)
        if module.code == self.parsed.code:
            return TransformResult(self.parsed.code, self.findings, 0)
        return TransformResult(module.code, self.findings, max(self.changes, 1))

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


def _absolute(item: NewImport) -> NewImport:
    return NewImport(item.module, item.name, item.asname)


def _index(block: cst.CSTNode, statement: cst.CSTNode) -> int:
    body = getattr(block, "body", ())
    for index, child in enumerate(body):
        if child is statement:
            return index
    return -1


def _rename_in_string(node: cst.SimpleString, pairs: list[tuple[str, str]]) -> cst.SimpleString:
    text = node.raw_value
    for old, new in pairs:
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
    return node.with_changes(value=node.prefix + node.quote + text + node.quote)


class _Collector(cst.CSTVisitor):
    """Finds import statements, `__all__` strings, path strings and compatibility aliases."""

    def __init__(self, rewrite: ImportRewrite) -> None:
        self.rewrite = rewrite
        self.parsed = rewrite.parsed

    def visit_module(self, module: cst.Module) -> None:
        module.visit(self)

    def _site(self, node: cst.Import | cst.ImportFrom) -> None:
        line = self.parsed.parent(node)
        block = self.parsed.parent(line) if isinstance(line, cst.SimpleStatementLine) else line
        index = _index(block, line) if isinstance(line, cst.SimpleStatementLine) else 0
        scope = self.parsed.get(ScopeProvider, node)
        self.rewrite.sites.append(Site(node, block, index, scope))

    def visit_Import(self, node: cst.Import) -> None:
        self._site(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._site(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.rewrite._attribute_names.add(node.attr.value)

    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign | cst.AugAssign | cst.AnnAssign):
                    self._module_assignment(statement, small)

    def _module_assignment(self, line: cst.SimpleStatementLine, node) -> None:
        targets = (
            [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        )
        names = [t.value for t in targets if isinstance(t, cst.Name)]
        if "__all__" in names and isinstance(node.value, cst.List | cst.Tuple):
            for element in node.value.elements:
                if isinstance(element.value, cst.SimpleString):
                    self.rewrite.all_strings.append(element.value)
        if (
            isinstance(node, cst.Assign)
            and len(targets) == 1
            and names
            and isinstance(node.value, cst.Name | cst.Attribute)
        ):
            canonical = self.parsed.qualified_names(node.value) & self.rewrite.paths.canonical
            for path in canonical:
                if _split(path)[1] != names[0]:
                    self.rewrite.compat.append((line, node, names[0]))

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func) or ""
        if callee.rpartition(".")[2] not in PATH_TAKING_CALLS:
            return
        for index, arg in enumerate(node.args):
            first = index == 0 and arg.keyword is None
            keyword = arg.keyword is not None and arg.keyword.value in PATH_KEYWORDS
            if first or keyword:
                self._path_string(arg.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if dotted_name(node.value) == "sys.modules" and len(node.slice) == 1:
            element = node.slice[0].slice
            if isinstance(element, cst.Index):
                self._path_string(element.value)

    def _path_string(self, node: cst.BaseExpression) -> None:
        if not isinstance(node, cst.SimpleString):
            return
        value = node.evaluated_value
        if isinstance(value, str) and DOTTED_PATH.fullmatch(value):
            if self.rewrite.paths.references_old(value):
                self.rewrite.path_strings.append(node)


def rewrite_imports(
    parsed: ParsedFile,
    paths: PathMap,
    blocked: dict[str, str],
    rule: str,
    modules_deprecated: bool = True,
) -> TransformResult:
    """Rewrite every import the rules move; `blocked` maps old paths to why they must stay.

    With `modules_deprecated` false, only the moved names matter: other uses of their modules
    (attributes, path strings naming the module) are not reported.
    """
    return ImportRewrite(parsed, paths, blocked, rule, modules_deprecated).run()
