"""The token-validator findings' words, parser-free: both analyzers (LibCST, `ast`) say the same."""

from __future__ import annotations


def several_validators(short: str, canonical: str) -> str:
    return f"`{short}(...)` is one of several token validators: call {canonical}"
