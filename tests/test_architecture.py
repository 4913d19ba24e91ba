"""The rules of the house, read from the imports of the source itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

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


# ---- migrator/ -------------------------------------------------------------------------------
MIGRATOR = ROOT / "migrator"
GIT_MODULE = "migrator.git"
# What each folder of migrator/ may import from migrator/, besides itself: the pipeline runs
# engine -> batch -> report, and cli.py/output.py on top may import anything.
SHARED_MIGRATOR = {"migrator", "migrator.spec", "migrator.git", "migrator.progress"}
LAYERS = {"engine": set(), "batch": {"engine"}, "report": {"engine", "batch"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources() -> dict[str, Path]:
    """Module name -> source, for every module of codemods/ and migrator/."""
    return {module_name(p): p for p in [*sources(CODEMODS), *sorted(MIGRATOR.rglob("*.py"))]}


def migrator_graph() -> dict[str, set[str]]:
    """Module -> the migrator modules it imports (at any level, TYPE_CHECKING included)."""
    modules = {m for m in package_sources() if m.split(".")[0] == "migrator"}
    return {
        module: {m for m in imported_modules(package_sources()[module]) if m in modules} - {module}
        for module in modules
    }


def test_migrator_modules_import_no_cycle() -> None:
    from graphlib import CycleError, TopologicalSorter

    try:
        list(TopologicalSorter(migrator_graph()).static_order())
    except CycleError as error:
        pytest.fail("import cycle: " + " -> ".join(error.args[1]))


def test_the_cycle_check_sees_a_cycle() -> None:
    from graphlib import CycleError, TopologicalSorter

    graph = migrator_graph()
    graph["migrator.engine.runner"].add("migrator.engine.cache")  # the cycle issue 14 removed
    with pytest.raises(CycleError):
        list(TopologicalSorter(graph).static_order())


def test_each_migrator_folder_imports_only_the_folders_before_it() -> None:
    crossings = []
    for module, imports in migrator_graph().items():
        folder = module.split(".")[1] if module.count(".") >= 1 else ""
        if folder not in LAYERS:
            continue
        allowed = {folder, *LAYERS[folder]}
        for imported in sorted(imports - SHARED_MIGRATOR):
            if imported.split(".")[1] not in allowed:
                crossings.append(f"{module} imports {imported}")
    assert crossings == []


def imports_of(top_level: str) -> list[str]:
    """The modules of codemods/ and migrator/ that import the package `top_level`."""
    return sorted(
        module
        for module, path in package_sources().items()
        if any(m.split(".")[0] == top_level for m in imported_modules(path))
    )


def runs_git(path: Path) -> bool:
    """A list or tuple literal starting with "git": an argv for the git executable."""
    return any(
        isinstance(node, ast.List | ast.Tuple)
        and node.elts
        and isinstance(node.elts[0], ast.Constant)
        and node.elts[0].value == "git"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )


def test_only_cli_knows_typer() -> None:
    assert imports_of("typer") == ["migrator.cli"]


def test_only_the_git_module_knows_gitpython_or_runs_git() -> None:
    assert imports_of("git") == [GIT_MODULE]
    assert [m for m, path in package_sources().items() if runs_git(path)] == [GIT_MODULE]
    # subprocess otherwise only runs the spec's gate commands
    assert imports_of("subprocess") == ["migrator.batch.gates", GIT_MODULE]


def test_a_scan_imports_neither_gitpython_nor_the_batch_machinery() -> None:
    probe = (
        "import sys, migrator.cli, migrator.engine.changes, migrator.engine.scan\n"
        "print(sorted(m for m in sys.modules if m == 'git' or m.startswith('migrator.batch')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_production_code_reads_no_test_switch() -> None:
    """Tests get their timing control by patching (tests/batchkit.py), not from the environment."""
    switches = [
        f"{module}: {node.value}"
        for module, path in package_sources().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("MIGRATOR_")
    ]
    assert switches == []
