"""Find the files a run looks at: git's view of the tree, filtered by the spec's globs."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pathspec

from migrator.git import work_tree_files

# Outside a git repository these directories are never walked into.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".eggs",
    }
)


def matcher(patterns: Iterable[str]) -> pathspec.PathSpec:
    """A gitignore-style matcher for repository-relative POSIX paths."""
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def walked_files(root: Path) -> Iterator[str]:
    """Every file below root, skipping the usual virtualenv and build directories."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in DEFAULT_EXCLUDED_DIRS)
        relative = Path(directory).relative_to(root)
        for name in sorted(files):
            yield (relative / name).as_posix()


def in_scope(paths: Iterable[str], exclude: Iterable[str]) -> Callable[[str], bool] | None:
    """Whether a path matches `paths` and no `exclude` glob (None: every path does)."""
    excluded = matcher(exclude)
    scoped = None if tuple(paths) == ("**",) else matcher(paths)  # "**": every file
    if not excluded.patterns and scoped is None:
        return None
    return lambda name: (
        not excluded.match_file(name) and (scoped is None or scoped.match_file(name))
    )


def discover(
    root: Path,
    include: Iterable[str],
    exclude: Iterable[str] = (),
    paths: Iterable[str] = ("**",),
    path_exclude: Iterable[str] = (),
) -> list[str]:
    """Repository-relative paths of the regular files and symlinks the globs select, sorted."""
    candidates = work_tree_files(root)
    if candidates is None:
        candidates = list(walked_files(root))
    included = matcher(include)
    covers = in_scope(paths, [*exclude, *path_exclude])
    if covers is not None:
        candidates = [name for name in candidates if covers(name)]
    candidates = list(included.match_files(candidates))
    selected = []
    base = str(root)
    for name in candidates:
        try:
            mode = os.lstat(os.path.join(base, name)).st_mode
        except OSError:
            continue
        # Symbolic links stay: the runner reports them as skipped and never follows them.
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            selected.append(name)
    return selected
