"""A converted call's arguments bound to the old parameters (the analysis decided they bind)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.constructors.templates import PLACEHOLDER
from codemods.core.rules import ConstructorRule

__all__ = ["PLACEHOLDER", "Binding", "bind"]


@dataclass(frozen=True)
class Binding:
    """The call's arguments by the old parameter each is bound to."""

    arguments: dict[str, cst.Arg]


def bind(call: cst.Call, rule: ConstructorRule) -> Binding:
    """Bind the arguments to `rule.params` as Python would. Only for a call the analysis
    (`codemods.constructors.fast.bind_problem`) found bindable: no star, no unknown keyword."""
    arguments: dict[str, cst.Arg] = {}
    position = 0
    for arg in call.args:
        if arg.keyword is None:
            key = rule.params[position]
            position += 1
        else:
            key = arg.keyword.value
        arguments[key] = arg
    return Binding(arguments)
