"""A cheap repository pre-pass: facts about other files that the per-file import rewrite needs.

The imports codemod is per file and pure. Two of its decisions need to know about the rest of
the repository, so this computes them up front, with the standard `ast` module (imports and
module-level assignments only), and hands them to the codemods as plain data on the `RuleSet`:

- `reexports`: a module that re-exports a moved name (`from .old import Name` or a
  compatibility alias `Old = New` at module level) makes `module.Name` an old path too; the
  files importing the name through it are rewritten to the canonical path.
- `imported_elsewhere`: what files outside the run import; a compatibility alias is removed only
  when none of them imports it.
- `own_objects`: a canonical name imported through another project module is an indirect import
  only when that module binds the canonical object (imports it, directly or through other
  re-exports); a module with its own class or function of that name is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from codemods.core.paths import PathMap, old_names
from codemods.core.rules import RenameRule, RuleSet
from codemods.core.values import FileContext, last_components
from migrator.engine.discover import discover
from migrator.engine.modules import ModuleIndex
from migrator.engine.reexports import binds_canonical
from migrator.spec import Spec


def _parse(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def imported_paths(tree: ast.Module, context: FileContext) -> set[str]:
    """Dotted `module.Name` paths a file's from-imports bring in, and the modules it imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                found.add(module if alias.name == "*" else f"{module}.{alias.name}")
    return found


def _top_level(tree: ast.Module) -> Iterable[ast.stmt]:
    """Module-level statements, including those of module-level try/except and if blocks."""
    for statement in tree.body:
        yield statement
        if isinstance(statement, ast.Try | ast.If):
            blocks = [statement.body, statement.orelse]
            if isinstance(statement, ast.Try):
                blocks += [h.body for h in statement.handlers]
            for block in blocks:
                yield from block


def _strings(node: ast.expr) -> set[str]:
    if not isinstance(node, ast.List | ast.Tuple):
        return set()
    return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def reexported(tree: ast.Module, context: FileContext, paths: PathMap) -> list[RenameRule]:
    """`module.Name` renames for the moved names this module re-exports: a package's
    module-level imports, the names in `__all__`, and compatibility aliases."""
    bound: dict[str, str] = {}  # name -> where it goes
    exported: set[str] = set()
    aliases = old_names(paths)
    for node in _top_level(tree):
        if isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                moved = paths.rename(f"{module}.{alias.name}")
                target = moved[1] if moved else f"{module}.{alias.name}"
                if moved or target in paths.canonical:
                    bound[alias.asname or alias.name] = target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Name) and value.id in bound:
                bound[target.id] = bound[value.id]
                if target.id in aliases:  # a compatibility alias, not a variable
                    exported.add(target.id)
            if isinstance(target, ast.Name) and target.id == "__all__":
                exported |= _strings(value)
    rules = []
    for name, target in bound.items():
        if not context.is_package and name not in exported:
            continue
        own = f"{context.module}.{name}"
        if own != target and paths.rename(own) is None and context.module:
            rules.append(RenameRule(own, target, "name"))
    return rules


def through_modules(tree: ast.Module, context: FileContext, paths: PathMap) -> set[tuple[str, str]]:
    """(module, name) of every canonical name the file imports from another project module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                if paths.indirect(context.module, module, alias.name) is not None:
                    found.add((module, alias.name))
    return found


def own_objects(index: ModuleIndex, paths: PathMap, through: Iterable[tuple[str, str]]) -> set[str]:
    """`module.Name` of the modules that bind something else than the canonical `Name`."""
    return {f"{m}.{n}" for m, n in through if not binds_canonical(index, paths, m, n)}


def repository_facts(root: Path, spec: Spec, selected: Iterable[str]) -> RuleSet:
    """The spec's rules plus the re-exports and outside imports of the repository's files."""
    rules = spec.rules
    paths = PathMap(rules)
    olds = [rule.old for rule in rules.renames]
    needles = last_components(olds) | last_components(paths.old_modules)
    needles |= {name.encode() for name in paths.canonical_by_name}
    through: set[tuple[str, str]] = set()
    chosen = set(selected)
    outside: set[str] = set()
    reexports: dict[str, RenameRule] = {}
    for path in discover(root, spec.include):
        if not path.endswith(".py") or (root / path).is_symlink():
            continue
        try:
            source = (root / path).read_bytes()
        except OSError:
            continue
        if not any(needle in source for needle in needles):
            continue
        tree = _parse(source)
        if tree is None:
            continue
        context = FileContext.from_path(path)
        for rule in reexported(tree, context, paths):
            reexports.setdefault(rule.old, rule)
        through |= through_modules(tree, context, paths)
        if path not in chosen:
            outside |= imported_paths(tree, context)
    ordered = tuple(reexports[old] for old in sorted(reexports))
    own = frozenset(own_objects(ModuleIndex(root), paths, through))
    return replace(rules, imported_elsewhere=frozenset(outside), reexports=ordered, own_objects=own)


def with_repository_facts(
    root: Path, spec: Spec, rules: tuple[str, ...], selected: list[str]
) -> RuleSet:
    """The rules a run's jobs get: with repository facts when the imports codemod runs."""
    if "imports" not in rules and "validators" not in rules:
        return spec.rules
    return repository_facts(root, spec, selected)
