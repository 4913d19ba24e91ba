"""The `migrator` command loads its modules with the collector paused, then freezes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc
import migrator.cli as cli
from migrator import entry

cli.main = lambda: print(gc.isenabled(), gc.get_freeze_count() > 10000)
entry.main()
"""


def test_the_command_runs_the_cli_with_its_modules_frozen_and_the_collector_on() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "True True\n"


def test_python_dash_m_migrator_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "migrator", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    from migrator import __version__

    assert (done.returncode, done.stdout) == (0, f"migrator {__version__}\n")
