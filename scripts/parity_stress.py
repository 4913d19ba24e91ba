"""Compare the fast analyzers with LibCST on any directory of real code, under made-up rules.

    python scripts/parity_stress.py DIRECTORY [MAX_FILES] [MAX_SECONDS]

The rules name things real code uses (os.path, OrderedDict, threading.Thread, json.loads,
DEBUG and TYPE_CHECKING, module-level locks and managers), so every analyzer has work. Prints,
per analyzer, how many files it compared, found something in, or left to LibCST, then the first
differences. Exit 1 if there is one.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codemods import CODEMODS, codemod_names  # noqa: E402
from codemods.core.base import ParsedFile  # noqa: E402
from codemods.core.rules import (  # noqa: E402
    ConstructorRule,
    FlagRule,
    RenameRule,
    RuleSet,
    SingletonRule,
    ValidatorRule,
)
from codemods.core.tree import AstFile, Unsupported  # noqa: E402
from codemods.core.values import FileContext  # noqa: E402
from codemods.registry import fast_analyzer  # noqa: E402
from tests.parity import normalized  # noqa: E402

RULES = RuleSet(
    renames=(
        RenameRule("os.path", "compat.path", "module"),
        RenameRule("typing.Optional", "compat.typing.Optional", "name"),
        RenameRule("collections.OrderedDict", "compat.collections.OrderedDict", "name"),
    ),
    constructors=(
        ConstructorRule(
            old="collections.OrderedDict",
            new="compat.collections.OrderedDict",
            params=("data",),
            args=(("mapping", "{data}"),),
        ),
        ConstructorRule(
            old="threading.Thread",
            new="compat.threading.Worker",
            params=("target", "args"),
            args=(("run", "{target}"), ("arguments", "{args}")),
        ),
    ),
    flags=(FlagRule("DEBUG", False), FlagRule("TYPE_CHECKING", False)),
    validators=(
        ValidatorRule(old=("json.loads", "pickle.loads"), new="compat.decode", params=("data",)),
    ),
    singletons=(
        SingletonRule(
            classes=("logging.Logger", "threading.Lock"),
            suffixes=("Factory", "Manager", "Registry"),
        ),
    ),
    project_packages=("compat",),
)


def compare(root: Path, path: Path, stats: Counter, differences: list) -> None:
    relative = path.relative_to(root).as_posix()
    context = FileContext.from_path(relative)
    try:
        source = path.read_bytes()
        parsed, fast = ParsedFile(source, context), AstFile(source, context)
    except Exception:  # noqa: BLE001 - a file either parser rejects is not compared
        stats["not parsed by both"] += 1
        return
    for name in codemod_names():
        if not hasattr(CODEMODS[name], "analyze"):
            continue  # decided by its `ast` analysis alone: nothing to compare with
        expected = normalized(CODEMODS[name].analyze(parsed, RULES))
        try:
            actual = normalized(fast_analyzer(name)(fast, RULES))
        except Unsupported:
            stats[f"{name}: left to LibCST"] += 1
            continue
        stats[f"{name}: compared"] += 1
        if any(expected):
            stats[f"{name}: found something"] += 1
        if actual != expected:
            stats[f"{name}: DIFFERENT"] += 1
            differences.append((relative, name, expected, actual))


def main() -> int:
    root = Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    budget = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    files = sorted(root.rglob("*.py"))
    random.Random(1).shuffle(files)
    stats: Counter = Counter()
    differences: list = []
    deadline = time.monotonic() + budget
    for path in files[:limit]:
        compare(root, path, stats, differences)
        if time.monotonic() > deadline:
            break
    for key, value in sorted(stats.items()):
        print(f"{key:32s} {value}")
    for relative, name, expected, actual in differences[:8]:
        print(f"--- {relative} ({name})\nlibcst: {expected}\nfast:   {actual}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
