"""A whole run's answer for an unchanged tree: a second `run --dry-run` reads, never rewrites.

The key digests everything a change set depends on before any pre-pass runs: the tool and
its code, the spec, the rules and paths chosen, the running Python, and the content sha of
every file the pre-passes may read. Inside git those shas come from the index, so an
unchanged tree is recognised without reading a file. The document names the files with a
result and the per-file cache namespace that holds them; a miss in either is a full run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path

from migrator import __version__
from migrator.engine.cache import ResultCache, code_digest
from migrator.engine.discover import walked_files
from migrator.engine.runner import FileResult
from migrator.git import index_shas, work_tree_files
from migrator.spec import Spec


@functools.cache
def _engine_digest() -> str:
    """The pre-passes' code too (the per-file results' key covers only the codemods')."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


class RunMemo:
    """The remembered results of one kind of run over one exact tree."""

    def __init__(
        self,
        root: Path,
        spec: Spec,
        selection: tuple[object, ...],
        files: list[str],
        shas: dict[str, str] | None = None,
    ) -> None:
        """`shas`: the index's blob shas when the caller has them already (`index_shas`)."""
        parts = [__version__, code_digest(), _engine_digest(), spec.digest]
        parts.append(json.dumps(selection, default=list))
        parts.append(sys.version.split()[0])
        self.root = root
        self.shas = index_shas(root) if shas is None else shas  # once for every store of the run
        self.namespace = "run-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:28]
        # Every file a pre-pass may read: the run's files and every Python module.
        listed = work_tree_files(root)
        every = listed if listed is not None else walked_files(root)
        tree = sorted({*files, *(path for path in every if path.endswith(".py"))})
        with self._store() as store:  # each use closes its own: none holds the database
            self.key = store.tree_key(tree)

    def _store(self) -> ResultCache:
        return ResultCache(self.root, self.namespace, known_shas=self.shas)

    def recall(self) -> tuple[list[FileResult], int] | None:
        """The results and the number of files considered, if this tree was run before."""
        if not self.key:
            return None
        with self._store() as store:
            document = store.recall(self.key)
        if not isinstance(document, dict):
            return None
        try:
            paths, considered = list(document["paths"]), int(document["considered"])
            results = ResultCache(self.root, str(document["namespace"]), known_shas=self.shas)
        except (KeyError, TypeError, ValueError):
            return None
        try:
            found = results.lookup(paths)
        finally:
            results.close()
        if len(found) != len(paths):
            return None
        return [found[path] for path in paths], considered

    def remember(self, results: list[FileResult], considered: int, namespace: str) -> None:
        if self.key and namespace:
            paths = [result.path for result in results]
            document = {"paths": paths, "considered": considered, "namespace": namespace}
            with self._store() as store:
                store.remember(self.key, document)
