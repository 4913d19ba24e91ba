"""One shared walk gives each visitor exactly the calls it gets walking alone."""

from __future__ import annotations

import libcst as cst

from codemods.core.base import FileContext, ParsedFile, walk

SOURCE = """\
import os

def f(a):
    return g(a, os.sep)

class C:
    def m(self):
        return [x for x in range(3)]
"""


class Recorder(cst.CSTVisitor):
    """Records visits and leaves; optionally skips the children of one node type."""

    def __init__(self, prune: type | None = None) -> None:
        self.events: list[tuple[str, str]] = []
        self.prune = prune

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.events.append(("visit", node.name.value))
        return self.prune is not cst.FunctionDef

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.events.append(("leave", original_node.name.value))

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", node.value))

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.events.append(("class", node.name.value))
        return self.prune is not cst.ClassDef


def test_shared_walk_equals_separate_walks() -> None:
    parsed = ParsedFile(SOURCE, FileContext.from_path("pkg/mod.py"))
    alone = [Recorder(), Recorder(cst.FunctionDef), Recorder(cst.ClassDef)]
    for visitor in alone:
        parsed.module.visit(visitor)
    shared = [Recorder(), Recorder(cst.FunctionDef), Recorder(cst.ClassDef)]
    walk(parsed, shared)
    assert [v.events for v in shared] == [v.events for v in alone]
    assert ("name", "g") in alone[0].events
    assert ("name", "g") not in alone[1].events  # pruned inside f
    assert ("leave", "m") not in alone[2].events  # pruned inside C
    assert ("leave", "f") in alone[1].events  # the pruned node itself is still left
