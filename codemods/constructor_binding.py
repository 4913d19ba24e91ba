"""Which constructor rule a call matches, and its arguments bound to the old parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.base import ParsedFile
from codemods.rules import ConstructorRule, RuleSet

PLACEHOLDER = re.compile(r"\{(\w+)\}")
SIDE_EFFECTS = m.Call() | m.Await() | m.Yield() | m.NamedExpr()


@dataclass(frozen=True)
class Binding:
    """The call's arguments bound to the old parameters, or why they cannot be."""

    arguments: dict[str, cst.Arg]
    problem: str | None = None


def placeholders(rule: ConstructorRule) -> list[str]:
    """Every `{param}` the templates use, once per use, in template order."""
    return [name for _, template in rule.args for name in PLACEHOLDER.findall(template)]


def bind(call: cst.Call, rule: ConstructorRule) -> Binding:
    """Bind arguments to `rule.params` as Python would; report what prevents a safe rewrite."""
    arguments: dict[str, cst.Arg] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            return Binding({}, f"`{arg.star}` arguments cannot be matched to the old parameters")
        if arg.keyword is None:
            if position >= len(rule.params):
                return Binding({}, "more positional arguments than the old signature takes")
            key = rule.params[position]
            position += 1
        else:
            key = arg.keyword.value
            if key not in rule.params:
                return Binding({}, f"unknown keyword argument `{key}`")
        if key in arguments:
            return Binding({}, f"argument `{key}` given twice")
        arguments[key] = arg
    uses = placeholders(rule)
    for name in dict.fromkeys(uses):
        if name not in arguments:
            return Binding(arguments, f"no `{name}` argument at the call site; not guessing one")
        if m.matches(arguments[name].value, m.Name("None")):
            return Binding(arguments, f"`{name}` is a literal None; not guessing a real one")
        if uses.count(name) > 1 and m.findall(arguments[name].value, SIDE_EFFECTS):
            reason = f"`{name}` has possible side effects and the new call would use it twice"
            return Binding(arguments, reason)
    return Binding(arguments)


def accepted_names(rule: ConstructorRule) -> frozenset[str]:
    """The dotted names a call of the old class (or of one of its constructors) resolves to."""
    return frozenset([rule.old, *(f"{rule.old}.{method}" for method in rule.classmethods)])


def matching_rule(parsed: ParsedFile, call: cst.Call, rules: RuleSet) -> ConstructorRule | None:
    """The constructor rule whose old class (or one of its classmethods) this call constructs."""
    names = parsed.qualified_names(call.func)
    for rule in rules.constructors:
        if names & accepted_names(rule):
            return rule
    return None


def di_problem(call: cst.Call, rule: ConstructorRule) -> str | None:
    """Why a call of the new class breaks dependency injection, if it does."""
    if any(arg.star for arg in call.args):
        return None
    required = [name for name, _ in rule.args]
    given: set[str] = set()
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            given.add(arg.keyword.value)
        elif index < len(required):
            given.add(required[index])
        if m.matches(arg.value, m.Name("None")):
            return "passes a literal None"
    missing = [name for name in required if name not in given]
    if missing:
        return "missing " + ", ".join(f"`{name}`" for name in missing)
    return None
