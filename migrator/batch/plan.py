"""Plan batches: what each would change now, whether it landed, and its targets judged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrator.batch.history import History, history_of
from migrator.engine.changes import ChangeSet, compute_changes
from migrator.engine.prepass import Prepass
from migrator.git import open_repository
from migrator.spec import Batch, Spec, Target


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
    is computed against the same tree, so what one read serves the next."""
    plans = []
    with Prepass(root, spec, jobs, batches=len(spec.batches)) as prepass:
        for number, batch in enumerate(spec.batches, 1):
            label = f"planning {batch.name} ({number}/{len(spec.batches)})"
            change_set = compute_changes(
                root,
                spec,
                batch.rules,
                batch.paths,
                batch.exclude,
                jobs,
                progress=progress,
                label=label,
                cache=cache,
                prepass=prepass,
            )
            plans.append(_batch_plan(batch, change_set, history))
    return plans


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
