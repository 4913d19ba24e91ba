"""The diffs of a change set, kept with the result cache: a warm `run --dry-run` prints the
diffs it printed last time without comparing the files again (difflib is most of its time).

A diff is stored under the file's path and the sha of its original content, with the sha of
the new content it was made for; both must match for it to be used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from migrator.engine import diffs
from migrator.engine.cache import ResultCache, blob_sha
from migrator.engine.changes import ChangeSet

NAMESPACE = "diffs-" + hashlib.sha256(Path(diffs.__file__ or "").read_bytes()).hexdigest()[:26]


def change_set_diffs(root: Path, change_set: ChangeSet) -> list[bytes]:
    """The unified diff of every changed file, in order, from the cache where it holds them."""
    changed = change_set.changed
    with ResultCache(root, NAMESPACE) as store:
        stored = store.payloads([result.path for result in changed])
        found: list[bytes] = []
        fresh: list[tuple[str, bytes]] = []
        for result in changed:
            new = result.new or b""
            mark = blob_sha(new).encode() + b"\n"
            payload = stored.get(result.path, b"")
            if payload.startswith(mark):
                found.append(payload[len(mark) :])
                continue
            diff = result.unified_diff()
            fresh.append((result.path, mark + diff))
            found.append(diff)
        store.store_payloads(fresh)
    return found
