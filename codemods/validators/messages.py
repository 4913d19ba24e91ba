"""The token-validator findings' words, parser-free."""

from __future__ import annotations

from codemods.core.rules import ValidatorRule


def several_validators(short: str, canonical: str) -> str:
    return f"`{short}(...)` is one of several token validators: call {canonical}"


def unbindable(old: str, rule: ValidatorRule, line: int, problem: str) -> str:
    """Why an old validator's imports stay: its call on `line` does not fit the canonical one."""
    short, new = old.rpartition(".")[2], rule.new.rpartition(".")[2]
    return (
        f"`{short}(...)` on line {line} does not fit `{new}({', '.join(rule.params)})`: "
        f"{problem}; left for manual review"
    )


def own_call(spelled: str, canonical: str, short: str) -> str:
    return (
        f"`{spelled}(...)` calls an old validator defined here; "
        f"import {canonical} and call `{short}` instead"
    )
