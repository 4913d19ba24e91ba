"""What an analysis tells the rewrite: whether a codemod's transform has work in a file.

The runner analyzes every candidate with the `ast` analyzers first. A codemod whose analysis
has no finding with a `fix` is not transformed at all; the findings its transform would have
reported on the unchanged file (what stays for review) come from the analysis instead.
Parser-free, so a rewrite that finds nothing to do never loads LibCST.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from codemods.core.imports.words import is_in_fstring, is_star_import
from codemods.core.references import DOTTED_PATH
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import Finding


def _refusals(findings: list[Finding]) -> list[Finding] | None:
    """What the constructors transform reports on a file it leaves as it is: the analysis's
    refusals, in (line, column) order."""
    left = [f for f in findings if not f.fixable and f.rule == "direct-instantiation"]
    return sorted(left, key=lambda f: (f.line, f.column))


def _reviews(findings: list[Finding]) -> list[Finding] | None:
    return [f for f in findings if f.manual_review]


def _imports_left(findings: list[Finding]) -> list[Finding] | None:
    """What the imports transform reports on a file it leaves as it is: the analysis's reviews,
    in the transform's order. It reads the imports first, reporting each star import as it meets
    it, then reports the other imports it keeps, then the path strings, then the calls that keep
    an import (`constructor-signature`); the analysis reports the same sites with the same
    words, in source order. None when a string reference sits in an f-string: the transform
    reads (and rewrites) a string there, the analysis reports the f-string."""
    if any(not f.manual_review or is_in_fstring(f.message) for f in findings):
        return None
    stars = [f for f in findings if f.rule == "deprecated-import" and is_star_import(f.message)]
    strings = [f for f in findings if f.rule == "string-reference"]
    calls = [f for f in findings if f.rule == "constructor-signature"]
    picked = {id(f) for f in [*stars, *strings, *calls]}
    return [*stars, *(f for f in findings if id(f) not in picked), *strings, *calls]


def _nothing(findings: list[Finding]) -> list[Finding] | None:
    """The transform words what it keeps differently from the analysis: run it if any."""
    return None if findings else []


# Codemods whose analysis reports every change its transform makes (as findings with `fix`),
# each with what that transform reports when it changes nothing (None: run it to know). The
# flags transform also removes falsy flag definitions, which are no finding: only the absence
# of its needles rules it out here (its analysis can tell: `codemods.flags.fast.has_work`).
# The validators transform also moves imports and path strings of old validators that are not
# called: `refers_to_old_validators` rules those out.
_LEFT_FOR_REVIEW: dict[str, Callable[[list[Finding]], list[Finding] | None]] = {
    "validators": _nothing,
    "singletons": _reviews,
    "constructors": _refusals,
    "imports": _imports_left,
}


def idle_findings(
    codemod: str, findings: list[Finding], file: AstFile, rules: RuleSet
) -> list[Finding] | None:
    """What `codemod`'s transform reports on this file without changing it, given its
    analysis's findings, or None when they do not rule a change out."""
    left = _LEFT_FOR_REVIEW.get(codemod)
    if left is None or any(finding.fix for finding in findings):
        return None
    if codemod == "validators" and refers_to_old_validators(file, rules):
        return None
    return left(findings)


def refers_to_old_validators(file: AstFile, rules: RuleSet) -> bool:
    """Whether the validators transform may change the file where its analysis reports no call:
    the file is (or is above) an old validator's module, imports one or a module or package it
    lives in by `from`, imports the canonical validator from another module, `import`s an old
    validator's module (or the validator), or spells an old validator's path (or its module's)
    in a string. Those are what the shared import rewrite acts on: it takes an `import`
    statement only when its path is renamed or an old module, and a string only when its value
    is a dotted path naming one or lying under one (as `references_old_path` reads it)."""
    olds = {old for rule in rules.validators for old in rule.old}
    news = {rule.new for rule in rules.validators}
    new_names = {new.rpartition(".")[2] for new in news}
    old_modules = {old.rpartition(".")[0] for old in olds}

    def reaches(path: str) -> bool:  # the old path itself, or a module/package above it
        return any(old == path or old.startswith(path + ".") for old in olds)

    def names_old(path: str) -> bool:  # an old validator's module or path, or a path under one
        return any(path == old or path.startswith(old + ".") for old in olds | old_modules)

    if file.context.module and reaches(file.context.module):
        return True
    for node in ast.walk(file.tree):
        if isinstance(node, ast.Import):
            if any(names_old(alias.name) for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            module = file.context.resolve("." * node.level + (node.module or ""))
            if any(reaches(module if a.name == "*" else f"{module}.{a.name}") for a in node.names):
                return True
            # The canonical validator imported from elsewhere moves to its canonical module.
            if any(a.name in new_names and f"{module}.{a.name}" not in news for a in node.names):
                return True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if DOTTED_PATH.fullmatch(node.value) and names_old(node.value):
                return True
    return False
