"""Progress on stderr for long runs: Rich, only on a terminal, only after a couple of seconds."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")
DELAY = 2.0  # seconds before a bar appears: short runs print nothing


def track(
    items: Iterable[T],
    total: int,
    label: str,
    *,
    console: Console | None = None,
    delay: float = DELAY,
) -> Iterator[T]:
    """Yield `items` unchanged; on a terminal, show a transient bar once `delay` has passed."""
    console = console or Console(stderr=True)
    if not console.is_terminal or console.is_dumb_terminal:
        yield from items
        return
    started, done, bar = time.monotonic(), 0, None
    try:
        for item in items:
            done += 1
            if bar is None and time.monotonic() - started >= delay:
                bar = _bar(console)
                bar.start()
                task = bar.add_task(label, total=total, completed=done)
            if bar is not None:
                bar.update(task, completed=done)
            yield item
    finally:
        if bar is not None:
            bar.stop()


def _bar(console: Console) -> Progress:
    # Loaded here: most runs never show a bar, and every command would pay for the import.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}", markup=False),  # a label is shown as written
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
