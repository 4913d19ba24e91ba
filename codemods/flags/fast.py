"""The flags codemod's one analysis, over a stdlib `ast` tree: what the scan reports and what
the rewrite may fold.

Findings:

- an assignment (`Assign` target, `AnnAssign` with a value) to a flag, as a name or as an
  attribute: at the target, "set to a truthy value" when the value is a truthy literal (a
  `True`/`None`/`False` name, an int or float, a single string literal), none when it is a falsy
  literal, else "computed at run time" (manual review);
- an `if`/`elif`/`while` test or a conditional expression's test that reads a flag: at the test
  (a parenthesized tuple or generator expression as a test: at its opening parenthesis, where
  `ast` puts it).

A test reads a flag when an attribute named after it occurs in it, or a keyword argument
(`f(FLAG=1)`), or a name that no local binding shadows (`_shadowed`: some binding that the scope
gives is in a function or comprehension scope and is not an import, or the name is a builtin).
A lambda's parameter named after a flag is always shadowed (by itself), so it never counts.

Identifiers are compared as Python compares them, after NFKC normalization (`ＦＬＡＧ` is
`FLAG`). Before Python 3.12, `ast` positions inside an f-string may point at another occurrence
of the same text: there a conditional expression's test is reported at the outermost f-string
(once for the string), and a read the rewrite folds is found by that string's start and its
name (`Folds.in_fstrings`). A string literal whose tokens cannot be read again is not a
literal (manual review).

The rewrite (`codemods.flags.codemod`) takes its decisions from here: which reads fold
(`folds`), whether the flag is written at run time so the file is left alone
(`runtime_writes`), and which flags are still read once folded, keeping their definitions
(`flags_read`).
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from dataclasses import dataclass

from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, dotted, one_literal
from codemods.core.values import Analysis, Finding
from codemods.flags import messages as say

_RULE = "auth-bypass"
_TESTED = (ast.If, ast.While, ast.IfExp)
RELIABLE_FSTRING_POSITIONS = sys.version_info >= (3, 12)


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

    def run(self) -> None:
        """Pre-order, with a statement's decorators and a conditional expression's body first
        (the order the snapshots record)."""
        stack: list[ast.AST | None] = [self.file.tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        table = _CHILDREN
        assign, ann_assign = ast.Assign, ast.AnnAssign
        # Before 3.12 an f-string is reported whole; from 3.12 its positions are reliable.
        joined = None if RELIABLE_FSTRING_POSITIONS else ast.JoinedStr
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
        flag = _flag_of(target, self.names)
        if flag is None:
            return
        verdict = say.flag_assignment(flag, self._literal_truth(value))
        if verdict is not None:
            message, review = verdict
            self.findings.append(
                self.file.finding(_RULE, target, message, fixable=not review, manual_review=review)
            )

    def _literal_truth(self, node: ast.expr) -> bool | None:
        """The value's truth when it is a literal atom, else None (computed at run time)."""
        if not isinstance(node, ast.Constant):
            return None
        value = node.value
        if value is None or isinstance(value, bool):
            return value is True
        if isinstance(value, int | float):
            return bool(value)  # a complex number is not a literal here
        if isinstance(value, str | bytes):
            if not one_literal(self.file, node):
                return None  # an implicit concatenation
            return bool(value)
        return None  # Ellipsis, complex

    # --- conditions ------------------------------------------------------------------------

    def _condition(self, test: ast.expr) -> None:
        if not self._reads_flag(test):
            return
        self.findings.append(self.file.finding(_RULE, test, say.CONDITION))

    def _reads_flag(self, test: ast.expr) -> bool:
        """An attribute or keyword named after a flag, or a name no local binding shadows."""
        names = self.names
        candidates: list[ast.Name] = []
        found = False
        for node in ast.walk(test):
            kind = type(node)
            if kind is ast.Name:
                if node.id in names:
                    candidates.append(node)
            elif kind is ast.Attribute:
                if node.attr in names:
                    found = True
            elif kind is ast.keyword and node.arg in names:
                found = True
        if found:
            return True
        return any(not _shadowed(self.file, name) for name in candidates)

    def _in_fstring(self, node: ast.JoinedStr) -> None:
        """A conditional expression in an f-string whose test reads a flag: reported at the
        f-string itself, since positions inside it are not reliable before Python 3.12 (from
        3.12 such a test is reported where it is, as any other)."""
        if any(
            isinstance(child, ast.IfExp) and self._reads_flag(child.test)
            for child in ast.walk(node)
        ):
            self.findings.append(self.file.finding(_RULE, node, say.CONDITION))


# --- the rewrite's decisions ------------------------------------------------------------------

Position = tuple[int, int]


@dataclass(frozen=True)
class Folds:
    """Which flag reads the rewrite replaces by their value: decided here, applied by
    `codemods.flags.fold.FlagFolder` at these positions (line, column in characters).

    `values`: each flag name the file may read (import aliases included) -> its value.
    `reads`: names and attributes to fold, outside f-strings. `unsafe`: attribute reads whose
    base may have effects (left in place, for review). `in_fstrings`: (line, column of the
    outermost string expression, name) for reads inside an f-string, where `ast` positions are
    not reliable before Python 3.12: every read of that name there folds.
    """

    values: dict[str, object]
    reads: frozenset[Position]
    unsafe: frozenset[Position]
    in_fstrings: frozenset[tuple[int, int, str]]

    def __bool__(self) -> bool:
        return bool(self.reads or self.unsafe or self.in_fstrings)


def flag_values(file: AstFile, rules: RuleSet) -> dict[str, object]:
    """Each flag name the file may use (aliases included) and the value its reads become."""
    values: dict[str, object] = {flag.name: flag.value for flag in rules.flags}
    if any(name in file.text for name in values):
        for node in ast.walk(file.tree):
            if isinstance(node, ast.alias) and node.asname and node.name in values:
                values[node.asname] = values[node.name]
    return values


def folds(file: AstFile, rules: RuleSet) -> Folds:
    """The flag reads (loads, not shadowed by a local binding) the rewrite folds."""
    values = flag_values(file, rules)
    reads: set[Position] = set()
    unsafe: set[Position] = set()
    in_fstrings: set[tuple[int, int, str]] = set()
    if not any(name in file.text for name in rules_names(rules)):
        return Folds(values, frozenset(), frozenset(), frozenset())
    for node in ast.walk(file.tree):
        if isinstance(node, ast.JoinedStr) and not file.in_fstring(node):
            where = file.position(node)
            folded, kept = set(), set()
            for child in ast.walk(node):
                name = _read_name(child, values)
                if name is None:
                    continue
                ok = _foldable(file, child)
                (folded if ok else kept).add(name)
            in_fstrings.update((*where, name) for name in folded - kept)
            continue
        name = _read_name(node, values)
        if name is None or file.in_fstring(node):
            continue
        if isinstance(node, ast.Attribute) and not _pure(node.value):
            unsafe.add(file.position(node))
        elif _foldable(file, node):
            reads.add(file.position(node))
    return Folds(values, frozenset(reads), frozenset(unsafe), frozenset(in_fstrings))


def has_work(file: AstFile, decided: Folds) -> bool:
    """Whether the rewrite may change the file: a read to fold, or a binding of a flag (or an
    alias) to delete once nothing reads it. False: the file stays as it is, with no finding
    but the run-time writes (`runtime_writes`)."""
    if decided:
        return True
    names = frozenset(decided.values)
    if not any(name in file.text for name in names):
        return False
    for node in ast.walk(file.tree):
        if isinstance(node, ast.Name):
            if node.id in names and not isinstance(node.ctx, ast.Load):
                return True
        elif isinstance(node, ast.alias) and (node.asname or node.name) in names:
            return True
    return False


def flags_read(file: AstFile, names: frozenset[str]) -> set[str]:
    """The flags (or aliases) among `names` the file still reads, as a name no local binding
    shadows or as an attribute: after folding, the others' definitions can go."""
    if not any(name in file.text for name in names):
        return set()
    found: set[str] = set()
    for node in ast.walk(file.tree):
        if isinstance(node, ast.Name):
            if node.id in names and isinstance(node.ctx, ast.Load) and not _shadowed(file, node):
                found.add(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr in names and isinstance(node.ctx, ast.Load):
                found.add(node.attr)
    return found


def rules_names(rules: RuleSet) -> frozenset[str]:
    return frozenset(flag.name for flag in rules.flags)


def _read_name(node: ast.AST, values: dict[str, object]) -> str | None:
    """The flag a load of a name or attribute reads, if it reads one."""
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    else:
        return None
    if name in values and isinstance(node.ctx, ast.Load):
        return name
    return None


def _shadowed(file: AstFile, node: ast.Name) -> bool:
    """Is the name bound locally where it is read (a parameter, a loop variable, a local
    assignment), or a builtin, hiding the module's flag?"""
    scope = file.scope(node)
    if scope is None:
        return False
    assignments = scope.resolve(node.id)
    if assignments is None:
        return True  # a builtin: never the module's flag
    return any(a.scope.kind not in ("module", "class") and not a.is_import for a in assignments)


def _foldable(file: AstFile, node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return not _shadowed(file, node)
    return isinstance(node, ast.Attribute) and _pure(node.value)


def _pure(node: ast.expr) -> bool:
    """Can evaluating this expression be dropped without losing a side effect or an error?"""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return _pure(node.value)
    if isinstance(node, ast.UnaryOp):
        return _pure(node.operand)
    if isinstance(node, ast.BoolOp):
        return all(_pure(value) for value in node.values)
    if isinstance(node, ast.Compare):
        return _pure(node.left) and all(_pure(c) for c in node.comparators)
    return False


# --- run-time writes: the file is left to a human ------------------------------------------


def runtime_writes(file: AstFile, values: dict[str, object]) -> list[Finding]:
    """A manual-review finding for every write of a flag (or an alias) at run time: assigned in
    a function or lambda, computed at module level, deleted, bound by `:=` or `global`, or named
    in a string passed to a call (`setattr`, `os.environ`, ...). Any of them means the flag
    cannot be removed mechanically: the rewrite leaves the file as it is."""
    names = frozenset(values)
    if not any(name in file.text for name in names):
        return []
    return _RuntimeWrites(file, names).run()


class _RuntimeWrites:
    def __init__(self, file: AstFile, names: frozenset[str]) -> None:
        self.file = file
        self.names = names
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        """Pre-order, in the analysis's child order; `depth`: functions and lambdas around."""
        stack: list[tuple[ast.AST | None, int, ast.JoinedStr | None]] = [(self.file.tree, 0, None)]
        functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        while stack:
            node, depth, string = stack.pop()
            if node is None:
                continue
            kind = type(node)
            if kind in functions:
                depth += 1
            else:
                self._visit(node, depth, string)
            if kind is ast.JoinedStr and string is None:
                string = node
            fields = _CHILDREN.get(kind)
            if fields is None:
                fields = _CHILDREN[kind] = _child_fields(kind)
            for field in fields:
                value = getattr(node, field)
                if value.__class__ is list:
                    stack.extend((child, depth, string) for child in value[::-1])
                else:
                    stack.append((value, depth, string))
        return self.findings

    def _report(self, where: ast.AST | Position, flag: str, how: str) -> None:
        message = f"`{flag}` is {how}: the flag cannot be removed mechanically, review by hand"
        line, column = where if isinstance(where, tuple) else self.file.position(where)
        path = self.file.context.path
        self.findings.append(Finding(_RULE, path, line, column, message, False, True))

    def _visit(self, node: ast.AST, depth: int, string: ast.JoinedStr | None) -> None:
        if isinstance(node, ast.Assign):
            value = node.value if len(node.targets) == 1 else None
            for target in node.targets:
                self._target(target, value, depth)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._target(node.target, node.value, depth)
        elif isinstance(node, ast.AugAssign):
            self._target(node.target, None, depth)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                    flag = _flag_of(each, self.names)
                    if flag:
                        self._report(each, flag, "deleted at run time")
        elif isinstance(node, ast.NamedExpr):
            if node.target.id in self.names:
                self._report(node.target, node.target.id, "assigned by `:=` at run time")
        elif isinstance(node, ast.Global):
            for name, where in _global_names(self.file, node):
                if name in self.names:
                    self._report(where, name, "rebound through `global`")
        elif isinstance(node, ast.Call):
            # Positions inside an f-string are not reliable before 3.12: the string's instead.
            self._call(node, node if string is None or RELIABLE_FSTRING_POSITIONS else string)

    def _target(self, target: ast.expr, value: ast.expr | None, depth: int) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                inner = element.value if isinstance(element, ast.Starred) else element
                self._target(inner, None, depth)
            return
        flag = _flag_of(target, self.names)
        if flag is None:
            return
        if depth > 0 or isinstance(target, ast.Attribute):
            self._report(target, flag, "assigned at run time")
        elif value is None or not _is_literal(value, self.file):
            self._report(target, flag, "computed at run time")

    def _call(self, node: ast.Call, where: ast.AST) -> None:
        func = dotted(node.func) or "a call"
        values = [a.value if isinstance(a, ast.Starred) else a for a in node.args]
        values += [keyword.value for keyword in node.keywords]
        for value in sorted(values, key=lambda v: (v.lineno, v.col_offset)):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value
                if text.rpartition(".")[2] in self.names and one_literal(self.file, value):
                    self._report(where, text.rpartition(".")[2], _dynamic_use(func))
                    return


def _is_literal(node: ast.expr, file: AstFile) -> bool:
    """A True/False/None, int (or negated int) or single string literal."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = node.operand
        return isinstance(operand, ast.Constant) and type(operand.value) is int
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    if value is None or isinstance(value, bool | int):
        return True
    return isinstance(value, str) and one_literal(file, node)


def _flag_of(node: ast.expr, names: frozenset[str]) -> str | None:
    """The flag a name or an attribute is named after."""
    if isinstance(node, ast.Name) and node.id in names:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in names:
        return node.attr
    return None


def _global_names(file: AstFile, node: ast.Global) -> list[tuple[str, Position]]:
    """Each name of a `global` statement with its position (ast keeps only the strings), as
    Python reads it (NFKC); at the statement when its text does not tokenize alone."""
    line, column = file.position(node)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(file.segment(node)).readline))
    except (tokenize.TokenError, SyntaxError):
        return [(name, (line, column)) for name in node.names]
    names = [token for token in tokens if token.type == tokenize.NAME][1:]
    found: list[tuple[str, Position]] = []
    for name, token in zip(node.names, names, strict=False):
        row, col = token.start
        found.append((name, (line + row - 1, col + (column if row == 1 else 0))))
    return found


def _dynamic_use(func: str) -> str:
    """How a call that names the flag in a string uses it."""
    short = func.rpartition(".")[2]
    if "setattr" in short:
        return f"set through `{func}`"
    if "environ" in func or short == "getenv":
        return f"read from the environment (`{func}`)"
    return f"named in a string passed to `{func}` (set or read at run time)"


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
# The walk's child order where it differs from ast's field order (findings come in that order).
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
