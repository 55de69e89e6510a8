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


class TerminalProgress:
    """A one-line bar on stderr, redrawn at most ten times a second."""

    width = 30

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.stage, self.total, self.done = "", None, 0
        self._t0 = self._drawn = 0.0

    def start(self, stage: str, total: int | None = None) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self._t0 = time.monotonic()
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def finish(self, summary: str = "") -> None:
        elapsed = time.monotonic() - self._t0
        self._write(f"{self.stage:<9} done in {elapsed:.1f}s  {summary}".rstrip() + "\n")

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        if self.total:
            filled = int(self.width * min(self.done, self.total) / self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            self._write(f"\r{self.stage:<9} [{bar}] {self.done}/{self.total}")
        else:
            self._write(f"\r{self.stage:<9} {self.done}")

    def _write(self, text: str) -> None:
        """Redraws only on a terminal; a log file gets just the closing line of each stage."""
        tty = self.stream.isatty()
        if text.endswith("\n"):
            self.stream.write(("\r\033[K" if tty else "") + text)
        elif tty:
            self.stream.write(text)
        else:
            return
        self.stream.flush()
