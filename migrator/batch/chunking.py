"""Cut a batch into commits of at most N files, keeping files that belong together together."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from codemods.core.values import FileContext
from migrator.engine.importers import import_targets, parse_or_none


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path)
    stem = name.name
    in_tests = any(part in ("tests", "test") for part in name.parts[:-1])
    test_name = stem.startswith("test_") or stem.endswith("_test.py") or stem == "conftest.py"
    return in_tests or test_name


def imported_modules(path: str, source: bytes) -> set[str]:
    """Absolute dotted names a file imports (`from a import b` yields `a` and `a.b`)."""
    tree = parse_or_none(source)
    if tree is None:
        return set()
    found: set[str] = set()
    for module, name in import_targets(tree, FileContext.from_path(path)):
        found.add(module)
        if name is not None:
            found.add(f"{module}.{name}")
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


def import_graph(
    paths: list[str], sources: Mapping[str, bytes], before: Mapping[str, bytes]
) -> dict[str, set[str]]:
    """For each path, the other paths (of `paths`) it imports, before or after the change."""
    modules = {FileContext.from_path(p).module: p for p in paths}
    modules.pop("", None)
    graph: dict[str, set[str]] = {}
    for path in paths:
        names = imported_modules(path, sources.get(path, b""))
        names |= imported_modules(path, before.get(path, b""))
        graph[path] = {modules[n] for n in names if n in modules and modules[n] != path}
    return graph


def provider_ranks(graph: dict[str, set[str]]) -> dict[str, int]:
    """0 for a file no other changed file imports; else one more than its importers' highest
    rank. A module then lands after every changed file that imports it, so an old name it drops
    is gone only once nothing in the batch still imports it (cycles count as one rank)."""
    importers: dict[str, set[str]] = {path: set() for path in graph}
    for path, imported in graph.items():
        for target in imported:
            importers[target].add(path)
    ranks: dict[str, int] = {}
    for start in sorted(graph):  # iterative depth-first search over importers
        if start in ranks:
            continue
        in_progress, stack = {start}, [(start, iter(sorted(importers[start])))]
        while stack:
            path, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                done = [ranks[i] + 1 for i in importers[path] if i in ranks]
                ranks[path] = max(done, default=0)  # importers still in progress: a cycle
                in_progress.discard(path)
                stack.pop()
            elif following not in ranks and following not in in_progress:
                in_progress.add(following)
                stack.append((following, iter(sorted(importers[following]))))
    return ranks


def units(paths: list[str], graph: dict[str, set[str]]) -> list[list[str]]:
    """Files that belong together: each changed file with the changed files it imports (a
    module with its tests, a caller with the module whose API it switches to)."""
    groups = _Groups(paths)
    for path, imported in graph.items():
        for target in imported:
            groups.union(path, target)
    collected: dict[str, list[str]] = {}
    for path in sorted(paths):
        collected.setdefault(groups.find(path), []).append(path)
    return sorted(collected.values(), key=lambda unit: unit[0])


def package_of(unit: list[str]) -> str:
    """The directory a unit is filed under: its first non-test file's directory."""
    anchor = next((p for p in unit if not is_test_file(p)), unit[0])
    return str(PurePosixPath(anchor).parent)


def cut_chunks(
    paths: list[str],
    sources: Mapping[str, bytes],
    limit: int,
    before: Mapping[str, bytes] | None = None,
) -> list[list[str]]:
    """Chunks of at most `limit` paths: files that import each other together where they fit,
    a package's files together where they fit, and a group larger than `limit` split with
    importers before the modules they import. `sources` is the new content, `before` the old
    (imports in either count)."""
    graph = import_graph(paths, sources, before or {})
    ranks = provider_ranks(graph)
    packages: dict[tuple[int, str], list[list[str]]] = {}
    for unit in units(paths, graph):
        unit.sort(key=lambda path: (ranks[path], path))
        key = (max(ranks[p] for p in unit), package_of(sorted(unit)))
        packages.setdefault(key, []).append(unit)
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
