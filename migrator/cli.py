"""The `migrator` command line: a thin Typer layer over the rest of the package."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from codemods import CODEMODS
from migrator import check as checks
from migrator import output
from migrator.baseline import BASELINE_FILENAME, BaselineError
from migrator.changes import compute_changes
from migrator.fileio import atomic_write
from migrator.ruff_config import render as render_ruff_config
from migrator.sarif import to_sarif
from migrator.scan import scan as run_scan
from migrator.spec import SPEC_FILENAME, Spec, SpecError, default_spec_text, load_spec

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="migrator",
    help="Carry a Python codebase through an API migration in safe, reviewable, gated batches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", help=f"Spec file (default: <PATH>/{SPEC_FILENAME}, else built-in)."),
]
JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")
]


class ScanFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error to stderr and return the exit to raise."""
    output.error(message)
    return typer.Exit(code)


def repository(path: Path) -> Path:
    if not path.exists():
        raise fail(f"{path}: no such directory")
    if not path.is_dir():
        raise fail(f"{path}: not a directory")
    return path.resolve()


def spec_for(root: Path, spec_path: Path | None) -> Spec:
    if spec_path is not None and not spec_path.is_file():
        raise fail(f"{spec_path}: spec file not found")
    try:
        spec = load_spec(spec_path, root)
    except SpecError as error:
        raise fail(str(error)) from None
    if spec_path is None and not (root / SPEC_FILENAME).is_file():
        output.note(f"no {SPEC_FILENAME} in {root}: using the built-in default spec")
    return spec


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Repository root.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing spec.")] = False,
) -> None:
    """Write the built-in default spec (ExecutionEngine SSOT migration) to migration.toml."""
    root = repository(path)
    target = root / SPEC_FILENAME
    if target.exists() and not force:
        raise fail(f"{target}: already exists (use --force to overwrite)")
    target.write_text(default_spec_text(), "utf-8")
    output.note(f"wrote {target}")


@app.command()
def scan(
    path: Annotated[Path, typer.Argument(help="Repository root.")] = Path("."),
    spec: SpecOption = None,
    format: Annotated[ScanFormat, typer.Option("--format", "-f")] = ScanFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Measure the migration: metrics and findings, from syntax trees."""
    root = repository(path)
    loaded = spec_for(root, spec)
    report = run_scan(root, loaded, jobs=jobs)
    if format is ScanFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif format is ScanFormat.sarif:
        sys.stdout.write(json.dumps(to_sarif(report, root), indent=2) + "\n")
    else:
        output.print_scan(report)


@app.command()
def run(
    batch: Annotated[str | None, typer.Argument(help="Batch name from the spec.")] = None,
    path: Annotated[Path, typer.Option("--repo", help="Repository root.")] = Path("."),
    spec: SpecOption = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only these rules (repeatable).")
    ] = None,
    paths: Annotated[
        list[str] | None, typer.Option("--path", help="Only files matching this glob (repeatable).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the files; no gate, no commit.")
    ] = False,
    jobs: JobsOption = None,
) -> None:
    """Apply a batch (or the chosen rules) to the repository."""
    root = repository(path)
    loaded = spec_for(root, spec)
    selection = select(loaded, batch, rule or [], paths or [])
    change_set = compute_changes(root, loaded, *selection, jobs=jobs)
    if dry_run:
        output.print_diff(change_set)
        output.print_change_summary(change_set, wrote=False)
        return
    if no_commit:
        for result in change_set.changed:
            atomic_write(root / result.path, result.new or b"")
        output.print_change_summary(change_set, wrote=True)
        return
    raise fail("committing batches is not available yet: use --dry-run or --no-commit")


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="Repository root.")] = Path("."),
    spec: SpecOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help=f"Baseline file (default: <PATH>/{BASELINE_FILENAME})."),
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Tighten the baseline (create it if absent).")
    ] = False,
    allow_regression: Annotated[
        bool,
        typer.Option("--allow-regression", help="With --update-baseline: accept worse metrics."),
    ] = False,
    targets: Annotated[
        bool, typer.Option("--targets", help="Compare with the spec's final targets instead.")
    ] = False,
    would_change: Annotated[
        bool, typer.Option("--would-change", help="Fail if any rule would still change code.")
    ] = False,
    jobs: JobsOption = None,
) -> None:
    """Fail (exit 1) when the migration went backwards: the ratchet for CI and pre-commit."""
    root = repository(path)
    loaded = spec_for(root, spec)
    if allow_regression and not update_baseline:
        raise fail("--allow-regression only applies with --update-baseline")
    verdict = checks.Verdict()
    if would_change:
        verdict.add(checks.would_change(root, loaded, jobs))
    if targets:
        report = checks.measure(root, loaded, jobs)[0]
        verdict.add(checks.against_targets(report, loaded.final_targets()))
    if not (would_change or targets) or baseline is not None or update_baseline:
        try:
            verdict.add(
                checks.ratchet(
                    root,
                    loaded,
                    baseline or root / BASELINE_FILENAME,
                    update=update_baseline,
                    allow_regression=allow_regression,
                    jobs=jobs,
                )
            )
        except BaselineError as error:
            raise fail(str(error)) from None
    for line in verdict.lines:
        typer.echo(line)
    if verdict.failed:
        raise typer.Exit(EXIT_FAILED)


@app.command("ruff-config")
def ruff_config(
    path: Annotated[Path, typer.Argument(help="Repository root.")] = Path("."),
    spec: SpecOption = None,
    ruff_toml: Annotated[
        bool, typer.Option("--ruff-toml", help="Emit for ruff.toml instead of pyproject.toml.")
    ] = False,
) -> None:
    """Print ruff's banned-api table (TID251): every old path, with its canonical import."""
    loaded = spec_for(repository(path), spec)
    flavour = "ruff.toml" if ruff_toml else "pyproject"
    typer.echo(render_ruff_config(loaded.rules, flavour), nl=False)


def select(
    spec: Spec, batch: str | None, rules: list[str], paths: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The rules, path globs and excludes a run covers."""
    unknown = [name for name in rules if name not in CODEMODS]
    if unknown:
        raise fail(f"unknown rule `{unknown[0]}` (rules: {', '.join(CODEMODS)})")
    if batch is not None:
        try:
            chosen = spec.batch(batch)
        except SpecError as error:
            raise fail(str(error)) from None
        selected = tuple(r for r in chosen.rules if not rules or r in rules)
        return selected, tuple(paths) or chosen.paths, chosen.exclude
    return tuple(rules) or tuple(CODEMODS), tuple(paths) or ("**",), ()


def main() -> None:
    app()
