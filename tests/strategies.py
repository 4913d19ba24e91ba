"""Hypothesis strategies: random valid programs, and programs built from the real engine forms.

Profiles: `test` (few examples, for `make test`: derandomized, so every run of the suite tries
the same programs and a red CI run is never a roll of the dice) and `fuzz` (many random ones, for
`make fuzz`, which is where new bugs are found), chosen by the MIGRATOR_HYPOTHESIS_PROFILE
environment variable. Neither keeps an example database.
"""

from __future__ import annotations

import os

import hypothesmith
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "test",
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("MIGRATOR_HYPOTHESIS_PROFILE", "test"))

APP = "netra_backend.app"
OLD = f"{APP}.agents.supervisor.execution_engine"
CANON = f"{APP}.agents.supervisor.user_execution_engine"
CONSOLIDATED = f"{APP}.agents.execution_engine_consolidated"
CONTEXT = f"{APP}.services.user_execution_context"
FACTORY = f"{APP}.agents.supervisor.execution_engine_factory"

# The import forms of /work/shared/REAL_FORMS.md, each a complete module-level statement.
IMPORT_FORMS = (
    f"from {OLD} import ExecutionEngine",
    f"from {OLD} import ExecutionEngine as SupervisorExecutionEngine",
    f"from {OLD} import (\n    ExecutionEngine,\n    UserExecutionContext,\n)",
    f"from {CANON} import UserExecutionEngine",
    f"from {CANON} import UserExecutionEngine as ExecutionEngine",
    f"from {CONSOLIDATED} import ExecutionEngine, RequestScopedExecutionEngine",
    f"from {CONSOLIDATED} import ExecutionEngineFactory as UnifiedExecutionEngineFactory",
    f"import {OLD} as engine_module",
    f"import {OLD}",
    f"from {APP}.agents.supervisor import execution_engine",
    "from .execution_engine import ExecutionEngine",
    f"from {CONTEXT} import UserExecutionContext",
    f"from {FACTORY} import ExecutionEngineFactory",
    f"try:\n    from {CANON} import UserExecutionEngine\nexcept ImportError:\n"
    f"    from {OLD} import ExecutionEngine as UserExecutionEngine",
    f"if TYPE_CHECKING:\n    from {OLD} import ExecutionEngine",
    f"def _lazy():\n    from {OLD} import ExecutionEngine\n    return ExecutionEngine",
    f"# REMOVED_SYNTAX_ERROR: from {OLD} import ExecutionEngine",
    "ExecutionEngine = UserExecutionEngine",
    '__all__ = ["ExecutionEngine", "UserExecutionEngine"]',
    f'TARGET = "{OLD}.ExecutionEngine"',
)

# The construction and use forms: each an expression statement or assignment.
USE_FORMS = (
    "engine = ExecutionEngine(registry, websocket_bridge, user_context)",
    "engine = ExecutionEngine(registry=registry, websocket_bridge=bridge, user_context=ctx)",
    "engine = ExecutionEngine(user_context, registry, websocket_bridge)",
    "engine = ExecutionEngine()",
    "engine = ExecutionEngine._init_from_factory(registry, websocket_bridge)",
    "engine = UserExecutionEngine(context=ctx, agent_factory=f, websocket_emitter=e)",
    "engine = UserExecutionEngine(registry=r, websocket_bridge=b, user_context=c)",
    "engine = engine_module.ExecutionEngine(registry, bridge, ctx)",
    "engine = execution_engine.ExecutionEngine(registry, bridge, ctx)",
    "ok = isinstance(engine, ExecutionEngine)",
    "mock = Mock(spec=ExecutionEngine)",
    f'with patch("{OLD}.ExecutionEngine.execute"):\n    pass',
    "class MyEngine(ExecutionEngine):\n    pass",
    "def build(ctx: 'ExecutionEngine') -> ExecutionEngine:\n    return ExecutionEngine(r, b, ctx)",
    "_factory_instance = ExecutionEngineFactory()",
    "MOCK_AUTH_AVAILABLE = True",
    "if MOCK_AUTH_AVAILABLE:\n    user = 'mock'",
    "class ExecutionEngine:\n    pass",  # a look-alike: a local class of the same name
    "obj.ExecutionEngine(1, 2, 3)",
)


@st.composite
def engine_programs(draw: st.DrawFn) -> str:
    """A module mixing the real import and construction forms, some inside functions."""
    imports = draw(st.lists(st.sampled_from(IMPORT_FORMS), min_size=1, max_size=6))
    uses = draw(st.lists(st.sampled_from(USE_FORMS), max_size=6))
    body: list[str] = list(imports)
    for use in uses:
        if draw(st.booleans()):
            body.append(use)
        else:
            body.append("def f():\n" + "".join(f"    {line}\n" for line in use.splitlines()))
    ending = draw(st.sampled_from(["\n", ""]))
    return "\n".join(body) + ending


def random_programs() -> st.SearchStrategy[str]:
    """Random syntactically valid Python (hypothesmith, from the grammar)."""
    return hypothesmith.from_grammar()


def any_program() -> st.SearchStrategy[str]:
    return st.one_of(engine_programs(), random_programs())
