"""The scanner: exact findings and metrics for every import, construction and look-alike form."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.engine.scan import scan
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")
SUP = "netra_backend.app.agents.supervisor"
OLD = f"{SUP}.execution_engine"
CANON = f"{SUP}.user_execution_engine"
FILE = "netra_backend/app/services/consumer.py"


def scan_source(tmp_path: Path, source: str, path: str = FILE):
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(source))
    report = scan(tmp_path, SPEC, jobs=1)
    findings = [(f.rule, f.line, f.manual_review) for f in report.findings]
    return report.metrics, findings


CASES = {
    "plain from-import": (
        f"from {OLD} import ExecutionEngine\n",
        [("deprecated-import", 1, False)],
    ),
    "parenthesised multi-name with a name no rule moves": (
        f"from {OLD} import (\n    ExecutionEngine,  # engine\n    UserExecutionContext,\n"
        "    helper,\n)\n",
        [("deprecated-import", 2, False), ("deprecated-import", 3, False)],
    ),
    "aliased deprecated import": (
        f"from {OLD} import ExecutionEngine as LegacyEngine\n",
        [("deprecated-import", 1, False)],
    ),
    "canonical name under an alias": (
        f"from {CANON} import UserExecutionEngine as ExecutionEngine\n",
        [("aliased-import", 1, False)],
    ),
    "canonical import": (f"from {CANON} import UserExecutionEngine\n", []),
    "import module as alias then attribute": (
        f"import {OLD} as ee\n\nengine_cls = ee.ExecutionEngine\n",
        [("deprecated-import", 1, False)],
    ),
    "plain import of the module": (
        f"import {OLD}\n\nengine_cls = {OLD}.ExecutionEngine\n",
        [("deprecated-import", 1, False)],
    ),
    "from package import module": (
        f"from {SUP} import execution_engine\n",
        [("deprecated-import", 1, False)],
    ),
    "whole module move": (
        "from netra_backend.app.agents import execution_engine_consolidated as c\n"
        "from netra_backend.app.agents.execution_engine_consolidated import (\n"
        "    ExecutionEngineFactory)\n",
        [("deprecated-import", 1, False), ("deprecated-import", 3, False)],
    ),
    "import inside a function and a class": (
        f"def build():\n    from {OLD} import ExecutionEngine\n    return ExecutionEngine\n\n"
        f"class Holder:\n    from {OLD} import ExecutionEngine\n",
        [("deprecated-import", 2, False), ("deprecated-import", 6, False)],
    ),
    "try/except ImportError fallback": (
        f"try:\n    from {CANON} import UserExecutionEngine\nexcept ImportError:\n"
        f"    from {OLD} import ExecutionEngine as UserExecutionEngine\n",
        [("deprecated-import", 4, False)],
    ),
    "TYPE_CHECKING import and string annotation": (
        f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        f"    from {OLD} import ExecutionEngine\n\n"
        'def run(engine: "ExecutionEngine") -> None:\n    pass\n',
        [("deprecated-import", 3, False)],
    ),
    "star import from a deprecated module": (
        f"from {OLD} import *\n",
        [("deprecated-import", 1, True)],
    ),
    "indirect import through a re-exporting package": (
        f"from {SUP} import UserExecutionEngine\n",
        [("indirect-import", 1, False)],
    ),
    "compatibility alias at module level": (
        f"from {CANON} import UserExecutionEngine\n\nExecutionEngine = UserExecutionEngine\n",
        [("aliased-import", 3, False)],
    ),
    "patch and import_module strings": (
        "from unittest.mock import patch\nimport importlib\n\n"
        f'with patch("{OLD}.ExecutionEngine.execute_agent"):\n    pass\n'
        'importlib.import_module("netra_backend.app.agents.execution_engine_consolidated")\n'
        f'__import__("{OLD}")\n',
        [
            ("string-reference", 4, False),
            ("string-reference", 6, False),
            ("string-reference", 7, True),
        ],
    ),
    "strings, comments and docstrings that merely mention": (
        f'"""Uses {OLD}.ExecutionEngine."""\n'
        f"# from {OLD} import ExecutionEngine\n"
        f"# REMOVED_SYNTAX_ERROR: from {OLD} import ExecutionEngine\n"
        f'MESSAGE = "{OLD}.ExecutionEngine is deprecated"\n'
        f'log = print("{OLD}")\n',
        [],
    ),
    "look-alikes: local class, parameter, attribute, other package": (
        "from analytics.engines import ExecutionEngine as SqlEngine\n"
        "class ExecutionEngine:\n    pass\n\n"
        "def make(ExecutionEngine, obj):\n"
        "    ExecutionEngine(1, 2, 3)\n    return obj.ExecutionEngine(1, 2, 3)\n\n"
        "def build():\n    return ExecutionEngine(1, 2, 3), SqlEngine(1, 2, 3)\n",
        [],
    ),
    "relative imports resolved against the package": (
        "from .execution_engine import ExecutionEngine\n"
        "from ..execution_engine_consolidated import ExecutionEngine as Consolidated\n"
        "from . import execution_engine\n",
        [
            ("deprecated-import", 1, False),
            ("deprecated-import", 2, False),
            ("deprecated-import", 3, False),
        ],
        "netra_backend/app/agents/supervisor/worker.py",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_import_forms(tmp_path: Path, case: str) -> None:
    source, expected, *path = CASES[case]
    _, findings = scan_source(tmp_path, source, *path)
    assert findings == expected


def test_class_references_are_not_findings(tmp_path: Path) -> None:
    metrics, findings = scan_source(
        tmp_path,
        f"""\
        from unittest.mock import Mock
        from {OLD} import ExecutionEngine

        class Audited(ExecutionEngine):
            pass

        def check(engine) -> bool:
            return isinstance(engine, ExecutionEngine) and Mock(spec=ExecutionEngine) is not None
        """,
    )
    assert findings == [("deprecated-import", 2, False)]
    assert metrics["direct_instantiations"] == 0


def test_constructions_however_imported(tmp_path: Path) -> None:
    metrics, findings = scan_source(
        tmp_path,
        f"""\
        import {OLD} as ee
        from {SUP} import execution_engine
        from {OLD} import ExecutionEngine as Legacy

        def build(registry, bridge, ctx, kwargs):
            a = Legacy(registry, bridge, ctx)
            b = ee.ExecutionEngine(user_context=ctx, registry=registry, websocket_bridge=bridge)
            c = execution_engine.ExecutionEngine._init_from_factory(registry, bridge, ctx)
            d = Legacy._init_from_factory(registry, bridge)
            e = Legacy(**kwargs)
            f = Legacy(registry, bridge, make_context())
            return a, b, c, d, e, f
        """,
    )
    constructions = [f for f in findings if f[0] == "direct-instantiation"]
    assert constructions == [
        ("direct-instantiation", 6, False),
        ("direct-instantiation", 7, False),
        ("direct-instantiation", 8, False),
        ("direct-instantiation", 9, True),
        ("direct-instantiation", 10, True),
        ("direct-instantiation", 11, True),
    ]
    assert metrics["direct_instantiations"] == 6


def test_di_violations(tmp_path: Path) -> None:
    metrics, findings = scan_source(
        tmp_path,
        f"""\
        from {CANON} import UserExecutionEngine

        def build(ctx, factory, emitter):
            ok = UserExecutionEngine(ctx, factory, emitter)
            ok2 = UserExecutionEngine(context=ctx, agent_factory=factory, websocket_emitter=emitter)
            none = UserExecutionEngine(None, agent_factory=factory, websocket_emitter=emitter)
            legacy = UserExecutionEngine(registry=1, websocket_bridge=2, user_context=ctx)
            empty = UserExecutionEngine()
        """,
    )
    assert [f for f in findings if f[0] == "di-violation"] == [
        ("di-violation", 6, True),
        ("di-violation", 7, True),
        ("di-violation", 8, True),
    ]
    assert metrics["di_violations"] == 3


def test_flags_singletons_and_validators(tmp_path: Path) -> None:
    metrics, findings = scan_source(
        tmp_path,
        """\
        import functools
        from netra_backend.app.services.user_auth_service import authenticate_user, validate_token
        from netra_backend.app.auth_integration.auth import validate_token_jwt
        from netra_backend.app.agents.supervisor.execution_engine_factory import (
            ExecutionEngineFactory,
        )

        try:
            from netra_backend.app.auth_integration.mock_auth import MockAuthService
            MOCK_AUTH_AVAILABLE = True
        except ImportError:
            MockAuthService = None
            MOCK_AUTH_AVAILABLE = False

        _factory = None
        shared_factory = ExecutionEngineFactory()


        def get_factory():
            global _factory
            if _factory is None:
                _factory = ExecutionEngineFactory()
            return _factory


        @functools.lru_cache
        def get_bridge():
            return AgentWebSocketBridge()


        class BridgeFactory:
            _instance = None

            def __new__(cls):
                if cls._instance is None:
                    cls._instance = super().__new__(cls)
                return cls._instance


        def authenticate(token):
            if MOCK_AUTH_AVAILABLE and token == "mock":
                return {"user": "admin"}
            mode = "mock" if not MOCK_AUTH_AVAILABLE else "real"
            return validate_token(token) or validate_token_jwt(token) or mode
        """,
    )
    assert findings == [
        ("auth-bypass", 10, False),
        ("singleton", 16, True),
        ("singleton", 22, True),
        ("singleton", 27, True),
        ("singleton", 34, True),
        ("auth-bypass", 41, False),
        ("auth-bypass", 43, False),
        ("token-validation", 44, False),
    ]
    assert metrics["auth_bypasses"] == 3
    assert metrics["singletons"] == 4
    assert metrics["token_validation_paths"] == 2


def test_metrics_ratio_and_fragmented_sum(tmp_path: Path) -> None:
    metrics, _ = scan_source(
        tmp_path,
        f"""\
        from {CANON} import UserExecutionEngine
        from {CANON} import UserExecutionEngine as ExecutionEngine
        from {OLD} import ExecutionEngine as Old
        from {SUP}.execution_engine_factory import ExecutionEngineFactory
        from netra_backend.app.services.user_execution_context import UserExecutionContext
        """,
    )
    assert metrics["canonical_imports"] == 3
    assert metrics["fragmented_imports"] == 2
    assert metrics["canonical_import_usage"] == 60.0


def test_empty_repository_metrics(tmp_path: Path) -> None:
    report = scan(tmp_path, SPEC, jobs=1)
    assert report.files_scanned == 0
    assert report.metrics["canonical_import_usage"] == 100.0
    assert report.findings == []


def test_unparsable_file_is_reported_and_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(f"from {OLD} import (ExecutionEngine\n")
    (tmp_path / "fine.py").write_text(f"from {OLD} import ExecutionEngine\n")
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--format", "json", "-j", "1"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["files_scanned"] == 2
    assert [e["path"] for e in data["errors"]] == ["broken.py"]
    assert data["errors"][0]["message"] == "does not parse: '(' was never closed (line 1)"
    assert data["metrics"]["deprecated_imports"] == 1
    assert data["findings"] == [
        {
            "rule": "deprecated-import",
            "path": "fine.py",
            "line": 1,
            "column": 65,
            "message": f"`ExecutionEngine` from {OLD}: moved to {CANON}.UserExecutionEngine",
            "fixable": True,
            "manual_review": False,
        }
    ]


def test_scan_bad_path_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'missing'}: no such directory"


def test_text_output_lists_metrics_and_findings(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(f"from {OLD} import ExecutionEngine\n")
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert "deprecated_imports" in result.stdout
    assert f"a.py:1:65: deprecated-import: `ExecutionEngine` from {OLD}" in result.stdout
    assert "1 files scanned" in result.stdout
