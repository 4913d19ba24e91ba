"""Who imports what from the modules a flag cleanup may shrink: a cheap repository pre-pass.

Folding a bypass flag can leave a module-level name unused in its module (the import the flag's
`try` block guarded, its fallback). Other modules may still import that name from there; the
flags codemod keeps such names, and this pass tells it which they are (`RuleSet.importers`).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from pathlib import Path

from codemods.core.values import FileContext
from migrator.engine.discover import Listing, discover
from migrator.engine.file_map import FileMap, here
from migrator.engine.runner import needle_matcher, read_no_follow
from migrator.spec import Spec


def _sources(root: Path, paths: list[str]) -> Iterator[tuple[str, bytes]]:
    for path in paths:
        if not path.endswith(".py"):
            continue
        try:
            yield path, read_no_follow(str(root / path))
        except OSError:  # unreadable, or a symbolic link (never followed)
            continue


def _parse(source: bytes) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def flag_importers(
    root: Path, spec: Spec, files: FileMap | None = None, listing: Listing | None = None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`module.Name` -> the files that import `Name` from `module`, for every module that
    mentions a flag of the spec (the only modules the flags codemod shrinks). `files`: how
    the per-file work is run (default: in this process); `listing`: the tree as already read."""
    flags = tuple(flag.name.encode() for flag in spec.rules.flags)
    if not flags:
        return ()
    selected = discover(root, spec.include, spec.exclude, listing=listing)
    paths = [path for path in selected if path.endswith(".py")]
    run = files or here(root)
    mentioning = [path for chunk in run(_mentioning, paths, flags) for path in chunk]
    modules = {FileContext.from_path(path).module: path for path in mentioning}
    modules.pop("", None)
    if not modules:
        return ()
    found: dict[str, set[str]] = {}
    for chunk in run(_importing, paths, modules):
        for name, importers in chunk.items():
            found.setdefault(name, set()).update(importers)
    return tuple((name, tuple(sorted(files))) for name, files in sorted(found.items()))


def _mentioning(root: Path, paths: list[str], flags: tuple[bytes, ...]) -> list[str]:
    """The files of `paths` that spell one of the flags."""
    return [path for path, source in _sources(root, paths) if any(f in source for f in flags)]


def _importing(root: Path, paths: list[str], modules: dict[str, str]) -> dict[str, set[str]]:
    """`module.Name` -> the files of `paths` that import `Name` from one of `modules` (module
    -> its own file, which does not count)."""
    search = needle_matcher(tuple(sorted({m.rpartition(".")[2].encode() for m in modules})))
    found: dict[str, set[str]] = {}
    for path, source in _sources(root, paths):
        if search is None or not search.find_matches_as_indexes(source):
            continue
        tree = _parse(source)
        if tree is None:
            continue
        context = FileContext.from_path(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = context.resolve("." * node.level + (node.module or ""))
            if module not in modules or modules[module] == path:
                continue
            for alias in node.names:
                if alias.name != "*":
                    found.setdefault(f"{module}.{alias.name}", set()).add(path)
    return found
