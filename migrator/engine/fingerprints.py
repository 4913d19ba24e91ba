"""Finding fingerprints that survive line shifts: what the ratchet and the rewrite's no-worse
check compare (see `migrator.report.baseline` for the format that stores them)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from codemods.core.values import Finding


def fingerprints_in(
    findings: Sequence[Finding], lines_of: Callable[[str], Sequence[str]]
) -> list[str]:
    """`fingerprints` with each file's lines given (a text not written anywhere yet)."""
    seen: dict[str, int] = {}
    prints = [""] * len(findings)
    order = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    for index in order:
        finding = findings[index]
        key = "\0".join(site_key(finding, lines_of(finding.path)))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        prints[index] = hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()[:20]
    return prints


def site_key(finding: Finding, lines: Sequence[str]) -> tuple[str, str, str, str]:
    """What a fingerprint hashes, before the occurrence index: rule, path, message and the
    finding's line with whitespace normalised ("" when there is no such line)."""
    line = finding.line
    text = " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""
    return finding.rule, finding.path, finding.message, text


def _position(finding: Finding) -> tuple[str, int, int, str]:
    return finding.path, finding.line, finding.column, finding.rule
