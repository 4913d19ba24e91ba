"""The pre-passes that read every file give the same answer in worker processes as here."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.engine import file_map
from migrator.engine.name_importers import flag_importers
from migrator.engine.reexports import own_definitions
from migrator.engine.workers import pool
from migrator.spec import default_spec_text, parse_spec

SPEC = parse_spec(default_spec_text(), "default")
FILES = {
    "auth/routes.py": "MOCK_AUTH_AVAILABLE = True\n\n\ndef login():\n    return 1\n",
    "app/a.py": "from auth.routes import login\n",
    "app/b.py": "from auth.routes import MOCK_AUTH_AVAILABLE, login as enter\n",
    "app/c.py": "from .routes import login  # not the flag module: app.routes\n",
    "app/d.py": "import auth.routes\n",
    "app/own.py": "class UserExecutionEngine:\n    pass\n",
    "app/other.py": "def UserExecutionContext():\n    return None\n",
    "app/plain.py": "x = 1\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for path, text in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    monkeypatch.setattr(file_map, "CHUNK", 2)  # several chunks, so the pool gets work
    return tmp_path


def test_flag_importers_in_workers_and_here(repo: Path) -> None:
    expected = (
        ("auth.routes.MOCK_AUTH_AVAILABLE", ("app/b.py",)),
        ("auth.routes.login", ("app/a.py", "app/b.py")),
    )
    assert flag_importers(repo, SPEC) == expected
    with pool(2) as workers:
        assert flag_importers(repo, SPEC, file_map.pooled(repo, workers.map)) == expected


def test_own_definitions_in_workers_and_here(repo: Path) -> None:
    expected = frozenset({"app.own.UserExecutionEngine", "app.other.UserExecutionContext"})
    assert own_definitions(repo, SPEC, SPEC.rules) == expected
    with pool(2) as workers:
        assert own_definitions(repo, SPEC, SPEC.rules, file_map.pooled(repo, workers.map)) == (
            expected
        )
