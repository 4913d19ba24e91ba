"""The ratchet's memory: metrics and finding fingerprints saved in `.migrator-baseline.json`.

Format (version 1), written sorted with a trailing newline so it diffs well in review:

    {
      "version": 1,
      "spec": "<spec name>@<spec digest>",
      "metrics": {"deprecated_imports": 5, "canonical_import_usage": 63.6, ...},
      "findings": [
        {"fingerprint": "3f2a...", "rule": "deprecated-import", "path": "a/b.py", "line": 4,
         "message": "..."}
      ]
    }

`metrics` are what `check` ratchets on. `findings` identify which findings are new: a fingerprint
hashes the rule, path, message and the text of the finding's line (never its number) plus an
occurrence index, so edits elsewhere in a file keep every fingerprint (like semgrep's and GitHub
code scanning's baselines). `line` and `message` are there for people reading the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codemods import registry
from codemods.core.values import Finding
from migrator.engine.fileio import atomic_write

BASELINE_FILENAME = ".migrator-baseline.json"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names the file."""


def is_worse(metric: str, value: float, reference: float) -> bool:
    described = registry.metric(metric)
    if described is not None and described.higher_is_better:
        return value < reference
    return value > reference


def better(metric: str, first: float, second: float) -> float:
    """The tighter of two values of a metric."""
    return second if is_worse(metric, first, second) else first


@dataclass
class Baseline:
    """Ratcheted metrics plus the fingerprints of the findings they were measured with."""

    metrics: dict[str, float]
    findings: dict[str, dict[str, object]] = field(default_factory=dict)
    spec: str = ""

    def to_dict(self) -> dict[str, object]:
        entries = sorted(
            self.findings.values(), key=lambda e: (e["path"], e["line"], e["fingerprint"])
        )
        return {
            "version": FORMAT_VERSION,
            "spec": self.spec,
            "metrics": dict(sorted(self.metrics.items())),
            "findings": entries,
        }


def ratcheted(metrics: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in metrics.items() if _ratcheted(name)}


def build(
    metrics: dict[str, float], findings: Sequence[Finding], prints: Sequence[str], spec: str
) -> Baseline:
    entries = {
        fp: {
            "fingerprint": fp,
            "rule": f.rule,
            "path": f.path,
            "line": f.line,
            "message": f.message,
        }
        for f, fp in zip(findings, prints, strict=True)
    }
    return Baseline(ratcheted(metrics), entries, spec)


def load(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a JSON baseline: {error}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not a migrator baseline of version {FORMAT_VERSION}")
    metrics, entries = data.get("metrics"), data.get("findings", [])
    if not isinstance(metrics, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in metrics.values()
    ):
        raise BaselineError(f"{path}: `metrics` must map metric names to numbers")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{path}: `findings` must be a list of objects with a `fingerprint`")
    return Baseline(metrics, {e["fingerprint"]: e for e in entries}, str(data.get("spec", "")))


def save(baseline: Baseline, path: Path) -> None:
    text = json.dumps(baseline.to_dict(), indent=2, sort_keys=True) + "\n"
    atomic_write(path, text.encode("utf-8"))


def fingerprints(root: Path, findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the given order (see the module docstring)."""
    cache: dict[str, list[str]] = {}

    def lines_of(path: str) -> list[str]:
        if path not in cache:
            try:
                cache[path] = (root / path).read_text("utf-8", errors="replace").splitlines()
            except OSError:
                cache[path] = []
        return cache[path]

    return fingerprints_in(findings, lines_of)


def fingerprints_in(
    findings: Sequence[Finding], lines_of: Callable[[str], Sequence[str]]
) -> list[str]:
    """`fingerprints` with each file's lines given (a text not written anywhere yet)."""
    seen: dict[str, int] = {}
    prints = [""] * len(findings)
    order = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    for index in order:
        finding = findings[index]
        key = "\0".join(site_key(finding, lines_of(finding.path)))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        prints[index] = hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()[:20]
    return prints


def site_key(finding: Finding, lines: Sequence[str]) -> tuple[str, str, str, str]:
    """What a fingerprint hashes, before the occurrence index: rule, path, message and the
    finding's line with whitespace normalised ("" when there is no such line)."""
    line = finding.line
    text = " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""
    return finding.rule, finding.path, finding.message, text


def _position(finding: Finding) -> tuple[str, int, int, str]:
    return finding.path, finding.line, finding.column, finding.rule


def _ratcheted(name: str) -> bool:
    """Raw counts that move with the size of the code, not with the migration, are not."""
    described = registry.metric(name)
    return described is None or described.ratcheted
