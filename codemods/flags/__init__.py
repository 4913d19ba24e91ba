"""The flags codemod: auth-bypass flags, their truthy assignments and the conditions that read them.

`fast` is its one analysis (stdlib `ast`): the findings, and which flag reads the rewrite folds.
`codemod` is the rewrite (LibCST, to keep the layout), `messages` holds the findings' words; the
rest are rewrite helpers. `fixtures/` holds its before/after pairs.
"""

from __future__ import annotations

from typing import Any

from codemods.core.descriptor import Descriptor, FindingKind, Key, SpecReader, counted
from codemods.core.rules import FlagRule, RuleSet


def read(spec: SpecReader, value: Any, key: Key) -> FlagRule:
    """One `[[flag]]` table: `name`, and the `value` every read of the flag becomes."""
    table = spec.table(value, key, {"name", "value"})
    spec.require(table, key, "name")
    flag_value = table.get("value", False)
    if not isinstance(flag_value, bool | int | str):
        raise spec.fail(
            (*key, "value"),
            f"expected a boolean, number or string, got {spec.type_name(flag_value)}",
        )
    return FlagRule(spec.identifier(table["name"], (*key, "name")), flag_value)


def needles(rules: RuleSet) -> frozenset[bytes]:
    return frozenset(flag.name.encode() for flag in rules.flags)


DESCRIPTOR = Descriptor(
    name="flags",
    section="flag",
    read=read,
    needles=needles,
    codemod="codemods.flags.codemod:FlagsCodemod",
    fast="codemods.flags.fast:analyze",
    findings=(
        FindingKind(
            "auth-bypass",
            "Authentication bypass flag set or read",
            "Remove the bypass; authenticate every request.",
        ),
    ),
    metrics=(counted("auth_bypasses", "auth-bypass"),),
)
