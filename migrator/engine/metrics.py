"""Turn per-file results into the migration's metrics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codemods.core.values import Finding
from migrator.engine.runner import FileResult

# Finding rule -> the metric it counts toward.
RULE_METRICS = {
    "deprecated-import": "deprecated_imports",
    "aliased-import": "aliased_imports",
    "indirect-import": "indirect_imports",
    "string-reference": "string_references",
    "direct-instantiation": "direct_instantiations",
    "di-violation": "di_violations",
    "singleton": "singletons",
    "auth-bypass": "auth_bypasses",
}


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
    """Sum counts, union distinct names, and derive the ratios."""
    counts = {metric: 0 for metric in RULE_METRICS.values()}
    counts["canonical_imports"] = 0
    names: dict[str, set[str]] = {"token_validation_paths": set()}
    report = ScanReport(metrics={})
    for result in results:
        report.files_scanned += 1
        if result.error:
            report.errors.append({"path": result.path, "message": result.error})
        if result.skipped:
            report.skipped.append({"path": result.path, "reason": result.skipped})
        for finding in result.findings:
            metric = RULE_METRICS.get(finding.rule)
            if metric:
                counts[metric] += 1
        for metric, value in result.counts.items():
            counts[metric] = counts.get(metric, 0) + value
        for metric, values in result.names.items():
            names.setdefault(metric, set()).update(values)
        report.findings.extend(result.findings)
    fragmented = counts["deprecated_imports"] + counts["aliased_imports"]
    fragmented += counts["indirect_imports"]
    canonical = counts["canonical_imports"]
    usage = (
        100.0
        if canonical + fragmented == 0
        else round(100 * canonical / (canonical + fragmented), 1)
    )
    report.metrics = {
        "deprecated_imports": counts["deprecated_imports"],
        "aliased_imports": counts["aliased_imports"],
        "indirect_imports": counts["indirect_imports"],
        "fragmented_imports": fragmented,
        "canonical_imports": canonical,
        "canonical_import_usage": usage,
        "string_references": counts["string_references"],
        "direct_instantiations": counts["direct_instantiations"],
        "di_violations": counts["di_violations"],
        "singletons": counts["singletons"],
        "auth_bypasses": counts["auth_bypasses"],
        "token_validation_paths": len(names["token_validation_paths"]),
    }
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return report
