"""A scan as SARIF 2.1.0, so code-scanning UIs show migration findings inline."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from codemods import registry
from migrator import __version__
from migrator.engine.metrics import ScanReport
from migrator.report.baseline import fingerprints

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "migratorFinding/v1"


def to_sarif(report: ScanReport, root: Path) -> dict[str, object]:
    """One SARIF log with one run: rules, results with stable fingerprints, and parse errors."""
    known = [kind.rule for kind in registry.finding_kinds()]
    rule_ids = known + sorted({f.rule for f in report.findings} - set(known))
    index = {rule: position for position, rule in enumerate(rule_ids)}
    prints = fingerprints(root, report.findings)
    results = [
        {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": "warning",
            "kind": "review" if finding.manual_review else "fail",
            "message": {"text": finding.message},
            "locations": [_location(finding.path, finding.line, finding.column)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            "properties": {"fixable": finding.fixable, "manualReview": finding.manual_review},
        }
        for finding, fingerprint in zip(report.findings, prints, strict=True)
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": problem["message"]},
            "locations": [{"physicalLocation": _artifact(problem["path"])}],
        }
        for problem in report.errors
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver(rule_ids)},
                "originalUriBaseIds": {"SRCROOT": {"uri": root.resolve().as_uri() + "/"}},
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {"metrics": report.metrics, "filesScanned": report.files_scanned},
            }
        ],
    }


def _driver(rule_ids: list[str]) -> dict[str, object]:
    kinds = {kind.rule: kind for kind in registry.finding_kinds()}
    rules = []
    for rule in rule_ids:
        kind = kinds.get(rule)
        short, help_text = (kind.title, kind.help) if kind else (rule.replace("-", " "), "")
        rules.append(
            {
                "id": rule,
                "name": "".join(part.title() for part in rule.split("-")),
                "shortDescription": {"text": short},
                "help": {"text": help_text or short},
                "defaultConfiguration": {"level": "warning"},
            }
        )
    return {"name": "migrator", "version": __version__, "rules": rules}


def _artifact(path: str) -> dict[str, object]:
    return {"artifactLocation": {"uri": quote(path), "uriBaseId": "SRCROOT"}}


def _location(path: str, line: int, column: int) -> dict[str, object]:
    region = {"startLine": max(line, 1), "startColumn": column + 1}
    return {"physicalLocation": {**_artifact(path), "region": region}}
