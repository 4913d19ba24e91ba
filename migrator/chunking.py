"""Cut a batch into commits of at most N files, keeping files that belong together together."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import PurePosixPath

from codemods.base import FileContext


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path)
    stem = name.name
    in_tests = any(part in ("tests", "test") for part in name.parts[:-1])
    test_name = stem.startswith("test_") or stem.endswith("_test.py") or stem == "conftest.py"
    return in_tests or test_name


def imported_modules(path: str, source: bytes) -> set[str]:
    """Absolute dotted names a file imports (`from a import b` yields `a` and `a.b`)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    context = FileContext.from_path(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = context.resolve("." * node.level + (node.module or ""))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


class _Groups:
    """Union-find over paths."""

    def __init__(self, paths: list[str]) -> None:
        self.parent = {path: path for path in paths}

    def find(self, path: str) -> str:
        while self.parent[path] != path:
            self.parent[path] = self.parent[self.parent[path]]
            path = self.parent[path]
        return path

    def union(self, a: str, b: str) -> None:
        first, second = sorted((self.find(a), self.find(b)))
        self.parent[second] = first


def units(paths: list[str], sources: Mapping[str, bytes]) -> list[list[str]]:
    """Groups that must not be split if avoidable: a module with the test files importing it."""
    groups = _Groups(paths)
    modules = {FileContext.from_path(p).module: p for p in paths if not is_test_file(p)}
    modules.pop("", None)
    for path in paths:
        if not is_test_file(path):
            continue
        for name in imported_modules(path, sources.get(path, b"")):
            if name in modules:
                groups.union(path, modules[name])
    collected: dict[str, list[str]] = {}
    for path in sorted(paths):
        collected.setdefault(groups.find(path), []).append(path)
    return sorted(collected.values(), key=lambda unit: unit[0])


def package_of(unit: list[str]) -> str:
    """The directory a unit is filed under: its first non-test file's directory."""
    anchor = next((p for p in unit if not is_test_file(p)), unit[0])
    return str(PurePosixPath(anchor).parent)


def cut_chunks(paths: list[str], sources: Mapping[str, bytes], limit: int) -> list[list[str]]:
    """Chunks of at most `limit` paths: a package's units together where they fit, units whole
    where they fit, and only units larger than `limit` split."""
    packages: dict[str, list[list[str]]] = {}
    for unit in units(paths, sources):
        packages.setdefault(package_of(unit), []).append(unit)
    chunks: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        nonlocal current
        if current:
            chunks.append(current)
            current = []

    for package in sorted(packages):
        members = [p for unit in packages[package] for p in unit]
        if len(current) + len(members) <= limit:
            current.extend(members)
            continue
        close()
        for unit in packages[package]:
            if len(current) + len(unit) > limit:
                close()
            while len(unit) > limit:
                chunks.append(unit[:limit])
                unit = unit[limit:]
            current.extend(unit)
    close()
    return chunks
