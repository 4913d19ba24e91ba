"""Every codemod, in the order a batch runs them: one descriptor a line.

Every table the migrator keeps about codemods (spec sections, metrics, needles, SARIF rules,
`check`'s rule map) is derived from these. Parser-free: the codemods themselves (LibCST) load
on first use. A codemod outside this package joins with `register(descriptor)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from codemods import constructors, flags, imports, singletons, validators
from codemods.core.descriptor import Descriptor, FindingKind, Metric

if TYPE_CHECKING:
    from codemods.core.rules import RuleSet
    from codemods.core.text_checks import Source
    from codemods.core.tree import AstFile
    from codemods.core.values import Analysis, FileContext

DESCRIPTORS: dict[str, Descriptor] = {}


def register(descriptor: Descriptor) -> None:
    """Add a codemod (it runs after the ones before it); its name must be new."""
    if descriptor.name in DESCRIPTORS:
        raise ValueError(f"a codemod named `{descriptor.name}` is already registered")
    sections = {d.section for d in DESCRIPTORS.values()}
    if descriptor.section in sections:
        raise ValueError(f"the spec section `{descriptor.section}` already has a codemod")
    DESCRIPTORS[descriptor.name] = descriptor


register(flags.DESCRIPTOR)
register(validators.DESCRIPTOR)
register(singletons.DESCRIPTOR)
register(constructors.DESCRIPTOR)
register(imports.DESCRIPTOR)

BUILT_IN: tuple[str, ...] = tuple(DESCRIPTORS)
# Reports list the built-in codemods' metrics and rules in this order, the others' after them.
REPORT_ORDER = ("imports", "constructors", "singletons", "flags", "validators")


def names() -> tuple[str, ...]:
    """Every registered codemod, in run order."""
    return tuple(DESCRIPTORS)


def by_section() -> dict[str, Descriptor]:
    """The spec's array-of-tables key (`[[rename]]`) -> the codemod whose rules it holds."""
    return {d.section: d for d in DESCRIPTORS.values()}


def in_report_order() -> list[Descriptor]:
    rank = {name: index for index, name in enumerate(REPORT_ORDER)}
    return sorted(DESCRIPTORS.values(), key=lambda d: rank.get(d.name, len(rank)))


def metrics() -> tuple[Metric, ...]:
    """Every metric, in the order reports show them."""
    return tuple(metric for d in in_report_order() for metric in d.metrics)


def rule_metrics() -> dict[str, str]:
    """Finding rule -> the metric each of its findings counts toward."""
    return {rule: m.name for m in metrics() if m.counted for rule in m.rules}


def metric_rules() -> dict[str, tuple[str, ...]]:
    """Metric -> the finding rules behind it (to list what makes a metric miss)."""
    return {m.name: m.rules for m in metrics() if m.rules}


def metric(name: str) -> Metric | None:
    return next((m for m in metrics() if m.name == name), None)


def finding_kinds() -> tuple[FindingKind, ...]:
    """Every finding rule with help, in the order reports show them."""
    return tuple(kind for d in in_report_order() for kind in d.findings)


class _Codemods(Mapping[str, Any]):
    """Registered codemods by name (LibCST objects), each loaded on first use."""

    def __getitem__(self, name: str) -> Any:
        if name not in DESCRIPTORS:
            raise KeyError(name)
        return _loaded(DESCRIPTORS[name])

    def __iter__(self) -> Iterator[str]:
        return iter(DESCRIPTORS)

    def __len__(self) -> int:
        return len(DESCRIPTORS)


@cache
def fast_analyzer(name: str) -> Callable[[AstFile, RuleSet], Analysis] | None:
    """The stdlib-`ast` analysis of codemod `name`: the one place its decisions are made
    (None for a codemod that analyzes with LibCST alone, as an extension may)."""
    return DESCRIPTORS[name].load_fast() if name in DESCRIPTORS else None


def measure_analyzer(name: str) -> Callable[[AstFile, RuleSet], Analysis] | None:
    """What a scan runs of codemod `name`: its analysis without the fixes' edits where it has
    one (the same findings, in the scan's order), else its `fast_analyzer`."""
    descriptor = DESCRIPTORS.get(name)
    if descriptor is not None and descriptor.measure:
        return _loaded_measure(descriptor)
    return fast_analyzer(name)


@cache
def _loaded_measure(descriptor: Descriptor) -> Any:
    return descriptor.load_measure()


@cache
def text_check(name: str) -> Callable[[Source, FileContext, RuleSet], bool] | None:
    """Codemod `name`'s check of a file's text before any parse: True when it can report
    nothing there (None: it has no such check)."""
    return DESCRIPTORS[name].load_declines() if name in DESCRIPTORS else None


class AnalysisFailed(Exception):
    """A codemod's `ast` analysis raised: a bug, reported for the file, never a guess."""

    def __init__(self, codemod: str, error: Exception) -> None:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        super().__init__(f"codemod `{codemod}` failed: {first}")
        self.codemod = codemod


def fast_analyses(
    file: AstFile, rules: RuleSet, names: Iterable[str], *, measure: bool = False
) -> tuple[dict[str, Analysis], tuple[str, ...]]:
    """The codemods' `ast` analyses, and the codemods left to a LibCST analysis of their own
    (those without an `ast` analysis, and those whose `ast` analysis declines the file while
    the codemod keeps a LibCST `analyze` for it). Raises `AnalysisFailed` otherwise.

    `measure`: for a scan, which reports findings and not their fixes (`measure_analyzer`)."""
    analyses: dict[str, Analysis] = {}
    pending: list[str] = []
    for name in names:
        analyze = measure_analyzer(name) if measure else fast_analyzer(name)
        if analyze is None:
            pending.append(name)
            continue
        try:
            analyses[name] = analyze(file, rules)
        except Exception as error:  # noqa: BLE001 - reported as the codemod's failure
            if not hasattr(CODEMODS[name], "analyze"):
                raise AnalysisFailed(name, error) from error
            pending.append(name)
    return analyses, tuple(pending)


@cache
def _loaded(descriptor: Descriptor) -> Any:
    return descriptor.load_codemod()


CODEMODS: Mapping[str, Any] = _Codemods()
