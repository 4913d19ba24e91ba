"""Words the imports analysis and the import rewrite share, so that both report a site alike
and the runner can tell, from the analysis alone, what the rewrite would report."""

from __future__ import annotations

STAR_IMPORT = "star import from a deprecated module"
IN_FSTRING = "(inside an f-string: rewrite it by hand)"


def star_import(module: str) -> str:
    """The message of `from module import *` of a deprecated module."""
    return f"`from {module} import *`: {STAR_IMPORT}"


def is_star_import(message: str) -> bool:
    return message.endswith(f": {STAR_IMPORT}")


def in_fstring(message: str) -> str:
    """A string reference's message when it sits inside an f-string (reported at the f-string)."""
    return f"{message} {IN_FSTRING}"


def is_in_fstring(message: str) -> bool:
    return message.endswith(IN_FSTRING)


def still_used(module: str) -> str:
    """What the rewrite reports at a deprecated module import it keeps for other names."""
    return f"module `{module}` is still used for names no rule moves"
