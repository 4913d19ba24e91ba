"""The LibCST side of the import rewrite: its import statements, and the plan keyed by its nodes."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.core.base import ParsedFile


@dataclass(eq=False)
class Site:
    """One import statement."""

    node: cst.Import | cst.ImportFrom

    @property
    def relative(self) -> bool:
        return isinstance(self.node, cst.ImportFrom) and bool(self.node.relative)


@dataclass
class Plan:
    """The analysis' decisions (`decide.ImportPlan`) found in the LibCST tree."""

    expressions: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    strings: dict[cst.SimpleString, list[tuple[str, str]]] = field(default_factory=dict)
    removed: set[cst.CSTNode] = field(default_factory=set)


def import_sites(parsed: ParsedFile) -> list[Site]:
    """The file's import statements, in source order."""
    collector = _Collector()
    parsed.module.visit(collector)
    return collector.sites


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.sites: list[Site] = []

    def visit_Import(self, node: cst.Import) -> None:
        self.sites.append(Site(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.sites.append(Site(node))
