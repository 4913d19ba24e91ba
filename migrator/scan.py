"""The scan: discover files, analyze them with every codemod, and compute the metrics."""

from __future__ import annotations

from pathlib import Path

from codemods import CODEMODS
from migrator.discover import discover
from migrator.metrics import ScanReport, compute_metrics
from migrator.runner import Job, run_files
from migrator.spec import Spec


def scan(
    root: Path,
    spec: Spec,
    *,
    paths: tuple[str, ...] = ("**",),
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
) -> ScanReport:
    """Measure every metric over the files the spec (and optional path globs) select."""
    files = discover(root, spec.include, spec.exclude, paths, exclude)
    job = Job(str(root), spec.rules, tuple(CODEMODS))
    return compute_metrics(run_files(job, files, jobs))
