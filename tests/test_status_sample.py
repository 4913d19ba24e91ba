"""`status` on a copy of the sample repository after week-3: each week judged over its paths."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from tests.batchkit import cli, git, hermetic_git

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
GATE = 'gate = [{ builtin = "compile-changed" }]'


def test_status_after_week_3_on_the_sample(tmp_path: Path, monkeypatch) -> None:
    hermetic_git(monkeypatch)
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "author@example.com")
    repo = tmp_path / "sample"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    assert cli("init", str(repo)).exit_code == 0
    spec = repo / "migration.toml"
    python = json.dumps(sys.executable)
    own_python = f'gate = [{{ builtin = "compile-changed", python = {python} }}]'
    spec.write_text(spec.read_text().replace(GATE, own_python))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sample")
    run = cli("run", "week-3", "--repo", str(repo), "--json", "-j", "1")
    assert run.exit_code == 0, run.output
    record = json.loads(run.stdout)
    status = cli("status", str(repo), "--json", "-j", "1")
    assert status.exit_code == 0, status.output
    document = json.loads(status.stdout)
    week_3 = [
        (t["metric"], t["value"], t["met"]) for t in document["targets"] if t["scope"] == "week-3"
    ]
    # exactly what the run measured over week-3's paths (netra_backend/**, tests excluded)
    assert week_3 == [(t["metric"], t["value"], t["met"]) for t in record["targets"]]
    assert week_3 == [
        ("fragmented_imports", 3, True),
        ("canonical_import_usage", 93.6, True),
        ("deprecated_imports", 2, False),
        ("direct_instantiations", 1, False),
    ]
    assert document["metrics"]["deprecated_imports"] == 13  # the whole tree: week-4's work
    [commit] = document["history"]["commits"]
    assert (commit["batch"], commit["chunk"], len(commit["files"])) == ("week-3", "1/1", 25)
    monkeypatch.setenv("COLUMNS", "100")
    text = cli("status", str(repo), "-j", "1").stdout.splitlines()
    rows = [line for line in text if "week-3" in line and "│" in line]
    assert rows == [
        "│ deprecated_imports     │      13 │ week-3 │ 2 <= 0 NOT MET     │ <= 0 NOT MET  │",
        "│ fragmented_imports     │      16 │ week-3 │ 3 <= 50 ok         │ <= 5 NOT MET  │",
        "│ canonical_import_usage │    74.2 │ week-3 │ 93.6 >= 90 ok      │ >= 95 NOT MET │",
        "│ direct_instantiations  │      14 │ week-3 │ 1 <= 0 NOT MET     │ <= 0 NOT MET  │",
    ]
    assert text[-2].startswith("  week-3 1/1  ")
    assert text[-2].endswith("25 file(s)  gate passed  in effect")
