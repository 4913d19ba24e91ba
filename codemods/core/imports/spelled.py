"""The dotted paths a LibCST import statement spells, resolved against its file's module."""

from __future__ import annotations

import libcst as cst

from codemods.core.base import FileContext, dotted_name


def imported_module(node: cst.ImportFrom, ctx: FileContext) -> str:
    """The absolute module a from-import reads from."""
    module = dotted_name(node.module) if node.module is not None else ""
    return ctx.resolve("." * len(node.relative) + (module or ""))


def imported_path(alias: cst.ImportAlias, node: cst.Import | cst.ImportFrom, ctx: FileContext):
    """The absolute dotted path an import alias brings in."""
    name = dotted_name(alias.name) or ""
    if isinstance(node, cst.Import):
        return name
    base = imported_module(node, ctx)
    return f"{base}.{name}" if base else name
