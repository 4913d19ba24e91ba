"""The bypass-flag findings' words, parser-free: both analyzers (LibCST, `ast`) say the same."""

from __future__ import annotations

CONDITION = "condition reads an auth-bypass flag"


def flag_assignment(flag: str, truth: bool | None) -> tuple[str, bool] | None:
    """(message, needs review) for `flag = <value>` by the value's literal truth (None: not a
    literal); nothing for a falsy literal, which the flag's removal keeps."""
    if truth is True:
        return f"`{flag}` set to a truthy value: an auth bypass", False
    if truth is None:
        return f"`{flag}` is computed at run time: review and remove by hand", True
    return None


def kept_for_importers(name: str, files: tuple[str, ...]) -> str:
    """A name the flag's removal left unused here, kept because other modules import it."""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return (
        f"`{name}` is no longer used here after removing the bypass flag, but {shown} "
        "import it from this module: kept; remove it together with those imports"
    )
