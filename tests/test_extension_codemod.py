"""The promise of the registry: a sixth codemod is one package plus one registration.

The `shout` codemod below lives outside this repository (a package written to tmp_path). With
one `register()` call, and no change anywhere in `migrator/`, the spec reads its `[[shout]]`
tables and its target, `scan` reports its finding and metric (text, JSON and SARIF), `run`
rewrites with it, and `check` ratchets its metric.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codemods import registry
from migrator.cli import app

PACKAGE = {
    "__init__.py": '''
        """Shout: a word the spec names is written in capitals."""

        from dataclasses import dataclass

        from codemods.core.descriptor import Descriptor, FindingKind, counted


        @dataclass(frozen=True)
        class ShoutRule:
            word: str


        def read(spec, value, key):
            table = spec.table(value, key, {"word"})
            spec.require(table, key, "word")
            return ShoutRule(spec.identifier(table["word"], (*key, "word")))


        DESCRIPTOR = Descriptor(
            name="shout",
            section="shout",
            read=read,
            needles=lambda rules: frozenset(r.word.encode() for r in rules.of("shout")),
            codemod="shout.codemod:ShoutCodemod",
            findings=(FindingKind("quiet-word", "A word said quietly", "Say it in capitals."),),
            metrics=(counted("quiet_words", "quiet-word"),),
        )
    ''',
    "codemod.py": """
        import re

        from codemods.core.base import Analysis, Finding, TransformResult


        class ShoutCodemod:
            name = "shout"

            def needles(self, rules):
                return frozenset(r.word.encode() for r in rules.of("shout"))

            def _pattern(self, rules):
                return re.compile("|".join(rf"\\b{r.word}\\b" for r in rules.of("shout")))

            def analyze(self, parsed, rules):
                analysis = Analysis()
                for number, line in enumerate(parsed.code.splitlines(), 1):
                    for match in self._pattern(rules).finditer(line):
                        analysis.findings.append(
                            Finding(
                                "quiet-word",
                                parsed.context.path,
                                number,
                                match.start(),
                                f"`{match.group()}` said quietly",
                            )
                        )
                return analysis

            def transform(self, parsed, rules):
                code, count = self._pattern(rules).subn(lambda m: m.group().upper(), parsed.code)
                return TransformResult(code, [], count)
    """,
}
SPEC = """\
[migration]
name = "toy"

[[shout]]
word = "hello"

[[batch]]
name = "loud"
rules = ["shout"]
gate = []

[targets]
quiet_words = { max = 0 }
"""


@pytest.fixture
def shout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The toy codemod's package on sys.path, registered for this test only."""
    home = tmp_path / "extensions"
    (home / "shout").mkdir(parents=True)
    for name, text in PACKAGE.items():
        (home / "shout" / name).write_text(textwrap.dedent(text).lstrip())
    monkeypatch.syspath_prepend(str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import shout as package

    registry.register(package.DESCRIPTOR)
    yield
    del registry.DESCRIPTORS["shout"]
    for module in ("shout", "shout.codemod"):
        sys.modules.pop(module, None)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "migration.toml").write_text(SPEC)
    (root / "greet.py").write_text('def greet():\n    return "hello, world"  # hello\n')
    (root / "other.py").write_text("x = 1\n")
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "."], [*identity, "commit", "-qm", "start"]):
        subprocess.run(["git", *command], cwd=root, check=True, env=env)
    return root


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_registered_package_is_scanned_reported_rewritten_and_ratcheted(
    shout, repo: Path
) -> None:
    scanned = cli("scan", str(repo), "--format", "json", "--jobs", "2")
    assert scanned.exit_code == 0, scanned.output
    report = json.loads(scanned.stdout)
    assert report["metrics"]["quiet_words"] == 2
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in report["findings"]] == [
        ("quiet-word", "greet.py", 2, 12),
        ("quiet-word", "greet.py", 2, 29),
    ]

    sarif = json.loads(cli("scan", str(repo), "--format", "sarif").stdout)
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["quiet-word"]["shortDescription"] == {"text": "A word said quietly"}
    assert rules["quiet-word"]["help"] == {"text": "Say it in capitals."}
    assert [result["ruleId"] for result in run["results"]] == ["quiet-word", "quiet-word"]

    baseline = cli("check", str(repo), "--update-baseline")
    assert baseline.exit_code == 0, baseline.output
    missed = cli("check", str(repo), "--targets")
    assert missed.exit_code == 1
    assert "quiet_words" in missed.output and "quiet-word" in missed.output
    (repo / "other.py").write_text('x = "hello"\n')
    regressed = cli("check", str(repo))
    assert regressed.exit_code == 1
    assert "other.py:1:5: quiet-word: `hello` said quietly" in regressed.output

    written = cli("run", "loud", "--repo", str(repo), "--no-commit", "--jobs", "2")
    assert written.exit_code == 0, written.output
    assert (repo / "greet.py").read_text() == 'def greet():\n    return "HELLO, world"  # HELLO\n'
    assert (repo / "other.py").read_text() == 'x = "HELLO"\n'
    assert cli("check", str(repo), "--targets").exit_code == 0


def test_the_spec_reads_its_section_with_errors_that_name_file_line_and_key(
    shout, repo: Path
) -> None:
    (repo / "migration.toml").write_text(SPEC.replace('word = "hello"', 'wrod = "hello"'))
    result = cli("scan", str(repo))
    assert result.exit_code == 2
    assert "migration.toml:5: `shout[0].wrod`: unknown key (did you mean `word`?)" in result.output


def test_without_the_registration_the_section_is_unknown(repo: Path) -> None:
    result = cli("scan", str(repo))
    assert result.exit_code == 2
    assert "`shout`: unknown key" in result.output


def test_a_name_or_section_is_registered_once() -> None:
    flags = registry.DESCRIPTORS["flags"]
    with pytest.raises(ValueError, match="a codemod named `flags` is already registered"):
        registry.register(flags)
    with pytest.raises(ValueError, match="the spec section `flag` already has a codemod"):
        registry.register(replace(flags, name="flags2"))
    assert registry.names() == registry.BUILT_IN
