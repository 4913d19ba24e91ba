"""What the migrator knows about a codemod, parser-free: one `Descriptor` per codemod package.

The registry (`codemods.registry`) lists the descriptors; the spec's sections, the metrics, the
prefilter's needles, SARIF's rule help and `check`'s rule map are all derived from them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from codemods.core.rules import RuleSet

Key = tuple[str | int, ...]  # where a value sits in the spec: ("consolidate", 0, "new")


class SpecReader(Protocol):
    """The spec's validating reader (`migrator.spec`): each accessor checks one value and raises
    an error naming the file, the line and the key."""

    def fail(self, key: Key, problem: str) -> Exception: ...
    def require(self, table: dict[str, Any], key: Key, *names: str) -> None: ...
    def type_name(self, value: Any) -> str: ...
    def table(self, value: Any, key: Key, allowed: set[str]) -> dict[str, Any]: ...
    def string(self, value: Any, key: Key) -> str: ...
    def dotted(self, value: Any, key: Key) -> str: ...
    def identifier(self, value: Any, key: Key) -> str: ...
    def boolean(self, value: Any, key: Key) -> bool: ...
    def strings(self, value: Any, key: Key, item: Any = None) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Tally:
    """A scan summed over files: counts (findings of counted rules, analysis counts) and the
    distinct names analyses reported."""

    counts: Mapping[str, int]
    names: Mapping[str, set[str]]


@dataclass(frozen=True)
class Metric:
    """A number the scan reports, spec targets bound and `check` ratchets."""

    name: str
    rules: tuple[str, ...] = ()  # finding rules behind it (`check` lists them when it misses)
    counted: bool = False  # one per finding of `rules` (plus analysis counts of that name)
    derive: Callable[[Tally], float] | None = None  # else the count of that name
    higher_is_better: bool = False
    percent: bool = False
    ratcheted: bool = True  # False: a raw count that moves with the code's size, not the migration

    def value(self, tally: Tally) -> float:
        return self.derive(tally) if self.derive else tally.counts.get(self.name, 0)


@dataclass(frozen=True)
class FindingKind:
    """A finding rule id and its help (SARIF's `shortDescription` and `help`)."""

    rule: str
    title: str
    help: str


@dataclass(frozen=True)
class Descriptor:
    """One codemod: its name, spec section, needles, findings, metrics and entry points.

    `codemod` and `fast` are import paths (`package.module:attribute`), so a worker process
    loads them itself and nothing imports LibCST before a file needs it; `codemod` may also be
    the object itself (a codemod defined at run time, seen by forked workers only).
    """

    name: str  # the batch rule and `--rule` name
    section: str  # the spec's array of tables, `[[section]]`
    read: Callable[[SpecReader, Any, Key], object]  # one table of the section -> one rule
    needles: Callable[[RuleSet], frozenset[bytes]]  # bytes without which a file is skipped
    codemod: Any  # the codemod (analysis and transform): a path to an object or a class
    fast: str | None = None  # the stdlib-`ast` analysis: (AstFile, RuleSet) -> Analysis
    # `fast` without its fixes' edits, for a scan (same signature): what it reports, once
    # `Analysis.scanned()` and in the scan's order, equals `fast`'s; None: a scan runs `fast`.
    measure: str | None = None
    # (text_checks.Source, FileContext, RuleSet) -> bool: True when the codemod can report
    # nothing in the file, read from its bytes without a parse (its analysis would find
    # nothing); a file every present codemod declines is not parsed. None: never declines.
    declines: str | None = None
    findings: tuple[FindingKind, ...] = ()
    metrics: tuple[Metric, ...] = field(default=())

    def load_codemod(self) -> Any:
        loaded = load(self.codemod) if isinstance(self.codemod, str) else self.codemod
        return loaded() if isinstance(loaded, type) else loaded

    def load_fast(self) -> Callable | None:
        return load(self.fast) if self.fast else None

    def load_measure(self) -> Callable | None:
        return load(self.measure) if self.measure else None

    def load_declines(self) -> Callable | None:
        return load(self.declines) if self.declines else None


def load(path: str) -> Any:
    """The attribute a `package.module:attribute` path names."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def counted(name: str, *rules: str) -> Metric:
    """A metric that counts the findings of `rules`."""
    return Metric(name, rules, counted=True)
