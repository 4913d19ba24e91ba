"""Whether text edits may leave a name undefined: a cheap "no" that spares the full check.

The rewrite check asks pyflakes which names a change leaves undefined, and pyflakes walks the
whole file (about three times the cost of parsing it). A change made of text edits can only
do that to a name whose reading or binding an edit changes, and each edit is judged alone:

- **A list of dotted names put for another** (`a.b.C`, `.mod`, `X as Y`, `A, B`; blanks
  between), each word whole: the grammar reads the new list where it read the old one, so
  the code around it reads as before. What can change is the part of each item's first word
  (a name, or an attribute or relative module when the item starts with a dot; bound by an
  import only without an `as`) and of each name after an `as`. A part that is the same on
  both sides is unchanged; the module of a `from ... import` has no names at all.
- **Whole statements put for others**: the edit, grown to the whole lines of the statements
  it touches, starts and ends at line starts that cut no statement (nor a compound
  statement's header) of either text. The lines around it are untouched and read in the same
  blocks; the statements on each side are parsed on their own, and a name whose reads and
  bindings there differ is touched (each word of a string counts as a read: pyflakes reads
  `__all__`). Such statements may hold blocks (`if`, `try`, loops, `with`), whose names read
  and bind in the scope around them, but not open a scope, bind at a distance (`global`,
  `del`), bind by a pattern, import `*`, or name what pyflakes reads specially (`SPECIAL`, and
  the module's aliases of `typing`); nor may the lists above.

Both texts must read their words as written (NFKC, which `ast` applies to identifiers). A
touched name can be newly undefined only if the old text has it and the new text reads it,
and not even then when every binding of it comes before each read in its scope
(`surely_defined`). When no touched name is left, the answer is "no"; anything else is
pyflakes' to answer.
"""

from __future__ import annotations

import ast
import bisect
import keyword
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache

from codemods.core.edits import Edit, apply_edits

# Names pyflakes reads specially: they decide how it reads other names (strings in typing
# forms, `__all__`, future imports, the class cell) or which names it takes as given.
SPECIAL = frozenset(
    {
        "typing", "typing_extensions", "Literal", "Annotated", "cast", "assert_type",
        "TypeVar", "ParamSpec", "TypeVarTuple", "NewType", "TypedDict", "NamedTuple",
        "TypeAlias", "overload", "__all__", "__future__", "__class__", "__path__",
        "__module__", "__qualname__", "__file__", "__builtins__", "__annotations__",
        "WindowsError", "locals", "annotations",
    }
)  # fmt: skip
# Soft keywords: a list of names holding one may read as a statement of another kind.
SOFT_KEYWORDS = frozenset({"match", "case", "type", "_"})
# A dotted name (or the dots of a relative module) with an optional `as` name; a list of
# them, with commas and blanks between, as an import, a call or a tuple holds.
_ITEM = re.compile(r"(?P<dotted>\.+|\.*\w+(?:\.\w+)*)(?:\s+as\s+(?P<alias>\w+))?")
_ITEM_PLAIN = r"(?:\.+|\.*\w+(?:\.\w+)*)(?:\s+as\s+\w+)?"
_ITEMS = re.compile(rf"\s*(?:{_ITEM_PLAIN}(?:\s*,\s*{_ITEM_PLAIN})*\s*,?)?\s*")
_FROM_IMPORT = re.compile(r"(?:[^'\"#]*;)?[ \t]*from[ \t]+")  # a line up to a `from`'s module
_WORD = re.compile(r"\w+")
_NEWLINE = re.compile("\n")
# What a statement on one side may not hold: it opens a scope, or binds at a distance, or
# binds in a way this module does not count (a capture pattern, a type alias), or reads names
# in an annotation. Blocks (`if`, `try`, loops, `with`) it may hold: their names read and bind
# in the scope around them, and each is counted.
_BEYOND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match, ast.Lambda, ast.ListComp,
    ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr, ast.Global, ast.Nonlocal,
    ast.Delete, ast.AnnAssign, ast.arg,
)  # fmt: skip
_BEYOND = (*_BEYOND, *(getattr(ast, name) for name in ("TypeAlias",) if hasattr(ast, name)))


class CannotTell(Exception):  # noqa: N818 - a signal, not an error
    """An edit this module cannot judge: pyflakes decides."""


def may_unbind(
    old: str, new: str, edits: Iterable[Edit], old_tree: ast.Module, new_tree: ast.Module
) -> bool:
    """Whether `new` (`old` with `edits` applied; the trees are their parses) may leave
    undefined a name that `old` has. False only when none can be (see the module docstring)."""
    try:
        touched = touched_names(old, new, edits, old_tree, new_tree)
    except CannotTell:
        return True
    suspects = {name for name in touched if _has_word(old, name) and _has_word(new, name)}
    return bool(suspects) and not surely_defined(new_tree, suspects, new)


def touched_names(
    old: str, new: str, edits: Iterable[Edit], old_tree: ast.Module, new_tree: ast.Module
) -> set[str]:
    """The names whose reading or binding the edits may change; CannotTell when an edit is
    of neither kind the module docstring names."""
    if not (_reads_as_written(old) and _reads_as_written(new)):
        raise CannotTell
    ordered = sorted(set(edits))
    special = SPECIAL | _typing_aliases(old, old_tree) | _typing_aliases(new, new_tree)
    old_lines, new_lines = _LineStarts(old), _LineStarts(new)  # counted on first use
    names: set[str] = set()
    regions: list[tuple[int, int]] = []
    for edit in ordered:
        try:
            names |= _list_names(old, edit, special)
        except CannotTell:
            regions.append(_statement_lines(old_lines, old_tree, edit))
    shifts = _Shifts(ordered)
    for start, end in _merged(regions):
        if any(e.start < start < e.end or e.start < end < e.end for e in ordered):
            raise CannotTell  # an edit reaching out of the statements it touches
        # The edits within, and one putting lines in where the region is empty.
        inside = [e for e in ordered if start <= e.start and e.end <= end]
        inside = [e for e in inside if e.start < end or start == end]
        moved = [Edit(e.start - start, e.end - start, e.content) for e in inside]
        replaced = apply_edits(old[start:end], moved)
        new_start = shifts.new_offset(start)
        first, after = new_lines.line_of(new_start), new_lines.line_of(new_start + len(replaced))
        if _cuts(new_tree.body, first) or _cuts(new_tree.body, after):
            raise CannotTell
        names |= _role_changes(old[start:end], replaced, special)
    return names


def _reads_as_written(text: str) -> bool:
    return text.isascii() or unicodedata.is_normalized("NFKC", text)


# --- lists of dotted names ---------------------------------------------------------------


def _typing_aliases(text: str, tree: ast.Module) -> frozenset[str]:
    """The names the module binds to `typing` or to a name imported from it under another
    name: pyflakes reads `c("X")` for `from typing import cast as c` as it reads `cast`."""
    if "typing" not in text:
        return frozenset()
    found: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.ImportFrom) and _special(node.module):
            found.update(alias.asname for alias in node.names if alias.asname)
        elif isinstance(node, ast.Import):
            found.update(a.asname or a.name for a in node.names if _special(a.name))
    return frozenset(found)


def _statements(block: list) -> Iterator[ast.stmt]:
    for node in block:
        yield node
        for child in _child_blocks(node):
            yield from _statements(child)


def _list_names(old: str, edit: Edit, special: frozenset[str]) -> set[str]:
    """The names an edit of a list of dotted names touches (CannotTell: no such edit)."""
    start, end = _widened(old, edit.start, edit.end)
    before = old[start:end]
    after = old[start : edit.start] + edit.content + old[edit.end : end]
    old_heads, old_aliases = _parts(before, special)
    new_heads, new_aliases = _parts(after, special)
    if _FROM_IMPORT.fullmatch(old, old.rfind("\n", 0, start) + 1, start):
        return set()  # the module of a `from ... import`
    heads = (old_heads - new_heads) + (new_heads - old_heads)
    aliases = (old_aliases - new_aliases) + (new_aliases - old_aliases)
    return {head for head, _aliased in heads if head} | set(aliases)


def _parts(text: str, special: frozenset[str]) -> tuple[Counter[tuple[str, bool]], Counter[str]]:
    """(first word, whether an `as` follows) and the `as` name of each item of a list of
    dotted names; CannotTell when the text is no such list, or a word of it is a keyword
    (but `as`), a soft keyword, or `SPECIAL`."""
    if not _ITEMS.fullmatch(text):
        raise CannotTell
    heads: Counter[tuple[str, bool]] = Counter()
    aliases: Counter[str] = Counter()
    for item in _ITEM.finditer(text):
        dotted, alias = item.group("dotted"), item.group("alias")
        words = _WORD.findall(dotted)
        if any(_beyond(word, special) for word in [*words, alias or ""]):
            raise CannotTell
        head = "" if dotted.startswith(".") else words[0]
        heads[head, alias is not None] += 1
        if alias is not None:
            aliases[alias] += 1
    return heads, aliases


def _beyond(word: str, special: frozenset[str]) -> bool:
    return keyword.iskeyword(word) or word in SOFT_KEYWORDS or word in special


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The range grown to whole words at both ends."""
    while start > 0 and _is_word_character(text[start - 1]):
        start -= 1
    while end < len(text) and _is_word_character(text[end]):
        end += 1
    return start, end


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


# --- whole statements --------------------------------------------------------------------


def _statement_lines(lines: _LineStarts, tree: ast.Module, edit: Edit) -> tuple[int, int]:
    """The edit grown to the whole lines of the statements it touches: (start, end) offsets
    of line starts that cut no statement of the tree."""
    first = lines.line_of(edit.start)
    at_line_start = lines.offset_of(first) == edit.start
    if edit.start == edit.end and at_line_start and edit.content.endswith("\n"):
        if not _cuts(tree.body, first):
            return edit.start, edit.start  # whole lines put between two statements
    last = lines.line_of(max(edit.start, edit.end - 1))
    while first > 1 and _cuts(tree.body, first):
        first -= 1
    while _cuts(tree.body, last + 1):
        last += 1
    return lines.offset_of(first), lines.offset_of(last + 1)


def _merged(regions: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Overlapping or touching ranges joined, in order."""
    current: tuple[int, int] | None = None
    for start, end in sorted(regions):
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _role_changes(before: str, after: str, special: frozenset[str]) -> set[str]:
    """The names whose reads and bindings differ between two runs of whole statements, each
    parsed on its own; CannotTell for statements beyond this module (its docstring)."""
    old_roles, new_roles = _roles(before, special), _roles(after, special)
    changed = (old_roles - new_roles) + (new_roles - old_roles)
    return {name for name, _role in changed}


def _roles(text: str, special: frozenset[str]) -> Counter[tuple[str, str]]:
    """(name, how it is read or bound) for each name of the statements."""
    try:
        tree = ast.parse(_dedented(text))
    except (SyntaxError, ValueError):
        raise CannotTell from None
    roles: Counter[tuple[str, str]] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, _BEYOND):
            raise CannotTell
        if isinstance(node, ast.Name):
            roles[node.id, type(node.ctx).__name__] += 1
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            roles[node.target.id, "AugLoad"] += 1
        elif isinstance(node, ast.ExceptHandler) and node.name:
            roles[node.name, "except"] += 1
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # what pyflakes may read in a string (`__all__`): each word, as a read
            roles.update((word, "string") for word in _WORD.findall(node.value))
        elif isinstance(node, ast.alias):
            if node.name == "*" or _special(node.name, special) or _special(node.asname, special):
                raise CannotTell
            roles[node.asname or node.name.split(".", 1)[0], "import"] += 1
        elif isinstance(node, ast.ImportFrom) and _special(node.module, special):
            raise CannotTell
        elif isinstance(node, ast.Attribute) and node.attr in special:
            raise CannotTell
        if isinstance(node, ast.Name) and node.id in special - {"__all__"}:
            raise CannotTell  # `__all__` lists names as strings, counted as reads
    return roles


def _special(dotted: str | None, special: frozenset[str] = SPECIAL) -> bool:
    return dotted is not None and any(part in special for part in dotted.split("."))


def _dedented(text: str) -> str:
    """Statements cut from one block, moved to the left margin to parse on their own."""
    lines = text.splitlines(keepends=True)
    margin = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()), default=0)
    return "".join(line[margin:] if line.strip() else line for line in lines)


def _cuts(block: list, line: int) -> bool:
    """Whether the start of `line` (1-based) lies inside a statement of these (or of a block
    within one) other than at its first line, or inside a compound statement's header."""
    for statement in _spanning(block, line):
        children = list(_child_blocks(statement))
        if not children:
            return True  # inside a simple statement
        if line <= min(_first_line(child[0]) for child in children) - 1:
            return True  # inside a header that spans lines (or the lines after it)
        if any(_cuts(child, line) for child in children):
            return True
    return False


def _spanning(block: list, line: int) -> Iterator[ast.AST]:
    """The elements of the block whose lines hold the start of `line` other than at their
    first line."""
    for node in block:
        if _first_line(node) < line <= _last_line(node):
            yield node


def _first_line(node: ast.AST) -> int:
    """A statement's (or clause's) first line: its first decorator's, a case's pattern's."""
    if isinstance(node, ast.match_case):
        return node.pattern.lineno
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def _last_line(node: ast.AST) -> int:
    if isinstance(node, ast.match_case):
        return _last_line(node.body[-1])
    return node.end_lineno or node.lineno


def _child_blocks(node: ast.AST) -> Iterator[list]:
    for field in _BLOCK_FIELDS_IN_ORDER:
        block = getattr(node, field, None)
        if block:
            yield block


class _LineStarts:
    """Line numbers (1-based, as `ast` counts) of character offsets in a text, and back."""

    def __init__(self, text: str) -> None:
        self.text, self.length = text, len(text)

    @cached_property
    def starts(self) -> list[int]:
        return [0, *(match.end() for match in _NEWLINE.finditer(self.text))]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset_of(self, line: int) -> int:
        return self.starts[line - 1] if line <= len(self.starts) else self.length


class _Shifts:
    """Where an offset of the old text lands in the new one, given the edits (in order)."""

    def __init__(self, edits: list[Edit]) -> None:
        self.starts = [edit.start for edit in edits]
        self.deltas = [0]
        for edit in edits:
            self.deltas.append(self.deltas[-1] + len(edit.content) - (edit.end - edit.start))

    def new_offset(self, offset: int) -> int:
        """For an offset no edit strictly contains: the edits starting before it move it."""
        return offset + self.deltas[bisect.bisect_left(self.starts, offset)]


# --- reads -------------------------------------------------------------------------------


def _has_word(text: str, word: str) -> bool:
    return word in text and _word_pattern(word).search(text) is not None


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


def surely_defined(tree: ast.Module, names: set[str], text: str) -> bool:
    """Whether pyflakes can find none of `names` undefined in the module. A name is surely
    defined when it is never read (loaded, deleted, the target of an augmented assignment,
    or a word of a string that is no bare expression statement: pyflakes reads annotations
    and `__all__` in strings), or when every binding of it is a statement of the module's
    own body or of a function's (an import, an assignment to the name, a definition), and
    each read comes after one: in a function binding it, after that function's; elsewhere
    in a function (which pyflakes reads once the module is read), after any of the module's;
    anywhere else, after one of the module's that ends before it. `text`: the module's,
    whose lines spelling a name are the only ones holding a read or binding of it."""
    reads: dict[str, list[int]] = {}
    bindings: Counter[str] = Counter()
    unconditional, functions = _unconditional_bindings(tree)
    kept: dict[str, list[_Binding]] = {}
    bare: set[int] = set()
    starts = _LineStarts(text)
    spelled = sorted(
        {starts.line_of(m.start()) for name in names for m in _word_pattern(name).finditer(text)}
    )
    for node in _nodes_on(tree.body, spelled):
        kind = type(node)
        if kind is ast.Name:
            if node.id in names:
                context = type(node.ctx)
                if context is not ast.Store:  # a load; a `del` reads, and unbinds too
                    reads.setdefault(node.id, []).append(node.lineno)
                if context is not ast.Load:
                    _bound(node.id, node, unconditional, bindings, kept)
        elif kind is ast.Expr:
            bare.add(id(node.value))
        elif kind is ast.Constant:
            if type(node.value) is str and id(node) not in bare:
                for name in names:
                    if _has_word(node.value, name):
                        reads.setdefault(name, []).append(node.lineno)
        elif kind is ast.AugAssign:
            target = node.target
            if type(target) is ast.Name and target.id in names:
                reads.setdefault(target.id, []).append(node.lineno)
        elif kind in _BINDERS:
            for name in _bound_names(node):
                if name in names:
                    _bound(name, node, unconditional, bindings, kept)
    for name, lines in reads.items():
        found = kept.get(name, [])
        if len(found) != bindings[name]:
            return False  # a binding of another kind: a loop, a `with`, a handler, a branch
        if not all(_read_after_binding(line, found, functions) for line in lines):
            return False
    return True


def _nodes_on(block: list, lines: list[int]) -> Iterator[ast.AST]:
    """Every node of the statements (and clauses) whose lines hold one of `lines` (sorted):
    a simple one whole; of a compound one, its header's nodes and those of its blocks'
    statements on those lines."""
    for node in block:
        first = bisect.bisect_left(lines, _first_line(node))
        if first == len(lines) or lines[first] > _last_line(node):
            continue
        blocks = list(_child_blocks(node))
        if not blocks:
            yield from ast.walk(node)
            continue
        yield node
        for field in node._fields:
            if field in _BLOCK_FIELDS:
                continue
            value = getattr(node, field)
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, ast.AST):
                    yield from ast.walk(part)
        for child in blocks:
            yield from _nodes_on(child, lines)


_BLOCK_FIELDS_IN_ORDER = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCK_FIELDS = frozenset(_BLOCK_FIELDS_IN_ORDER)


def _read_after_binding(line: int, found: list[_Binding], functions: list[range]) -> bool:
    own = [b for b in found if b.within is not None and line in b.within]
    if own:
        return any(b.end < line for b in own)
    module = [b for b in found if b.within is None]
    if any(line in body for body in functions):
        return bool(module)
    return any(b.end < line for b in module)


class _Binding:
    """A statement that binds a name whenever its scope runs: one of the module's own body,
    or of a function's (`within`: the lines of that function's body, from its first
    statement's line and after its `def` line)."""

    def __init__(self, end: int, within: range | None) -> None:
        self.end, self.within = end, within


def _bound(
    name: str,
    node: ast.AST,
    unconditional: dict[int, _Binding],
    bindings: Counter[str],
    kept: dict[str, list[_Binding]],
) -> None:
    bindings[name] += 1
    if id(node) in unconditional:
        kept.setdefault(name, []).append(unconditional[id(node)])


def _unconditional_bindings(tree: ast.Module) -> tuple[dict[int, _Binding], list[range]]:
    """The nodes binding a name in a statement of the module's own body or of a function's
    (an import's alias, an assignment's name target, a definition), each with its binding;
    and the lines of every function's body."""
    found: dict[int, _Binding] = {}
    bodies: list[tuple[list, range | None]] = [(tree.body, None)]
    for node in _statements(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # from the body's first line: a signature's defaults, annotations and
            # decorators are read where the function is defined, and may span lines
            first = max(node.lineno + 1, node.body[0].lineno)
            bodies.append((node.body, range(first, (node.end_lineno or 0) + 1)))
    for body, within in bodies:
        for statement in body:
            binding = _Binding(statement.end_lineno or statement.lineno, within)
            if isinstance(statement, ast.Import | ast.ImportFrom):
                found.update((id(alias), binding) for alias in statement.names)
            elif isinstance(statement, ast.Assign):
                targets = (t for t in statement.targets if isinstance(t, ast.Name))
                found.update((id(target), binding) for target in targets)
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                found[id(statement)] = binding
    return found, [within for _body, within in bodies if within is not None]


def _bound_names(node: ast.AST) -> Iterator[str]:
    """The names a node other than `ast.Name` binds, deletes or declares."""
    if isinstance(node, ast.alias):
        yield node.asname or node.name.split(".", 1)[0]
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, ast.Global | ast.Nonlocal):
        yield from node.names
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        if node.name:
            yield node.name
    elif isinstance(node, ast.MatchMapping):
        if node.rest:
            yield node.rest
    elif hasattr(node, "name") and type(node).__name__ in _TYPE_PARAMETERS:
        yield node.name


_TYPE_PARAMETERS = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})
# The kinds of node other than `ast.Name` that bind, delete or declare a name.
_BINDERS = frozenset(
    {
        ast.alias, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.arg, ast.Global,
        ast.Nonlocal, ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping,
        *(getattr(ast, name) for name in _TYPE_PARAMETERS if hasattr(ast, name)),
    }
)  # fmt: skip
