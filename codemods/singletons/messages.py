"""Every singleton finding's words, parser-free."""

from __future__ import annotations

LEFTOVER = "delete it once no other module imports it"  # why a public global stays


def module_instance(
    name: str,
    cls: str,
    *,
    known: bool,
    problem: str | None,
    fix: bool,
    getter: str | None,
    suffix: str | None = None,
) -> tuple[str, bool]:
    """(message, fixable) for a module global `name = cls(...)`.

    `known`: the global has the mechanical shape's facts; `problem`: why it is not that shape;
    `fix`: its rule allows the fix; `getter`: the function that only returns it; `suffix`: the
    name suffix the class matched by when the rule's `classes` do not name it (never fixed: a
    class that keeps state in `self` would silently lose it).
    """
    message = f"module global `{name}` holds a shared `{cls}` instance"
    if known and problem is None and fix and suffix is not None:
        why = (
            f"`{cls}` matched only by the suffix `{suffix}`; add it to the [[singleton]] "
            "rule's `classes` to let migrator fix it"
        )
        return f"{message}; not fixed: {why}", False
    if rewritten(known=known, problem=problem, fix=fix, suffix=suffix):
        message += f": `{getter or 'its getter'}()` will build a new instance per call"
        if name.startswith("_"):
            return message, True
        return f"{message}; the public global stays: {LEFTOVER}", False
    if known and problem is None:
        why = "the spec's [[singleton]] rule for it has fix = false"
    elif known and problem:
        why = problem
    else:
        why = "not a plain module-level instance"
    return f"{message}; not fixed: {why}", False


def matched_suffix(name: str, suffixes: tuple[str, ...]) -> str | None:
    """The suffix a class name is a candidate by (the longest that fits), if any."""
    fitting = [suffix for suffix in suffixes if name.endswith(suffix)]
    return max(fitting, key=len) if name[:1].isupper() and fitting else None


def rewritten(*, known: bool, problem: str | None, fix: bool, suffix: str | None = None) -> bool:
    """Whether the rewrite fixes a module global's getter (a public global stays, reviewed);
    never for a class matched only by a `suffix`."""
    return known and problem is None and fix and suffix is None


def class_attribute(name: str, cls: str) -> str:
    return f"class attribute `{name}` holds a shared `{cls}` instance"


def global_cache(name: str, cls: str) -> str:
    return f"`global {name}` caches a shared `{cls}` instance"


def attribute_cache(target: str, cls: str) -> str:
    return f"`{target}` caches a shared `{cls}` instance"


def cached_new(cls: str) -> str:
    return f"`{cls}.__new__` returns one cached instance"


def cached_getter(function: str, cls: str) -> str:
    return f"cached getter `{function}()` returns one shared `{cls}`"


# Why a module instance is not the mechanical shape (a global only its getter returns).
def assigned_twice(name: str) -> str:
    return f"`{name}` is assigned more than once"


PUBLIC_UNUSED = f"it is public: {LEFTOVER}"


def unused(name: str) -> str:
    return f"nothing in this module uses `{name}`: delete it by hand"


def used_outside_getter(name: str) -> str:
    return f"`{name}` is used outside a getter that only returns it"


IMPURE_ARGUMENTS = "the constructor's arguments have side effects"
