"""The real-backend benchmark's table: every row measured, and each ratio judged on it."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.real_backend import python_label, report, tools


def _runs(wall: float) -> list[dict]:
    return [{"wall": wall, "cpu": wall * 2, "peak_mb": 50.0, "code": 0}]


def test_another_python_times_a_cold_scan_of_its_own(tmp_path: Path) -> None:
    label = python_label(sys.executable)
    assert label.startswith(f"{sys.executable} 3.")
    names = [tool.name for tool in tools(tmp_path, tmp_path, tmp_path, 2, (sys.executable,))]
    # Each cold scan empties the cache: the others come before the one the warm scan follows.
    assert names[:4] == ["ruff TID251", f"scan (cold, {label})", "scan (cold)", "scan (warm)"]
    other = tools(tmp_path, tmp_path, tmp_path, 2, (sys.executable,))[1]
    assert other.argv[:4] == [sys.executable, "-m", "migrator", "scan"]
    assert other.before == [tmp_path / ".git" / "migrator"]


def test_the_ratios_of_the_table() -> None:
    samples = {
        "ruff TID251": _runs(1.0),
        "scan (cold)": _runs(3.2),
        "scan (cold, /usr/bin/python3 3.11.2)": _runs(2.6),
        "scan (warm)": _runs(0.5),
        "plan": _runs(8.0),
        "run --dry-run": _runs(9.0),
        "run --dry-run (warm)": _runs(0.7),
    }
    stats = {"written": 10, "bytes": 2e6, "absent": 0}
    lines = report(samples, stats, 3, []).splitlines()
    assert "| cold scan / ruff TID251 | 3.20x | 3.20x | 3x | missed |" in lines
    assert (
        "| scan (cold, /usr/bin/python3 3.11.2) / ruff TID251 | 2.60x | 2.60x | 3x | met |" in lines
    )
    assert "| run --dry-run / cold scan | 2.81x | 2.81x | 3x | met |" in lines
    assert "| warm dry run / warm scan | 1.40x | 1.40x | 1.5x | met |" in lines
