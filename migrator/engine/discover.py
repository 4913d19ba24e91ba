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


class Listing:
    """The tree's files and their kinds, read once for several runs over one unchanged tree
    (`plan`'s batches and their pre-passes): git's view (or a walk), and each file's `lstat`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._names: list[str] | None = None
        self._kept: dict[str, bool] = {}
        self.selections: dict[tuple[tuple[str, ...], ...], list[str]] = {}  # see `discover`

    def names(self) -> list[str]:
        """Every file git tracks or would track (outside git: every file walked), sorted."""
        if self._names is None:
            found = work_tree_files(self.root)
            self._names = found if found is not None else list(walked_files(self.root))
        return self._names

    def selectable(self, names: Iterable[str]) -> list[str]:
        """The names that are regular files or symbolic links (the runner reports a link as
        skipped and never follows it); a name gone since the listing is left out."""
        base = str(self.root)
        kept = self._kept
        selected = []
        for name in names:
            if name not in kept:
                try:
                    mode = os.lstat(os.path.join(base, name)).st_mode
                except OSError:
                    kept[name] = False
                else:
                    kept[name] = stat.S_ISREG(mode) or stat.S_ISLNK(mode)
            if kept[name]:
                selected.append(name)
        return selected


def discover(
    root: Path,
    include: Iterable[str],
    exclude: Iterable[str] = (),
    paths: Iterable[str] = ("**",),
    path_exclude: Iterable[str] = (),
    *,
    listing: Listing | None = None,
) -> list[str]:
    """Repository-relative paths of the regular files and symlinks the globs select, sorted.
    `listing`: the tree as already read (by earlier runs over it), else read now; it keeps
    each selection, which a run and its pre-passes ask for again and again."""
    listing = listing or Listing(root)
    key = (tuple(include), tuple(exclude), tuple(paths), tuple(path_exclude))
    if key not in listing.selections:
        candidates = listing.names()
        covers = in_scope(key[2], [*key[1], *key[3]])
        if covers is not None:
            candidates = [name for name in candidates if covers(name)]
        listing.selections[key] = listing.selectable(matcher(key[0]).match_files(candidates))
    return list(listing.selections[key])
