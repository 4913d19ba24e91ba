"""Dotted-path lookups shared by the codemods: longest-match renames and old locations."""

from __future__ import annotations

from functools import cached_property

from codemods.core.rules import RenameRule, RuleSet
from codemods.core.values import FileContext


def _split(path: str) -> tuple[str, str]:
    module, _, name = path.rpartition(".")
    return module, name


class PathMap:
    """Answers "where does this dotted path go?" for a rule set (longest `old` wins)."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._by_old: dict[str, RenameRule] = {r.old: r for r in rules.renames}

    def rename(self, path: str) -> tuple[RenameRule, str] | None:
        """The rule and the new path for `path`, matching whole components, longest first."""
        probe = path
        while probe:
            rule = self._by_old.get(probe)
            if rule is not None:
                return rule, rule.new + path[len(probe) :]
            probe = probe.rpartition(".")[0]
        return None

    @cached_property
    def _provided(self) -> dict[str, frozenset[str]]:
        return dict(self.rules.provided)

    @cached_property
    def holds_any(self) -> bool:
        """Can `held` give a reason for any path (a pending rule, or a module rename)?"""
        return any(rule.pending or rule.is_module for rule in self._by_old.values())

    def held(self, path: str) -> str | None:
        """Why an old path a rule matches must stay as it is, else None: the rule is pending, or
        a whole-module rename's new module does not provide the name or binds another object
        under it than the old module does."""
        moved = self.rename(path)
        if moved is None:
            return None
        rule = moved[0]
        module, name = _split(path)
        subject = f"`{name}` from {module}" if module else f"`{path}`"
        if rule.pending:
            return f"{subject}: {rule.new} is pending (not written yet), so it is not rewritten"
        if rule.is_module and path != rule.old:
            first = path[len(rule.old) + 1 :].split(".", 1)[0]
            names = self._provided.get(rule.new)
            if names is not None and first not in names:
                return f"{subject}: {rule.new} does not provide `{first}`; move it there first"
            if f"{rule.old}.{first}" in self.rules.other_objects:
                return (
                    f"{subject}: {rule.new} binds another object named `{first}`, so it is not "
                    "moved; review by hand"
                )
        return None

    @cached_property
    def old_modules(self) -> frozenset[str]:
        """Modules that are old locations: moved modules and the modules of moved names."""
        modules = set()
        for rule in self.rules.renames:
            modules.add(rule.old if rule.is_module else _split(rule.old)[0])
        return frozenset(modules)

    @cached_property
    def canonical(self) -> frozenset[str]:
        """Canonical `module.Name` paths: where names go."""
        names = {r.new for r in self.rules.renames if not r.is_module}
        names |= {r.new for r in self.rules.constructors}
        names |= {r.new for r in self.rules.validators}
        return frozenset(names)

    @cached_property
    def canonical_by_name(self) -> dict[str, str]:
        """Last component -> canonical path."""
        return {_split(path)[1]: path for path in sorted(self.canonical)}

    def indirect(self, own_module: str, module: str, name: str) -> str | None:
        """The canonical path of a canonical name imported through another project module than
        its own, when that module re-exports it (not when the repository facts say the module
        binds an object of its own under that name); else None."""
        canonical = self.canonical_by_name.get(name)
        if canonical is None or not self.in_project(module) or module == own_module:
            return None
        if module == _split(canonical)[0] or f"{module}.{name}" in self.rules.own_objects:
            return None
        return canonical

    def is_old_module(self, module: str) -> bool:
        return module in self.old_modules or (
            self.rename(module) is not None and self.rename(module)[0].is_module
        )

    def in_project(self, module: str) -> bool:
        root = module.split(".", 1)[0]
        return root in self.rules.packages()

    def references_old(self, path: str) -> bool:
        """Does a dotted path name an old location or something inside one?"""
        if self.rename(path) is not None:
            return True
        probe = path
        while probe:
            if probe in self.old_modules:
                return True
            probe = probe.rpartition(".")[0]
        return False


class RepositoryPathMap(PathMap):
    """Renames plus the runner's re-export facts (`module.Name` re-exports of moved names).

    Re-exporting modules are not old modules: only the names they re-export move.
    """

    def __init__(self, rules: RuleSet) -> None:
        super().__init__(rules)
        for rule in rules.reexports:
            self._by_old.setdefault(rule.old, rule)


def split_path(path: str) -> tuple[str, str]:
    """`a.b.C` -> (`a.b`, `C`)."""
    module, _, name = path.rpartition(".")
    return module, name


def destination(path: str, module: str, paths: PathMap) -> str:
    """Where an imported dotted path points once migrated, read in `module`: its rule's new
    path, the canonical path of a canonical name imported through a re-exporting project
    module, or itself."""
    moved = paths.rename(path)
    if moved is not None:
        return moved[1]
    if path in paths.canonical:
        return path
    parent, _, name = path.rpartition(".")
    return paths.indirect(module, parent, name) or path


def old_names(paths: PathMap) -> frozenset[str]:
    """The names the rename rules move (`ExecutionEngine`): what a compatibility alias is called."""
    return frozenset(split_path(r.old)[1] for r in paths.rules.renames if not r.is_module)


def module_spelling(context: FileContext, module: str, relative: bool) -> str:
    """`module` as the file would write it: relative when asked and when it can be."""
    if not relative or not context.module:
        return module
    package = context.package.split(".") if context.package else []
    target = module.split(".")
    common = 0
    while common < min(len(package), len(target)) and package[common] == target[common]:
        common += 1
    if common == 0:
        return module
    level = len(package) - common + 1
    return "." * level + ".".join(target[common:])
