"""Pure codemods: source text in, new source text and findings out."""

from codemods.base import Codemod
from codemods.constructors import ConstructorsCodemod
from codemods.flags import FlagsCodemod
from codemods.imports import ImportsCodemod
from codemods.singletons import SingletonsCodemod
from codemods.validators import ValidatorsCodemod

CODEMODS: dict[str, Codemod] = {
    codemod.name: codemod
    for codemod in (
        FlagsCodemod(),
        ValidatorsCodemod(),
        SingletonsCodemod(),
        ConstructorsCodemod(),
        ImportsCodemod(),
    )
}

__all__ = ["CODEMODS", "Codemod"]
