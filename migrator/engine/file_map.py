"""Work over many of a repository's files, a chunk at a time: here, or in worker processes.

A pre-pass that reads every file (the flag importers, the modules' own definitions) gives its
per-chunk function to a `FileMap`. `here` runs it in this process; a `Prepass` maps it over its
shared worker processes, so the pre-pass takes every core instead of one.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol, TypeVar

Result = TypeVar("Result")
CHUNK = 512  # files a task: a backend's 8,529 files make 17 tasks


class FileMap(Protocol):
    def __call__(
        self, function: Callable[..., Result], paths: list[str], *args: Any
    ) -> list[Result]:
        """`function(root, chunk, *args)` for each chunk of `paths`, results in chunk order."""
        ...


def here(root: Path) -> FileMap:
    """The map that runs each chunk in this process."""

    def run(function: Callable[..., Result], paths: list[str], *args: Any) -> list[Result]:
        return [function(root, paths[i : i + CHUNK], *args) for i in range(0, len(paths), CHUNK)]

    return run


def pooled(root: Path, submit_map: Callable[..., Any]) -> FileMap:
    """The map that sends the chunks to worker processes (`submit_map`: an executor's `map`)."""

    def run(function: Callable[..., Result], paths: list[str], *args: Any) -> list[Result]:
        chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
        if len(chunks) <= 1:
            return here(root)(function, paths, *args)
        return list(submit_map(function, repeat(root), chunks, *(repeat(a) for a in args)))

    return run
