"""Which constructor rule a call matches, and its arguments bound to the old parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from codemods.constructors import messages as say
from codemods.core.base import ParsedFile
from codemods.core.rules import ConstructorRule, RuleSet

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
            return Binding({}, say.starred(arg.star))
        if arg.keyword is None:
            if position >= len(rule.params):
                return Binding({}, say.TOO_MANY_POSITIONAL)
            key = rule.params[position]
            position += 1
        else:
            key = arg.keyword.value
            if key not in rule.params:
                return Binding({}, say.unknown_keyword(key))
        if key in arguments:
            return Binding({}, say.given_twice(key))
        arguments[key] = arg
    uses = placeholders(rule)
    for name in dict.fromkeys(uses):
        if name not in arguments:
            return Binding(arguments, say.no_argument(name))
        if m.matches(arguments[name].value, m.Name("None")):
            return Binding(arguments, say.literal_none(name))
        if uses.count(name) > 1 and m.findall(arguments[name].value, SIDE_EFFECTS):
            return Binding(arguments, say.side_effects(name))
    return Binding(arguments)


def matching_rule(parsed: ParsedFile, call: cst.Call, rules: RuleSet) -> ConstructorRule | None:
    """The constructor rule whose old class (or one of its classmethods) this call constructs."""
    return rules.constructor_rule(parsed.qualified_names(call.func))


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
            return say.PASSES_NONE
    missing = [name for name in required if name not in given]
    if missing:
        return say.missing(missing)
    return None
