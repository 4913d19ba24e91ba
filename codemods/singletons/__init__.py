"""The singletons codemod: instances of engine, factory and bridge classes held in module or class
globals.

`fast` analyzes with the stdlib `ast` and decides every fix (as text edits, laid out by `layout`),
`codemod` applies them, `messages` holds the findings' words. `fixtures/` holds its
before/after pairs.
"""

from __future__ import annotations

from typing import Any

from codemods.core.descriptor import Descriptor, FindingKind, Key, SpecReader, counted
from codemods.core.rules import RuleSet, SingletonRule
from codemods.core.values import last_components


def read(spec: SpecReader, value: Any, key: Key) -> SingletonRule:
    """One `[[singleton]]` table: the `classes`, name `suffixes`, and whether to `fix`."""
    table = spec.table(value, key, {"classes", "fix", "suffixes"})
    return SingletonRule(
        classes=spec.strings(table.get("classes", []), (*key, "classes"), spec.dotted),
        fix=spec.boolean(table.get("fix", False), (*key, "fix")),
        suffixes=spec.strings(
            table.get("suffixes", ["Factory", "Engine", "Bridge"]),
            (*key, "suffixes"),
            spec.identifier,
        ),
    )


def needles(rules: RuleSet) -> frozenset[bytes]:
    """A named class anywhere (it may be imported under an alias); a class known only by its
    suffix where it is called (`XFactory(`, `XFactory (`: every shape constructs one), or
    where a class builds itself (`cls(`) or caches itself in `__new__`."""
    if not rules.singletons:
        return frozenset()
    suffixes = {s.encode() for rule in rules.singletons for s in rule.suffixes}
    calls = {suffix + gap for suffix in suffixes for gap in (b"(", b" (")}
    itself = {b"cls(", b"__new__"} if suffixes else set()
    return last_components(c for rule in rules.singletons for c in rule.classes) | calls | itself


DESCRIPTOR = Descriptor(
    name="singletons",
    section="singleton",
    read=read,
    needles=needles,
    codemod="codemods.singletons.codemod:SingletonsCodemod",
    fast="codemods.singletons.fast:analyze",
    declines="codemods.singletons.text_check:declines",
    findings=(
        FindingKind(
            "singleton",
            "Shared instance held in a module or class global",
            "Create one instance per request or user context.",
        ),
    ),
    metrics=(counted("singletons", "singleton"),),
)
