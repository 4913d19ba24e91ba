"""The analysis decides which transforms run: the same output as running every transform."""

from __future__ import annotations

from functools import cache

import pytest

from codemods import CODEMODS
from codemods.core.base import FileContext, ParsedFile
from codemods.core.line_shift import shift_findings
from migrator.engine import runner
from migrator.engine.discover import discover
from migrator.engine.importers import repository_facts
from migrator.spec import default_spec_text, parse_spec
from tests.parity import SAMPLE, corpus_files

SPEC = parse_spec(default_spec_text(), "default")
NAMES = tuple(CODEMODS)


@cache
def sample_rules():
    """The default rules with the sample repository's facts (re-exports, outside imports)."""
    return repository_facts(SAMPLE, SPEC, discover(SAMPLE, SPEC.include))


def every_transform(rules, path: str, source: bytes) -> tuple[bytes | None, list, dict]:
    """What the runner wrote before the analysis decided: each transform on every candidate."""
    try:
        parsed = ParsedFile(source, FileContext.from_path(path))
    except Exception:  # noqa: BLE001
        return None, [], {}
    findings, changes = [], {}
    encoding = parsed.module.encoding
    if parsed.code.encode(encoding) != source:
        return None, [], {}
    for name in NAMES:
        outcome = CODEMODS[name].transform(parsed, rules)
        if outcome.code != parsed.code:
            # the earlier codemods' findings follow the text, as the runner moves them
            findings = shift_findings(findings, parsed.code, outcome.code)
        findings.extend(outcome.findings)
        if outcome.code != parsed.code:
            changes[name] = max(outcome.changes, 1)
            parsed = ParsedFile(outcome.code, parsed.context)
    return (parsed.code.encode(encoding) if changes else None), findings, changes


class _KeepEveryChange:
    """A rewrite check that withdraws nothing."""

    def regression(self, old: str, new: str, edits: object = None) -> None:
        return None

    def seed(self, file: object, analyses: object) -> None:
        return None

    def parsed(self, text: str) -> None:
        return None  # nothing measured: the runner parses for itself

    def release(self) -> None:
        return None


CORPUS = [(path, source) for path, source in corpus_files() if b"@generated" not in source]


@pytest.mark.parametrize(("path", "source"), CORPUS, ids=[p for p, _ in CORPUS])
def test_the_runner_writes_what_every_transform_writes(
    path: str, source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the skip decision is compared here: the no-worse check that withdraws a change is
    # tested in test_withdraw. Findings follow the text in both (a fix applied as edits
    # reports what it leaves where the runner moves it; a transform, where it now is).
    monkeypatch.setattr(runner, "_rewrite_check", lambda job, context: _KeepEveryChange())
    rules = sample_rules()
    job = runner.Job(str(SAMPLE), rules, NAMES, transform=True)
    if not job.is_candidate(source):
        pytest.skip("no needle: the runner never reads further")
    result = runner.process_source(job, path, source)
    new, findings, changes = every_transform(rules, path, source)
    assert (result.new if result.changed else None) == new
    assert result.changes == changes
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in findings]


def test_a_file_with_nothing_to_fix_is_never_parsed_by_libcst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = (
        b"from netra_backend.app.agents.supervisor.execution_engine_factory import (\n"
        b"    ExecutionEngineFactory,\n)\n\n\ndef build(factory: ExecutionEngineFactory):\n"
        b"    return factory\n"
    )
    job = runner.Job(".", SPEC.rules, NAMES, transform=True)
    assert job.is_candidate(source)

    def no_parse(*args: object) -> None:
        raise AssertionError("LibCST parsed a file with nothing to fix")

    monkeypatch.setattr(runner, "libcst_parse", no_parse)
    result = runner.process_source(job, "pkg/service.py", source)
    assert (result.new, result.error, result.findings, result.changes) == (None, None, [], {})


def test_only_the_codemods_with_a_fix_are_transformed(monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        b"from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n\n"
        b"MOCK_AUTH_AVAILABLE = False\n"
    )
    called: list[str] = []
    for name, codemod in CODEMODS.items():
        real = type(codemod).transform

        def spy(self, parsed, rules, name=name, real=real):
            called.append(name)
            return real(self, parsed, rules)

        monkeypatch.setattr(type(codemod), "transform", spy)
    job = runner.Job(".", SPEC.rules, NAMES, transform=True)
    result = runner.process_source(job, "pkg/service.py", source)
    # flags (whose needle is there) removes the falsy definition; imports moves the import by
    # the text edits its analysis gives, with no transform.
    assert called == ["flags"]
    assert result.changes == {"flags": 1, "imports": 1}
    assert result.new == (
        b"from netra_backend.app.agents.supervisor.user_execution_engine import "
        b"UserExecutionEngine\n"
    )
