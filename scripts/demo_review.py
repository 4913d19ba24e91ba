"""The demo's human reviewer: ports what migrator left for manual review, by exact edits.

migrator refuses to guess (a call with no user context, singletons other than the mechanical
shape); in a real migration an engineer resolves those findings in an ordinary commit between
batches. The demo does the same so every week's targets can be met. Each edit must match the
sample exactly, so a changed sample fails loudly here instead of silently doing nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

FACTORY = "netra_backend/app/agents/supervisor/execution_engine_factory.py"
BRIDGE = "netra_backend/app/websocket_core/bridge.py"
SYSTEM_TASKS = "netra_backend/app/services/system_tasks.py"

EDITS: dict[str, list[tuple[str, str, str]]] = {
    # week-2: the singleton shapes migrator only reports become one instance per call, and the
    # public module instance becomes private so migrator's own fix (getter builds per call) applies.
    "week-2": [
        (
            FACTORY,
            "_factory_instance = None\n\n\ndef get_execution_engine_factory():\n"
            "    global _factory_instance\n    if _factory_instance is None:\n"
            "        _factory_instance = ExecutionEngineFactory()\n    return _factory_instance",
            "def get_execution_engine_factory():\n    return ExecutionEngineFactory()",
        ),
        (
            FACTORY,
            "default_engine_factory = ExecutionEngineFactory()\n\n\n"
            "def get_default_engine_factory():\n    return default_engine_factory",
            "_default_engine_factory = ExecutionEngineFactory()\n\n\n"
            "def get_default_engine_factory():\n    return _default_engine_factory",
        ),
        (
            BRIDGE,
            "    _instance = None\n\n    def __new__(cls):\n        if cls._instance is None:\n"
            "            cls._instance = super().__new__(cls)\n"
            "            cls._instance.announcements = []\n        return cls._instance\n",
            "    def __init__(self):\n        self.announcements = []\n",
        ),
        (
            BRIDGE,
            "@functools.lru_cache\ndef get_websocket_bridge():",
            "def get_websocket_bridge():",
        ),
    ],
    # week-3: the one construction with no user context gets an explicit system context.
    "week-3": [
        (
            SYSTEM_TASKS,
            "    # No user context here: the engine falls back to the system context.\n"
            "    return ExecutionEngine._init_from_factory(registry, websocket_bridge)",
            "    from netra_backend.app.services.user_execution_context import system_context\n\n"
            "    # Background jobs run as the system user, explicitly.\n"
            "    context = system_context()\n"
            "    return ExecutionEngine._init_from_factory(registry, websocket_bridge, context)",
        ),
    ],
}


def main(week: str) -> None:
    for path, old, new in EDITS[week]:
        file = Path(path)
        text = file.read_text()
        if text.count(old) != 1:
            sys.exit(f"demo_review: {path}: the text to port is not there exactly once")
        file.write_text(text.replace(old, new))
        print(f"ported by hand: {path}")


if __name__ == "__main__":
    main(sys.argv[1])
