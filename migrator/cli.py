"""The `migrator` command line: a thin Typer layer over the rest of the package."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codemods import codemod_names
from migrator import output
from migrator.engine.fileio import atomic_write
from migrator.engine.scan import scan as run_scan
from migrator.report.baseline import BASELINE_FILENAME
from migrator.spec import (
    SPEC_FILENAME,
    Batch,
    Spec,
    SpecError,
    default_spec_text,
    glob_problem,
    load_spec,
)

if TYPE_CHECKING:
    from migrator.batch.run import ChosenChanges
    from migrator.engine.changes import ChangeSet
    from migrator.engine.modules import ModuleIndex

# Each command imports what only it needs (git, the reports, the rewrite path) inside its
# body: a cached `migrator scan` in pre-commit should not pay for loading them.

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="migrator",
    help="Carry a Python codebase through an API migration in safe, reviewable, gated batches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

SpecOption = Annotated[
    Path | None,
    typer.Option("--spec", help=f"Spec file (default: <PATH>/{SPEC_FILENAME}, else built-in)."),
]
JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
]
RepoPath = Annotated[Path, typer.Argument(help="Repository root.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print it as JSON to stdout.")]


def print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


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


def check_against(
    root: Path,
    spec: Spec,
    *,
    strict: bool,
    rules: tuple[str, ...] | None = None,
    modules: ModuleIndex | None = None,
) -> None:
    """The spec's paths against the repository: refuse (exit 2) a problem of a rule that runs
    (`rules`; None: every rule), warn about the others; one line a problem (`modules`: the
    repository's modules, read once for the check and what follows it)."""
    from migrator.engine.spec_check import check_spec

    problems = check_spec(spec, root, modules)
    refused = [p for p in problems if strict and p.fatal and p.applies_to(rules)]
    for problem in problems:
        if problem in refused:
            output.error(str(problem))
        else:
            output.note(f"warning: {problem}")
    if refused:
        raise typer.Exit(EXIT_USAGE)


@app.command()
def init(
    path: RepoPath = Path("."),
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
    path: RepoPath = Path("."),
    spec: SpecOption = None,
    format: Annotated[ScanFormat, typer.Option("--format", "-f")] = ScanFormat.text,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    libcst: Annotated[
        bool,
        typer.Option(
            "--libcst",
            hidden=True,
            help="Ignored: every codemod decides in one `ast` analysis now.",
        ),
    ] = False,
) -> None:
    """Measure the migration: metrics and findings, from syntax trees."""
    from migrator.engine.modules import ModuleIndex
    from migrator.report.sarif import to_sarif

    root = repository(path)
    loaded = spec_for(root, spec)
    modules = ModuleIndex(root)
    check_against(root, loaded, strict=False, modules=modules)
    if libcst:
        output.note(
            "warning: --libcst is ignored: each codemod has one analysis now (stdlib `ast`); "
            "a file in newer syntax than this Python's is reported, not guessed at"
        )
    report = run_scan(root, loaded, jobs=jobs, cache=not no_cache, progress=True, modules=modules)
    if format is ScanFormat.json:
        print_json(report.to_dict())
    elif format is ScanFormat.sarif:
        print_json(to_sarif(report, root))
    else:
        output.print_scan(report)


@app.command()
def run(
    batch: Annotated[str | None, typer.Argument(help="Batch name from the spec.")] = None,
    path: Annotated[Path, typer.Option("--repo", help="Repository root.")] = Path("."),
    spec: SpecOption = None,
    rule: Annotated[
        list[str] | None,
        typer.Option("--rule", metavar="RULE", help="Only these rules (repeatable)."),
    ] = None,
    paths: Annotated[
        list[str] | None,
        typer.Option("--path", metavar="GLOB", help="Only files matching this glob (repeatable)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff; write nothing.")
    ] = False,
    no_commit: Annotated[
        bool, typer.Option("--no-commit", help="Write the files; no gate, no commit.")
    ] = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    patch: Annotated[
        Path | None, typer.Option("--patch", help="With --dry-run: write the diff to this file.")
    ] = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Choose hunk by hunk (y/n/a/d/q/?).")
    ] = False,
    allow_detached: Annotated[
        bool, typer.Option("--allow-detached", help="Commit on a detached HEAD.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the run record (JSON) to stdout.")
    ] = False,
) -> None:
    """Apply a batch (or the chosen rules): preview, gate, and commit it in chunks."""
    from migrator.engine.changes import compute_changes

    root = repository(path)
    loaded = spec_for(root, spec)
    selection = select(loaded, batch, rule or [], paths or [])
    check_against(root, loaded, strict=True, rules=selection[0])
    refuse_if_journal(root)
    if batch is not None and not dry_run and not no_commit:
        chosen = replace(loaded.batch(batch), rules=selection[0], paths=selection[1])
        commit_batch(root, loaded, chosen, jobs, interactive, allow_detached, json_out)
        return
    change_set = compute_changes(
        root,
        loaded,
        *selection,
        jobs=jobs,
        cache=not no_cache,
        progress=True,
        facts_cache=not no_cache,
        diffs=dry_run,
    )
    if dry_run:
        if patch is not None:
            write_patch(patch, change_set)
        else:
            from migrator.engine.diff_cache import change_set_diffs

            output.print_diff(change_set, None if no_cache else change_set_diffs(root, change_set))
        output.print_change_summary(change_set, wrote=False)
        return
    if no_commit:
        for result in change_set.changed:
            atomic_write(root / result.path, result.new or b"")
        output.print_change_summary(change_set, wrote=True)
        return
    raise fail("name a batch to commit (see `migrator plan`), or use --dry-run or --no-commit")


@app.command()
def check(
    path: RepoPath = Path("."),
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
    from migrator.report import check as checks
    from migrator.report.baseline import BaselineError

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
    path: RepoPath = Path("."),
    spec: SpecOption = None,
    ruff_toml: Annotated[
        bool, typer.Option("--ruff-toml", help="Emit for ruff.toml instead of pyproject.toml.")
    ] = False,
) -> None:
    """Print ruff's banned-api table (TID251): every old path, with its canonical import."""
    from migrator.report.ruff_config import render as render_ruff_config

    loaded = spec_for(repository(path), spec)
    flavour = "ruff.toml" if ruff_toml else "pyproject"
    typer.echo(render_ruff_config(loaded.rules, flavour), nl=False)


@app.command()
def shims(
    path: RepoPath = Path("."),
    spec: SpecOption = None,
    write: Annotated[bool, typer.Option("--write", help="Write the shims.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the files it would write (the default).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace hand-written old modules too.")
    ] = False,
) -> None:
    """Deprecation shims at every old module: old imports keep working, and warn."""
    from migrator.engine.diffs import unified_diff
    from migrator.report.shims import plan as plan_shims

    if write and dry_run:
        raise fail("--write and --dry-run exclude each other")
    root = repository(path)
    loaded = spec_for(root, spec)
    planned = plan_shims(root, loaded.rules, force=force)
    changed = [shim for shim in planned if shim.status in ("new", "update")]
    for shim in planned:
        if shim.status == "skip":
            output.note(f"skipped {shim.path}: {shim.reason}")
        elif shim.status == "same":
            output.note(f"unchanged {shim.path}")
    for shim in changed:
        if write:
            (root / shim.path).parent.mkdir(parents=True, exist_ok=True)
            atomic_write(root / shim.path, shim.text.encode("utf-8"))
            output.note(f"wrote {shim.path} ({shim.module})")
        else:
            sys.stdout.buffer.write(unified_diff(shim.path, shim.original, shim.text.encode()))
    verb = "wrote" if write else "would write"
    output.note(f"{verb} {len(changed)} shim(s) of {len(planned)} old module(s)")


@app.command()
def report(
    path: RepoPath = Path("."),
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")
    ] = None,
    spec: SpecOption = None,
    commit_url: Annotated[
        str | None,
        typer.Option("--commit-url", help="Link commits here; {sha} is the commit's sha."),
    ] = None,
    jobs: JobsOption = None,
) -> None:
    """Progress people can see: burndown from history, status, batches, open findings."""
    from migrator.report.html import ReportError
    from migrator.report.html import collect as collect_report
    from migrator.report.html import render as render_report

    if html is None:
        raise fail("say where to write the report: --html FILE")
    root = repository(path)
    loaded = spec_for(root, spec)
    try:
        page = render_report(collect_report(root, loaded, commit_url=commit_url, jobs=jobs))
    except ReportError as error:
        raise fail(str(error)) from None
    atomic_write(html, page.encode("utf-8"))
    output.note(f"wrote {html} ({len(page) // 1024} KiB)")


def select(
    spec: Spec, batch: str | None, rules: list[str], paths: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The rules, path globs and excludes a run covers."""
    unknown = [name for name in rules if name not in codemod_names()]
    if unknown:
        raise fail(f"unknown rule `{unknown[0]}` (rules: {', '.join(codemod_names())})")
    outside = [problem for glob in paths if (problem := glob_problem(glob))]
    if outside:
        raise fail(f"--path: {outside[0]}")
    if batch is not None:
        try:
            chosen = spec.batch(batch)
        except SpecError as error:
            raise fail(str(error)) from None
        selected = tuple(r for r in chosen.rules if not rules or r in rules)
        return selected, tuple(paths) or chosen.paths, chosen.exclude
    return tuple(rules) or codemod_names(), tuple(paths) or ("**",), ()


# ---- batches: commit, plan, status, rollback, recover ---------------------------------------
JOURNAL_AWARE = {"run", "plan", "status", "rollback", "recover"}


def print_version(wanted: bool) -> None:
    if wanted:
        from migrator import __version__

        typer.echo(f"migrator {__version__}")
        raise typer.Exit()


@app.callback()
def warn_if_journal(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Carry a Python codebase through an API migration in safe, reviewable, gated batches."""
    if ctx.invoked_subcommand not in JOURNAL_AWARE and _may_have_journal(Path.cwd()):
        from migrator.batch.preflight import pending_recovery

        message = pending_recovery(Path.cwd())
        if message:
            output.note(f"warning: {message}")


def _may_have_journal(start: Path) -> bool:
    """False only when the enclosing `.git` directory surely holds no journal (cheap: no git)."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return (dot_git / "migrator" / "journal").exists()
        if dot_git.exists():  # a worktree's `.git` file: ask git
            return True
    return False


def refuse_if_journal(root: Path) -> None:
    """Stop with exit 2 when a killed run left files half-migrated."""
    if not _may_have_journal(root):
        return  # no GitPython to load for a repository that surely holds none
    from migrator.batch.preflight import pending_recovery

    message = pending_recovery(root)
    if message:
        raise fail(message)


def write_patch(patch: Path, change_set: ChangeSet) -> None:
    diff = b"".join(result.unified_diff() for result in change_set.changed)
    try:
        patch.write_bytes(diff)
    except OSError as error:
        raise fail(f"{patch}: cannot write the patch: {error.strerror or error}") from None
    output.note(f"wrote the diff to {patch}")


def commit_batch(
    root: Path,
    spec: Spec,
    batch: Batch,
    jobs: int | None,
    interactive: bool,
    allow_detached: bool,
    json_out: bool,
) -> None:
    from migrator.batch.preflight import Refused
    from migrator.batch.run import run_batch

    chooser = interactive_chooser if interactive else None
    try:
        result = run_batch(
            root,
            spec,
            batch,
            allow_detached=allow_detached,
            jobs=jobs,
            chooser=chooser,
            say=output.note,
        )
    except Refused as error:
        raise fail(str(error)) from None
    if json_out:
        print_json(result.record.to_dict())
    else:
        output.print_run_result(result.record.to_dict())
    output.note(result.message)
    if result.record_path:
        output.note(f"run record: {result.record_path}")
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def interactive_chooser(results: list) -> ChosenChanges:
    from migrator.batch.interactive import choose as choose_hunks
    from migrator.batch.run import ChosenChanges

    files = [(r.path, r.original or b"", r.new or b"") for r in results]
    selection = choose_hunks(files, sys.stdin.readline, sys.stderr, output.show_hunk)
    return ChosenChanges(selection.contents, selection.skipped)


@app.command()
def plan(
    path: RepoPath = Path("."),
    spec: SpecOption = None,
    json_out: JsonOption = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Each batch of the spec: rules, paths, what it would change now, targets, landed or not."""
    from migrator.batch.plan import load_history, plan_batches

    root = repository(path)
    loaded = spec_for(root, spec)
    check_against(root, loaded, strict=True)
    refuse_if_journal(root)
    history = load_history(root)
    plans = plan_batches(root, loaded, history, jobs, progress=True, cache=not no_cache)
    if json_out:
        print_json([p.to_dict() for p in plans])
    else:
        output.print_plan([p.to_dict() for p in plans])


@app.command()
def status(
    path: RepoPath = Path("."),
    spec: SpecOption = None,
    json_out: JsonOption = False,
    jobs: JobsOption = None,
) -> None:
    """The metrics now against every batch's targets (over its paths), and the batch history."""
    from migrator.batch.plan import load_history
    from migrator.report.status import measure, status_targets

    root = repository(path)
    loaded = spec_for(root, spec)
    refuse_if_journal(root)
    measured = measure(root, loaded, jobs, progress=True)
    history = load_history(root)
    if json_out:
        document = {
            "metrics": measured.metrics,
            "targets": status_targets(loaded, measured.metrics, measured.by_batch),
            "batch_metrics": measured.by_batch,
            "history": history.to_dict(),
        }
        print_json(document)
        return
    output.print_status(loaded, measured.metrics, history, measured.by_batch)


@app.command()
def rollback(
    target: Annotated[str, typer.Argument(help="A batch name, or one of its commits.")],
    path: Annotated[Path | None, typer.Argument(help="Repository root.")] = None,
    repo: Annotated[
        Path | None, typer.Option("--repo", help="Repository root (same as PATH).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the commits it would revert.")
    ] = False,
) -> None:
    """Revert every commit of a batch (or one commit), newest first, with `git revert`."""
    from migrator.batch import rollback as rollbacks
    from migrator.batch.preflight import Refused

    if path is not None and repo is not None and path.resolve() != repo.resolve():
        raise fail(f"two repositories given: {path} and --repo {repo}")
    root = repository(path or repo or Path("."))
    refuse_if_journal(root)
    try:
        result = rollbacks.rollback(root, target, dry_run=dry_run)
    except Refused as error:
        raise fail(str(error)) from None
    except rollbacks.RollbackFailed as error:
        raise fail(f"{error}; the rollback was undone, nothing changed", EXIT_FAILED) from None
    output.print_rollback(result, dry_run=dry_run)


@app.command()
def recover(
    path: RepoPath = Path("."),
) -> None:
    """After a killed run: put every journaled file back to HEAD's state and clear the journal."""
    from migrator.batch.preflight import Refused
    from migrator.batch.recover import recover as recover_journal

    root = repository(path)
    try:
        paths, how = recover_journal(root)
    except Refused as error:
        raise fail(str(error)) from None
    if not paths:
        output.note("nothing to recover: no interrupted run")
        return
    for name in paths:
        output.note(f"  {name}")
    output.note(f"recovered {len(paths)} file(s): {how}")


def main() -> None:
    app()
