"""Run codemods over files: prefilter by needles, parse once, analyze or transform, in parallel."""

from __future__ import annotations

import ast
import errno
import gc
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

from ahocorasick_rs import BytesAhoCorasick, Implementation

from codemods.core.edits import Edit, apply_edits
from codemods.core.line_shift import line_map, shift_findings
from codemods.core.rewrites import idle_findings
from codemods.core.rules import RuleSet
from codemods.core.text_checks import Source
from codemods.core.tree import AstFile, decode, source_encoding
from codemods.core.values import Analysis, FileContext, Finding, TransformResult
from codemods.registry import (
    DESCRIPTORS,
    AnalysisFailed,
    fast_analyses,
    fast_analyzer,
    text_check,
)
from migrator.engine import diffs
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
# ... and below this many with the run's shared pool (`Prepass`), most often already started
# and given only the files holding a needle, each worth a parse
SHARED_INLINE_LIMIT = 8
CHUNK = 32  # paths per worker task: amortises pickling, keeps results flowing
CHUNKS_PER_WORKER = 8  # at least, when the paths are few: no worker waits on another's last
IN_FLIGHT = 4  # chunks queued per worker: keeps each worker fed without flooding the queue
BUFFERED = 256  # finished chunks held behind a slow one: bounds memory (8,192 files' results)


class FactsRecipe(Protocol):
    """Facts a scan leaves of each file it parses anyway, for another cache namespace
    (`migrator.engine.importers.ScanFacts`): made from the tree, no parse of their own."""

    namespace: str

    def payload(self, path: str, source: bytes, tree: ast.Module) -> bytes | None:
        """The payload to store for the file (None: none)."""
        ...

    def needle_free(self, path: str, searched: Iterable[bytes]) -> bytes | None:
        """The payload to store for a file holding none of `searched` (None: none)."""
        ...


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
    # What the job's `facts` made of the file's tree, for the cache to store beside the result.
    facts: bytes | None = field(default=None, compare=False, repr=False)
    # The bytes of a file the running Python cannot parse, from a worker that left whether
    # LibCST reads them (`unparsable`) to the parent (`settled`): one LibCST import, not one
    # per worker. The parent settles `error` before anything else sees the result.
    unsettled: bytes | None = field(default=None, compare=False, repr=False)
    # The unified diff of a changed file, made by the worker when the job previews (`Job.diffs`):
    # the workers make the diffs side by side, the parent only prints them. Never stored.
    diff: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.original

    def unified_diff(self) -> bytes:
        """The file's unified diff: the worker's (`diff`), else made now."""
        if self.diff is not None:
            return self.diff
        return diffs.unified_diff(self.path, self.original or b"", self.new or b"")


@dataclass(frozen=True)
class Job:
    """Everything a worker needs, picklable: the rules and which codemods to run."""

    root: str
    rules: RuleSet
    codemods: tuple[str, ...]
    transform: bool = False
    prefilter: bool = True
    facts: FactsRecipe | None = field(default=None, compare=False)  # see `FactsRecipe`
    diffs: bool = field(default=False, compare=False)  # a preview: see `FileResult.diff`
    # Each codemod's needles, computed once: a rule set with repository facts is costly to hash,
    # and the prefilter asks for them for every file.
    by_codemod: tuple[tuple[str, tuple[bytes, ...]], ...] = field(
        default=(), init=False, compare=False, repr=False
    )
    needles: tuple[bytes, ...] = field(default=(), init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        found = tuple((name, _needles(self.rules, (name,))) for name in self.codemods)
        object.__setattr__(self, "by_codemod", found)
        object.__setattr__(self, "needles", _needles(self.rules, self.codemods))

    def present(self, source: bytes) -> frozenset[str]:
        """The codemods whose needles `source` holds: one pass over it for them all."""
        return frozenset(self.occurrences(source))

    def occurrences(self, source: bytes) -> dict[str, list[tuple[int, int]]]:
        """Where each codemod's needles occur in `source` ((start, end) byte offsets,
        overlapping ones too), for the codemods with any: one pass over it for them all."""
        search = _owner_search(self.by_codemod)
        if search is None:
            return {}
        automaton, owners = search
        found: dict[str, list[tuple[int, int]]] = {}
        for index, start, end in automaton.find_matches_as_indexes(source, True):
            for name in owners[index]:
                found.setdefault(name, []).append((start, end))
        return found

    def is_candidate(self, source: bytes) -> bool:
        """Whether the file may matter: one combined search for every needle, no decoding."""
        if not self.prefilter:
            return True
        matcher = needle_matcher(self.needles)
        return matcher is not None and bool(matcher.find_matches_as_indexes(source))


@cache
def _needles(rules: RuleSet, codemods: tuple[str, ...]) -> tuple[bytes, ...]:
    found: set[bytes] = set()
    for name in codemods:
        found |= DESCRIPTORS[name].needles(rules)
    return tuple(sorted(found))


@cache
def _owner_search(
    by_codemod: tuple[tuple[str, tuple[bytes, ...]], ...],
) -> tuple[BytesAhoCorasick, tuple[tuple[str, ...], ...]] | None:
    """One automaton over every codemod's needles, reporting each occurrence of each (no
    needle hides another), and the codemods each needle belongs to."""
    owners: dict[bytes, list[str]] = {}
    for name, needles in by_codemod:
        for needle in needles:
            if needle and name not in owners.setdefault(needle, []):
                owners[needle].append(name)
    if not owners:
        return None
    patterns = sorted(owners)
    automaton = BytesAhoCorasick(patterns, implementation=Implementation.DFA)
    return automaton, tuple(tuple(owners[pattern]) for pattern in patterns)


def minimal_needles(needles: Iterable[bytes]) -> tuple[bytes, ...]:
    """The needles that matter: one containing a shorter needle adds nothing to the search."""
    unique = {n for n in needles if n}
    return tuple(sorted(n for n in unique if not any(m != n and m in n for m in unique)))


@cache
def needle_matcher(needles: tuple[bytes, ...]) -> BytesAhoCorasick | None:
    """One Aho-Corasick automaton (a DFA) over the needles: a single pass over each file tells
    whether it holds any (None: there are none).

    Measured on 22 KB of needle-free source: 46 us, against 90 us for one `in` per minimal
    needle and 217 us for a compiled bytes alternation regex.
    """
    minimal = minimal_needles(needles)
    return BytesAhoCorasick(minimal, implementation=Implementation.DFA) if minimal else None


def process_file(job: Job, path: str, *, settle: bool = True) -> FileResult:
    """Analyze (and with `job.transform`, rewrite) one file; never raises for bad input.

    `settle=False` (a pool's worker): a scan leaves LibCST's word on a file the running Python
    cannot parse to the caller (`FileResult.unsettled`, `settled`)."""
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
    return process_source(job, path, source, settle=settle)


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


def process_source(job: Job, path: str, source: bytes, *, settle: bool = True) -> FileResult:
    """Analyze (or rewrite) given content as the file at `path`; never raises for bad input
    (`settle`: see `process_file`)."""
    needled = job.occurrences(source)  # the prefilter and each codemod's needles, in one pass
    if job.prefilter and not needled:  # most files: nothing to parse, no collector to pause
        facts = job.facts.needle_free(path, job.needles) if job.facts is not None else None
        return FileResult(path, facts=facts)
    with collector_paused():
        return _process_source(job, path, source, needled, settle)


@contextmanager
def collector_paused() -> Iterator[None]:
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


def _process_source(
    job: Job, path: str, source: bytes, needled: dict[str, list[tuple[int, int]]], settle: bool
) -> FileResult:
    result = FileResult(path)
    if GENERATED_MARKER in source[:4096]:
        result.skipped = "marked @generated"
        return result
    if job.transform:
        _rewrite(job, path, source, result)
        if job.diffs and result.changed:
            result.diff = result.unified_diff()
        return result
    context = FileContext.from_path(path)
    # A codemod reports nothing on a file without its own needles: it is not run there.
    present = tuple(name for name in job.codemods if not job.prefilter or name in needled)
    if job.prefilter:  # nor on one its check of the text declines: it would find nothing
        present = reporting(job.rules, present, Source(source, needled), context)
        if not present:
            return result
    analyses = {name: Analysis() for name in job.codemods if name not in present}
    try:
        file = AstFile(source, context)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        if any(fast_analyzer(name) for name in present):
            if settle:
                result.error = unparsable(source)
            else:
                result.error, result.unsettled = unparsable_here(source)
            return result
        pending = present
    else:
        if job.facts is not None:
            result.facts = job.facts.payload(path, source, file.tree)
        try:
            found, pending = fast_analyses(file, job.rules, present, measure=True)
        except AnalysisFailed as failure:
            result.error = str(failure)
            return result
        finally:
            file.release()
        analyses.update((name, analysis.scanned()) for name, analysis in found.items())
    if pending:
        try:
            parsed = libcst_parse(source, context)
        except Exception as error:  # noqa: BLE001 - any parser failure is reported, never fatal
            result.error = f"does not parse: {python_parse_error(source) or _first_line(error)}"
            return result
        analyses.update(_libcst_analyses(job, parsed, pending))
    _keep(result, job, analyses)
    return result


def reporting(
    rules: RuleSet, names: Sequence[str], source: Source, context: FileContext
) -> tuple[str, ...]:
    """Those of the codemods `names` (each with its needles in `source`) that may report in
    the file: one without a check of the text before a parse (`text_check`) may; one with
    one may unless it declines the file. A file none may report in is not parsed, so it is
    not reported when it does not parse, as a file without needles is not."""
    try:
        return tuple(
            name
            for name in names
            if (check := text_check(name)) is None or not check(source, context, rules)
        )
    except (SyntaxError, LookupError, UnicodeError):
        return tuple(names)  # the parse reports what is wrong with the bytes


def unparsable_here(source: bytes) -> tuple[str, bytes | None]:
    """`unparsable`'s message where the running Python's parser alone decides it (an
    indentation error), and None; else the message without LibCST's word, and the bytes for
    `settled` to decide on."""
    reason, indentation = _python_rejection(source)
    message = f"does not parse: {reason or _TOO_DEEP}"
    return message, None if indentation else source


def settled(result: FileResult) -> FileResult:
    """The result with `unparsable`'s message, where a worker left it unsettled."""
    if result.unsettled is not None and result.error is not None:
        reason = result.error.removeprefix("does not parse: ")
        result.error = _with_libcsts_word(result.unsettled, reason)
        result.unsettled = None
    return result


def unparsable(source: bytes) -> str:
    """Why a file with needles is not analyzed: the running Python's own parser rejects it.

    Every built-in codemod decides from the stdlib `ast` alone (one decider, no LibCST twin),
    so a file in a newer Python's syntax is analyzed by a migrator running that Python. When
    LibCST reads the file, the message says so and names the Python to use.
    """
    reason, indentation = _python_rejection(source)
    reason = reason or _TOO_DEEP
    if indentation:  # no newer Python reads indentation otherwise: not worth a LibCST parse
        return f"does not parse: {reason}"
    return _with_libcsts_word(source, reason)


def _with_libcsts_word(source: bytes, reason: str) -> str:
    if not libcst_reads(source):  # broken for every parser
        return f"does not parse: {reason}"
    major, minor = sys.version_info[:2]
    return (
        f"does not parse on Python {major}.{minor}: {reason}; it is written in newer Python "
        f"syntax: run migrator on Python {major}.{minor + 1} or later to migrate it"
    )


def libcst_reads(source: bytes) -> bool:
    """Whether LibCST's parser, whose grammar reaches newer Pythons than the running one,
    reads the file (imported on first use: most runs meet no such file)."""
    import libcst

    try:
        libcst.parse_module(source)
    except Exception:  # noqa: BLE001 - any parser failure: it does not
        return False
    return True


_TOO_DEEP = "too deeply nested for Python's parser"


def _rewrite(job: Job, path: str, source: bytes, result: FileResult) -> None:
    """The transforms the analysis leaves work for (`_rewrite_once`); then once more on their
    output while a withdrawn change (`withdraw`) came before a kept one, which may have removed
    what made it worse: the imports rule dropping a second binding of a name unblocks the
    constructors rule's call of it. A round that changes nothing leaves the last result as it
    is; one that does gives the file its text and findings, and adds its changes."""
    if not _rewrite_once(job, path, source, result):
        return
    for _ in range(SETTLE_ROUNDS):
        if result.error or result.new is None or not result.changed:
            return
        again = FileResult(path)
        unsettled = _rewrite_once(job, path, result.new, again)
        if again.error or again.skipped or not again.changed:
            return
        result.new, result.findings = again.new, again.findings
        for name, count in again.changes.items():
            result.changes[name] = result.changes.get(name, 0) + count
        if not unsettled:
            return


SETTLE_ROUNDS = 2  # rounds after the first, at most: each needs a withdrawal and a later change


def _rewrite_once(job: Job, path: str, source: bytes, result: FileResult) -> bool:
    """The transforms the analysis leaves work for; no LibCST parse when there are none, nor
    when every fix the analysis decided comes as text edits. True when a withdrawn change came
    before a kept one (`_transform`)."""
    context = FileContext.from_path(path)
    try:
        plans, seed = _plans(job, context, source, job.codemods)
    except _Unparsable:
        result.error = unparsable(source)
        return False
    except AnalysisFailed as failure:
        result.error = str(failure)
        return False
    if all(plan.idle is not None for plan in plans.values()):
        result.findings = [f for name in job.codemods for f in plans[name].idle or ()]
        return False
    text = _round_trip_text(source)
    if text is None or any(p.edits is None and p.idle is None for p in plans.values()):
        try:
            parsed = libcst_parse(source, context)
        except Exception as error:  # noqa: BLE001 - any parser failure is reported, never fatal
            result.error = f"does not parse: {python_parse_error(source) or _first_line(error)}"
            return False
        encoding = parsed.module.encoding
        if parsed.code.encode(encoding) != source:  # e.g. a blank-only last line: LibCST drops it
            result.original = source
            result.skipped = "not rewritten: LibCST does not reproduce this file byte for byte"
            return False
        current = _Text(parsed.code, encoding, context, parsed)
        return _transform(job, current, source, result, plans, seed)
    current = _Text(text, source_encoding(source), context)
    return _transform(job, current, source, result, plans, seed)


@dataclass
class _Plan:
    """What the analysis decided for one codemod in the current text: `idle` (what it
    reports when it changes nothing) or, when every fix it decided is text, `edits`."""

    idle: list[Finding] | None = None
    edits: list[Edit] | None = None
    left: list[Finding] = field(default_factory=list)  # what stays for review after the edits
    fixes: int = 0


class _Text:
    """The file's current text, and its LibCST parse once a transform needs one."""

    def __init__(
        self, code: str, encoding: str, context: FileContext, parsed: ParsedFile | None = None
    ) -> None:
        self.code, self.encoding, self.context = code, encoding, context
        self._parsed = parsed

    def parsed(self) -> ParsedFile:
        if self._parsed is None:
            self._parsed = libcst_parse(self.code, self.context)
        return self._parsed


def _round_trip_text(source: bytes) -> str | None:
    """The decoded text when encoding it again gives these very bytes, else None."""
    try:
        text = decode(source)
        return text if text.encode(source_encoding(source)) == source else None
    except (SyntaxError, LookupError, UnicodeError):
        return None


def python_parse_error(source: bytes) -> str | None:
    """Python's own reason for rejecting the file, with its line (None when it compiles).

    LibCST's parser reports many errors at `1:1`; the stdlib names the problem and the line.
    """
    return _python_rejection(source)[0]


def _python_rejection(source: bytes) -> tuple[str | None, bool]:
    """`python_parse_error`, and whether the reason is the indentation (IndentationError)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<file>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:  # IndentationError and TabError included
        reason = f"{error.msg} (line {error.lineno})" if error.lineno else error.msg
        return reason, isinstance(error, IndentationError)
    except (ValueError, UnicodeDecodeError) as error:  # NUL bytes, a bad encoding
        return _first_line(error), False
    except (RecursionError, MemoryError):
        return None, False
    return None, False


def libcst_parse(source: str | bytes, context: FileContext) -> ParsedFile:
    """A LibCST parse (imported on first use: a scan the `ast` analyzers answer never loads it)."""
    from codemods.core.base import ParsedFile

    return ParsedFile(source, context)


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


def _plans(
    job: Job,
    context: FileContext,
    source: bytes,
    codemods: tuple[str, ...],
    file: AstFile | None = None,
) -> tuple[dict[str, _Plan], _Seed | None]:
    """What each codemod has to do in `source`, from its analysis: nothing (no needles, or no
    fix), its fixes as text edits, or its transform (an empty plan); and the parse and the
    analyses made (`file`: the parse of `source` when the caller has it), for the rewrite's
    measure to share."""
    needled = job.occurrences(source)
    present = [name for name in codemods if name in needled]
    text = Source(source, needled)
    if not any(reporting(job.rules, (name,), text, context) for name in present):
        present = []  # all or none: a transform may act where its analysis reports nothing
    plans = {name: _Plan() if name in present else _Plan(idle=[]) for name in codemods}
    analyzed = [name for name in present if fast_analyzer(name)]
    if not analyzed:
        return plans, None
    if file is None:
        try:
            file = AstFile(source, context)
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError) as e:
            raise _Unparsable from e
    analyses, _declined = fast_analyses(file, job.rules, analyzed)
    for name, analysis in analyses.items():
        found = analysis.findings
        idle = idle_findings(name, found, file, job.rules)
        if idle is not None:
            plans[name] = _Plan(idle=idle)
            continue
        fixes = [finding for finding in found if finding.fix]
        if fixes and all(finding.edits for finding in fixes):
            edits = [edit for finding in fixes for edit in finding.edits]
            left = [finding for finding in found if not finding.fix]
            plans[name] = _Plan(edits=edits, left=left, fixes=sum(f.changes for f in fixes))
    return plans, (file, analyses)


_Seed = tuple[AstFile, dict[str, Analysis]]  # a text's parse and the analyses made of it


class _Unparsable(Exception):  # noqa: N818 - a signal
    """The running Python's `ast` cannot read a file that an `ast`-analyzed codemod needs."""


def _transform(
    job: Job,
    current: _Text,
    source: bytes,
    result: FileResult,
    plans: dict[str, _Plan],
    seed: _Seed | None = None,
) -> bool:
    """Each codemod in turn on the previous one's output; the final code must parse again.

    A codemod whose plan is idle is not run: its findings are given. A codemod whose fixes
    are all text edits gets them applied, with no LibCST parse; the others run their
    transform on a LibCST parse of the current text. After a change, the analysis of the new
    text plans again for the codemods still to come. A codemod's change that makes the file
    worse by migrator's own measure (`withdraw`) is not kept: the next codemod starts from the
    text before it, and the site is reported. Findings follow the text: each stays at its
    code's line in the final output. True when a withdrawn change came before a kept one.
    """
    result.original = source
    check = _rewrite_check(job, current.context)
    if seed is not None:
        check.seed(*seed)
    try:
        return _transform_checked(job, current, result, plans, check)
    finally:
        check.release()


def _transform_checked(
    job: Job, current: _Text, result: FileResult, plans: dict[str, _Plan], check: RewriteCheck
) -> bool:
    """`_transform`'s codemods in turn, each change measured by `check`."""
    from codemods import CODEMODS

    withdrawn = unsettled = False
    for index, name in enumerate(job.codemods):
        plan = plans[name]
        if plan.idle is not None:
            result.findings.extend(plan.idle)
            continue
        code = current.code
        try:
            if plan.edits is not None:
                edited = apply_edits(code, plan.edits)
                left = shift_findings(plan.left, code, edited)
                outcome = TransformResult(edited, left, plan.fixes)
            else:
                outcome = CODEMODS[name].transform(current.parsed(), job.rules)
        except Exception as error:  # noqa: BLE001 - a codemod bug must not stop the run
            result.error = f"codemod `{name}` failed: {_first_line(error)}"
            result.new = None
            return False
        if outcome.code == code:
            result.findings.extend(outcome.findings)
            continue
        regression = check.regression(code, outcome.code, plan.edits)
        if regression is not None:
            result.findings.extend(shift_findings(outcome.findings, outcome.code, code))
            result.findings.append(_withdrawn(name, regression, outcome.code, current))
            withdrawn = True
            continue
        if plan.edits is None and not _parses(outcome.code, check):
            try:  # beyond the stdlib's grammar (3.12 syntax on 3.11): LibCST decides
                libcst_parse(outcome.code, current.context)
            except Exception as error:  # noqa: BLE001
                result.error = f"codemod `{name}` produced code that does not parse: {error}"
                result.new = None
                return False
        unsettled = unsettled or withdrawn
        result.findings = shift_findings(result.findings, code, outcome.code)
        result.findings.extend(outcome.findings)
        result.changes[name] = max(outcome.changes, 1)
        current = _Text(outcome.code, current.encoding, current.context)
        later = job.codemods[index + 1 :]
        parse = check.parsed(current.code)
        planned, seed = _plans(job, current.context, _encoded(current), later, parse)
        plans = {**plans, **planned}
        if seed is not None:
            check.seed(*seed)
    if result.changes:
        if not _parses(current.code, check):
            try:
                current.parsed()
            except Exception as error:  # noqa: BLE001
                author = list(result.changes)[-1]
                result.error = f"codemod `{author}` produced code that does not parse: {error}"
                return False
        result.new = _encoded(current)
    return unsettled


def _encoded(text: _Text) -> bytes:
    return text.code.encode(text.encoding)


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


def _withdrawn(name: str, regression: Regression, new: str, kept: _Text) -> Finding:
    """The manual-review finding for a withdrawn change, at its site in the kept text."""
    line = line_map(new, kept.code)(regression.line)
    message = f"`{name}` left this unchanged: {regression.reason}; change it by hand"
    return Finding(WITHDRAWN, kept.context.path, line, 0, message, False, True)


def _parses(code: str, check: RewriteCheck) -> bool:
    """Whether the stdlib parses the code: ten times cheaper than a LibCST parse, and enough to
    accept a codemod's final output (what it rejects, such as 3.12 syntax, LibCST decides).
    A text the rewrite's measure parsed is not parsed again."""
    if check.parsed(code) is not None:
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


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
    pool: Callable[[], ProcessPoolExecutor] | None = None,
) -> Iterator[FileResult]:
    """Results in path order, streamed from a process pool when there are enough files
    (`pool`: shared worker processes, kept running after this run; else a pool of its own).

    With a cache, files whose result is known are not read again; the others are processed
    and their results stored. At most `jobs * IN_FLIGHT` chunks are being worked on at any
    time, and at most `BUFFERED` chunks wait, done, behind a slower one for their turn: one
    slow file (a LibCST fallback) must not leave the other workers idle, nor memory grow
    with the repository.
    """
    paths = list(paths)
    forget_modules()
    workers = jobs or os.cpu_count() or 1
    # A few paths a task when there are few (a needle index left only the candidates, each
    # worth a parse): the workers then finish together.
    size = max(1, min(CHUNK, len(paths) // (workers * CHUNKS_PER_WORKER)))
    chunks = (paths[i : i + size] for i in range(0, len(paths), size))
    if workers <= 1 or len(paths) < (INLINE_LIMIT if pool is None else SHARED_INLINE_LIMIT):
        for chunk in chunks:
            yield from _resolve(job, chunk, cache)
        return
    with ExitStack() as stack:
        lazy = _LazyPool(stack, workers) if pool is None else _LazyPool(stack, workers, pool)
        pending: deque[tuple[list[str], dict[str, FileResult], Future | None]] = deque()
        for chunk in chunks:
            while pending and (len(pending) >= BUFFERED or _busy(pending) >= workers * IN_FLIGHT):
                if _done(pending[0]) or len(pending) >= BUFFERED:
                    yield from _collect(pending.popleft(), cache)
                else:
                    running = [f for _, _, f in pending if f is not None and not f.done()]
                    wait(running, return_when=FIRST_COMPLETED)
            pending.append(_submit(lazy, job, chunk, cache))
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

    def __init__(
        self,
        stack: ExitStack,
        workers: int,
        shared: Callable[[], ProcessPoolExecutor] | None = None,
    ) -> None:
        self.stack, self.workers, self.shared = stack, workers, shared
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, job: Job, paths: list[str]) -> Future:
        if self.pool is None and self.shared is not None:
            self.pool = self.shared()
        if self.pool is None:
            self.pool = self.stack.enter_context(worker_pool(self.workers))
        return self.pool.submit(_process_chunk, job, paths)


NULL_FACTS = b"null"  # the stored facts of a file without facts (`importers`)
_NEEDLE_FREE = 0  # sent for a needle-free file's empty result with `null` facts (most files)


def _process_chunk(job: Job, paths: list[str]) -> list[FileResult | int | None]:
    """The chunk's results, None for a file with nothing to report (most files), `_NEEDLE_FREE`
    for one whose facts are just `null`: cheaper to send."""
    return [_sent(process_file(job, path, settle=False)) for path in paths]


def _sent(result: FileResult) -> FileResult | int | None:
    if result != FileResult(result.path):  # `facts` is not compared
        return result
    if result.facts is None:
        return None
    return _NEEDLE_FREE if result.facts == NULL_FACTS else result


def _received(path: str, sent: FileResult | int | None) -> FileResult:
    if sent is None:
        return FileResult(path)
    if isinstance(sent, int):
        return FileResult(path, facts=NULL_FACTS)
    return settled(sent)


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
        for path, sent in zip(missing, future.result(), strict=True):
            fresh[path] = _received(path, sent)
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
