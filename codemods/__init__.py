"""Pure codemods: source text in, new source text and findings out.

`codemods.registry` lists every codemod's descriptor (parser-free); `CODEMOD_NAMES` are the
built-in ones in run order; `CODEMODS` maps names to the codemods themselves, each loaded (with
LibCST) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codemods.core.base import Codemod


def codemod_names() -> tuple[str, ...]:
    """Every registered codemod, in run order (an extension may have added one)."""
    from codemods import registry

    return registry.names()


def __getattr__(name: str) -> Any:
    if name == "CODEMOD_NAMES":  # the built-in codemods, in run order
        from codemods.registry import BUILT_IN

        return BUILT_IN
    if name == "CODEMODS":
        from codemods.registry import CODEMODS

        return CODEMODS
    if name == "Codemod":
        from codemods.core.base import Codemod

        return Codemod
    raise AttributeError(f"module 'codemods' has no attribute {name!r}")


__all__ = ["CODEMODS", "CODEMOD_NAMES", "Codemod", "codemod_names"]
