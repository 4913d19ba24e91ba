"""What an import, or a dotted path in a string, means under the rules: the finding it earns.

Parser-free: the analysis (`codemods.imports.fast`) decides with these; the rewrite reports the
same words where it keeps a site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codemods.core.imports.words import star_import
from codemods.core.paths import PathMap
from codemods.core.references import references_old_path
from codemods.core.values import Finding, Located


@dataclass(frozen=True)
class Verdict:
    """A finding to report: its rule and message."""

    rule: str
    message: str
    fixable: bool = True
    manual_review: bool = False

    def at(self, located: Located, node: object) -> Finding:
        """This verdict as a finding at `node` of a parsed file (LibCST's or the stdlib's)."""
        return located.finding(
            self.rule,
            node,
            self.message,
            fixable=self.fixable,
            manual_review=self.manual_review,
        )


CANONICAL = Verdict("", "")  # an import of the canonical path: counted, not reported


def import_verdict(paths: PathMap, module: str) -> Verdict | None:
    """`import module`."""
    moved = paths.rename(module)
    held = paths.held(module)
    if held is not None:
        return Verdict("deprecated-import", held, fixable=False, manual_review=True)
    if moved is not None:
        return Verdict("deprecated-import", f"`import {module}`: moved to {moved[1]}")
    if module in paths.old_modules:
        return Verdict("deprecated-import", f"`import {module}`: deprecated module")
    return None


def star_import_verdict(paths: PathMap, module: str) -> Verdict | None:
    """`from module import *` (module already absolute)."""
    if not paths.is_old_module(module):
        return None
    return Verdict("deprecated-import", star_import(module), fixable=False, manual_review=True)


def from_import_verdict(
    paths: PathMap, own_module: str, module: str, name: str, asname: str | None
) -> Verdict | None:
    """`from module import name [as asname]` in the file of module `own_module`."""
    path = f"{module}.{name}"
    moved = paths.rename(path)
    held = paths.held(path) if moved is not None else None
    if held is not None:
        return Verdict("deprecated-import", held, fixable=False, manual_review=True)
    if moved is not None:
        return Verdict("deprecated-import", f"`{name}` from {module}: moved to {moved[1]}")
    if path in paths.old_modules:
        return Verdict("deprecated-import", f"module `{path}` is deprecated")
    if path in paths.canonical:
        if asname is not None and asname != name:
            return Verdict("aliased-import", f"`{name}` imported as `{asname}`")
        return CANONICAL
    canonical = paths.indirect(own_module, module, name)
    if canonical is not None:
        return Verdict("indirect-import", f"`{name}` from {module}: {INDIRECT_HINT} {canonical}")
    return None


INDIRECT_HINT = "import it from"
INDIRECT_MESSAGE = re.compile(rf"`(?P<name>\w+)` from (?P<module>[\w.]+): {INDIRECT_HINT} ")


def indirect_subject(message: str) -> tuple[str, str] | None:
    """(module, name) of an `indirect-import` finding's message."""
    found = INDIRECT_MESSAGE.match(message)
    return (found["module"], found["name"]) if found else None


def compat_alias_verdict(alias: str, path: str) -> Verdict | None:
    """A module-level `alias = <canonical path>` under another name than the path's own."""
    name = path.rpartition(".")[2]
    if name == alias:
        return None
    return Verdict("aliased-import", f"compatibility alias `{alias} = {name}`")


def string_verdict(paths: PathMap, value: object) -> Verdict | None:
    """A string literal's value where the runtime takes a dotted path."""
    if not references_old_path(paths, value):
        return None
    assert isinstance(value, str)
    moved = paths.rename(value)
    held = paths.held(value) if moved is not None else None
    if held is not None:
        return Verdict("string-reference", held, fixable=False, manual_review=True)
    if moved is not None:
        return Verdict("string-reference", f'"{value}": moved to {moved[1]}')
    message = f'"{value}": names a deprecated module that no rule moves'
    return Verdict("string-reference", message, fixable=False, manual_review=True)
