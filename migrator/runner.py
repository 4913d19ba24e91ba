"""Run codemods over files: prefilter by needles, parse once, analyze or transform, in parallel."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from codemods import CODEMODS
from codemods.base import Analysis, FileContext, Finding, ParsedFile
from codemods.rules import RuleSet

GENERATED_MARKER = b"@" + b"generated"
INLINE_LIMIT = 64  # below this many files a process pool costs more than it saves


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    error: str | None = None
    skipped: str | None = None
    original: bytes | None = None
    new: bytes | None = None
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.original


@dataclass(frozen=True)
class Job:
    """Everything a worker needs, picklable: the rules and which codemods to run."""

    root: str
    rules: RuleSet
    codemods: tuple[str, ...]
    transform: bool = False

    @property
    def needles(self) -> tuple[bytes, ...]:
        found: set[bytes] = set()
        for name in self.codemods:
            found |= CODEMODS[name].needles(self.rules)
        return tuple(sorted(found))


def process_file(job: Job, path: str) -> FileResult:
    """Analyze (and with `job.transform`, rewrite) one file; never raises for bad input."""
    result = FileResult(path)
    try:
        source = (Path(job.root) / path).read_bytes()
    except OSError as error:
        result.error = f"cannot read: {error.strerror or error}"
        return result
    if not any(needle in source for needle in job.needles):
        return result
    if GENERATED_MARKER in source[:4096]:
        result.skipped = "marked @generated"
        return result
    try:
        parsed = ParsedFile(source, FileContext.from_path(path))
    except Exception as error:  # noqa: BLE001 - any parser failure is reported, never fatal
        result.error = f"does not parse: {_first_line(error)}"
        return result
    if job.transform:
        _transform(job, parsed, source, result)
    else:
        _analyze(job, parsed, result)
    return result


def _analyze(job: Job, parsed: ParsedFile, result: FileResult) -> None:
    analysis = Analysis()
    for name in job.codemods:
        analysis.merge(CODEMODS[name].analyze(parsed, job.rules))
    result.findings = analysis.findings
    result.counts = analysis.counts
    result.names = analysis.names


def _transform(job: Job, parsed: ParsedFile, source: bytes, result: FileResult) -> None:
    result.original = source
    encoding = parsed.module.encoding
    for name in job.codemods:
        try:
            outcome = CODEMODS[name].transform(parsed, job.rules)
        except Exception as error:  # noqa: BLE001 - a codemod bug must not stop the run
            result.error = f"codemod `{name}` failed: {_first_line(error)}"
            result.new = None
            return
        result.findings.extend(outcome.findings)
        if outcome.code != parsed.code:
            result.changes[name] = max(outcome.changes, 1)
            try:
                parsed = ParsedFile(outcome.code, parsed.context)
            except Exception as error:  # noqa: BLE001
                result.error = f"codemod `{name}` produced code that does not parse: {error}"
                result.new = None
                return
    if result.changes:
        result.new = parsed.module.code.encode(encoding)


def run_files(job: Job, paths: Iterable[str], jobs: int | None = None) -> Iterator[FileResult]:
    """Results in path order, from a process pool when there are enough files."""
    paths = list(paths)
    workers = jobs or os.cpu_count() or 1
    work: Callable[[str], FileResult] = partial(process_file, job)
    if workers <= 1 or len(paths) < INLINE_LIMIT:
        yield from map(work, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(work, paths, chunksize=max(1, min(64, len(paths) // (workers * 8))))


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
