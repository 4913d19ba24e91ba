"""The `migrator` command: its modules loaded with the collector paused, then the CLI run.

The modules (Typer, Rich, the engine, every codemod) live as long as the process. Collecting
while they load finds nothing, and each later collection would walk them all again: frozen,
they are out of its way, and out of the way of the worker processes forked from this one.
Measured on the synthetic 2,000-file dry run: about 0.04 s of 0.67 s.
"""

from __future__ import annotations

import gc


def main() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        from migrator.cli import main as run_cli
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    run_cli()
