"""The scan: discover files, analyze them with every codemod, and compute the metrics."""

from __future__ import annotations

from pathlib import Path

from codemods import codemod_names
from migrator.engine.cache import ResultCache
from migrator.engine.discover import discover
from migrator.engine.importers import ScanFacts
from migrator.engine.metrics import ScanReport, compute_metrics
from migrator.engine.modules import ModuleIndex
from migrator.engine.reexports import without_own_objects
from migrator.engine.runner import FileResult, Job, run_files
from migrator.engine.spec_check import with_module_facts
from migrator.progress import track
from migrator.spec import Spec


def scan(
    root: Path,
    spec: Spec,
    *,
    paths: tuple[str, ...] = ("**",),
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
    cache: bool = False,
    progress: bool = False,
    prefilter: bool = True,
    modules: ModuleIndex | None = None,
) -> ScanReport:
    """Measure every metric over the files the spec (and optional path globs) select.

    `cache` reuses the results of files unchanged since an earlier scan with the same spec;
    `progress` shows a bar on a terminal for long scans; `prefilter=False` parses every file;
    `modules`: the repository's modules as the caller already read them (the spec check's).
    A cached scan also stores the importer facts of the files it parses (`ScanFacts`).
    """
    files = discover(root, spec.include, spec.exclude, paths, exclude)
    modules = modules or ModuleIndex(root)
    rules = with_module_facts(spec.rules, root, modules)
    # With the cache, each file parsed leaves its importer facts for a later plan or run.
    facts = ScanFacts.of(spec.rules) if cache else None
    job = Job(str(root), rules, codemod_names(), prefilter=prefilter, facts=facts)
    store = ResultCache.for_job(root, job, spec.digest) if cache else None
    try:
        # An unchanged tree (same paths, same contents, same spec and code): the last report.
        # A cold cache holds none: the tree's key (git's shas) waits until the files are read.
        cold = store is not None and store.cold
        key = store.tree_key(files) if store and not cold else None
        known = store.recall(key) if store and key else None
        if known is not None:
            try:
                return ScanReport.from_dict(known)
            except (KeyError, TypeError, ValueError):
                pass  # an entry of another shape: scan
        results = run_files(job, files, jobs, cache=store)
        results = without_own_objects(results, rules, root, modules)
        if progress:
            results = track(results, len(files), "scanning")
        report = compute_metrics(results)
        if store and cold:
            key = store.tree_key(files)
        if store and key:
            store.remember(key, report.to_dict())
        return report
    finally:
        if store is not None:
            store.close()


def scan_results(
    root: Path,
    spec: Spec,
    *,
    jobs: int | None = None,
    cache: bool = True,
    progress: bool = False,
) -> list[FileResult]:
    """Every file's result over the whole selection (for metrics over several scopes)."""
    files = discover(root, spec.include, spec.exclude)
    job = Job(str(root), spec.rules, codemod_names())
    store = ResultCache.for_job(root, job, spec.digest) if cache else None
    try:
        results = run_files(job, files, jobs, cache=store)
        if progress:
            results = track(results, len(files), "scanning")
        return list(results)
    finally:
        if store is not None:
            store.close()
