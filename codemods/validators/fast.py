"""The validators scan analysis (`codemods.validators.codemod`) from the stdlib `ast` parse.

LibCST's `_ValidatorCollector` takes every call's function, asks for its qualified names and
reports the canonical validators it finds (a name) and the old ones (a name and a finding on the
call). The same here, with the qualified names asked only for calls that can have one of those
names: the full name of the function (`a.b.c` of names, attributes, calls and subscripts, as
`get_full_name_for_node`) must end in the last component of an old or canonical path, or be
exactly the `as` name of an import of one (`from m import validate_jwt as check`).
"""

from __future__ import annotations

import ast
import re

from codemods.core.rules import RuleSet
from codemods.core.scopes import full_name
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import Analysis
from codemods.validators import messages as say

METRIC = "token_validation_paths"
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Nodes without calls below them: the walk does not descend into them.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.alias})


def analyze(file: AstFile, rules: RuleSet) -> Analysis:
    analysis = Analysis()
    old = {old: rule.new for rule in rules.validators for old in rule.old}
    new = frozenset(rule.new for rule in rules.validators)
    lasts = {path.rpartition(".")[2] for path in (*old, *new)}
    text = file.text
    if not any(last in text for last in lasts):
        return analysis  # no qualified name can end in a component the file never spells
    file.require_plain_identifiers()
    calls = _candidate_calls(file.tree, text, lasts)
    for call in calls:
        for name in file.qualified_names(call.func):
            if name in new:
                analysis.add_name(METRIC, name)
            elif name in old:
                analysis.add_name(METRIC, name)
                short, canonical = name.rpartition(".")[2], old[name]
                message = say.several_validators(short, canonical)
                analysis.findings.append(file.finding("token-validation", call, message))
    return analysis


def _candidate_calls(tree: ast.Module, text: str, lasts: set[str]) -> list[ast.Call]:
    """Calls whose function may have one of the names, in any order (one walk).

    Before Python 3.12 the positions of expressions inside f-strings are computed from the
    string's text, not the tokens; a candidate there whose position does not point at its
    own function sends the file to LibCST.
    """
    calls: list[ast.Call] = []
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
                    calls.append(node)
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
    calls.extend(call for name, call in bare if name in aliases)
    lines: list[str] = []
    for fstring in fstrings:
        for inner in ast.walk(fstring):
            if isinstance(inner, ast.Call):
                name = full_name(inner.func)
                if name is not None and (name.rpartition(".")[2] in lasts or name in aliases):
                    lines = lines or _NEWLINE.split(text)
                    _check_placed(lines, inner, name)
                    calls.append(inner)
    return calls


def _check_placed(lines: list[str], call: ast.Call, name: str) -> None:
    """Raise Unsupported unless the call's position is where its function is spelled."""
    line = lines[call.lineno - 1].encode("utf-8")
    here = line[call.col_offset :]
    first = name.partition(".")[0].encode("utf-8")
    if not (here.startswith(b"(") or (first.isascii() and here.startswith(first))):
        raise Unsupported("an f-string call whose position cannot be trusted")
