"""Plain rule values the codemods take; `migrator.spec` validates TOML and builds them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RenameRule:
    """A dotted path moves: a module (every name it exports) or one `module.Name`."""

    old: str
    new: str
    kind: str = ""  # "module", "name", or "" to infer from the last component's case
    pending: bool = False  # `new` is not written yet: report the old uses, rewrite nothing
    deleted: bool = False  # `old` is already gone from the repository (its importers remain)

    @property
    def is_module(self) -> bool:
        if self.kind:
            return self.kind == "module"
        return not self.old.rsplit(".", 1)[-1][:1].isupper()


@dataclass(frozen=True)
class ConstructorRule:
    """Direct construction of `old` becomes a factory-based construction of `new`."""

    old: str
    new: str
    params: tuple[str, ...]
    args: tuple[tuple[str, str], ...]
    imports: tuple[tuple[str, str], ...] = ()
    classmethods: tuple[str, ...] = ()
    pending: bool = False  # `new` is not written yet: report the calls, convert none

    @property
    def accepted_names(self) -> frozenset[str]:
        """The dotted names a call of the old class (or of one of its classmethods) resolves to."""
        return frozenset([self.old, *(f"{self.old}.{method}" for method in self.classmethods)])


@dataclass(frozen=True)
class FlagRule:
    """An auth-bypass flag to remove; `value` is what every read of it becomes."""

    name: str
    value: bool | int | str | None = False


@dataclass(frozen=True)
class ValidatorRule:
    """Many functions collapse into one canonical function.

    `params` are the canonical function's parameters in order (the first one required); a call
    of an old function whose arguments do not bind to them is left for manual review.
    """

    old: tuple[str, ...]
    new: str
    params: tuple[str, ...] = ()
    pending: bool = False  # `new` is not written yet: report the calls, rewrite none


@dataclass(frozen=True)
class SingletonRule:
    """Classes whose instances must never live in module or class globals."""

    classes: tuple[str, ...]
    fix: bool = False
    suffixes: tuple[str, ...] = ("Factory", "Engine", "Bridge")


# The built-in codemods' rules as RuleSet keywords and properties: keyword -> codemod name.
BUILT_IN = {
    "flags": "flags",
    "validators": "validators",
    "singletons": "singletons",
    "constructors": "constructors",
    "renames": "imports",
}


@dataclass(frozen=True, init=False)
class RuleSet:
    """Everything the codemods need from a spec: each codemod's rules by its name, and facts.

    `RuleSet(flags=..., renames=...)` and the properties of the same names are the built-in
    codemods' rules; any codemod's are `of(name)`, given as `by_codemod={name: rules}`.
    """

    by_codemod: tuple[tuple[str, tuple[Any, ...]], ...]  # (codemod, its rules), by name
    project_packages: tuple[str, ...]
    # Repository fact the runner supplies (None: unknown): dotted `module.Name` paths, and
    # modules, that files outside the current run import. The imports codemod removes a
    # compatibility alias only when nothing outside the run imports it.
    imported_elsewhere: frozenset[str] | None
    # Repository fact the runner supplies: `module.Name` re-exports of moved names (a module that
    # imports an old name at module level, or binds a compatibility alias), as name renames, so
    # the files importing a name through such a module are rewritten to the canonical path.
    reexports: tuple[RenameRule, ...]
    # Repository fact: for each whole-module rename whose `new` module exists, the names that
    # module provides at its top level. A name the new module lacks does not move (its imports are
    # left for manual review); a rename missing here is unchecked.
    provided: tuple[tuple[str, frozenset[str]], ...]
    # Repository fact: for each whole-module rename, the `old.Name` paths whose `Name` the new
    # module binds to another object than the old module does (the old module defines its own, or
    # the two import it from different places). They do not move (manual review) either.
    other_objects: frozenset[str]
    # Repository fact: `module.Name` paths of project modules whose `Name` is their own object,
    # not the canonical one re-exported: importing it there is not an indirect import.
    own_objects: frozenset[str]
    # Repository fact: `module.Name` -> the files importing `Name` from `module`, for the modules
    # a flag cleanup may shrink. A name someone imports is never removed from its module.
    importers: tuple[tuple[str, tuple[str, ...]], ...]

    def __init__(
        self,
        by_codemod: Mapping[str, Iterable[Any]] | Iterable[tuple[str, Iterable[Any]]] = (),
        *,
        project_packages: tuple[str, ...] = (),
        imported_elsewhere: frozenset[str] | None = None,
        reexports: tuple[RenameRule, ...] = (),
        provided: tuple[tuple[str, frozenset[str]], ...] = (),
        other_objects: frozenset[str] = frozenset(),
        own_objects: frozenset[str] = frozenset(),
        importers: tuple[tuple[str, tuple[str, ...]], ...] = (),
        **built_in: Iterable[Any],
    ) -> None:
        rules = {name: tuple(items) for name, items in dict(by_codemod).items()}
        for keyword, items in built_in.items():
            if keyword not in BUILT_IN:
                raise TypeError(f"RuleSet() got an unexpected keyword argument {keyword!r}")
            rules[BUILT_IN[keyword]] = tuple(items)
        kept = tuple(sorted((name, items) for name, items in rules.items() if items))
        object.__setattr__(self, "by_codemod", kept)
        object.__setattr__(self, "project_packages", tuple(project_packages))
        object.__setattr__(self, "imported_elsewhere", imported_elsewhere)
        object.__setattr__(self, "reexports", tuple(reexports))
        object.__setattr__(self, "provided", tuple(provided))
        object.__setattr__(self, "other_objects", frozenset(other_objects))
        object.__setattr__(self, "own_objects", frozenset(own_objects))
        object.__setattr__(self, "importers", tuple(importers))

    def of(self, codemod: str) -> tuple[Any, ...]:
        """The rules of one codemod (empty when the spec has none)."""
        return next((items for name, items in self.by_codemod if name == codemod), ())

    @property
    def renames(self) -> tuple[RenameRule, ...]:
        return self.of("imports")

    @property
    def constructors(self) -> tuple[ConstructorRule, ...]:
        return self.of("constructors")

    @property
    def flags(self) -> tuple[FlagRule, ...]:
        return self.of("flags")

    @property
    def validators(self) -> tuple[ValidatorRule, ...]:
        return self.of("validators")

    @property
    def singletons(self) -> tuple[SingletonRule, ...]:
        return self.of("singletons")

    def constructor_rule(self, names: set[str] | frozenset[str]) -> ConstructorRule | None:
        """The constructor rule whose old class a call of one of these dotted names constructs."""
        for rule in self.constructors:
            if names & rule.accepted_names:
                return rule
        return None

    def packages(self) -> tuple[str, ...]:
        """Top-level packages the migration is about (explicit, or from the rules' paths)."""
        if self.project_packages:
            return self.project_packages
        roots: list[str] = []
        paths = [r.old for r in self.renames] + [r.new for r in self.renames]
        paths += [r.new for r in self.constructors] + [r.new for r in self.validators]
        for path in paths:
            root = path.split(".", 1)[0]
            if root not in roots:
                roots.append(root)
        return tuple(roots)
