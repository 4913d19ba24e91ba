"""Compute what a set of codemods would change, without writing anything."""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from codemods import codemod_names
from codemods.core.values import Finding
from migrator.engine.cache import ResultCache
from migrator.engine.discover import discover
from migrator.engine.prepass import Prepass
from migrator.engine.run_memo import RunMemo
from migrator.engine.runner import FileResult, Job, run_files
from migrator.progress import track
from migrator.spec import Spec


@dataclass
class ChangeSet:
    """The outcome of running codemods over a selection of files."""

    results: list[FileResult] = field(default_factory=list)
    files_considered: int = 0
    namespace: str = ""  # the per-file cache's, when the results were cached

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.results if r.changed]

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.error]

    @property
    def manual_review(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings if f.manual_review]

    def changes_per_rule(self) -> Counter[str]:
        """Edits each rule made, summed over files."""
        counts: Counter[str] = Counter()
        for result in self.changed:
            counts.update(result.changes)
        return counts

    def files_per_rule(self) -> Counter[str]:
        """How many files each rule changed."""
        return Counter(rule for result in self.changed for rule in result.changes)


def ordered_rules(selected: tuple[str, ...]) -> tuple[str, ...]:
    """The selected codemods in the one order they always run in."""
    return tuple(name for name in codemod_names() if name in selected)


def compute_changes(
    root: Path,
    spec: Spec,
    rules: tuple[str, ...],
    paths: tuple[str, ...] = ("**",),
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
    *,
    cache: bool = False,
    progress: bool = False,
    label: str = "rewriting",
    facts_cache: bool = True,
    prepass: Prepass | None = None,
    diffs: bool = False,
) -> ChangeSet:
    """What the codemods would change. `cache`: reuse per-file results; `facts_cache`: reuse
    the repository pre-pass's per-file facts (off only with `--no-cache`); `prepass`: the
    pre-passes and worker processes shared with other runs over this same tree (`plan`'s
    batches), else this run's own; `diffs`: a preview, whose workers make each changed file's
    diff (`FileResult.diff`) as they go."""
    with Prepass(root, spec, jobs) if prepass is None else nullcontext(prepass) as shared:
        files = discover(root, spec.include, spec.exclude, paths, exclude, listing=shared.listing)
        selection = (rules, paths, exclude, facts_cache)
        memo = RunMemo(root, spec, selection, files, shared.shas) if cache else None
        recalled = memo.recall() if memo else None
        if recalled is not None:
            return ChangeSet(*recalled)
        change_set = _compute(
            root, spec, rules, files, cache, progress, label, facts_cache, shared, diffs
        )
    if memo:
        memo.remember(change_set.results, change_set.files_considered, change_set.namespace)
    return change_set


def _compute(
    root: Path,
    spec: Spec,
    rules: tuple[str, ...],
    files: list[str],
    cache: bool,
    progress: bool,
    label: str,
    facts_cache: bool,
    prepass: Prepass,
    diffs: bool = False,
) -> ChangeSet:
    facts = prepass.rules(rules, files, cache=cache or facts_cache)
    job = Job(str(root), facts, ordered_rules(rules), transform=True, diffs=diffs)
    store = ResultCache.for_job(root, job, spec.digest, prepass.shas) if cache else None
    try:
        namespace = store.namespace if store else ""
        shared = prepass.results(job, store)
        # A cold run reads only the files holding its needles: the others' results are empty,
        # and kept as such for the next run. A warm one finds most results in its cache.
        wanted = prepass.worth_reading(job, files) if store is None or store.cold else files
        if len(wanted) < len(files):
            needed = set(wanted)
            shared.store(FileResult(path) for path in files if path not in needed)
        stream = run_files(job, wanted, prepass.workers, cache=shared, pool=prepass.pool)
        if progress:
            stream = track(stream, len(wanted), label)
        results = [r for r in stream if r.changed or r.error or r.findings]
    finally:
        if store is not None:
            store.close()
    return ChangeSet(results, len(files), namespace)
