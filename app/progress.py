"""`core.progress.Progress` drawn with `st.progress`: one bar per stage, in the order stages start."""

from __future__ import annotations

import time

import streamlit as st


class StreamlitProgress:
    """Stages report start / advance / finish; each stage gets its own bar in `container`.

    Redraws are limited to ten a second: every redraw is a message to the browser.
    """

    def __init__(self, container=None):
        self.container = container if container is not None else st.container()
        self.stage, self.total, self.done = "", None, 0
        self._bar = None
        self._t0 = self._drawn = 0.0
        self.finished: list[str] = []

    def start(self, stage: str, total: int | None = None) -> None:
        self.stage, self.total, self.done = stage, total, 0
        self._t0 = time.monotonic()
        self._bar = self.container.progress(0.0, text=f"{stage}: starting")
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def finish(self, summary: str = "") -> None:
        elapsed = time.monotonic() - self._t0
        line = f"{self.stage}: done in {elapsed:.1f}s {summary}".rstrip()
        self.finished.append(line)
        if self._bar is not None:
            self._bar.progress(1.0, text=line)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._bar is None or (not force and now - self._drawn < 0.1):
            return
        self._drawn = now
        if self.total:
            share = min(self.done, self.total) / self.total
            self._bar.progress(share, text=f"{self.stage}: {self.done}/{self.total}")
        else:
            self._bar.progress(0.0, text=f"{self.stage}: {self.done}")
