"""Which needles each file holds, read once for every run over one unchanged tree.

Each run of `plan` reads every file of its paths in the workers only to find that most hold
none of its codemods' needles (a file without them has an empty result by construction: the
runner's prefilter). One pass over the tree for the needles of every batch tells each run
which files hold any of its own: only those are read again. A run whose needles the index did
not look for (repository facts may add some) reads every file, as without the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ahocorasick_rs import BytesAhoCorasick, Implementation

from migrator.engine.file_map import FileMap
from migrator.engine.runner import read_no_follow

# A file the index could not read: every run reads it itself, and reports what it finds.
UNREAD = frozenset({b""})


class NeedleIndex:
    """The needles (of `words`) each file of `paths` holds; files with none are left out."""

    def __init__(self, words: Iterable[bytes], paths: list[str], files: FileMap) -> None:
        self.words = frozenset(word for word in words if word)
        ordered = tuple(sorted(self.words))
        self.held: dict[str, frozenset[bytes]] = {}
        for chunk in files(_held_in, paths, ordered) if ordered else ():
            self.held.update(chunk)
        self.paths = frozenset(paths)

    @classmethod
    def of_census(
        cls, words: Iterable[bytes], held: dict[str, frozenset[bytes]], paths: Iterable[str]
    ) -> NeedleIndex:
        """The index a pass that read `paths` for other reasons took on its way (the words of
        `words` each holds: `importers.NeedleCensus`), not a pass of its own."""
        index = cls.__new__(cls)
        index.words = frozenset(word for word in words if word)
        index.held = dict(held)
        index.paths = frozenset(paths)
        return index

    def worth_reading(self, paths: list[str], needles: Iterable[bytes]) -> list[str]:
        """The files of `paths` a run with these needles must read: those holding one, those
        the index could not read, and every file when it did not look for all the needles or
        for some of the files."""
        wanted = frozenset(needle for needle in needles if needle)
        if not wanted <= self.words or not self.paths.issuperset(paths):
            return paths
        return [
            path
            for path in paths
            if path in self.held and (self.held[path] is UNREAD or self.held[path] & wanted)
        ]


def _held_in(root: Path, paths: list[str], words: tuple[bytes, ...]) -> dict[str, frozenset]:
    """For each file of `paths` holding one of `words`, the words it holds (UNREAD for a file
    that cannot be read, a symbolic link included)."""
    search = word_search(words)
    held: dict[str, frozenset] = {}
    for path in paths:
        try:
            source = read_no_follow(str(root / path))
        except OSError:
            held[path] = UNREAD
            continue
        found = held_words(search, words, source)
        if found:
            held[path] = found
    return held


def word_search(words: tuple[bytes, ...]) -> BytesAhoCorasick:
    """One search for every word of `words` (`held_words`)."""
    return BytesAhoCorasick(list(words), implementation=Implementation.DFA)


def held_words(search: BytesAhoCorasick, words: tuple[bytes, ...], source: bytes) -> frozenset:
    """The words of `words` (`search`: their `word_search`) that `source` holds, overlapping
    ones too."""
    return frozenset(
        words[index] for index, _start, _end in search.find_matches_as_indexes(source, True)
    )
