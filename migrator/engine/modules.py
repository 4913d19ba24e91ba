"""Facts about the repository's own modules: does a module exist, which names does it bind at
its top level, and where does a bound name come from.

One place for these facts (read with the standard `ast` module, each file at most once): the spec
check, the re-export pre-pass and the import-resolvability check all ask a `ModuleIndex`.
Module names are repository-relative, as everywhere else (`a/b/c.py` and `a/b/c/__init__.py`
are `a.b.c`; a directory without `__init__.py` is a namespace package).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codemods.core.values import FileContext


@dataclass(frozen=True)
class TopLevel:
    """What a module binds at import time (its top level, `if TYPE_CHECKING:` bodies left out)."""

    defined: frozenset[str] = frozenset()  # class, def, assignment and other own bindings
    imported: dict[str, str] = field(default_factory=dict)  # name -> the absolute path it imports
    star: tuple[str, ...] = ()  # modules it star-imports
    dynamic: bool = False  # a module-level `__getattr__`: any name may be there
    parsed: bool = True  # False: the file does not parse (its names are unknown)

    def binds(self, name: str) -> bool:
        return name in self.defined or name in self.imported


UNKNOWN = TopLevel(parsed=False)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt], fallback: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Statements run at import time, each with whether it sits in an `except` handler (a
    fallback): nested if/try/with blocks too, not `if TYPE_CHECKING:`."""
    for statement in body:
        yield statement, fallback
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _statements(statement.body, fallback)
            yield from _statements(statement.orelse, fallback)
        elif isinstance(statement, ast.Try | ast.TryStar):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _statements(block, fallback)
            for handler in statement.handlers:
                yield from _statements(handler.body, True)
        elif isinstance(statement, ast.With | ast.AsyncWith):
            yield from _statements(statement.body, fallback)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def top_level(tree: ast.Module, context: FileContext) -> TopLevel:
    """The names a parsed module binds at its top level, and what its imports bind them to."""
    defined: set[str] = set()
    imported: dict[str, str] = {}
    star: list[str] = []
    dynamic = False

    def own(name: str, fallback: bool) -> None:
        if fallback and (name in imported or name in defined):
            return  # `except ImportError: Name = None` keeps the imported meaning
        defined.add(name)
        imported.pop(name, None)

    for node, handler in _statements(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own(node.name, handler)
            dynamic = dynamic or node.name == "__getattr__"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
                    defined.discard(alias.asname)
                else:
                    top = alias.name.split(".", 1)[0]
                    imported[top] = top
                    defined.discard(top)
        elif isinstance(node, ast.ImportFrom):
            module = context.resolve("." * node.level + (node.module or ""))
            for alias in node.names:
                if alias.name == "*":
                    star.append(module)
                else:
                    imported[alias.asname or alias.name] = f"{module}.{alias.name}"
                    defined.discard(alias.asname or alias.name)
        elif isinstance(node, ast.Assign):
            names = [name for target in node.targets for name in _target_names(target)]
            value = node.value
            if len(names) == 1 and isinstance(value, ast.Name) and value.id in imported:
                imported[names[0]] = imported[value.id]  # an alias of an imported object
                defined.discard(names[0])
            else:
                for name in names:
                    own(name, handler)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            for name in _target_names(node.target):
                own(name, handler)
        elif isinstance(node, ast.For | ast.AsyncFor):
            for name in _target_names(node.target):
                own(name, handler)
    return TopLevel(frozenset(defined), imported, tuple(star), dynamic)


class ModuleIndex:
    """Lazy, memoized module facts of one repository (each file read and parsed at most once).

    `read` returns a repository-relative file's bytes, or None when it is not there; by default
    it reads from `root`.
    """

    def __init__(self, root: Path, read: Callable[[str], bytes | None] | None = None) -> None:
        self.root = root
        self._read = read or self._read_file
        self._facts: dict[str, TopLevel | None] = {}
        self._files: dict[str, str | None] = {}

    def _read_file(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def file_of(self, module: str) -> str | None:
        """The repository-relative file of `module` (`module.py` or `package/__init__.py`)."""
        if module not in self._files:
            base = module.replace(".", "/")
            found = None
            if module and all(part.isidentifier() for part in module.split(".")):
                for candidate in (f"{base}.py", f"{base}/__init__.py"):
                    if (self.root / candidate).is_file():
                        found = candidate
                        break
            self._files[module] = found
        return self._files[module]

    def exists(self, module: str) -> bool:
        """Is `module` a module or (namespace) package of the repository?"""
        return self.file_of(module) is not None or (
            bool(module) and (self.root / module.replace(".", "/")).is_dir()
        )

    def facts(self, module: str) -> TopLevel | None:
        """The module's top-level bindings; None when it is not in the repository."""
        if module not in self._facts:
            path = self.file_of(module)
            if path is None:
                self._facts[module] = TopLevel() if self.exists(module) else None
            else:
                source = self._read(path)
                self._facts[module] = UNKNOWN if source is None else parse_facts(source, path)
        return self._facts[module]

    def provides(self, module: str, name: str) -> bool:
        """Does `from module import name` find something? Names of a file that does not parse,
        of a module with a `__getattr__`, or behind a star import from outside the repository
        count as provided (they cannot be ruled out)."""
        return self._provides(module, name, set())

    def _provides(self, module: str, name: str, seen: set[str]) -> bool:
        facts = self.facts(module)
        if facts is None:
            return False
        if not facts.parsed or facts.dynamic or facts.binds(name):
            return True
        if self.exists(f"{module}.{name}"):
            return True
        if name.startswith("_"):
            return False  # a star import does not bring private names
        seen.add(module)
        for source in facts.star:
            if source in seen:
                continue
            if self.facts(source) is None or self._provides(source, name, seen):
                return True
        return False

    def names(self, module: str) -> frozenset[str] | None:
        """Every name `from module import name` finds (bindings, star-imported names, submodules);
        None when that cannot be known (no such module, a `__getattr__`, a file that does not
        parse, a star import from outside the repository)."""
        return self._names(module, set())

    def _names(self, module: str, seen: set[str]) -> frozenset[str] | None:
        facts = self.facts(module)
        if facts is None or not facts.parsed or facts.dynamic:
            return None
        found = set(facts.defined) | set(facts.imported)
        folder = self.root / module.replace(".", "/")
        if folder.is_dir():
            for entry in folder.iterdir():
                stem = entry.name.removesuffix(".py")
                real = stem.isidentifier() and stem != "__init__"
                if real and (entry.suffix == ".py" or entry.is_dir()):
                    found.add(stem)
        seen.add(module)
        for source in facts.star:
            if source in seen:
                continue
            more = self._names(source, seen)
            if more is None:
                return None
            found |= {name for name in more if not name.startswith("_")}
        return frozenset(found)

    def origin(self, module: str, name: str) -> str | None:
        """Where `module.name` is really defined, following imports and re-exports inside the
        repository (`pkg.mod.Name`, or the first path outside it); None when `module` does not
        bind it (or the chain runs in a circle)."""
        seen: set[str] = set()
        while f"{module}.{name}" not in seen:
            seen.add(f"{module}.{name}")
            facts = self.facts(module)
            if facts is None:
                return f"{module}.{name}"  # outside the repository
            if name in facts.defined or not facts.parsed or facts.dynamic:
                return f"{module}.{name}"
            if name not in facts.imported:
                if self.exists(f"{module}.{name}"):
                    return f"{module}.{name}"
                star = next((s for s in facts.star if self._provides(s, name, set())), None)
                if star is None:
                    return None
                module = star
                continue
            target = facts.imported[name]
            if "." not in target or self.exists(target):
                return target  # a module
            module, _, name = target.rpartition(".")
        return None


def parse_facts(source: bytes, path: str) -> TopLevel:
    """The top-level facts of a file's source (UNKNOWN when it does not parse)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return UNKNOWN
    return top_level(tree, FileContext.from_path(path))
