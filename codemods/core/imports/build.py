"""Turning the rewrite's decisions into statement edits: dedupe, join, repoint, regroup."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from codemods.core.base import FileContext
from codemods.core.imports.edits import (
    Layout,
    NewImport,
    StatementEdit,
    alias_comment,
    from_import,
    import_alias,
    multiline_layout,
    repoint,
    with_aliases,
)
from codemods.core.imports.sites import Plan, Site
from codemods.core.imports.spelled import imported_module, imported_path
from codemods.core.paths import split_path


def absolute(item: NewImport) -> NewImport:
    """The binding an import makes, whatever its spelling."""
    return NewImport(item.module, item.name, item.asname)


def bound_name(item: NewImport) -> str:
    """The name an import binds (a dotted module's full name, as LibCST's scopes record it)."""
    return item.asname or item.name or item.module


class StatementBuilder:
    """Builds the edit of every import statement from the plan, in document order."""

    def __init__(
        self,
        ctx: FileContext,
        sites: list[Site],
        plan: Plan,
        bindings_between: Callable[[Site, Site, str], list[Site | None]],
    ) -> None:
        self.ctx = ctx
        self.sites = sites
        self.plan = plan
        # the bindings of a name by statements of a block between two of its imports
        self.bindings_between = bindings_between
        self.changes = 0
        self._joined: set[cst.CSTNode] = set()

    def build(self) -> dict[cst.CSTNode, StatementEdit]:
        edits: dict[cst.CSTNode, StatementEdit] = {}
        available: dict[int, list[tuple[Site, set[NewImport]]]] = {}
        for site in self.sites:
            earlier = available.setdefault(id(site.block), [])
            edit, bindings = self._edit_site(site, earlier, edits)
            if edit is not None:
                edits[site.node] = edit
            earlier.append((site, bindings))
        return edits

    def _edit_site(self, site: Site, earlier, edits):
        node = site.node
        if isinstance(node.names, cst.ImportStar):
            return None, set()
        kept: list[cst.ImportAlias] = []
        new: list[tuple[cst.ImportAlias | None, NewImport]] = []
        for alias in node.names:
            outcome = self.plan.outcomes.get(alias)
            if outcome and len(outcome) == 1 and absolute(outcome[0]) == self._key(site, alias):
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
            key = absolute(item)
            if key in bindings or self._bound_before(site, key, earlier):
                self.changes += 1
                continue
            self._drop_later_duplicates(site, key)
            bindings.add(key)
            if item.name and self._join(site, item, earlier, edits):
                self.changes += 1
                continue
            fresh.append((alias, item))
            self.changes += 1
        if isinstance(node, cst.Import):
            return self._edit_import(site, kept, fresh), bindings
        return self._edit_from(site, kept, fresh), bindings

    def _bound_before(self, site: Site, key: NewImport, earlier) -> bool:
        """Does an earlier import of the block make this binding, with no other binding of its
        name between them?"""
        return any(
            key in bindings and not self._rebound_between(other, site, key)
            for other, bindings in earlier
        )

    def _rebound_between(self, first: Site, last: Site, key: NewImport) -> bool:
        """Does a statement between these imports of a block bind the name of `key` otherwise
        than `key` does, once rewritten? Then moving a binding of the later import to the
        earlier one (joined to it, or either dropped as the other's duplicate) would change what
        the name means after that statement."""
        name = bound_name(key)
        for site in self.bindings_between(first, last, name):
            if site is None:
                return True
            if any(binding != key for binding in self._final_bindings(site, name)):
                return True
        return False

    def _final_bindings(self, site: Site, name: str) -> list[NewImport | None]:
        """What the statement's imports of `name` bind it to once rewritten (nothing for one
        renamed or dropped; None where no import key tells: a prefix of a dotted module)."""
        names = site.node.names
        if isinstance(names, cst.ImportStar):  # pragma: no cover - LibCST binds no name to it
            return [None]
        found: list[NewImport | None] = []
        binds = False
        for alias in names:
            original = self._key(site, alias)
            if bound_name(original) != name:
                continue
            binds = True
            outcome = self.plan.outcomes.get(alias)
            items = [original] if outcome is None else [absolute(n) for n in outcome]
            found.extend(item for item in items if bound_name(item) == name)
        return found if binds else [None]

    def _drop_later_duplicates(self, site: Site, key: NewImport) -> None:
        """An untouched later import of the same binding in this block is now redundant, unless
        the name is bound again between them."""
        for later in self.sites:
            if later.block is not site.block or later.index <= site.index:
                continue
            if isinstance(later.node.names, cst.ImportStar):
                continue
            for alias in later.node.names:
                if alias in self.plan.outcomes or self._key(later, alias) != key:
                    continue
                if not self._rebound_between(site, later, key):
                    self.plan.outcomes[alias] = []

    def _key(self, site: Site, alias: cst.ImportAlias) -> NewImport:
        path = imported_path(alias, site.node, self.ctx)
        if isinstance(site.node, cst.Import):
            return NewImport(path, "", alias.evaluated_alias)
        module, name = split_path(path)
        return NewImport(module, name, alias.evaluated_alias)

    def _join(self, site: Site, item: NewImport, earlier, edits) -> bool:
        """Add the name to an earlier, untouched from-import of the same module in this block
        with no other binding of the name between it and `site`."""
        for other, bindings in earlier:
            node = other.node
            if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
                continue
            if node in edits and node not in self._joined:
                continue
            if imported_module(node, self.ctx) != item.module:
                continue
            if self._rebound_between(other, site, absolute(item)):
                continue
            current = edits[node].replacement if node in edits else node
            alias = import_alias(item.name, item.asname)
            edits[node] = StatementEdit(with_aliases(current, [*current.names, alias]))
            self._joined.add(node)
            bindings.add(absolute(item))
            return True
        return False

    def _edit_from(self, site: Site, kept, fresh) -> StatementEdit:
        node = site.node
        layout = multiline_layout(node)
        if kept:
            groups, comments = self._group(fresh, layout)
            return StatementEdit(with_aliases(node, kept), groups, after_comments=comments)
        if not fresh:
            return StatementEdit(None)
        modules = list(dict.fromkeys(item.module for _, item in fresh))
        if len(modules) == 1 and all(alias is not None for alias, _ in fresh):
            return StatementEdit(self._repointed(site, modules[0], fresh))
        if layout is not None:
            # A one-name-a-line import stays, laid out as it was, for the module most of its
            # names go to; the names going elsewhere get imports of their own after it.
            primary = max(
                modules, key=lambda m: sum(a is not None and i.module == m for a, i in fresh)
            )
            rest = [(alias, item) for alias, item in fresh if item.module != primary]
            groups, comments = self._group(rest, layout)
            own = [(alias, item) for alias, item in fresh if item.module == primary]
            return StatementEdit(self._repointed(site, primary, own), groups, None, comments)
        groups, comments = self._group(fresh)
        first = groups[0].with_changes(semicolon=node.semicolon)
        return StatementEdit(first, groups[1:], comments[0], comments[1:])

    def _repointed(self, site: Site, module: str, fresh) -> cst.ImportFrom:
        """The statement reading `fresh`'s names from `module`, each entry edited in place
        (its comma, comment and line kept); names it did not import are added at the end."""
        aliases = [
            alias.with_changes(
                name=cst.parse_expression(item.name),
                asname=import_alias(item.name, item.asname).asname,
            )
            if alias is not None
            else import_alias(item.name, item.asname)
            for alias, item in fresh
        ]
        moved = repoint(site.node, self.ctx, module, site.relative)
        return with_aliases(moved, aliases, [alias for alias, _ in fresh])

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
        froms, _ = self._group([(a, i) for a, i in fresh if i.name])
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

    def _group(
        self, fresh, layout: Layout | None = None
    ) -> tuple[list[cst.ImportFrom], list[cst.Comment | None]]:
        """One from-import per module, each with the first comment its moved names carried;
        with a `layout`, several names are laid out one a line, each keeping its comment."""
        by_module: dict[str, list[NewImport]] = {}
        notes: dict[str, list[cst.Comment | None]] = {}
        for alias, item in fresh:
            by_module.setdefault(item.module, []).append(item)
            notes.setdefault(item.module, []).append(
                alias_comment(alias) if alias is not None else None
            )
        imports, comments = [], []
        for module, items in by_module.items():
            spread = layout is not None and len(items) > 1
            imports.append(from_import(self.ctx, items, layout if spread else None, notes[module]))
            comments.append(None if spread else next(filter(None, notes[module]), None))
        return imports, comments
