"""The values codemods report (findings, per-file analyses) and where a file sits.

Nothing here imports LibCST: a scan answered from the cache never loads the parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codemods.core.edits import Edit


@dataclass(frozen=True)
class Finding:
    """One violation (or one fact needing review) at a place in a file.

    `fix`: the rewrite changes code at this finding (every fixable finding, and a reviewed one
    whose surroundings are fixed, such as a public singleton's getter). The analysis decides
    it; the runner transforms a file with a codemod only when one of its findings has it. Not
    part of the reported value (nor of equality): a scan's JSON and cache do not carry it.
    `edits`: the fix as data, when the analysis knows the new text (applied by the rewrite
    without another parse); neither reported nor compared either.
    """

    rule: str
    path: str
    line: int
    column: int
    message: str
    fixable: bool = True
    manual_review: bool = False
    fix: bool = field(default=False, compare=False, repr=False)
    edits: tuple[Edit, ...] = field(default=(), compare=False, repr=False)
    # What the rewrite reports once its fixes are applied (an import it keeps, for review): an
    # analysis gives it with its fix's edits, a scan does not report it (`Analysis.scanned`).
    after_fix: bool = field(default=False, compare=False, repr=False)
    # How many changes the rewrite counts for this fix, its edits applied: a renamed string
    # counts as one more, a site it leaves as it is (edits that change nothing) as none.
    changes: int = field(default=1, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fixable": self.fixable,
            "manual_review": self.manual_review,
        }


@dataclass(frozen=True)
class FileContext:
    """Where a source file sits: its repository-relative path and dotted module name."""

    path: str
    module: str = ""
    is_package: bool = False

    @classmethod
    def from_path(cls, path: str) -> FileContext:
        """Derive the module name from a repository-relative POSIX path."""
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        valid = all(p.isidentifier() for p in parts)
        return cls(path=path, module=".".join(parts) if valid else "", is_package=is_package)

    @property
    def package(self) -> str:
        """The package relative imports are resolved against."""
        if self.is_package:
            return self.module
        return self.module.rpartition(".")[0]

    def resolve(self, dotted: str) -> str:
        """Resolve a possibly relative dotted name (`..a.b`) to an absolute one."""
        level = len(dotted) - len(dotted.lstrip("."))
        if level == 0:
            return dotted
        base = self.package.split(".") if self.package else []
        if level - 1 > len(base):
            return dotted
        base = base[: len(base) - (level - 1)]
        rest = dotted[level:]
        return ".".join([*base, rest] if rest else base)

    def absolute(self, qualified: str, imported: bool) -> str | None:
        """A qualified name as an absolute dotted path: an import's (relative ones resolved), or
        this module's own name; None for a function's locals or a file outside a package."""
        if imported:
            return self.resolve(qualified)
        if self.module and "<locals>" not in qualified:
            return f"{self.module}.{qualified}"
        return None


class Located:
    """A parsed file that knows its context and where a node starts: it can make findings."""

    context: FileContext

    def position(self, node: object) -> tuple[int, int]:
        raise NotImplementedError

    def finding(
        self,
        rule: str,
        node: object,
        message: str,
        *,
        fixable: bool = True,
        manual_review: bool = False,
        fix: bool | None = None,
    ) -> Finding:
        """`fix` defaults to `fixable`: a fixable finding is one the rewrite changes."""
        line, column = self.position(node)
        fix = fixable if fix is None else fix
        return Finding(rule, self.context.path, line, column, message, fixable, manual_review, fix)


@dataclass
class Analysis:
    """What a codemod measured in one file."""

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)

    def scanned(self) -> Analysis:
        """What a scan reports of this analysis: without the findings only a rewrite reports."""
        if not any(finding.after_fix for finding in self.findings):
            return self
        kept = [finding for finding in self.findings if not finding.after_fix]
        return Analysis(kept, self.counts, self.names)

    def count(self, metric: str, by: int = 1) -> None:
        self.counts[metric] = self.counts.get(metric, 0) + by

    def add_name(self, metric: str, name: str) -> None:
        self.names.setdefault(metric, set()).add(name)

    def merge(self, other: Analysis) -> None:
        self.findings.extend(other.findings)
        for metric, value in other.counts.items():
            self.count(metric, value)
        for metric, values in other.names.items():
            self.names.setdefault(metric, set()).update(values)


def last_components(paths: Iterable[str]) -> frozenset[bytes]:
    """The last dotted component of each path, as needle bytes."""
    return frozenset(p.rsplit(".", 1)[-1].encode() for p in paths if p)


@dataclass
class TransformResult:
    """New source text (equal to the input when nothing changed) and what was found there:
    every finding's position is in `code`, the new text."""

    code: str
    findings: list[Finding] = field(default_factory=list)
    changes: int = 0
