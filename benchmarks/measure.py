"""Run one command; print its wall time and the peak RSS of it and every process it started.

    python benchmarks/measure.py [--cwd DIR] -- COMMAND...

Prints one JSON line: {"wall": seconds, "cpu": seconds, "peak_mb": MB, "code": exit code}.
`cpu` is the user + system time of every process of the command; `peak_mb` is the largest
resident set of any single process of it (Linux's RUSAGE_CHILDREN maximum, which covers pool
workers once they are reaped). This wrapper runs in its own process so nothing else counts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cwd", default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=args.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-2000:])
    cpu = round(usage.ru_utime + usage.ru_stime, 3)  # every process of the command, reaped
    record = {"wall": round(wall, 4), "cpu": cpu, "peak_mb": round(peak_kb / 1024, 1)}
    record["code"] = done.returncode
    print(json.dumps(record))


if __name__ == "__main__":
    main()
