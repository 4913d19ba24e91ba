"""What an analysis tells the rewrite: whether a codemod's transform has work in a file.

The runner analyzes every candidate with the `ast` analyzers first. A codemod whose analysis
has no finding with a `fix` is not transformed at all; the findings its transform would have
reported on the unchanged file (what stays for review) come from the analysis instead.
Parser-free, so a rewrite that finds nothing to do never loads LibCST.
"""

from __future__ import annotations

from collections.abc import Callable

from codemods.core.values import Finding


def _refusals(findings: list[Finding]) -> list[Finding] | None:
    """`plan_findings(refusals_only=True)`: the same words, in (line, column) order."""
    left = [f for f in findings if not f.fixable and f.rule == "direct-instantiation"]
    return sorted(left, key=lambda f: (f.line, f.column))


def _reviews(findings: list[Finding]) -> list[Finding] | None:
    return [f for f in findings if f.manual_review]


def _nothing(findings: list[Finding]) -> list[Finding] | None:
    """The transform words what it keeps differently from the analysis: run it if any."""
    return None if findings else []


# Codemods whose analysis reports every change its transform makes (as findings with `fix`),
# each with what that transform reports when it changes nothing (None: run it to know). Two
# are not: the flags transform also removes falsy flag definitions, and the validators
# transform also moves imports of consolidated names, neither of which is their analysis's
# finding. Only the absence of their needles rules them out.
_LEFT_FOR_REVIEW: dict[str, Callable[[list[Finding]], list[Finding] | None]] = {
    "singletons": _reviews,
    "constructors": _refusals,
    "imports": _nothing,
}


def idle_findings(codemod: str, findings: list[Finding]) -> list[Finding] | None:
    """What `codemod`'s transform reports on this file without changing it, given its
    analysis's findings, or None when they do not rule a change out."""
    left = _LEFT_FOR_REVIEW.get(codemod)
    if left is None or any(finding.fix for finding in findings):
        return None
    return left(findings)
