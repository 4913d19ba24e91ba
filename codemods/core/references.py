"""String references: a dotted path in a string literal where the runtime resolves one.

Parser-free: the predicates the import rewrite's decisions (`codemods.core.imports.decide`)
and the imports analysis (`codemods.imports.fast`) read strings with.
"""

from __future__ import annotations

import re

from codemods.core.paths import PathMap

DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
# Calls whose first argument (or one of these keywords) is a dotted path the runtime resolves.
PATH_TAKING_CALLS = frozenset({"patch", "import_module", "__import__", "find_spec"})
PATH_KEYWORDS = frozenset({"target", "name"})


def takes_path(callee: str) -> bool:
    """Is a call of this dotted callee one that takes a dotted path?"""
    return callee.rpartition(".")[2] in PATH_TAKING_CALLS


def is_path_argument(index: int, keyword: str | None) -> bool:
    """Is the argument at `index` (named `keyword`, or positional) where that path goes?"""
    return (index == 0 and keyword is None) or keyword in PATH_KEYWORDS


def references_old_path(paths: PathMap, value: object) -> bool:
    """Is a string's value a dotted path naming an old location (or something inside one)?"""
    return (
        isinstance(value, str)
        and bool(DOTTED_PATH.fullmatch(value))
        and (paths.references_old(value))
    )
