"""Find where a bypass flag is written at run time: those files are left for a human."""

from __future__ import annotations

import libcst as cst

from codemods.core.base import Finding, ParsedFile, dotted_name
from codemods.core.syntax import literal_value
from codemods.flags.expr import flag_names_in_string


class RuntimeWrites(cst.CSTVisitor):
    """Collects manual-review findings for run-time writes of the flags."""

    def __init__(self, parsed: ParsedFile, names: frozenset[str]) -> None:
        self.parsed = parsed
        self.names = names
        self.depth = 0
        self.findings: list[Finding] = []

    def _report(self, node: cst.CSTNode, flag: str, how: str) -> None:
        message = f"`{flag}` is {how}: the flag cannot be removed mechanically, review by hand"
        self.findings.append(
            self.parsed.finding("auth-bypass", node, message, fixable=False, manual_review=True)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def _target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value, None)
            return
        if isinstance(target, cst.Name) and target.value in self.names:
            flag, module_level = target.value, self.depth == 0
        elif isinstance(target, cst.Attribute) and target.attr.value in self.names:
            flag, module_level = target.attr.value, False
        else:
            return
        if not module_level:
            self._report(target, flag, "assigned at run time")
        elif value is None or not literal_value(value)[0]:
            self._report(target, flag, "computed at run time")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target, node.value if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target, None)

    def visit_Del(self, node: cst.Del) -> None:
        targets = node.target.elements if isinstance(node.target, cst.Tuple) else ()
        for target in [node.target, *(element.value for element in targets)]:
            flag = _flag_of(target, self.names)
            if flag:
                self._report(target, flag, "deleted at run time")

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name) and node.target.value in self.names:
            self._report(node.target, node.target.value, "assigned by `:=` at run time")

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            if item.name.value in self.names:
                self._report(item.name, item.name.value, "rebound through `global`")

    def visit_Call(self, node: cst.Call) -> None:
        func = dotted_name(node.func) or "a call"
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                text = value.evaluated_value
                if flag_names_in_string(text, self.names):
                    self._report(node, text.rpartition(".")[2], _dynamic_use(func))
                    return


def _dynamic_use(func: str) -> str:
    """How a call that names the flag in a string uses it."""
    short = func.rpartition(".")[2]
    if "setattr" in short:
        return f"set through `{func}`"
    if "environ" in func or short == "getenv":
        return f"read from the environment (`{func}`)"
    return f"named in a string passed to `{func}` (set or read at run time)"


def _flag_of(node: cst.BaseExpression, names: frozenset[str]) -> str | None:
    if isinstance(node, cst.Name) and node.value in names:
        return node.value
    if isinstance(node, cst.Attribute) and node.attr.value in names:
        return node.attr.value
    return None
