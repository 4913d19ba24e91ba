"""Safe defaults: no shell unless asked, no glob out of the repository, no write outside it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from migrator.batch.gates import run_gate
from migrator.spec import parse_spec
from tests.batchkit import cli, commit_count, make_repo, register, spec_text, status

SHELLY = ["echo", "$HOME", ";", "touch", "pwned", "&&", "echo", "`id`"]


def gate_spec(gate: str) -> str:
    return f'[[batch]]\nname = "week-1"\nrules = ["imports"]\ngate = [{gate}]\n'


def test_gate_runs_without_a_shell_by_default(tmp_path: Path) -> None:
    gate = parse_spec(gate_spec(f"{SHELLY!r}".replace("'", '"')), "m.toml").batches[0].gates[0]
    assert gate.shell is False
    result = run_gate(gate, tmp_path, stream=io.StringIO())
    assert result.passed
    assert result.output == "$HOME ; touch pwned && echo `id`\n"  # every argument literal
    assert not (tmp_path / "pwned").exists()


def test_gate_with_shell_true_is_run_by_the_shell(tmp_path: Path) -> None:
    spec = gate_spec('{ cmd = ["touch", "made-by-shell", "&&", "echo", "$((6*7))"], shell = true }')
    gate = parse_spec(spec, "m.toml").batches[0].gates[0]
    assert gate.shell is True
    result = run_gate(gate, tmp_path, stream=io.StringIO())
    assert result.passed and result.output == "42\n"
    assert (tmp_path / "made-by-shell").exists()


@pytest.mark.parametrize(
    ("key", "toml", "line", "problem"),
    [
        ("migration.include[0]", '[migration]\ninclude = ["../other/**/*.py"]\n', 2, "climbs out"),
        ("migration.exclude[1]", '[migration]\nexclude = ["a/**", "/etc/**"]\n', 2, "is absolute"),
        ("migration.include[0]", '[migration]\ninclude = ["~/src/**"]\n', 2, "is absolute"),
        ("migration.include[0]", '[migration]\ninclude = ["!pkg/../../x"]\n', 2, "climbs out"),
        (
            "batch[0].paths[0]",
            '[[batch]]\nname = "w"\nrules = ["imports"]\npaths = ["netra/../../x/**"]\n',
            4,
            "climbs out",
        ),
        (
            "batch[0].exclude[0]",
            '[[batch]]\nname = "w"\nrules = ["imports"]\nexclude = ["C:\\\\x\\\\**"]\n',
            4,
            "is absolute",
        ),
    ],
)
def test_spec_globs_reaching_outside_are_refused_with_exit_2(
    tmp_path: Path, key: str, toml: str, line: int, problem: str
) -> None:
    (tmp_path / "migration.toml").write_text(toml)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["scan", str(tmp_path)], ["run", "--repo", str(tmp_path), "--no-commit"]):
        result = cli(*args)
        assert result.exit_code == 2
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1
        assert message.startswith(f"error: {tmp_path / 'migration.toml'}:{line}: `{key}`: ")
        assert problem in message and "stay in it" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_path_glob_reaching_outside_is_refused(tmp_path: Path) -> None:
    result = cli("run", "--repo", str(tmp_path), "--path", "../**", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: --path: `../**` climbs out with `..`: globs are relative to the repository "
        "root and stay in it"
    )


def everything_below(base: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for directory, _subdirs, files in os.walk(base):
        for name in files:
            full = Path(directory) / name
            found[full.relative_to(base).as_posix()] = (
                None if full.is_symlink() else full.read_bytes()
            )
    return found


def test_the_tool_writes_nothing_outside_the_repository_but_its_cache(
    tmp_path: Path, monkeypatch
) -> None:
    """scan, dry-run, plan, a committed batch, a killed-and-recovered state, status: the
    directories beside the repository (home, user cache, temp) stay as they were, except the
    user cache when the tree is not a git repository."""
    register(monkeypatch)
    home, cache, temp = tmp_path / "home", tmp_path / "cache", tmp_path / "tmp"
    for directory in (home, cache, temp):
        directory.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("TMPDIR", str(temp))
    files = {f"pkg{i}/m.py": f"V{i} = OLD_CALL\n" for i in range(3)}
    repo = make_repo(tmp_path / "repo", files, spec_text(max_files=2))
    outside_before = {
        k: v for k, v in everything_below(tmp_path).items() if not k.startswith("repo/")
    }

    for args in (
        ("scan", str(repo)),
        ("plan", str(repo)),
        ("run", "week-1", "--repo", str(repo), "--dry-run"),
        ("run", "week-1", "--repo", str(repo)),
        ("status", str(repo)),
        ("recover", str(repo)),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert commit_count(repo) == 3 and status(repo) == ""
    outside_after = {
        k: v for k, v in everything_below(tmp_path).items() if not k.startswith("repo/")
    }
    assert outside_after == outside_before

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("V = OLD_CALL\n")
    (plain / "migration.toml").write_text(spec_text())
    assert cli("scan", str(plain)).exit_code == 0
    assert cli("run", "--repo", str(plain), "--no-commit").exit_code == 0
    new = set(everything_below(tmp_path)) - set(outside_after)
    assert {p for p in new if not p.startswith(("repo/", "plain/"))} and all(
        p.startswith(("repo/", "plain/", "cache/migrator/")) for p in new
    ), sorted(new)
    assert (plain / "a.py").read_text() == "V = NEW_CALL\n"
