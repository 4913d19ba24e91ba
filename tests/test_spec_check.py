"""The spec checked against the repository: every path it points at must be there.

`run` and `plan` refuse a spec with a missing path (exit 2, one line each, naming the spec line),
`scan` warns and goes on; `deleted = true` and `pending = true` say a missing path is meant; a
whole-module rename moves only the names its new module provides.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.cli import app
from migrator.engine.modules import ModuleIndex
from migrator.engine.spec_check import check_spec
from migrator.spec import default_spec_text, parse_spec

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
USER = "from pkg.old_mod import Engine, helper\n\nengine = Engine()\nhelper()\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "old_mod.py").write_text(
        "class Engine:\n    pass\n\n\ndef helper():\n    pass\n"
    )
    (tmp_path / "pkg" / "new_mod.py").write_text("class UserEngine:\n    pass\n")
    (tmp_path / "pkg" / "user.py").write_text(USER)
    return tmp_path


def write_spec(repo: Path, body: str) -> Path:
    path = repo / "spec.toml"
    path.write_text('[migration]\nname = "demo"\n\n' + body)
    return path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def dry_run(repo: Path, spec: Path):
    return invoke("run", "--repo", str(repo), "--spec", str(spec), "--rule", "imports", "--dry-run")


TYPO = """\
[[rename]]
old = "pkg.old_mod.Engine"
new = "pkg.new_mod.UserEngine"

[[rename]]
old = "pkg.exection_engine.Engine"
new = "pkg.new_mod.UserEngine"

[[rename]]
old = "pkg.old_mod.Motor"
new = "pkg.new_mod.Motor"
"""


def test_run_and_plan_refuse_paths_the_repository_does_not_have(repo: Path) -> None:
    spec = write_spec(repo, TYPO)
    expected = [
        f"error: {spec}:9: `rename[1].old`: no module `pkg.exection_engine` in the repository "
        "(a typo? `deleted = true` on a rename whose module is gone)",
        f"warning: {spec}:13: `rename[2].old`: `pkg.old_mod` has no top-level `Motor` "
        "(a typo, or removed already?)",
        f"error: {spec}:14: `rename[2].new`: `pkg.new_mod` has no top-level `Motor` "
        "(`pending = true` if it is still to be written)",
    ]
    result = dry_run(repo, spec)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == expected
    assert result.stdout == ""
    plan = invoke("plan", str(repo), "--spec", str(spec))
    assert plan.exit_code == 2
    assert plan.stderr.strip().splitlines() == expected
    assert (repo / "pkg" / "user.py").read_text() == USER


def test_scan_warns_and_goes_on(repo: Path) -> None:
    spec = write_spec(repo, TYPO)
    result = invoke("scan", str(repo), "--spec", str(spec), "--format", "json", "--no-cache")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {spec}:9: `rename[1].old`: no module `pkg.exection_engine` in the repository "
        "(a typo? `deleted = true` on a rename whose module is gone)",
        f"warning: {spec}:13: `rename[2].old`: `pkg.old_mod` has no top-level `Motor` "
        "(a typo, or removed already?)",
        f"warning: {spec}:14: `rename[2].new`: `pkg.new_mod` has no top-level `Motor` "
        "(`pending = true` if it is still to be written)",
    ]
    assert json.loads(result.stdout)["metrics"]["deprecated_imports"] == 1


def test_a_deleted_module_is_allowed_when_the_spec_says_so(repo: Path) -> None:
    (repo / "pkg" / "old_mod.py").unlink()
    spec = write_spec(
        repo, '[[rename]]\nold = "pkg.old_mod.Engine"\nnew = "pkg.new_mod.UserEngine"\n'
    )
    refused = dry_run(repo, spec)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"error: {spec}:5: `rename[0].old`: no module `pkg.old_mod` in the repository "
        "(a typo? `deleted = true` on a rename whose module is gone)"
    )
    spec.write_text(spec.read_text() + "deleted = true\n")
    result = dry_run(repo, spec)
    assert result.exit_code == 0, result.stderr
    assert "+from pkg.new_mod import UserEngine, helper" not in result.stdout
    assert "+from pkg.new_mod import UserEngine" in result.stdout


PENDING = """\
[[rename]]
old = "pkg.old_mod.Engine"
new = "pkg.ssot.Engine"
pending = true
"""


def test_a_pending_target_is_reported_and_never_written(repo: Path) -> None:
    spec = write_spec(repo, PENDING.replace("pending = true\n", ""))
    refused = dry_run(repo, spec)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"error: {spec}:6: `rename[0].new`: no module `pkg.ssot` in the repository "
        "(`pending = true` if it is still to be written)"
    )
    spec = write_spec(repo, PENDING)
    result = invoke(
        "run", "--repo", str(repo), "--spec", str(spec), "--rule", "imports", "--no-commit"
    )
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg" / "user.py").read_text() == USER
    scan = invoke("scan", str(repo), "--spec", str(spec), "--format", "json", "--no-cache")
    assert scan.exit_code == 0
    findings = [
        (f["rule"], f["path"], f["line"], f["message"], f["fixable"], f["manual_review"])
        for f in json.loads(scan.stdout)["findings"]
    ]
    assert findings == [
        (
            "deprecated-import",
            "pkg/user.py",
            1,
            "`Engine` from pkg.old_mod: pkg.ssot.Engine is pending (not written yet), "
            "so it is not rewritten",
            False,
            True,
        )
    ]


MODULE_RENAME = """\
[[rename]]
old = "pkg.old_mod"
new = "pkg.new_mod"

[[rename]]
old = "pkg.old_mod.Engine"
new = "pkg.new_mod.UserEngine"
"""


def test_a_whole_module_rename_moves_only_what_the_new_module_provides(repo: Path) -> None:
    (repo / "pkg" / "user.py").write_text(
        "from pkg.old_mod import Engine\nfrom pkg.old_mod import helper\n"
        "from pkg import old_mod\n\nold_mod.helper()\n"
    )
    spec = write_spec(repo, MODULE_RENAME)
    result = invoke(
        "run", "--repo", str(repo), "--spec", str(spec), "--rule", "imports", "--no-commit"
    )
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg" / "user.py").read_text() == (
        "from pkg.new_mod import UserEngine\nfrom pkg.old_mod import helper\n"
        "from pkg import old_mod\n\nold_mod.helper()\n"
    )
    scan = invoke("scan", str(repo), "--spec", str(spec), "--format", "json", "--no-cache")
    held = [
        (f["line"], f["message"], f["fixable"], f["manual_review"])
        for f in json.loads(scan.stdout)["findings"]
    ]
    assert held == [
        (
            2,
            "`helper` from pkg.old_mod: pkg.new_mod does not provide `helper`; move it there first",
            False,
            True,
        ),
        (3, "`old_mod` from pkg: moved to pkg.new_mod", True, False),
    ]


def test_a_whole_module_rename_leaves_a_name_the_new_module_binds_to_another_object(
    repo: Path,
) -> None:
    # old_mod defines its own Context; new_mod binds pkg.context's: another object of the same
    # name. Both import Shared from pkg.shared: the same object, so it moves.
    (repo / "pkg" / "context.py").write_text("class Context:\n    pass\n")
    (repo / "pkg" / "shared.py").write_text("class Shared:\n    pass\n")
    (repo / "pkg" / "old_mod.py").write_text(
        "from pkg.shared import Shared\n\n\nclass Engine:\n    pass\n\n\nclass Context:\n    pass\n"
    )
    (repo / "pkg" / "new_mod.py").write_text(
        "from pkg.context import Context\nfrom pkg.shared import Shared\n\n\n"
        "class UserEngine:\n    pass\n"
    )
    user = "from pkg.old_mod import Context as Ctx\nfrom pkg.old_mod import Engine, Shared\n"
    (repo / "pkg" / "user.py").write_text(user)
    spec = write_spec(repo, MODULE_RENAME)
    scan = invoke("scan", str(repo), "--spec", str(spec), "--format", "json", "--no-cache")
    assert scan.exit_code == 0, scan.stderr
    findings = [
        (f["line"], f["message"], f["fixable"], f["manual_review"])
        for f in json.loads(scan.stdout)["findings"]
    ]
    assert findings == [
        (
            1,
            "`Context` from pkg.old_mod: pkg.new_mod binds another object named `Context`, "
            "so it is not moved; review by hand",
            False,
            True,
        ),
        (2, "`Engine` from pkg.old_mod: moved to pkg.new_mod.UserEngine", True, False),
        (2, "`Shared` from pkg.old_mod: moved to pkg.new_mod.Shared", True, False),
    ]
    result = invoke(
        "run", "--repo", str(repo), "--spec", str(spec), "--rule", "imports", "--no-commit"
    )
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg" / "user.py").read_text() == (
        "from pkg.old_mod import Context as Ctx\nfrom pkg.new_mod import UserEngine, Shared\n"
    )


def test_a_template_import_must_exist(repo: Path) -> None:
    spec = write_spec(
        repo,
        """\
[[constructor]]
old = "pkg.old_mod.Engine"
new = "pkg.new_mod.UserEngine"
params = ["registry"]

[constructor.args]
emitter = "make_emitter({registry})"
factory = "get_factory()"

[constructor.imports]
make_emitter = "pkg.new_mod"
get_factory = "pkg.factories"
unused = "pkg.nowhere"
""",
    )
    problems = [str(p) for p in check_spec(parse_spec(spec.read_text(), "s.toml"), repo)]
    assert problems == [
        "s.toml:14: `constructor[0].imports.make_emitter`: `pkg.new_mod` has no top-level "
        "`make_emitter` (`pending = true` if it is still to be written)",
        "s.toml:15: `constructor[0].imports.get_factory`: no module `pkg.factories` in the "
        "repository (`pending = true` if it is still to be written)",
    ]


def test_names_count_when_imported_re_exported_or_a_submodule(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nfrom .a import *\ntry:\n    from .b import B\n"
        "except ImportError:\n    B = None\nif TYPE_CHECKING:\n    from .c import C\n"
    )
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n_private = 2\n")
    (tmp_path / "pkg" / "b.py").write_text("class B: ...\n")
    (tmp_path / "pkg" / "sub" / "mod.py").write_text("")
    index = ModuleIndex(tmp_path)
    assert [index.provides("pkg", n) for n in ("A", "B", "C", "sub", "b", "_private")] == [
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    assert index.names("pkg") == frozenset({"TYPE_CHECKING", "A", "B", "a", "b", "sub"})
    assert index.exists("pkg.sub") and index.exists("pkg.sub.mod")
    assert not index.exists("pkg.c")


def consolidated_shapes(root: Path) -> list[tuple[str, bool, list[str]]]:
    """(path, async, parameter names) of every function the built-in consolidations name."""
    spec = parse_spec(default_spec_text(), "<built-in default spec>")
    shapes = []
    for rule in spec.rules.validators:
        for path in (*rule.old, rule.new):
            module, _, name = path.rpartition(".")
            file = root.joinpath(*module.split(".")).with_suffix(".py")
            [function] = [
                node
                for node in ast.parse(file.read_text(encoding="utf-8")).body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
            ]
            args = function.args
            names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            shapes.append((path, isinstance(function, ast.AsyncFunctionDef), names))
    return shapes


def test_the_built_in_spec_matches_the_sample_repository() -> None:
    spec = parse_spec(default_spec_text(), "<built-in default spec>")
    assert [str(problem) for problem in check_spec(spec, SAMPLE)] == []
    assert consolidated_shapes(SAMPLE) == [
        ("netra_backend.app.services.user_auth_service.validate_token", False, ["token"]),
        ("netra_backend.app.auth_integration.auth.validate_token_jwt", False, ["token"]),
    ]


@pytest.mark.skipif(
    not os.environ.get("MIGRATOR_REAL_BACKEND"),
    reason="set MIGRATOR_REAL_BACKEND to a checkout of the real backend (zen at bef25c1a)",
)
def test_the_built_in_spec_matches_the_real_backend() -> None:
    spec = parse_spec(default_spec_text(), "<built-in default spec>")
    backend = Path(os.environ["MIGRATOR_REAL_BACKEND"])
    assert [str(problem) for problem in check_spec(spec, backend)] == []
    # The consolidation joins functions of one shape: `async (token)`, as its `params` say.
    assert consolidated_shapes(backend) == [
        ("netra_backend.app.services.user_auth_service.validate_token", True, ["token"]),
        ("netra_backend.app.auth_integration.auth.validate_token_jwt", True, ["token"]),
    ]
    assert [rule.params for rule in spec.rules.validators] == [("token",)]


def test_run_refuses_only_for_the_rules_it_runs(repo: Path) -> None:
    spec = write_spec(
        repo,
        '[[rename]]\nold = "pkg.old_mod.Engine"\nnew = "pkg.new_mod.UserEngine"\n\n'
        '[[consolidate]]\nold = ["pkg.gone.verify"]\nnew = "pkg.new_mod.validate"\n',
    )
    lines = [
        f"{spec}:9: `consolidate[0].old[0]`: no module `pkg.gone` in the repository "
        "(a typo? `deleted = true` on a rename whose module is gone)",
        f"{spec}:10: `consolidate[0].new`: `pkg.new_mod` has no top-level `validate` "
        "(`pending = true` if it is still to be written)",
    ]
    imports = dry_run(repo, spec)
    assert imports.exit_code == 0, imports.stderr
    assert [line for line in imports.stderr.splitlines() if line.startswith("warning:")] == [
        f"warning: {line}" for line in lines
    ]
    args = ["run", "--repo", str(repo), "--spec", str(spec), "--rule", "validators", "--dry-run"]
    validators = invoke(*args)
    assert validators.exit_code == 2
    assert validators.stderr.strip().splitlines() == [f"error: {line}" for line in lines]


def test_a_pending_constructor_rule_converts_nothing(repo: Path) -> None:
    user = "from pkg.old_mod import Engine\n\nengine = Engine(registry)\n"
    (repo / "pkg" / "user.py").write_text(user)
    spec = write_spec(
        repo,
        '[[rename]]\nold = "pkg.old_mod.Engine"\nnew = "pkg.ssot.UserEngine"\npending = true\n\n'
        '[[constructor]]\nold = "pkg.old_mod.Engine"\nnew = "pkg.ssot.UserEngine"\n'
        'params = ["registry"]\npending = true\n\n[constructor.args]\nregistry = "{registry}"\n',
    )
    args = ["run", "--repo", str(repo), "--spec", str(spec), "--no-commit"]
    result = invoke(*args, "--rule", "constructors", "--rule", "imports")
    assert result.exit_code == 0, result.stderr
    assert (repo / "pkg" / "user.py").read_text() == user
