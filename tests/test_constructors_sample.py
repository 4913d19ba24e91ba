"""Constructors and imports on a copy of the sample repository, deprecated engine modules deleted.

Runs the real CLI (`migrator run --rule constructors --rule imports --no-commit`) twice, deletes
the deprecated engine modules, then runs the sample's own pytest suite with a probe plugin that
records the user context of every engine constructed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest

from codemods.constructors.plan import FilePlan, plan_file
from codemods.core.base import FileContext, ParsedFile
from migrator.spec import default_spec_text, parse_spec

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
RULES = parse_spec(default_spec_text(), "<default>").rules
APP = "netra_backend/app"
DEPRECATED_ENGINE_MODULES = (
    f"{APP}/agents/supervisor/execution_engine.py",
    f"{APP}/agents/execution_engine_consolidated.py",
    f"{APP}/agents/supervisor/request_scoped_execution_engine.py",
    f"{APP}/agents/execution_engine_unified_factory.py",
    f"{APP}/agents/supervisor/execution_factory.py",
    f"{APP}/core/managers/execution_engine_factory.py",
)
# The one call site the constructors codemod leaves for review that the sample suite runs.
SYSTEM_TASK_TEST = "tests/test_subclass_and_types.py::test_system_task_runs_without_a_user"
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}

PROBE = '''
"""pytest plugin: record where every engine is built and whose context it carries."""
import inspect, json, os
from pathlib import Path

RECORDS = []
SKIP = {"user_execution_engine.py", "execution_engine.py"}


def pytest_configure(config):
    from netra_backend.app.agents.supervisor import user_execution_engine as module

    original = module.UserExecutionEngine.__init__

    def recording_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        frame = inspect.currentframe().f_back
        while frame is not None and (
            Path(frame.f_code.co_filename).name in SKIP
            or (frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is self)
        ):
            frame = frame.f_back
        path = os.path.relpath(frame.f_code.co_filename, os.getcwd()).replace(os.sep, "/")
        user = getattr(self.context, "user_id", None)
        RECORDS.append([path, frame.f_lineno, type(self).__name__, user])

    module.UserExecutionEngine.__init__ = recording_init


def pytest_unconfigure(config):
    Path(os.environ["ENGINE_PROBE_OUT"]).write_text(json.dumps(RECORDS))
'''


@dataclass
class Migration:
    repo: Path
    original: dict[str, bytes]
    first: subprocess.CompletedProcess
    migrated: dict[str, bytes]
    second: subprocess.CompletedProcess
    rerun: dict[str, bytes]
    after_scan: dict
    tests: subprocess.CompletedProcess
    engines: list[tuple[str, int, str, str | None]]


def migrator(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "migrator", *args]
    return subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=300)


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*.py"))}


def scan(repo: Path) -> dict:
    result = migrator("scan", str(repo), "--format", "json", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_rules(repo: Path) -> subprocess.CompletedProcess:
    rules = ("--rule", "constructors", "--rule", "imports")
    return migrator("run", "--repo", str(repo), *rules, "--no-commit", "--jobs", "1")


@pytest.fixture(scope="module")
def migration(tmp_path_factory: pytest.TempPathFactory) -> Migration:
    if not (SAMPLE / "FORMS.md").is_file():
        pytest.skip("the sample repository is not finished (no FORMS.md)")
    work = tmp_path_factory.mktemp("constructors")
    repo = work / "sample"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    original = snapshot(repo)
    first = run_rules(repo)
    migrated = snapshot(repo)
    second = run_rules(repo)
    rerun = snapshot(repo)
    after_scan = scan(repo)
    for module in DEPRECATED_ENGINE_MODULES:
        (repo / module).unlink()
    (work / "engine_probe.py").write_text(PROBE)
    out = work / "engines.json"
    env = {
        **ENV,
        "PYTHONPATH": os.pathsep.join([str(work), str(repo)]),
        "ENGINE_PROBE_OUT": str(out),
    }
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
            "-p",
            "engine_probe",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        timeout=300,
    )
    engines = [tuple(record) for record in json.loads(out.read_text())] if out.exists() else []
    return Migration(repo, original, first, migrated, second, rerun, after_scan, tests, engines)


def plans(files: dict[str, bytes]) -> dict[str, tuple[ParsedFile, FilePlan]]:
    """The constructors codemod's plan for every parsable file that mentions an engine."""
    found: dict[str, tuple[ParsedFile, FilePlan]] = {}
    for path, data in files.items():
        if b"ExecutionEngine" not in data:
            continue
        try:
            parsed = ParsedFile(data, FileContext.from_path(path))
        except cst.ParserSyntaxError:
            continue
        found[path] = (parsed, plan_file(parsed, RULES))
    return found


def conversions(files: dict[str, bytes]) -> dict[str, list[tuple[str, str]]]:
    """Per file: (user_context, websocket_bridge) source text of every call the codemod converts."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path, (parsed, plan) in plans(files).items():
        for conversion in plan.conversions.values():
            arguments = conversion.binding.arguments
            text = parsed.module.code_for_node
            pair = (
                text(arguments["user_context"].value),
                text(arguments["websocket_bridge"].value),
            )
            found.setdefault(path, []).append(pair)
    return found


def refusals(files: dict[str, bytes]) -> set[tuple[str, int]]:
    """(path, line) of every call the codemod leaves for review."""
    return {
        (path, parsed.position(refusal.call)[0])
        for path, (parsed, plan) in plans(files).items()
        for refusal in plan.refusals
    }


def new_calls(source: bytes) -> Counter[tuple[str, str, str]]:
    """(context, emitter's user, emitter's bridge) of every keyword UserExecutionEngine call; the
    emitter is `UserWebSocketEmitter(<ctx>.user_id, <ctx>.thread_id, <ctx>.run_id, <bridge>)`."""
    module = cst.parse_module(source)
    calls: Counter[tuple[str, str, str]] = Counter()
    for call in cst.matchers.findall(module, cst.matchers.Call()):
        keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword}
        emitter = keywords.get("websocket_emitter")
        if "context" not in keywords or not isinstance(emitter, cst.Call):
            continue
        ids = [arg.value for arg in emitter.args[:3]]
        if len(emitter.args) == 4 and all(isinstance(i, cst.Attribute) for i in ids):
            owners = {module.code_for_node(i.value) for i in ids}  # type: ignore[attr-defined]
            attrs = [i.attr.value for i in ids]  # type: ignore[attr-defined]
            if len(owners) == 1 and attrs == ["user_id", "thread_id", "run_id"]:
                texts = (module.code_for_node(keywords["context"]), owners.pop())
                calls[(*texts, module.code_for_node(emitter.args[3].value))] += 1
    return calls


def direct(scan_report: dict) -> list[dict]:
    return [f for f in scan_report["findings"] if f["rule"] == "direct-instantiation"]


def test_the_run_succeeds_and_leaves_only_review_items(migration: Migration) -> None:
    assert migration.first.returncode == 0, migration.first.stderr
    assert sum(len(calls) for calls in conversions(migration.original).values()) == 21
    review = refusals(migration.original)
    assert review == {
        ("netra_backend/app/services/system_tasks.py", 10),
        ("netra_backend/app/services/fallback_engine_loader.py", 11),
    }
    # After the batch every remaining direct instantiation is one with a manual-review finding
    # (the imports codemod resolves fallback_engine_loader's ambiguous name on the same run).
    remaining = direct(migration.after_scan)
    assert migration.after_scan["metrics"]["direct_instantiations"] == len(remaining)
    assert {(f["path"], f["line"]) for f in remaining} <= review
    assert ("netra_backend/app/services/system_tasks.py", 10) in {
        (f["path"], f["line"]) for f in remaining
    }
    assert all(f["manual_review"] for f in remaining)
    violations = [f for f in migration.after_scan["findings"] if f["rule"] == "di-violation"]
    assert violations and not {f["path"] for f in violations} & set(conversions(migration.original))


def test_every_converted_call_passes_the_old_user_context(migration: Migration) -> None:
    expected = conversions(migration.original)
    assert sum(len(pairs) for pairs in expected.values()) == 21
    for path, pairs in expected.items():
        calls = new_calls(migration.migrated[path])
        for user_context, bridge in pairs:
            assert calls[(user_context, user_context, bridge)] >= 1, (path, user_context)
            calls[(user_context, user_context, bridge)] -= 1
            assert user_context != "None"


def test_a_second_run_changes_nothing(migration: Migration) -> None:
    assert migration.second.returncode == 0, migration.second.stderr
    assert migration.rerun == migration.migrated


def test_no_converted_file_imports_a_deleted_module(migration: Migration) -> None:
    converted = set(conversions(migration.original))
    leftovers = [
        f
        for f in migration.after_scan["findings"]
        if f["rule"] == "deprecated-import" and f["path"] in converted
    ]
    assert leftovers == []


@pytest.mark.xfail(
    strict=True,
    reason="services/system_tasks.py calls ExecutionEngine._init_from_factory(registry, "
    "websocket_bridge) with no user context: the constructors codemod leaves it for review and "
    "the imports codemod then keeps its import of the deleted execution_engine module",
)
def test_the_sample_tests_pass_with_the_deprecated_modules_deleted(migration: Migration) -> None:
    assert migration.tests.returncode == 0, migration.tests.stdout[-3000:]


def test_only_the_call_left_for_review_fails(migration: Migration) -> None:
    output = migration.tests.stdout
    failed = {line.split()[1] for line in output.splitlines() if line.startswith("FAILED ")}
    assert failed <= {SYSTEM_TASK_TEST}, output[-3000:]
    assert " passed" in output and " error" not in output, output[-3000:]


def test_every_constructed_engine_carries_the_users_context(migration: Migration) -> None:
    engines = migration.engines
    assert engines, migration.tests.stdout[-3000:]
    assert all(user for _, _, _, user in engines)
    converted = set(conversions(migration.original))
    from_converted = [record for record in engines if record[0] in converted]
    assert {record[0] for record in from_converted} == converted
    assert [record for record in from_converted if record[3] == "system"] == []
