"""Test helper: the modules and names a spec points at, as stubs, in a made-up repository.

`run` and `plan` refuse a spec whose paths the repository lacks; a test repository of a few
files gets the rest of the spec's world from here (files it already has are never touched).
"""

from __future__ import annotations

from pathlib import Path

from codemods.constructors.templates import template_names
from migrator.spec import Spec, default_spec_text, parse_spec


def spec_paths(spec: Spec) -> list[tuple[str, bool]]:
    """(dotted path, is a module) of everything the spec check looks for."""
    rules = spec.rules
    found = [(path, rule.is_module) for rule in rules.renames for path in (rule.old, rule.new)]
    for rule in rules.constructors:
        found += [(rule.old, False), (rule.new, False)]
        found += [(f"{module}.{name}", False) for name, module in template_names(rule)]
    for rule in rules.validators:
        found += [(path, False) for path in (*rule.old, rule.new)]
    return found


def stub_spec_modules(root: Path, spec: Spec | None = None) -> list[str]:
    """Create every module and name of `spec` (default: the built-in one) missing under `root`;
    return the files written."""
    spec = spec or parse_spec(default_spec_text(), "<default>")
    written: dict[Path, str] = {}
    for path, is_module in spec_paths(spec):
        module, name = (path, "") if is_module else path.rpartition(".")[::2]
        parts = module.split(".")
        for depth in range(1, len(parts)):
            package = root.joinpath(*parts[:depth], "__init__.py")
            if not package.exists() and package not in written:
                written[package] = ""
        file = root.joinpath(*parts[:-1], parts[-1] + ".py")
        if (root.joinpath(*parts, "__init__.py")).exists():
            file = root.joinpath(*parts, "__init__.py")
        if file.exists() and file not in written:
            continue
        text = written.setdefault(file, "")
        stub = f"class {name}:\n" if name[:1].isupper() else f"def {name}(*args, **kwargs):\n"
        if name and stub not in text:
            written[file] = text + stub + "    pass\n\n\n"
    for file, text in written.items():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text.rstrip("\n") + "\n" if text else "")
    return sorted(str(f.relative_to(root)) for f in written)
