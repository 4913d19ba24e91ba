"""Deprecation shims: old modules that keep old imports working and warn where they are used.

A shim sits at an old module's path and forwards each moved name to its canonical location
through a module `__getattr__` (PEP 562). The first access to each name emits a
`DeprecationWarning` naming the canonical import, attributed to the caller's line.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

from codemods.core.paths import PathMap
from codemods.core.rules import RuleSet

SHIM_MARKER = "# migrator: deprecation shim"
GENERATED = "@" + "generated"  # the runner skips generated files, so shims are never rewritten

TEMPLATE = '''\
"""Deprecated: `{module}` moved. Import from the canonical modules."""

{marker} ({generated} by `migrator shims`).
# Delete it once nothing imports this module.
from __future__ import annotations

import importlib
import warnings

# Old name -> (canonical module, canonical name).
_MOVED: dict[str, tuple[str, str]] = {{
{moved}}}
# Every other public name is forwarded to this module (a whole-module move), or None.
_FORWARD: str | None = {forward}
_warned: set[str] = set()


def __getattr__(name: str) -> object:
    target = _MOVED.get(name)
    if target is None and _FORWARD is not None and not name.startswith("__"):
        target = (_FORWARD, name)
    if target is None:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
    module, attribute = target
    value = getattr(importlib.import_module(module), attribute)
    if name not in _warned:
        _warned.add(name)
        warnings.warn(
            f"`{{__name__}}.{{name}}` is deprecated: use `from {{module}} import {{attribute}}`",
            DeprecationWarning,
            stacklevel=2,
        )
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MOVED))
'''


@dataclass(frozen=True)
class Shim:
    """One shim to write (or why it is not written)."""

    path: str
    module: str
    text: str
    status: str  # "new", "update", "same", or "skip"
    reason: str = ""
    original: bytes = b""


def moved_names(rules: RuleSet) -> dict[str, tuple[dict[str, tuple[str, str]], str | None]]:
    """Old module -> (old name -> canonical (module, name), module every other name moved to)."""
    paths = PathMap(rules)
    shims: dict[str, tuple[dict[str, tuple[str, str]], str | None]] = {}
    for module in sorted(paths.old_modules):
        names: dict[str, tuple[str, str]] = {}
        forward = None
        for rule in rules.renames:
            if rule.is_module and rule.old == module:
                forward = rule.new
            elif not rule.is_module and rule.old.rpartition(".")[0] == module:
                new_module, _, new_name = rule.new.rpartition(".")
                names[rule.old.rpartition(".")[2]] = (new_module, new_name)
        shims[module] = (names, forward)
    return shims


def render(module: str, names: dict[str, tuple[str, str]], forward: str | None) -> str:
    moved = "".join(
        f"    {json.dumps(old)}: (\n"
        f"        {json.dumps(new_module)},\n"
        f"        {json.dumps(new_name)},\n"
        "    ),\n"
        for old, (new_module, new_name) in sorted(names.items())
    )
    return TEMPLATE.format(
        module=module,
        marker=SHIM_MARKER,
        generated=GENERATED,
        moved=moved,
        forward=json.dumps(forward) if forward else "None",
    )


def location(root: Path, module: str) -> str:
    """The old module's file: its package `__init__.py` if that exists, else `a/b/c.py`."""
    base = module.replace(".", "/")
    if (root / base / "__init__.py").is_file():
        return f"{base}/__init__.py"
    return f"{base}.py"


def plan(root: Path, rules: RuleSet, *, force: bool = False) -> list[Shim]:
    """Every shim the rules call for, compared with what is on disk."""
    shims = []
    for module, (names, forward) in moved_names(rules).items():
        path = location(root, module)
        text = render(module, names, forward)
        target = root / path
        if not target.is_file():
            shims.append(Shim(path, module, text, "new"))
            continue
        original = target.read_bytes()
        if original == text.encode("utf-8"):
            shims.append(Shim(path, module, text, "same", original=original))
        elif SHIM_MARKER.encode() in original or force:
            lost = [] if forward else sorted(exported(original) - set(names))
            if lost:
                reason = f"it defines {', '.join(lost)}, which no rule moves"
                shims.append(Shim(path, module, text, "skip", reason, original))
            else:
                shims.append(Shim(path, module, text, "update", original=original))
        else:
            reason = "a hand-written module is there (use --force to replace it)"
            shims.append(Shim(path, module, text, "skip", reason, original))
    return shims


def exported(source: bytes) -> set[str]:
    """The public names a module exports: `__all__` if it lists them, else its definitions."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    try:
                        return set(ast.literal_eval(node.value))
                    except (ValueError, TypeError, SyntaxError):
                        pass
                elif isinstance(target, ast.Name):
                    defined.add(target.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
    return {name for name in defined if not name.startswith("_")}
