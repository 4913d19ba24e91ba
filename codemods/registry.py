"""Every codemod by name, in the order a batch runs them."""

from codemods import CODEMOD_NAMES
from codemods.constructors.codemod import ConstructorsCodemod
from codemods.core.base import Codemod
from codemods.flags.codemod import FlagsCodemod
from codemods.imports.codemod import ImportsCodemod
from codemods.singletons.codemod import SingletonsCodemod
from codemods.validators.codemod import ValidatorsCodemod

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
