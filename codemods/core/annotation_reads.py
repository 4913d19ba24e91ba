"""The names LibCST's scope analysis reads in string annotations, from the stdlib `ast` alone.

LibCST parses a string standing as a parameter's, a return or an annotated assignment's
annotation (in no `Literal[...]`) and records each name it reads there as an access at the
string's place. `AnnotationReads` gives those accesses for one name, as `Access` objects of the
file's scope index, and raises `CannotTell` wherever LibCST may read a string otherwise than
this model does (a typing call's or a typing subscript's string, a parameter's default, a
prefix, triple quotes or an escape, a text that does not parse as one expression, a string, a
binding or a scope in it, a dotted name starting with the name). Outside annotations, LibCST
takes a string for a type by the innermost subscript or call around it only: one of another
name, or of no name, reads none. The imports text fixes (`imports/fixes.py`) rename the words these
accesses stand for; the compatibility aliases (`core/imports/compat.py`) ask whether one reads the
alias; the flags cleanup (`flags/used_names.py`) whether one reads a module-level name.
"""

from __future__ import annotations

import ast
import re

from codemods.core.annotations import TYPING_CALLS, in_annotation
from codemods.core.scope_index import COMPREHENSIONS
from codemods.core.scopes import Access
from codemods.core.tree import AstFile, dotted

_TYPING = ("typing.", "typing_extensions.")
_TYPING_CALLS = frozenset({"typing.cast", "typing.NewType", "typing.TypeVar"})


class CannotTell(Exception):  # noqa: N818 - a signal: LibCST may read the string otherwise
    pass


def word(name: str) -> re.Pattern[str]:
    """`name` as a word of a string, not after a dot (how the rewrite finds it in strings)."""
    return re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")


def plain_literal(literal: str, value: str) -> bool:
    """Whether a literal's source text is a plain one-token literal (`'...'` or `"..."`, no
    prefix, no escape: its text is its value). A triple-quoted or concatenated literal's text
    is longer than its value."""
    quote = literal[:1]
    return quote in ("'", '"') and literal[-1:] == quote and literal[1:-1] == value


def may_read_as_type(file: AstFile, node: ast.Constant) -> bool:
    """Whether a LibCST rewrite may read the string as a type: in an annotation, a typing
    call's arguments or any subscript's slice (`in_annotation`)."""
    return in_annotation(file, node, lambda _subscript: True)


class AnnotationReads:
    """The string annotations of one file and the names LibCST reads in them.

    `decided`: the import rewrite's own reading, which needs no LibCST to agree with: a string
    in a typing subscript or a typing call is read as a type, a dotted name reads its first
    name, and a prefixed or triple-quoted literal whose text is its value is read as any other
    (CannotTell is left for escapes, text that is no single expression, and strings, bindings
    or scopes inside the string)."""

    def __init__(self, file: AstFile, decided: bool = False) -> None:
        self.file = file
        self.decided = decided
        self._string_nodes: list[ast.Constant] | None = None

    def strings(self) -> list[ast.Constant]:
        """Every string constant of the file."""
        if self._string_nodes is None:
            self._string_nodes = [
                node
                for node in self.file.scopes.parents
                if type(node) is ast.Constant and isinstance(node.value, str)
            ]
        return self._string_nodes

    def mentioning(self, name: str) -> list[ast.Constant]:
        """The strings of the file in which `name` stands as a word."""
        pattern = word(name)
        return [node for node in self.strings() if pattern.search(node.value)]

    def accesses(self, name: str) -> list[Access]:
        """The accesses LibCST records for `name` read in a string annotation (one a string);
        CannotTell at the first string it may read otherwise than this model does."""
        found = []
        for node in self.mentioning(name):
            access = self.access(node, name)
            if access is not None:
                found.append(access)
        return found

    def access(self, node: ast.Constant, name: str) -> Access | None:
        """The access LibCST records for `name` read in the string `node`, None when it reads
        no such name there; CannotTell where it may read the string otherwise."""
        if not self.read_as_annotation(node) or not self.reads_name(node, name):
            return None
        return self.file.scopes.string_access(node, name)

    def read_as_annotation(self, node: ast.Constant) -> bool:
        """Whether LibCST's scope analysis parses the string as an annotation: it stands in a
        parameter's, a return or an annotated assignment's annotation, in no `Literal[...]`.
        CannotTell where it may read a string as a type otherwise (a typing call or subscript)."""
        child, parent = node, self.file.parent(node)
        innermost: ast.Subscript | ast.Call | None = None
        while parent is not None and not isinstance(parent, ast.stmt | ast.arg):
            if isinstance(parent, ast.Subscript) and self._literal(parent):
                return False
            if innermost is None and isinstance(parent, ast.Subscript | ast.Call):
                innermost = parent
            child, parent = parent, self.file.parent(parent)
        # a parameter's default hangs under its `arg` too (`ScopeIndex`): no annotation
        annotation = isinstance(parent, ast.arg | ast.AnnAssign) and child is parent.annotation
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
            annotation = child is parent.returns
        if not annotation and self._may_be_type_hint(node, innermost):
            if self.decided:
                return True
            raise CannotTell  # a typing call's or subscript's string: LibCST may read it
        return annotation

    def _may_be_type_hint(
        self, node: ast.Constant, innermost: ast.Subscript | ast.Call | None
    ) -> bool:
        """Whether LibCST may take the string, outside annotations, for a type hint. Its scope
        analysis decides by the innermost subscript or call around the string: a subscript of
        a name bound to no `typing.`/`typing_extensions.` name, or a call of no typing
        function, is none (a subscript of anything else than a name neither)."""
        if isinstance(innermost, ast.Subscript):
            value = innermost.value
            if not isinstance(value, ast.Name):
                return False
            names = self.file.scopes.qualified_names(value)
            return any(name.startswith(_TYPING) for name, _ in names)
        if isinstance(innermost, ast.Call):
            names = {name for name, _ in self.file.scopes.qualified_names(innermost.func)}
            spelled = (dotted(innermost.func) or "").rpartition(".")[2]
            return bool(names & _TYPING_CALLS) or spelled in TYPING_CALLS
        return may_read_as_type(self.file, node)

    def _literal(self, node: ast.Subscript) -> bool:
        """`Literal[...]` (LibCST reads no string annotation inside one)."""
        if not isinstance(node.value, ast.Name):
            return False
        names = {name for name, _ in self.file.scopes.qualified_names(node.value)}
        return bool(names & {"typing.Literal", "typing_extensions.Literal"})

    def reads_name(self, node: ast.Constant, name: str) -> bool:
        """Whether the annotation's text, parsed, reads `name` as a plain name."""
        if not plain_literal(self.file.segment(node), node.value) and not (
            self.decided and _text_is_value(self.file.segment(node), node.value)
        ):
            raise CannotTell  # a prefix, triple quotes, an escape or a concatenation
        try:
            tree = ast.parse(node.value)
        except (SyntaxError, ValueError):
            raise CannotTell from None  # LibCST's parser may still read it
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
            raise CannotTell
        reads = False
        for inner in ast.walk(tree):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                raise CannotTell  # a string in the string: LibCST reads it too
            if isinstance(inner, (ast.NamedExpr, ast.Lambda, *COMPREHENSIONS)):
                raise CannotTell  # a binding or a scope in the string
            if isinstance(inner, ast.Attribute) and _root(inner) == name and not self.decided:
                raise CannotTell  # a dotted name LibCST may read as a whole
            if isinstance(inner, ast.Name) and inner.id == name:
                reads = True
        return reads


def _text_is_value(literal: str, value: str) -> bool:
    """Whether a one-token literal with no prefix but `u` has its value as its text."""
    prefix = len(literal) - len(literal.lstrip("uU"))
    quote = literal[prefix : prefix + 3]
    if quote not in ('"""', "'''"):
        quote = literal[prefix : prefix + 1]
    if quote not in ('"', "'", '"""', "'''") or not literal.endswith(quote):
        return False
    return literal[prefix + len(quote) : len(literal) - len(quote)] == value


def _root(node: ast.Attribute) -> str | None:
    """The name a dotted expression starts from."""
    value: ast.expr = node
    while isinstance(value, ast.Attribute):
        value = value.value
    return value.id if isinstance(value, ast.Name) else None
