"""The codemod protocol and the values every codemod shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Protocol

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
    QualifiedName,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)
from libcst.metadata.base_provider import LazyValue

from codemods.core.rules import RuleSet
from codemods.core.values import (
    Analysis,
    FileContext,
    Finding,
    Located,
    TransformResult,
    last_components,
)

__all__ = ["Analysis", "FileContext", "Finding", "TransformResult", "last_components"]


@dataclass
class Analyzer:
    """A codemod's analysis split in two: visitors for a shared walk, then the result."""

    visitors: list[cst.CSTVisitor]
    finish: Callable[[], Analysis]

    def run(self, parsed: ParsedFile) -> Analysis:
        """Walk the file with these visitors alone and return the analysis."""
        walk(parsed, self.visitors)
        return self.finish()


class ParsedFile(Located):
    """One parse of a file, with LibCST metadata computed on demand and shared by codemods."""

    def __init__(self, source: str | bytes, context: FileContext) -> None:
        self.context = context
        self.module = cst.parse_module(source)
        self.code = self.module.code

    @cached_property
    def wrapper(self) -> MetadataWrapper:
        return MetadataWrapper(self.module, unsafe_skip_copy=True)

    def get(self, provider: type, node: cst.CSTNode, default: object = None) -> Any:
        """One node's metadata, with lazily computed values resolved.

        Each provider is resolved for the whole module the first time it is asked for (the
        wrapper keeps it), so a file pays only for the metadata its codemods actually read.
        """
        if provider is QualifiedNameProvider:
            return self._qualified(node, default)
        value = self.wrapper.resolve(provider).get(node, default)
        return value() if isinstance(value, LazyValue) else value

    def _qualified(self, node: cst.CSTNode, default: object) -> Any:
        """What `QualifiedNameProvider` gives the node, computed from its scope on demand.

        The provider walks the whole tree to store, for every node, the same lazy
        `scope.get_qualified_names_for(node)`; asking the scope directly skips that walk.
        """
        scopes = self.wrapper.resolve(ScopeProvider)
        if node not in scopes:
            return default
        scope = scopes[node]
        return scope.get_qualified_names_for(node) if scope else set()

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get(PositionProvider, node).start
        return start.line, start.column

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """What `ParentNodeProvider` gives, from one plain walk (it rebuilds every node's
        `children`, which costs about three walks)."""
        return self._parents.get(node)

    @cached_property
    def _parents(self) -> dict[cst.CSTNode, cst.CSTNode]:
        recorder = _ParentRecorder()
        self.module.visit(recorder)
        return {child: parent for child, (_, parent) in recorder.parents.items()}

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Absolute dotted names the node may refer to (imports, and this module's own names)."""
        return self.absolute_names(self.get(QualifiedNameProvider, node, set()))

    def absolute_names(self, qualified_names: Iterable[QualifiedName]) -> set[str]:
        """LibCST qualified names as absolute dotted paths (relative imports resolved)."""
        resolved: set[str] = set()
        for qualified in qualified_names:
            if qualified.source in (QualifiedNameSource.IMPORT, QualifiedNameSource.LOCAL):
                imported = qualified.source is QualifiedNameSource.IMPORT
                absolute = self.context.absolute(qualified.name, imported)
                if absolute is not None:
                    resolved.add(absolute)
        return resolved


def walk(parsed: ParsedFile, visitors: Sequence[cst.CSTVisitor]) -> None:
    """Run independent visitors over the module in one walk instead of one walk each.

    Each visitor sees exactly the calls it would see alone (a `visit_X` returning False
    skips that node's children for that visitor only); metadata dependencies are resolved
    as `MetadataWrapper.visit` would.
    """
    for visitor in visitors:
        if visitor.get_inherited_dependencies():
            visitor.metadata = parsed.wrapper.resolve_many(visitor.get_inherited_dependencies())
    if len(visitors) == 1:
        parsed.module.visit(visitors[0])
    elif visitors:
        parsed.module.visit(_Multiplexer(visitors))


class _Multiplexer(cst.CSTVisitor):
    """Dispatches each node to several visitors' `visit_X`/`leave_X` methods."""

    def __init__(self, visitors: Sequence[cst.CSTVisitor]) -> None:
        self.visitors = list(visitors)
        self.pruned: list[cst.CSTNode | None] = [None] * len(self.visitors)
        self.visits: dict[type, list[tuple[int, Callable]]] = {}
        self.leaves: dict[type, list[tuple[int, Callable]]] = {}

    def _methods(self, kind: str, table: dict, node_type: type) -> list[tuple[int, Callable]]:
        methods = table.get(node_type)
        if methods is None:
            name = f"{kind}_{node_type.__name__}"
            methods = [
                (index, method)
                for index, visitor in enumerate(self.visitors)
                if (method := getattr(visitor, name, None)) is not None
            ]
            table[node_type] = methods
        return methods

    def on_visit(self, node: cst.CSTNode) -> bool:
        pruned = self.pruned
        for index, method in self._methods("visit", self.visits, type(node)):
            if pruned[index] is None and method(node) is False:
                pruned[index] = node
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pruned = self.pruned
        for index, method in self._methods("leave", self.leaves, type(original_node)):
            if pruned[index] is None:
                method(original_node)
            elif pruned[index] is original_node:
                pruned[index] = None
                method(original_node)
        for index, node in enumerate(pruned):
            if node is original_node:
                pruned[index] = None


class _ParentRecorder(cst.CSTVisitor):
    """Each node's parent, kept from a stack during one walk.

    Like `ParentNodeProvider`, a node object that occurs more than once keeps the parent
    visited last in pre-order (the provider records children when it visits the parent).
    """

    def __init__(self) -> None:
        self.stack: list[tuple[int, cst.CSTNode]] = []
        self.parents: dict[cst.CSTNode, tuple[int, cst.CSTNode]] = {}
        self.visited = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            parent = self.stack[-1]
            known = self.parents.get(node)
            if known is None or known[0] < parent[0]:
                self.parents[node] = parent
        self.stack.append((self.visited, node))
        self.visited += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


class Codemod(Protocol):
    """A pure transform: source in, new source and findings out."""

    name: ClassVar[str]

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        """Byte strings without which the codemod has nothing to do in a file."""

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        """Measure the file; never changes it. A codemod may also offer
        `analyzer(parsed, rules) -> Analyzer`, so the scan walks the tree once for all."""

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        """Rewrite the file; returns the input unchanged when there is nothing to do."""


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
