"""Fast analyzers: each codemod's scan analysis from one stdlib `ast` parse, without LibCST.

LibCST parses about ten times slower than `ast` and its scope analysis costs as much again, so
the scan measures with these and keeps LibCST for rewrites. Each module `codemods.<name>.fast`
mirrors the analysis of the codemod `<name>` and must report exactly what it reports (the
parity tests compare them on every fixture); where it cannot promise that, it raises
`Unsupported` and the runner analyzes the file with LibCST instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import Analysis

FastAnalyzer = Callable[[AstFile, RuleSet], Analysis]


@cache
def fast_analyzer(name: str) -> FastAnalyzer | None:
    """The fast analyzer of codemod `name`, or None when it has none (LibCST analyzes)."""
    try:
        module = importlib.import_module(f"codemods.{name}.fast")
    except ModuleNotFoundError as error:
        if error.name not in (f"codemods.{name}", f"codemods.{name}.fast"):
            raise
        return None
    return module.analyze


__all__ = ["AstFile", "FastAnalyzer", "Unsupported", "fast_analyzer"]
