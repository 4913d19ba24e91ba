"""The validators codemod's one analysis, from the stdlib `ast` parse: which calls reach an old
validator (a finding each), which validators are called (the metric's names), which old
validators a call's arguments keep from the canonical one, and what happens to the calls a
module makes of its own old validators.

Qualified names are asked only for calls that can have one of those names: the full name of
the function (`a.b.c` of names, attributes, calls and subscripts) must end in the last
component of an old or canonical path, or be exactly the `as` name of an import of one
(`from m import validate_jwt as check`).

Names are compared as Python compares them (NFKC-normalized identifiers). Before Python 3.12 the
position of an expression inside an f-string is computed from the string's text; where that
position does not point at the call's own function, the finding is reported at the f-string's
start (a position that can be trusted), and its call is not rewritten in place.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from codemods.core.edits import Edit
from codemods.core.rules import RuleSet, ValidatorRule
from codemods.core.scopes import full_name
from codemods.core.text_checks import Source, may_call, may_name
from codemods.core.tree import AstFile
from codemods.core.values import Analysis, FileContext, Finding
from codemods.validators import messages as say

METRIC = "token_validation_paths"
RULE = "token-validation"
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Nodes without calls below them: the walk does not descend into them.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.alias})


@dataclass
class Plan:
    """What the analysis decided for one file.

    `blocked`: old validator path -> why its imports must stay (a call of it does not bind to
    the canonical validator's `params`); `edits`: a module's own calls of its old validators,
    pointed at the canonical validator imported there; `reviews`: such calls that cannot be.
    """

    analysis: Analysis = field(default_factory=Analysis)
    blocked: dict[str, str] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    reviews: list[Finding] = field(default_factory=list)


def analyze(file: AstFile, rules: RuleSet) -> Analysis:
    return plan(file, rules).analysis


def declines(source: Source, context: FileContext, rules: RuleSet) -> bool:
    """The runner's check before a parse (`Descriptor.declines`): `names_no_validator`."""
    return names_no_validator(source.text, context.module, rules, source.plain)


def names_no_validator(text: str, module: str, rules: RuleSet, plain: bool) -> bool:
    """Whether no call of this text (of dotted module name `module`; `plain`: its identifiers
    are written as read) can name a validator: then the analysis finds nothing."""
    paths = [*(old for rule in rules.validators for old in rule.old)]
    paths += [rule.new for rule in rules.validators]
    lasts = {path.rpartition(".")[2] for path in paths}
    if not any(last in text for last in lasts):
        return True  # no qualified name can end in a component the file never spells
    return not may_call(text, lasts, plain) or not any(
        may_name(text, module, path, plain) for path in paths
    )


def plan(file: AstFile, rules: RuleSet) -> Plan:
    """Every decision of the codemod for this file (findings, blocked validators, own calls)."""
    result = Plan()
    analysis = result.analysis
    if names_no_validator(file.text, file.context.module, rules, file.plain_identifiers):
        return result  # no call can name a validator: no call is resolved, no scopes built
    by_old: dict[str, ValidatorRule] = {old: rule for rule in rules.validators for old in rule.old}
    new = frozenset(rule.new for rule in rules.validators)
    lasts = {path.rpartition(".")[2] for path in (*by_old, *new)}
    text = file.text
    shapes: dict[str, tuple[tuple[int, int], str]] = {}  # old path -> first unbindable call
    own = _OwnCalls(file, rules)
    for call, trusted in _candidate_calls(file.tree, text, lasts):
        where = call if trusted else trusted_node(file, call)
        names = file.qualified_names(call.func)
        for name in names:
            if name in new:
                analysis.add_name(METRIC, name)
            elif name in by_old:
                analysis.add_name(METRIC, name)
                rule = by_old[name]
                short = name.rpartition(".")[2]
                message = say.several_validators(short, rule.new)
                finding = file.finding(RULE, where, message)
                analysis.findings.append(finding)
                problem = binding_problem(call, rule.params)
                position = (finding.line, finding.column)
                if problem is not None and (name not in shapes or position < shapes[name][0]):
                    shapes[name] = (position, problem)
        own.decide(call, trusted, where, names, result)
    analysis.findings.sort(key=lambda finding: (finding.line, finding.column, finding.message))
    for name, ((line, _), problem) in shapes.items():
        result.blocked[name] = say.unbindable(name, by_old[name], line, problem)
    return result


def trusted_node(file: AstFile, call: ast.Call) -> ast.AST:
    """The outermost f-string around a call whose own position cannot be trusted."""
    outer: ast.AST = call
    node = file.parent(call)
    while node is not None:
        if isinstance(node, ast.JoinedStr):
            outer = node
        node = file.parent(node)
    return outer


def binding_problem(call: ast.Call, params: tuple[str, ...]) -> str | None:
    """Why the call's arguments do not bind to `params` (the first required), if they do not.
    Arguments are read in source order (`f(x=1, *rest)` is legal)."""
    if not params:
        return None
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    arguments.sort(key=lambda node: (node.lineno, node.col_offset))
    given: set[str] = set()
    for index, argument in enumerate(arguments):
        if isinstance(argument, ast.Starred):
            return "`*` arguments cannot be matched to its parameters"
        if isinstance(argument, ast.keyword) and argument.arg is None:
            return "`**` arguments cannot be matched to its parameters"
        if isinstance(argument, ast.keyword):
            name = argument.arg
            if name not in params:
                return f"it has no parameter `{name}`"
        else:
            if index >= len(params):
                return "more positional arguments than it takes"
            name = params[index]
        if name in given:
            return f"argument `{name}` given twice"
        given.add(name)
    if params[0] not in given:
        return f"no `{params[0]}` argument"
    return None


class _OwnCalls:
    """A module's calls of the old validators it defines itself (`return validate_jwt(t)`): the
    import rewrite never sees them. Each is pointed at the canonical validator where that is
    imported into the module under its own name (so the new call means exactly it), else left
    for review. Pending rules' validators are left alone."""

    def __init__(self, file: AstFile, rules: RuleSet) -> None:
        module = file.context.module
        self.file = file
        self.targets = {
            old: rule.new
            for rule in rules.validators
            if not rule.pending
            for old in rule.old
            if old.rpartition(".")[0] == module
        }
        self._usable: set[str] | None = None

    @property
    def usable(self) -> set[str]:
        """Canonical paths imported at module level under their own last name."""
        if self._usable is None:
            canonical = set(self.targets.values())
            self._usable = set()
            for statement in self.file.tree.body:
                if isinstance(statement, ast.ImportFrom):
                    base = "." * statement.level + (statement.module or "")
                    module = self.file.context.resolve(base)
                    for alias in statement.names:
                        if alias.asname is None and alias.name != "*":
                            self._usable |= {f"{module}.{alias.name}"} & canonical
        return self._usable

    def decide(
        self, call: ast.Call, trusted: bool, where: ast.AST, names: set[str], plan: Plan
    ) -> None:
        func = call.func
        own = names & set(self.targets)
        if not own or not isinstance(func, ast.Name):
            return
        canonical = self.targets[min(own)]
        short = canonical.rpartition(".")[2]
        if canonical in self.usable and trusted:
            start = _offset(self.file, func.lineno, func.col_offset)
            end = _offset(self.file, func.end_lineno, func.end_col_offset)
            plan.edits.append(Edit(start, end, short))
            return
        message = say.own_call(func.id, canonical, short)
        plan.reviews.append(
            self.file.finding(RULE, where, message, fixable=False, manual_review=True)
        )


def _offset(file: AstFile, line: int, byte_column: int) -> int:
    """The character offset of an ast position in the file's text."""
    starts = [0, *(match.end() for match in _NEWLINE.finditer(file.text))]
    text = file.line(line)
    if not text.isascii():
        byte_column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
    return starts[line - 1] + byte_column


def _candidate_calls(tree: ast.Module, text: str, lasts: set[str]) -> list[tuple[ast.Call, bool]]:
    """Calls whose function may have one of the names, in any order (one walk), each with
    whether its position points at its own function (only calls in f-strings may not)."""
    calls: list[tuple[ast.Call, bool]] = []
    bare: list[tuple[str, ast.Call]] = []  # may be the `as` name of an import of a validator
    aliases: set[str] = set()
    fstrings: list[ast.JoinedStr] = []
    stack: list[ast.AST] = [tree]
    pop, extend, children = stack.pop, stack.extend, ast.iter_child_nodes
    call, joined, imports, leaves = ast.Call, ast.JoinedStr, (ast.Import, ast.ImportFrom), _LEAVES
    while stack:
        node = pop()
        kind = type(node)
        if kind in leaves:
            continue
        if kind is call:
            name = full_name(node.func)
            if name is not None:
                if name.rpartition(".")[2] in lasts:
                    calls.append((node, True))
                elif "." not in name:
                    bare.append((name, node))
        elif kind is joined:
            fstrings.append(node)
            continue
        elif kind in imports:
            for alias in node.names:
                if alias.asname and alias.name.rpartition(".")[2] in lasts:
                    aliases.add(alias.asname)
            continue
        extend(children(node))
    calls.extend((call, True) for name, call in bare if name in aliases)
    lines: list[str] = []
    for fstring in fstrings:
        for inner in ast.walk(fstring):
            if isinstance(inner, ast.Call):
                name = full_name(inner.func)
                if name is not None and (name.rpartition(".")[2] in lasts or name in aliases):
                    lines = lines or _NEWLINE.split(text)
                    calls.append((inner, _placed(lines, inner, name)))
    return calls


def _placed(lines: list[str], call: ast.Call, name: str) -> bool:
    """Is the call's position where its function is spelled?"""
    line = lines[call.lineno - 1].encode("utf-8")
    here = line[call.col_offset :]
    first = name.partition(".")[0].encode("utf-8")
    return here.startswith(b"(") or (first.isascii() and here.startswith(first))
