"""Calls the import rewrite must respect: pending direct constructions, and calls whose class
the rewrite swaps for a constructor rule's new class with a different signature."""

from __future__ import annotations

import libcst as cst

from codemods.core.base import Finding, ParsedFile
from codemods.core.imports.scopes import destination
from codemods.core.paths import PathMap
from codemods.core.rules import ConstructorRule, RuleSet


def fits_new_signature(call: cst.Call, rule: ConstructorRule) -> bool:
    """Could the call's arguments be meant for the new class (its parameter names, in order)?"""
    names = [name for name, _ in rule.args]
    positional = 0
    for arg in call.args:
        if arg.star:
            return False
        if arg.keyword is None:
            positional += 1
        elif arg.keyword.value not in names:
            return False
    return positional <= len(names)


def _is_new_style(call: cst.Call, rule: ConstructorRule) -> bool:
    """A call already written for the new class (new keywords), bound ambiguously to the old."""
    has_keywords = any(arg.keyword is not None for arg in call.args)
    return has_keywords and fits_new_signature(call, rule)


class ConstructorCalls(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet, paths: PathMap) -> None:
        self.parsed = parsed
        self.rules = rules
        self.paths = paths
        self.pending: dict[str, str] = {}
        self.mismatches: list[Finding] = []
        self.mismatched: dict[str, str] = {}  # old path -> why its import and uses stay
        self.olds = {rule.old for rule in rules.constructors}
        self.by_new = {rule.new: rule for rule in rules.constructors}

    def visit_Call(self, node: cst.Call) -> None:
        rule = self.rules.constructor_rule(self.parsed.qualified_names(node.func))
        if rule is not None:
            if rule.old not in self.pending and not _is_new_style(node, rule):
                line = self.parsed.position(node)[0]
                short = rule.old.rpartition(".")[2]
                self.pending[rule.old] = (
                    f"`{short}` is still constructed directly (line {line}): convert that with "
                    "the constructors rule first; its imports and uses are left unchanged"
                )
            return
        for name in self.parsed.qualified_names(node.func) - self.olds:
            target = destination(name, self.parsed.context, self.paths)
            new = self.by_new.get(target)
            if target != name and new is not None and not fits_new_signature(node, new):
                self.mismatches.append(self._mismatch(node, name, new))

    def _mismatch(self, node: cst.Call, name: str, rule: ConstructorRule) -> Finding:
        short, new = name.rpartition(".")[2], rule.new.rpartition(".")[2]
        params = ", ".join(n for n, _ in rule.args)
        self.mismatched.setdefault(
            self.parsed.context.resolve(name),
            f"`{short}` is left unchanged: a call of it does not fit `{new}`'s parameters "
            f"({params}); port that call by hand",
        )
        message = (
            f"`{short}(...)` would build `{new}`, which takes ({params}): these arguments do "
            f"not fit, so `{short}` keeps its import; port this call by hand"
        )
        return self.parsed.finding(
            "constructor-signature", node, message, fixable=False, manual_review=True
        )


def constructor_calls(parsed: ParsedFile, rules: RuleSet, paths: PathMap) -> ConstructorCalls:
    """One pass over the file's calls.

    `pending`: old constructor classes this file still calls directly, with why their names must
    stay. A call already written with the new class's keywords (the name bound to both classes,
    e.g. by a try/except fallback) is not pending. `mismatches`: calls of a moved class whose new
    class (a constructor rule's) takes other arguments; `mismatched`: their old paths, with why
    their imports must stay (rewriting the import would hand the call to the new class).
    """
    visitor = ConstructorCalls(parsed, rules, paths)
    if rules.constructors:
        parsed.module.visit(visitor)
    return visitor
