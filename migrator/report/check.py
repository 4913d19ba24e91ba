"""`migrator check`: the ratchet. Nothing may get worse than the baseline (or the final targets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from codemods import codemod_names, registry
from codemods.core.values import Finding
from migrator.engine.changes import compute_changes
from migrator.engine.metrics import ScanReport
from migrator.engine.scan import scan
from migrator.report import baseline as baselines
from migrator.report.baseline import Baseline, BaselineError, better, is_worse
from migrator.spec import Spec, Target


@dataclass
class Verdict:
    """What a check found: the lines to print, and whether it failed."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def add(self, other: Verdict) -> None:
        self.lines.extend(other.lines)
        self.failed = self.failed or other.failed


def spec_label(spec: Spec) -> str:
    return f"{spec.name}@{spec.digest}"


def measure(root: Path, spec: Spec, jobs: int | None = None) -> tuple[ScanReport, list[str]]:
    """Scan now; the findings' fingerprints."""
    report = scan(root, spec, jobs=jobs, cache=True)
    return report, baselines.fingerprints(root, report.findings)


def ratchet(
    root: Path,
    spec: Spec,
    path: Path,
    *,
    update: bool = False,
    allow_regression: bool = False,
    jobs: int | None = None,
) -> Verdict:
    """Check against the baseline at `path`; with `update`, tighten it (or create it)."""
    report, prints = measure(root, spec, jobs)
    current = baselines.build(report.metrics, report.findings, prints, spec_label(spec))
    if not path.is_file():
        if not update:
            raise BaselineError(
                f"{path}: no baseline yet (create it with `migrator check --update-baseline`)"
            )
        baselines.save(current, path)
        return Verdict(
            [f"wrote {path}: {len(current.metrics)} metrics, {len(current.findings)} findings"]
        )
    recorded = baselines.load(path)
    verdict = Verdict()
    if recorded.spec and recorded.spec != current.spec:
        verdict.lines.append(
            f"note: baseline recorded with spec {recorded.spec}, now {current.spec}"
        )
    verdict.add(against_baseline(report, prints, recorded))
    if update:
        following = tighten(recorded, current, allow_regression=allow_regression)
        if following.to_dict() != recorded.to_dict():
            baselines.save(following, path)
            verb = "reset" if allow_regression else "tightened"
            verdict.lines.append(f"{verb} {path}")
        else:
            verdict.lines.append(f"{path} unchanged")
        if allow_regression:
            verdict.failed = False
    return verdict


def against_baseline(report: ScanReport, prints: list[str], recorded: Baseline) -> Verdict:
    """Fail when any ratcheted metric is worse than recorded; list findings the baseline lacks."""
    verdict = Verdict()
    for metric, reference in sorted(recorded.metrics.items()):
        value = report.metrics.get(metric)
        if value is None:
            continue
        if is_worse(metric, value, reference):
            verdict.failed = True
            verdict.lines.append(
                f"regressed {metric}: {_number(value)} (baseline {_number(reference)})"
            )
        elif value != reference:
            verdict.lines.append(
                f"improved {metric}: {_number(value)} (baseline {_number(reference)}); "
                "run `migrator check --update-baseline` to lock it in"
            )
    new = [f for f, fp in zip(report.findings, prints, strict=True) if fp not in recorded.findings]
    if new:
        verdict.lines.append(f"{len(new)} new finding(s) not in the baseline:")
        verdict.lines.extend(f"  {_where(f)}" for f in new)
    if not verdict.failed:
        verdict.lines.append("ok: no metric is worse than the baseline")
    return verdict


def against_targets(report: ScanReport, targets: dict[str, Target]) -> Verdict:
    """Fail when any metric misses its final target; list the findings behind the misses."""
    verdict = Verdict()
    if not targets:
        verdict.lines.append("the spec has no targets")
    behind: set[str] = set()
    for metric, target in targets.items():
        value = report.metrics.get(metric)
        if value is None or target.met(value):
            continue
        verdict.failed = True
        verdict.lines.append(f"missed {metric}: {_number(value)} (target {target.describe()})")
        behind.update(registry.metric_rules().get(metric, ()))
    findings = [f for f in report.findings if f.rule in behind]
    if findings:
        verdict.lines.append(f"{len(findings)} finding(s) behind the missed targets:")
        verdict.lines.extend(f"  {_where(f)}" for f in findings)
    if not verdict.failed:
        verdict.lines.append(f"ok: every final target is met ({len(targets)} metrics)")
    return verdict


def tighten(recorded: Baseline, current: Baseline, *, allow_regression: bool) -> Baseline:
    """The next baseline: each metric at the better of the two values (or simply `current` when
    regressions are allowed); findings fixed since are dropped, new ones only join when allowed."""
    if allow_regression:
        return Baseline(dict(current.metrics), dict(current.findings), current.spec)
    metrics = {
        metric: better(metric, value, recorded.metrics[metric])
        if metric in recorded.metrics
        else value
        for metric, value in current.metrics.items()
    }
    findings = {fp: entry for fp, entry in current.findings.items() if fp in recorded.findings}
    return Baseline(metrics, findings, current.spec)


def would_change(root: Path, spec: Spec, jobs: int | None = None) -> Verdict:
    """Fail when any codemod of the spec would still rewrite a file."""
    change_set = compute_changes(root, spec, codemod_names(), jobs=jobs, cache=True)
    verdict = Verdict(failed=bool(change_set.changed))
    for result in change_set.changed:
        rules = ", ".join(sorted(result.changes))
        verdict.lines.append(f"would change {result.path} ({rules})")
    for result in change_set.errors:
        verdict.lines.append(f"error: {result.path}: {result.error}")
    if not verdict.failed:
        verdict.lines.append(f"ok: no rule would change any of {change_set.files_considered} files")
    return verdict


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: {finding.message}"


def _number(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)
