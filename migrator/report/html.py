"""`migrator report --html`: one self-contained page of progress people can read.

The burndown comes from the history itself (every batch commit's tree, read from git objects);
the charts are plotly.js, inlined from the plotly wheel, so the page needs no network.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from importlib import resources
from pathlib import Path
from string import Template

from codemods import registry
from codemods.core.values import Finding
from migrator.batch.history import History, batch_history
from migrator.engine.metrics import ScanReport
from migrator.engine.scan import scan
from migrator.git import config_value, short_head
from migrator.report.burndown import Point, burndown
from migrator.spec import Spec, Target

WEEK_COLOURS = ("#8250df", "#0969da", "#bf8700", "#1a7f37", "#57606a")
FINAL_COLOUR = "#cf222e"


class ReportError(Exception):
    """The report cannot be made (a missing optional dependency, unreadable history)."""


@dataclass
class ReportData:
    """Everything the page shows."""

    spec: Spec
    now: ScanReport
    history: History
    points: list[Point]
    commit_url: str | None
    head: str
    analysed: tuple[int, int] = (0, 0)  # file versions analysed, and reused from the scan cache


PLOTLY_MISSING = (
    "the HTML report needs plotly, a dependency of migrator that this environment lacks: "
    "pip install 'plotly>=5.20'"
)


def plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ReportError(PLOTLY_MISSING) from None
    return get_plotlyjs()


def collect(root: Path, spec: Spec, *, commit_url: str | None, jobs: int | None) -> ReportData:
    history = batch_history(root)
    points, scanner = burndown(root, spec, history, jobs)
    head = short_head(root)
    url = commit_url if commit_url is not None else remote_commit_url(root)
    now = scan(root, spec, jobs=jobs, cache=True)
    analysed = (scanner.analysed, scanner.reused)
    return ReportData(spec, now, history, points, url, head, analysed)


def remote_commit_url(root: Path) -> str | None:
    """`https://host/owner/repo/commit/{sha}` from the `origin` remote, when it is a web host."""
    remote = config_value(root, "remote.origin.url")
    match = re.fullmatch(r"(?:https?://|ssh://)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?/?", remote)
    if not remote or not match or remote.startswith(("/", "file:")):
        return None
    return f"https://{match.group(1)}/{match.group(2)}/commit/{{sha}}"


def render(data: ReportData) -> str:
    """The whole page."""
    template = Template(
        resources.files("migrator").joinpath("templates/report.html").read_text("utf-8")
    )
    figures = [figure(metric, data) for metric in data.now.metrics]
    figures_json = json.dumps(figures, separators=(",", ":")).replace("</", "<\\/")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    subtitle = (
        f"spec {data.spec.name} ({data.spec.digest}) · HEAD {data.head or 'none'} · "
        f"{data.now.files_scanned} files scanned · generated {generated}"
    )
    return template.substitute(
        title=escape(f"migrator: {data.spec.name}"),
        heading=escape(f"Migration progress: {data.spec.name}"),
        subtitle=escape(subtitle),
        body="\n".join(
            [
                burndown_section(data, figures),
                status_section(data),
                history_section(data),
                findings_section(data.now.findings),
            ]
        ),
        plotly_js=plotly_js().replace("</script", "<\\/script"),
        figures_json=figures_json,
    )


# ---- the burndown -------------------------------------------------------------------------
def figure(metric: str, data: ReportData) -> dict[str, object]:
    """One metric's chart: its value at every point, and every target as a horizontal line."""
    labels = [point.label for point in data.points]
    values = [point.metrics.get(metric) for point in data.points]
    traces: list[dict[str, object]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": metric,
            "meta": "metric",
            "x": labels,
            "y": values,
            "line": {"color": "#0550ae", "width": 2},
            "marker": {"size": 7},
            "hovertemplate": "%{x}<br>%{y}<extra></extra>",
        }
    ]
    span = [labels[0], labels[-1]] if labels else []
    scopes = [(batch.name, batch.targets) for batch in data.spec.batches]
    scopes.append(("final", data.spec.final_targets()))
    for index, (scope, targets) in enumerate(scopes):
        target = targets.get(metric)
        if target is None:
            continue
        final = scope == "final"
        colour = FINAL_COLOUR if final else WEEK_COLOURS[index % len(WEEK_COLOURS)]
        for bound in _bounds(target):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{scope} target {target.describe()}",
                    "meta": f"target:{scope}",
                    "x": span,
                    "y": [bound, bound],
                    "line": {
                        "color": colour,
                        "width": 2 if final else 1.5,
                        "dash": "solid" if final else "dash",
                    },
                    "hoverinfo": "name",
                }
            )
    layout = {
        "title": {"text": metric, "font": {"size": 13}, "x": 0.02},
        "height": 300,
        "margin": {"l": 40, "r": 10, "t": 30, "b": 10},
        "xaxis": {
            "type": "category",
            "tickangle": -25,
            "tickfont": {"size": 9},
            "automargin": True,
        },
        "yaxis": {
            "rangemode": "tozero",
            "tickfont": {"size": 10},
            **({"range": [0, 101], "ticksuffix": "%"} if _percent(metric) else {}),
        },
        "legend": {"orientation": "h", "y": -0.45, "font": {"size": 9}},
        "showlegend": True,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    config = {"displayModeBar": False, "responsive": True, "staticPlot": False}
    return {
        "id": f"chart-{metric}",
        "metric": metric,
        "data": traces,
        "layout": layout,
        "config": config,
    }


def _bounds(target: Target) -> list[float]:
    return [bound for bound in (target.min, target.max) if bound is not None]


def burndown_section(data: ReportData, figures: list[dict[str, object]]) -> str:
    if not data.points:
        return '<h2>Burndown</h2>\n<p class="empty">No batch has landed yet.</p>'
    charts = "\n".join(
        f'<div class="chart" id="{escape(str(f["id"]))}" data-metric="{escape(str(f["metric"]))}">'
        "</div>"
        for f in figures
    )
    note = (
        f"{len(data.points)} points: the tree before the first batch, then every batch commit "
        "and rollback in history order, each measured from git objects "
        f"({data.analysed[0]} file versions analysed, {data.analysed[1]} reused from the scan "
        "cache). Dashed lines: each week's targets; red: the final target."
    )
    return (
        f'<h2>Burndown</h2>\n<p class="empty">{escape(note)}</p>\n'
        f'<div class="charts">{charts}</div>'
    )


# ---- tables -------------------------------------------------------------------------------
def status_section(data: ReportData) -> str:
    scopes = [(batch.name, batch.targets) for batch in data.spec.batches]
    scopes.append(("final", data.spec.final_targets()))
    head = "".join(f"<th>{escape(name)} target</th>" for name, _ in scopes)
    rows = []
    for metric, value in data.now.metrics.items():
        cells = []
        for _, targets in scopes:
            target = targets.get(metric)
            if target is None:
                cells.append("<td></td>")
                continue
            met = target.met(value)
            css, word = ("met", "met") if met else ("missed", "not met")
            cells.append(f'<td class="{css}">{escape(target.describe())} · {word}</td>')
        rows.append(
            f'<tr data-metric="{escape(metric)}"><td><code>{escape(metric)}</code></td>'
            f'<td class="num">{_number(value)}</td>{"".join(cells)}</tr>'
        )
    return (
        '<h2>Status</h2>\n<table id="status"><thead><tr><th>metric</th><th>current</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def history_section(data: ReportData) -> str:
    if not data.history.commits and not data.history.rollbacks:
        return '<h2>Batch history</h2>\n<p class="empty">No batch has landed yet.</p>'
    rows = []
    for commit in data.history.commits:
        rolled = (
            f"yes, by {_commit_link(commit.rolled_back_by, data.commit_url)}"
            if commit.rolled_back_by
            else "no"
        )
        rows.append(
            f'<tr data-sha="{escape(commit.sha)}"><td>{escape(commit.batch)}</td>'
            f"<td>{escape(commit.chunk)}</td><td>{_commit_link(commit.sha, data.commit_url)}</td>"
            f"<td>{escape(commit.date)}</td><td>{escape(commit.author)}</td>"
            f'<td class="num">{len(commit.files)}</td><td>{escape(commit.gate)}</td>'
            f"<td>{rolled}</td></tr>"
        )
    for rollback in data.history.rollbacks:
        rows.append(
            f'<tr data-sha="{escape(rollback.sha)}"><td>{escape(rollback.batch)}</td>'
            f"<td>rollback</td><td>{_commit_link(rollback.sha, data.commit_url)}</td>"
            f"<td>{escape(rollback.date)}</td><td>{escape(rollback.author)}</td><td></td>"
            f"<td></td><td>reverts {_commit_link(rollback.reverted, data.commit_url)}</td></tr>"
        )
    head = "".join(
        f"<th>{name}</th>"
        for name in ("batch", "chunk", "commit", "date", "author", "files", "gate", "rolled back")
    )
    details = "".join(
        f'<li id="commit-{escape(c.sha)}"><code>{escape(c.sha[:12])}</code> {escape(c.subject)}'
        f'<br><span class="file">{escape(", ".join(c.files))}</span></li>'
        for c in data.history.commits
    )
    return (
        f'<h2>Batch history</h2>\n<table id="history"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
        f'<details><summary>Commit details</summary><ul class="findings">{details}</ul></details>'
    )


def findings_section(findings: list[Finding]) -> str:
    if not findings:
        return '<h2>Open findings</h2>\n<p class="empty">None: nothing left to migrate.</p>'
    by_rule: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        by_rule[finding.rule][finding.path].append(finding)
    blocks = []
    for rule in sorted(by_rule):
        files = by_rule[rule]
        count = sum(len(found) for found in files.values())
        parts = [f'<details data-rule="{escape(rule)}"><summary>{escape(rule)} ({count})</summary>']
        for path in sorted(files):
            parts.append(f'<div class="file">{escape(path)} ({len(files[path])})</div>')
            items = "".join(
                f"<li><code>{f.line}:{f.column}</code> {escape(f.message)}"
                + (' <span class="review">manual review</span>' if f.manual_review else "")
                + "</li>"
                for f in files[path]
            )
            parts.append(f'<ul class="findings">{items}</ul>')
        parts.append("</details>")
        blocks.append("".join(parts))
    return f"<h2>Open findings ({len(findings)})</h2>\n" + "\n".join(blocks)


def _commit_link(sha: str | None, template: str | None) -> str:
    if not sha:
        return ""
    short = escape(sha[:7])
    url = escape(template.replace("{sha}", sha) if template else f"#commit-{sha}")
    return f'<a class="sha" href="{url}" title="{escape(sha)}">{short}</a>'


def _number(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _percent(name: str) -> bool:
    described = registry.metric(name)
    return described is not None and described.percent
