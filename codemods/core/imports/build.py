"""Turning the rewrite's decisions into statement edits: dedupe, join, repoint, regroup."""

from __future__ import annotations

from dataclasses import dataclass

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
from codemods.core.imports.sites import Site


@dataclass
class PlannedStatement:
    """A statement's plan (`statements.StatementPlan`) with this tree's aliases."""

    kept: list[cst.ImportAlias]
    fresh: list[tuple[cst.ImportAlias | None, NewImport]]
    joined: list[NewImport]


class StatementBuilder:
    """Lays out the edit of every planned import statement, in document order."""

    def __init__(
        self, ctx: FileContext, sites: list[Site], planned: dict[cst.CSTNode, PlannedStatement]
    ) -> None:
        self.ctx = ctx
        self.sites = sites
        self.planned = planned

    def build(self) -> dict[cst.CSTNode, StatementEdit]:
        edits: dict[cst.CSTNode, StatementEdit] = {}
        for site in self.sites:
            planned = self.planned.get(site.node)
            if planned is None:
                continue
            node = site.node
            if planned.joined:  # an untouched from-import the names join, one at a time
                current = node
                for item in planned.joined:
                    alias = import_alias(item.name, item.asname)
                    current = with_aliases(current, [*current.names, alias])  # type: ignore[union-attr]
                edits[node] = StatementEdit(current)
            elif isinstance(node, cst.Import):
                edits[node] = self._edit_import(site, planned.kept, planned.fresh)
            else:
                edits[node] = self._edit_from(site, planned.kept, planned.fresh)
        return edits

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
