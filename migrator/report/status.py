"""`migrator status`: every batch's targets over the batch's own paths, the final targets over
the whole selection, from one (cached) scan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrator.batch.plan import target_rows
from migrator.engine.discover import in_scope
from migrator.engine.metrics import compute_metrics
from migrator.engine.scan import scan_results
from migrator.spec import Spec


@dataclass
class Measured:
    """The metrics of the whole selection, and of each batch's paths (as its run measures)."""

    metrics: dict[str, float]
    by_batch: dict[str, dict[str, float]]


def measure(root: Path, spec: Spec, jobs: int | None = None, progress: bool = False) -> Measured:
    """One scan through the result cache; each batch's metrics from the results in its paths."""
    results = scan_results(root, spec, jobs=jobs, progress=progress)
    by_batch = {}
    for batch in spec.batches:
        covers = in_scope(batch.paths, batch.exclude)
        scoped = results if covers is None else [r for r in results if covers(r.path)]
        by_batch[batch.name] = compute_metrics(scoped).metrics
    return Measured(compute_metrics(results).metrics, by_batch)


def status_targets(
    spec: Spec, metrics: dict[str, float], by_batch: dict[str, dict[str, float]] | None = None
) -> list[dict[str, object]]:
    """Every batch's targets (judged over its paths when `by_batch` has them) and the final
    ones (over `metrics`)."""
    by_batch = by_batch or {}
    scopes = [(b.targets, by_batch.get(b.name, metrics), b.name) for b in spec.batches]
    scopes.append((spec.final_targets(), metrics, "final"))
    return [
        {"scope": scope, "metric": metric, "value": value, "target": target, "met": met}
        for targets, measured, scope in scopes
        for metric, value, target, met in target_rows(measured, targets)
    ]
