"""The validators codemod (`[[consolidate]]`): calls of the many old token validators that one
canonical function replaces.

`fast` analyzes with the stdlib `ast` and decides every fix, `codemod` applies them (the
import moves through the shared import rewrite), `messages` holds the findings' words.
`fixtures/` holds its before/after pairs.
"""

from __future__ import annotations

from typing import Any

from codemods.core.descriptor import Descriptor, FindingKind, Key, Metric, SpecReader, Tally
from codemods.core.rules import RuleSet, ValidatorRule
from codemods.core.values import last_components

METRIC = "token_validation_paths"


def read(spec: SpecReader, value: Any, key: Key) -> ValidatorRule:
    """One `[[consolidate]]` table: the `old` validators, the `new` one and its `params`."""
    table = spec.table(value, key, {"old", "new", "params", "pending"})
    spec.require(table, key, "old", "new")
    return ValidatorRule(
        spec.strings(table["old"], (*key, "old"), spec.dotted),
        spec.dotted(table["new"], (*key, "new")),
        spec.strings(table.get("params", []), (*key, "params"), spec.identifier),
        pending=spec.boolean(table.get("pending", False), (*key, "pending")),
    )


def needles(rules: RuleSet) -> frozenset[bytes]:
    olds = [old for rule in rules.validators for old in rule.old]
    return last_components(olds + [rule.new for rule in rules.validators])


def validation_paths(tally: Tally) -> float:
    """Distinct validators (old and canonical) called anywhere."""
    return len(tally.names.get(METRIC, ()))


DESCRIPTOR = Descriptor(
    name="validators",
    section="consolidate",
    read=read,
    needles=needles,
    codemod="codemods.validators.codemod:ValidatorsCodemod",
    fast="codemods.validators.fast:analyze",
    declines="codemods.validators.fast:declines",
    findings=(
        FindingKind(
            "token-validation",
            "Call of a token validator other than the canonical one",
            "Call the one canonical token validation function.",
        ),
    ),
    metrics=(Metric(METRIC, ("token-validation",), derive=validation_paths),),
)
