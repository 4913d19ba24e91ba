"""The one mechanical singleton shape: a module-level instance that a getter returns.

    _factory = ExecutionEngineFactory()          def get_factory():
                                          ->         return ExecutionEngineFactory()
    def get_factory():
        return _factory

The getter then builds a new instance per call, and the module global goes; a public global
stays (other modules may import it) and is reported for review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ScopeProvider

from codemods.core.base import ParsedFile
from codemods.core.syntax import is_docstring, is_pure
from codemods.singletons import messages as say


@dataclass(frozen=True)
class InstanceGetter:
    """A module global holding an instance, and the getter that returns it."""

    name: str
    statement: cst.SimpleStatementLine
    call: cst.Call
    getter: cst.FunctionDef | None
    problem: str | None  # why it cannot be fixed mechanically; None when it can

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")


def module_instances(
    parsed: ParsedFile, candidate: Callable[[cst.BaseExpression], str | None]
) -> dict[str, InstanceGetter]:
    """Top-level `NAME = Class(...)` of candidate classes, with whether the fix applies."""
    found: dict[str, InstanceGetter] = {}
    for statement in parsed.module.body:
        assigned = _instance_assignment(statement)
        if assigned is None:
            continue
        name, call = assigned
        if candidate(call) is None:
            continue
        getter, problem = _getter_for(parsed, name, call)
        found[name] = InstanceGetter(name, statement, call, getter, problem)
    return found


def _instance_assignment(statement: cst.CSTNode) -> tuple[str, cst.Call] | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if isinstance(target, cst.Name) and isinstance(value, cst.Call):
        return target.value, value
    return None


def _getter_for(
    parsed: ParsedFile, name: str, call: cst.Call
) -> tuple[cst.FunctionDef | None, str | None]:
    """The function that only returns `name`, or why the shape is not the mechanical one."""
    scope = parsed.get(ScopeProvider, parsed.module)
    assignments = [a for a in scope.assignments[name]]
    if len(assignments) != 1:
        return None, say.assigned_twice(name)
    references = list(assignments[0].references)
    getters = [_returning_function(parsed, ref.node) for ref in references]
    if not references:
        if not name.startswith("_"):
            return None, say.PUBLIC_UNUSED
        return None, say.unused(name)
    if len(references) != 1 or getters[0] is None:
        return None, say.used_outside_getter(name)
    if not all(is_pure(arg.value) for arg in call.args):
        return None, say.IMPURE_ARGUMENTS
    return getters[0], None


def _returning_function(parsed: ParsedFile, node: cst.CSTNode) -> cst.FunctionDef | None:
    """The top-level, undecorated, zero-argument function whose whole body is `return name`."""
    ret = parsed.parent(node)
    line = parsed.parent(ret) if isinstance(ret, cst.Return) else None
    block = parsed.parent(line) if isinstance(line, cst.SimpleStatementLine) else None
    function = parsed.parent(block) if isinstance(block, cst.IndentedBlock) else None
    if not isinstance(function, cst.FunctionDef) or parsed.parent(function) is not parsed.module:
        return None
    params = function.params
    if function.decorators or params.params or params.posonly_params or params.kwonly_params:
        return None
    if not isinstance(params.star_arg, cst.MaybeSentinel) or params.star_kwarg:
        return None
    statements = [s for s in block.body if not is_docstring(s)]
    if statements != [line] or len(line.body) != 1:
        return None
    return function


class InstanceGetterFix(cst.CSTTransformer):
    """Moves each fixable instance's construction into its getter; drops the global."""

    def __init__(self, fixes: list[InstanceGetter]) -> None:
        super().__init__()
        self.statements = {id(f.statement) for f in fixes if not f.public}
        self.getters = {id(f.getter): f for f in fixes}
        self.current: InstanceGetter | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if id(node) in self.getters:
            self.current = self.getters[id(node)]

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if id(original_node) in self.getters:
            self.current = None
        return updated_node

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        if self.current is None:
            return updated_node
        return updated_node.with_changes(value=self.current.call.with_changes(lpar=[], rpar=[]))

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if id(original_node) in self.statements:
            return cst.RemovalSentinel.REMOVE
        return updated_node
