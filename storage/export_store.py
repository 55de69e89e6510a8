"""What an export reads (samples with their review decision and validation summary) and the record of exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import duckdb

from storage.sample_state import EFFECTIVE_PAYLOAD, REVIEW_STATUS, SAMPLE_JOINS


def export_candidates(
    con: duckdb.DuckDBPyConnection, repo_id: str, *, domains: Sequence[str] = (), languages: Sequence[str] = (),
    task_types: Sequence[str] = (),
) -> list[tuple]:
    """Current sample versions passing the filters, in sample_id order, as tuples of
    (sample_id, review_status, reviewer, payload, quality_status, score, dup_cluster, dup_keep).

    `payload` is the effective content: the curator's edit for an edited sample.
    An empty filter means no restriction.
    """
    where, params = ["s.repo_id = ?", "s.is_current"], [repo_id]
    for column, values in (("domain", domains), ("language", languages), ("task_type", task_types)):
        if values:
            where.append(f"list_contains(?, s.{column})")
            params.append(list(values))
    return con.execute(
        f"""SELECT s.sample_id, {REVIEW_STATUS}, r.reviewer, {EFFECTIVE_PAYLOAD},
                   q.status, q.score, q.dup_cluster, COALESCE(q.dup_keep, true)
            FROM {SAMPLE_JOINS}
            WHERE {' AND '.join(where)} ORDER BY s.sample_id""",
        params,
    ).fetchall()


def record_export(con: duckdb.DuckDBPyConnection, export_id: str, out_dir: str, created_at: datetime,
                  manifest: dict) -> None:
    con.execute(
        "INSERT OR REPLACE INTO exports VALUES (?, ?, ?, ?)",
        [export_id, out_dir, created_at, json.dumps(manifest, ensure_ascii=False, sort_keys=True)],
    )


def list_exports(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict]:
    """Past exports, newest first, manifests decoded: the app's Export page."""
    rows = con.execute(
        "SELECT export_id, out_dir, created_at, manifest FROM exports ORDER BY created_at DESC, export_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [{"export_id": i, "out_dir": d, "created_at": c, "manifest": json.loads(m)} for i, d, c, m in rows]
