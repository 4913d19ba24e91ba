"""The LibCST pieces of the text edits (`codemods.constructors.edits`): a converted call's own
text, or one import statement's, parsed alone and rebuilt by the rewrite's code. Never the
whole file, never metadata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst

from codemods.constructors.binding import bind
from codemods.constructors.plan import Conversion, FilePlan, Layout
from codemods.constructors.rewrite import ConstructorRewriter, _without_aliases
from codemods.core.tree import AstFile


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def rebuild(
    snippet: str,
    calls: Sequence[Any],
    layouts: dict[Any, tuple[int, int, str]],
    default_indent: str,
    file: AstFile,
) -> str:
    """The call `snippet` with its converted calls rewritten. `calls` are the analysis' calls
    under it in LibCST's visit order (None: not converted), each with a `node`, `rule` and
    `class_name`; `layouts` their (prefix width, suffix width, line indent) in the file."""
    expression = cst.parse_expression(snippet)
    visitor = _Calls()
    expression.visit(visitor)
    if len(visitor.found) != len(calls):
        raise ValueError("the snippet's calls are not the analysis' calls")
    empty = cst.Module([])
    plan = FilePlan()
    for node, call in zip(visitor.found, calls, strict=True):
        if call is None:
            continue
        if empty.code_for_node(node.func) != file.segment(call.node.func):
            raise ValueError("a converted call's callee is not where the analysis put it")
        prefix, suffix, indent = layouts[call.node]
        layout = Layout(prefix, suffix, indent, in_fstring=False)
        binding = bind(node, call.parameters)
        plan.conversions[node] = Conversion(node, call.rule, binding, call.class_name, layout)
    rewritten = expression.visit(ConstructorRewriter(plan, default_indent))
    return empty.code_for_node(rewritten)


def without(statement: str, kept: Sequence[int]) -> str:
    """The import statement `statement` (its line, from its first character through its line
    break) keeping only the names at the indexes `kept`."""
    module = cst.parse_module(statement)
    (line,) = module.body
    assert isinstance(line, cst.SimpleStatementLine)
    (small,) = line.body
    assert isinstance(small, cst.Import | cst.ImportFrom)
    names = small.names
    assert not isinstance(names, cst.ImportStar)
    drop = {alias for index, alias in enumerate(names) if index not in kept}
    new = _without_aliases(line, line, {small: drop})
    assert new is not None
    return module.with_changes(body=[new]).code
