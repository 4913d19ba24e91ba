"""The LibCST side of the import rewrite: its import statements, and the plan keyed by its nodes."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.core.base import ParsedFile


@dataclass(eq=False)
class Site:
    """One import statement and where it stands."""

    node: cst.Import | cst.ImportFrom
    block: cst.CSTNode
    index: int

    @property
    def relative(self) -> bool:
        return isinstance(self.node, cst.ImportFrom) and bool(self.node.relative)


@dataclass
class Plan:
    """The analysis' decisions (`decide.ImportPlan`) found in the LibCST tree."""

    expressions: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    strings: dict[cst.SimpleString, list[tuple[str, str]]] = field(default_factory=dict)
    removed: set[cst.CSTNode] = field(default_factory=set)


def index_of(block: cst.CSTNode, statement: cst.CSTNode) -> int:
    body = getattr(block, "body", ())
    for index, child in enumerate(body):
        if child is statement:
            return index
    return -1


def import_sites(parsed: ParsedFile) -> list[Site]:
    """The file's import statements, in source order."""
    collector = _Collector(parsed)
    parsed.module.visit(collector)
    return collector.sites


class _Collector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.sites: list[Site] = []

    def _site(self, node: cst.Import | cst.ImportFrom) -> None:
        line = self.parsed.parent(node)
        block = self.parsed.parent(line) if isinstance(line, cst.SimpleStatementLine) else line
        index = index_of(block, line) if isinstance(line, cst.SimpleStatementLine) else 0
        self.sites.append(Site(node, block, index))  # type: ignore[arg-type]

    def visit_Import(self, node: cst.Import) -> None:
        self._site(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._site(node)
