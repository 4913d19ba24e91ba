"""A cheap repository pre-pass: facts about other files that the per-file import rewrite needs.

The imports codemod is per file and pure. Two of its decisions need to know about the rest of
the repository, so this computes them up front, with the standard `ast` module (imports and
module-level assignments only), and hands them to the codemods as plain data on the `RuleSet`:

- `reexports`: a module that re-exports a moved name (`from .old import Name` or a
  compatibility alias `Old = New` at module level) makes `module.Name` an old path too; the
  files importing the name through it are rewritten to the canonical path.
- `imported_elsewhere`: what files outside the run import; a compatibility alias is removed only
  when none of them imports it.
"""

from __future__ import annotations

import ast
import codecs
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import repeat
from pathlib import Path

from ahocorasick_rs import BytesAhoCorasick

from codemods.core import paths as paths_module
from codemods.core.paths import PathMap, old_names
from codemods.core.rules import RenameRule, RuleSet
from codemods.core.values import FileContext, last_components
from migrator.engine.cache import ResultCache
from migrator.engine.discover import Listing, discover
from migrator.engine.needle_index import UNREAD, held_words, word_search
from migrator.engine.runner import NULL_FACTS, collector_paused, needle_matcher, read_no_follow
from migrator.engine.workers import pool as worker_pool
from migrator.spec import Spec


def parse_or_none(source: bytes) -> ast.Module | None:
    """The module's syntax tree, or None when it does not parse."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def import_targets(tree: ast.Module, context: FileContext) -> Iterator[tuple[str, str | None]]:
    """(module, name) per imported name, relative modules resolved: `import a.b` gives
    (`a.b`, None), `from .a import b` gives (`<package>.a`, `b`)."""
    for node in import_statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                yield module, alias.name


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
_IMPORTS = (ast.Import, ast.ImportFrom)
_BLOCKS_OF: dict[type, tuple[str, ...]] = {}  # a kind of statement -> its fields of _BLOCKS


def import_statements(body: list) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in these statements and the blocks nested in them: statements
    only, since no expression holds one (ten times fewer nodes than `ast.walk`). A simple
    statement (most) costs one lookup of its kind: half the time of asking it for each block."""
    for node in body:
        if isinstance(node, _IMPORTS):
            yield node
            continue
        kind = type(node)
        blocks = _BLOCKS_OF.get(kind)
        if blocks is None:
            blocks = _BLOCKS_OF[kind] = tuple(name for name in _BLOCKS if name in kind._fields)
        for name in blocks:
            block = getattr(node, name)
            if block:
                yield from import_statements(block)


def imported_paths(tree: ast.Module, context: FileContext) -> set[str]:
    """Dotted `module.Name` paths a file's from-imports bring in, and the modules it imports."""
    return {
        module if name in (None, "*") else f"{module}.{name}"
        for module, name in import_targets(tree, context)
    }


def _top_level(tree: ast.Module) -> Iterable[ast.stmt]:
    """Module-level statements, including those of module-level try/except and if blocks."""
    for statement in tree.body:
        yield statement
        if isinstance(statement, ast.Try | ast.If):
            blocks = [statement.body, statement.orelse]
            if isinstance(statement, ast.Try):
                blocks += [h.body for h in statement.handlers]
            for block in blocks:
                yield from block


def _strings(node: ast.expr) -> set[str]:
    if not isinstance(node, ast.List | ast.Tuple):
        return set()
    return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def reexported(tree: ast.Module, context: FileContext, paths: PathMap) -> list[RenameRule]:
    """`module.Name` renames for the moved names this module re-exports: a package's
    module-level imports, the names in `__all__`, and compatibility aliases."""
    bound: dict[str, str] = {}  # name -> where it goes
    exported: set[str] = set()
    aliases = old_names(paths)
    for node in _top_level(tree):
        if isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                moved = paths.rename(f"{module}.{alias.name}")
                target = moved[1] if moved else f"{module}.{alias.name}"
                if moved or target in paths.canonical:
                    bound[alias.asname or alias.name] = target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Name) and value.id in bound:
                bound[target.id] = bound[value.id]
                if target.id in aliases:  # a compatibility alias, not a variable
                    exported.add(target.id)
            if isinstance(target, ast.Name) and target.id == "__all__":
                exported |= _strings(value)
    rules = []
    for name, target in bound.items():
        if not context.is_package and name not in exported:
            continue
        own = f"{context.module}.{name}"
        if own != target and paths.rename(own) is None and context.module:
            rules.append(RenameRule(own, target, "name"))
    return rules


SELECTION_LIMIT = 256  # a run of at most this many files reads only the files it may need


@dataclass
class _Facts:
    """One file's facts: the re-export renames it defines and the paths it imports."""

    reexports: list[RenameRule] = field(default_factory=list)
    imports: set[str] | None = field(default_factory=set)  # None: not read (never stored)
    alias: bool = False  # it binds a compatibility alias of a moved name at module level

    def encode(self) -> bytes:
        assert self.imports is not None, "facts without their imports are never stored"
        rules = [[r.old, r.new, r.kind] for r in self.reexports]
        data = {"r": rules, "i": sorted(self.imports), "a": self.alias}
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, payload: bytes) -> _Facts:
        data = json.loads(payload)
        rules = [RenameRule(old, new, kind) for old, new, kind in data["r"]]
        return cls(rules, set(data["i"]), bool(data["a"]))


class _FactIndex:
    """Each file's facts on demand: from the cache when git vouches for its content (by blob
    sha, as the scan's results), else from one `ast` parse, stored for the next run."""

    def __init__(
        self,
        root: Path,
        rules: RuleSet,
        cache: bool,
        jobs: int = 1,
        known: dict[str, dict[str, _Facts | None]] | None = None,
        pool: Callable[[], ProcessPoolExecutor] | None = None,
        shas: dict[str, str] | None = None,
        census: NeedleCensus | None = None,
    ) -> None:
        """`known`: facts already read, by namespace, shared with other runs over this tree
        (filled here); `pool`: the shared worker processes, instead of a pool of its own;
        `shas`: the index's blob shas, when the caller has them already; `census`: filled
        with the needles of each file read."""
        self.root, self.rules, self.jobs, self.pool = root, rules, jobs, pool
        self.census = census
        namespace = facts_namespace(rules)
        self.known: dict[str, _Facts | None] = {}
        if known is not None:
            self.known = known.setdefault(namespace, {})
        self.store = ResultCache(root, namespace, known_shas=shas) if cache else None

    def get(self, paths: Iterable[str], *, imports: bool = True) -> dict[str, _Facts | None]:
        """The facts of these files (None: no needle, unreadable or unparsable). Without
        `imports`, a file whose bytes show that it re-exports nothing and binds no alias is
        not parsed: its facts come without their imports (`may_reexport`)."""
        paths = list(paths)
        wanted = [path for path in paths if self._unknown(path, imports)]
        if self.store is not None and wanted:
            for path, payload in self.store.payloads(wanted).items():
                self.known[path] = _Facts.decode(payload) if payload != NULL_FACTS else None
        missing = [path for path in wanted if self._unknown(path, imports)]
        fresh = list(zip(missing, self._computed(missing, imports), strict=True))
        self.known.update(fresh)
        if self.store is not None:
            self.store.store_payloads(
                (path, facts.encode() if facts else NULL_FACTS)
                for path, facts in fresh
                if facts is None or facts.imports is not None
            )
        return {path: self.known[path] for path in paths}

    def _unknown(self, path: str, imports: bool) -> bool:
        if path not in self.known:
            return True
        facts = self.known[path]
        return imports and facts is not None and facts.imports is None

    def _computed(self, paths: list[str], imports: bool) -> list[_Facts | None]:
        """Each file's facts; many files (a cold run) are shared out among worker processes."""
        census = self.census
        if census is None:
            return self._mapped(_facts_of, paths, imports)
        both = self._mapped(_facts_and_needles_of, paths, imports, census.words)
        for path, (_facts, held) in zip(paths, both, strict=True):
            census.read.add(path)
            if held:
                census.held[path] = held
        return [facts for facts, _held in both]

    def _mapped(self, function: Callable[..., list], paths: list[str], *args: object) -> list:
        """`function(root, rules, chunk, *args)` over the paths, in worker processes when
        there are enough of them; the chunks' results joined in order."""
        if self.jobs <= 1 or len(paths) < PARALLEL_FACTS:
            return function(self.root, self.rules, paths, *args)
        chunks = [paths[i : i + FACTS_CHUNK] for i in range(0, len(paths), FACTS_CHUNK)]
        work = (function, repeat(self.root), repeat(self.rules), chunks, *map(repeat, args))
        if self.pool is not None:
            return [item for chunk in self.pool().map(*work) for item in chunk]
        with worker_pool(self.jobs) as pool:
            return [item for chunk in pool.map(*work) for item in chunk]

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


PARALLEL_FACTS = 512  # files to compute before worker processes pay for themselves
FACTS_CHUNK = 64


def _facts_of(
    root: Path, rules: RuleSet, paths: list[str], imports: bool = True
) -> list[_Facts | None]:
    """The facts of these files, read and parsed here (in a worker or in the caller);
    `imports`: see `_FactIndex.get`."""
    path_map, search, assigns = _fact_readers(rules, imports)
    return [_file_facts(root, path, path_map, search, assigns) for path in paths]


def _facts_and_needles_of(
    root: Path, rules: RuleSet, paths: list[str], imports: bool, words: tuple[bytes, ...]
) -> list[tuple[_Facts | None, frozenset[bytes]]]:
    """`_facts_of`, and the words of `words` each file holds (`UNREAD` for one that cannot be
    read): one read of each file for both (`NeedleCensus`)."""
    path_map, search, assigns = _fact_readers(rules, imports)
    census = word_search(words)
    found: list[tuple[_Facts | None, frozenset[bytes]]] = []
    for path in paths:
        try:
            source = read_no_follow(str(root / path))
        except OSError:  # unreadable, or a symbolic link (never followed)
            found.append((None, UNREAD))
            continue
        facts = _source_facts(source, path, path_map, search, assigns)
        found.append((facts, held_words(census, words, source)))
    return found


def _fact_readers(
    rules: RuleSet, imports: bool
) -> tuple[PathMap, BytesAhoCorasick | None, re.Pattern[bytes] | None]:
    """`_fact_tools`, and without `imports` the pattern that lets a file go unparsed
    (`alias_assignment`)."""
    path_map, search = _fact_tools(rules)
    return path_map, search, None if imports else alias_assignment(old_names(path_map))


class NeedleCensus:
    """The words of `words` each file the facts pre-pass reads holds, taken on that read: a
    run over the tree then reads again only the files holding one of its needles
    (`NeedleIndex.of_census`), as `plan`'s needle index lets its runs do."""

    def __init__(self, words: Iterable[bytes]) -> None:
        self.words = tuple(sorted({word for word in words if word}))
        self.held: dict[str, frozenset[bytes]] = {}
        self.read: set[str] = set()


def _fact_tools(rules: RuleSet) -> tuple[PathMap, BytesAhoCorasick | None]:
    """The rules' path map, and the search for the needles of a file with facts (None: none)."""
    path_map = PathMap(rules)
    return path_map, needle_matcher(tuple(sorted(_fact_needles(path_map))))


def alias_assignment(names: Iterable[str]) -> re.Pattern[bytes] | None:
    """Bytes that every module-level `Name = value` binding one of `names` holds: the name,
    then `=` (not `==`) after nothing but blanks, line breaks, backslashes, closing
    parentheses and comments. More matches (a keyword argument, a string) cost a parse only.
    None: these bytes cannot tell (a name beyond ASCII)."""
    if not all(name.isascii() for name in names):
        return None  # the bytes may spell such a name otherwise: every file is parsed
    words = sorted(name.encode() for name in names)
    if not words:
        return re.compile(rb"(?!)")  # no moved name: no alias to bind
    either = b"|".join(re.escape(word) for word in words)
    between = rb"(?:[ \t\f\r\n\\)]|#[^\r\n]*)*"
    return re.compile(
        rb"(?<![A-Za-z0-9_])(?:" + either + rb")(?![A-Za-z0-9_])" + between + b"=(?!=)"
    )


def may_reexport(source: bytes, context: FileContext, assigns: re.Pattern[bytes] | None) -> bool:
    """Whether the module may re-export a moved name or bind a compatibility alias (what
    `reexported` and `binds_alias` find): a package, a module naming `__all__`, or one
    holding `assigns`. A file whose words the parser may read otherwise than its bytes (a
    coding cookie, or text that NFKC normalization changes) may."""
    if context.is_package or b"__all__" in source or b"coding" in source[:400]:
        return True
    if assigns is None or assigns.search(source):
        return True
    if source.isascii():
        return False
    try:
        return not unicodedata.is_normalized("NFKC", source.decode("utf-8"))
    except UnicodeDecodeError:
        return True


def _fact_needles(paths: PathMap) -> frozenset[bytes]:
    """The words one of which a file with facts holds: an old name or old module's last part."""
    olds = [rule.old for rule in paths.rules.renames]
    return frozenset(last_components(olds) | last_components(paths.old_modules))


def _file_facts(
    root: Path,
    path: str,
    paths: PathMap,
    search: BytesAhoCorasick | None,
    assigns: re.Pattern[bytes] | None = None,
) -> _Facts | None:
    """The file's facts; with `assigns` (`alias_assignment`), a file that cannot re-export a
    moved name nor bind an alias is not parsed, and its facts come without their imports."""
    try:
        source = read_no_follow(str(root / path))
    except OSError:  # unreadable, or a symbolic link (never followed)
        return None
    return _source_facts(source, path, paths, search, assigns)


def _source_facts(
    source: bytes,
    path: str,
    paths: PathMap,
    search: BytesAhoCorasick | None,
    assigns: re.Pattern[bytes] | None = None,
) -> _Facts | None:
    """`_file_facts` of a file already read."""
    if search is None or not search.find_matches_as_indexes(source):
        return None
    context = FileContext.from_path(path)
    if assigns is not None and not may_reexport(source, context, assigns):
        return _Facts(imports=None)  # parsed or not, what `get(imports=False)` asks
    with collector_paused():  # only a parse allocates enough for the collector to matter
        tree = parse_or_none(source)
        if tree is None:
            return None
        return _tree_facts(tree, context, paths)


def _tree_facts(tree: ast.Module, context: FileContext, paths: PathMap) -> _Facts:
    return _Facts(
        reexported(tree, context, paths),
        imported_paths(tree, context),
        binds_alias(tree, paths),
    )


@dataclass(frozen=True)
class ScanFacts:
    """The importer facts a scan leaves of each file it parses anyway (`Job.facts`): computed
    from its tree as `_file_facts` computes them from a parse of its own, and stored by the
    scan's result cache under `namespace`, so a later pre-pass reads them instead of parsing."""

    rules: RuleSet  # the spec's, as the pre-pass's
    namespace: str

    @classmethod
    def of(cls, rules: RuleSet) -> ScanFacts:
        return cls(rules, facts_namespace(rules))

    @cached_property
    def _tools(self) -> tuple[PathMap, BytesAhoCorasick | None]:
        return _fact_tools(self.rules)

    def __getstate__(self) -> dict[str, object]:
        return {"rules": self.rules, "namespace": self.namespace}  # not the tools

    def needle_free(self, path: str, searched: Iterable[bytes]) -> bytes | None:
        """The payload of a file in which a search for `searched` found nothing (the scan's
        prefilter): `null` when those include every facts needle, as the pre-pass would find
        none either; else None, for the pre-pass to decide."""
        if not path.endswith(".py") or not self._needles <= frozenset(searched):
            return None
        return NULL_FACTS

    @cached_property
    def _needles(self) -> frozenset[bytes]:
        return _fact_needles(self._tools[0])

    def payload(self, path: str, source: bytes, tree: ast.Module) -> bytes | None:
        """The payload `_FactIndex` stores for the file at `path` holding `source`, given its
        tree (`AstFile`'s, parsed from `decode(source)`); None, for the pre-pass to decide, when
        it may not ask for the file or `ast.parse(source)` may read other text than that."""
        if not path.endswith(".py") or not _decoded_as_python_does(source):
            return None
        paths, search = self._tools
        if search is None or not search.find_matches_as_indexes(source):
            return NULL_FACTS
        try:
            facts = _tree_facts(tree, FileContext.from_path(path), paths)
        except RecursionError:
            return None
        return facts.encode()


def _decoded_as_python_does(source: bytes) -> bool:
    """Whether `decode(source)` is the text `ast.parse(source)` reads: always, but where a
    coding cookie follows a BOM (Python rejects a cookie other than UTF-8 there) or lies beyond
    the 400 bytes `source_encoding` looks in for one (Python looks in the first two lines)."""
    first = source.find(b"\n")
    second = source.find(b"\n", first + 1) if first >= 0 else -1
    lines = source if second < 0 else source[:second]  # the first two lines, or more
    if b"coding" not in lines:
        return True
    return not source.startswith(codecs.BOM_UTF8) and b"coding" in source[:400]


def facts_namespace(rules: RuleSet) -> str:
    """What besides a file's content decides its facts: the renames, the canonical paths of
    every rule and the project's packages (what `PathMap` reads), and this module's code."""
    decided = json.dumps(
        {
            "renames": [[r.old, r.new, r.kind] for r in rules.renames],
            "canonical": sorted(PathMap(rules).canonical),
            "packages": list(rules.packages()),
        }
    )
    digest = hashlib.sha256(b"importer-facts\0" + decided.encode() + b"\0" + _facts_code())
    return "facts-" + digest.hexdigest()[:26]


@cache
def _facts_code() -> bytes:
    """The code that computes the facts, read once a process (every scan asks)."""
    return Path(__file__).read_bytes() + Path(paths_module.__file__ or "").read_bytes()


def binds_alias(tree: ast.Module, paths: PathMap) -> bool:
    """Whether the module binds an old name at module level (`Old = New`): a compatibility
    alias, which the rewrite removes only when no file outside the run imports it."""
    aliases = old_names(paths)
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id in aliases for t in node.targets)
        for node in _top_level(tree)
    )


def repository_facts(
    root: Path,
    spec: Spec,
    selected: Iterable[str],
    *,
    cache: bool = False,
    jobs: int = 1,
    known: dict[str, dict[str, _Facts | None]] | None = None,
    pool: Callable[[], ProcessPoolExecutor] | None = None,
    shas: dict[str, str] | None = None,
    listing: Listing | None = None,
    whole: bool = False,
    census: NeedleCensus | None = None,
) -> RuleSet:
    """The spec's rules plus the re-exports and outside imports the selected files need.

    Every file's facts are cached by content. A selection of at most `SELECTION_LIMIT` files
    needs only: the re-exports of modules it can name (a module whose last component is a
    word of a selected file, or a package holding one), and the outside imports only when a
    selected file binds a compatibility alias. Larger runs read every file's facts. Only the
    files outside the run need their imports: the others are parsed only when they may
    re-export (`may_reexport`), unless `whole` (the facts serve other runs, which may need
    them). `known`, `pool` and `shas`: see `_FactIndex`; `listing`: the tree as already read.
    """
    rules = spec.rules
    files = [p for p in discover(root, spec.include, listing=listing) if p.endswith(".py")]
    chosen = [path for path in dict.fromkeys(selected) if path.endswith(".py")]
    in_run = set(chosen)
    index = _FactIndex(root, rules, cache, jobs, known, pool, shas, census)
    try:
        if len(chosen) > SELECTION_LIMIT:
            sources, outside = files, [p for p in files if p not in in_run]
            facts = index.get([p for p in files if p in in_run], imports=whole)
        else:
            own = index.get(chosen, imports=whole)
            sources = [*chosen, *(p for p in _nameable(root, files, chosen) if p not in own)]
            facts = {**own, **index.get(sources, imports=whole)}
            aliased = any(f is not None and f.alias for f in own.values())
            outside = [p for p in files if p not in in_run] if aliased else []
        facts.update(index.get(outside))
    finally:
        index.close()
    reexports: dict[str, RenameRule] = {}
    for path in sources:
        for rule in facts[path].reexports if facts[path] else ():
            reexports.setdefault(rule.old, rule)
    elsewhere: set[str] = set()
    for path in outside:
        elsewhere |= facts[path].imports if facts[path] else set()
    ordered = tuple(reexports[old] for old in sorted(reexports))
    return replace(rules, imported_elsewhere=frozenset(elsewhere), reexports=ordered)


_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def _nameable(root: Path, files: list[str], chosen: list[str]) -> list[str]:
    """The files whose module the chosen files can name: its last component is a word of
    theirs (imports, attributes and strings all spell it), or it is a package above one."""
    words: set[str] = set()
    packages: set[str] = set()
    for path in chosen:
        try:
            words.update(w.decode() for w in _WORD.findall((root / path).read_bytes()))
        except OSError:
            continue
        parts = path.split("/")[:-1]
        packages.update("/".join(parts[:end]) for end in range(len(parts) + 1))
    found = []
    for path in files:
        parts = path.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts.pop()
            if "/".join(parts) in packages:
                found.append(path)
                continue
        if parts and parts[-1] in words:
            found.append(path)
    return found


def with_repository_facts(
    root: Path,
    spec: Spec,
    rules: tuple[str, ...],
    selected: list[str],
    *,
    cache: bool = False,
    jobs: int | None = None,
    known: dict[str, dict[str, _Facts | None]] | None = None,
    pool: Callable[[], ProcessPoolExecutor] | None = None,
    shas: dict[str, str] | None = None,
    listing: Listing | None = None,
    whole: bool = False,
    census: NeedleCensus | None = None,
) -> RuleSet:
    """The rules a run's jobs get: with repository facts when the imports codemod runs
    (`whole` and `census`: see `repository_facts` and `_FactIndex`)."""
    if "imports" not in rules:
        return spec.rules
    workers = jobs or os.cpu_count() or 1
    return repository_facts(
        root,
        spec,
        selected,
        cache=cache,
        jobs=workers,
        known=known,
        pool=pool,
        shas=shas,
        listing=listing,
        whole=whole,
        census=census,
    )
