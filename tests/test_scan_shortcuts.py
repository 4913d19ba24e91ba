"""The scan's shortcuts: text checks that let an analyzer skip work (collecting and resolving
calls, building scopes, entering statements) only where no reported shape can be, the one needle
pass, git asked in the background, and the scope index released. None may change a result."""

from __future__ import annotations

import gc
import subprocess
from pathlib import Path

import pytest

import codemods.imports.fast as imports_fast
import codemods.singletons.fast as singletons_fast
from codemods import CODEMODS
from codemods.core.tree import AstFile
from codemods.core.values import Analysis, FileContext
from codemods.registry import fast_analyzer
from migrator.engine.cache import ResultCache
from migrator.engine.runner import FileResult, Job
from migrator.git import IndexShas, index_shas
from migrator.spec import default_spec_text, parse_spec
from tests.parity import corpus_files

SPEC = parse_spec(default_spec_text(), "default")
RULES = SPEC.rules
ENGINES = "netra_backend.app.agents.supervisor"
OLD_ENGINE = f"{ENGINES}.execution_engine"
AUTH = "netra_backend.app.services.user_auth_service"


def ast_file(source: str, path: str = "netra_backend/app/agents/x.py") -> AstFile:
    return AstFile(source, FileContext.from_path(path))


@pytest.mark.parametrize(
    "source, called",
    [
        ("ExecutionEngine(registry)", True),
        ("engines.ExecutionEngine (registry)", True),
        ("ExecutionEngine[int](registry)", True),
        ("(ExecutionEngine)(registry)", True),
        ("f(ExecutionEngine  # the old one\n  (registry))", True),
        ("x = ExecutionEngine \\\n    (registry)", True),
        (f"from {OLD_ENGINE} import ExecutionEngine as Engine", True),
        (f"from {OLD_ENGINE} import (\n    ExecutionEngine  # old\n    as Engine,\n)", True),
        ("def ExecutionEngine(): ...", True),  # a superset: a definition looks like a call
        ("MyExecutionEngine(registry)", False),
        ("ExecutionEngineFactory(registry)", False),
        ("ExecutionEngine.create(registry)", False),
        ("engine: ExecutionEngine = make()", False),
        (f"from {OLD_ENGINE} import ExecutionEngine\n", False),
        ("'ExecutionEngine is documented here'", False),
    ],
)
def test_may_call_finds_every_spelling_of_a_callee_or_an_import_as(
    source: str, called: bool
) -> None:
    assert ast_file(source).may_call({"ExecutionEngine"}) is called


def test_may_call_and_may_name_answer_yes_when_identifiers_are_not_written_as_read() -> None:
    # `ａ` normalizes to `a`: ast reads the name as the rule spells it, the text does not.
    file = ast_file("ＥxecutionEngine(registry)\n")
    assert file.may_call({"ExecutionEngine"}) and file.may_name(f"{OLD_ENGINE}.Nothing")
    assert not ast_file("ExecutionEngine\n").may_call(set())


def test_may_name_takes_components_from_the_text_and_the_module_path() -> None:
    own = ast_file(
        "def validate_token(t): ...\n", "netra_backend/app/services/user_auth_service.py"
    )
    assert own.may_name(f"{AUTH}.validate_token")
    elsewhere = ast_file("def validate_token(t): ...\n", "netra_backend/app/routes/users.py")
    assert not elsewhere.may_name(f"{AUTH}.validate_token")


@pytest.mark.parametrize(
    "source, present",
    [
        (b"x = 1\n", set()),
        (b"UserExecutionEngine()", {"singletons", "constructors", "imports"}),
        (b"from a import validate_token_jwt", {"validators", "imports"}),
        (b"cls()", {"singletons"}),
        (b"MOCK_AUTH_AVAILABLE and UserExecutionContext", {"flags", "imports"}),
    ],
)
def test_one_needle_pass_gives_each_codemod_its_own_answer(source: bytes, present: set) -> None:
    job = Job("/", RULES, tuple(CODEMODS))
    assert job.present(source) == present
    assert {
        name for name, needles in job.by_codemod if any(n in source for n in needles)
    } == present
    assert job.is_candidate(source) is bool(present)


def _value(analysis: Analysis) -> tuple:
    findings = [(f.to_dict(), f.fix, f.edits, f.after_fix) for f in analysis.findings]
    return findings, analysis.counts, {k: sorted(v) for k, v in analysis.names.items()}


def _analyses(path: str, source: bytes | str) -> dict[str, tuple]:
    found = {}
    for name in CODEMODS:
        file = AstFile(source, FileContext.from_path(path))
        found[name] = _value(fast_analyzer(name)(file, RULES))
    return found


def _without_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text check answers "maybe", every statement is entered, every target resolved."""
    monkeypatch.setattr(AstFile, "may_call", lambda self, names: True)
    monkeypatch.setattr(AstFile, "may_name", lambda self, path: True)
    monkeypatch.setattr(singletons_fast._Analyzer, "_reportable", lambda self, target: True)
    monkeypatch.setattr(
        imports_fast, "_needle_lines", lambda text, needles: imports_fast._Lines(None, None, None)
    )


SHAPES = {
    "validator through a relative import": (
        "netra_backend/app/services/handlers.py",
        "from . import user_auth_service\n\n\ndef f(t):\n"
        "    return user_auth_service.validate_token(t)\n",
    ),
    "a module's own validator (the path spells its module)": (
        "netra_backend/app/services/user_auth_service.py",
        "def validate_token(t):\n    return t\n\n\ndef g(t):\n    return validate_token(t)\n",
    ),
    "a method of the same name": (
        "netra_backend/app/routes/users.py",
        "class A:\n    def f(self, t):\n        return self.validate_token(t)\n",
    ),
    "old engine imported as another name": (
        "netra_backend/app/agents/runner.py",
        f"from {OLD_ENGINE} import (\n    ExecutionEngine  # old\n    as Engine,\n)\n\n\n"
        "def run(registry, bridge, ctx):\n    return Engine(registry, bridge, ctx)\n",
    ),
    "old engine called across lines": (
        "netra_backend/app/agents/runner.py",
        f"from {OLD_ENGINE} import ExecutionEngine\n\n\ndef run(registry, bridge):\n"
        "    return (ExecutionEngine\n        (registry, bridge))\n",
    ),
    "old engine named but never called": (
        "netra_backend/app/agents/runner.py",
        f"from {OLD_ENGINE} import ExecutionEngine\n\n\ndef run(engine: ExecutionEngine):\n"
        "    return engine\n",
    ),
    "imports nested deep, one split over lines": (
        "netra_backend/app/agents/deep.py",
        "class A:\n    def f(self):\n        if True:\n            try:\n                from "
        "netra_backend.app.services.user_execution_context \\\n                    import "
        "UserExecutionContext\n            except ImportError:\n                pass\n"
        "\n\ndef g():\n    for x in y:\n        import "
        f"{OLD_ENGINE}\n",
    ),
    "path strings, the word and the needle on different lines": (
        "netra_backend/tests/test_runner.py",
        "def test_a():\n    with patch(\n        'os.path.join'\n    ), patch(\n"
        f"        '{OLD_ENGINE}.ExecutionEngine.run'\n    ):\n        pass\n"
        "    sys.modules[\n"
        f"        '{OLD_ENGINE}'\n    ] = None\n",
    ),
    "singletons in functions, global and not": (
        "netra_backend/app/agents/single.py",
        "_engine = None\n\n\ndef get():\n    global _engine\n    _engine = EngineFactory()\n"
        "    local = EngineFactory()\n    return local\n\n\nclass B:\n    shared = ToolBridge()\n"
        "\n    def f(self):\n        self._instance = ToolBridge()\n        other = ToolBridge()\n",
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shortcuts_change_no_analysis_of_these_shapes(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, source = SHAPES[shape]
    fast = _analyses(path, source)
    _without_shortcuts(monkeypatch)
    assert fast == _analyses(path, source)


def test_shortcuts_change_no_analysis_of_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = []
    for path, source in corpus_files():
        try:
            corpus.append((path, source, _analyses(path, source)))
        except (SyntaxError, ValueError):
            continue
    _without_shortcuts(monkeypatch)
    assert len(corpus) > 50
    for path, source, fast in corpus:
        assert fast == _analyses(path, source), path


def _found(shape: str) -> list[tuple[str, int, int]]:
    path, source = SHAPES[shape]
    analyses = {name: fast_analyzer(name)(ast_file(source, path), RULES) for name in CODEMODS}
    return sorted((f.rule, f.line, f.column) for a in analyses.values() for f in a.findings)


def test_the_shapes_are_still_found_exactly() -> None:
    assert _found("validator through a relative import") == [("token-validation", 5, 11)]
    assert _found("a module's own validator (the path spells its module)") == [
        ("token-validation", 6, 11)
    ]
    assert _found("a method of the same name") == []
    assert _found("old engine imported as another name") == [
        ("deprecated-import", 2, 4),
        ("direct-instantiation", 8, 11),
    ]
    assert _found("old engine called across lines") == [
        ("deprecated-import", 1, 65),
        ("direct-instantiation", 5, 12),
    ]
    assert _found("old engine named but never called") == [("deprecated-import", 1, 65)]
    assert _found("path strings, the word and the needle on different lines") == [
        ("string-reference", 5, 8),
        ("string-reference", 9, 8),
    ]
    assert _found("singletons in functions, global and not") == [
        ("singleton", 6, 4),
        ("singleton", 12, 4),
        ("singleton", 15, 8),
    ]
    path, source = SHAPES["imports nested deep, one split over lines"]
    imports = fast_analyzer("imports")(ast_file(source, path), RULES)
    assert imports.counts == {"canonical_imports": 1}
    assert [(f.rule, f.line) for f in imports.findings] == [("deprecated-import", 13)]


def test_a_released_file_leaves_no_cycle_for_the_collector() -> None:
    path, source = SHAPES["singletons in functions, global and not"]
    gc.collect()
    gc.disable()
    try:
        file = ast_file(source * 20, path)
        assert file.scopes.scopes and file.qualified_names(file.tree.body[0].targets[0])
        file.release()
        del file
    finally:
        gc.enable()
    assert gc.collect() == 0


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_index_shas_asked_in_the_background_are_git_s_answer(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("a = 1\n")
    (tmp_path / "b.py").write_text("b = 1\n")
    _git(tmp_path, "add", ".")
    (tmp_path / "b.py").write_text("b = 2\n")  # modified: git does not vouch for its sha
    asked = IndexShas(tmp_path)
    shas = asked.get()
    assert asked.ready() and shas == index_shas(tmp_path)
    assert set(shas) == {"a.py"}
    assert IndexShas(tmp_path / "a.py").get() == {}  # not a directory git can run in


def test_results_stored_before_git_answers_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("a = 1\n")
    _git(tmp_path, "add", ".")
    monkeypatch.setattr(IndexShas, "ready", lambda self: False)
    store = ResultCache(tmp_path, "ns", tmp_path / "cache")
    assert store.cold
    store.store([FileResult("a.py", counts={"canonical_imports": 2})])
    store.close()
    again = ResultCache(tmp_path, "ns", tmp_path / "cache")
    assert again.lookup(["a.py"]) == {"a.py": FileResult("a.py", counts={"canonical_imports": 2})}
    again.close()
