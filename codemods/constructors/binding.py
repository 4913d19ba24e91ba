"""A converted call's LibCST arguments by the old parameter each binds (the analysis decided
which, `fast.parameters`)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.constructors.templates import PLACEHOLDER

__all__ = ["PLACEHOLDER", "Binding", "bind"]


@dataclass(frozen=True)
class Binding:
    """The call's arguments by the old parameter each is bound to."""

    arguments: dict[str, cst.Arg]


def bind(call: cst.Call, parameters: tuple[str, ...]) -> Binding:
    """The call's arguments by the parameter each binds, `parameters` in source order."""
    return Binding(dict(zip(parameters, call.args, strict=True)))
