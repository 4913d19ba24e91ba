"""Why the import rewrite keeps a module-level compatibility alias (`Alias = Canonical`): the one
decision, fed its facts by the LibCST rewrite (`ImportRewrite._compat_alias_kept`) and by the
imports analysis (`codemods.imports.compat`), each reading them from its own tree."""

from __future__ import annotations

from codemods.core.paths import PathMap


class Undecided:
    """A fact the caller's tree cannot tell (the `ast` view of a string annotation, say)."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNDECIDED"


UNDECIDED = Undecided()


def kept_reason(
    alias: str, module: str, paths: PathMap, used: bool | None, shares_line: bool | None
) -> str | None | Undecided:
    """The reason the alias stays, in the rewrite's order of reasons; None: it goes. `used`:
    a binding of the name is read in the file; `shares_line`: another statement is on its line
    (None for either: undecided, and so is the answer when the reason turns on it)."""
    own = f"{module}.{alias}"
    if used is not False:
        return f"`{alias}` is still used in this file" if used else UNDECIDED
    if paths.rename(own) is None:
        return f"no rule moves `{own}`, so the files importing it are not rewritten"
    if shares_line is not False:
        return "it shares its line with other statements" if shares_line else UNDECIDED
    elsewhere = paths.rules.imported_elsewhere
    if elsewhere is None:
        return "unknown whether files outside this run import it (`migrator run` checks)"
    probe = own
    while probe:
        if probe in elsewhere:
            return f"files outside this run import `{probe}`"
        probe = probe.rpartition(".")[0]
    return None
