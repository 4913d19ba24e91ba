"""A scan as SARIF 2.1.0, so code-scanning UIs show migration findings inline."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from migrator.engine.metrics import ScanReport
from migrator.report.baseline import fingerprints

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "migratorFinding/v1"

# Rule id -> (short description, what to do about it).
RULES: dict[str, tuple[str, str]] = {
    "deprecated-import": (
        "Import from a deprecated location",
        "Import the name from its canonical module (`migrator run` rewrites it).",
    ),
    "aliased-import": (
        "Canonical name imported or re-bound under another name",
        "Use the canonical name under its own name.",
    ),
    "indirect-import": (
        "Canonical name imported through a re-exporting module",
        "Import the name from the module that defines it.",
    ),
    "string-reference": (
        "String literal spells a deprecated dotted path",
        "Spell the canonical path (patch targets, import_module calls).",
    ),
    "direct-instantiation": (
        "Direct construction of a deprecated class",
        "Construct the canonical class through its factory-based signature.",
    ),
    "di-violation": (
        "Canonical class constructed without a required dependency",
        "Pass every dependency explicitly; never a literal None.",
    ),
    "singleton": (
        "Shared instance held in a module or class global",
        "Create one instance per request or user context.",
    ),
    "auth-bypass": (
        "Authentication bypass flag set or read",
        "Remove the bypass; authenticate every request.",
    ),
    "token-validation": (
        "Call of a token validator other than the canonical one",
        "Call the one canonical token validation function.",
    ),
}


def to_sarif(report: ScanReport, root: Path) -> dict[str, object]:
    """One SARIF log with one run: rules, results with stable fingerprints, and parse errors."""
    rule_ids = list(RULES) + sorted({f.rule for f in report.findings} - set(RULES))
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
    rules = []
    for rule in rule_ids:
        short, help_text = RULES.get(rule, (rule.replace("-", " "), ""))
        rules.append(
            {
                "id": rule,
                "name": "".join(part.title() for part in rule.split("-")),
                "shortDescription": {"text": short},
                "help": {"text": help_text or short},
                "defaultConfiguration": {"level": "warning"},
            }
        )
    return {"name": "migrator", "version": _version(), "rules": rules}


def _artifact(path: str) -> dict[str, object]:
    return {"artifactLocation": {"uri": quote(path), "uriBaseId": "SRCROOT"}}


def _location(path: str, line: int, column: int) -> dict[str, object]:
    region = {"startLine": max(line, 1), "startColumn": column + 1}
    return {"physicalLocation": {**_artifact(path), "region": region}}


def _version() -> str:
    try:
        return version("migrator")
    except PackageNotFoundError:
        return "0+unknown"
