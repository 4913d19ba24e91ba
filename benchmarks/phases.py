"""CPU seconds of each phase of a cold scan, in one process, without the pool or the cache.

    python benchmarks/phases.py /tmp/migrator-bench/tree-10000-0.05

Reads every discovered file and runs the needle prefilter, then for each candidate: the
`ast` parse, the scope index and each fast analyzer, with the cyclic collector paused as the
runner pauses it. Files the stdlib cannot parse (LibCST analyzes them in a real scan) are counted.
"""

from __future__ import annotations

import gc
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codemods import codemod_names  # noqa: E402
from codemods.core.tree import AstFile, Unsupported  # noqa: E402
from codemods.core.values import FileContext  # noqa: E402
from codemods.registry import fast_analyzer  # noqa: E402
from migrator.engine.discover import discover  # noqa: E402
from migrator.engine.runner import Job, read_no_follow  # noqa: E402
from migrator.spec import load_spec  # noqa: E402


def main(root: Path) -> None:
    spec = load_spec(None, root)
    job = Job(str(root), spec.rules, codemod_names())
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    start = time.process_time()
    files = discover(root, spec.include, spec.exclude)
    seconds["discover"] = time.process_time() - start
    start = time.process_time()
    candidates = []
    for path in files:
        source = read_no_follow(str(root / path))
        if job.is_candidate(source):
            candidates.append((path, source))
    seconds["read + prefilter"] = time.process_time() - start
    gc.disable()
    for path, source in candidates:
        start = time.process_time()
        try:
            file = AstFile(source, FileContext.from_path(path))
        except (SyntaxError, ValueError, UnicodeDecodeError):
            counts["not parsed by ast (LibCST in a scan)"] += 1
            continue
        seconds["ast.parse"] += time.process_time() - start
        start = time.process_time()
        file.scopes  # noqa: B018 - built lazily; a real scan builds it where a rule's names occur
        seconds["scopes"] += time.process_time() - start
        for name in job.codemods:
            start = time.process_time()
            try:
                fast_analyzer(name)(file, spec.rules)
            except Unsupported:
                counts[f"Unsupported ({name})"] += 1
            seconds[f"analyzer {name}"] += time.process_time() - start
        gc.enable()  # the file's cycles go here, as in the runner
        gc.disable()
    gc.enable()
    print(f"{len(files)} files, {len(candidates)} candidates")
    for phase, value in seconds.items():
        print(f"{phase:28s} {value:6.2f} s")
    for what, count in counts.items():
        print(f"{what:28s} {count:6d}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
