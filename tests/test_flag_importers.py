"""Nothing public disappears while someone imports it: folding a bypass flag keeps a module-level
name the flag's `try` block bound when other modules import it from there, and says so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from migrator.cli import app

ROUTES = """\
try:
    from pkg.mock import MockAuthService
    MOCK_AUTH_AVAILABLE = True
except ImportError:
    MockAuthService = None
    MOCK_AUTH_AVAILABLE = False


def login(token):
    if MOCK_AUTH_AVAILABLE:
        return MockAuthService().login(token)
    return None
"""
MOCK = "class MockAuthService:\n    def login(self, token):\n        return token\n"
SPEC = '[migration]\nname = "demo"\n\n[[flag]]\nname = "MOCK_AUTH_AVAILABLE"\nvalue = false\n'


def make_repo(root: Path, importers: dict[str, str]) -> Path:
    files = {
        "pkg/__init__.py": "",
        "pkg/routes.py": ROUTES,
        "pkg/mock.py": MOCK,
        "spec.toml": SPEC,
        **importers,
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def fold(repo: Path):
    args = ["run", "--repo", str(repo), "--spec", str(repo / "spec.toml"), "--no-commit"]
    return CliRunner().invoke(app, [*args, "--rule", "flags"])


def test_an_imported_name_stays_with_a_finding_naming_its_importers(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "tests/test_a.py": "from pkg.routes import MockAuthService\n",
            "tests/test_b.py": "from pkg.routes import login, MockAuthService as M\n",
            "pkg/other.py": "from .routes import login\n",
        },
    )
    result = fold(repo)
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg/routes.py").read_text() == (
        "try:\n"
        "    from pkg.mock import MockAuthService\n"
        "except ImportError:\n"
        "    MockAuthService = None\n"
        "\n"
        "\n"
        "def login(token):\n"
        "    return None\n"
    )
    assert (
        "  pkg/routes.py:2:25: `MockAuthService` is no longer used here after removing the bypass "
        "flag, but tests/test_a.py, tests/test_b.py import it from this module: kept; remove it "
        "together with those imports"
    ) in result.stderr.splitlines()


def test_a_name_nobody_imports_goes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/other.py": "from .routes import login\n"})
    result = fold(repo)
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg/routes.py").read_text() == "\n\ndef login(token):\n    return None\n"
    assert "MockAuthService" not in result.stderr


def test_the_kept_name_is_reported_at_its_first_import_in_source_order(tmp_path: Path) -> None:
    """A nested import before the module-level one is where the finding points, as LibCST's
    depth-first walk found it (the position now comes from the `ast` parse of the new code)."""
    helper = "def helper():\n    from pkg.mock import MockAuthService\n    return MockAuthService\n"
    repo = make_repo(tmp_path, {"tests/test_a.py": "from pkg.routes import MockAuthService\n"})
    (repo / "pkg/routes.py").write_text(f"{helper}\n\n{ROUTES}")
    result = fold(repo)
    assert result.exit_code == 0, result.stderr
    kept = [line.strip() for line in result.stderr.splitlines() if "no longer used here" in line]
    assert [line.split(": ", 1)[0] for line in kept] == ["pkg/routes.py:2:25"]
