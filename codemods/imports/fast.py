"""The imports codemod's one analysis (stdlib `ast`): what it reports, and its fixes as edits.

- `import m` / `from m import n` of moved or deprecated paths (`deprecated-import`, at the alias;
  a star import from an old module is reported at the statement), canonical imports under another
  name (`aliased-import`) or counted (`canonical_imports`), and canonical names imported through
  another project module (`indirect-import`);
- module-level compatibility aliases `Alias = canonical.Name` (`aliased-import`, at the assignment;
  where its edits keep one, what the rewrite reports there follows, `compat`);
- dotted string paths of old locations passed to `patch`/`import_module`/`__import__`/`find_spec`
  (first positional argument, `target=`/`name=`) or used as `sys.modules[...]` keys
  (`string-reference`, at the string).

An implicitly concatenated literal is one `Constant` in `ast` but never a reference (the rewrite
edits single literals), so a candidate string is tokenized to make sure it is one literal. A
reference inside an f-string is reported at the f-string, for review (ast's positions inside
f-strings are not the source's before Python 3.12). Identifiers are read as Python reads them
(NFKC-normalized).

What the rewrite keeps because of a call is decided here too: the import (and path strings) of
a constructor rule's class still constructed directly, or of a moved class that a call builds
with arguments its new class does not take, are reported for review with the rewrite's words;
each such call is reported (`constructor-signature`) after the other findings.

Each fix finding of a file carries its edits (`fixes.text_fixes`) when every one of them can be
written as text; `edits_cover_all` says whether they are the whole rewrite. A deprecated module
import that those edits keep (it is still read for names no rule moves) is also reported, right
after its fix finding, as the rewrite reports it (`words.still_used`, for review): the runner
gives a file's edited fixes with the analysis' other findings.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import cache

from ahocorasick_rs import AhoCorasick

from codemods.core.imports.compat import (
    CompatAlias,
    decide,
    is_fallback,
    is_kept_message,
    kept_message,
)
from codemods.core.imports.tree_facts import path_arguments
from codemods.core.imports.words import in_fstring, is_in_fstring, is_star_import, still_used
from codemods.core.paths import PathMap, RepositoryPathMap
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile, one_literal
from codemods.core.values import Analysis, Finding
from codemods.imports import needles
from codemods.imports.constructions import constructions
from codemods.imports.fixes import text_fixes
from codemods.imports.verdicts import (
    CANONICAL,
    Verdict,
    compat_alias_verdict,
    from_import_verdict,
    import_verdict,
    star_import_verdict,
    string_verdict,
)


@dataclass
class _Paths:
    """A `PathMap` and what the walk reads from it, built once per rule set."""

    rules: RuleSet
    paths: PathMap
    canonical_last: frozenset[str]
    constructor_olds: frozenset[str]
    needles: frozenset[str]  # the codemod's needles, as text


_CACHE: list[_Paths] = []


def _paths(rules: RuleSet) -> _Paths:
    if _CACHE and _CACHE[0].rules is rules:
        return _CACHE[0]
    paths = RepositoryPathMap(rules)  # a rewrite's facts decide as its transform does
    canonical_last = frozenset(path.rpartition(".")[2] for path in paths.canonical)
    constructor_olds = frozenset(rule.old for rule in rules.constructors)
    found = frozenset(needle.decode() for needle in needles(rules))
    entry = _Paths(rules, paths, canonical_last, constructor_olds, found)
    _CACHE[:] = [entry]
    return entry


def needle_words(rules: RuleSet) -> frozenset[str]:
    """The codemod's needles as text, computed once per rule set (with its `PathMap`)."""
    return _paths(rules).needles


# Compound statements: the fields holding nested statements (or handlers/cases holding them).
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_COMPOUND = {
    ast.FunctionDef: ("body",),
    ast.AsyncFunctionDef: ("body",),
    ast.ClassDef: ("body",),
    ast.If: ("body", "orelse"),
    ast.For: ("body", "orelse"),
    ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"),
    ast.With: ("body",),
    ast.AsyncWith: ("body",),
    ast.Try: ("body", "handlers", "orelse", "finalbody"),
    ast.TryStar: ("body", "handlers", "orelse", "finalbody"),
    ast.Match: ("cases",),
}
# A string reference needs one of these words in its statement's lines and one of the
# codemod's needles (the last component of the old path the string starts with); an import
# statement the keyword `import` (the last word). Every occurrence of each is found, overlapping
# ones too (`import_module` is a word and holds `import`).
_WORDS = ("patch", "import_module", "__import__", "find_spec", "modules", "import")
_IMPORT = len(_WORDS) - 1


@cache
def _search(needles: frozenset[str]) -> AhoCorasick:
    """The words, then the needles (their indexes after `_IMPORT`)."""
    return AhoCorasick([*_WORDS, *sorted(needles)])


@dataclass
class _Lines:
    """Sorted line numbers: those holding a path-string word, those holding a needle, and
    those holding a word or `import` (None: every statement must be read, as when lines also
    end in a lone \r)."""

    words: list[int] | None
    needles: list[int] | None
    reached: list[int] | None


def _needle_lines(text: str, needles: frozenset[str]) -> _Lines:
    """Where string references and import statements may be."""
    matches = _search(needles).find_matches_as_indexes(text, True)
    if not matches:
        return _Lines([], [], [])
    if "\r" in text:  # lines end in \r too: count them as the parser does, by reading it all
        return _Lines(None, None, None)
    words: list[int] = []
    found: list[int] = []
    reached: list[int] = []
    line, last = 1, 0
    for pattern, start, _ in sorted(matches, key=lambda match: match[1]):
        line += text.count("\n", last, start)
        last = start
        if pattern > _IMPORT:
            if not found or found[-1] != line:
                found.append(line)
            continue
        if pattern != _IMPORT and (not words or words[-1] != line):
            words.append(line)
        if not reached or reached[-1] != line:
            reached.append(line)
    return _Lines(words, found, reached)


class _Collector:
    def __init__(self, file: AstFile, entry: _Paths) -> None:
        self.file = file
        self.paths = entry.paths
        self.canonical_last = entry.canonical_last
        self.analysis = Analysis()
        self.findings: list[Finding] = []
        # asname -> last components of the names imported under it (for compatibility aliases)
        self.renamed: dict[str, set[str]] = {}
        self.in_fstring: dict[int, ast.JoinedStr] = {}  # a node inside one -> the outermost
        self.nodes: dict[int, ast.AST] = {}  # id(finding) -> the node it sits at
        self.constructor_olds = entry.constructor_olds
        self.needles = entry.needles
        self.constructed: list[tuple[ast.alias, str]] = []  # imports of those, to check
        self.constructed_strings: list[tuple[ast.Constant, str]] = []  # path strings of those

    def _report(self, node: ast.AST, verdict: Verdict | None) -> None:
        if verdict is CANONICAL:
            self.analysis.count("canonical_imports")
        elif verdict is not None:
            finding = verdict.at(self.file, node)
            self.nodes[id(finding)] = node
            self.findings.append(finding)

    # imports ---------------------------------------------------------------------------------

    def visit_import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = alias.name
            if alias.asname is not None:
                self.renamed.setdefault(alias.asname, set()).add(module.rpartition(".")[2])
            self._report(alias, import_verdict(self.paths, module))

    def visit_import_from(self, node: ast.ImportFrom) -> None:
        module = self.file.context.resolve("." * node.level + (node.module or ""))
        names = node.names
        if len(names) == 1 and names[0].name == "*":
            self._report(node, star_import_verdict(self.paths, module))
            return
        own = self.file.context.module
        for alias in names:
            if alias.asname is not None:
                self.renamed.setdefault(alias.asname, set()).add(alias.name)
            verdict = from_import_verdict(self.paths, own, module, alias.name, alias.asname)
            if verdict is not None and verdict.fixable:
                path = f"{module}.{alias.name}" if module else alias.name
                if path in self.constructor_olds:
                    self.constructed.append((alias, path))
            self._report(alias, verdict)

    # module-level compatibility aliases ----------------------------------------------------

    def compat_aliases(self, module: ast.Module) -> list[Finding]:
        found: list[Finding] = []
        for statement in module.body:
            if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
                continue
            target, value = statement.targets[0], statement.value
            if not isinstance(target, ast.Name):
                continue
            if isinstance(value, ast.Attribute):
                # A qualified name of `x.attr` ends in `attr`.
                if value.attr not in self.canonical_last:
                    continue
            elif isinstance(value, ast.Name):
                # ... of a name: in the name itself, or in the name imported `as` it.
                name = value.id
                if name not in self.canonical_last and self.canonical_last.isdisjoint(
                    self.renamed.get(name, ())
                ):
                    continue
            else:
                continue
            alias = target.id
            for path in sorted(self.file.qualified_names(value) & self.paths.canonical):
                verdict = compat_alias_verdict(alias, path)
                if verdict is not None:
                    finding = self.file.finding(verdict.rule, statement, verdict.message)
                    self.nodes[id(finding)] = statement
                    found.append(finding)
        return found

    # string references -------------------------------------------------------------------

    def visit_call(self, node: ast.Call) -> None:
        for value in path_arguments(self.file, node):
            self._string_reference(value, node)

    def visit_subscript(self, node: ast.Subscript) -> None:
        for value in path_arguments(self.file, node):
            self._string_reference(value, node)

    def _string_reference(self, node: ast.AST, owner: ast.AST) -> None:
        if not isinstance(node, ast.Constant):
            return
        verdict = string_verdict(self.paths, node.value)
        if verdict is None or not one_literal(self.file, node):
            return
        fstring = self.in_fstring.get(id(owner))
        if fstring is not None:
            # ast's positions inside an f-string are not the source's before Python 3.12: the
            # reference is reported at the f-string, for review.
            message = in_fstring(verdict.message)
            verdict = Verdict(verdict.rule, message, fixable=False, manual_review=True)
            node = fstring
        elif verdict.fixable and any(
            node.value == old or node.value.startswith(old + ".") for old in self.constructor_olds
        ):
            self.constructed_strings.append((node, node.value))
        self._report(node, verdict)

    # the walk ------------------------------------------------------------------------------

    def run(self, text: str, tree: ast.Module, rules: RuleSet, fixes: bool = True) -> Analysis:
        self._statements(tree.body, _needle_lines(text, self.needles))
        aliases = self.compat_aliases(tree)
        # The module's aliases first, then the walk's findings in source order.
        self.findings.sort(key=lambda f: (f.line, f.column))
        findings = aliases + self.findings
        if self.constructed or self.constructed_strings:
            findings = self._held_by_constructions(findings, rules)
        if findings and rules.constructors:
            findings = self._held_by_misfits(findings, rules)
        fixed = [(f, self.nodes.get(id(f))) for f in findings if f.fix]
        # A path reference inside an f-string is reported at the f-string, but the rewrite
        # reads (and rewrites) the string there: no text fix stands for that.
        in_fstrings = any(is_in_fstring(f.message) for f in findings if not f.fix)
        edits = None
        kept: list[ast.alias] = []
        fallbacks: list[Finding] = []
        changes: list[int] = []
        if fixes and fixed and not in_fstrings:
            compat = decide(self.file, self.paths)
            edits = text_fixes(
                self.file, self.paths, rules, fixed, kept, compat, fallbacks, changes
            )
        if edits is not None:
            by_finding = {
                id(f): (e, count) for (f, _), e, count in zip(fixed, edits, changes, strict=True)
            }
            edited = [
                replace(f, edits=by_finding[id(f)][0], changes=by_finding[id(f)][1])
                if id(f) in by_finding
                else f
                for f in findings
            ]
            edited, reports = self._compat_aliases_decided(findings, edited, compat)
            if kept:
                edited = self._still_used(findings, edited, kept)
            reports += [replace(finding, after_fix=True) for finding in fallbacks]
            findings = _in_rewrite_order(edited + reports)
        self.analysis.findings = findings
        return self.analysis

    def _still_used(
        self, findings: list[Finding], edited: list[Finding], kept: list[ast.alias]
    ) -> list[Finding]:
        """After each deprecated module import whose edits keep it (it is still read for
        names no rule moves), the finding the rewrite reports there, in its words."""
        aliases = {id(alias): alias for alias in kept}
        found = []
        for finding, written in zip(findings, edited, strict=True):
            found.append(written)
            alias = aliases.get(id(self.nodes.get(id(finding))))
            if alias is not None and finding.fix:
                message = still_used(alias.asname or alias.name)
                verdict = Verdict("deprecated-import", message, fixable=False, manual_review=True)
                found.append(replace(verdict.at(self.file, alias), after_fix=True))
        return found

    def _compat_aliases_decided(
        self, findings: list[Finding], edited: list[Finding], compat: dict[int, CompatAlias]
    ) -> tuple[list[Finding], list[Finding]]:
        """The edited findings, one whose edits change nothing (a compatibility alias kept or not
        read as one, an import already as the rewrite keeps it) counting no change; and what the
        rewrite reports where it keeps an alias (`_in_rewrite_order` puts those after the path
        strings: the rewrite decides aliases last)."""
        counted, reports = [], []
        for finding, written in zip(findings, edited, strict=True):
            node = self.nodes.get(id(finding))
            if written.fix and not any(e.start < e.end or e.content for e in written.edits):
                written = replace(written, changes=0)
            counted.append(written)
            if not isinstance(node, ast.Assign) or not written.fix:
                continue
            alias = compat.get(id(node))
            if alias is not None and isinstance(alias.why, str):
                message = kept_message(alias.alias, alias.why)
                verdict = Verdict("aliased-import", message, fixable=False, manual_review=True)
                reports.append(replace(verdict.at(self.file, node), after_fix=True))
        return counted, reports

    def _held_by_constructions(self, findings: list[Finding], rules: RuleSet) -> list[Finding]:
        """An import of a constructor rule's old class that the file still constructs directly
        stays, for review, and so does a path string naming it (or something in it): the
        constructors rule converts those calls first."""
        pending = constructions(self.file, rules, self.paths).pending()
        held: dict[ast.AST, Finding] = {}
        for alias, path in self.constructed:
            why = pending.get(path)
            if why is not None:
                verdict = Verdict("deprecated-import", why, fixable=False, manual_review=True)
                held[alias] = verdict.at(self.file, alias)
        for string, value in self.constructed_strings:
            old = next((o for o in pending if value == o or value.startswith(o + ".")), None)
            if old is not None:
                verdict = Verdict("string-reference", pending[old], False, manual_review=True)
                held[string] = verdict.at(self.file, string)
        if not held:
            return findings
        by_node = {id(node): finding for node, finding in held.items()}
        return [by_node.get(id(self.nodes.get(id(f))), f) for f in findings]

    def _held_by_misfits(self, findings: list[Finding], rules: RuleSet) -> list[Finding]:
        """A moved class that a call constructs with arguments its new class (a constructor
        rule's) does not take keeps its imports and path strings, for review, as the rewrite
        does; each such call is reported last, as the rewrite reports it."""
        blocked, reviews = constructions(self.file, rules, self.paths).misfits()
        if not blocked:
            return findings
        kept = []
        for finding in findings:
            node = self.nodes.get(id(finding))
            why, rule = None, "deprecated-import"
            if isinstance(node, ast.alias):
                statement = self.file.parent(node)
                path = node.name
                if isinstance(statement, ast.ImportFrom):
                    level = "." * statement.level
                    module = self.file.context.resolve(level + (statement.module or ""))
                    path = f"{module}.{node.name}" if module else node.name
                why = blocked.get(path)
            elif isinstance(node, ast.Constant) and self.paths.rename(node.value) is not None:
                value, rule = node.value, "string-reference"
                why = next(
                    (w for b, w in blocked.items() if value == b or value.startswith(b + ".")),
                    None,
                )
            if why is None:
                kept.append(finding)
                continue
            verdict = Verdict(rule, why, fixable=False, manual_review=True)
            held = verdict.at(self.file, node)
            self.nodes[id(held)] = node
            kept.append(held)
        return kept + reviews

    def _statements(self, body: list[ast.stmt], lines: _Lines) -> None:
        """Imports in every statement; calls and subscripts where the lines say they may be.

        A statement's expressions are read when its lines hold a path-string word and a
        needle (`lines.words` None: every statement's; []: none). A compound statement none
        of whose lines holds a word or `import` holds neither an import nor a string
        reference: it is not entered.
        """
        words, needles, reached = lines.words, lines.needles, lines.reached
        for statement in body:
            kind = type(statement)
            if kind is ast.ImportFrom:
                self.visit_import_from(statement)  # type: ignore[arg-type]
                continue
            if kind is ast.Import:
                self.visit_import(statement)  # type: ignore[arg-type]
                continue
            bodies = _COMPOUND.get(kind)
            if words is None or (
                words
                and needles
                and self._holds_needle(statement, words)
                and self._holds_needle(statement, needles)  # type: ignore[arg-type]
            ):
                if bodies is None:
                    self._walk(statement)
                else:
                    self._walk_header(statement)
            if bodies is not None and (reached is None or self._holds_needle(statement, reached)):
                for field in bodies:
                    for child in getattr(statement, field):
                        if isinstance(child, ast.stmt):
                            self._statements([child], lines)
                        else:  # an except handler or a match case
                            self._statements(child.body, lines)

    @staticmethod
    def _holds_needle(statement: ast.stmt, lines: list[int]) -> bool:
        start = statement.lineno
        for decorator in getattr(statement, "decorator_list", ()):
            start = min(start, decorator.lineno)
        index = bisect_left(lines, start)
        return index < len(lines) and lines[index] <= statement.end_lineno  # type: ignore[operator]

    def _walk_header(self, statement: ast.stmt) -> None:
        """The expressions of a compound statement outside its nested statements."""
        for field, value in ast.iter_fields(statement):
            if field not in _BODIES:
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST):
                            self._walk(item)
                elif isinstance(value, ast.AST):
                    self._walk(value)
        for handler in getattr(statement, "handlers", ()):
            if handler.type is not None:
                self._walk(handler.type)
        for case in getattr(statement, "cases", ()):
            self._walk(case.pattern)
            if case.guard is not None:
                self._walk(case.guard)

    def _walk(self, root: ast.AST) -> None:
        in_fstring = self.in_fstring
        for node in ast.walk(root):
            kind = type(node)
            if kind is ast.Call:
                self.visit_call(node)  # type: ignore[arg-type]
            elif kind is ast.Subscript:
                self.visit_subscript(node)  # type: ignore[arg-type]
            elif kind is ast.JoinedStr:
                # ast.walk is breadth-first: the f-string comes before what it contains.
                for sub in ast.walk(node):
                    if sub is not node:
                        in_fstring.setdefault(id(sub), node)


def analyze(file: AstFile, rules: RuleSet) -> Analysis:
    """What `ImportsCodemod.analyze` reports for this file, from the `ast` parse."""
    return _Collector(file, _paths(rules)).run(file.text, file.tree, rules)


def measure(file: AstFile, rules: RuleSet) -> Analysis:
    """`analyze` for a scan: the same findings, without deciding the fixes' edits (nor what
    only the rewrite reports once they are applied). The order differs only between findings
    of different rules, which the scan sorts (by position, then rule)."""
    return _Collector(file, _paths(rules)).run(file.text, file.tree, rules, fixes=False)


def _in_rewrite_order(findings: list[Finding]) -> list[Finding]:
    """The findings in the order the rewrite reports what it keeps (`rewrites._imports_left`):
    star imports as it reads them, the other imports, the path strings, then the calls that
    keep an import; the runner gives a file's fixes as edits with the others in this order."""
    stars = [f for f in findings if f.rule == "deprecated-import" and is_star_import(f.message)]
    strings = [f for f in findings if f.rule == "string-reference"]
    aliases = [f for f in findings if f.rule == "aliased-import" and is_kept_message(f.message)]
    fallbacks = [f for f in findings if f.rule == "aliased-import" and is_fallback(f.message)]
    calls = [f for f in findings if f.rule == "constructor-signature"]
    picked = {id(f) for f in [*stars, *strings, *aliases, *fallbacks, *calls]}
    others = (f for f in findings if id(f) not in picked)
    return [*stars, *others, *fallbacks, *strings, *aliases, *calls]


def edits_cover_all(findings: list[Finding]) -> bool:
    """Is applying the edits of these findings (one file's imports findings) the whole rewrite?

    True when every finding with `fix` carries edits (the analysis gives all or none of a file
    its edits); then `apply_edits(text, [e for f in findings for e in f.edits])` is exactly what
    `transform` writes. False when one has none: `transform` must rewrite the file.
    """
    fixes = [finding for finding in findings if finding.fix]
    return bool(fixes) and all(finding.edits for finding in fixes)
