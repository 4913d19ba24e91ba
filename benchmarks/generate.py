"""Generate a deterministic synthetic backend laid out like `netra_backend/app/...`.

Most files are ordinary application code that never mentions the engines (dataclasses, async
services, `match` statements, f-strings, decorators, comprehensions); a chosen fraction uses the
engines in the import and construction forms of a real backend of this kind (plain, aliased,
parenthesised and function-level imports, try/except ImportError fallbacks, TYPE_CHECKING,
`import a.b.c as m`, relative imports, `__all__` and compatibility aliases, `patch("...")`
strings, positional and keyword construction, `_init_from_factory`, singletons, bypass flags,
token validators, commented-out imports and look-alikes). Sizes follow a log-normal spread
(about 7 KB on average, a few files over 100 KB), most files lack a final newline, and a few
use Python 3.12 f-string syntax that 3.11 cannot parse.

    python benchmarks/generate.py OUT --files 10000 --affected 0.05 [--seed 7] [--git]
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
from pathlib import Path

APP = "netra_backend.app"
OLD = f"{APP}.agents.supervisor.execution_engine"
CANON = f"{APP}.agents.supervisor.user_execution_engine"
CONSOLIDATED = f"{APP}.agents.execution_engine_consolidated"
FACTORY = f"{APP}.agents.supervisor.execution_engine_factory"
CONTEXT = f"{APP}.services.user_execution_context"
AUTH = f"{APP}.auth_integration.auth"
LEGACY_AUTH = f"{APP}.services.user_auth_service"
RENAME_OLD = f"{OLD}.ExecutionEngine"
RENAME_NEW = f"{CANON}.UserExecutionEngine"

PACKAGES = [
    "api",
    "services",
    "models",
    "routes",
    "core",
    "db",
    "schemas",
    "utils",
    "workers",
    "agents",
    "integrations",
    "monitoring",
]
WORDS = (
    "account billing cache catalog config customer dashboard invoice ledger metric order "
    "payment profile quota report schedule session shipment storage tenant thread usage "
    "webhook window audit budget channel digest export feed import job limit message note "
    "plan policy queue record region route score signal snapshot stream summary task token "
    "trace user vault batch"
).split()


def camel(*parts: str) -> str:
    return "".join(p.capitalize() for p in parts)


# ---- ordinary code: never mentions an engine ------------------------------------------------


def block_dataclass(rng: random.Random, n: int) -> str:
    a, b = rng.sample(WORDS, 2)
    fields = "\n".join(
        f"    {w}_{i}: {rng.choice(['int', 'str', 'float | None', 'list[str]'])}"
        + (" = None" if i > 2 else "")
        for i, w in enumerate(rng.sample(WORDS, rng.randint(3, 7)))
    )
    return f'''

@dataclass(frozen=True)
class {camel(a, b)}Record{n}:
    """A {a} {b} as stored by the {a} service."""

{fields}

    def describe(self) -> str:
        return f"{{self.__class__.__name__}}({a}={{self!r:.40}})"
'''


def block_service(rng: random.Random, n: int) -> str:
    a, b, c = rng.sample(WORDS, 3)
    return f'''

class {camel(a, c)}Service{n}:
    """Coordinates {a} and {b} lookups with a small in-process cache."""

    def __init__(self, repository, *, ttl: float = 30.0) -> None:
        self._repository = repository
        self._ttl = ttl
        self._cache: dict[str, tuple[float, dict]] = {{}}

    async def fetch_{a}(self, key: str, *, refresh: bool = False) -> dict | None:
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached and not refresh and now - cached[0] < self._ttl:
            return cached[1]
        try:
            row = await self._repository.get_{b}(key)
        except (KeyError, TimeoutError) as error:  # {c} backend hiccup
            logger.warning("lookup of %s failed: %s", key, error)
            return None
        self._cache[key] = (now, row)
        return row

    def totals(self, rows: list[dict]) -> dict[str, int]:
        return {{row["{c}"]: sum(r.get("{b}", 0) for r in rows if r["{c}"] == row["{c}"])
                for row in rows if "{c}" in row}}
'''


def block_match(rng: random.Random, n: int) -> str:
    a, b = rng.sample(WORDS, 2)
    return f'''

def route_{a}_{n}(event: dict) -> str:
    match event:
        case {{"type": "{a}", "id": int(ident)}} if ident > 0:
            return f"{a}:{{ident}}"
        case {{"type": "{b}", "items": [first, *rest]}}:
            return f"{b}:{{first}}+{{len(rest)}}"
        case {{"type": str(kind)}}:
            return kind.upper()
        case [x, y, *_]:
            return f"pair:{{x}}/{{y}}"
        case _:
            return "unknown"
'''


def block_helpers(rng: random.Random, n: int) -> str:
    a, b = rng.sample(WORDS, 2)
    return f'''

@functools.lru_cache(maxsize=128)
def normalise_{a}_{n}(value: str) -> str:
    # Collapse whitespace and case so {a} keys compare equal.
    return " ".join(value.split()).casefold()


def group_{b}s_{n}(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = {{}}
    for row in sorted(rows, key=lambda r: (str(r.get("{a}")), r.get("{b}", 0))):
        grouped.setdefault(str(row.get("{a}")), []).append(row)
    return grouped


async def drain_{a}_{n}(queue, limit: int = 100) -> list:
    items = []
    async with asyncio.timeout(5):
        while len(items) < limit and not queue.empty():
            items.append(await queue.get())
    return [i for i in items if i is not None]
'''


def block_test(rng: random.Random, n: int) -> str:
    a = rng.choice(WORDS)
    return f"""

@pytest.mark.parametrize("raw, expected", [("  A  b ", "a b"), ("X", "x"), ("", "")])
def test_normalise_{a}_{n}(raw: str, expected: str) -> None:
    assert " ".join(raw.split()).casefold() == expected
"""


HEADER = '''"""{doc}"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass

import pytest

logger = logging.getLogger(__name__)
'''
BLOCKS = (block_dataclass, block_service, block_match, block_helpers, block_test)


def filler(rng: random.Random, size: int, start: int = 0) -> str:
    parts, length, n = [], 0, start
    while length < size:
        block = rng.choice(BLOCKS)(rng, n)
        parts.append(block)
        length += len(block)
        n += 1
    return "".join(parts)


# ---- engine usage: every form of REAL_FORMS.md ------------------------------------------------


def relative_prefix(module: str) -> str:
    """Dots that climb from `module`'s package to `netra_backend.app`."""
    depth = module.count(".") - 1  # netra_backend.app.<pkg>...<module>
    return "." * depth


def engine_forms(module: str) -> list[tuple[str, str]]:
    """(imports at the top, code in the body) for each form."""
    rel = relative_prefix(module)
    return [
        (
            f"from {OLD} import ExecutionEngine",
            "def build_engine(registry, websocket_bridge, user_context):\n"
            "    return ExecutionEngine(registry, websocket_bridge, user_context)\n",
        ),
        (
            f"from {OLD} import ExecutionEngine as LegacyEngine",
            "def build_keyword(registry, bridge, ctx):\n"
            "    return LegacyEngine(\n"
            "        registry=registry, websocket_bridge=bridge, user_context=ctx\n    )\n",
        ),
        (
            f"from {CANON} import UserExecutionEngine",
            "def build_canonical(ctx, factory, emitter):\n"
            "    return UserExecutionEngine(context=ctx, agent_factory=factory,"
            " websocket_emitter=emitter)\n",
        ),
        (
            f"from {CANON} import UserExecutionEngine as ExecutionEngine",
            "def build_aliased(ctx, factory, emitter):\n"
            "    return ExecutionEngine(ctx, factory, emitter)\n",
        ),
        (
            f"from {CONSOLIDATED} import (\n    ExecutionEngine,\n"
            "    RequestScopedExecutionEngine,\n    UserExecutionContext,\n)",
            "def consolidated(config):\n"
            "    engine = ExecutionEngine(config=config)\n"
            "    return isinstance(engine, RequestScopedExecutionEngine), UserExecutionContext\n",
        ),
        (
            f"import {OLD} as engine_module",
            "def reset_engine():\n"
            "    engine_module._factory_instance = None\n"
            "    return engine_module.ExecutionEngine._init_from_factory(None, None)\n",
        ),
        (
            "from netra_backend.app.agents.supervisor import execution_engine",
            "def module_attribute(registry, bridge, ctx):\n"
            "    return execution_engine.ExecutionEngine(registry, bridge, ctx)\n",
        ),
        (
            "",
            "def lazy_engine():\n"
            "    try:\n"
            f"        from {CANON} import UserExecutionEngine\n"
            "    except ImportError:\n"
            f"        from {OLD} import ExecutionEngine as UserExecutionEngine\n"
            "    return UserExecutionEngine\n",
        ),
        (
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            f"    from {OLD} import ExecutionEngine",
            'def annotated(engine: "ExecutionEngine") -> "ExecutionEngine":\n    return engine\n',
        ),
        (
            f"from {CANON} import UserExecutionEngine\n\nExecutionEngine = UserExecutionEngine",
            '__all__ = ["ExecutionEngine", "UserExecutionEngine"]\n',
        ),
        (
            "from unittest.mock import Mock, patch",
            "def test_patched_engine():\n"
            f'    with patch("{OLD}.ExecutionEngine") as engine:\n'
            "        engine.return_value = Mock()\n"
            "        assert engine() is engine.return_value\n",
        ),
        (
            "import importlib",
            f'def load_consolidated():\n    return importlib.import_module("{CONSOLIDATED}")\n',
        ),
        (
            f"from {OLD} import ExecutionEngine",
            "class AuditedEngine(ExecutionEngine):\n"
            '    """A subclass that records every run."""\n\n'
            "def from_factory(registry, bridge, ctx):\n"
            "    return ExecutionEngine._init_from_factory(registry, bridge, ctx)\n",
        ),
        (
            f"from {FACTORY} import ExecutionEngineFactory",
            "_factory = ExecutionEngineFactory()\n\n\n"
            "def get_factory():\n    global _factory\n"
            "    if _factory is None:\n        _factory = ExecutionEngineFactory()\n"
            "    return _factory\n",
        ),
        (
            f"from {OLD} import ExecutionEngine\nfrom unittest.mock import Mock",
            "def mocked_engine():\n    engine = Mock(spec=ExecutionEngine)\n"
            "    assert isinstance(engine, ExecutionEngine)\n    return engine\n",
        ),
        (
            f"# REMOVED_SYNTAX_ERROR: from {OLD} import ExecutionEngine",
            "def look_alike(obj):\n"
            '    """Mentions ExecutionEngine in a docstring only."""\n'
            "    return obj.ExecutionEngine\n",
        ),
        (
            f"from {rel}agents.supervisor.execution_engine import ExecutionEngine as RelEngine",
            "def relative(registry, bridge, ctx):\n    return RelEngine(registry, bridge, ctx)\n",
        ),
        (
            f"from {AUTH} import validate_token_jwt\nfrom {LEGACY_AUTH} import validate_token",
            "def check(token):\n    return validate_token_jwt(token) or validate_token(token)\n",
        ),
        (
            f"from {CONTEXT} import UserExecutionContext",
            "def context_for(user_id: str):\n"
            '    return UserExecutionContext(user_id=user_id, thread_id="t", run_id="r")\n',
        ),
    ]


# ---- the fixed modules of the backend -------------------------------------------------------

FIXED = {
    "netra_backend/__init__.py": "",
    "netra_backend/app/__init__.py": "",
    "netra_backend/app/agents/__init__.py": "",
    "netra_backend/app/agents/supervisor/__init__.py": "",
    "netra_backend/app/services/__init__.py": "",
    "netra_backend/app/auth_integration/__init__.py": "",
    "netra_backend/app/websocket_core/__init__.py": "",
    "netra_backend/app/agents/supervisor/user_execution_engine.py": (
        '"""The canonical, per-user execution engine."""\n\n\n'
        "class UserExecutionEngine:\n"
        "    def __init__(self, context, agent_factory, websocket_emitter):\n"
        "        self.context = context\n        self.agent_factory = agent_factory\n"
        "        self.websocket_emitter = websocket_emitter\n"
    ),
    "netra_backend/app/agents/supervisor/execution_engine.py": (
        '"""Deprecated: use user_execution_engine."""\n\n'
        f"from {CANON} import UserExecutionEngine\n\n"
        "ExecutionEngine = UserExecutionEngine\n"
    ),
    "netra_backend/app/agents/execution_engine_consolidated.py": (
        f"from {CANON} import UserExecutionEngine\n\n"
        "ExecutionEngine = UserExecutionEngine\n"
        "RequestScopedExecutionEngine = UserExecutionEngine\n"
        "\n\nclass UserExecutionContext:\n    pass\n"
    ),
    "netra_backend/app/agents/supervisor/execution_engine_factory.py": (
        "class ExecutionEngineFactory:\n    _instance = None\n\n"
        "    def __new__(cls):\n        if cls._instance is None:\n"
        "            cls._instance = super().__new__(cls)\n        return cls._instance\n"
    ),
    "netra_backend/app/services/user_execution_context.py": (
        "from dataclasses import dataclass\n\n\n@dataclass\nclass UserExecutionContext:\n"
        "    user_id: str\n    thread_id: str\n    run_id: str\n"
    ),
    "netra_backend/app/auth_integration/auth.py": (
        "def validate_token_jwt(token: str) -> bool:\n    return bool(token)\n"
    ),
    "netra_backend/app/services/user_auth_service.py": (
        "def validate_token(token: str) -> bool:\n    return token.count('.') == 2\n"
    ),
    "netra_backend/app/routes/auth_routes.py": (
        "try:\n    from netra_backend.app.testing import MockAuthService\n"
        "    MOCK_AUTH_AVAILABLE = True\nexcept ImportError:\n    MOCK_AUTH_AVAILABLE = False\n"
    ),
}


# ---- the tree --------------------------------------------------------------------------------


def module_path(rng: random.Random, index: int) -> str:
    package = PACKAGES[index % len(PACKAGES)]
    sub = rng.choice(WORDS)
    top = "tests" if index % 5 == 0 else "netra_backend/app"
    stem = f"test_{sub}_{index}" if top == "tests" else f"{sub}_{index}"
    return f"{top}/{package}/{sub}/{stem}.py"


def file_size(rng: random.Random, median: int) -> int:
    if rng.random() < 0.002:
        return rng.randint(20 * median, 80 * median)
    return min(int(rng.lognormvariate(math.log(median), 0.8)), 18 * median)


def render(rng: random.Random, path: str, affected: bool, index: int, median: int) -> str:
    module = path.removesuffix(".py").replace("/", ".")
    header = HEADER.format(doc=f"{module.rsplit('.', 1)[-1]}: part of the {path.split('/')[2]}")
    body = filler(rng, file_size(rng, median), index * 1000)
    if affected:
        forms = engine_forms(module)
        chosen = rng.sample(forms, rng.randint(1, 4))
        imports = "\n".join(i for i, _ in chosen if i)
        uses = "\n\n".join(code for _, code in chosen)
        head, middle = body[: len(body) // 2], body[len(body) // 2 :]
        cut = head.rfind("\n\n\n") if "\n\n\n" in head else 0
        body = f"{head[:cut]}\n\n\n{uses}{head[cut:]}{middle}"
        header = f"{header}\n{imports}\n"
    if rng.random() < 0.003:  # Python 3.12 f-string syntax: does not parse on 3.11
        body += '\n\ndef broken(d):\n    return f"{d["key"]}"\n'
    text = header + body
    return text.rstrip("\n") if rng.random() < 0.8 else text


def generate(
    out: Path, files: int, affected: float, seed: int = 7, median_size: int = 5000
) -> dict[str, int]:
    """Write the tree; returns how many files and bytes, and how many use the engines.

    The same arguments always write the same bytes. `median_size` scales every file (the
    benchmarks keep the default, about 7 KB on average; tests use small files).
    """
    rng = random.Random(f"{seed}:{files}:{affected}")
    written = {"files": 0, "bytes": 0, "affected": 0}
    for relative, text in FIXED.items():
        _write(out / relative, text, written)
    remaining = max(files - len(FIXED), 0)
    chosen = set(rng.sample(range(remaining), round(remaining * affected)))
    for index in range(remaining):
        path = module_path(rng, index)
        _write(out / path, render(rng, path, index in chosen, index, median_size), written)
        written["affected"] += index in chosen
    return written


def _write(path: Path, text: str, written: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(data)
    written["files"] += 1
    written["bytes"] += len(data)


def commit(out: Path) -> None:
    """Make the tree a git repository with one commit, as a real checkout is."""
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    subprocess.run(["git", "-C", str(out), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(out), *env, "commit", "-qm", "synthetic"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--affected", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--git", action="store_true", help="commit the tree to a new repository")
    args = parser.parse_args()
    stats = generate(args.out, args.files, args.affected, args.seed)
    if args.git:
        commit(args.out)
    print(f"{stats['files']} files, {stats['bytes'] / 1e6:.1f} MB, {stats['affected']} affected")


if __name__ == "__main__":
    main()
