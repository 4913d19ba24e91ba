"""The imports codemod: deprecated, aliased and indirect imports of moved names, and string
references to old paths.

`fast` is the one analysis (stdlib `ast`: the scan's findings), with `verdicts` (its messages);
the rewrite's plan is `codemods.core.imports.decide`, written as text edits by `fixes` or, for
the files whose fixes are not all edits, with LibCST by `codemod.transform`.
`fixtures/` holds its before/after pairs.
"""

from __future__ import annotations

from typing import Any

from codemods.core.descriptor import (
    Descriptor,
    FindingKind,
    Key,
    Metric,
    SpecReader,
    Tally,
    counted,
)
from codemods.core.paths import PathMap
from codemods.core.rules import RenameRule, RuleSet
from codemods.core.values import last_components

FRAGMENTED = ("deprecated-import", "aliased-import", "indirect-import")


def read(spec: SpecReader, value: Any, key: Key) -> RenameRule:
    """One `[[rename]]` table: the `old` and `new` dotted path, and its `kind`."""
    table = spec.table(value, key, {"old", "new", "kind", "pending", "deleted"})
    spec.require(table, key, "old", "new")
    kind = table.get("kind", "")
    if kind not in ("", "module", "name"):
        raise spec.fail((*key, "kind"), 'expected "module" or "name"')
    return RenameRule(
        spec.dotted(table["old"], (*key, "old")),
        spec.dotted(table["new"], (*key, "new")),
        kind,
        pending=spec.boolean(table.get("pending", False), (*key, "pending")),
        deleted=spec.boolean(table.get("deleted", False), (*key, "deleted")),
    )


def needles(rules: RuleSet) -> frozenset[bytes]:
    paths = PathMap(rules)
    found = last_components(r.old for r in rules.renames)
    found |= last_components(paths.old_modules)
    return found | last_components(paths.canonical)


def fragmented(tally: Tally) -> float:
    """Imports not (yet) of the canonical path: deprecated, aliased and indirect ones."""
    counts = tally.counts
    return (
        counts.get("deprecated_imports", 0)
        + counts.get("aliased_imports", 0)
        + counts.get("indirect_imports", 0)
    )


def canonical_usage(tally: Tally) -> float:
    """The share of imports that already use the canonical path, in percent."""
    canonical, other = tally.counts.get("canonical_imports", 0), fragmented(tally)
    return 100.0 if canonical + other == 0 else round(100 * canonical / (canonical + other), 1)


DESCRIPTOR = Descriptor(
    name="imports",
    section="rename",
    read=read,
    needles=needles,
    codemod="codemods.imports.codemod:ImportsCodemod",
    fast="codemods.imports.fast:analyze",
    declines="codemods.imports.text_check:declines",
    measure="codemods.imports.fast:measure",
    findings=(
        FindingKind(
            "deprecated-import",
            "Import from a deprecated location",
            "Import the name from its canonical module (`migrator run` rewrites it).",
        ),
        FindingKind(
            "aliased-import",
            "Canonical name imported or re-bound under another name",
            "Use the canonical name under its own name.",
        ),
        FindingKind(
            "indirect-import",
            "Canonical name imported through a re-exporting module",
            "Import the name from the module that defines it.",
        ),
        FindingKind(
            "string-reference",
            "String literal spells a deprecated dotted path",
            "Spell the canonical path (patch targets, import_module calls).",
        ),
    ),
    metrics=(
        counted("deprecated_imports", "deprecated-import"),
        counted("aliased_imports", "aliased-import"),
        counted("indirect_imports", "indirect-import"),
        Metric("fragmented_imports", FRAGMENTED, derive=fragmented),
        Metric("canonical_imports", ratcheted=False),
        Metric(
            "canonical_import_usage",
            FRAGMENTED,
            derive=canonical_usage,
            higher_is_better=True,
            percent=True,
        ),
        counted("string_references", "string-reference"),
    ),
)
