"""Calls the imports rewrite must respect, decided over the stdlib `ast` (parser-free).

A direct construction of a constructor rule's old class (not written with the new class's
keywords) keeps that class's import and uses: the constructors rule converts it first. A call of
a moved class whose new class is a constructor rule's new class with other parameters keeps the
import too (rewriting it would hand the call to the new class). Only the calls whose callee can
name such a class are resolved: its last name is one of theirs (an old path's, a classmethod's,
a new class's), or an import binds it `as` one of those.
"""

from __future__ import annotations

import ast

from codemods.core.paths import PathMap, destination
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.scopes import full_name
from codemods.core.tree import AstFile
from codemods.core.values import Finding


def fits_new_signature(call: ast.Call, rule: ConstructorRule) -> bool:
    """Could the call's arguments be meant for the new class (its parameter names, in order)?"""
    names = [name for name, _ in rule.args]
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return False
    if any(keyword.arg is None or keyword.arg not in names for keyword in call.keywords):
        return False
    return len(call.args) <= len(names)


def is_new_style(call: ast.Call, rule: ConstructorRule) -> bool:
    """A call already written for the new class (new keywords), bound ambiguously to the old."""
    return bool(call.keywords) and fits_new_signature(call, rule)


class Constructions:
    """The calls of one file that the rewrite's constructor check looks at, resolved once."""

    def __init__(self, file: AstFile, rules: RuleSet, paths: PathMap) -> None:
        self.file = file
        self.rules = rules
        self.paths = paths
        self.module = file.context.module
        self.olds = {rule.old for rule in rules.constructors}
        self.by_new = {rule.new: rule for rule in rules.constructors}
        self.accepted = {name for rule in rules.constructors for name in rule.accepted_names}
        self._calls: list[tuple[ast.Call, set[str]]] | None = None

    def pending(self) -> dict[str, str]:
        """Old constructor classes still constructed directly -> why their imports stay."""
        found: dict[str, str] = {}
        for call, names in self._resolved():
            rule = self.rules.constructor_rule(names)
            if rule is None or rule.old in found or is_new_style(call, rule):
                continue
            short = rule.old.rpartition(".")[2]
            found[rule.old] = (
                f"`{short}` is still constructed directly (line {call.lineno}): convert that "
                "with the constructors rule first; its imports and uses are left unchanged"
            )
        return found

    def mismatched(self) -> bool:
        """Is a call of a moved class one its new (constructor rule's) class does not fit?"""
        return bool(self.mismatches())

    def mismatches(self) -> list[tuple[ast.Call, str, ConstructorRule]]:
        """Calls of a moved class whose new class is a constructor rule's new class that their
        arguments do not fit: (call, the old dotted name, that rule), in visit order."""
        found = []
        for call, names in self._resolved():
            if self.rules.constructor_rule(names) is not None:
                continue
            for name in sorted(names - self.olds):
                target = destination(name, self.module, self.paths)
                new = self.by_new.get(target)
                if target != name and new is not None and not fits_new_signature(call, new):
                    found.append((call, name, new))
        return found

    def held(self) -> tuple[dict[str, str], list[Finding]]:
        """What the rewrite must keep: old path -> why (pending constructions, and classes a call
        of which does not fit the new class), and a review finding at each such call."""
        blocked, findings = self.misfits()
        blocked.update(self.pending())
        return blocked, findings

    def misfits(self) -> tuple[dict[str, str], list[Finding]]:
        """Classes a call of which does not fit the new class: old path -> why the rewrite keeps
        it, and a review finding at each such call."""
        blocked: dict[str, str] = {}
        findings = []
        for call, name, rule in self.mismatches():
            short, new = name.rpartition(".")[2], rule.new.rpartition(".")[2]
            params = ", ".join(n for n, _ in rule.args)
            blocked.setdefault(
                self.file.context.resolve(name),
                f"`{short}` is left unchanged: a call of it does not fit `{new}`'s parameters "
                f"({params}); port that call by hand",
            )
            message = (
                f"`{short}(...)` would build `{new}`, which takes ({params}): these arguments "
                f"do not fit, so `{short}` keeps its import; port this call by hand"
            )
            findings.append(
                self.file.finding(
                    "constructor-signature", call, message, fixable=False, manual_review=True
                )
            )
        return blocked, findings

    def _resolved(self) -> list[tuple[ast.Call, set[str]]]:
        """The calls that may matter, in LibCST's visit order, with their callee's names."""
        if self._calls is None:
            self._calls = self._resolve() if self.rules.constructors else []
        return self._calls

    def _resolve(self) -> list[tuple[ast.Call, set[str]]]:
        # A callee names such a class only if its last name is one's (renames change names:
        # an old path's last name counts), or is bound by an import `as` of one.
        last_names = {path.rpartition(".")[2] for path in [*self.accepted, *self.by_new]}
        for rule in (*self.rules.renames, *self.rules.reexports):
            if destination(rule.old, self.module, self.paths) in self.by_new:
                last_names.add(rule.old.rpartition(".")[2])
        if not self.file.may_call(last_names):
            return []  # no call can name such a class: no scopes are built
        calls, aliases = [], {}
        for node in self.file.scopes.parents:  # every node but the module (built once)
            kind = type(node)
            if kind is ast.Call:
                calls.append(node)
            elif kind is ast.Import or kind is ast.ImportFrom:
                for alias in node.names:  # type: ignore[attr-defined]
                    if alias.asname is not None:
                        aliases[alias.asname] = alias.name.rpartition(".")[2]
        names = last_names | {bound for bound, name in aliases.items() if name in last_names}
        found = []
        for call in calls:
            chain = full_name(call.func)
            if chain is not None and chain.rpartition(".")[2] in names:
                found.append(call)
        found.sort(key=lambda c: (c.lineno, c.col_offset, -c.end_lineno, -c.end_col_offset))  # type: ignore[operator]
        return [(call, self.file.qualified_names(call.func)) for call in found]


_LAST: list[Constructions] = []  # the file the analysis and its fixes (or the rewrite) share


def constructions(file: AstFile, rules: RuleSet, paths: PathMap) -> Constructions:
    """The file's `Constructions`, resolved once for the analysis and the fixes it builds."""
    if _LAST and _LAST[0].file is file and _LAST[0].rules is rules:
        return _LAST[0]
    found = Constructions(file, rules, paths)
    _LAST[:] = [found]
    return found
