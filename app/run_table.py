"""Run tables (pipeline stages, LoRA runs): a failure in bold red, durations to a tenth of a second, and its
reason in a wide column, so a failed run is seen before it is read, on every page that lists runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

_STYLES = {"failed": "color: #c62828; font-weight: bold", "interrupted": "color: #ef6c00; font-weight: bold",
           "stopped": "color: #ef6c00", "ok": "color: #2e7d32", "finished": "color: #2e7d32"}


def show(table: pd.DataFrame, seconds: str, reason: str) -> None:
    """`table` has a `status` column, a duration column `seconds`, a failure-reason column `reason` and may
    have a `started` time (shown to the second)."""
    if "started" in table:
        table = table.assign(started=pd.to_datetime(table["started"]).dt.strftime("%Y-%m-%d %H:%M:%S"))
    styled = table.style.map(lambda status: _STYLES.get(status, ""), subset=["status"])
    st.dataframe(styled.format({seconds: "{:.1f}"}, na_rep=""), hide_index=True, width="stretch",
                 column_config={reason: st.column_config.TextColumn(width="large")})
