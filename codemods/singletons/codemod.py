"""Instances of engine, factory and bridge classes held in module or class globals."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from codemods.core.base import (
    Analysis,
    Analyzer,
    Finding,
    ParsedFile,
    TransformResult,
    dotted_name,
)
from codemods.core.rules import RuleSet, SingletonRule
from codemods.singletons import messages as say
from codemods.singletons import needles as singletons_needles
from codemods.singletons.fix import InstanceGetter, InstanceGetterFix, module_instances

CACHE_DECORATORS = frozenset({"cache", "lru_cache"})


def _is_cache_attr(name: str) -> bool:
    return name.startswith("_instance") or name in {"_singleton", "_shared"}


class _Candidates:
    """Which classes are singleton candidates, and whether their rule allows the fix."""

    def __init__(self, parsed: ParsedFile, rules: RuleSet) -> None:
        self.parsed = parsed
        self.rules = rules.singletons
        self.classes = frozenset(c for rule in rules.singletons for c in rule.classes)
        self.suffixes = tuple(sorted({s for rule in rules.singletons for s in rule.suffixes}))

    def _rule(self, qualified: set[str], name: str) -> SingletonRule | None:
        for rule in self.rules:
            if qualified & set(rule.classes):
                return rule
        for rule in self.rules:
            if name[:1].isupper() and rule.suffixes and name.endswith(tuple(rule.suffixes)):
                return rule
        return None

    def rule_for(self, call: cst.BaseExpression) -> SingletonRule | None:
        if not isinstance(call, cst.Call):
            return None
        qualified = self.parsed.qualified_names(call.func)
        return self._rule(qualified, (dotted_name(call.func) or "").rpartition(".")[2])

    def suffix_only(self, call: cst.BaseExpression) -> str | None:
        """The suffix a candidate call's class matched by, when no rule's `classes` names it."""
        rule = self.rule_for(call)
        if rule is None or not isinstance(call, cst.Call):
            return None
        if self.parsed.qualified_names(call.func) & set(rule.classes):
            return None
        return say.matched_suffix((dotted_name(call.func) or "").rpartition(".")[2], rule.suffixes)

    def class_name(self, call: cst.BaseExpression) -> str | None:
        """The class a module-level call constructs, when it is a candidate."""
        if not isinstance(call, cst.Call) or self.rule_for(call) is None:
            return None
        qualified = self.parsed.qualified_names(call.func) & self.classes
        if qualified:
            return min(qualified).rpartition(".")[2]
        return (dotted_name(call.func) or "").rpartition(".")[2]


class _SingletonCollector(cst.CSTVisitor):
    def __init__(
        self, parsed: ParsedFile, rules: RuleSet, instances: dict[str, InstanceGetter]
    ) -> None:
        self.parsed = parsed
        self.candidates = _Candidates(parsed, rules)
        self.instances = instances
        self.classes = self.candidates.classes
        self.suffixes = self.candidates.suffixes
        self.analysis = Analysis()
        self.function_depth = 0
        self.class_depth = 0
        self.globals_stack: list[set[str]] = []
        self.class_names: list[str] = []
        self.class_short_names = frozenset(c.rpartition(".")[2] for c in self.classes)

    def _instance_class(self, node: cst.BaseExpression | None) -> str | None:
        """The class a call constructs, when it is a singleton candidate (`cls()` included)."""
        if not isinstance(node, cst.Call):
            return None
        if m.matches(node.func, m.Name("cls")) and self.class_names:
            return self.class_names[-1] if self._candidate_class(self.class_names[-1]) else None
        return self.candidates.class_name(node)

    def _candidate_class(self, cls: str) -> bool:
        return cls in self.class_short_names or bool(self.suffixes and cls.endswith(self.suffixes))

    def _report(self, node: cst.CSTNode, message: str, *, fix: bool = False) -> None:
        self.analysis.findings.append(
            self.parsed.finding(
                "singleton", node, message, fixable=False, manual_review=True, fix=fix
            )
        )

    def _module_instance(self, target: cst.Name, cls: str) -> None:
        shape = self.instances.get(target.value)
        rule = self.candidates.rule_for(shape.call) if shape else None
        known, problem, fix = (
            shape is not None,
            shape.problem if shape else None,
            bool(rule and rule.fix),
        )
        suffix = self.candidates.suffix_only(shape.call) if shape else None
        message, fixable = say.module_instance(
            target.value,
            cls,
            known=known,
            problem=problem,
            fix=fix,
            getter=shape.getter.name.value if shape and shape.getter else None,
            suffix=suffix,
        )
        if fixable:
            self.analysis.findings.append(self.parsed.finding("singleton", target, message))
        else:
            rewrites = say.rewritten(known=known, problem=problem, fix=fix, suffix=suffix)
            self._report(target, message, fix=rewrites)

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
                self._module_instance(target, cls)
            elif self.function_depth == 0:
                self._report(target, say.class_attribute(name, cls))
            elif self.globals_stack and name in self.globals_stack[-1]:
                self._report(target, say.global_cache(name, cls))
        elif isinstance(target, cst.Attribute) and (
            m.matches(target.value, m.Name("cls")) or target.attr.value.startswith("_instance")
        ):
            self._report(target, say.attribute_cache(str(dotted_name(target)), cls))

    def _cached_new(self, node: cst.FunctionDef) -> None:
        if node.name.value != "__new__" or not self.class_names:
            return
        cls = self.class_names[-1]
        if not self._candidate_class(cls):
            return
        cache = m.Attribute(value=m.Name("cls"), attr=m.Name(m.MatchIfTrue(_is_cache_attr)))
        if m.findall(node.body, m.Assign(targets=[m.AssignTarget(target=cache)])):
            self._report(node, say.cached_new(cls))

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
                    self._report(node, say.cached_getter(node.name.value, cls))
                    return


class SingletonsCodemod:
    """Finds singleton instances; fixes the module-instance-plus-getter shape where allowed."""

    name: ClassVar[str] = "singletons"

    def needles(self, rules: RuleSet) -> frozenset[bytes]:
        return singletons_needles(rules)

    def analyze(self, parsed: ParsedFile, rules: RuleSet) -> Analysis:
        return self.analyzer(parsed, rules).run(parsed)

    def analyzer(self, parsed: ParsedFile, rules: RuleSet) -> Analyzer:
        candidates = _Candidates(parsed, rules)
        collector = _SingletonCollector(
            parsed, rules, module_instances(parsed, candidates.class_name)
        )
        return Analyzer([collector], lambda: collector.analysis)

    def transform(self, parsed: ParsedFile, rules: RuleSet) -> TransformResult:
        if not rules.singletons:
            return TransformResult(parsed.code)
        candidates = _Candidates(parsed, rules)
        instances = module_instances(parsed, candidates.class_name)
        fixes = [
            shape
            for shape in instances.values()
            if shape.problem is None
            and (rule := candidates.rule_for(shape.call))
            and rule.fix
            and candidates.suffix_only(shape.call) is None
        ]
        remaining: list[Finding] = [
            f for f in self.analyze(parsed, rules).findings if f.manual_review
        ]
        if not fixes:
            return TransformResult(parsed.code, remaining)
        code = parsed.module.visit(InstanceGetterFix(fixes)).code
        # What is left for a human, at its place in the new code.
        after = ParsedFile(code, parsed.context)
        remaining = [f for f in self.analyze(after, rules).findings if f.manual_review]
        return TransformResult(code, remaining, len(fixes))
