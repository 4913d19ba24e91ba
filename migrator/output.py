"""Terminal output: results to stdout, progress and messages to stderr (Rich, NO_COLOR aware)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from migrator.engine.changes import ChangeSet
from migrator.engine.diffs import colourize
from migrator.engine.metrics import ScanReport

if TYPE_CHECKING:
    from rich.table import Table

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    stderr.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)


def note(message: str) -> None:
    stderr.print(message, markup=False)


def table(title: str) -> Table:
    """A table whose title and cells (given through `row`) are shown as written, not as markup."""
    from rich.table import Table  # loaded by the commands that print a table only

    return Table(title=Text(title, style="table.title"), title_justify="left")


def row(table: Table, *cells: str) -> None:
    table.add_row(*(Text(cell) for cell in cells))


def print_scan(report: ScanReport) -> None:
    metrics = table("Metrics")
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for name, value in report.metrics.items():
        row(metrics, name, _value(value))
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


def print_diff(change_set: ChangeSet, diffs: list[bytes] | None = None) -> None:
    """The unified diff on stdout: plain bytes when piped, coloured on a terminal. `diffs`:
    each changed file's diff, already made (`migrator.engine.diff_cache`)."""
    if diffs is None:
        diffs = [result.unified_diff() for result in change_set.changed]
    if stdout.is_terminal and not stdout.no_color:
        for diff in diffs:
            stdout.print(colourize(diff), markup=True, highlight=False)
        return
    stdout.file.flush()
    sys.stdout.buffer.write(b"".join(diffs))  # one write: a pipe takes it whole
    sys.stdout.buffer.flush()


def print_change_summary(change_set: ChangeSet, *, wrote: bool) -> None:
    """Files, changes per rule and findings that need review, on stderr."""
    changed = change_set.changed
    verb = "changed" if wrote else "would change"
    note(f"{len(changed)} of {change_set.files_considered} files {verb}")
    files = change_set.files_per_rule()
    for rule, count in sorted(change_set.changes_per_rule().items()):
        note(f"  {rule}: {count} change(s) in {files[rule]} file(s)")
    for result in change_set.errors:
        note(f"error: {result.path}: {result.error}")
    review = change_set.manual_review
    if review:
        note(f"{len(review)} finding(s) need manual review:")
        for finding in review:
            note(f"  {finding.path}:{finding.line}:{finding.column}: {finding.message}")


# ---- batches -----------------------------------------------------------------------------
def _value(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def show_hunk(text: str) -> None:
    """One hunk of `run --interactive`, on stderr, coloured on a terminal."""
    if stderr.is_terminal and not stderr.no_color:
        stderr.print(colourize(text.encode()), markup=True, highlight=False)
    else:
        stderr.print(text.rstrip("\n"), markup=False, highlight=False)


def print_targets(rows: list[dict[str, object]], title: str = "Targets") -> None:
    targets = table(title)
    for column in ("metric", "value", "target", "met"):
        targets.add_column(column, justify="right" if column == "value" else "left")
    for target in rows:
        row(
            targets,
            str(target["metric"]),
            _value(target["value"]),
            str(target["target"]),
            "yes" if target["met"] else "NO",
        )
    stdout.print(targets)


def print_run_result(record: dict) -> None:
    """A finished run: its chunks and commits, then the metrics against the batch's targets."""
    for chunk in record.get("chunks", []):
        commit = str(chunk.get("commit") or "-")[:12]
        gates = ", ".join("passed" if g["passed"] else "FAILED" for g in chunk["gates"]) or "none"
        stdout.print(
            f"chunk {chunk['index']}: {len(chunk['files'])} file(s), gate {gates}, "
            f"{chunk.get('status', '?')} {commit}",
            markup=False,
        )
    for skipped in record.get("skipped_by_user", []):
        stdout.print(f"skipped by you: {skipped['path']} {skipped['hunk']}", markup=False)
    for entry in record.get("files", []):
        if entry.get("error"):
            stdout.print(f"error: {entry['path']}: {entry['error']}", markup=False)
        for finding in entry.get("manual_review", []):
            stdout.print(
                f"manual review: {finding['path']}:{finding['line']}: {finding['message']}",
                markup=False,
            )
    if record.get("targets"):
        print_targets(record["targets"], f"Targets of {record['batch']} (over its paths)")


def print_plan(plans: list[dict]) -> None:
    for plan in plans:
        state = "landed" if plan["landed"] else "rolled back" if plan["rolled_back"] else "to do"
        stdout.print(f"{plan['name']}  [{state}]", markup=False, style="bold")
        stdout.print(f"  rules: {', '.join(plan['rules'])}", markup=False)
        paths = ", ".join(plan["paths"])
        if plan["exclude"]:
            paths += f" (excluding {', '.join(plan['exclude'])})"
        stdout.print(f"  paths: {paths}", markup=False)
        per_rule = ", ".join(f"{r}: {n}" for r, n in plan["changes_per_rule"].items())
        stdout.print(
            f"  now: {plan['files']} file(s), {plan['changes']} change(s)"
            + (f" ({per_rule})" if per_rule else ""),
            markup=False,
        )
        targets = ", ".join(f"{m} {t}" for m, t in plan["targets"].items()) or "none"
        stdout.print(f"  targets: {targets}", markup=False)
        review = plan["manual_review"]
        if review:
            stdout.print(f"  manual review: {len(review)} finding(s)", markup=False)
            for finding in review:
                stdout.print(
                    f"    {finding['path']}:{finding['line']}: {finding['message']}", markup=False
                )


def print_status(spec, metrics: dict[str, float], history, by_batch=None) -> None:
    """The remediation-plan table (metric, current, week, week target judged over the week's
    paths with that value first, final target), then the batch history read from git
    trailers."""
    from migrator.batch.plan import target_rows

    by_batch = by_batch or {}
    metrics_now = table("Metrics now, against the plan's targets (a week's over its paths)")
    metrics_now.add_column("metric", no_wrap=True)
    metrics_now.add_column("current", justify="right", no_wrap=True)
    metrics_now.add_column("week", no_wrap=True)
    metrics_now.add_column("week target", no_wrap=True)
    metrics_now.add_column("final target", no_wrap=True)
    final = spec.final_targets()
    for metric, value in metrics.items():
        weeks = [(b.name, b.targets[metric]) for b in spec.batches if metric in b.targets]
        final_cell = (
            _judged(target_rows(metrics, {metric: final[metric]})) if metric in final else ""
        )
        for index, (week, target) in enumerate(weeks or [("", None)]):
            scoped = by_batch.get(week, metrics)
            judged = _judged(target_rows(scoped, {metric: target})) if target else ""
            week_cell = f"{_value(scoped.get(metric, 0))} {judged}" if target else ""
            first = index == 0
            row(
                metrics_now,
                metric if first else "",
                _value(value) if first else "",
                week,
                week_cell,
                final_cell if first else "",
            )
    stdout.print(metrics_now)
    stdout.print("Batch history (from git trailers)", style="italic", markup=False)
    if not history.commits:
        stdout.print("  no batch has landed yet", markup=False)
    for commit in history.commits:
        author = commit.author.split(" <")[0]
        rolled = (
            f"ROLLED BACK by {commit.rolled_back_by[:10]}" if commit.rolled_back else "in effect"
        )
        stdout.print(
            f"  {commit.batch} {commit.chunk}  {commit.sha[:10]}  "
            f"{commit.date[:16].replace('T', ' ')}  {author}  {len(commit.files)} file(s)  "
            f"gate {commit.gate}  {rolled}",
            markup=False,
        )
        keys = _batch_keys(spec, commit.batch)
        after = {k: v for k, v in (commit.metrics_after or {}).items() if k in keys}
        if after:
            shown = ", ".join(f"{k}={_value(v)}" for k, v in after.items())
            stdout.print(f"      after: {shown}", markup=False)


def _judged(rows: list[tuple[str, float, str, bool]]) -> str:
    _metric, _value_now, target, met = rows[0]
    return f"{target} {'ok' if met else 'NOT MET'}"


def _batch_keys(spec, batch: str) -> set[str]:
    for candidate in spec.batches:
        if candidate.name == batch:
            return set(candidate.targets)
    return set()


def print_rollback(result, *, dry_run: bool) -> None:
    if result.already:
        note(f"{result.target}: already rolled back; nothing to do")
        return
    verb = "would revert" if dry_run else "reverted"
    for commit in result.commits:
        stdout.print(f"{verb} {commit.sha[:12]} {commit.batch} ({commit.chunk})", markup=False)
    if not dry_run:
        note(
            f"rolled back {result.target}: {len(result.reverts)} revert commit(s) "
            f"in {result.seconds:.2f}s"
        )
