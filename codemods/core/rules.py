"""Plain rule values the codemods take; `migrator.spec` validates TOML and builds them."""

from __future__ import annotations

from dataclasses import dataclass, field


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
class ConsolidateRule:
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


@dataclass(frozen=True)
class RuleSet:
    """Everything the codemods need from a spec."""

    renames: tuple[RenameRule, ...] = ()
    constructors: tuple[ConstructorRule, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    consolidations: tuple[ConsolidateRule, ...] = ()
    singletons: tuple[SingletonRule, ...] = ()
    project_packages: tuple[str, ...] = field(default=())
    # Repository fact the runner supplies (None: unknown): dotted `module.Name` paths, and
    # modules, that files outside the current run import. The imports codemod removes a
    # compatibility alias only when nothing outside the run imports it.
    imported_elsewhere: frozenset[str] | None = None
    # Repository fact the runner supplies: `module.Name` re-exports of moved names (a module that
    # imports an old name at module level, or binds a compatibility alias), as name renames, so
    # the files importing a name through such a module are rewritten to the canonical path.
    reexports: tuple[RenameRule, ...] = ()
    # Repository fact: for each whole-module rename whose `new` module exists, the names that
    # module provides at its top level. A name the new module lacks does not move (its imports are
    # left for manual review); a rename missing here is unchecked.
    provided: tuple[tuple[str, frozenset[str]], ...] = ()
    # Repository fact: `module.Name` paths of project modules whose `Name` is their own object
    # (or nothing), not the canonical one re-exported: importing it there is not indirect.
    own_objects: frozenset[str] = frozenset()
    # Repository fact: `module.Name` -> the files importing `Name` from `module`, for the modules
    # a flag cleanup may shrink. A name someone imports is never removed from its module.
    importers: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
        paths += [r.new for r in self.constructors] + [r.new for r in self.consolidations]
        for path in paths:
            root = path.split(".", 1)[0]
            if root not in roots:
                roots.append(root)
        return tuple(roots)
