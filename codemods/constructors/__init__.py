"""The constructors codemod: direct construction of a deprecated class, and dependency-injection
violations of the new one.

`fast` is its one analysis (stdlib `ast`): it decides which calls convert, under which rule, or
why not, and which parameter each argument binds; `imports_plan` decides, from its scopes, the
new class's name at each call and the imports to add and to remove. `edits` writes that as text
edits. `codemod` is the rewrite: it applies the edits, and for the layouts they leave out,
`plan` finds the same decisions in a LibCST tree and `binding`, `calls` and `rewrite` write them
(`snippet`: one call or statement parsed alone).
`messages` holds the findings' words.
`fixtures/` holds its before/after pairs.
"""

from __future__ import annotations

import re
from typing import Any

from codemods.core.descriptor import Descriptor, FindingKind, Key, SpecReader, counted
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.values import last_components


def read(spec: SpecReader, value: Any, key: Key) -> ConstructorRule:
    """One `[[constructor]]` table: `old` and `new` class, `params`, `args` templates, and the
    `imports` and `classmethods` they need."""
    allowed = {"old", "new", "params", "classmethods", "args", "imports", "pending"}
    table = spec.table(value, key, allowed)
    spec.require(table, key, "old", "new", "params", "args")
    params = spec.strings(table["params"], (*key, "params"), spec.identifier)
    args_table = spec.table(
        table["args"],
        (*key, "args"),
        set(table["args"]) if isinstance(table["args"], dict) else set(),
    )
    args = tuple(
        (spec.identifier(k, (*key, "args", k)) and k, spec.string(v, (*key, "args", k)))
        for k, v in args_table.items()
    )
    for name, template in args:
        for used in re.findall(r"\{(\w+)\}", template):
            if used not in params:
                raise spec.fail(
                    (*key, "args", name), f"template uses `{{{used}}}`, which is not in params"
                )
    imports_value = table.get("imports", {})
    imports_table = spec.table(
        imports_value,
        (*key, "imports"),
        set(imports_value) if isinstance(imports_value, dict) else set(),
    )
    imports = tuple(
        (spec.identifier(k, (*key, "imports", k)), spec.dotted(v, (*key, "imports", k)))
        for k, v in imports_table.items()
    )
    return ConstructorRule(
        old=spec.dotted(table["old"], (*key, "old")),
        new=spec.dotted(table["new"], (*key, "new")),
        params=params,
        args=args,
        imports=imports,
        classmethods=spec.strings(
            table.get("classmethods", []), (*key, "classmethods"), spec.identifier
        ),
        pending=spec.boolean(table.get("pending", False), (*key, "pending")),
    )


def needles(rules: RuleSet) -> frozenset[bytes]:
    paths = [r.old for r in rules.constructors] + [r.new for r in rules.constructors]
    return last_components(paths)


DESCRIPTOR = Descriptor(
    name="constructors",
    section="constructor",
    read=read,
    needles=needles,
    codemod="codemods.constructors.codemod:ConstructorsCodemod",
    fast="codemods.constructors.fast:analyze",
    declines="codemods.constructors.fast:declines",
    findings=(
        FindingKind(
            "direct-instantiation",
            "Direct construction of a deprecated class",
            "Construct the canonical class through its factory-based signature.",
        ),
        FindingKind(
            "di-violation",
            "Canonical class constructed without a required dependency",
            "Pass every dependency explicitly; never a literal None.",
        ),
    ),
    metrics=(
        counted("direct_instantiations", "direct-instantiation"),
        counted("di_violations", "di-violation"),
    ),
)
