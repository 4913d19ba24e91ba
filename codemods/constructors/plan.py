"""Plan the rewrite of the calls the analysis (`codemods.constructors.fast`) decided.

For each converted call: its arguments, the name the new class goes by here, the imports to add
(and where) and the old imports left unused; a refused call is kept with the analysis's reason.
Nothing here decides whether a call is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.metadata import (
    Access,
    BuiltinScope,
    ImportAssignment,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from codemods.constructors.binding import Binding, bind
from codemods.constructors.fast import Decision, Key, decisions
from codemods.constructors.templates import template_names
from codemods.core.base import ParsedFile
from codemods.core.paths import PathMap
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.tree import AstFile

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks LibCST counts lines by
# Where new imports go: after an existing import statement, or (None) at the top of the module.
Anchor = cst.SimpleStatementLine | None


@dataclass(frozen=True)
class Layout:
    """Where the call sits on its lines, for choosing a one-line or a multi-line new call."""

    prefix_width: int  # characters before the call on its first line
    suffix_width: int  # characters after the call on its last line
    line_indent: str  # leading whitespace of the call's first line
    in_fstring: bool  # newlines are not safe inside an f-string replacement field


@dataclass(frozen=True)
class Conversion:
    """A call to rewrite: its bound arguments and the name the new class goes by here."""

    call: cst.Call
    rule: ConstructorRule
    binding: Binding
    class_name: str
    layout: Layout


@dataclass(frozen=True)
class Refusal:
    """A call left as it is, and why."""

    call: cst.Call
    rule: ConstructorRule
    reason: str


@dataclass
class FilePlan:
    """Everything the transform does to one file, decided on the unchanged tree."""

    conversions: dict[cst.Call, Conversion] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    # anchor -> module -> names to import there
    additions: dict[Anchor, dict[str, set[str]]] = field(default_factory=dict)
    anchor_indent: dict[Anchor, int] = field(default_factory=dict)
    # import statement (Import / ImportFrom) -> aliases that became unused
    removals: dict[cst.CSTNode, set[cst.ImportAlias]] = field(default_factory=dict)


class _Planner(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet, decided: dict[Key, Decision]) -> None:
        self.parsed = parsed
        self.rules = rules
        self.decided = decided
        self.string: tuple[cst.CSTNode, int, int] | None = None  # the outermost string
        self.rank = 0  # calls seen so far inside it
        self.paths = PathMap(rules)
        self.old_classes = {rule.old for rule in rules.constructors}
        self.plan = FilePlan()
        self.lines = LINE_BREAK.split(parsed.code)
        self.exported: set[str] = set()
        self._access_index: dict[Scope, dict[cst.CSTNode, list[Access]]] = {}
        self._converted_accesses: list[Access] = []
        self._converted_nodes: set[cst.CSTNode] = set()
        self._wanted: list[tuple[Anchor, str, str]] = []

    # ---- collecting ------------------------------------------------------------------------

    def _string_start(self, node: cst.BaseExpression) -> None:
        if self.string is None:
            line, column = self.parsed.position(node)
            self.string, self.rank = (node, line, column), 0

    def _string_end(self, node: cst.BaseExpression) -> None:
        if self.string is not None and self.string[0] is node:
            self.string = None

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._string_start(node)

    def leave_FormattedString(self, original_node: cst.FormattedString) -> None:
        self._string_end(original_node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string_start(node)

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString) -> None:
        self._string_end(original_node)

    def _key(self, call: cst.Call) -> Key:
        """Where the analysis put this call (`codemods.constructors.fast.Key`)."""
        if self.string is None:
            span = self.parsed.get(PositionProvider, call)
            return span.start.line, span.start.column, span.end.line, span.end.column
        self.rank += 1
        _, line, column = self.string
        return line, column, self.rank - 1

    def visit_Call(self, node: cst.Call) -> None:
        decision = self.decided.get(self._key(node))
        if decision is None:
            return  # the analysis found no call of an old class here
        rule = decision.rule
        if decision.reason is not None:
            self.plan.refusals.append(Refusal(node, rule, decision.reason))
            return
        binding = bind(node, rule)
        scope = self.parsed.get(ScopeProvider, node.func)
        class_name, needed = self._names(scope, rule)
        accesses = self._func_accesses(scope, node.func)
        self._converted_accesses.extend(accesses)
        self._converted_nodes.update(access.node for access in accesses)
        if needed:
            for anchor in self._anchors(accesses):
                self._wanted.extend((anchor, module, name) for module, name in needed)
        self.plan.conversions[node] = Conversion(
            node, rule, binding, class_name, self._layout(node)
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(m.matches(t.target, m.Name("__all__")) for t in node.targets):
            self._export(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if m.matches(node.target, m.Name("__all__")):
            self._export(node.value)

    def _export(self, value: cst.BaseExpression) -> None:
        for string in m.findall(value, m.SimpleString()):
            text = string.evaluated_value  # type: ignore[attr-defined]
            if isinstance(text, str):
                self.exported.add(text)

    # ---- deciding --------------------------------------------------------------------------

    def _visible(self, scope: Scope, name: str) -> set[str] | None:
        """Where `name` may come from in `scope` (old paths also as their canonical path)."""
        if name not in scope:
            return None
        found = self.parsed.absolute_names(scope.get_qualified_names_for(name))
        # A moved name is the same object at its new path; an old constructor class is not.
        moved = (self.paths.rename(path) for path in found - self.old_classes)
        return found | {renamed[1] for renamed in moved if renamed is not None}

    def _names(self, scope: Scope, rule: ConstructorRule) -> tuple[str, list[tuple[str, str]]]:
        """The new class's name here and the imports to add (the analysis made sure no name
        the new call spells means something else here)."""
        needed: list[tuple[str, str]] = []
        module, _, short = rule.new.rpartition(".")
        class_name = short
        if self._visible(scope, short) is None:
            alias = self._alias(scope, rule.new)
            if alias is None:
                needed.append((module, short))
            else:
                class_name = alias
        for name, source in template_names(rule):
            if self._visible(scope, name) is None:
                needed.append((source, name))
        return class_name, needed

    def _alias(self, scope: Scope, path: str) -> str | None:
        """A name under which `path` is already imported and visible in `scope`."""
        candidates = set()
        current: Scope | None = scope
        while current is not None and not isinstance(current, BuiltinScope):
            for assignment in current.assignments:
                if isinstance(assignment, ImportAssignment) and "." not in assignment.name:
                    candidates.add(assignment.name)
            current = current.parent if current.parent is not current else None
        for name in sorted(candidates):
            if path in (self._visible(scope, name) or set()):
                return name
        return None

    def _func_accesses(self, scope: Scope, func: cst.BaseExpression) -> list[Access]:
        """The name accesses that spell the callee (`Name`, `module.Name`, `Name.method`)."""
        index = self._access_index.get(scope)
        if index is None:
            index = {}
            for access in scope.accesses:
                index.setdefault(access.node, []).append(access)
            self._access_index[scope] = index
        found: list[Access] = []
        node: cst.BaseExpression | None = func
        while node is not None:
            found.extend(index.get(node, ()))
            node = node.value if isinstance(node, cst.Attribute) else None
        return found

    def _anchors(self, accesses: list[Access]) -> list[Anchor]:
        """The import statements the callee's name comes from (new imports go after them)."""
        anchors: list[Anchor] = []
        for access in accesses:
            for referent in sorted(access.referents, key=_order):
                if not isinstance(referent, ImportAssignment):
                    continue
                statement = self.parsed.parent(referent.node)
                if isinstance(statement, cst.SimpleStatementLine) and statement not in anchors:
                    anchors.append(statement)
        return anchors or [None]

    def _layout(self, call: cst.Call) -> Layout:
        span = self.parsed.get(PositionProvider, call)
        first = self.lines[span.start.line - 1]
        last = self.lines[span.end.line - 1]
        indent = first[: len(first) - len(first.lstrip())]
        in_fstring = False
        node = self.parsed.parent(call)
        while node is not None and not in_fstring:
            in_fstring = isinstance(node, cst.FormattedString)
            node = self.parsed.parent(node)
        return Layout(span.start.column, len(last) - span.end.column, indent, in_fstring)

    # ---- finishing -------------------------------------------------------------------------

    def additions(self) -> None:
        """Wanted imports, once a block: after the block's first anchor (module top: None)."""
        first: dict[cst.CSTNode | None, Anchor] = {}
        for anchor in sorted({a for a, _, _ in self._wanted}, key=self._anchor_order):
            first.setdefault(self._block(anchor), anchor)
        if None in first and self.parsed.module in first:
            del first[None]  # an import of the module body is a better place than the top
        for anchor, module, name in self._wanted:
            chosen = first.get(self._block(anchor), anchor)
            if chosen is None and self.parsed.module in first:
                chosen = first[self.parsed.module]
            modules = self.plan.additions.setdefault(chosen, {})
            modules.setdefault(module, set()).add(name)
            self.plan.anchor_indent[chosen] = self.parsed.position(chosen)[1] if chosen else 0

    def _block(self, anchor: Anchor) -> cst.CSTNode | None:
        return None if anchor is None else self.parsed.parent(anchor)

    def _anchor_order(self, anchor: Anchor) -> tuple[int, int]:
        return (0, 0) if anchor is None else self.parsed.position(anchor)

    def removals(self) -> None:
        """Old imports whose every use was a converted call (and that `__all__` does not list)."""
        seen: set[ImportAssignment] = set()
        for access in self._converted_accesses:
            for referent in access.referents:
                if isinstance(referent, ImportAssignment) and referent not in seen:
                    seen.add(referent)
                    self._maybe_remove(referent)

    def _maybe_remove(self, assignment: ImportAssignment) -> None:
        alias = self._alias_node(assignment)
        if alias is None or assignment.name.split(".")[0] in self.exported:
            return
        siblings = [
            other
            for other in assignment.scope.assignments
            if isinstance(other, ImportAssignment)
            and other.node is assignment.node
            and self._alias_node(other) is alias
        ]
        for sibling in siblings:
            if any(ref.node not in self._converted_nodes for ref in sibling.references):
                return
        self.plan.removals.setdefault(assignment.node, set()).add(alias)

    def _alias_node(self, assignment: ImportAssignment) -> cst.ImportAlias | None:
        node: cst.CSTNode | None = assignment.as_name
        while node is not None and not isinstance(node, cst.ImportAlias):
            node = self.parsed.parent(node)
        return node


def _order(assignment: object) -> int:
    return getattr(assignment, "_index", 0)


def plan_file(
    parsed: ParsedFile, rules: RuleSet, decided: dict[Key, Decision] | None = None
) -> FilePlan:
    """Plan every conversion and refusal the analysis decided (`decided`, else the analysis
    of `parsed`'s code), with the imports to add and to remove."""
    if decided is None:
        decided = decisions(AstFile(parsed.code, parsed.context), rules)
    planner = _Planner(parsed, rules, decided)
    if decided:
        parsed.module.visit(planner)
        planner.additions()
        planner.removals()
    return planner.plan
