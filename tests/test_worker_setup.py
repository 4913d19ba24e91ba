"""A pool worker's collector leaves the objects the worker inherited alone (`gc.freeze`)."""

from __future__ import annotations

import gc

from migrator.engine.workers import pool


def _frozen_and_tracked() -> tuple[int, bool]:
    return gc.get_freeze_count(), gc.isenabled()


def test_a_pool_worker_freezes_what_it_inherited() -> None:
    before = gc.get_freeze_count()  # 0, or a few hundred of CPython 3.12's own
    with pool(1) as workers:
        frozen, enabled = workers.submit(_frozen_and_tracked).result(timeout=60)
    assert frozen > before + 1000  # every object of the modules loaded before the fork
    assert enabled  # frozen objects are skipped; the collector still runs for new ones
    assert gc.get_freeze_count() == before  # the calling process is left as it was
