"""After a flag is folded away: delete its definitions, then what became unused."""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst

from codemods.core.annotation_reads import CannotTell
from codemods.core.syntax import literal_value
from codemods.core.tree import AstFile, Unsupported
from codemods.core.values import FileContext
from codemods.flags.remover import BindingRemover, bound_name
from codemods.flags.used_names import referenced_names


def referenced_globals(code: str, context: FileContext) -> set[str] | None:
    """Module-level names something in the module refers to (including `__all__`), from the
    stdlib `ast` scope model (`used_names`); None where the model cannot tell (a match pattern
    naming a module-level name, type parameters, an identifier NFKC changes, a string
    annotation it cannot read, code this Python's `ast` does not read): the caller then removes
    nothing it would have judged unused."""
    try:
        file = AstFile(code, context)
    except (SyntaxError, ValueError):
        return None
    try:
        return referenced_names(file)
    except (Unsupported, CannotTell):
        return None
    finally:
        file.release()


def _drop_from_dunder_all(module: cst.Module, names: set[str]) -> cst.Module:
    """Remove deleted names from a module-level `__all__` list or tuple."""

    class _DunderAll(cst.CSTTransformer):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
            named_all = any(
                isinstance(t.target, cst.Name) and t.target.value == "__all__"
                for t in updated_node.targets
            )
            value = updated_node.value
            if not named_all or not isinstance(value, cst.List | cst.Tuple):
                return updated_node
            kept = [
                e
                for e in value.elements
                if literal_value(e.value) not in {(True, n) for n in names}
            ]
            if len(kept) == len(value.elements):
                return updated_node
            if kept and len(value.elements) > 1 and kept[-1] is not value.elements[-1]:
                kept[-1] = kept[-1].with_changes(comma=value.elements[-1].comma)
            return updated_node.with_changes(value=value.with_changes(elements=kept))

    return module.visit(_DunderAll())


class _TryBindings(cst.CSTVisitor):
    """Names bound by imports and fallback assignments inside the given `try` statements."""

    def __init__(self, flags: Collection[str]) -> None:
        self.flags = set(flags)
        self.names: set[str] = set()
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Try(self, node: cst.Try) -> None:
        blocks = [node.body, *(h.body for h in node.handlers)]
        statements = [s for block in blocks for s in getattr(block, "body", ())]
        small = [
            s for line in statements if isinstance(line, cst.SimpleStatementLine) for s in line.body
        ]
        if not any(_assigns_flag(s, self.flags) for s in small):
            return
        for statement in small:
            if isinstance(statement, cst.Import | cst.ImportFrom) and not isinstance(
                statement.names, cst.ImportStar
            ):
                self.names.update(bound_name(a) for a in statement.names)
            elif isinstance(statement, cst.Assign) and len(statement.targets) == 1:
                target = statement.targets[0].target
                if isinstance(target, cst.Name) and literal_value(statement.value)[0]:
                    self.names.add(target.value)
        self.names -= self.flags


def _assigns_flag(statement: cst.BaseSmallStatement, flags: set[str]) -> bool:
    if isinstance(statement, cst.Assign):
        return any(
            isinstance(t.target, cst.Name) and t.target.value in flags for t in statement.targets
        )
    if isinstance(statement, cst.AnnAssign):
        return isinstance(statement.target, cst.Name) and statement.target.value in flags
    return False


def remove_flag_definitions(
    module: cst.Module, flags: Collection[str]
) -> tuple[cst.Module, set[str]]:
    """Delete literal assignments and imports of flags nothing reads any more.

    Returns the new module and the other names the flags' `try` blocks bound (candidates for
    deletion once unused).
    """
    collector = _TryBindings(flags)
    module.visit(collector)
    remover = BindingRemover(
        imports=flags, assignments=flags, literal_only=True, imports_anywhere=True
    )
    return _drop_from_dunder_all(module.visit(remover), set(flags)), collector.names


def remove_unused(
    module: cst.Module,
    context: FileContext,
    used_before: set[str],
    try_bound: set[str],
    keep: Collection[str] = (),
) -> tuple[cst.Module, set[str], set[str] | None]:
    """Delete module-level imports, private helpers and fallbacks that became unused, except the
    names in `keep` (other modules import them from this one).

    Returns the new module, the public functions that became unused (left for review), and
    the new module's `referenced_globals` (None: the model cannot tell).
    """
    public_unused: set[str] = set()
    for _ in range(5):
        used = referenced_globals(module.code, context)
        if used is None:
            return module, public_unused, None  # the model cannot tell: nothing more goes
        newly = (used_before | try_bound) - used - set(keep)
        bindings = _module_bindings(module)
        imports = {n for n in newly if "import" in bindings.get(n, ())}
        functions = {n for n in newly - try_bound if bindings.get(n) == {"function"}}
        assignments = {
            n
            for n in newly
            if "assign" in bindings.get(n, ()) and (n in try_bound or n.startswith("_"))
        }
        public_unused |= {n for n in functions if not n.startswith("_")}
        functions = {n for n in functions if n.startswith("_")}
        if not (imports or functions or assignments):
            return module, public_unused, used
        remover = BindingRemover(imports=imports, assignments=assignments, functions=functions)
        changed = module.visit(remover)
        if changed.deep_equals(module):
            return module, public_unused, used
        module = changed
    return module, public_unused, referenced_globals(module.code, context)


def _module_bindings(module: cst.Module) -> dict[str, set[str]]:
    """Module-level names and how they are bound: "import", "function", "class", "assign"."""
    kinds: dict[str, set[str]] = {}

    class _Bindings(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            kinds.setdefault(node.name.value, set()).add("function")
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            kinds.setdefault(node.name.value, set()).add("class")
            return False

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            kinds.setdefault(bound_name(node), set()).add("import")

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    kinds.setdefault(target.target.value, set()).add("assign")

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name):
                kinds.setdefault(node.target.value, set()).add("other")

    module.visit(_Bindings())
    return kinds
