"""Each codemod's needles: byte strings without which it has nothing to do in a file.

Kept apart from the codemods (which import LibCST) so the prefilter runs without the parser.
"""

from __future__ import annotations

from collections.abc import Callable

from codemods.core.paths import PathMap
from codemods.core.rules import RuleSet
from codemods.core.values import last_components


def flags(rules: RuleSet) -> frozenset[bytes]:
    return frozenset(flag.name.encode() for flag in rules.flags)


def validators(rules: RuleSet) -> frozenset[bytes]:
    olds = [old for rule in rules.consolidations for old in rule.old]
    return last_components(olds + [rule.new for rule in rules.consolidations])


def singletons(rules: RuleSet) -> frozenset[bytes]:
    """A named class anywhere (it may be imported under an alias); a class known only by its
    suffix where it is called (`XFactory(`, `XFactory (`: every shape constructs one), or
    where a class builds itself (`cls(`) or caches itself in `__new__`."""
    if not rules.singletons:
        return frozenset()
    suffixes = {s.encode() for rule in rules.singletons for s in rule.suffixes}
    calls = {suffix + gap for suffix in suffixes for gap in (b"(", b" (")}
    itself = {b"cls(", b"__new__"} if suffixes else set()
    return last_components(c for rule in rules.singletons for c in rule.classes) | calls | itself


def constructors(rules: RuleSet) -> frozenset[bytes]:
    paths = [r.old for r in rules.constructors] + [r.new for r in rules.constructors]
    return last_components(paths)


def imports(rules: RuleSet) -> frozenset[bytes]:
    paths = PathMap(rules)
    needles = last_components(r.old for r in rules.renames)
    needles |= last_components(paths.old_modules)
    return needles | last_components(paths.canonical)


NEEDLES: dict[str, Callable[[RuleSet], frozenset[bytes]]] = {
    "flags": flags,
    "validators": validators,
    "singletons": singletons,
    "constructors": constructors,
    "imports": imports,
}
