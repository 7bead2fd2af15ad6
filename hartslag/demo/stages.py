# SPDX-License-Identifier: EUPL-1.2
"""The demo's progress display: one line per stage, ticked off when done, with how long each took.

In a terminal it is a live rich progress display on standard error; in a log (CI, a pipe) each finished stage is
one line instead, so the log shows the stages as they end rather than one picture at the very end.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

__all__ = ["Stages"]


class _Count(ProgressColumn):
    """``done/total`` for stages that count something, nothing for the others."""

    def render(self, task: Task) -> Text:
        if task.total is None or task.total <= 1:
            return Text("")
        return Text(f"{int(task.completed)}/{int(task.total)}", style="progress.download")


class Stages:
    """The stages of one run; :attr:`timings` holds each stage's seconds by name."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            _Count(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,  # a log (CI, a pipe) gets one line per finished stage instead
        )
        self.console = console
        self.timings: dict[str, float] = {}
        self._started: dict[TaskID, tuple[str, float]] = {}

    @contextlib.contextmanager
    def shown(self) -> Iterator[Stages]:
        """Show the display while the block runs."""
        with self.progress:
            yield self

    def begin(self, name: str, description: str, total: float | None = 1) -> TaskID:
        """Start stage ``name`` (its key in :attr:`timings`); ``total`` for a stage that counts something."""
        task = self.progress.add_task(description, total=total)
        self._started[task] = (name, time.monotonic())
        return task

    def advance(self, task: TaskID, completed: float, total: float | None = None, description: str = "") -> None:
        """Show progress (thread-safe: the matching watch calls it from its own thread)."""
        self.progress.update(task, completed=completed, total=total, description=description or None)

    def done(self, task: TaskID, description: str = "") -> None:
        """Tick the stage off, optionally with a new description that says what it did."""
        total = next(t.total for t in self.progress.tasks if t.id == task) or 1
        self.progress.update(task, completed=total, total=total, description=description or None)
        name, started = self._started[task]
        self.timings[name] = round(self.timings.get(name, 0.0) + time.monotonic() - started, 1)
        if self.progress.disable:
            shown = description or next(t.description for t in self.progress.tasks if t.id == task)
            self.console.print(f"✓ {shown} ({self.timings[name]:g} s)", soft_wrap=True)
