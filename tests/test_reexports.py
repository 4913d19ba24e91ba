"""Indirect means re-exported: a canonical name imported through another project module is
rewritten to the canonical path only when that module binds the canonical object (directly or
through a chain of re-exports); a module with its own class or function of that name is left
alone, and so are its importers."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from migrator.cli import app
from migrator.engine.modules import ModuleIndex

FILES = {
    "pkg/__init__.py": "",
    "pkg/canon.py": "class Factory:\n    pass\n",
    "pkg/old.py": "class Factory:\n    pass\n",
    "pkg/reexport.py": "from pkg.canon import Factory\n",
    "pkg/chain.py": "from pkg.reexport import Factory\n",
    "pkg/loop_a.py": "from pkg.loop_b import Factory\n",
    "pkg/loop_b.py": "from pkg.loop_a import Factory\n",
    "pkg/adapter.py": "class Factory:\n    def ensure(self):\n        pass\n",
    "pkg/auth.py": "def validate_token(token):\n    return None\n",
    "pkg/ws.py": "def verify(token):\n    return None\n",
    "pkg/canon_auth.py": "def validate_token(token):\n    return {}\n",
    "pkg/user.py": (
        "from pkg.adapter import Factory as AdapterFactory\n"
        "from pkg.chain import Factory\n"
        "from pkg.auth import validate_token\n"
        "\n"
        "AdapterFactory().ensure()\n"
    ),
}
SPEC = """\
[migration]
name = "demo"

[[rename]]
old = "pkg.old.Factory"
new = "pkg.canon.Factory"

[[consolidate]]
old = ["pkg.ws.verify"]
new = "pkg.canon_auth.validate_token"
"""


def make_repo(root: Path) -> Path:
    for path, text in FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    (root / "spec.toml").write_text(SPEC)
    return root


def test_only_true_re_exports_are_rewritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    args = ["run", "--repo", str(repo), "--spec", str(repo / "spec.toml"), "--no-commit"]
    result = CliRunner().invoke(app, [*args, "--rule", "imports", "--rule", "validators"])
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg/user.py").read_text() == (
        "from pkg.adapter import Factory as AdapterFactory\n"
        "from pkg.canon import Factory\n"
        "from pkg.auth import validate_token\n"
        "\n"
        "AdapterFactory().ensure()\n"
    )
    for path in ("pkg/adapter.py", "pkg/auth.py"):
        assert (repo / path).read_text() == FILES[path]
    assert (repo / "pkg/chain.py").read_text() == "from pkg.canon import Factory\n"


def test_the_scan_reports_only_true_re_exports_as_indirect(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    args = ["scan", str(repo), "--spec", str(repo / "spec.toml"), "--format", "json", "--no-cache"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    indirect = [
        (f["path"], f["line"], f["message"])
        for f in report["findings"]
        if f["rule"] == "indirect-import"
    ]
    assert indirect == [
        ("pkg/chain.py", 1, "`Factory` from pkg.reexport: import it from pkg.canon.Factory"),
        ("pkg/user.py", 2, "`Factory` from pkg.chain: import it from pkg.canon.Factory"),
    ]
    assert report["metrics"]["indirect_imports"] == 2


def test_a_fallback_in_an_except_handler_keeps_the_imported_meaning(tmp_path: Path) -> None:
    make_repo(tmp_path)
    (tmp_path / "pkg/compat.py").write_text(
        "try:\n    from pkg.canon import Factory\nexcept ImportError:\n    Factory = None\n"
    )
    index = ModuleIndex(tmp_path)
    assert index.origin("pkg.compat", "Factory") == "pkg.canon.Factory"
    assert index.origin("pkg.chain", "Factory") == "pkg.canon.Factory"
    assert index.origin("pkg.adapter", "Factory") == "pkg.adapter.Factory"
    assert index.origin("pkg.loop_a", "Factory") is None
