"""The needle prefilter: one search per file, and it never changes a result."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from benchmarks.generate import generate
from codemods import CODEMODS
from migrator.engine.runner import Job, minimal_needles, process_file
from migrator.engine.scan import scan
from migrator.spec import default_spec_text, parse_spec
from tests.parity import count_parses

SPEC = parse_spec(default_spec_text(), "default")
SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
OLD = "netra_backend.app.agents.supervisor.execution_engine"


def report_of(root: Path, **options) -> dict:
    return scan(root, SPEC, **options).to_dict()


@cache
def sample_report(jobs: int, prefilter: bool = True) -> dict:
    """One scan of the sample repository per setting, shared with test_parallel."""
    return report_of(SAMPLE, jobs=jobs, prefilter=prefilter)


def test_minimal_needles_drop_needles_that_contain_another() -> None:
    assert minimal_needles([b"ExecutionEngine", b"Engine", b"execution_engine_factory", b""]) == (
        b"Engine",
        b"execution_engine_factory",
    )
    assert minimal_needles([]) == ()


@pytest.mark.parametrize(
    "source, candidate",
    [
        (b"def f():\n    return 1\n", False),
        (b"x = 'engine'  # lower case is not a needle\n", False),
        (b"# UserExecutionEngine only in a comment\n", True),
        (b"value = 'caf\xe9'\nMOCK_AUTH_AVAILABLE = True\n", True),  # latin-1, never decoded
        (b"from a import validate_token", True),
        (b"x = 1\n" * 5000 + b"ExecutionEngine", True),
    ],
)
def test_is_candidate(source: bytes, candidate: bool) -> None:
    job = Job("/", SPEC.rules, tuple(CODEMODS))
    assert job.is_candidate(source) is candidate
    assert Job("/", SPEC.rules, tuple(CODEMODS), prefilter=False).is_candidate(source)


def test_a_codemod_without_needles_is_never_a_candidate() -> None:
    job = Job("/", SPEC.rules, ())
    assert job.needles == () and not job.is_candidate(b"ExecutionEngine")


def test_files_without_needles_are_not_parsed(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "plain.py").write_text("def f():\n    return 1\n")
    (tmp_path / "broken.py").write_text("def f(:\n")  # no needle: never parsed, so no error
    (tmp_path / "uses.py").write_text(f"import {OLD}\n")
    parsed = count_parses(monkeypatch)
    job = Job(str(tmp_path), SPEC.rules, tuple(CODEMODS))
    results = {p: process_file(job, p) for p in ("plain.py", "broken.py", "uses.py")}
    assert parsed == ["uses.py"]
    assert results["broken.py"].error is None
    assert [f.rule for f in results["uses.py"].findings] == ["deprecated-import"]


def test_sample_repository_same_with_and_without_prefilter() -> None:
    filtered = sample_report(1)
    assert filtered["metrics"]["deprecated_imports"] > 0
    assert filtered == sample_report(2, prefilter=False)


def test_generated_repository_same_with_and_without_prefilter(tmp_path: Path) -> None:
    stats = generate(tmp_path, files=45, affected=0.4, seed=3, median_size=300)
    assert stats["affected"] == 12
    filtered = report_of(tmp_path, jobs=1)
    assert filtered["metrics"]["direct_instantiations"] > 0
    assert filtered["metrics"]["canonical_imports"] > 0
    assert filtered == report_of(tmp_path, jobs=2, prefilter=False)
