"""Query results as dicts, for the stores that hand plain rows to the stages."""

from __future__ import annotations

import json
from collections.abc import Collection

import duckdb


def dict_rows(cursor: duckdb.DuckDBPyConnection, json_cols: Collection[str] = ()) -> list[dict]:
    """Every row of an executed query as {column: value}, the `json_cols` present decoded.

    DuckDB returns JSON columns as text; a column also read as NULL or already
    typed (a VARCHAR[] list) is left as it is.
    """
    cols = [d[0] for d in cursor.description]
    decode = [c for c in cols if c in json_cols]
    out = []
    for row in cursor.fetchall():
        rec = dict(zip(cols, row))
        for col in decode:
            if isinstance(rec[col], str):
                rec[col] = json.loads(rec[col])
        out.append(rec)
    return out
