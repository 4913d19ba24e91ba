"""What becomes of each import statement once the plan's aliases move, decided once from `ast`.

In each block, in source order: a new import that the statement's kept names or an earlier
import of the block already make is dropped; an untouched later import of a binding a move now
makes is dropped; a name joins an earlier untouched from-import of its module; what is left is
written by the statement itself (`fresh`). None of these across a statement between that binds
the name otherwise (`bindings_between`). The writers lay each `StatementPlan` out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codemods.core.imports.text import IMPORT_ERRORS, NewImport
from codemods.core.imports.tree_facts import imported_path
from codemods.core.paths import module_spelling, split_path
from codemods.core.tree import AstFile, dotted
from codemods.core.values import FileContext

if TYPE_CHECKING:  # the plan imports this module
    from codemods.core.imports.decide import ImportPlan, Site

# the statements between two imports of a block binding a name: each import, None for another
BindingsBetween = Callable[[ast.stmt, ast.stmt, str], list[ast.stmt | None]]


@dataclass
class StatementPlan:
    """One import statement once rewritten: the aliases it keeps as they are, the imports it
    writes (each from one of its aliases, or None: a name it gains), the names joined to it
    (an untouched statement), and the aliases whose decisions changed it."""

    kept: list[ast.alias] = field(default_factory=list)
    fresh: list[tuple[ast.alias | None, NewImport]] = field(default_factory=list)
    joined: list[tuple[ast.alias | None, NewImport]] = field(default_factory=list)
    causes: list[ast.alias] = field(default_factory=list)


def absolute(item: NewImport) -> NewImport:
    """The binding an import makes, whatever its spelling."""
    return NewImport(item.module, item.name, item.asname)


def bound_name(item: NewImport) -> str:
    """The name an import binds (a dotted module's full name, as the scopes record it)."""
    return item.asname or item.name or item.module


def binding_of(
    statement: ast.Import | ast.ImportFrom, alias: ast.alias, ctx: FileContext
) -> NewImport:
    """The binding an alias of the original statement makes."""
    path = imported_path(alias, statement, ctx)
    if isinstance(statement, ast.Import):
        return NewImport(path, "", alias.asname)
    return NewImport(*split_path(path), alias.asname)


class StatementPlanner:
    """Plans every import statement of a file from the alias decisions, in source order."""

    def __init__(self, file: AstFile, plan: ImportPlan, bindings_between: BindingsBetween) -> None:
        self.file = file
        self.plan = plan
        self.ctx = file.context
        self.bindings_between = bindings_between
        self.changes = 0
        self.statements: dict[ast.stmt, StatementPlan] = {}
        self.dropped: set[ast.alias] = set()  # untouched later duplicates
        self._order = {id(site.statement): n for n, site in enumerate(plan.sites)}

    def run(self) -> None:
        available: dict[int, list[tuple[ast.stmt, set[NewImport]]]] = {}
        for site in self.plan.sites:
            earlier = available.setdefault(id(site.block), [])
            earlier.append((site.statement, self._statement(site, earlier)))

    def _owner(self, statement: ast.stmt) -> ast.alias | None:
        """The alias whose `module.Name` reads gave the statement the names it gains."""
        return next((a for a in statement.names if a in self.plan.converted), None)  # type: ignore[attr-defined]

    def _statement(self, site: Site, earlier) -> set[NewImport]:
        statement = site.statement
        if statement.names[0].name == "*":
            return set()
        kept: list[ast.alias] = []
        new: list[tuple[ast.alias | None, NewImport]] = []
        for alias in statement.names:
            outcome = [] if alias in self.dropped else self.plan.outcomes.get(alias)
            original = binding_of(statement, alias, self.ctx)
            if outcome and len(outcome) == 1 and absolute(outcome[0]) == original:
                outcome = None
            if outcome is None:
                kept.append(alias)
            else:
                new.extend((alias, item) for item in outcome)
        new.extend((None, item) for item in self.plan.extras.get(statement, []))
        bindings = {binding_of(statement, alias, self.ctx) for alias in kept}
        if len(kept) == len(statement.names) and not new:
            return bindings
        planned = self.statements.setdefault(statement, StatementPlan())
        planned.kept = kept
        owner = self._owner(statement)
        for alias in statement.names:
            changed = alias not in kept and alias not in self.dropped
            if (changed or alias is owner) and alias not in planned.causes:
                planned.causes.append(alias)
        for alias, item in new:
            cause = alias or owner
            binding = absolute(item)
            self.changes += 1
            if binding in bindings or self._bound_before(statement, binding, earlier):
                continue
            self._drop_later_duplicates(site, binding, cause)
            bindings.add(binding)
            if item.name and self._join(statement, item, earlier, cause):
                continue
            planned.fresh.append((alias, item))
        return bindings

    def _bound_before(self, statement: ast.stmt, binding: NewImport, earlier) -> bool:
        return any(
            binding in bindings and not self._rebound_between(other, statement, binding)
            for other, bindings in earlier
        )

    def _rebound_between(self, first: ast.stmt, last: ast.stmt, binding: NewImport) -> bool:
        """Does a statement between these imports of a block bind the name of `binding`
        otherwise than it does, once rewritten? Then moving a binding of the later import to the
        earlier one would change what the name means after that statement."""
        name = bound_name(binding)
        for statement in self.bindings_between(first, last, name):
            if statement is None:
                return True
            if any(other != binding for other in self._final_bindings(statement, name)):
                return True
        return False

    def _final_bindings(self, statement, name: str) -> list[NewImport | None]:
        """What the statement's imports of `name` bind it to once rewritten (nothing for one
        renamed or dropped; None where no import key tells: a prefix of a dotted module)."""
        if statement.names[0].name == "*":  # pragma: no cover - binds no name
            return [None]
        found: list[NewImport | None] = []
        binds = False
        for alias in statement.names:
            original = binding_of(statement, alias, self.ctx)
            if bound_name(original) != name:
                continue
            binds = True
            outcome = [] if alias in self.dropped else self.plan.outcomes.get(alias)
            items = [original] if outcome is None else [absolute(n) for n in outcome]
            found.extend(item for item in items if bound_name(item) == name)
        return found if binds else [None]

    def _drop_later_duplicates(
        self, site: Site, binding: NewImport, cause: ast.alias | None
    ) -> None:
        """An untouched later import of the same binding in this block is now redundant, unless
        the name is bound again between them."""
        position = self._order[id(site.statement)]
        for later in self.plan.sites[position + 1 :]:
            if later.block is not site.block or later.statement.names[0].name == "*":
                continue
            for alias in later.statement.names:
                if alias in self.plan.outcomes or alias in self.dropped:
                    continue
                if binding_of(later.statement, alias, self.ctx) != binding:
                    continue
                if not self._rebound_between(site.statement, later.statement, binding):
                    self.dropped.add(alias)
                    causes = self.statements.setdefault(later.statement, StatementPlan()).causes
                    if cause is not None and cause not in causes:
                        causes.append(cause)

    def _join(self, statement: ast.stmt, item: NewImport, earlier, cause) -> bool:
        """Add the name to an earlier, untouched from-import of the same module in this block
        with no other binding of the name between it and `statement`."""
        for other, bindings in earlier:
            if not isinstance(other, ast.ImportFrom) or other.names[0].name == "*":
                continue
            planned = self.statements.get(other)
            if planned is not None and not planned.joined:
                continue  # rewritten itself
            module = self.ctx.resolve("." * other.level + (other.module or ""))
            if module != item.module or self._rebound_between(other, statement, absolute(item)):
                continue
            planned = self.statements.setdefault(other, StatementPlan(kept=list(other.names)))
            planned.joined.append((cause, item))
            if cause is not None and cause not in planned.causes:
                planned.causes.append(cause)
            bindings.add(absolute(item))
            return True
        return False


ImportKey = str  # what an import statement binds, independent of its layout


def folded_tries(file: AstFile, plan: ImportPlan) -> set[ast.Try]:
    """The tries the rewrite folds into their body: one holding an import statement the plan
    changes, with no `else`/`finally`, whose handlers catch import errors only and whose body
    and every handler hold (indented) imports only that bind the same names once rewritten."""
    tries = {}
    for statement in plan.statements:
        parent = file.parent(statement)
        if isinstance(parent, ast.ExceptHandler):
            parent = file.parent(parent)
        if isinstance(parent, ast.Try):
            tries[id(parent)] = parent
    return {node for node in tries.values() if _folds(file, plan, node)}


def _folds(file: AstFile, plan: ImportPlan, node: ast.Try) -> bool:
    if node.orelse or node.finalbody or not node.handlers:
        return False
    for handler in node.handlers:
        caught = handler.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(name is None or dotted(name) not in IMPORT_ERRORS for name in names):
            return False
    found = []
    for header, block in [(node, node.body), *((h, h.body) for h in node.handlers)]:
        if block[0].lineno == header.lineno:
            return False  # `try: import x` on one line: not an indented block
        if not all(isinstance(s, ast.Import | ast.ImportFrom) for s in block):
            return False
        keys = {each for s in block for each in import_keys(file, plan, s)}
        if not keys:
            return False
        found.append(keys)
    return all(keys == found[0] for keys in found[1:])


def import_keys(
    file: AstFile, plan: ImportPlan, statement: ast.Import | ast.ImportFrom
) -> list[ImportKey]:
    """What the statement binds once rewritten, as `from m a None,b c` keys: one per statement
    it becomes (none when it goes)."""
    planned = plan.statements.get(statement)
    names = [(a.name, a.asname) for a in statement.names]
    if isinstance(statement, ast.Import):
        if planned is None:
            return [_key("import", names)]
        kept = [(a.name, a.asname) for a in planned.kept]
        kept += [(i.module, i.asname) for _, i in planned.fresh if not i.name]
        froms = [i for _, i in planned.fresh if i.name]
        return ([_key("import", kept)] if kept else []) + _groups(file, froms)
    spelled = "." * statement.level + (statement.module or "")
    if names[0][0] == "*":
        return [f"from {spelled} *"]
    if planned is None or planned.joined:
        joined = [(i.name, i.asname) for _, i in planned.joined] if planned else []
        return [_key(f"from {spelled}", names + joined)]
    kept = [(a.name, a.asname) for a in planned.kept]
    items = [item for _, item in planned.fresh]
    return ([_key(f"from {spelled}", kept)] if kept else []) + _groups(file, items)


def _groups(file: AstFile, items: list[NewImport]) -> list[ImportKey]:
    """One from-import per module, spelled as the first of its names asks."""
    by_module: dict[str, list[NewImport]] = {}
    for item in items:
        by_module.setdefault(item.module, []).append(item)
    return [
        _key(
            f"from {module_spelling(file.context, module, group[0].relative)}",
            [(item.name, item.asname) for item in group],
        )
        for module, group in by_module.items()
    ]


def _key(head: str, names: list[tuple[str, str | None]]) -> ImportKey:
    return f"{head} " + ",".join(sorted(f"{name} {asname}" for name, asname in names))
