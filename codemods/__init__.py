"""Pure codemods: source text in, new source text and findings out.

`CODEMODS` is built on first use (PEP 562), so importing `codemods.core.rules` or
`codemods.core.values` does not load LibCST.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codemods.core.base import Codemod

# Registry order: the order a batch runs its codemods in.
CODEMOD_NAMES: tuple[str, ...] = ("flags", "validators", "singletons", "constructors", "imports")


def codemod_names() -> tuple[str, ...]:
    """Every registered codemod, in run order.

    Once the registry is loaded it is the truth (an extension may have added a codemod to it);
    before that, the built-in names, so callers need not load LibCST to know them.
    """
    registry = sys.modules.get("codemods.registry")
    return tuple(registry.CODEMODS) if registry is not None else CODEMOD_NAMES


def __getattr__(name: str) -> Any:
    if name == "CODEMODS":
        from codemods.registry import CODEMODS

        return CODEMODS
    if name == "Codemod":
        from codemods.core.base import Codemod

        return Codemod
    raise AttributeError(f"module 'codemods' has no attribute {name!r}")


__all__ = ["CODEMODS", "CODEMOD_NAMES", "Codemod", "codemod_names"]
