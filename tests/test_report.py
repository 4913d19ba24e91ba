"""`migrator report --html`: the burndown from history, status, batches and findings, one page.

The history is made by landing the default spec's four batches on a git copy of the sample
repository (the real codemods, the real commit message with its trailers; no gates, to stay
fast) and rolling one back with the real `migrator rollback`. The page is then checked as a
person would see it: rendered in headless Chromium with the network blocked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migrator.batch.history import batch_history
from migrator.batch.run import commit_message
from migrator.cli import app
from migrator.engine.changes import compute_changes
from migrator.engine.scan import scan
from migrator.report.html import remote_commit_url
from migrator.spec import default_spec_text, load_spec

SAMPLE = Path(__file__).parent / "fixtures" / "sample_repo"
CHROMIUM = Path("/usr/bin/chromium")
METRIC_BLUE = (5, 80, 174)
FINAL_RED = (207, 34, 46)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def land(repo: Path, name: str, before: dict[str, float]) -> dict[str, float]:
    """Land one batch as a single commit with the trailers `migrator run` writes."""
    spec = load_spec(None, repo)
    batch = spec.batch(name)
    changes = compute_changes(repo, spec, batch.rules, batch.paths, batch.exclude, cache=True)
    files = [result.path for result in changes.changed]
    assert files, f"{name} changes nothing"
    for result in changes.changed:
        (repo / result.path).write_bytes(result.new or b"")
    after = scan(repo, spec, cache=True).metrics
    base = git(repo, "rev-parse", "HEAD")
    message = commit_message(spec, batch, batch.rules, 1, 1, files, base, before, after, True)
    git(repo, "add", "--", *files)
    git(repo, "commit", "-q", "-m", message)
    return after


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (SAMPLE / "FORMS.md").is_file():
        pytest.skip("the sample repository is not finished yet (no FORMS.md)")
    repo = tmp_path_factory.mktemp("report") / "repo"
    shutil.copytree(SAMPLE, repo)
    spec_text = re.sub(r"(?m)^gate = .*$", "gate = []", default_spec_text())
    (repo / "migration.toml").write_text(spec_text)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "legacy backend")
    metrics = scan(repo, load_spec(None, repo), cache=True).metrics
    for name in ("week-1", "week-2", "week-3", "week-4"):
        metrics = land(repo, name, metrics)
    rolled = CliRunner().invoke(app, ["rollback", "week-4", "--repo", str(repo)])
    assert rolled.exit_code == 0, rolled.output
    return repo


@pytest.fixture(scope="module")
def page(migrated: Path) -> Path:
    target = migrated.parent / "report.html"
    result = CliRunner().invoke(app, ["report", str(migrated), "--html", str(target)])
    assert result.exit_code == 0, result.output
    return target


def figures_of(html: str) -> list[dict]:
    match = re.search(r'<script id="burndown-figures" type="application/json">(.*?)</script>', html)
    assert match
    return json.loads(match.group(1))


def test_burndown_has_one_point_per_batch_commit_measured_from_git(migrated: Path, page: Path):
    history = batch_history(migrated)
    assert [c.batch for c in history.commits] == ["week-1", "week-2", "week-3", "week-4"]
    assert [r.batch for r in history.rollbacks] == ["week-4"]
    figures = {f["metric"]: f for f in figures_of(page.read_text())}
    assert len(figures) == 12
    shas = [c.sha for c in history.commits] + [history.rollbacks[0].sha]
    start = git(migrated, "rev-parse", "HEAD~5")
    for metric, figure in figures.items():
        line = next(t for t in figure["data"] if t["meta"] == "metric")
        assert [label.rsplit(" ", 1)[1] for label in line["x"]] == [
            sha[:7] for sha in [start, *shas]
        ]
        # Measured from each commit's blobs, equal to what the scan saw when it was committed.
        after = [c.metrics_after[metric] for c in history.commits]
        assert line["y"][1:5] == after, metric
        assert line["y"][0] == history.commits[0].metrics_before[metric]
        assert line["y"][5] == after[2]  # the rollback of week-4 returns to week-3's tree
    assert figures["auth_bypasses"]["data"][0]["y"] == [5, 0, 0, 0, 0, 0]
    names = [t["name"] for t in figures["fragmented_imports"]["data"] if t["meta"] != "metric"]
    assert names == ["week-3 target <= 50", "week-4 target <= 5", "final target <= 5"]


def test_history_is_analysed_once_per_blob(migrated: Path, page: Path) -> None:
    history = batch_history(migrated)
    blobs = set()
    for sha in [git(migrated, "rev-parse", "HEAD~5"), *(c.sha for c in history.commits)]:
        for line in git(migrated, "ls-tree", "-r", sha).splitlines():
            meta, path = line.split("\t")
            if path.endswith(".py"):
                blobs.add((path, meta.split()[2]))
    found = re.search(
        r"\((\d+) file versions analysed, (\d+) reused from the scan cache\)", page.read_text()
    )
    analysed, reused = int(found.group(1)), int(found.group(2))
    assert analysed + reused == len(blobs)  # the rollback's tree adds no new file version
    assert reused > 0  # blobs the scans already analysed (the working tree's) come from the cache
    again = page.with_name("again.html")
    result = CliRunner().invoke(app, ["report", str(migrated), "--html", str(again)])
    assert result.exit_code == 0, result.output
    assert f"(0 file versions analysed, {len(blobs)} reused" in again.read_text()


def test_page_is_self_contained(page: Path) -> None:
    html = page.read_text()
    assert re.findall(r"<(?:script|img|iframe)[^>]*\ssrc=", html) == []
    assert re.findall(r"<link\b", html) == []
    assert re.findall(r"url\(\s*['\"]?(?:https?:)?//", html) == []
    assert "default-src 'none'" in html  # the page may not fetch anything, even when online
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js is inlined


def test_tables_history_links_and_findings(migrated: Path, page: Path) -> None:
    html = page.read_text()
    history = batch_history(migrated)
    rows = re.findall(r'<tr data-sha="([0-9a-f]{40})">', html)
    assert rows == [c.sha for c in history.commits] + [history.rollbacks[0].sha]
    for commit in history.commits:
        assert f'<a class="sha" href="#commit-{commit.sha}" title="{commit.sha}">' in html
        assert f'<li id="commit-{commit.sha}">' in html
    assert "yes, by <a" in html  # week-4 is rolled back
    report = scan(migrated, load_spec(None, migrated))
    counts = Counter(f.rule for f in report.findings)
    shown = dict(re.findall(r'<details data-rule="([\w-]+)"><summary>[\w-]+ \((\d+)\)', html))
    assert {rule: int(n) for rule, n in shown.items()} == dict(counts)
    status = re.search(r'<table id="status">.*?</table>', html, re.S).group(0)
    assert '<tr data-metric="auth_bypasses"><td><code>auth_bypasses</code></td>' in status
    assert '<td class="met">&lt;= 0 · met</td>' in status


def test_commit_links_follow_the_origin_remote(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert remote_commit_url(tmp_path) is None
    git(tmp_path, "remote", "add", "origin", "git@github.com:acme/backend.git")
    assert remote_commit_url(tmp_path) == "https://github.com/acme/backend/commit/{sha}"


def test_report_without_batches_or_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg/mod.py").write_text(
        "from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\n"
    )
    target = tmp_path / "out.html"
    result = CliRunner().invoke(app, ["report", str(repo), "--html", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text()
    assert html.count('<p class="empty">No batch has landed yet.</p>') == 2
    assert '<details data-rule="deprecated-import"><summary>deprecated-import (1)' in html
    assert figures_of(html) and 'data-metric="deprecated_imports"' in html


def test_report_needs_a_destination(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "--html FILE" in result.stderr


def chromium(*args: str, budget_ms: int = 8000) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with no network, a fresh profile, console messages on stderr.

    Outside CI a missing browser skips; in CI (`CI` set) it fails: `.ci/run` installs it.
    """
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is absent in CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is absent: the rendered report cannot be checked here")
    with tempfile.TemporaryDirectory(prefix="migrator-chromium-") as profile:
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=1280,800",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
            "--enable-logging=stderr",
            "--v=0",
            f"--virtual-time-budget={budget_ms}",
            *args,
        ]
        return subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=120, check=True
        )


# Injected first into a copy of the page: every error, rejected promise, blocked fetch and
# console.error/warn lands in <html data-errors="[...]">, which --dump-dom then shows.
ERROR_RECORDER = """<script>
(function () {
  var errors = [], root = document.documentElement;
  function record(text) {
    errors.push(String(text));
    root.setAttribute("data-errors", JSON.stringify(errors));
  }
  addEventListener("error", function (e) {
    record(e.message || "failed to load " + (e.target && (e.target.src || e.target.href)));
  }, true);
  addEventListener("unhandledrejection", function (e) {
    record("unhandled rejection: " + e.reason);
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    record("blocked " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      record(level + ": " + Array.prototype.join.call(arguments, " "));
      return original.apply(console, arguments);
    };
  });
  root.setAttribute("data-errors", "[]");
})();
</script>
"""
CONSOLE_LINE = re.compile(r":CONSOLE(?::\d+|\(\d+\))\] (.*)$", re.MULTILINE)


@dataclass
class Rendered:
    dom: str
    errors: list[str]  # what the page recorded
    console: list[str]  # every console message Chromium logged


def render(page: Path, scratch: Path) -> Rendered:
    """The page as Chromium leaves it after running its scripts, with what went wrong."""
    html = page.read_text()
    head = html.index("<head>") + len("<head>")
    copy = scratch / f"recorded-{page.name}"
    copy.write_text(html[:head] + "\n" + ERROR_RECORDER + html[head:])
    done = chromium("--dump-dom", copy.as_uri())
    dom = done.stdout
    recorded = re.search(r'<html[^>]*\sdata-errors="([^"]*)"', dom)
    assert recorded, "the error recorder did not run"
    errors = json.loads(unescape(recorded.group(1)))
    return Rendered(dom, errors, CONSOLE_LINE.findall(done.stderr))


def rows_of(dom: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of one table of the rendered page."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', dom, re.S)
    assert table, table_id
    body = table.group(1).split("</thead>", 1)[1]
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def test_rendered_page_draws_every_chart_fills_the_tables_without_errors(
    page: Path, migrated: Path, tmp_path: Path
) -> None:
    rendered = render(page, tmp_path)
    assert rendered.errors == []
    assert rendered.console == []
    dom = rendered.dom
    assert 'data-charts-ready="12"' in dom
    charts = dict(re.findall(r'id="chart-(\w+)"(.*?)(?=id="chart-|<h2>)', dom, re.S))
    assert len(charts) == 12
    for metric, chart in charts.items():
        assert 'class="main-svg"' in chart, metric  # plotly drew it
        assert chart.count('class="point"') == 6, metric  # start + 4 batch commits + rollback
    legend = re.findall(
        r'class="legendtext"[^>]*data-unformatted="([^"]*)"', charts["fragmented_imports"]
    )
    assert legend == [
        "fragmented_imports",
        "week-3 target &lt;= 50",
        "week-4 target &lt;= 5",
        "final target &lt;= 5",
    ]
    status = rows_of(dom, "status")
    assert [row[0] for row in status] == list(figures_metrics(page))
    assert all(len(row) >= 3 and all(row[:2]) for row in status)
    history = rows_of(dom, "history")
    assert len(history) == 5 and all(any(cell for cell in row) for row in history)


def figures_metrics(page: Path) -> list[str]:
    return [figure["metric"] for figure in figures_of(page.read_text())]


def test_browser_check_sees_script_errors_and_blocked_fetches(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
        '<img src="https://example.com/x.png"><script>console.error("bad [report]");'
        "undefinedFunction();</script></body></html>"
    )
    rendered = render(broken, tmp_path)
    assert "error: bad [report]" in rendered.errors
    assert any("undefinedFunction is not defined" in error for error in rendered.errors)
    assert any(error.startswith("blocked https://example.com/x.png") for error in rendered.errors)
    assert any("undefinedFunction is not defined" in line for line in rendered.console)


def test_screenshot_at_1280x800_shows_the_charts(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", page.as_uri())
    width, height, pixels = read_png(shot.read_bytes())
    assert (width, height) == (1280, 800)
    colours = Counter(pixels)
    assert colours[METRIC_BLUE] > 200  # burndown lines and points on the first screen
    assert colours[FINAL_RED] > 100  # final target lines
    assert len(colours) > 50  # text, tables and charts, not a blank page


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6) and header[12] == 0
    step = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * step
    previous = bytearray(stride)
    pixels = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        pixels.extend(tuple(line[i : i + 3]) for i in range(0, stride, step))
        previous = line
    return width, height, pixels
