"""Terminal output: results to stdout, progress and messages to stderr (Rich, NO_COLOR aware)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from migrator.changes import ChangeSet
from migrator.diffs import colourize, unified_diff
from migrator.metrics import ScanReport

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    stderr.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)


def note(message: str) -> None:
    stderr.print(message, markup=False)


def print_scan(report: ScanReport) -> None:
    metrics = Table(title="Metrics", title_justify="left")
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for name, value in report.metrics.items():
        metrics.add_row(name, f"{value:.1f}" if isinstance(value, float) else str(value))
    stdout.print(metrics)
    for finding in report.findings:
        review = "  [manual review]" if finding.manual_review else ""
        location = f"{finding.path}:{finding.line}:{finding.column}"
        stdout.print(f"{location}: {finding.rule}: {finding.message}{review}", markup=False)
    for problem in report.errors:
        stdout.print(f"error: {problem['path']}: {problem['message']}", markup=False)
    for skipped in report.skipped:
        stdout.print(f"skipped: {skipped['path']}: {skipped['reason']}", markup=False)
    stdout.print(f"{report.files_scanned} files scanned", markup=False)


def print_diff(change_set: ChangeSet) -> None:
    """The unified diff on stdout: plain bytes when piped, coloured on a terminal."""
    for result in change_set.changed:
        diff = unified_diff(result.path, result.original or b"", result.new or b"")
        if stdout.is_terminal and not stdout.no_color:
            stdout.print(colourize(diff), markup=True, highlight=False)
        else:
            stdout.file.flush()
            sys.stdout.buffer.write(diff)
            sys.stdout.buffer.flush()


def print_change_summary(change_set: ChangeSet, *, wrote: bool) -> None:
    """Files, changes per rule and findings that need review, on stderr."""
    changed = change_set.changed
    verb = "changed" if wrote else "would change"
    note(f"{len(changed)} of {change_set.files_considered} files {verb}")
    for rule, count in sorted(change_set.changes_per_rule().items()):
        note(f"  {rule}: {count} file(s)")
    for result in change_set.errors:
        note(f"error: {result.path}: {result.error}")
    review = change_set.manual_review
    if review:
        note(f"{len(review)} finding(s) need manual review:")
        for finding in review:
            note(f"  {finding.path}:{finding.line}:{finding.column}: {finding.message}")
