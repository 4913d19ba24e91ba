"""The rules of the house, read from the imports of the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODEMODS = ROOT / "codemods"
SHARED = {"core"}  # the subpackages every codemod may import


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports (absolute names; `from x import y` also gives x.y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def subpackage(module: str) -> str | None:
    """`x` for a module `codemods.x[...]`, else None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "codemods" and len(parts) > 1 else None


def codemod_packages() -> list[str]:
    return sorted(
        p.name for p in CODEMODS.iterdir() if (p / "__init__.py").exists() and p.name not in SHARED
    )


def sources(package: Path) -> list[Path]:
    return [p for p in sorted(package.rglob("*.py")) if "fixtures" not in p.parts]


def test_the_five_codemods_are_packages_beside_the_shared_core() -> None:
    assert codemod_packages() == ["constructors", "flags", "imports", "singletons", "validators"]
    top = sorted(p.name for p in CODEMODS.glob("*.py"))
    assert top == ["__init__.py", "registry.py"]


def test_no_codemod_package_imports_another() -> None:
    packages = codemod_packages()
    crossings = []
    for package in packages:
        others = [other for other in packages if other != package]
        for source in sources(CODEMODS / package):
            for module in imported_modules(source):
                if subpackage(module) in others:
                    crossings.append(f"{source.relative_to(ROOT)} imports {module}")
    assert crossings == []


def test_the_shared_core_imports_no_codemod_package() -> None:
    packages = set(codemod_packages())
    crossings = [
        f"{source.relative_to(ROOT)} imports {module}"
        for source in sources(CODEMODS / "core")
        for module in imported_modules(source)
        if subpackage(module) in packages
    ]
    assert crossings == []


def test_codemods_never_import_migrator() -> None:
    crossings = [
        f"{source.relative_to(ROOT)} imports {module}"
        for source in sources(CODEMODS)
        for module in imported_modules(source)
        if module.split(".")[0] == "migrator"
    ]
    assert crossings == []
