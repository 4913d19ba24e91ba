"""The repository pre-passes of several runs over one unchanged tree, each computed once.

`plan` computes every batch of the spec against the same tree, one after the other. Each batch
needs repository facts (`importers`, `spec_check`, `name_importers`, `reexports`) that depend on
the tree and the spec, not on the batch, or on the batch only through its rules: read once, they
serve every batch. The per-file facts of the importers pre-pass are kept by path (the batches
differ only in which files they ask about and which of them count as outside the run), the
module index by module, and the whole-repository answers by what decides them. The worker
processes are shared too: one pool for every batch and pre-pass, started on first use.

The per-file results are shared as well, where they are the same by construction. A file's
result is a function of its content and the run's `Job` alone, so a later run with an equal job
takes an earlier run's result of the file instead of computing it again. Two runs whose jobs
differ only in `imported_elsewhere` (the imports of the files outside the run: `week-3` over
`netra_backend/**` and `week-4` over `**` in the default spec) give the same result for every
file that binds no compatibility alias of a moved name: that fact is read only to decide whether
such an alias can be removed (the importers pre-pass relies on the same: a small run whose files
bind no alias gets no outside imports at all). Those files share their results across both.

A `Prepass` must not outlive the tree it read: it is made for one command and closed with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from codemods.core.paths import PathMap
from codemods.core.rules import RuleSet
from migrator.engine.discover import Listing, discover
from migrator.engine.file_map import Result, here, pooled
from migrator.engine.importers import NeedleCensus, facts_namespace, with_repository_facts
from migrator.engine.modules import ModuleIndex
from migrator.engine.name_importers import flag_importers
from migrator.engine.needle_index import NeedleIndex
from migrator.engine.reexports import own_definitions
from migrator.engine.runner import FileResult, Job, ResultStore
from migrator.engine.spec_check import with_module_facts
from migrator.engine.workers import pool as worker_pool
from migrator.git import index_shas
from migrator.spec import Spec


class Prepass:
    """The facts a run's jobs get, from pre-passes shared by every run it is used for."""

    def __init__(
        self, root: Path, spec: Spec, jobs: int | None = None, *, batches: int = 1
    ) -> None:
        """`batches`: how many runs it serves; with more than one, the runs share one read
        of every file for their needles (`needle_index`)."""
        self.root, self.spec = root, spec
        self.batches = batches
        self._needles: NeedleIndex | None = None
        self._census: NeedleCensus | None = None  # a single run's: see `rules`
        self.workers = jobs or os.cpu_count() or 1
        self.modules = ModuleIndex(root)
        self.listing = Listing(root)  # the tree's files, listed once for every run and pre-pass
        self.file_facts: dict[str, dict] = {}  # importer facts by their namespace, then path
        self._own: dict[tuple[tuple[str, str], ...], frozenset[str]] = {}
        self._importers: tuple[tuple[str, tuple[str, ...]], ...] | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._results: dict[Job, dict[str, FileResult]] = {}  # by the job they are a result of

    def rules(self, selected: tuple[str, ...], files: list[str], *, cache: bool) -> RuleSet:
        """The spec's rules with the repository facts a run of these codemods over these
        files needs: what `compute_changes` hands its jobs. A single run has the facts
        pre-pass note which of the run's needles each file it reads holds (`worth_reading`)."""
        if self.batches <= 1 and self._census is None:
            needles = Job(str(self.root), self.spec.rules, tuple(selected)).needles
            self._census = NeedleCensus(needles) if needles else None
        facts = with_repository_facts(
            self.root,
            self.spec,
            selected,
            files,
            cache=cache,
            jobs=self.workers,
            known=self.file_facts,
            pool=self.pool,
            shas=self.shas if cache else None,
            listing=self.listing,
            whole=self.batches > 1,
            census=self._census,
        )
        facts = with_module_facts(facts, self.root, self.modules)
        if "flags" in selected:
            if self._importers is None:
                self._importers = flag_importers(self.root, self.spec, self.files, self.listing)
            facts = replace(facts, importers=self._importers)
        if "imports" in selected or "validators" in selected:
            key = tuple(sorted(PathMap(facts).canonical_by_name.items()))
            if key not in self._own:
                self._own[key] = own_definitions(
                    self.root, self.spec, facts, self.files, self.listing
                )
            facts = replace(facts, own_objects=self._own[key])
        return facts

    def worth_reading(self, job: Job, paths: list[str]) -> list[str]:
        """The files of `paths` a run of `job` must read: those the shared needle index (with
        several runs to serve) or the facts pre-pass's census (for one) says hold one of its
        needles, or cannot tell; all of them when neither looked for every needle or file."""
        if not job.prefilter:
            return paths
        if self.batches <= 1:
            census = self._census
            if census is None or not census.read:
                return paths
            index = NeedleIndex.of_census(census.words, census.held, census.read)
            return index.worth_reading(paths, job.needles)
        if self._needles is None:
            words = {
                needle
                for batch in self.spec.batches
                for needle in Job(str(self.root), self.spec.rules, batch.rules).needles
            }
            spec, listing = self.spec, self.listing
            every = discover(self.root, spec.include, spec.exclude, listing=listing)
            self._needles = NeedleIndex(words, every, self.files)
        return self._needles.worth_reading(paths, job.needles)

    @cached_property
    def shas(self) -> dict[str, str]:
        """The index's blob shas (`index_shas`), asked of git once for every store and memo."""
        return index_shas(self.root)

    def results(self, job: Job, store: ResultStore | None) -> ResultStore:
        """Where a run of `job` finds and leaves its per-file results: the results of earlier
        runs over this tree that are this job's too, then `store` (the result cache, if any)."""
        loose = replace(job, rules=replace(job.rules, imported_elsewhere=None))
        return _Shared(
            self._results.setdefault(job, {}),
            self._results.setdefault(loose, {}),
            self.file_facts.get(facts_namespace(self.spec.rules), {}),
            store,
        )

    def files(self, function: Callable[..., Result], paths: list[str], *args: Any) -> list[Result]:
        """A pre-pass's per-file work (`file_map`), in the worker processes when they pay."""
        if self.workers <= 1:
            return here(self.root)(function, paths, *args)
        return pooled(self.root, self.pool().map)(function, paths, *args)

    def pool(self) -> ProcessPoolExecutor:
        """The worker processes, started on first use, shared by every run until `close`."""
        if self._pool is None:
            self._pool = worker_pool(self.workers)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Prepass:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _Shared:
    """A run's per-file results, shared with the other runs of one `Prepass` (see the module
    docstring): a result is kept under the run's whole job, and for a file that binds no
    compatibility alias under the job without `imported_elsewhere`, which it does not read."""

    def __init__(
        self,
        exact: dict[str, FileResult],
        loose: dict[str, FileResult],
        file_facts: dict,
        store: ResultStore | None,
    ) -> None:
        self.exact, self.loose, self.file_facts, self.cache = exact, loose, file_facts, store

    def _kept(self, path: str) -> dict[str, FileResult]:
        """Where the file's result is kept: a file whose importer facts are unknown counts as
        one that binds an alias."""
        if path not in self.file_facts:
            return self.exact
        facts = self.file_facts[path]
        return self.exact if facts is not None and facts.alias else self.loose

    def lookup(self, paths: list[str]) -> dict[str, FileResult]:
        found = self.cache.lookup(paths) if self.cache is not None else {}
        reused = []
        for path in paths:
            if path not in found and path in self._kept(path):
                found[path] = self._kept(path)[path]
                reused.append(found[path])
        if reused and self.cache is not None:
            self.cache.store(reused)
        self._keep(found.values())
        return found

    def store(self, results: Iterable[FileResult]) -> None:
        results = list(results)
        self._keep(results)
        if self.cache is not None:
            self.cache.store(results)

    def _keep(self, results: Iterable[FileResult]) -> None:
        for result in results:
            if not (result.error and result.error.startswith("cannot read")):
                self._kept(result.path)[result.path] = result
