"""The constructors codemod's one analysis, from one stdlib `ast` parse: it decides, for every
call of an old class, whether it is converted (and under which rule) or refused and why, and
reports calls of a new class that miss a dependency or pass a literal None.

The rewrite (`codemods.constructors.plan`) converts exactly the calls decided here, found by
`Decision.at`, and only generates the new code: the new class's name here, the imports to add
and remove, and the call's layout.

Inside an f-string, `ast` positions are not reliable before Python 3.12 (an expression's
position may be another occurrence of the same text): there a call is found by the outermost
string's start and its rank among the calls in that string, and, before 3.12, reported at the
string's start.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, replace

from codemods.constructors import messages as say
from codemods.constructors.edits import text_fixes
from codemods.constructors.imports_plan import Conversion, ImportsPlan, plan_imports
from codemods.constructors.templates import PLACEHOLDER, template_names
from codemods.core.paths import PathMap
from codemods.core.rules import ConstructorRule, RuleSet
from codemods.core.scopes import IMPORT, LOCAL, Scope
from codemods.core.text_checks import Source, may_call
from codemods.core.tree import AstFile, dotted
from codemods.core.values import Analysis, FileContext, Finding

RULE = "direct-instantiation"
DI_RULE = "di-violation"
SIDE_EFFECTS = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)
RELIABLE_FSTRING_POSITIONS = sys.version_info >= (3, 12)
# Where the rewrite finds a call: its (line, column, end line, end column), or inside an
# f-string (line, column of the outermost string, rank of the call among the string's calls in
# source order). The end tells `A(x).method()` from the `A(x)` that starts where it starts.
Key = tuple[int, ...]


@dataclass(frozen=True)
class Decision:
    """One call of an old class: converted under `rule` (reason None; `class_name`, the new
    class's name there, in a rewrite's decisions) or refused."""

    at: Key
    rule: ConstructorRule
    reason: str | None
    class_name: str | None = None
    parameters: tuple[str, ...] = ()  # of a conversion: what each argument binds, in order


def _short(path: str) -> str:
    return path.rpartition(".")[2]


@dataclass(frozen=True)
class _Rule:
    """A constructor rule with what the analysis reads of it precomputed."""

    rule: ConstructorRule
    accepted: frozenset[str]  # `ConstructorRule.accepted_names`
    uses: tuple[str, ...]  # `constructor_binding.placeholders`
    template_names: tuple[tuple[str, str], ...]  # `templates.template_names`
    required: tuple[str, ...]  # the new call's argument names

    @classmethod
    def of(cls, rule: ConstructorRule) -> _Rule:
        accepted = rule.accepted_names
        uses = tuple(name for _, t in rule.args for name in PLACEHOLDER.findall(t))
        names = tuple(template_names(rule))
        required = tuple(name for name, _ in rule.args)
        return cls(rule, accepted, uses, names, required)


def _is_none(node: ast.expr) -> bool:
    """`m.matches(node, m.Name("None"))`: only the `None` literal parses to Constant(None)."""
    return isinstance(node, ast.Constant) and node.value is None


def _arguments(call: ast.Call) -> list[ast.expr | ast.keyword]:
    """The call's arguments in source order (LibCST's `call.args`)."""
    if call.keywords and any(isinstance(arg, ast.Starred) for arg in call.args):
        # `f(a=1, *rest)`: a starred argument may follow keywords.
        return sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    return [*call.args, *call.keywords]


def parameters(call: ast.Call, params: tuple[str, ...]) -> tuple[str, ...] | str:
    """The parameter each argument of the call binds, in source order, as Python binds
    them; or why they do not bind."""
    bound: list[str] = []
    position = 0
    for arg in _arguments(call):
        if isinstance(arg, ast.Starred):
            return say.starred("*")
        if isinstance(arg, ast.keyword):
            if arg.arg is None:
                return say.starred("**")
            key = arg.arg
            if key not in params:
                return say.unknown_keyword(key)
        else:
            if position >= len(params):
                return say.TOO_MANY_POSITIONAL
            key = params[position]
            position += 1
        if key in bound:
            return say.given_twice(key)
        bound.append(key)
    return tuple(bound)


def bind_problem(call: ast.Call, spec: _Rule, bound: tuple[str, ...] | str) -> str | None:
    """Why the call's arguments cannot be bound to the old parameters as Python would, or
    cannot be used safely by the templates (None: they can); `bound`: `parameters`'s answer."""
    if isinstance(bound, str):
        return bound
    values = [arg.value if isinstance(arg, ast.keyword) else arg for arg in _arguments(call)]
    arguments = dict(zip(bound, values, strict=True))
    uses = spec.uses
    for name in dict.fromkeys(uses):
        if name not in arguments:
            return say.no_argument(name)
        value = arguments[name]
        if _is_none(value):
            return say.literal_none(name)
        if uses.count(name) > 1 and any(isinstance(n, SIDE_EFFECTS) for n in ast.walk(value)):
            return say.side_effects(name)
    return None


def di_problem(call: ast.Call, spec: _Rule) -> str | None:
    """Why a call of the new class breaks dependency injection, if it does."""
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return None
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    required = spec.required
    given: set[str] = set()
    # Without starred arguments every positional argument comes before every keyword.
    for index, arg in enumerate(call.args):
        if index < len(required):
            given.add(required[index])
        if _is_none(arg):
            return say.PASSES_NONE
    for keyword in call.keywords:
        given.add(keyword.arg)  # type: ignore[arg-type]
        if _is_none(keyword.value):
            return say.PASSES_NONE
    missing = [name for name in required if name not in given]
    if missing:
        return say.missing(missing)
    return None


class _Planner:
    """Why a call of an old class is refused (None: it is converted)."""

    def __init__(self, file: AstFile, rules: RuleSet) -> None:
        self.file = file
        self.paths = PathMap(rules)
        self.old_classes = {rule.old for rule in rules.constructors}
        self._visible_cache: dict[tuple[int, str], set[str] | None] = {}

    def reason(self, call: ast.Call, spec: _Rule, bound: tuple[str, ...] | str) -> str | None:
        problem = bind_problem(call, spec, bound)
        reason = self._ambiguity(call, spec) or problem
        if reason is not None:
            return reason
        scope = self.file.scope(call.func) or self.file.scopes.module
        return self._names(scope, spec)

    def _absolute(self, pairs: set[tuple[str, str]]) -> set[str]:
        """Qualified names as absolute dotted paths (relative imports resolved)."""
        context = self.file.context
        resolved: set[str] = set()
        for name, source in pairs:
            if source == IMPORT:
                resolved.add(context.resolve(name))
            elif source == LOCAL and context.module and "<locals>" not in name:
                resolved.add(f"{context.module}.{name}")
        return resolved

    def _ambiguity(self, call: ast.Call, spec: _Rule) -> str | None:
        """A name that may also be another imported class (a try/except import fallback)."""
        others = set()
        for name, source in self.file.scopes.qualified_names(call.func):
            if source == IMPORT:
                resolved = self.file.context.resolve(name)
                if resolved not in spec.accepted:
                    others.add(resolved)
        if not others:
            return None
        spelled = dotted(call.func) or "the callee"
        return say.ambiguous(spelled, min(others))

    def _visible(self, scope: Scope, name: str) -> set[str] | None:
        """Where `name` may come from in `scope` (old paths also as their canonical path: a
        moved name is the same object at its new path; an old constructor class is not)."""
        key = (id(scope), name)
        if key in self._visible_cache:
            return self._visible_cache[key]
        result = None
        if scope.contains(name):
            found = self._absolute(_names_for_string(scope, name))
            moved = (self.paths.rename(path) for path in found - self.old_classes)
            result = found | {renamed[1] for renamed in moved if renamed is not None}
        self._visible_cache[key] = result
        return result

    def _names(self, scope: Scope, spec: _Rule) -> str | None:
        """Why the names the new call spells cannot be used here: the new class's short name
        or a template's name already means something else."""
        short = _short(spec.rule.new)
        visible = self._visible(scope, short)
        if visible is not None and spec.rule.new not in visible:
            return say.taken(short)
        for name, source in spec.template_names:
            visible = self._visible(scope, name)
            if visible is not None and f"{source}.{name}" not in visible:
                return say.taken(name)
        return None


def _names_for_string(scope: Scope, name: str) -> set[tuple[str, str]]:
    """The qualified names a dotted `name` may have in `scope`."""
    results: set[tuple[str, str]] = set()
    for assignment in scope.longest_prefix(name) or ():  # None: a builtin, never absolute
        results |= assignment.qualified_names(name)
    return results


def _outer_string(file: AstFile, node: ast.AST) -> ast.JoinedStr | None:
    """The outermost f-string holding `node` (None: not in one)."""
    outer = None
    parent = file.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.JoinedStr):
            outer = parent
        parent = file.parent(parent)
    return outer


def _calls_in_order(node: ast.AST) -> list[ast.Call]:
    """The calls under `node` in source order, each before its arguments (pre-order)."""
    found: list[ast.Call] = []

    def visit(current: ast.AST) -> None:
        if isinstance(current, ast.Call):
            found.append(current)
        if isinstance(current, ast.IfExp):
            children: list[ast.AST] = [current.body, current.test, current.orelse]
        elif isinstance(current, ast.Dict):
            pairs = zip(current.keys, current.values, strict=True)
            children = [child for pair in pairs for child in pair if child is not None]
        elif isinstance(current, ast.Call):
            children = [current.func, *_arguments(current)]
        else:
            children = list(ast.iter_child_nodes(current))
        for child in children:
            visit(child.value if isinstance(child, ast.keyword) else child)

    visit(node)
    return found


class _Locator:
    """Where the rewrite finds a call, and where a finding about it is reported."""

    def __init__(self, file: AstFile) -> None:
        self.file = file
        self._ranks: dict[ast.JoinedStr, dict[ast.Call, int]] = {}

    def at(self, call: ast.Call) -> tuple[Key, ast.AST]:
        outer = _outer_string(self.file, call)
        if outer is None:
            return (*self.file.position(call), *self.file.end_position(call)), call
        ranks = self._ranks.get(outer)
        if ranks is None:
            ranks = self._ranks[outer] = {c: i for i, c in enumerate(_calls_in_order(outer))}
        line, column = self.file.position(outer)
        return (line, column, ranks[call]), call if RELIABLE_FSTRING_POSITIONS else outer


def _last(func: ast.expr) -> str | None:
    """The last component of `scopes.full_name(func)` (None: the callee has no names)."""
    while True:
        kind = type(func)
        if kind is ast.Name:
            return func.id  # type: ignore[attr-defined]
        if kind is ast.Attribute:
            return func.attr  # type: ignore[attr-defined]
        if kind is ast.Call:
            func = func.func  # type: ignore[attr-defined]
        elif kind is ast.Subscript:
            func = func.value  # type: ignore[attr-defined]
        else:
            return None


def _callee_names(rules: RuleSet) -> set[str]:
    """The last names a call of a rule's class (or of a classmethod of it) can end in."""
    wanted = set()
    for rule in rules.constructors:
        wanted |= {_short(rule.old), _short(rule.new), *rule.classmethods}
    return wanted


def declines(source: Source, context: FileContext, rules: RuleSet) -> bool:
    """The runner's check before a parse (`Descriptor.declines`): `names_no_class`."""
    return names_no_class(source.text, context.module, rules, source.plain)


def names_no_class(text: str, module: str, rules: RuleSet, plain: bool) -> bool:
    """Whether no call of this text (of dotted module name `module`; `plain`: its identifiers
    are written as read) can name a constructor rule's class: then the analysis finds nothing.
    """
    wanted = _callee_names(rules)
    if not any(name in text for name in wanted) and not any(name in module for name in wanted):
        return True
    # A call that can name a rule's class ends in one of these names, or in an import's `as`
    # name for one: without either spelled, no call can (and no scopes are built).
    return not may_call(text, wanted, plain)


def _candidates(file: AstFile, rules: RuleSet) -> list[ast.Call]:
    """Every call whose callee may resolve to an old or a new class, in walk order.

    A qualified name's last component is the last component of the callee's full name, or,
    for an import alias (`import a.B as C`), of the imported name: a callee spelled otherwise
    cannot name a constructor rule's class.
    """
    if names_no_class(file.text, file.context.module, rules, file.plain_identifiers):
        return []
    wanted = _callee_names(rules)
    # The scope walk visits nodes in LibCST's order. A file that names a rule's class almost
    # always constructs or imports it, and resolving that needs the scopes anyway: build them
    # now and iterate their node index rather than walk the tree twice.
    nodes = file.scopes.scope_of
    calls: list[tuple[ast.Call, str | None]] = []
    call, alias = ast.Call, ast.alias
    for node in nodes:
        kind = type(node)
        if kind is call:
            calls.append((node, _last(node.func)))  # type: ignore[attr-defined]
        elif kind is alias and node.asname is not None:  # type: ignore[attr-defined]
            wanted.add(node.asname)  # type: ignore[attr-defined]
    return [node for node, last in calls if last in wanted]


def decisions(file: AstFile, rules: RuleSet) -> dict[Key, Decision]:
    """Every call of an old class, by where the rewrite finds it: converted or refused."""
    return _analyze(file, rules, edits=None)[1]


def rewrite_decisions(file: AstFile, rules: RuleSet) -> tuple[dict[Key, Decision], ImportsPlan]:
    """`decisions`, each conversion with the new class's name there, and the imports its
    conversions need added and leave unused (`imports_plan`): all the rewrite writes."""
    _, decided, imports = _analyze(file, rules, edits="plan")
    assert imports is not None
    return decided, imports


def analyze(file: AstFile, rules: RuleSet, *, with_edits: bool = False) -> Analysis:
    """The findings; each conversion carries its edits when the file's fix can be written as
    text (`codemods.constructors.edits`), all of them or none. Parser-free unless
    `with_edits` (the transform's call), which also lets a call or an import statement whose
    layout the text writer leaves out be parsed alone with LibCST and rebuilt."""
    return _analyze(file, rules, edits="libcst" if with_edits else "text")[0]


def _left_elsewhere(converted, plan, violations) -> bool:
    """Would the runner, applying edits, report other findings than the transform does?
    It keeps every finding without a fix where it was, moved by whole lines: a dependency
    finding (the transform does not report those) or a refusal on a converted call's lines
    (its column moves) would differ, so such a file's fix stays with the transform."""
    if violations:
        return True
    lines = set()
    for conversion, _ in converted:
        node = conversion.node
        lines.update(range(node.lineno, node.end_lineno + 1))
    return any(not finding.fix and finding.line in lines for _, finding in plan)


def _analyze(
    file: AstFile, rules: RuleSet, edits: str | None
) -> tuple[Analysis, dict[Key, Decision], ImportsPlan | None]:
    """The analysis; `edits`: None (no fixes), "text" or "libcst" (the fixes as edits, see
    `analyze`) or "plan" (no fixes; the conversions' plan, see `rewrite_decisions`)."""
    decided: dict[Key, Decision] = {}
    nothing = ImportsPlan([], {}, {}) if edits == "plan" else None
    if not rules.constructors:
        return Analysis(), decided, nothing
    calls = _candidates(file, rules)
    if not calls:
        return Analysis(), decided, nothing
    specs = [_Rule.of(rule) for rule in rules.constructors]
    planner = _Planner(file, rules)
    locator = _Locator(file)
    plan: list[tuple[tuple[int, int], Finding]] = []
    violations: list[Finding] = []
    converted: list[tuple[Conversion, Finding]] = []
    for node in calls:
        names = file.qualified_names(node.func)
        if not names:
            continue
        spec = next((s for s in specs if names & s.accepted), None)
        if spec is not None:
            key, shown = locator.at(node)
            bound = parameters(node, spec.rule.params)
            reason = planner.reason(node, spec, bound)
            if reason is not None or isinstance(bound, str):  # one that does not bind: a reason
                bound = ()
            decided[key] = Decision(key, spec.rule, reason, parameters=bound)
            old = _short(spec.rule.old)
            if reason is None:
                message = say.conversion(old, _short(spec.rule.new))
                finding = file.finding(RULE, shown, message)
                converted.append((Conversion(node, spec.rule, bound), finding))
            else:
                message = say.refusal(old, reason)
                finding = file.finding(RULE, shown, message, fixable=False, manual_review=True)
            plan.append(((0 if reason is None else 1, len(plan)), finding))
        for spec in specs:
            if spec.rule.new not in names:
                continue
            problem = di_problem(node, spec)
            if problem is not None:
                shown = locator.at(node)[1]
                message = say.di_violation(_short(spec.rule.new), problem)
                violations.append(
                    file.finding(DI_RULE, shown, message, fixable=False, manual_review=True)
                )
    # Conversions, then refusals, each stably sorted by position.
    plan.sort(key=lambda item: item[0])
    findings = [finding for _, finding in plan]
    if edits == "text" and _left_elsewhere(converted, plan, violations):
        edits = None
    if edits == "plan":
        imports = plan_imports(file, planner._visible, [c for c, _ in converted])
        for conversion in imports.conversions:
            key = locator.at(conversion.node)[0]
            decided[key] = replace(decided[key], class_name=conversion.class_name)
        return Analysis(findings + violations), decided, imports
    if converted and edits is not None:
        conversions = [conversion for conversion, _ in converted]
        fixes = text_fixes(file, planner._visible, conversions, edits == "libcst")
        if fixes is not None:
            by_finding = {id(f): e for (_, f), e in zip(converted, fixes, strict=True)}
            findings = [replace(f, edits=by_finding.get(id(f), ())) for f in findings]
    findings.sort(key=lambda f: (f.line, f.column))
    return Analysis(findings + violations), decided, None
