"""A cheap repository pre-pass: what files outside a run import from the old locations.

The imports codemod is per file and pure; removing a compatibility alias (`Old = New` in a
deprecated module) needs one repository-level fact: does any file the run does not rewrite
import it? This computes that fact with the standard `ast` module (imports only) and hands it
to the codemods as plain data on the `RuleSet`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from codemods.base import FileContext, last_components
from codemods.rules import RuleSet
from migrator.discover import discover
from migrator.spec import Spec


def imported_paths(source: bytes, context: FileContext) -> set[str]:
    """Dotted `module.Name` paths a file's from-imports bring in, and the modules it imports."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
            if any(alias.name == "*" for alias in node.names):
                found.add(module)
    return found


def imported_outside(root: Path, spec: Spec, selected: Iterable[str]) -> frozenset[str]:
    """What the repository's other Python files import from the rename rules' old locations."""
    olds = [rule.old for rule in spec.rules.renames]
    needles = last_components(olds) | last_components(p.rpartition(".")[0] for p in olds)
    chosen = set(selected)
    found: set[str] = set()
    for path in discover(root, spec.include):
        if path in chosen or not path.endswith(".py"):
            continue
        try:
            source = (root / path).read_bytes()
        except OSError:
            continue
        if any(needle in source for needle in needles):
            found |= imported_paths(source, FileContext.from_path(path))
    return frozenset(found)


def with_repository_facts(
    root: Path, spec: Spec, rules: tuple[str, ...], selected: list[str]
) -> RuleSet:
    """The spec's rules, plus what the imports codemod needs to know about the rest."""
    if "imports" not in rules:
        return spec.rules
    return replace(spec.rules, imported_elsewhere=imported_outside(root, spec, selected))
