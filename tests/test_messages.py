"""Messages arrive as written: Rich markup never eats `[...]`, and failures name the fix."""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console
from rich.errors import StyleSyntaxError
from rich.markup import RE_TAGS
from rich.style import Style
from typer.testing import CliRunner

from codemods.core.values import Finding
from migrator import output, progress
from migrator.cli import app
from migrator.engine.changes import ChangeSet
from migrator.engine.metrics import ScanReport
from migrator.engine.runner import FileResult

ROOT = Path(__file__).parent.parent
PACKAGES = ("migrator", "codemods")


def literal_parts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every string constant and f-string literal part, docstrings left out."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def is_style(tag: str) -> bool:
    """Whether a `[tag]` is markup we mean: a closing tag or a style Rich knows."""
    if tag.startswith("/"):
        return True
    try:
        Style.parse(tag)
    except StyleSyntaxError:
        return False
    return True


def bracketed_messages() -> list[str]:
    """Every literal in the package with text that Rich markup would read as a tag."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for _line, text in literal_parts(ast.parse(path.read_bytes())):
                tags = [match.group(3) for match in RE_TAGS.finditer(text)]
                if tags and not all(is_style(tag) for tag in tags):
                    found.append(text.strip())
    return sorted(set(found))


MESSAGES = ["see [report] and [bold]this[/bold] or pip install 'migrator[report]'"]


def test_the_package_has_bracketed_messages_and_they_are_checked() -> None:
    found = bracketed_messages()
    assert "[manual review]" in found  # print_scan's marker, shown as written
    assert any("[[singleton]]" in text for text in found)  # a finding's message
    assert "Take this hunk [y,n,a,d,q,?]?" in found


@pytest.fixture
def consoles(monkeypatch: pytest.MonkeyPatch) -> tuple[Console, Console]:
    """Terminal-like recording consoles in place of the output module's stdout and stderr."""
    made = []
    for name in ("stdout", "stderr"):
        console = Console(record=True, force_terminal=True, width=400, soft_wrap=True)
        monkeypatch.setattr(output, name, console)
        made.append(console)
    return made[0], made[1]


def shown(consoles: tuple[Console, Console]) -> str:
    return consoles[0].export_text() + consoles[1].export_text()


def finding(message: str, review: bool = True) -> Finding:
    return Finding("imports", "pkg/a.py", 3, 4, message, manual_review=review)


def targets(message: str) -> list[dict[str, object]]:
    return [{"metric": message, "value": 1.0, "target": f"<= 0 {message}", "met": False}]


def record(message: str) -> dict:
    return {
        "batch": message,
        "chunks": [{"index": 1, "files": ["a.py"], "gates": [{"passed": True}], "status": message}],
        "skipped_by_user": [{"path": "a.py", "hunk": message}],
        "files": [
            {
                "path": "a.py",
                "error": message,
                "manual_review": [{"path": "a.py", "line": 1, "message": message}],
            }
        ],
        "targets": targets(message),
    }


def plan(message: str) -> dict:
    return {
        "name": message,
        "landed": False,
        "rolled_back": False,
        "rules": [message],
        "paths": [message],
        "exclude": [],
        "changes_per_rule": {message: 1},
        "files": 1,
        "changes": 1,
        "targets": {message: "<= 0"},
        "manual_review": [{"path": "a.py", "line": 1, "message": message}],
    }


def change_set(message: str) -> ChangeSet:
    reviewed = FileResult("pkg/a.py", findings=[finding(message)], error=message)
    changed = FileResult("pkg/b.py", original=b"old\n", new=f"{message}\n".encode())
    return ChangeSet([reviewed, changed], files_considered=2)


OUTPUTS: dict[str, Callable[[str], None]] = {
    "error": output.error,
    "note": output.note,
    "print_scan": lambda m: output.print_scan(
        ScanReport(
            {m: 1.0},
            [finding(m, review=False)],
            [{"path": "a.py", "message": m}],
            [{"path": "b.py", "reason": m}],
        )
    ),
    "print_change_summary": lambda m: output.print_change_summary(change_set(m), wrote=False),
    "print_diff": lambda m: output.print_diff(change_set(m)),
    "show_hunk": lambda m: output.show_hunk(f"@@ -1 +1 @@\n-{m}\n+{m}\n"),
    "print_targets": lambda m: output.print_targets(targets(m), title=m),
    "print_run_result": lambda m: output.print_run_result(record(m)),
    "print_plan": lambda m: output.print_plan([plan(m)]),
}


@pytest.mark.parametrize("message", MESSAGES + bracketed_messages())
@pytest.mark.parametrize("name", list(OUTPUTS))
def test_every_output_shows_messages_as_written(
    name: str, message: str, consoles: tuple[Console, Console]
) -> None:
    OUTPUTS[name](message)
    text = shown(consoles)
    for line in message.splitlines():  # a diff shows each line of a multi-line literal
        assert line in text


@pytest.mark.parametrize("message", MESSAGES)
def test_progress_label_is_shown_as_written(message: str) -> None:
    console = Console(record=True, force_terminal=True, width=400)
    bar = progress._bar(console)
    bar.add_task(message, total=2, completed=1)
    console.print(bar.get_renderable())
    assert message in console.export_text()


def test_error_keeps_its_red_prefix(consoles: tuple[Console, Console]) -> None:
    output.error("[report] missing")
    assert consoles[1].export_text(clear=False) == "error: [report] missing\n"
    assert "\x1b[1;31merror:" in consoles[1].export_text(styles=True)


def test_html_report_without_plotly_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, "plotly", None)  # `import plotly...` raises ImportError
    monkeypatch.setitem(sys.modules, "plotly.offline", None)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "a.py").write_text("x = 1\n")
    target = tmp_path / "out.html"
    result = CliRunner().invoke(app, ["report", str(tmp_path / "repo"), "--html", str(target)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: the HTML report needs plotly, a dependency of migrator that this environment "
        "lacks: pip install 'plotly>=5.20'"
    )
    assert not target.exists()


def test_plotly_is_a_dependency_and_the_report_extra_still_exists() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "plotly>=5.20" in [d.split(";")[0].strip() for d in project["dependencies"]]
    assert project["optional-dependencies"]["report"] == []
