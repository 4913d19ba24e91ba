"""The singletons codemod's one analysis, from one stdlib `ast` parse: it decides every finding
and every fix (the transform only applies the edits a fixed finding carries).

It finds module globals, class attributes, `global` rebinds and `cls.<attr>` caches holding
candidate instances, `__new__` caching one instance, and `@cache`/`@lru_cache` zero-argument
getters. A private module global that only its getter returns is fixed: the getter builds the
instance per call and the global goes (`layout` says which text that is).

Only statements can hold what it looks for, so it walks statement lists, never expressions;
scopes (for qualified names and the references of a module instance) are built only when a class
named by a rule, or a module-level candidate instance, occurs in the file. Identifiers compare as
Python compares them (NFKC-normalized).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import replace

from codemods.core.edits import Edit
from codemods.core.rules import RuleSet, SingletonRule
from codemods.core.scopes import Access, Assignment
from codemods.core.tree import AstFile, dotted
from codemods.core.values import Analysis
from codemods.singletons import messages as say
from codemods.singletons.layout import Layout

CACHE_DECORATORS = frozenset({"cache", "lru_cache"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# A string literal starts with one of these tokens (f-strings are split from Python 3.12 on).
_STRING_STARTS = frozenset(
    {tokenize.STRING} | ({tokenize.FSTRING_START} if hasattr(tokenize, "FSTRING_START") else set())
)


def _is_cache_attr(name: str) -> bool:
    return name.startswith("_instance") or name in {"_singleton", "_shared"}


def _try_bodies(statement: ast.Try | ast.TryStar) -> list[list[ast.stmt]]:
    return [
        statement.body,
        *(handler.body for handler in statement.handlers),
        statement.orelse,
        statement.finalbody,
    ]


_BODIES = {
    ast.If: lambda s: (s.body, s.orelse),
    ast.For: lambda s: (s.body, s.orelse),
    ast.AsyncFor: lambda s: (s.body, s.orelse),
    ast.While: lambda s: (s.body, s.orelse),
    ast.With: lambda s: (s.body,),
    ast.AsyncWith: lambda s: (s.body,),
    ast.Try: _try_bodies,
    ast.TryStar: _try_bodies,
    ast.Match: lambda s: [case.body for case in s.cases],
    ast.FunctionDef: lambda s: (s.body,),
    ast.AsyncFunctionDef: lambda s: (s.body,),
    ast.ClassDef: lambda s: (s.body,),
}


def _sub_bodies(statement: ast.stmt) -> list[list[ast.stmt]] | tuple:
    """The statement lists nested directly in a compound statement, in LibCST's visit order."""
    bodies = _BODIES.get(type(statement))
    return bodies(statement) if bodies is not None else ()


def _walk_statements(body: list[ast.stmt]):
    """Every statement under `body`, pre-order (LibCST's `findall` order for statements)."""
    for statement in body:
        yield statement
        for sub in _sub_bodies(statement):
            yield from _walk_statements(sub)


class _Shape:
    """A top-level `NAME = Class(...)` (`body[index]`), and the getter that only returns it
    (`getter`, its `ret`urn) or why it has none (`problem`)."""

    __slots__ = ("call", "getter", "index", "name", "problem", "ret")

    def __init__(
        self,
        name: str,
        call: ast.Call,
        index: int,
        found: tuple[ast.AST, ast.Return] | None,
        problem: str | None,
    ):
        self.name = name
        self.call = call
        self.index = index
        self.getter, self.ret = found if found is not None else (None, None)
        self.problem = problem


class _Analyzer:
    def __init__(self, file: AstFile, rules: RuleSet) -> None:
        self.file = file
        self.rules = rules.singletons
        self.classes = frozenset(c for rule in self.rules for c in rule.classes)
        self.suffixes = tuple(sorted({s for rule in self.rules for s in rule.suffixes}))
        self.class_short_names = frozenset(c.rpartition(".")[2] for c in self.classes)
        text = file.text
        # A qualified name's last component always comes from the file's text (an import, a
        # local name), so without a rule's class name in the text none can match.
        self.qualify = any(name and name in text for name in self.class_short_names)
        self.aliases = _aliases(text, self.class_short_names) if self.qualify else frozenset()
        self.rule_cache: dict[int, SingletonRule | None] = {}
        self.analysis = Analysis()
        self.function_depth = 0
        self.class_depth = 0
        self.globals_stack: list[set[str]] = []
        self.class_names: list[str] = []
        self.instances: dict[str, _Shape] = {}
        self.layout = Layout(text)
        self.annotations: list[str] | None = None  # string annotations, read once if needed
        self.edits: list[Edit] = []  # every fix's, public globals' getters included

    # --- candidates ----------------------------------------------------------------------

    def _rule(self, qualified: set[str], name: str) -> SingletonRule | None:
        if qualified:
            for rule in self.rules:
                if qualified & set(rule.classes):
                    return rule
        for rule in self.rules:
            if name[:1].isupper() and rule.suffixes and name.endswith(tuple(rule.suffixes)):
                return rule
        return None

    def _qualified(self, call: ast.Call) -> set[str]:
        """`qualified_names(call.func)` when it may hold a rule's class, else an empty set.

        A qualified name ends with the call's own last name, or (`from m import Cls as C`;
        `C()`) with an aliased import's, or, for `Cls()()` and `x[0]()`, with an inner one's.
        """
        if not self.qualify:
            return set()
        func = call.func
        name = dotted(func)
        if name is not None and name not in self.aliases:
            if name.rpartition(".")[2] not in self.class_short_names:
                return set()
        return self.file.qualified_names(func)

    def rule_for(self, call: ast.AST | None) -> SingletonRule | None:
        if not isinstance(call, ast.Call):
            return None
        key = id(call)
        if key in self.rule_cache:
            return self.rule_cache[key]
        rule = self._rule(self._qualified(call), (dotted(call.func) or "").rpartition(".")[2])
        self.rule_cache[key] = rule
        return rule

    def suffix_only(self, call: ast.AST | None) -> str | None:
        rule = self.rule_for(call)
        if rule is None or not isinstance(call, ast.Call):
            return None
        if self._qualified(call) & set(rule.classes):
            return None
        return say.matched_suffix((dotted(call.func) or "").rpartition(".")[2], rule.suffixes)

    def class_name(self, call: ast.AST | None) -> str | None:
        if not isinstance(call, ast.Call) or self.rule_for(call) is None:
            return None
        qualified = self._qualified(call) & self.classes
        if qualified:
            return min(qualified).rpartition(".")[2]
        return (dotted(call.func) or "").rpartition(".")[2]

    def _candidate_class(self, cls: str) -> bool:
        return cls in self.class_short_names or bool(self.suffixes and cls.endswith(self.suffixes))

    def _instance_class(self, node: ast.AST | None) -> str | None:
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Name) and func.id == "cls" and self.class_names:
            return self.class_names[-1] if self._candidate_class(self.class_names[-1]) else None
        return self.class_name(node)

    # --- findings ------------------------------------------------------------------------

    def _report(self, node: ast.AST, message: str, *, fix: bool = False) -> None:
        self.analysis.findings.append(
            self.file.finding(
                "singleton", node, message, fixable=False, manual_review=True, fix=fix
            )
        )

    def _module_instance(self, target: ast.Name, cls: str) -> None:
        shape = self.instances.get(target.id)
        rule = self.rule_for(shape.call) if shape else None
        known, problem, fix = (
            shape is not None,
            shape.problem if shape else None,
            bool(rule and rule.fix),
        )
        suffix = self.suffix_only(shape.call) if shape else None
        message, fixable = say.module_instance(
            target.id,
            cls,
            known=known,
            problem=problem,
            fix=fix,
            getter=shape.getter.name if shape and shape.getter else None,
            suffix=suffix,
        )
        rewrites = say.rewritten(known=known, problem=problem, fix=fix, suffix=suffix)
        if fixable:
            finding = self.file.finding("singleton", target, message)
        else:
            finding = self.file.finding(
                "singleton", target, message, fixable=False, manual_review=True, fix=rewrites
            )
        if rewrites and shape is not None:
            edits = self._fix(shape)
            self.edits.extend(edits)
            if fixable:  # nothing of it is left: the runner may apply the edits alone
                finding = replace(finding, edits=edits)
        self.analysis.findings.append(finding)

    def _fix(self, shape: _Shape) -> tuple[Edit, ...]:
        """The getter builds the instance per call; a private global goes (a public one stays:
        other modules may import it)."""
        layout = self.layout
        call = layout.moved(shape.call, layout.indentation(shape.ret))
        edits = [layout.return_value(shape.ret, call)]
        if shape.name.startswith("_"):
            edits.append(layout.removal(self.file.tree.body, shape.index))
        return tuple(edits)

    def _assigned(self, target: ast.expr, cls: str) -> None:
        if isinstance(target, ast.Name):
            name = target.id
            if self.function_depth == 0 and self.class_depth == 0:
                self._module_instance(target, cls)
            elif self.function_depth == 0:
                self._report(target, say.class_attribute(name, cls))
            elif self.globals_stack and name in self.globals_stack[-1]:
                self._report(target, say.global_cache(name, cls))
        elif isinstance(target, ast.Attribute) and (
            (isinstance(target.value, ast.Name) and target.value.id == "cls")
            or target.attr.startswith("_instance")
        ):
            self._report(target, say.attribute_cache(str(dotted(target)), cls))

    def _cached_new(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if node.name != "__new__" or not self.class_names:
            return
        cls = self.class_names[-1]
        if not self._candidate_class(cls):
            return
        for statement in _walk_statements(node.body):
            if type(statement) is ast.Assign and len(statement.targets) == 1:
                target = statement.targets[0]
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "cls"
                    and _is_cache_attr(target.attr)
                ):
                    self._report(node, say.cached_new(cls))
                    return

    def _cached_getter(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if _has_parameters(node.args):
            return
        for decorator in node.decorator_list:
            expr = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (dotted(expr) or "").rpartition(".")[2] in CACHE_DECORATORS:
                break
        else:
            return
        for statement in _walk_statements(node.body):
            if type(statement) is ast.Return and isinstance(statement.value, ast.Call):
                cls = self._instance_class(statement.value)
                if cls is not None:
                    self._report(node, say.cached_getter(node.name, cls))
                    return

    # --- the walk ------------------------------------------------------------------------

    def _reportable(self, target: ast.expr) -> bool:
        """Can `_assigned` report an instance assigned to this target here?"""
        if isinstance(target, ast.Name):
            return self.function_depth == 0 or target.id in self.globals_stack[-1]
        return isinstance(target, ast.Attribute) and (
            (isinstance(target.value, ast.Name) and target.value.id == "cls")
            or target.attr.startswith("_instance")
        )

    def walk(self, body: list[ast.stmt]) -> None:
        for statement in body:
            kind = type(statement)
            if kind is ast.Assign:
                # The value is resolved only for a target that can hold a reported instance.
                targets = [t for t in statement.targets if self._reportable(t)]
                cls = self._instance_class(statement.value) if targets else None
                if cls is not None:
                    for target in targets:
                        self._assigned(target, cls)
            elif kind is ast.AnnAssign:
                if self._reportable(statement.target):
                    cls = self._instance_class(statement.value)
                    if cls is not None:
                        self._assigned(statement.target, cls)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self._cached_getter(statement)
                self._cached_new(statement)
                self.function_depth += 1
                self.globals_stack.append(set())
                self.walk(statement.body)
                self.function_depth -= 1
                self.globals_stack.pop()
            elif kind is ast.ClassDef:
                self.class_depth += 1
                self.class_names.append(statement.name)
                self.walk(statement.body)
                self.class_depth -= 1
                self.class_names.pop()
            elif kind is ast.Global:
                if self.globals_stack:
                    self.globals_stack[-1].update(statement.names)
            else:
                for sub in _sub_bodies(statement):
                    self.walk(sub)

    # --- module instances ----------------------------------------------------------------

    def module_instances(self) -> None:
        body = self.file.tree.body
        for index, statement in enumerate(body):
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            else:
                continue
            if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
                continue
            if self.class_name(value) is None:
                continue
            if not _alone(self.layout, body, index):
                continue
            getter, problem = self._getter_for(target.id, value)
            self.instances[target.id] = _Shape(target.id, value, index, getter, problem)

    def _getter_for(
        self, name: str, call: ast.Call
    ) -> tuple[tuple[ast.AST, ast.Return] | None, str | None]:
        scopes = self.file.scopes
        assignments = scopes.module.assignments.get(name, [])
        if len(assignments) != 1:
            return None, say.assigned_twice(name)
        if self.annotations is None:
            self.annotations = _annotation_strings(self.file)
        if _named_in(self.annotations, name):  # a forward reference to it would break
            return None, say.used_outside_getter(name)
        references = _references(scopes.scopes, assignments[0])
        if not references:
            if not name.startswith("_"):
                return None, say.PUBLIC_UNUSED
            return None, say.unused(name)
        if len(references) != 1:
            return None, say.used_outside_getter(name)
        getter = _returning_function(self.file, self.layout, references[0].node)
        if getter is None:
            return None, say.used_outside_getter(name)
        values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
        values += [keyword.value for keyword in call.keywords]
        if not all(_is_pure(self.file, value) for value in values):
            return None, say.IMPURE_ARGUMENTS
        return getter, None


def _aliases(text: str, short_names: frozenset[str]) -> frozenset[str]:
    """Names a rule's class may be imported as (`Cls as C`; a superset: any such text)."""
    found: set[str] = set()
    for name in short_names:
        if name and name in text:
            pattern = rf"{re.escape(name)}[\s\\]+as[\s\\]+(\w+)"
            # The search without `\b` first: a literal start is found a hundred times faster.
            if re.search(pattern, text):
                found.update(re.findall(rf"\b{pattern}", text))
    return frozenset(found)


def _has_parameters(args: ast.arguments) -> bool:
    return bool(args.posonlyargs or args.args or args.kwonlyargs or args.vararg or args.kwarg)


def _references(scopes, assignment: Assignment) -> list[Access]:
    """LibCST's `assignment.references`: accesses recorded to it by `infer_accesses`."""
    name = assignment.name
    found: list[Access] = []
    seen: set[int] = set()

    def record(target: Assignment, accesses: list[Access]) -> None:
        earlier = []
        for access in accesses:
            if access.scope is not target.scope or target.index < access.index:
                if target is assignment and id(access) not in seen:
                    seen.add(id(access))
                    found.append(access)
            else:
                earlier.append(access)
        if earlier and target.scope.parent is not None:
            for shadowed in target.scope.parent.resolve(target.name) or ():
                record(shadowed, earlier)

    for scope in scopes:
        accesses = [access for access in scope.accesses if access.name == name]
        if accesses:
            for target in scope.resolve(name) or ():
                record(target, accesses)
    return found


_ANNOTATING_CALLS = frozenset({"cast", "TypeVar", "NewType"})


def _annotation_strings(file: AstFile) -> list[str]:
    """The string literals that type checkers (and `typing.get_type_hints`) read as code:
    inside annotations, and the arguments of `cast`, `TypeVar` and `NewType`."""
    roots: list[ast.AST] = []
    for node in ast.walk(file.tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, _FUNCTIONS) and node.returns is not None:
            roots.append(node.returns)
        elif isinstance(node, ast.Call):
            name = (dotted(node.func) or "").rpartition(".")[2]
            if name in _ANNOTATING_CALLS:
                roots.extend(node.args)
    return [
        inner.value
        for root in roots
        for inner in ast.walk(root)
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str)
    ]


def _named_in(strings: list[str], name: str) -> bool:
    """Does one of these strings name the instance (as a word, not an attribute)?"""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    return any(name in text and pattern.search(text) for text in strings)


def _alone(layout: Layout, body: list[ast.stmt], index: int) -> bool:
    """Is the statement the only one of its logical line (LibCST: a one-statement
    SimpleStatementLine)?"""
    if index > 0 and layout.same_logical_line(body[index - 1], body[index]):
        return False
    following = index + 1 < len(body)
    return not (following and layout.same_logical_line(body[index], body[index + 1]))


def _implicitly_concatenated(file: AstFile, node: ast.expr) -> bool:
    """Is this string literal several literals side by side (`"a" "b"`)?"""
    segment = file.segment(node)
    tokens = tokenize.generate_tokens(io.StringIO(segment).readline)
    return sum(token.type in _STRING_STARTS for token in tokens) > 1


def _is_docstring(file: AstFile, statement: ast.stmt) -> bool:
    """`codemods.core.syntax.is_docstring` for a statement alone on its line."""
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    if isinstance(value, ast.JoinedStr):  # a FormattedString, or a ConcatenatedString
        return _implicitly_concatenated(file, value)
    return isinstance(value, ast.Constant) and isinstance(value.value, str | bytes)


def _returning_function(
    file: AstFile, layout: Layout, node: ast.AST
) -> tuple[ast.AST, ast.Return] | None:
    """The top-level, undecorated, zero-argument function whose whole body (docstrings
    aside) is `return name` on a line of its own, and that return statement."""
    ret = file.parent(node)
    if not isinstance(ret, ast.Return):
        return None
    function = file.parent(ret)
    if not isinstance(function, _FUNCTIONS) or ret not in function.body:
        return None
    if function not in file.tree.body:
        return None
    if function.decorator_list or _has_parameters(function.args):
        return None
    body = function.body
    if not layout.starts_new_line(function, body[0]):
        return None  # `def f(): ...`: a SimpleStatementSuite, not an IndentedBlock
    for index in range(len(body) - 1):
        if layout.same_logical_line(body[index], body[index + 1]):
            return None
    if any(statement is not ret and not _is_docstring(file, statement) for statement in body):
        return None
    return function, ret


def _is_pure(file: AstFile, node: ast.expr) -> bool:
    """`codemods.core.syntax.is_pure` over ast nodes."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_pure(file, node.value)
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, bool | int | float):
            return True
        if isinstance(value, str):
            return not _implicitly_concatenated(file, node)
        return False  # bytes, complex, Ellipsis
    if isinstance(node, ast.UnaryOp):
        return _is_pure(file, node.operand)
    if isinstance(node, ast.BoolOp):
        return all(_is_pure(file, value) for value in node.values)
    if isinstance(node, ast.Compare):
        return _is_pure(file, node.left) and all(_is_pure(file, c) for c in node.comparators)
    return False


def analyze(file: AstFile, rules: RuleSet) -> Analysis:
    return decide(file, rules)[0]


def decide(file: AstFile, rules: RuleSet) -> tuple[Analysis, list[Edit]]:
    """The analysis, and the edits of every fix it decided.

    A fixed private global's finding carries its edits: nothing of it is left afterwards. A
    public global's getter is fixed too, but its finding stays (reworded: the global is left
    for its importers), so its edits are not on the finding: the transform applies them and
    reports what the analysis of the new text leaves for review.
    """
    if not rules.singletons:
        return Analysis(), []
    analyzer = _Analyzer(file, rules)
    text = file.text
    needles = analyzer.class_short_names | set(analyzer.suffixes)
    if not any(needle and needle in text for needle in needles):
        return Analysis(), []  # no class name, suffix or candidate class: nothing can match
    analyzer.module_instances()
    analyzer.walk(file.tree.body)
    return analyzer.analysis, analyzer.edits
