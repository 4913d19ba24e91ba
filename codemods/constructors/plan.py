"""Decide, for every direct construction in a file, how it is converted or why it is not.

The scanner's findings and the transform both come from one `FilePlan`, so the
`direct_instantiations` metric counts exactly what the transform converts or flags.
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
    QualifiedNameProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from codemods.constructors import messages as say
from codemods.constructors.binding import (
    Binding,
    bind,
    matching_rule,
)
from codemods.constructors.templates import template_names
from codemods.core.base import ParsedFile, dotted_name
from codemods.core.paths import PathMap
from codemods.core.rules import ConstructorRule, RuleSet

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
    def __init__(
        self, parsed: ParsedFile, rules: RuleSet, calls: frozenset[tuple[int, int]] | None = None
    ) -> None:
        self.parsed = parsed
        self.rules = rules
        self.calls = calls
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

    def visit_Call(self, node: cst.Call) -> None:
        if self.calls is not None and self.parsed.position(node) not in self.calls:
            return  # the analysis found no call of an old class here
        rule = matching_rule(self.parsed, node, self.rules)
        if rule is None:
            return
        binding = bind(node, rule)
        reason = self._ambiguity(node, rule) or binding.problem
        if reason is not None:
            self.plan.refusals.append(Refusal(node, rule, reason))
            return
        scope = self.parsed.get(ScopeProvider, node.func)
        class_name, needed, reason = self._names(scope, rule)
        if reason is not None:
            self.plan.refusals.append(Refusal(node, rule, reason))
            return
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

    def _ambiguity(self, call: cst.Call, rule: ConstructorRule) -> str | None:
        """A name that may also be another imported class (a try/except import fallback)."""
        others = set()
        for qualified in self.parsed.get(QualifiedNameProvider, call.func, set()):
            if qualified.source is QualifiedNameSource.IMPORT:
                name = self.parsed.context.resolve(qualified.name)
                if name not in rule.accepted_names:
                    others.add(name)
        if not others:
            return None
        spelled = dotted_name(call.func) or "the callee"
        return say.ambiguous(spelled, min(others))

    def _visible(self, scope: Scope, name: str) -> set[str] | None:
        """Where `name` may come from in `scope` (old paths also as their canonical path)."""
        if name not in scope:
            return None
        found = self.parsed.absolute_names(scope.get_qualified_names_for(name))
        # A moved name is the same object at its new path; an old constructor class is not.
        moved = (self.paths.rename(path) for path in found - self.old_classes)
        return found | {renamed[1] for renamed in moved if renamed is not None}

    def _names(
        self, scope: Scope, rule: ConstructorRule
    ) -> tuple[str, list[tuple[str, str]], str | None]:
        """The new class's name here, the imports to add, or why the names cannot be used."""
        needed: list[tuple[str, str]] = []
        module, _, short = rule.new.rpartition(".")
        visible = self._visible(scope, short)
        if visible is None:
            class_name = self._alias(scope, rule.new)
            if class_name is None:
                class_name = short
                needed.append((module, short))
        elif rule.new in visible:
            class_name = short
        else:
            return short, [], say.taken(short)
        for name, source in template_names(rule):
            visible = self._visible(scope, name)
            if visible is None:
                needed.append((source, name))
            elif f"{source}.{name}" not in visible:
                return short, [], say.taken(name)
        return class_name, needed, None

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
    parsed: ParsedFile, rules: RuleSet, calls: frozenset[tuple[int, int]] | None = None
) -> FilePlan:
    """Decide every conversion, refusal, import to add and import to remove in one file.

    `calls`: the (line, column) of every call of an old class, when an analysis found them;
    only those are resolved (resolving every call's qualified names is most of the cost).
    """
    planner = _Planner(parsed, rules, calls)
    parsed.module.visit(planner)
    return finish_plan(planner)


def start_plan(parsed: ParsedFile, rules: RuleSet) -> cst.CSTVisitor:
    """The visitor that collects a plan, for a walk shared with other visitors."""
    return _Planner(parsed, rules)


def finish_plan(planner: cst.CSTVisitor) -> FilePlan:
    """The plan, once `planner` (from `start_plan`) has walked the whole module."""
    assert isinstance(planner, _Planner)
    planner.additions()
    planner.removals()
    return planner.plan
