"""No rewrite makes a file worse by migrator's own measure: a change that does is withdrawn.

Each codemod's change to a file is measured against the text it started from, with the stdlib
`ast` (every codemod's measure: its analysis without deciding the fixes' edits, which
`tests/test_scan_measure.py` holds to the same findings; pyflakes' undefined names, asked only
where the edits may leave one (`touched_names`); and the project's own imports):

- a finding the old text did not hold (the baseline's fingerprint; a finding at the same rule
  and line text whose words changed is the same finding),
- a name that was bound and is now undefined (a name the old text did not use is not checked),
- an import inside the project that does not resolve, in a file whose in-project imports all
  resolved: its module file is not there, or the name is not bound at that module's top level
  (see `ModuleFacts`). A file with a broken import already is not judged on imports: the
  repository is incomplete (a partial checkout, a test's small tree) and nothing can be told.

The runner then keeps the text from before that change and reports the site for manual review
with the reason. Only changed files are measured, each text once.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from codemods.core.edits import Edit
from codemods.core.rules import RuleSet
from codemods.core.tree import AstFile
from codemods.core.values import Analysis, FileContext, Finding
from codemods.registry import AnalysisFailed, fast_analyses
from migrator.engine.fingerprints import fingerprints_in, site_key
from migrator.engine.modules import ModuleIndex
from migrator.engine.touched_names import may_unbind

# (codemod names the fast analyzers could not answer, the text) -> their analyses, by LibCST
Fallback = Callable[[tuple[str, ...], str], dict[str, Analysis]]
WITHDRAWN = "rewrite-withdrawn"  # the rule of the finding that reports a withdrawn change
UNDEFINED = (
    pyflakes_messages.UndefinedName,
    pyflakes_messages.UndefinedLocal,
    pyflakes_messages.UndefinedExport,
)


class Measure:
    """What one text of a file holds, by migrator's measure. The findings are measured at
    once; undefined names and unresolved imports (pyflakes, other modules) on first use: the
    text before a change needs them only when the text after it has some."""

    def __init__(
        self,
        findings: tuple[Finding, ...],
        file: AstFile,
        lines: tuple[str, ...],
        unresolved: Callable[[], dict[str, int]],
    ) -> None:
        self.findings, self.file, self.tree, self.lines = findings, file, file.tree, lines
        self.prints = tuple(fingerprints_in(findings, lambda _path: lines))
        self._unresolved = unresolved

    def sites(self) -> set[tuple[str, str, str]]:
        """(rule, path, line text) of each finding: where it is, whatever its words."""
        return {_site(f, self.lines) for f in self.findings}

    @functools.cached_property
    def undefined(self) -> dict[str, int]:
        """Name -> first line where it is undefined."""
        return _undefined(self.tree)

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Every name the text reads or binds."""
        return frozenset(n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name))

    @functools.cached_property
    def unresolved(self) -> dict[str, int]:
        """In-project import path -> its first line."""
        return self._unresolved()


@dataclass(frozen=True)
class Regression:
    """Why a change is withdrawn, and the line (in the changed text) that shows it."""

    line: int
    reason: str


class RewriteCheck:
    """Measures the texts of one file (each once) and compares a change's two sides."""

    def __init__(
        self,
        context: FileContext,
        rules: RuleSet,
        codemods: Iterable[str],
        fallback: Fallback,
        modules: ModuleFacts | None = None,
    ) -> None:
        self.context, self.rules, self.fallback = context, rules, fallback
        self.codemods = tuple(codemods)
        self.modules = modules
        self._measures: dict[str, Measure | None] = {}

    def regression(
        self, old: str, new: str, edits: Sequence[Edit] | None = None
    ) -> Regression | None:
        """Why `new` is worse than `old`, or None; also None when either text is beyond the
        stdlib parser (the runner's own parse check decides what does not parse). `edits`:
        the text edits that make `new` of `old`, when they do; pyflakes is not asked where
        they cannot leave a name undefined (`touched_names`)."""
        before, after = self.measure(old), self.measure(new)
        if before is None or after is None:
            return None
        known = set(before.prints)
        reworded = before.sites()
        for finding, fingerprint in zip(after.findings, after.prints, strict=True):
            if fingerprint not in known and _site(finding, after.lines) not in reworded:
                return Regression(
                    finding.line, f"it would add a `{finding.rule}` finding: {finding.message}"
                )
        if edits is None or may_unbind(old, new, edits, before.tree, after.tree):
            for name, line in after.undefined.items():
                if name in before.names and name not in before.undefined:
                    return Regression(line, f"it would leave `{name}` undefined")
        if not after.unresolved or before.unresolved:  # before's: an incomplete repository
            return None
        for path, line in after.unresolved.items():
            if path not in before.unresolved:
                return Regression(
                    line, f"it would import `{path}`, which the repository does not provide"
                )
        return None

    def measure(self, text: str) -> Measure | None:
        if text not in self._measures:
            self._measures[text] = self._measure(text)
        return self._measures[text]

    def release(self) -> None:
        """Done with the file: the scope indexes of the texts measured are freed now, by
        reference counting, not later by the cyclic collector walking every node of them."""
        for measure in self._measures.values():
            if measure is not None:
                measure.file.release()
        self._measures.clear()

    def seed(self, file: AstFile, analyses: dict[str, Analysis]) -> None:
        """Measure the file's text from the parse and analyses the runner already made."""
        if file.text not in self._measures:
            self._measures[file.text] = self._measure(file.text, file, analyses)

    def parsed(self, text: str) -> AstFile | None:
        """The stdlib parse of a text this check measured (None: not measured, or no parse)."""
        measure = self._measures.get(text)
        return measure.file if measure is not None else None

    def _measure(
        self, text: str, file: AstFile | None = None, known: dict[str, Analysis] | None = None
    ) -> Measure | None:
        if file is None:
            try:
                file = AstFile(text, self.context)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
        known = known or {}
        try:
            missing = tuple(name for name in self.codemods if name not in known)
            analyses, pending = fast_analyses(file, self.rules, missing, measure=True)
        except AnalysisFailed:  # the runner reports the failure; no measure to compare
            return None
        analyses.update({name: known[name] for name in self.codemods if name in known})
        if pending:
            try:
                analyses.update(self.fallback(tuple(pending), text))
            except Exception:  # noqa: BLE001 - LibCST rejects what the stdlib took
                return None
        findings = tuple(f for name in self.codemods for f in analyses[name].scanned().findings)
        modules, tree, context = self.modules, file.tree, self.context

        def unresolved() -> dict[str, int]:
            return modules.unresolved(tree, context) if modules else {}

        return Measure(findings, file, tuple(text.splitlines()), unresolved)


def _site(finding: Finding, lines: Sequence[str]) -> tuple[str, str, str]:
    rule, path, _message, text = site_key(finding, lines)
    return rule, path, text


def _undefined(tree: ast.Module) -> dict[str, int]:
    """pyflakes' undefined names (and `__all__` entries), each with its first line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checker = pyflakes_checker.Checker(tree)
    messages = checker.messages
    _break_cycles(checker)
    found: dict[str, int] = {}
    for message in sorted(messages, key=lambda m: m.lineno):
        if isinstance(message, UNDEFINED):
            found.setdefault(str(message.message_args[0]), message.lineno)
    return found


def _break_cycles(checker: pyflakes_checker.Checker) -> None:
    """Empty the checker's scopes: each binding points back at the scope holding it (what
    used it), so without this the cyclic collector would walk every binding, scope and tree
    node the check left behind."""
    for scope in (*checker.deadScopes, *checker.scopeStack):
        scope.clear()
    vars(checker).clear()


class ModuleFacts:
    """The imports of a changed file that point inside the project and do not resolve, asked
    of the repository's `ModuleIndex` (each module read at most once a run).

    An import points inside the project when its top-level package is a directory or module
    of the repository; it resolves when its module is there and, for `from m import n`, `m`
    provides `n` (bound at its top level, or a submodule).
    """

    def __init__(self, root: Path) -> None:
        self.index = ModuleIndex(root)

    def unresolved(self, tree: ast.Module, context: FileContext) -> dict[str, int]:
        """In-project import paths of the file that do not resolve, with their first line."""
        found: dict[str, int] = {}
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if self._inside(alias.name) and not self.index.exists(alias.name):
                        found.setdefault(alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                module = context.resolve("." * node.level + (node.module or ""))
                if not self._inside(module):
                    continue
                if not self.index.exists(module):
                    found.setdefault(module, node.lineno)
                    continue
                for alias in node.names:
                    if alias.name != "*" and not self.index.provides(module, alias.name):
                        found.setdefault(f"{module}.{alias.name}", node.lineno)
        return found

    def _inside(self, module: str) -> bool:
        top = module.split(".", 1)[0]
        return top.isidentifier() and self.index.exists(top)


_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)  # what holds or is a statement


def _imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements in `ast.walk`'s order (breadth first), visiting statements only:
    no expression holds one."""
    queue = deque([tree])
    while queue:
        node = queue.popleft()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                queue.extend(item for item in value if isinstance(item, _BLOCKS))


_modules: dict[str, ModuleFacts] = {}


def module_facts(root: str) -> ModuleFacts:
    """The repository's module facts, read once per run (`forget_modules` starts a new one)."""
    if root not in _modules:
        _modules[root] = ModuleFacts(Path(root))
    return _modules[root]


def forget_modules() -> None:
    """Drop what was read of the repositories' modules: their files may have changed since."""
    _modules.clear()
