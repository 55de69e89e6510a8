"""Progress of long stages, shown by whoever runs them (terminal bar, app bar).

Stages call `progress.start(stage, total)`, `advance()`, `finish(summary)`;
they never know where the figures end up.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, stage: str, total: int | None = None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self, summary: str = "") -> None: ...


class NullProgress:
    def start(self, stage: str, total: int | None = None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self, summary: str = "") -> None: ...


class ThrottledProgress:
    """Counting and timing shared by the visible bars; redraws at most ten times a second.

    Subclasses say how to draw: `_render()` for the running bar, `_closed(line)`
    for a stage's closing line ("index: done in 0.3s  79 files").
    """

    def __init__(self) -> None:
        self.stage, self.total, self.done = "", None, 0
        self._t0 = self._drawn = 0.0

    def start(self, stage: str, total: int | None = None) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self._t0 = time.monotonic()
        self._begin()
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def finish(self, summary: str = "") -> None:
        elapsed = time.monotonic() - self._t0
        self._closed(f"{self.stage}: done in {elapsed:.1f}s  {summary}".rstrip())

    @property
    def share(self) -> float | None:
        return min(self.done, self.total) / self.total if self.total else None

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._drawn >= 0.1:
            self._drawn = now
            self._render()

    def _begin(self) -> None:
        """A new stage starts (e.g. a new bar)."""

    def _render(self) -> None:
        raise NotImplementedError

    def _closed(self, line: str) -> None:
        raise NotImplementedError


class TerminalProgress(ThrottledProgress):
    """A one-line bar on stderr; a log file (not a terminal) gets only the closing lines."""

    width = 30

    def __init__(self, stream: TextIO = sys.stderr):
        super().__init__()
        self.stream = stream

    def _render(self) -> None:
        if not self.stream.isatty():
            return
        if self.share is None:
            self.stream.write(f"\r{self.stage}: {self.done}")
        else:
            filled = int(self.width * self.share)
            self.stream.write(f"\r{self.stage:<9} [{'#' * filled}{'-' * (self.width - filled)}] {self.done}/{self.total}")
        self.stream.flush()

    def _closed(self, line: str) -> None:
        self.stream.write(("\r\033[K" if self.stream.isatty() else "") + line + "\n")
        self.stream.flush()
