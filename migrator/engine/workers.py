"""Worker processes that die with their parent: a killed `migrator` leaves nothing running.

Without this, SIGKILL to `migrator` orphans its pool: the workers go on through the chunks
already queued to them, at full CPU, then wait for more forever.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_INTERVAL = 0.25  # seconds between the fallback watchdog's looks at the parent


def pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers exit as soon as the process that made them is gone."""
    return ProcessPoolExecutor(max_workers=workers, initializer=start_worker)


def start_worker() -> None:
    """A new worker's setup: it dies with its parent, and its collector skips what it inherited."""
    die_with_parent()
    leave_inherited_objects()


def leave_inherited_objects() -> None:
    """Keep the objects the worker inherited (the loaded modules) out of every collection.

    They live as long as the worker; without this each full collection walks them all again.
    Measured on the backend's 2,118 candidate files: 2 % of a scan's worker CPU.
    """
    gc.freeze()


def die_with_parent() -> None:
    """In a new worker: have the kernel kill it with its parent (Linux), and watch anyway.

    The kernel's signal comes when the thread that forked the worker ends, so a pool must be
    made from a thread that lives as long as the process (migrator's are, from the main one).
    The watchdog thread covers other systems, and a parent that died before this ran.
    """
    parent = os.getppid()
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: the watchdog alone
            pass
    threading.Thread(target=_watch, args=(parent,), name="die-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is adopted by init (or a subreaper)
        time.sleep(WATCH_INTERVAL)
    os._exit(1)
