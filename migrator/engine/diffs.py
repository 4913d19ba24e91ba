"""Unified diffs that `git apply` accepts, byte-exact, optionally coloured for a terminal."""

from __future__ import annotations

import difflib

NO_NEWLINE = b"\\ No newline at end of file\n"


def unified_diff(path: str, old: bytes, new: bytes, context: int = 3) -> bytes:
    """A git-style unified diff of one file (empty when nothing changed)."""
    if old == new:
        return b""
    name = path.encode("utf-8", "surrogateescape")
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=b"a/" + name,
        tofile=b"b/" + name,
        n=context,
    )
    out = bytearray(b"diff --git a/" + name + b" b/" + name + b"\n")
    for line in lines:
        if line.startswith((b"---", b"+++")):
            out += line.rstrip(b"\r\n") + b"\n"
            continue
        out += line
        if not line.endswith(b"\n"):
            out += b"\n" + NO_NEWLINE
    return bytes(out)


def colourize(diff: bytes) -> str:
    """Rich markup for a diff: additions green, removals red, hunk headers cyan."""
    from rich.markup import escape

    styled = []
    for raw in diff.decode("utf-8", "replace").splitlines():
        line = escape(raw)
        if raw.startswith(("+++", "---", "diff --git")):
            styled.append(f"[bold]{line}[/]")
        elif raw.startswith("+"):
            styled.append(f"[green]{line}[/]")
        elif raw.startswith("-"):
            styled.append(f"[red]{line}[/]")
        elif raw.startswith("@@"):
            styled.append(f"[cyan]{line}[/]")
        else:
            styled.append(line)
    return "\n".join(styled)
