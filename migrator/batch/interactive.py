"""Walk a batch hunk by hunk (y/n/a/d/q/?) like `git add -p`, on plain stdin so answers pipe."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

HELP = """y - take this hunk
n - skip this hunk
a - take this hunk and the rest of this file
d - skip this hunk and the rest of this file
q - quit: skip this hunk and everything after it
? - print this help"""
PROMPT = "Take this hunk [y,n,a,d,q,?]? "


@dataclass
class Hunk:
    """One group of nearby changes in a file, as a unified-diff hunk."""

    header: str
    lines: list[str]
    opcodes: list[tuple[str, int, int, int, int]]

    def text(self) -> str:
        return self.header + "\n" + "".join(self.lines)


@dataclass
class Selection:
    """What the user took: new bytes per file, and the hunks skipped."""

    contents: dict[str, bytes] = field(default_factory=dict)
    skipped: list[dict[str, object]] = field(default_factory=list)
    taken: int = 0
    quit: bool = False


def hunks(old: bytes, new: bytes, context: int = 3) -> list[Hunk]:
    """The hunks of a file's change, with the opcodes each one applies."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    found = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        header = f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"
        lines = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + _text(line) for line in a[i1:i2]]
                continue
            lines += ["-" + _text(line) for line in a[i1:i2]]
            lines += ["+" + _text(line) for line in b[j1:j2]]
        changes = [op for op in group if op[0] != "equal"]
        found.append(Hunk(header, lines, changes))
    return found


def apply_hunks(old: bytes, new: bytes, taken: list[Hunk]) -> bytes:
    """`old` with only the `taken` hunks of the old -> new change applied."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    wanted = {op for hunk in taken for op in hunk.opcodes}
    out: list[bytes] = []
    for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        tag, i1, i2, j1, j2 = op
        out += b[j1:j2] if tag != "equal" and op in wanted else a[i1:i2]
    return b"".join(out)


def _range(start: int, stop: int) -> str:
    """A hunk header's line range, as git writes it (`3`, `3,4`, or `2,0` when empty)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _text(line: bytes) -> str:
    text = line.decode("utf-8", "replace")
    return text if text.endswith("\n") else text + "\n\\ No newline at end of file\n"


def choose(
    files: list[tuple[str, bytes, bytes]],
    read: Callable[[], str],
    write: TextIO,
    show: Callable[[str], None] | None = None,
) -> Selection:
    """Ask about every hunk of every (path, old, new); EOF on input means `q`."""
    selection = Selection()
    show = show or write.write
    for path, old, new in files:
        file_hunks = hunks(old, new)
        taken: list[Hunk] = []
        rest: str | None = "n" if selection.quit else None
        for number, hunk in enumerate(file_hunks, 1):
            answer = rest or _ask(path, number, len(file_hunks), hunk, read, write, show)
            if answer in ("a", "d"):
                rest = "y" if answer == "a" else "n"
                answer = rest
            if answer == "q":
                selection.quit, rest, answer = True, "n", "n"
            if answer == "y":
                taken.append(hunk)
                selection.taken += 1
            else:
                selection.skipped.append(
                    {"path": path, "hunk": hunk.header, "reason": "skipped by the user"}
                )
        if taken:
            selection.contents[path] = apply_hunks(old, new, taken)
    return selection


def _ask(
    path: str,
    number: int,
    total: int,
    hunk: Hunk,
    read: Callable[[], str],
    write: TextIO,
    show: Callable[[str], None],
) -> str:
    show(f"diff --git a/{path} b/{path}  (hunk {number}/{total})\n{hunk.text()}")
    while True:
        write.write(PROMPT)
        write.flush()
        line = read()
        if line == "":
            write.write("q\n")
            return "q"
        answer = line.strip().lower()[:1]
        if answer in ("y", "n", "a", "d", "q"):
            return answer
        write.write(HELP + "\n")
