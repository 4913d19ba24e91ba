"""The flags codemod's scan analysis (`codemod._FlagCollector`) over a stdlib `ast` tree.

Findings, as LibCST reports them:

- an assignment (`Assign` target, `AnnAssign` with a value) to a flag, as a name or as an
  attribute: at the target, "set to a truthy value" when the value is a truthy literal (a
  `True`/`None`/`False` name, an int or float, a single string literal), none when it is a falsy
  literal, else "computed at run time" (manual review);
- an `if`/`elif`/`while` test or a conditional expression's test that reads a flag: at the test.

A test reads a flag when an attribute named after it occurs in it, or a keyword argument
(`f(FLAG=1)`: LibCST's `Arg.keyword` is a `Name` without a scope, so never shadowed), or a name
that no local binding shadows (`codemods.flags.expr.shadowed`: some assignment that `scope[name]`
gives is in a function or comprehension scope and is not an import, or the name is a builtin).
A lambda's parameter named after a flag is always shadowed (by itself), so it never counts.

Where the two parsers disagree and mirroring LibCST costs more than it is worth, `Unsupported`:
a parenthesized tuple or generator expression as a test (ast's position includes the
parentheses, LibCST's does not), a conditional expression inside an f-string (ast positions
there are unreliable before 3.12), a flag name in the first argument of a `NewType`/`TypeVar`
call (LibCST's scope visitor skips it), and, in non-ASCII files, an identifier that only
matches a flag after NFKC normalization (ast normalizes identifiers, LibCST does not).
"""

from __future__ import annotations

import ast
import io
import tokenize

from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import Analysis
from codemods.flags import messages as say

_RULE = "auth-bypass"
_TESTED = (ast.If, ast.While, ast.IfExp)
_UNTYPED = frozenset({"NewType", "TypeVar"})


def analyze(file: AstFile, rules: RuleSet) -> Analysis:
    names = frozenset(flag.name for flag in rules.flags)
    analysis = Analysis()
    text = file.text
    if not names or not any(name in text for name in names):
        return analysis  # every finding needs a flag's name written in the file
    _Collector(file, names, analysis).run()
    return analysis


class _Collector:
    def __init__(self, file: AstFile, names: frozenset[str], analysis: Analysis) -> None:
        self.file = file
        self.names = names
        self.findings = analysis.findings
        self.ascii = file.text.isascii()

    def run(self) -> None:
        """Pre-order, in LibCST's child order, so findings come in the order LibCST gives."""
        stack: list[ast.AST | None] = [self.file.tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        table = _CHILDREN
        assign, ann_assign, joined = ast.Assign, ast.AnnAssign, ast.JoinedStr
        tested = _TESTED
        while stack:
            node = pop()
            if node is None:
                continue  # a `**mapping` key, a keyword-only parameter without a default
            kind = type(node)
            fields = table.get(kind)
            if fields is None:
                fields = table[kind] = _child_fields(kind)
            if kind is assign:
                for target in node.targets:
                    self._assigned(target, node.value)
            elif kind is ann_assign:
                if node.value is not None:
                    self._assigned(node.target, node.value)
            elif kind in tested:
                self._condition(node.test)
            elif kind is joined:
                self._in_fstring(node)
                continue
            for field in fields:
                value = getattr(node, field)
                if value.__class__ is list:
                    extend(value[::-1])
                else:
                    push(value)

    # --- assignments -----------------------------------------------------------------------

    def _assigned(self, target: ast.expr, value: ast.expr) -> None:
        flag = self._flag_target(target)
        if flag is None:
            return
        verdict = say.flag_assignment(flag, self._literal_truth(value))
        if verdict is not None:
            message, review = verdict
            self.findings.append(
                self.file.finding(_RULE, target, message, fixable=not review, manual_review=review)
            )

    def _flag_target(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name) and node.id in self.names:
            self._check_raw_name(node)
            return node.id
        if isinstance(node, ast.Attribute) and node.attr in self.names:
            self._check_raw_attr(node)
            return node.attr
        return None

    def _literal_truth(self, node: ast.expr) -> bool | None:
        """`literal_truth` of the LibCST node this one is: None unless a literal atom."""
        if not isinstance(node, ast.Constant):
            return None
        value = node.value
        if value is None or isinstance(value, bool):
            return value is True  # LibCST: a Name `True`/`False`/`None`
        if isinstance(value, int | float):
            return bool(value)  # Integer, Float (Imaginary is not a literal there)
        if isinstance(value, str | bytes):
            if not self._single_string(node):
                return None  # a ConcatenatedString
            return bool(value)
        return None  # Ellipsis, complex

    def _single_string(self, node: ast.Constant) -> bool:
        """One string token (LibCST's SimpleString), not an implicit concatenation."""
        segment = self.file.segment(node)
        try:
            tokens = tokenize.generate_tokens(io.StringIO(f"({segment})").readline)
            strings = sum(1 for token in tokens if token.type == tokenize.STRING)
        except (tokenize.TokenError, SyntaxError) as error:
            raise Unsupported(f"cannot tokenize a string literal: {error}") from error
        return strings == 1

    # --- conditions ------------------------------------------------------------------------

    def _condition(self, test: ast.expr) -> None:
        if not self._reads_flag(test):
            return
        if isinstance(test, ast.Tuple | ast.GeneratorExp):
            raise Unsupported("a parenthesized tuple or generator expression as a test")
        self.findings.append(self.file.finding(_RULE, test, say.CONDITION))

    def _reads_flag(self, test: ast.expr) -> bool:
        """`_FlagCollector._reads_flag`: an attribute or keyword named after a flag, or a
        name no local binding shadows."""
        names = self.names
        candidates: list[ast.Name] = []
        found = False
        for node in ast.walk(test):
            kind = type(node)
            if kind is ast.Name:
                if node.id in names:
                    self._check_raw_name(node)
                    candidates.append(node)
            elif kind is ast.Attribute:
                if node.attr in names:
                    self._check_raw_attr(node)
                    found = True
            elif kind is ast.keyword:
                if node.arg in names:
                    self._check_raw_name(node)
                    found = True
            elif kind is ast.Call:
                self._check_untyped(node)
            elif kind is ast.arg and node.arg in names:
                self._check_raw_name(node)  # a lambda parameter: shadowed by itself
        if found:
            return True
        return any(not self._shadowed(name) for name in candidates)

    def _shadowed(self, node: ast.Name) -> bool:
        """`codemods.flags.expr.shadowed(scope, name)` with this node's LibCST scope."""
        scope = self.file.scope(node)
        if scope is None:
            return False
        assignments = scope.resolve(node.id)
        if assignments is None:
            return True  # a builtin: LibCST's BuiltinAssignment is in neither kind of scope
        return any(a.scope.kind not in ("module", "class") and not a.is_import for a in assignments)

    def _check_untyped(self, call: ast.Call) -> None:
        """LibCST's scope visitor skips the first argument of `NewType(...)`/`TypeVar(...)`,
        so a flag name there has no scope: rare enough to leave to LibCST."""
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if last not in _UNTYPED or not call.args:
            return
        for node in ast.walk(call.args[0]):
            if isinstance(node, ast.Name) and node.id in self.names:
                raise Unsupported("a flag name in the first argument of NewType/TypeVar")

    def _in_fstring(self, node: ast.JoinedStr) -> None:
        """A conditional expression in an f-string that reads a flag: positions there are not
        reliable before Python 3.12, so leave the file to LibCST."""
        for child in ast.walk(node):
            if isinstance(child, ast.IfExp) and self._reads_flag(child.test):
                raise Unsupported("a conditional expression reading a flag in an f-string")

    # --- identifiers as written ------------------------------------------------------------

    def _check_raw_name(self, node: ast.Name | ast.keyword | ast.arg) -> None:
        """ast normalizes identifiers (NFKC), LibCST keeps them as written."""
        if self.ascii:
            return
        name = node.id if isinstance(node, ast.Name) else node.arg
        line = self.file.line(node.lineno).encode("utf-8")
        start = node.col_offset
        if line[start : start + len(name.encode())] != name.encode():
            raise Unsupported("an identifier written in a form that NFKC normalizes")

    def _check_raw_attr(self, node: ast.Attribute) -> None:
        if self.ascii:
            return
        line = self.file.line(node.end_lineno).encode("utf-8")
        end = node.end_col_offset
        raw = node.attr.encode()
        if line[end - len(raw) : end] != raw:
            raise Unsupported("an identifier written in a form that NFKC normalizes")


# Nodes without a descendant that matters here, and fields that hold no node or only ones
# without such descendants (names, operators, contexts, flags).
_LEAVES = (
    ast.Constant,
    ast.Name,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.alias,
    ast.MatchSingleton,
    ast.expr_context,
    ast.operator,
    ast.boolop,
    ast.unaryop,
    ast.cmpop,
)
_SCALARS = frozenset(
    {
        "ctx",
        "op",
        "name",
        "attr",
        "arg",
        "id",
        "kind",
        "type_comment",
        "type_ignores",
        "names",
        "level",
        "module",
        "is_async",
        "simple",
        "conversion",
        "kwd_attrs",
        "rest",
        "ops",
    }
)
# LibCST's child order where it differs from ast's field order (findings come in that order).
_ORDER = {
    ast.IfExp: ("body", "test", "orelse"),
    ast.FunctionDef: ("decorator_list", "args", "returns", "body"),
    ast.AsyncFunctionDef: ("decorator_list", "args", "returns", "body"),
    ast.ClassDef: ("decorator_list", "bases", "keywords", "body"),
}
_CHILDREN: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields to descend into, last first (they go on a stack)."""
    if issubclass(kind, _LEAVES):
        return ()
    fields = _ORDER.get(kind) or tuple(f for f in kind._fields if f not in _SCALARS)
    return fields[::-1]
