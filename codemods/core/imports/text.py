"""New import statements as values and as text, parser-free (`edits.from_import_line` parses
this text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NewImport:
    """`from module import name [as asname]`, spelled relative when `relative` is set."""

    module: str
    name: str
    asname: str | None = None
    relative: bool = False

    @property
    def bound(self) -> str:
        return self.asname or self.name


# what a try/except must catch for the rewrite to fold it (`statements.folded_tries`)
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception"})
LINE_LIMIT = 100  # a generated line longer than this is laid out one item a line


def from_import_text(module: str, names: Sequence[str], wrap: tuple[int, str] | None = None) -> str:
    """`from module import a, b as c` (names as written) and its line break, on one line; with
    `wrap` (the line's indent width, the file's indent unit) one name a line in parentheses
    past `LINE_LIMIT`. Continuation lines are relative to the statement's own indent."""
    text = f"from {module} import {', '.join(names)}"
    if wrap is not None and len(names) > 1 and wrap[0] + len(text) > LINE_LIMIT:
        listed = "".join(f"{wrap[1]}{name},\n" for name in names)
        text = f"from {module} import (\n{listed})"
    return text + "\n"
