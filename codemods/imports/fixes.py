"""The import rewrite's plan (`codemods.core.imports.decide`) written as text edits.

`text_fixes` takes the analysis' findings with `fix` set, each with the node it sits at, and
gives the edits that write the plan there, or None when a site's layout needs LibCST's writer
(`codemods.core.imports.rewrite`, which applies the same plan). All or nothing for a file:
either every fix finding gets its edits (applied together they are the whole change), or none
does and the runner calls `transform`. Nothing here decides what a name means: which alias moves
where, which reads, string annotations and `__all__` entries are renamed, which `module.Name`
reads become names, which path strings and compatibility aliases change, all come from the plan.

What is decided here is the statements' layout, as LibCST's statement builder (`build.py`)
lays them out: a from-import repointed in place (parenthesised layout, names sharing a line and
comments kept), names leaving a statement whose other names stay (or going to several modules)
on lines of their own after it; in each block, a moved name that an earlier import (or its own
statement) already binds dropped, and so is an untouched later import of a name a move now binds
(a statement left empty goes with its comment lines, as LibCST's `leading_lines`); a moved name
joined to an earlier untouched import of its module in the block; a try/except ImportError whose
branches then import the same names folded into its body (one-line statements only); a
deprecated module's one converted name imported in place of the module or after it; a removed
compatibility alias with its leading lines, and the entries naming it in one-line `__all__`
displays. Left to LibCST: `import` statements other than `import package.module as name` alone,
module moves, a module read for several moved names; imports on a line with other statements,
parenthesised on several lines with the first name on the `(`'s line, joined to an earlier
import with a trailing comma or continued by a backslash, or dropped right after a compound
statement; a try it folds whose body has a statement on several lines or lines between
statements, or a comment after it indented deeper than it; reads inside f-strings; strings that
are not plain literals or rename two names; `__all__` displays over several lines or left empty.
"""

from __future__ import annotations

import ast
import collections
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from codemods.core.annotation_reads import plain_literal, word
from codemods.core.edits import Edit, apply_edits
from codemods.core.imports.compat import CompatAlias, is_fallback
from codemods.core.imports.decide import ImportPlan, decide
from codemods.core.imports.statements import absolute, binding_of
from codemods.core.imports.text import NewImport
from codemods.core.imports.tree_facts import SIMPLE, all_strings, literal_text
from codemods.core.paths import PathMap, module_spelling, split_path
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import Finding
from codemods.imports.constructions import constructions

_TRY_LINE = re.compile(r"try[ \t\f]*:[ \t\f]*(#[^\n]*)?\n")
_AFTER_STATEMENT = re.compile(r"[ \t\f]*(#[^\n]*)?\n")
_IMPORT_KEYWORD = re.compile(r"(?<![\w])import(?!\w)")


class _Bail(Exception):  # noqa: N818 - a signal: this file's fix needs the LibCST rewrite
    pass


@dataclass(eq=False)
class _Move:
    """One name of a from-import that the rewrite moves: where to, and under which name."""

    alias: ast.alias
    statement: ast.ImportFrom | ast.Import
    target: str  # the canonical dotted path
    # a deprecated module imported by name: the `module.Name` reads that become `Name`, and
    # `target` the one path they name (the rewrite imports it after the statement)
    uses: list[ast.Attribute] | None = None
    # ... and the module is also read for names no rule moves: its import stays (reported)
    kept: bool = False
    # the name the new import binds it under, when not its own (the plan keeps the bound
    # name); and whether the import is already the one the plan writes (it stays as it is)
    asname: str | None = None
    unchanged: bool = False

    @property
    def bound(self) -> str:
        return self.alias.asname or self.alias.name

    @property
    def written(self) -> str:
        """The new import's entry."""
        return f"{self.name} as {self.asname}" if self.asname else self.name

    @property
    def module(self) -> str:
        return split_path(self.target)[0]

    @property
    def name(self) -> str:
        return split_path(self.target)[1]


@dataclass
class _Plan:
    """What becomes of the imports of the blocks that hold moves (ids of `ast` nodes)."""

    dropped: set[int] = field(default_factory=set)  # aliases the rewrite drops
    fresh: dict[int, list[_Move]] = field(default_factory=dict)  # moves each statement writes
    changed: set[int] = field(default_factory=set)  # statements the rewrite edits
    causes: dict[int, list[_Move]] = field(default_factory=dict)  # the moves editing each
    joined: dict[int, list[_Move]] = field(default_factory=dict)  # names joined to each


class _Text:
    """Character offsets of `ast` positions (lines split on `\\n` only: `\\r` files bail)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def offset(self, line: int, column: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        row = self.text[start:end]
        if row.isascii():
            return start + column
        return start + len(row.encode("utf-8")[:column].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end


def text_fixes(
    file: AstFile,
    paths: PathMap,
    rules: RuleSet,
    sites: Sequence[tuple[Finding, ast.AST | None]],
    kept: list[ast.alias] | None = None,
    compat: dict[int, CompatAlias] | None = None,
    reports: list[Finding] | None = None,
    changes: list[int] | None = None,
) -> list[tuple[Edit, ...]] | None:
    """The edits of each (finding, node) in `sites` (every fix finding of the file), in order;
    None when one of them is not a text fix. With edits, `kept` gets the aliases of the module
    imports the rewrite keeps (and reports) while it converts reads of them. `compat`: the
    rewrite's compatibility aliases of the file (`compat.decide`); `reports` gets the imports
    that keep their bound name and what the rewrite reports at each, in its order; `changes`
    the number of changes the rewrite counts for each site (a renamed string counts as one
    more)."""
    if "\r" in file.text:
        return None
    try:
        file.require_plain_identifiers()
    except Unsupported:
        return None
    plan = imports_plan(file, paths, rules, compat)
    fixer = _Fixer(file, paths, rules, plan)
    try:
        edits = fixer.fixes(sites)
    except _Bail:
        return None
    if kept is not None:
        kept.extend(move.alias for move in fixer._moves.values() if move.kept)
    if reports is not None:
        reports.extend(f for f in plan.reports if is_fallback(f.message))
    if changes is not None:
        changes.extend(fixer.changes[id(node)] for _, node in sites)
    return edits


def imports_plan(
    file: AstFile, paths: PathMap, rules: RuleSet, compat: dict[int, CompatAlias] | None = None
) -> ImportPlan:
    """The import rewrite's plan for the imports codemod: an old path a construction still
    needs stays (`constructions`), reported under `deprecated-import`, a path string under
    `string-reference`; `compat`: the analysis' compatibility aliases, when it has them."""
    blocked = constructions(file, rules, paths).held()[0]
    return decide(
        file, paths, blocked, "deprecated-import", string_rule="string-reference", compat=compat
    )


class _Fixer:
    def __init__(self, file: AstFile, paths: PathMap, rules: RuleSet, plan: ImportPlan) -> None:
        self.file = file
        self.paths = paths
        self.rules = rules
        self.plan = plan
        self.text = _Text(file.text)
        self.context = file.context
        self._tries: dict[int, ast.Try] = {}
        self.compat: dict[int, CompatAlias] = plan.compat
        # `__all__` entries the rewrite drops (by id), and the site whose edits drop them
        self._dropped: dict[int, ast.Constant] = {}
        self._dropper: int | None = None
        self._site = 0
        self._written: set[int] = set()  # reads renamed with a group's first import
        self.changes: dict[int, int] = collections.defaultdict(lambda: 1)  # by alias id

    # ---- what moves where ----------------------------------------------------------------
    def _move(self, node: ast.AST | None) -> _Move:
        """The plan's decision for a moved import alias, when the text edits can write it: a
        name repointed (or kept under its bound name), or a deprecated module whose reads of
        one moved name become the name (`converted`)."""
        if not isinstance(node, ast.alias):
            raise _Bail
        statement = self.file.parent(node)
        if not isinstance(statement, ast.Import | ast.ImportFrom):
            raise _Bail
        outcome = self.plan.outcomes.get(node)
        converted = self.plan.converted.get(node)
        if converted is not None:
            return self._module_reads(node, statement, outcome, converted)
        if isinstance(statement, ast.Import) or not outcome or len(outcome) != 1:
            raise _Bail  # kept and reported, a module moved, or a plain import repointed
        new = outcome[0]
        if not new.name:  # pragma: no cover - a from-import's name moves to a name
            raise _Bail
        move = _Move(node, statement, f"{new.module}.{new.name}", asname=new.asname)
        move.unchanged = binding_of(statement, node, self.context) == absolute(new)
        return move

    def _module_reads(
        self,
        node: ast.alias,
        statement: ast.ImportFrom | ast.Import,
        outcome: list[NewImport] | None,
        converted: list[ast.Attribute],
    ) -> _Move:
        """A deprecated module read as `module.Name` of one moved name: each read becomes the
        name, imported in place of the module or, when the module stays (read for names no rule
        moves), on a line after its import; reads of several moved names (the rewrite counts
        each new import as a change) and a module alone in an `import` statement without `as`
        are left to LibCST."""
        extras = self.plan.extras.get(statement, [])
        if outcome not in (None, []) or len(extras) != 1:
            raise _Bail
        if isinstance(statement, ast.Import) and (node.asname is None or len(statement.names) != 1):
            raise _Bail
        if any(self.file.in_fstring(read) for read in converted):
            raise _Bail
        target = f"{extras[0].module}.{extras[0].name}"
        return _Move(node, statement, target, uses=converted, kept=outcome is None)

    def fixes(self, sites: Sequence[tuple[Finding, ast.AST | None]]) -> list[tuple[Edit, ...]]:
        strings = {
            id(node): self._path_string(node)
            for finding, node in sites
            if finding.rule == "string-reference" and isinstance(node, ast.Constant)
        }
        aliases = self._compat_edits(sites)
        moves = [
            self._move(node)
            for _, node in sites
            if id(node) not in strings and id(node) not in aliases
        ]
        self._moves = {id(move.alias): move for move in moves}
        plan = self._statement_plans()
        changed = [statement for statement in self.plan.statements]
        blocks = {id(block): block for block in (self._block(s) for s in changed)}
        own: dict[int, list[Edit]] = {}
        for move in moves:
            self._site = id(move.alias)  # the site an `__all__` entry the rename drops is of
            own[id(move.alias)] = [*self._renames(move)]
            if move.unchanged:
                own[id(move.alias)] = [Edit.insertion(0, "")]  # no change to count
        edits: dict[int, list[Edit]] = {}
        for block in blocks.values():
            for statement in block:
                if id(statement) in plan.changed:
                    if isinstance(statement, ast.Import):
                        edits[id(statement)] = self._module_import(statement, block, plan)
                    else:
                        edits[id(statement)] = self._statement(statement, block, plan)
        for node in self._tries.values():
            folded = self._folded(node, edits) if node in self.plan.folded else None
            if folded is not None:
                for block in [node.body, *(handler.body for handler in node.handlers)]:
                    for statement in block:
                        if id(statement) in edits:
                            edits[id(statement)] = [folded]
        for statement_id, statement_edits in edits.items():
            for cause in plan.causes.get(statement_id, []):
                own[id(cause.alias)][:0] = statement_edits
        drops = self._all_drops()
        if drops:
            key = self._dropper
            if key in aliases:
                aliases[key] += tuple(drops)
            else:
                own[key] += drops  # type: ignore[index]
        removals = [e for edits in aliases.values() for e in edits[:1]]
        others = [*strings.values(), *(e for edits in own.values() for e in edits)]
        self._apart([*removals, *drops], [e for e in others if e not in drops])
        return [
            (strings[id(node)],)
            if id(node) in strings
            else aliases[id(node)]
            if id(node) in aliases
            else tuple(own[id(node)])
            for _, node in sites
        ]

    # ---- what becomes of each import of a block ------------------------------------------
    def _statement_plans(self) -> _Plan:
        """The plan's statements (`StatementPlanner`) with the moves that write them; each
        statement's edits go with the findings whose decisions changed it."""
        plan = _Plan()
        for statement, planned in self.plan.statements.items():
            key = id(statement)
            plan.changed.add(key)
            causes = [self._moves[id(a)] for a in planned.causes if id(a) in self._moves]
            if not causes:
                raise _Bail  # pragma: no cover - a statement no fix finding changes
            plan.causes[key] = causes
            if planned.joined:
                plan.joined[key] = [self._written_by(a, item) for a, item in planned.joined]
                continue
            plan.fresh[key] = [self._written_by(a, item) for a, item in planned.fresh]
            moving = {id(move.alias) for move in plan.fresh[key]}
            for alias in statement.names:  # type: ignore[attr-defined]
                if alias not in planned.kept and id(alias) not in moving:
                    plan.dropped.add(id(alias))
        return plan

    def _written_by(self, alias: ast.alias | None, item: NewImport) -> _Move:
        """The move whose finding writes a planned import: its own alias', or for a name a
        module import gains, that module's."""
        written = (item.module, item.name, item.asname)
        for move in self._moves.values() if alias is None else [self._moves.get(id(alias))]:
            if move is not None and (move.module, move.name, move.asname) == written:
                if alias is not None or move.uses is not None:
                    return move
        raise _Bail  # pragma: no cover - a planned import is a fix finding's move

    # ---- a path string -------------------------------------------------------------------
    def _path_string(self, node: ast.Constant) -> Edit:
        """The plan's new path in place of the old one, between the literal's quotes."""
        value = self.plan.literals.get(node)
        if value is None:
            raise _Bail  # kept, and reported by the plan
        prefix, _, quote = literal_text(self.file, node)
        start, end = self.text.span(node)
        return Edit(start + len(prefix) + len(quote), end - len(quote), value)

    # ---- the statement -------------------------------------------------------------------
    def _block(self, statement: ast.stmt) -> list[ast.stmt]:
        parent = self.file.parent(statement)
        if parent is None:
            parent = self.file.tree
        if isinstance(parent, ast.ExceptHandler):
            self._may_fold(self.file.parent(parent))
        elif isinstance(parent, ast.Try | ast.TryStar):
            self._may_fold(parent)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and any(s is statement for s in block):
                return block
        raise _Bail

    def _may_fold(self, node: ast.AST | None) -> None:
        """A try holding an edited import: the rewrite folds it into its body when its
        branches then import the same names (`_fold`); an `except*` one bails as before."""
        if isinstance(node, ast.Try):
            self._tries[id(node)] = node
            return
        if not isinstance(node, ast.TryStar):
            raise _Bail
        if node.orelse or node.finalbody or not node.handlers:
            return
        blocks = [node.body, *(handler.body for handler in node.handlers)]
        if all(isinstance(s, ast.Import | ast.ImportFrom) for block in blocks for s in block):
            raise _Bail

    def _folded(self, node: ast.Try, edits: dict[int, list[Edit]]) -> Edit:
        """The try's lines replaced by its body's, rewritten and at the try's indentation;
        the lines before it stay (its `leading_lines`). Only for a body of one-line
        statements, one a line, and no comment after the try indented deeper than it (the
        last handler's block would own it)."""
        text = self.file.text
        start = self.text.offset(node.lineno, node.col_offset)
        line_start = self.text.starts[node.lineno - 1]
        indent = text[line_start:start]
        if indent.strip() or not _TRY_LINE.match(text, start):
            raise _Bail
        body = node.body
        first = self.text.starts[body[0].lineno - 1]
        inner = text[first : self.text.offset(body[0].lineno, body[0].col_offset)]
        if inner.strip() or not inner.startswith(indent) or len(inner) <= len(indent):
            raise _Bail
        end = first
        for index, statement in enumerate(body):
            if statement.end_lineno != statement.lineno:
                raise _Bail  # a statement on several lines keeps its inner indentation
            if index and statement.lineno != body[index - 1].lineno + 1:
                raise _Bail  # lines between statements are re-indented by LibCST
            begin = self.text.offset(statement.lineno, statement.col_offset)
            if text[self.text.starts[statement.lineno - 1] : begin] != inner:
                raise _Bail  # pragma: no cover - one block, one indentation
            after = _AFTER_STATEMENT.match(text, self.text.span(statement)[1])
            if after is None:
                raise _Bail
            end = after.end()
        last = _AFTER_STATEMENT.match(text, self.text.span(node.handlers[-1].body[-1])[1])
        if last is None:
            raise _Bail
        position = last.end()
        while position < len(text):  # the comment lines the last handler's block owns
            line_end = text.find("\n", position)
            line = text[position : line_end if line_end >= 0 else len(text)]
            stripped = line.lstrip(" \t\f")
            if stripped.startswith("#") and len(line) - len(stripped) > len(indent):
                raise _Bail
            if (stripped and not stripped.startswith("#")) or line_end < 0:
                break
            position = line_end + 1
        own = [
            Edit(e.start - first, e.end - first, e.content)
            for statement in body
            for e in edits.get(id(statement), [])
        ]
        if any(e.start < 0 or e.end > end - first for e in own):
            raise _Bail  # pragma: no cover - a statement's edits stay on its lines
        lines = apply_edits(text[first:end], own).splitlines(keepends=True)
        if not all(line.startswith(inner) for line in lines):
            raise _Bail  # pragma: no cover - every line written at the body's indentation
        return Edit(line_start, last.end(), "".join(indent + line[len(inner) :] for line in lines))

    def _statement(self, node: ast.ImportFrom, block: list[ast.stmt], plan: _Plan) -> list[Edit]:
        fresh = plan.fresh.get(id(node), [])
        start, end, indent, line_end = self._own_lines(node)
        relative = node.level > 0
        moving = {id(move.alias): move for move in fresh if not move.kept}
        kept = [
            alias
            for alias in node.names
            if id(alias) not in moving and id(alias) not in plan.dropped
        ]
        dropped = len(kept) + len(moving) < len(node.names)
        joined = plan.joined.get(id(node))
        if joined:
            return [self._joined(node, start, end, joined)]
        if not kept and not fresh:
            return [self._removal(node, block, line_end)]
        modules = list(dict.fromkeys(move.module for move in fresh))
        layout = self._layout(node, start, end)
        extra = any(move.uses is not None for move in fresh)
        if extra and layout is not None:
            raise _Bail  # a new name in a parenthesised import
        if layout is None:
            if not fresh:
                return [self._names(node, [(alias, None) for alias in kept])]
            if not kept and len(modules) == 1 and not extra:
                return self._repointed(node, start, modules[0], fresh, relative, dropped)
            groups = [(text, None) for text in self._groups(fresh, relative)]
            if kept:
                names = self._names(node, [(alias, None) for alias in kept])
                return [names, self._after(line_end, indent, groups)]
            first, rest = groups[0][0], groups[1:]
            return [Edit(start, end, first), self._after(line_end, indent, rest)]
        if kept:
            entries = [(alias, None) for alias in kept]
            groups = self._groups(fresh, relative, layout)
            edits = [layout.rewrite(entries)]
            return [*edits, self._after(line_end, indent, groups)] if groups else edits
        primary = max(modules, key=lambda m: sum(move.module == m for move in fresh))
        own = [(move.alias, move.written) for move in fresh if move.module == primary]
        rest = [move for move in fresh if move.module != primary]
        edits = [
            layout.rewrite(own),
            self._after(line_end, indent, self._groups(rest, relative, layout)),
        ]
        begin, finish = self._module_span(node, start)
        edits.append(Edit(begin, finish, module_spelling(self.context, primary, relative)))
        return edits

    def _module_import(self, node: ast.Import, block: list[ast.stmt], plan: _Plan) -> list[Edit]:
        """`import package.module as name` whose reads of one moved name become the name: the
        statement stays (the module is read for names no rule moves) with the name's import on
        a line after it, or gives way to it (`build.StatementBuilder._edit_import`); the name goes
        when the block imports it already (`_plan_block`)."""
        if isinstance(self.file.parent(node), ast.Try | ast.TryStar | ast.ExceptHandler):
            raise _Bail  # a try the rewrite may fold
        move = self._moves[id(node.names[0])]
        fresh = plan.fresh.get(id(node), [])
        start, end, indent, line_end = self._own_lines(node)
        line = f"from {module_spelling(self.context, move.module, False)} import {move.name}"
        if move.kept:
            return [self._after(line_end, indent, [(line, None)])] if fresh else []
        if fresh:
            return [Edit(start, end, line)]
        return [self._removal(node, block, line_end)]

    def _own_lines(self, node: ast.stmt) -> tuple[int, int, str, int]:
        """The statement's span, its indentation and the end of its last line; it must stand
        alone on its lines, with a line break after it."""
        start, end = self.text.span(node)
        indent = self.file.text[self.text.starts[node.lineno - 1] : start]
        after = _AFTER_STATEMENT.match(self.file.text, end)
        if indent.strip() or after is None:
            raise _Bail  # not alone on its lines (or no line break after it)
        return start, end, indent, after.end()

    def _joined(self, node: ast.ImportFrom, start: int, end: int, joined: list[_Move]) -> Edit:
        """The names joined to the end of an untouched import, after the separator
        `with_aliases` uses (the first comma, bare of its comment and the lines after it, or
        `, `); on several lines, only in parentheses."""
        text = self.file.text
        spans = [self.text.span(alias) for alias in node.names]
        if "," in text[spans[-1][1] : end]:
            raise _Bail  # a trailing comma (the joined name would take it)
        several = "\n" in text[start:end]
        if several and ("\\" in text[start:end] or not self._parenthesized(node, start)):
            raise _Bail  # a backslash continuation
        if len(spans) == 1:
            separator = ", "
        elif several:
            separator = _Layout._bare(_Gap.read(text[spans[0][1] : spans[1][0]]))
        else:
            separator = text[spans[0][1] : spans[1][0]]
        return Edit.insertion(spans[-1][1], "".join(separator + move.written for move in joined))

    def _removal(
        self, node: ast.ImportFrom | ast.Import, block: list[ast.stmt], line_end: int
    ) -> Edit:
        """The whole statement gone, with the blank and comment lines before it (LibCST's
        `leading_lines`): only after a simple statement of the same block, whose line ends
        where those lines begin."""
        index = next(i for i, statement in enumerate(block) if statement is node)
        previous = block[index - 1] if index > 0 else None
        if previous is None or not isinstance(previous, SIMPLE):
            raise _Bail  # the first of its block: a header or an indented block's lines
        after = _AFTER_STATEMENT.match(self.file.text, self.text.span(previous)[1])
        if after is None:
            raise _Bail  # a semicolon after it
        return Edit.deletion(after.end(), line_end)

    @staticmethod
    def _after(line_end: int, indent: str, groups: list[tuple[str, str | None]]) -> Edit:
        """New import lines after the statement's last line, each with a comment it carries."""
        lines = [
            f"{indent}{text}  {comment}\n" if comment else f"{indent}{text}\n"
            for text, comment in groups
        ]
        return Edit.insertion(line_end, "".join(lines))

    def _layout(self, node: ast.ImportFrom, start: int, end: int) -> _Layout | None:
        """The one-name-a-line layout of a parenthesised import spanning lines, or None for an
        import on one line."""
        text = self.file.text
        if "\n" not in text[start:end]:
            return None
        first = self.text.span(node.names[0])[0]
        opening = text.rfind("(", start, first)
        closing = text.rfind(")", start, end)
        if opening < 0 or closing < 0:
            raise _Bail  # a backslash continuation
        spans = [self.text.span(alias) for alias in node.names]
        gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        tail = text[spans[-1][1] : closing]
        return _Layout.read(node, text, opening + 1, closing, spans, gaps, tail)

    def _parenthesized(self, node: ast.ImportFrom, start: int) -> bool:
        first = self.text.span(node.names[0])[0]
        return "(" in self.file.text[start:first]

    def _module_span(self, node: ast.ImportFrom, start: int) -> tuple[int, int]:
        """Where `from <module> import` spells the module (its dots included)."""
        first = self.text.span(node.names[0])[0]
        text = self.file.text
        keyword = _IMPORT_KEYWORD.search(text, start + 4, first)  # never a module's component
        if keyword is None:  # pragma: no cover - every from-import has the keyword
            raise _Bail
        head = text[start + 4 : keyword.start()]
        stripped = head.lstrip(" \t\f\\\n")
        begin = start + 4 + len(head) - len(stripped)
        finish = start + 4 + len(head.rstrip(" \t\f\\\n"))
        if begin >= finish:  # pragma: no cover - a module or a dot is always there
            raise _Bail
        return begin, finish

    def _repointed(self, node, start, module, moves, relative, dropped) -> list[Edit]:
        begin, finish = self._module_span(node, start)
        edits = [Edit(begin, finish, module_spelling(self.context, module, relative))]
        if dropped:  # the names it keeps, renamed, commas as `with_aliases` leaves them
            return [*edits, self._names(node, [(move.alias, move.written) for move in moves])]
        for move in moves:
            first, last = self.text.span(move.alias)
            if self.file.text[first:last] != move.written:
                edits.append(Edit(first, last, move.written))
        return edits

    def _names(self, node: ast.ImportFrom, entries: list[tuple[ast.alias, str | None]]) -> Edit:
        """The names a one-line import keeps (each with its new text, None: as it is), commas
        as the rewrite leaves them."""
        spans = [self.text.span(alias) for alias in node.names]
        text = self.file.text
        gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        index = {id(alias): i for i, alias in enumerate(node.names)}
        pieces = []
        for position, (alias, new) in enumerate(entries):
            i = index[id(alias)]
            pieces.append(new if new is not None else text[spans[i][0] : spans[i][1]])
            if position < len(entries) - 1:
                pieces.append(gaps[i] if i < len(gaps) else gaps[0])
        return Edit(spans[0][0], spans[-1][1], "".join(pieces))

    def _groups(self, moves: list[_Move], relative: bool, layout: _Layout | None = None):
        """One from-import per module (in the order names come), as text: one line, or with
        a `layout` several names one a line, each with its comment; a one-line import carries
        the first comment of its names (with a layout)."""
        by_module: dict[str, list[_Move]] = {}
        for move in moves:
            by_module.setdefault(move.module, []).append(move)
        if layout is None:
            return [
                f"from {module_spelling(self.context, m, relative)} import "
                + ", ".join(move.written for move in items)
                for m, items in by_module.items()
            ]
        groups: list[tuple[str, str | None]] = []
        for module, items in by_module.items():
            head = f"from {module_spelling(self.context, module, relative)} import "
            notes = [layout.comment(move.alias) for move in items]
            if len(items) == 1:
                groups.append((head + items[0].written, next(filter(None, notes), None)))
                continue
            lines = [
                f"{layout.indent}{move.written}"
                f"{',' if index < len(items) - 1 or layout.trailing_comma else ''}"
                f"{f'  {note}' if note else ''}\n"
                for index, (move, note) in enumerate(zip(items, notes, strict=True))
            ]
            groups.append((head + "(\n" + "".join(lines) + ")", None))
        return groups

    # ---- the reads the plan renames ------------------------------------------------------
    def _renames(self, move: _Move) -> list[Edit]:
        """The plan's renames that come with this import: its converted `module.Name` reads, or
        the reads, string annotations and `__all__` entries of its group's name (written once,
        with the group's first import; each string counts as one more change)."""
        if move.uses is not None:
            return [Edit(*self.text.span(use), move.name) for use in move.uses]
        edits: list[Edit] = []
        for node in self.plan.reads.get(move.alias, []):
            if id(node) in self._written:
                continue
            self._written.add(id(node))
            if isinstance(node, ast.Constant):
                if node in self.plan.removed:
                    self._drop(node, self._site)  # the new name is listed already
                    continue
                edits += self._renamed_words(node, self.plan.words[node])
                self.changes[id(move.alias)] += 1
                continue
            if not isinstance(node, ast.Name) or self.file.in_fstring(node):
                raise _Bail
            start, end = self.text.span(node)
            if self.file.text[start:end] != node.id:  # pragma: no cover - a place to distrust
                raise _Bail
            edits.append(Edit(start, end, self.plan.renames[node]))
        return edits

    def _renamed_words(self, node: ast.Constant, pairs: list[tuple[str, str]]) -> list[Edit]:
        """A name renamed wherever it stands as a word in the string, as LibCST's writer does
        (on a plain literal: its text is its value)."""
        if len(pairs) != 1:
            raise _Bail
        (old, new), start = pairs[0], self._plain_start(node)
        return [
            Edit(start + found.start(), start + found.end(), new)
            for found in word(old).finditer(node.value)
        ]

    def _plain_start(self, node: ast.Constant) -> int:
        """Where the text of a plain one-token literal (`plain_literal`) starts; bail on any
        other."""
        start, end = self.text.span(node)
        if not plain_literal(self.file.text[start:end], node.value):
            raise _Bail  # a prefix, triple quotes, an escape or a concatenation
        return start + 1

    # ---- compatibility aliases -------------------------------------------------------------
    def _compat_edits(
        self, sites: Sequence[tuple[Finding, ast.AST | None]]
    ) -> dict[int, tuple[Edit, ...]]:
        """The edits of each compatibility alias finding (by id of its statement): the statement
        gone with its leading lines, and the `__all__` entries naming a removed alias dropped
        (with the first removed alias's edits), as `EditApplier` drops them; nothing (an empty
        insertion, counting no change) for an alias the rewrite keeps (the analysis reports it)
        or does not read as one. Every alias the rewrite reads must have its finding."""
        nodes = {
            id(node): node
            for finding, node in sites
            if finding.rule == "aliased-import" and isinstance(node, ast.Assign)
        }
        if any(key not in nodes for key in self.compat):
            raise _Bail  # an alias the analysis does not report (read through a re-export)
        reported = [node for finding, node in sites if finding.rule == "aliased-import"]
        if len(nodes) < sum(1 for node in reported if id(node) in nodes):
            raise _Bail  # one statement reported twice (two canonical paths): one change
        edits: dict[int, tuple[Edit, ...]] = {}
        removed: set[str] = set()
        for key, node in nodes.items():
            alias = self.compat.get(key)
            if alias is None or alias.why is not None:
                edits[key] = (Edit.insertion(0, ""),)
                continue
            block = self.file.tree.body
            edits[key] = (self._removal(node, block, self._own_lines(node)[3]),)
            removed.add(alias.alias)
            for entry in all_strings(self.file):
                if entry in self.plan.removed and entry.value in removed:
                    self._drop(entry, key)
        return edits

    def _drop(self, entry: ast.Constant, site: int) -> None:
        """The rewrite drops this `__all__` entry; `site`'s edits carry it if no other does."""
        self._dropped[id(entry)] = entry
        if self._dropper is None:
            self._dropper = site

    def _all_drops(self) -> list[Edit]:
        """The module-level `__all__` lists and tuples without their entries spelling one of
        `names` (`EditApplier._drop_elements`: the last entry kept takes the last one's comma).
        Only for one-line displays of single literals separated by commas and spaces."""
        by_display: dict[int, list[ast.Constant]] = {}
        for node in self._dropped.values():
            by_display.setdefault(id(self.file.parent(node)), []).append(node)
        edits = []
        for dropped in by_display.values():
            display = self.file.parent(dropped[0])
            assert isinstance(display, ast.List | ast.Tuple)
            edits.append(self._display_without(display, {id(node) for node in dropped}))
        return edits

    def _display_without(self, display: ast.List | ast.Tuple, dropped: set[int]) -> Edit:
        text = self.file.text
        start, end = self.text.span(display)
        elements = display.elts
        brackets = "[]" if isinstance(display, ast.List) else "()"
        if display.lineno != display.end_lineno or text[start] + text[end - 1] != brackets:
            raise _Bail  # several lines (comments, layout) or a tuple without parentheses
        if len(dropped) == len(elements):
            raise _Bail  # the display left empty
        spans = [self.text.span(element) for element in elements]
        for element, (first, last) in zip(elements, spans, strict=True):
            if id(element) in dropped and not self._one_literal(text[first:last]):
                raise _Bail  # not a lone literal (LibCST's `SimpleString`)
        pieces = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        tail = text[spans[-1][1] : end - 1]
        if any(not re.fullmatch(r"[ \t]*,[ \t]*", piece) for piece in pieces):
            raise _Bail  # parentheses around an element
        if not re.fullmatch(r"[ \t]*,?[ \t]*", tail) or text[start + 1 : spans[0][0]].strip():
            raise _Bail  # parentheses around the first element, or a comment
        kept = [i for i in range(len(elements)) if id(elements[i]) not in dropped]
        written = []
        for position, i in enumerate(kept):
            written.append(text[spans[i][0] : spans[i][1]])
            written.append(pieces[i] if position < len(kept) - 1 else tail)
        if isinstance(display, ast.Tuple) and len(kept) == 1 and "," not in tail:
            written[-1] = "," + tail  # LibCST writes a one-element tuple's comma
        return Edit(spans[0][0], end - 1, "".join(written))

    @staticmethod
    def _one_literal(segment: str) -> bool:
        return bool(re.fullmatch(r"[rRuU]?('[^'\\\n]*'|\"[^\"\\\n]*\")", segment))

    @staticmethod
    def _apart(removals: list[Edit], others: list[Edit]) -> None:
        """No other edit may fall inside what a removal replaces (the rewrite drops an alias's
        statement, or an `__all__` entry, whatever else it would change there)."""
        spans = [(e.start, e.end) for e in removals if e.end > e.start]
        for edit in others:
            for start, end in spans:
                if max(edit.start, start) < min(edit.end, end) or start < edit.start < end:
                    raise _Bail


_WHOLE_LINE = re.compile(r"[ \t\f]*(#[^\n]*)?\n")


@dataclass
class _Gap:
    """A comma and the whitespace after it up to the next name (or the closing parenthesis):
    LibCST's `Comma` with a `ParenthesizedWhitespace` after it, or with a `SimpleWhitespace`
    (`inline`: the next name, or the parenthesis, on the comma's line)."""

    before: str  # whitespace before the comma
    first: str  # the rest of the comma's line, its line break included (inline: the spaces)
    comment: str | None  # the comment on that line
    lines: list[str]  # whole blank or comment lines after it
    last: str  # the indentation of the next line
    inline: bool = False

    @classmethod
    def read(cls, text: str) -> _Gap:
        before, comma, rest = text.partition(",")
        if not comma or before.strip() or "\\" in rest:
            raise _Bail
        first_match = _WHOLE_LINE.match(rest)
        if first_match is None:
            if rest.strip(" \t\f"):  # pragma: no cover - whitespace between two tokens
                raise _Bail
            return cls(before, rest, None, [], "", inline=True)  # names sharing a line
        position, lines = first_match.end(), []
        while (line := _WHOLE_LINE.match(rest, position)) is not None:
            lines.append(line.group())
            position = line.end()
        last = rest[position:]
        if last.strip():
            raise _Bail
        return cls(before, first_match.group(), first_match.group(1), lines, last)

    def text(self) -> str:
        return f"{self.before},{self.first}{''.join(self.lines)}{self.last}"


@dataclass
class _Layout:
    """A parenthesised import, one name a line: the text between its parentheses in parts, and
    `with_aliases` (codemods.core.imports.edits) over them."""

    node: ast.ImportFrom
    start: int  # after `(`
    end: int  # at `)`
    opening: _Gap  # after `(`: its `before` is empty and it has no comma
    names: list[str]  # each entry's text
    gaps: list[_Gap | None]  # each entry's comma (None: the last one has none)
    closing: str  # after the last entry when it has no comma, up to `)`
    ids: dict[int, int]  # id(alias) -> index

    @classmethod
    def read(cls, node, text, start, end, spans, gaps, tail) -> _Layout:
        head = text[start : spans[0][0]]
        opening = _Gap.read("," + head)  # read like a comma's whitespace
        if opening.inline:
            raise _Bail  # the first name on the parenthesis' line: no layout to LibCST
        entries = [_Gap.read(gap) for gap in gaps]
        if tail.lstrip(" \t\f").startswith(","):
            entries.append(_Gap.read(tail))
            closing = ""
        else:  # no comma after the last name: what follows it belongs to `)`
            entries.append(None)
            closing = tail
        names = [text[a:b] for a, b in spans]
        ids = {id(alias): index for index, alias in enumerate(node.names)}
        return cls(node, start, end, opening, names, entries, closing, ids)

    @property
    def indent(self) -> str:
        return self.opening.last

    @property
    def trailing_comma(self) -> bool:
        return self.gaps[-1] is not None

    def comment(self, alias: ast.alias) -> str | None:
        gap = self.gaps[self.ids[id(alias)]]
        return gap.comment if gap is not None else None

    def rewrite(self, entries: list[tuple[ast.alias, str | None]]) -> Edit:
        """The parentheses' content importing exactly `entries` (original aliases, each with
        its new text or None to keep it), as `with_aliases` writes it."""
        opening = _Gap(**vars(self.opening))
        opening.lines = list(opening.lines)
        kept = [self.ids[id(alias)] for alias, _ in entries]
        gaps = {i: self._copy(self.gaps[i]) for i in kept}
        previous = None
        for index in range(len(self.names)):  # comment lines of dropped names stay
            if index in gaps:
                previous = index
                continue
            gap = self.gaps[index]
            if gap is None or not gap.lines:
                continue
            if previous is None:
                opening.lines.extend(gap.lines)
            elif gaps[previous] is not None and not gaps[previous].inline:  # type: ignore[union-attr]
                gaps[previous].lines.extend(gap.lines)  # type: ignore[union-attr]
        ending = self.gaps[-1]
        separator = self.gaps[0]
        pieces = [opening.text()[1:]]
        for position, (_alias, new) in enumerate(entries):
            index = kept[position]
            pieces.append(new if new is not None else self.names[index])
            gap = gaps[index]
            if position == len(entries) - 1:
                pieces.append(self._last(gap, ending))
            elif gap is None:
                assert separator is not None
                pieces.append(self._bare(separator))
            else:
                pieces.append(gap.text())
        if ending is None:
            pieces.append(self.closing)
        return Edit(self.start, self.end, "".join(pieces))

    @staticmethod
    def _copy(gap: _Gap | None) -> _Gap | None:
        return None if gap is None else replace(gap, lines=list(gap.lines))

    @staticmethod
    def _bare(separator: _Gap) -> str:
        """`_bare`: the separator without the comment of its line and the lines after it."""
        return separator.text() if separator.inline else f"{separator.before},\n{separator.last}"

    @staticmethod
    def _last(gap: _Gap | None, ending: _Gap | None) -> str:
        """`_last`: the last name's comma is the original ending, keeping the name's comment."""
        if ending is None:
            return ""
        if ending.inline:
            return ending.text()
        if gap is None or gap.comment is None:
            lines = [*(gap.lines if gap is not None else []), *ending.lines]
            return f"{ending.before},\n{''.join(lines)}{ending.last}"
        return f"{gap.before},{gap.first}{''.join(gap.lines)}{ending.last}"
