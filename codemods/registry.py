"""Every codemod by name, in the order a batch runs them."""

from codemods import CODEMOD_NAMES
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
assert tuple(CODEMODS) == CODEMOD_NAMES
