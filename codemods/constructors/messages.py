"""Every constructor finding's words, parser-free: both analyzers (LibCST, `ast`) say the same."""

from __future__ import annotations

from collections.abc import Iterable

# Why a call of the old class cannot be bound to its parameters.
TOO_MANY_POSITIONAL = "more positional arguments than the old signature takes"


def starred(star: str) -> str:
    return f"`{star}` arguments cannot be matched to the old parameters"


def unknown_keyword(key: str) -> str:
    return f"unknown keyword argument `{key}`"


def given_twice(key: str) -> str:
    return f"argument `{key}` given twice"


def no_argument(name: str) -> str:
    return f"no `{name}` argument at the call site; not guessing one"


def literal_none(name: str) -> str:
    return f"`{name}` is a literal None; not guessing a real one"


def side_effects(name: str) -> str:
    return f"`{name}` has possible side effects and the new call would use it twice"


# Why the names a conversion needs cannot be used here.
def ambiguous(spelled: str, other: str) -> str:
    return f"`{spelled}` is also imported as `{other}`; not guessing which class this builds"


def taken(name: str) -> str:
    return f"`{name}` already means something else here"


# What a call of the new class does wrong.
PASSES_NONE = "passes a literal None"


def missing(names: Iterable[str]) -> str:
    return "missing " + ", ".join(f"`{name}`" for name in names)


# The findings.
def conversion(old: str, new: str) -> str:
    return f"direct `{old}(...)` construction: use `{new}(...)`"


def refusal(old: str, reason: str) -> str:
    return f"direct `{old}(...)` construction needs manual review: {reason}"


def di_violation(new: str, problem: str) -> str:
    return f"`{new}(...)` {problem}: pass every dependency explicitly"
