"""`migrator status`: every batch's targets and the final ones, judged against the metrics."""

from __future__ import annotations

from migrator.batch.plan import target_rows
from migrator.spec import Spec


def status_targets(spec: Spec, metrics: dict[str, float]) -> list[dict[str, object]]:
    """Every batch's targets and the final ones, judged against `metrics`."""
    scopes = [(b.name, b.targets) for b in spec.batches] + [("final", spec.final_targets())]
    return [
        {"scope": scope, "metric": metric, "value": value, "target": target, "met": met}
        for scope, targets in scopes
        for metric, value, target, met in target_rows(metrics, targets)
    ]
