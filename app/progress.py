"""`core.progress.Progress` drawn with `st.progress`: one bar per stage, in the order stages start."""

from __future__ import annotations

import streamlit as st

from core.progress import ThrottledProgress


class StreamlitProgress(ThrottledProgress):
    """Each stage gets its own bar in `container`; throttled because every redraw is a message to the browser."""

    def __init__(self, container=None):
        super().__init__()
        self.container = container if container is not None else st.container()
        self._bar = None

    def _begin(self) -> None:
        self._bar = self.container.progress(0.0, text=f"{self.stage}: starting")

    def _render(self) -> None:
        if self.share is None:
            self._bar.progress(0.0, text=f"{self.stage}: {self.done}")
        else:
            self._bar.progress(self.share, text=f"{self.stage}: {self.done}/{self.total}")

    def _closed(self, line: str) -> None:
        self._bar.progress(1.0, text=line)
