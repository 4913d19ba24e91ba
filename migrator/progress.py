"""Progress on stderr for long runs: Rich, only on a terminal, only after a couple of seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


class Bars:
    """One transient display of several bars that fill at once (`plan`'s concurrent batches):
    Rich shows one live display at a time, so each run's `track` adds a row to this one."""

    def __init__(self, *, console: Console | None = None, delay: float = DELAY) -> None:
        self.console = console or Console(stderr=True)
        self.delay = delay
        self._started = time.monotonic()
        self._bar: Progress | None = None
        self._lock = threading.Lock()

    def track(self, items: Iterable[T], total: int, label: str) -> Iterator[T]:
        """Yield `items` unchanged; on a terminal, a row of the shared bar once `delay` has
        passed since the display was made. Safe to call from several threads."""
        if not self.console.is_terminal or self.console.is_dumb_terminal:
            yield from items
            return
        done, task = 0, None
        for item in items:
            done += 1
            if task is None and time.monotonic() - self._started >= self.delay:
                task = self._shown().add_task(label, total=total, completed=done)
            if task is not None:
                self._shown().update(task, completed=done)
            yield item
        if task is not None:
            self._shown().remove_task(task)

    def _shown(self) -> Progress:
        with self._lock:
            if self._bar is None:
                self._bar = _bar(self.console)
                self._bar.start()
            return self._bar

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    def __enter__(self) -> Bars:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}", markup=False),  # a label is shown as written
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
