"""What the import rewrite works on: a file's import statements and the strings that matter."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import BaseAssignment, Scope, ScopeProvider

from codemods.core.base import ParsedFile, dotted_name
from codemods.core.imports.edits import NewImport
from codemods.core.paths import PathMap, old_names
from codemods.core.references import is_path_argument, references_old_path, takes_path


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
    """Every decision of the rewrite, keyed by the original nodes."""

    outcomes: dict[cst.ImportAlias, list[NewImport]] = field(default_factory=dict)
    extras: dict[Site, list[NewImport]] = field(default_factory=dict)
    expressions: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    strings: dict[cst.SimpleString, list[tuple[str, str]]] = field(default_factory=dict)
    removed: set[cst.CSTNode] = field(default_factory=set)


@dataclass
class FileFacts:
    """What one walk over the file found."""

    sites: list[Site] = field(default_factory=list)
    all_strings: list[cst.SimpleString] = field(default_factory=list)
    path_strings: list[cst.SimpleString] = field(default_factory=list)
    compat: list[tuple[cst.SimpleStatementLine, cst.Assign, str]] = field(default_factory=list)
    attribute_names: set[str] = field(default_factory=set)


def collect(parsed: ParsedFile, paths: PathMap) -> FileFacts:
    """Import statements, `__all__` strings, path strings and compatibility aliases."""
    collector = _Collector(parsed, paths)
    parsed.module.visit(collector)
    return collector.facts


def path_strings(node: cst.Call | cst.Subscript) -> list[cst.SimpleString]:
    """The string literals where this call or `sys.modules[...]` takes a dotted path."""
    if isinstance(node, cst.Subscript):
        if dotted_name(node.value) != "sys.modules" or len(node.slice) != 1:
            return []
        element = node.slice[0].slice
        values = [element.value] if isinstance(element, cst.Index) else []
    elif not takes_path(dotted_name(node.func) or ""):
        return []
    else:
        values = [
            arg.value
            for index, arg in enumerate(node.args)
            if is_path_argument(index, arg.keyword.value if arg.keyword else None)
        ]
    return [value for value in values if isinstance(value, cst.SimpleString)]


def index_of(block: cst.CSTNode, statement: cst.CSTNode) -> int:
    body = getattr(block, "body", ())
    for index, child in enumerate(body):
        if child is statement:
            return index
    return -1


class _Collector(cst.CSTVisitor):
    """Finds import statements, `__all__` strings, path strings and compatibility aliases."""

    def __init__(self, parsed: ParsedFile, paths: PathMap) -> None:
        self.parsed = parsed
        self.paths = paths
        self.facts = FileFacts()

    def _site(self, node: cst.Import | cst.ImportFrom) -> None:
        line = self.parsed.parent(node)
        block = self.parsed.parent(line) if isinstance(line, cst.SimpleStatementLine) else line
        index = index_of(block, line) if isinstance(line, cst.SimpleStatementLine) else 0
        scope = self.parsed.get(ScopeProvider, node)
        self.facts.sites.append(Site(node, block, index, scope))

    def visit_Import(self, node: cst.Import) -> None:
        self._site(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._site(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.facts.attribute_names.add(node.attr.value)

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
                    self.facts.all_strings.append(element.value)
        if (
            isinstance(node, cst.Assign)
            and len(targets) == 1
            and names
            and names[0] in old_names(self.paths)
            and isinstance(node.value, cst.Name | cst.Attribute)
        ):  # a compatibility alias if the analysis reads it as one (`compat.decide`)
            self.facts.compat.append((line, node, names[0]))

    def visit_Call(self, node: cst.Call) -> None:
        self._path_strings(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._path_strings(node)

    def _path_strings(self, node: cst.Call | cst.Subscript) -> None:
        for string in path_strings(node):
            if references_old_path(self.paths, string.evaluated_value):
                self.facts.path_strings.append(string)
