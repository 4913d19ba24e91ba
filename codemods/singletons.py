"""Instances of engine, factory and bridge classes held in module or class globals."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.base import Analysis, ParsedFile, TransformResult, dotted_name, last_components
from codemods.rules import RuleSet

CACHE_DECORATORS = frozenset({"cache", "lru_cache"})


def _is_cache_attr(name: str) -> bool:
    return name.startswith("_instance") or name in {"_singleton", "_shared"}


class _SingletonCollector(cst.CSTVisitor):
    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.classes = frozenset(c for rule in rules.singletons for c in rule.classes)
        suffixes = {s for rule in rules.singletons for s in rule.suffixes}
        self.suffixes = tuple(sorted(suffixes))
        self.analysis = Analysis()
        self.function_depth = 0
        self.class_depth = 0
        self.globals_stack: list[set[str]] = []
        self.class_names: list[str] = []
        self.class_short_names = frozenset(c.rpartition(".")[2] for c in self.classes)

    def _instance_class(self, node: cst.BaseExpression | None) -> str | None:
        """The class a call constructs, when it is a singleton candidate."""
        if not isinstance(node, cst.Call):
            return None
        qualified = self.parsed.qualified_names(node.func) & self.classes
        if qualified:
            return min(qualified).rpartition(".")[2]
        name = (dotted_name(node.func) or "").rpartition(".")[2]
        if name[:1].isupper() and self.suffixes and name.endswith(self.suffixes):
            return name
        return None

    def _report(self, node: cst.CSTNode, message: str) -> None:
        self.analysis.findings.append(
            self.parsed.finding("singleton", node, message, fixable=False, manual_review=True)
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._cached_getter(node)
        self._cached_new(node)
        self.function_depth += 1
        self.globals_stack.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function_depth -= 1
        self.globals_stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_depth += 1
        self.class_names.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_depth -= 1
        self.class_names.pop()

    def visit_Global(self, node: cst.Global) -> None:
        if self.globals_stack:
            self.globals_stack[-1].update(item.name.value for item in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        cls = self._instance_class(node.value)
        if cls is None:
            return
        for target in node.targets:
            self._assigned(target.target, cls)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        cls = self._instance_class(node.value)
        if cls is not None:
            self._assigned(node.target, cls)

    def _assigned(self, target: cst.BaseExpression, cls: str) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if self.function_depth == 0 and self.class_depth == 0:
                self._report(target, f"module global `{name}` holds a shared `{cls}` instance")
            elif self.function_depth == 0:
                self._report(target, f"class attribute `{name}` holds a shared `{cls}` instance")
            elif self.globals_stack and name in self.globals_stack[-1]:
                message = f"`global {name}` caches a shared `{cls}` instance"
                self._report(target, message)
        elif isinstance(target, cst.Attribute) and (
            m.matches(target.value, m.Name("cls")) or target.attr.value.startswith("_instance")
        ):
            message = f"`{dotted_name(target)}` caches a shared `{cls}` instance"
            self._report(target, message)

    def _cached_new(self, node: cst.FunctionDef) -> None:
        if node.name.value != "__new__" or not self.class_names:
            return
        cls = self.class_names[-1]
        if cls not in self.class_short_names and not (
            self.suffixes and cls.endswith(self.suffixes)
        ):
            return
        cache = m.Attribute(value=m.Name("cls"), attr=m.Name(m.MatchIfTrue(_is_cache_attr)))
        if m.findall(node.body, m.Assign(targets=[m.AssignTarget(target=cache)])):
            self._report(node, f"`{cls}.__new__` returns one cached instance")

    def _cached_getter(self, node: cst.FunctionDef) -> None:
        params = node.params
        if params.params or params.posonly_params or params.kwonly_params:
            return
        if not isinstance(params.star_arg, cst.MaybeSentinel) or params.star_kwarg:
            return
        for decorator in node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                expr = expr.func
            if (dotted_name(expr) or "").rpartition(".")[2] not in CACHE_DECORATORS:
                continue
            returns = m.findall(node.body, m.Return(value=m.Call()))
            for ret in returns:
                cls = self._instance_class(ret.value)
                if cls is not None:
                    message = f"cached getter `{node.name.value}()` returns one shared `{cls}`"
                    self._report(node, message)
                    return


class SingletonsCodemod:
    """Finds singleton instances; fixes the module-instance-plus-getter shape where allowed."""

    name: ClassVar[str] = "singletons"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        if not rules.singletons:
            return frozenset()
        suffixes = {s.encode() for rule in rules.singletons for s in rule.suffixes}
        return last_components(c for rule in rules.singletons for c in rule.classes) | suffixes

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        collector = _SingletonCollector(parsed, rules)
        parsed.wrapper.visit(collector)
        return collector.analysis

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        return TransformResult(parsed.code)
