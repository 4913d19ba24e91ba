"""Bowler's rename of the benchmark's one class, as a dry run (diffs computed, nothing written).

python benchmarks/bowler_rename.py TREE OLD_NAME NEW_NAME
"""

from __future__ import annotations

import sys

from bowler import Query


def main() -> None:
    tree, old, new = sys.argv[1:4]
    query = Query([tree]).select_class(old).rename(new)
    query.execute(interactive=False, write=False, silent=True)


if __name__ == "__main__":
    main()
