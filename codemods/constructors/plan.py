"""The LibCST side of the rewrite: the analysis' plan found in the file's LibCST tree.

The analysis (`codemods.constructors.fast`) decided which calls are converted and which are
refused (and why), and its plan (`imports_plan`) the name the new class goes by at each call,
the imports to add after which statement, and the imports to remove. Here each of those is found
in the LibCST tree, the calls by where the analysis put them (`fast.Key`), the statements by
their position, and each converted call gets its bound arguments and its layout. Nothing here
decides anything: `rewrite` writes what is found.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider

from codemods.constructors.binding import Binding, bind
from codemods.constructors.fast import Decision, Key, rewrite_decisions
from codemods.constructors.imports_plan import ImportsPlan
from codemods.core.base import ParsedFile
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


class _Finder(cst.CSTVisitor):
    """Finds the analysis' calls and the import statements in the LibCST tree."""

    def __init__(self, parsed: ParsedFile, decided: dict[Key, Decision]) -> None:
        self.parsed = parsed
        self.decided = decided
        self.string: tuple[cst.CSTNode, int, int] | None = None  # the outermost string
        self.rank = 0  # calls seen so far inside it
        self.plan = FilePlan()
        self.lines = LINE_BREAK.split(parsed.code)
        # (line, column) of an import statement -> its statement line and itself
        self.imports: dict[tuple[int, int], tuple[cst.SimpleStatementLine, cst.CSTNode]] = {}

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
        assert decision.class_name is not None
        conversion = Conversion(
            node, rule, bind(node, decision.parameters), decision.class_name, self._layout(node)
        )
        self.plan.conversions[node] = conversion

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for small in node.body:
            if isinstance(small, cst.Import | cst.ImportFrom):
                self.imports[self.parsed.position(small)] = (node, small)

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

    def place(self, file: AstFile, imports: ImportsPlan) -> None:
        """The plan's imports to add and to remove, at their statements in this tree."""
        for anchor, modules in imports.additions.items():
            line = None if anchor is None else self._found(file, anchor)[0]
            wanted = self.plan.additions.setdefault(line, {})
            for module, names in modules.items():
                wanted.setdefault(module, set()).update(names)
            self.plan.anchor_indent[line] = self.parsed.position(line)[1] if line else 0
        for statement, aliases in imports.removals.items():
            _, small = self._found(file, statement)
            names = small.names  # type: ignore[attr-defined]
            gone = {names[statement.names.index(alias)] for alias in aliases}  # type: ignore[attr-defined]
            self.plan.removals.setdefault(small, set()).update(gone)

    def _found(
        self, file: AstFile, statement: ast.stmt
    ) -> tuple[cst.SimpleStatementLine, cst.CSTNode]:
        return self.imports[file.position(statement)]


def plan_file(
    parsed: ParsedFile,
    rules: RuleSet,
    decided: tuple[dict[Key, Decision], ImportsPlan] | None = None,
) -> FilePlan:
    """The analysis' decisions (`decided`, else those of `parsed`'s code: `fast.rewrite_decisions`)
    found in `parsed`: every conversion and refusal, the imports to add and to remove."""
    file = AstFile(parsed.code, parsed.context)
    calls, imports = decided if decided is not None else rewrite_decisions(file, rules)
    finder = _Finder(parsed, calls)
    if calls:
        parsed.module.visit(finder)
        finder.place(file, imports)
    return finder.plan
