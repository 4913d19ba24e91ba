"""Turn per-file results into the migration's metrics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codemods import registry
from codemods.core.descriptor import Tally
from codemods.core.values import Finding
from migrator.engine.runner import FileResult


@dataclass
class ScanReport:
    """A whole scan: metrics, findings, unreadable files, and how many files were looked at."""

    metrics: dict[str, float]
    findings: list = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    files_scanned: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "metrics": self.metrics,
            "findings": [f.to_dict() for f in self.findings],
            "errors": self.errors,
            "skipped": self.skipped,
            "files_scanned": self.files_scanned,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ScanReport:
        """The report `to_dict` gave (from the cache of a whole tree)."""
        return cls(
            metrics=dict(data["metrics"]),
            findings=[Finding(**finding) for finding in data["findings"]],
            errors=list(data["errors"]),
            skipped=list(data["skipped"]),
            files_scanned=int(data["files_scanned"]),
        )


def compute_metrics(results: Iterable[FileResult]) -> ScanReport:
    """Sum counts, union distinct names, and derive every registered codemod's metrics."""
    rule_metrics = registry.rule_metrics()
    counts: dict[str, int] = {}
    names: dict[str, set[str]] = {}
    report = ScanReport(metrics={})
    for result in results:
        report.files_scanned += 1
        if result.error:
            report.errors.append({"path": result.path, "message": result.error})
        if result.skipped:
            report.skipped.append({"path": result.path, "reason": result.skipped})
        for finding in result.findings:
            metric = rule_metrics.get(finding.rule)
            if metric:
                counts[metric] = counts.get(metric, 0) + 1
        for metric, value in result.counts.items():
            counts[metric] = counts.get(metric, 0) + value
        for metric, values in result.names.items():
            names.setdefault(metric, set()).update(values)
        report.findings.extend(result.findings)
    tally = Tally(counts, names)
    report.metrics = {metric.name: metric.value(tally) for metric in registry.metrics()}
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return report
