"""The spec checked against the repository before anything is written.

Every path a rule points at inside the project's own packages must be there: a rename's `old`
(unless `deleted = true`) and `new` (unless `pending = true`), a constructor's classes and the
names its templates import, a consolidation's functions. A path is there when its module file is
(`module.py` or `package/__init__.py`) and, for `module.Name`, the module defines or imports
`Name` at its top level. Packages the repository does not have at all are not checked: the spec is
about another code base, and nothing in this one matches it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from codemods.constructors.templates import template_names
from codemods.core.rules import RuleSet
from migrator.engine.modules import ModuleIndex
from migrator.spec import Spec, key_text

# The spec sections each codemod rewrites by (the imports codemod keeps what a constructor rule
# still needs, the constructors codemod imports the renamed classes).
SECTIONS = {
    "imports": ("rename", "constructor"),
    "constructors": ("constructor", "rename"),
    "validators": ("consolidate",),
}


@dataclass(frozen=True)
class SpecProblem:
    """A rule pointing at something the repository does not have."""

    where: str  # `file:line`
    key: str
    problem: str
    fatal: bool = True  # False: worth a warning, not a refusal

    def __str__(self) -> str:
        return f"{self.where}: `{self.key}`: {self.problem}"

    def applies_to(self, codemods: tuple[str, ...] | None) -> bool:
        """Would running these codemods (None: all) use the rule with the problem?"""
        section = self.key.split("[", 1)[0]
        return codemods is None or any(section in SECTIONS.get(c, ()) for c in codemods)


class _Checker:
    def __init__(self, spec: Spec, index: ModuleIndex) -> None:
        self.spec = spec
        self.index = index
        self.packages = spec.rules.packages()
        self.problems: list[SpecProblem] = []

    def checked(self, path: str) -> bool:
        """Is `path` inside one of the project's packages that this repository has?"""
        root = path.split(".", 1)[0]
        return root in self.packages and self.index.exists(root)

    def missing(self, path: str, as_module: bool) -> str | None:
        """What is missing of `path` (a module, or `module.Name`), else None."""
        if as_module:
            return None if self.index.exists(path) else f"no module `{path}` in the repository"
        module, _, name = path.rpartition(".")
        if not self.index.exists(module):
            return f"no module `{module}` in the repository"
        if not self.index.provides(module, name):
            return f"`{module}` has no top-level `{name}`"
        return None

    def report(self, key: tuple[str | int, ...], problem: str, fatal: bool = True) -> None:
        where = self.spec.where(key)
        self.problems.append(SpecProblem(where, key_text(key), problem, fatal))

    def old(self, key: tuple[str | int, ...], path: str, as_module: bool = False) -> None:
        if not self.checked(path) or not (why := self.missing(path, as_module)):
            return
        module = path if as_module else path.rpartition(".")[0]
        if self.index.exists(module):
            # The module is there without the name: a typo, or a name a run already removed
            # (a compatibility alias): worth a warning, not a refusal.
            self.report(key, f"{why} (a typo, or removed already?)", fatal=False)
        else:
            self.report(key, f"{why} (a typo? `deleted = true` on a rename whose module is gone)")

    def new(self, key: tuple[str | int, ...], path: str, as_module: bool = False) -> None:
        if self.checked(path) and (why := self.missing(path, as_module)):
            self.report(key, f"{why} (`pending = true` if it is still to be written)")

    def run(self) -> list[SpecProblem]:
        rules = self.spec.rules
        deleted = {rule.old for rule in rules.renames if rule.deleted}
        for i, rule in enumerate(rules.renames):
            if not rule.deleted:
                self.old(("rename", i, "old"), rule.old, rule.is_module)
            if not rule.pending:
                self.new(("rename", i, "new"), rule.new, rule.is_module)
        for i, rule in enumerate(rules.constructors):
            if rule.old not in deleted:
                self.old(("constructor", i, "old"), rule.old)
            if rule.pending:
                continue
            self.new(("constructor", i, "new"), rule.new)
            for name, module in template_names(rule):
                self.new(("constructor", i, "imports", name), f"{module}.{name}")
        for i, rule in enumerate(rules.validators):
            for j, old in enumerate(rule.old):
                if old not in deleted:
                    self.old(("consolidate", i, "old", j), old)
            if not rule.pending:
                self.new(("consolidate", i, "new"), rule.new)
        return self.problems


def check_spec(spec: Spec, root: Path, index: ModuleIndex | None = None) -> list[SpecProblem]:
    """Every path of the spec that the repository at `root` does not have, in spec order."""
    return _Checker(spec, index or ModuleIndex(root)).run()


def with_module_facts(rules: RuleSet, root: Path, index: ModuleIndex | None = None) -> RuleSet:
    """The rules plus, for every whole-module rename, the names its new module provides and the
    names it binds to another object than the old module (so those names stay where they are and
    are reported instead of moved)."""
    index = index or ModuleIndex(root)
    provided = []
    other: set[str] = set()
    for rule in rules.renames:
        if rule.is_module and not rule.pending:
            names = index.names(rule.new)
            if names is not None:
                provided.append((rule.new, names))
                other |= other_objects(index, rule.old, rule.new, names)
    return replace(rules, provided=tuple(provided), other_objects=frozenset(other))


def other_objects(index: ModuleIndex, old: str, new: str, names: frozenset[str]) -> set[str]:
    """`old.Name` for each name both modules bind at their top level but to different objects
    (each followed through imports and re-exports to where it is defined). Only the names the
    old module binds itself count; an old module that is gone or cannot be read moves all."""
    facts = index.facts(old)
    if facts is None or not facts.parsed or facts.dynamic:
        return set()
    found = set()
    for name in sorted((facts.defined | facts.imported.keys()) & names):
        mine, theirs = index.origin(old, name), index.origin(new, name)
        if mine is not None and theirs is not None and mine != theirs:
            found.add(f"{old}.{name}")
    return found
