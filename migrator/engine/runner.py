"""Run codemods over files: prefilter by needles, parse once, analyze or transform, in parallel."""

from __future__ import annotations

import ast
import errno
import gc
import os
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

from ahocorasick_rs import BytesAhoCorasick, Implementation

from codemods.core.line_shift import line_map, shift_findings
from codemods.core.rewrites import idle_findings
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import Analysis, FileContext, Finding
from codemods.registry import DESCRIPTORS, fast_analyses, fast_analyzer
from migrator.engine.withdraw import (
    WITHDRAWN,
    Regression,
    RewriteCheck,
    forget_modules,
    module_facts,
)
from migrator.engine.workers import pool as worker_pool

if TYPE_CHECKING:
    from codemods.core.base import Analyzer, Codemod, ParsedFile

GENERATED_MARKER = b"@" + b"generated"
INLINE_LIMIT = 64  # below this many files a process pool costs more than it saves
CHUNK = 32  # paths per worker task: amortises pickling, keeps results flowing
IN_FLIGHT = 4  # chunks queued per worker: keeps each worker fed without flooding the queue
BUFFERED = 256  # finished chunks held behind a slow one: bounds memory (8,192 files' results)


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
    prefilter: bool = True
    fast: bool = True  # analyze with the stdlib-`ast` analyzers where they answer

    @property
    def needles(self) -> tuple[bytes, ...]:
        return _needles(self.rules, self.codemods)

    def is_candidate(self, source: bytes) -> bool:
        """Whether the file may matter: one combined search for every needle, no decoding."""
        if not self.prefilter:
            return True
        matcher = _needle_matcher(self.needles)
        return matcher is not None and bool(matcher.find_matches_as_indexes(source))


@cache
def _needles(rules: RuleSet, codemods: tuple[str, ...]) -> tuple[bytes, ...]:
    found: set[bytes] = set()
    for name in codemods:
        found |= DESCRIPTORS[name].needles(rules)
    return tuple(sorted(found))


def minimal_needles(needles: Iterable[bytes]) -> tuple[bytes, ...]:
    """The needles that matter: one containing a shorter needle adds nothing to the search."""
    unique = {n for n in needles if n}
    return tuple(sorted(n for n in unique if not any(m != n and m in n for m in unique)))


@cache
def _needle_matcher(needles: tuple[bytes, ...]) -> BytesAhoCorasick | None:
    """One Aho-Corasick automaton (a DFA) over the needles: a single pass over each file.

    Measured on 22 KB of needle-free source: 46 us, against 90 us for one `in` per minimal
    needle and 217 us for a compiled bytes alternation regex.
    """
    minimal = minimal_needles(needles)
    return BytesAhoCorasick(minimal, implementation=Implementation.DFA) if minimal else None


def process_file(job: Job, path: str) -> FileResult:
    """Analyze (and with `job.transform`, rewrite) one file; never raises for bad input."""
    result = FileResult(path)
    try:
        source = read_no_follow(os.path.join(job.root, path))
    except OSError as error:
        if error.errno == errno.ELOOP and os.path.islink(os.path.join(job.root, path)):
            # Its target may lie outside the repository, or nowhere (a loop).
            result.skipped = "symbolic link: not followed"
        else:
            result.error = f"cannot read: {error.strerror or error}"
        return result
    return process_source(job, path, source)


def read_no_follow(path: str) -> bytes:
    """The file's bytes; OSError(ELOOP) for a symbolic link, which is never followed.

    One open, fstat and read: a third of the system time of `Path.is_symlink` + `read_bytes`.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        chunks = [data]  # the file grew since fstat: read to the end
        while more := os.read(fd, 1 << 20):
            chunks.append(more)
        return b"".join(chunks)
    finally:
        os.close(fd)


def process_source(job: Job, path: str, source: bytes) -> FileResult:
    """Analyze (or rewrite) given content as the file at `path`; never raises for bad input."""
    with _collector_paused():
        return _process_source(job, path, source)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while one file is parsed and analyzed.

    A parse allocates tens of thousands of objects that reference counting frees; the
    collector would scan them dozens of times meanwhile (a third of `ast.parse`'s time). The
    few cycles a file leaves (its scope graph) are collected once it is re-enabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _process_source(job: Job, path: str, source: bytes) -> FileResult:
    result = FileResult(path)
    if not job.is_candidate(source):
        return result
    if GENERATED_MARKER in source[:4096]:
        result.skipped = "marked @generated"
        return result
    if job.transform:
        _rewrite(job, path, source, result)
        return result
    if job.fast and any(fast_analyzer(n) for n in job.codemods):
        analyses, pending = _fast_analyses(job, path, source)
        if not pending:
            _keep(result, job, analyses)
            return result
    else:
        analyses, pending = {}, job.codemods
    try:
        parsed = libcst_parse(source, FileContext.from_path(path))
    except Exception as error:  # noqa: BLE001 - any parser failure is reported, never fatal
        result.error = f"does not parse: {python_parse_error(source) or _first_line(error)}"
        return result
    analyses.update(_libcst_analyses(job, parsed, pending))
    _keep(result, job, analyses)
    return result


def _rewrite(job: Job, path: str, source: bytes, result: FileResult) -> None:
    """The transforms the analysis leaves work for; no LibCST parse when there are none."""
    context = FileContext.from_path(path)
    idle = _idle(job, context, source, job.codemods)
    if len(idle) == len(job.codemods):
        result.findings = [finding for name in job.codemods for finding in idle[name]]
        return
    try:
        parsed = libcst_parse(source, context)
    except Exception as error:  # noqa: BLE001 - any parser failure is reported, never fatal
        result.error = f"does not parse: {python_parse_error(source) or _first_line(error)}"
        return
    _transform(job, parsed, source, result, idle)


def python_parse_error(source: bytes) -> str | None:
    """Python's own reason for rejecting the file, with its line (None when it compiles).

    LibCST's parser reports many errors at `1:1`; the stdlib names the problem and the line.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<file>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError included
        return f"{error.msg} (line {error.lineno})" if error.lineno else error.msg
    except (ValueError, UnicodeDecodeError) as error:  # NUL bytes, a bad encoding
        return _first_line(error)
    except (RecursionError, MemoryError):
        return None
    return None


def libcst_parse(source: str | bytes, context: FileContext) -> ParsedFile:
    """A LibCST parse (imported on first use: a scan the `ast` analyzers answer never loads it)."""
    from codemods.core.base import ParsedFile

    return ParsedFile(source, context)


def _fast_analyses(job: Job, path: str, source: bytes) -> tuple[dict[str, Analysis], tuple]:
    """The analyses the `ast` analyzers can give, and the codemods left for LibCST.

    A file the stdlib cannot parse, a construct an analyzer does not promise to match, or an
    analyzer bug sends the codemod (or the whole file) to LibCST: never a different result.
    """
    try:
        file = AstFile(source, FileContext.from_path(path))
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return {}, job.codemods
    return fast_analyses(file, job.rules, job.codemods)


def _keep(result: FileResult, job: Job, analyses: dict[str, Analysis]) -> None:
    """Merge the analyses in the codemods' order, as one walk over them all would."""
    analysis = Analysis()
    for name in job.codemods:
        analysis.merge(analyses[name])
    result.findings = analysis.findings
    result.counts = analysis.counts
    result.names = analysis.names


def _libcst_analyses(
    job: Job, parsed: ParsedFile, codemods: tuple[str, ...]
) -> dict[str, Analysis]:
    """These codemods' analyses from one shared LibCST walk of the tree."""
    from codemods import CODEMODS
    from codemods.core.base import walk

    analyzers = {name: _analyzer(CODEMODS[name], parsed, job.rules) for name in codemods}
    walk(parsed, [visitor for analyzer in analyzers.values() for visitor in analyzer.visitors])
    return {name: analyzer.finish() for name, analyzer in analyzers.items()}


def _analyzer(codemod: Codemod, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
    """The codemod's visitors for the shared walk; a codemod without them analyzes alone."""
    from codemods.core.base import Analyzer

    split = getattr(codemod, "analyzer", None)
    if split is not None:
        return split(parsed, rules)
    return Analyzer([], lambda: codemod.analyze(parsed, rules))


def _idle(
    job: Job, context: FileContext, source: bytes, codemods: tuple[str, ...]
) -> dict[str, list[Finding]]:
    """The codemods with nothing to change in `source`, each with what its transform would
    report: those without their needles, and those whose `ast` analysis has no fix."""
    idle: dict[str, list[Finding]] = {}
    present = [name for name in codemods if _has_needles(job.rules, name, source)]
    idle.update((name, []) for name in codemods if name not in present)
    if not job.fast or not present:
        return idle
    try:
        file = AstFile(source, context)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return idle
    for name in present:
        analyze = fast_analyzer(name)
        try:
            found = analyze(file, job.rules).findings if analyze else None
            findings = idle_findings(name, found, file, job.rules) if found is not None else None
        except Exception:  # noqa: BLE001 - Unsupported, or a bug: the transform decides
            findings = None
        if findings is not None:
            idle[name] = findings
    return idle


def _has_needles(rules: RuleSet, codemod: str, source: bytes) -> bool:
    matcher = _needle_matcher(_needles(rules, (codemod,)))
    return matcher is not None and bool(matcher.find_matches_as_indexes(source))


def _transform(
    job: Job,
    parsed: ParsedFile,
    source: bytes,
    result: FileResult,
    idle: dict[str, list[Finding]],
) -> None:
    """Each codemod in turn on the previous one's output; the final code must parse again.

    A codemod in `idle` is not run: its findings are given. After a change, the analysis of
    the new code decides again for the codemods still to come. A codemod's change that makes
    the file worse by migrator's own measure (`withdraw`) is not kept: the next codemod starts
    from the text before it, and the site is reported. Findings follow the text: each stays at
    its code's line in the final output.
    """
    result.original = source
    encoding = parsed.module.encoding
    if parsed.code.encode(encoding) != source:  # e.g. a last blank-only line: LibCST drops a byte
        result.skipped = "not rewritten: LibCST does not reproduce this file byte for byte"
        return
    from codemods import CODEMODS

    check = _rewrite_check(job, parsed.context)
    pending: str | None = None  # the latest output, not parsed yet, and the codemod that wrote it
    author = ""
    for index, name in enumerate(job.codemods):
        if name in idle:
            result.findings.extend(idle[name])
            continue
        if pending is not None:
            reparsed = _reparse(pending, parsed, result, author)
            if reparsed is None:
                return
            parsed, pending = reparsed, None
        try:
            outcome = CODEMODS[name].transform(parsed, job.rules)
        except Exception as error:  # noqa: BLE001 - a codemod bug must not stop the run
            result.error = f"codemod `{name}` failed: {_first_line(error)}"
            result.new = None
            return
        if outcome.code == parsed.code:
            result.findings.extend(outcome.findings)
            continue
        regression = check.regression(parsed.code, outcome.code)
        if regression is not None:
            result.findings.extend(shift_findings(outcome.findings, outcome.code, parsed.code))
            result.findings.append(_withdrawn(name, regression, outcome.code, parsed))
            continue
        result.findings = shift_findings(result.findings, parsed.code, outcome.code)
        result.findings.extend(outcome.findings)
        result.changes[name] = max(outcome.changes, 1)
        pending, author = outcome.code, name
        later = job.codemods[index + 1 :]
        idle = _idle(job, parsed.context, pending.encode(encoding), later) if later else {}
    if not result.changes:
        return
    if pending is None:  # the last change was parsed already, for a later codemod
        result.new = parsed.code.encode(encoding)
    elif _parses(pending) or _reparse(pending, parsed, result, author):
        result.new = pending.encode(encoding)


def _rewrite_check(job: Job, context: FileContext) -> RewriteCheck:
    """The measure a change must not worsen: every registered codemod's analysis."""
    from codemods import CODEMODS

    def fallback(names: tuple[str, ...], text: str) -> dict[str, Analysis]:
        return _libcst_analyses(job, libcst_parse(text, context), names)

    names = tuple(
        name
        for name in dict.fromkeys((*CODEMODS, *job.codemods))
        if fast_analyzer(name) or hasattr(CODEMODS[name], "analyze")
    )
    return RewriteCheck(context, job.rules, names, fallback, module_facts(job.root))


def _withdrawn(name: str, regression: Regression, new: str, parsed: ParsedFile) -> Finding:
    """The manual-review finding for a withdrawn change, at its site in the kept text."""
    line = line_map(new, parsed.code)(regression.line)
    message = f"`{name}` left this unchanged: {regression.reason}; change it by hand"
    return Finding(WITHDRAWN, parsed.context.path, line, 0, message, False, True)


def _parses(code: str) -> bool:
    """Whether the stdlib parses the code: ten times cheaper than a LibCST parse, and enough to
    accept a codemod's final output (what it rejects, such as 3.12 syntax, LibCST decides)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _reparse(code: str, parsed: ParsedFile, result: FileResult, name: str) -> ParsedFile | None:
    """A codemod's output parsed for the next one, or None (and the error) if it does not."""
    try:
        return libcst_parse(code, parsed.context)
    except Exception as error:  # noqa: BLE001
        result.error = f"codemod `{name}` produced code that does not parse: {error}"
        result.new = None
        return None


class ResultStore(Protocol):
    """What `run_files` needs of a result cache (`migrator.engine.cache.ResultCache` is one)."""

    def lookup(self, paths: list[str]) -> dict[str, FileResult]: ...

    def store(self, results: Iterable[FileResult]) -> None: ...


def run_files(
    job: Job,
    paths: Iterable[str],
    jobs: int | None = None,
    *,
    cache: ResultStore | None = None,
) -> Iterator[FileResult]:
    """Results in path order, streamed from a process pool when there are enough files.

    With a cache, files whose result is known are not read again; the others are processed
    and their results stored. At most `jobs * IN_FLIGHT` chunks are being worked on at any
    time, and at most `BUFFERED` chunks wait, done, behind a slower one for their turn: one
    slow file (a LibCST fallback) must not leave the other workers idle, nor memory grow
    with the repository.
    """
    paths = list(paths)
    forget_modules()
    workers = jobs or os.cpu_count() or 1
    chunks = (paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK))
    if workers <= 1 or len(paths) < INLINE_LIMIT:
        for chunk in chunks:
            yield from _resolve(job, chunk, cache)
        return
    with ExitStack() as stack:
        pool = _LazyPool(stack, workers)
        pending: deque[tuple[list[str], dict[str, FileResult], Future | None]] = deque()
        for chunk in chunks:
            while pending and (len(pending) >= BUFFERED or _busy(pending) >= workers * IN_FLIGHT):
                if _done(pending[0]) or len(pending) >= BUFFERED:
                    yield from _collect(pending.popleft(), cache)
                else:
                    running = [f for _, _, f in pending if f is not None and not f.done()]
                    wait(running, return_when=FIRST_COMPLETED)
            pending.append(_submit(pool, job, chunk, cache))
            while pending and _done(pending[0]):
                yield from _collect(pending.popleft(), cache)
        while pending:
            yield from _collect(pending.popleft(), cache)


def _busy(pending: deque) -> int:
    """Chunks submitted and not yet finished."""
    return sum(1 for _, _, future in pending if future is not None and not future.done())


def _done(item: tuple[list[str], dict[str, FileResult], Future | None]) -> bool:
    return item[2] is None or item[2].done()


class _LazyPool:
    """Starts the worker processes on the first file the cache cannot answer, not before."""

    def __init__(self, stack: ExitStack, workers: int) -> None:
        self.stack, self.workers = stack, workers
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, job: Job, paths: list[str]) -> Future:
        if self.pool is None:
            self.pool = self.stack.enter_context(worker_pool(self.workers))
        return self.pool.submit(_process_chunk, job, paths)


def _process_chunk(job: Job, paths: list[str]) -> list[FileResult | None]:
    """The chunk's results, None for a file with nothing to report (most files): cheaper to send."""
    results = [process_file(job, path) for path in paths]
    return [None if result == FileResult(result.path) else result for result in results]


def _submit(
    pool: _LazyPool, job: Job, chunk: list[str], cache: ResultStore | None
) -> tuple[list[str], dict[str, FileResult], Future | None]:
    known = cache.lookup(chunk) if cache else {}
    missing = [path for path in chunk if path not in known]
    future = pool.submit(job, missing) if missing else None
    return chunk, known, future


def _collect(
    item: tuple[list[str], dict[str, FileResult], Future | None], cache: ResultStore | None
) -> Iterator[FileResult]:
    chunk, known, future = item
    fresh = {}
    if future is not None:
        missing = [path for path in chunk if path not in known]
        for path, result in zip(missing, future.result(), strict=True):
            fresh[path] = result or FileResult(path)
    if cache and fresh:
        cache.store(fresh.values())
    for path in chunk:
        yield known[path] if path in known else fresh[path]


def _resolve(job: Job, chunk: list[str], cache: ResultStore | None) -> Iterator[FileResult]:
    known = cache.lookup(chunk) if cache else {}
    fresh = {p: process_file(job, p) for p in chunk if p not in known}
    if cache and fresh:
        cache.store(fresh.values())
    for path in chunk:
        yield known[path] if path in known else fresh[path]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
