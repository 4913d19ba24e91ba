"""Plan batches: what each would change now, whether it landed, and its targets judged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from migrator.batch.history import History, history_of
from migrator.engine.changes import ChangeSet, compute_changes
from migrator.engine.prepass import Prepass
from migrator.git import open_repository
from migrator.progress import Bars
from migrator.spec import Batch, Spec, Target

T = TypeVar("T")


@dataclass
class BatchPlan:
    """What a batch would do now, and whether it already landed."""

    batch: Batch
    change_set: ChangeSet
    landed: bool
    rolled_back: bool

    def to_dict(self) -> dict[str, object]:
        changed = self.change_set.changed
        return {
            "name": self.batch.name,
            "rules": list(self.batch.rules),
            "paths": list(self.batch.paths),
            "exclude": list(self.batch.exclude),
            "files": len(changed),
            "changes": sum(sum(r.changes.values()) for r in changed),
            "changes_per_rule": dict(sorted(self.change_set.changes_per_rule().items())),
            "manual_review": [f.to_dict() for f in self.change_set.manual_review],
            "targets": {m: t.describe() for m, t in self.batch.targets.items()},
            "landed": self.landed,
            "rolled_back": self.rolled_back,
        }


def plan_batches(
    root: Path,
    spec: Spec,
    history: History,
    jobs: int | None,
    *,
    progress: bool = False,
    cache: bool = False,
) -> list[BatchPlan]:
    """Each batch's plan; `progress` shows a bar per batch on a terminal (stderr); `cache`
    reuses (and stores) per-file results and a whole batch's results for an unchanged tree.
    The batches share their repository pre-passes and worker processes (one `Prepass`): each
    is computed against the same tree, so what one read serves the next. With more than one
    worker, batches of different chains (`batch_chains`) are computed side by side, each chain
    from its own thread, so no worker waits for one slow file of another batch."""
    plans: dict[int, BatchPlan] = {}
    with Prepass(root, spec, jobs, batches=len(spec.batches)) as prepass, Bars() as bars:

        def plan_chain(chain: list[int]) -> None:
            for number in chain:
                batch = spec.batches[number]
                change_set = compute_changes(
                    root,
                    spec,
                    batch.rules,
                    batch.paths,
                    batch.exclude,
                    jobs,
                    progress=progress,
                    label=f"planning {batch.name} ({number + 1}/{len(spec.batches)})",
                    cache=cache,
                    prepass=prepass,
                    bars=bars,
                )
                plans[number] = _batch_plan(batch, change_set, history)

        chains = batch_chains(spec.batches)
        if prepass.workers <= 1 or len(chains) <= 1:
            for chain in chains:
                plan_chain(chain)
        else:
            prepass.start_workers()  # from the thread that outlives them all
            side_by_side(plan_chain, chains)
    return [plans[number] for number in sorted(plans)]


def batch_chains(batches: Sequence[Batch]) -> list[list[int]]:
    """The batches (their indexes, in order) that are computed one after the other: every
    batch that runs the imports codemod (they share the importer facts and, with equal rules,
    their per-file results), and batches of equal rules; each other batch alone."""
    chains: dict[object, list[int]] = {}
    for number, batch in enumerate(batches):
        key = "imports" if "imports" in batch.rules else tuple(sorted(batch.rules))
        chains.setdefault(key, []).append(number)
    return list(chains.values())


def side_by_side(work: Callable[[T], None], items: Sequence[T]) -> None:
    """`work` on every item, each in its own thread; the first error is raised once all are
    done (the shared pool would finish their queued work anyway)."""
    with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="plan") as threads:
        futures = [threads.submit(work, item) for item in items]
    for future in futures:
        future.result()


def _batch_plan(batch: Batch, change_set: ChangeSet, history: History) -> BatchPlan:
    commits = history.of_batch(batch.name)
    landed = history.landed(batch.name)
    return BatchPlan(batch, change_set, landed, bool(commits) and not landed)


def target_rows(
    metrics: dict[str, float], targets: dict[str, Target]
) -> list[tuple[str, float, str, bool]]:
    """(metric, value, target, met) for every target."""
    return [
        (name, metrics.get(name, 0), target.describe(), target.met(metrics.get(name, 0)))
        for name, target in targets.items()
    ]


def load_history(root: Path) -> History:
    repo = open_repository(root)
    return history_of(repo) if repo else History()
