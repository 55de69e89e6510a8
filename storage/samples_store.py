"""Samples with their versions, generation failures and the LLM response cache.

A sample_id is stable across re-generation (source + question kind +
language). Saving content that differs from the current version adds a new
version and flips `is_current`; nothing is ever deleted, so a curator's
decision (review_state, keyed by sample_id + version) stays with the version
it was made on.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from storage.rows import dict_rows

SAMPLE_COLUMNS = (
    "sample_id", "version", "repo_id", "task_type", "domain", "language", "source_kind", "source_ref",
    "rule_kind", "question_kind", "question", "answer", "payload", "content_hash", "backend", "model",
    "prompt_hash", "input_hash", "tokens_in", "tokens_out", "cost_usd", "created_at", "is_current",
)


def current_versions(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, dict]:
    """sample_id -> {version, input_hash, content_hash, backend} of the current version."""
    rows = con.execute(
        "SELECT sample_id, version, input_hash, content_hash, backend FROM samples "
        "WHERE repo_id = ? AND is_current",
        [repo_id],
    ).fetchall()
    return {r[0]: {"version": r[1], "input_hash": r[2], "content_hash": r[3], "backend": r[4]} for r in rows}


def save_samples(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> dict[str, int]:
    """Store generated samples; returns counts {new, new_version, unchanged}.

    Each row holds the SAMPLE_COLUMNS except version / is_current, which are
    decided here. Unchanged content only refreshes the generation record
    (input hash, prompt hash) of the current version, so re-runs are cheap.
    """
    counts = {"new": 0, "new_version": 0, "unchanged": 0}
    if not rows:
        return counts
    repo_ids = {r["repo_id"] for r in rows}
    current: dict[str, dict] = {}
    for repo_id in repo_ids:
        current.update(current_versions(con, repo_id))
    inserts, refreshes, retire = [], [], []
    for row in rows:
        now = current.get(row["sample_id"])
        if now is not None and now["content_hash"] == row["content_hash"]:
            counts["unchanged"] += 1
            if now["input_hash"] != row["input_hash"]:
                refreshes.append([row["input_hash"], row["prompt_hash"], row["sample_id"], now["version"]])
            continue
        version = 1 if now is None else now["version"] + 1
        if now is not None:
            retire.append([row["sample_id"], now["version"]])
            counts["new_version"] += 1
        else:
            counts["new"] += 1
        record = dict(row, version=version, is_current=True)
        if not isinstance(record["payload"], str):
            record["payload"] = json.dumps(record["payload"], ensure_ascii=False)
        inserts.append([record[c] for c in SAMPLE_COLUMNS])
    if retire:
        con.executemany("UPDATE samples SET is_current = false WHERE sample_id = ? AND version = ?", retire)
    if refreshes:
        con.executemany(
            "UPDATE samples SET input_hash = ?, prompt_hash = ? WHERE sample_id = ? AND version = ?", refreshes
        )
    if inserts:
        placeholders = ", ".join("?" for _ in SAMPLE_COLUMNS)
        con.executemany(f"INSERT INTO samples ({', '.join(SAMPLE_COLUMNS)}) VALUES ({placeholders})", inserts)
    return counts


def _sample_rows(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[dict]:
    cols = ", ".join(SAMPLE_COLUMNS)
    return dict_rows(con.execute(f"SELECT {cols} FROM samples WHERE {where} ORDER BY sample_id, version", params),
                     ("payload",))


def list_samples(
    con: duckdb.DuckDBPyConnection,
    repo_id: str,
    *,
    task_type: str | None = None,
    domains: list[str] | None = None,
    language: str | None = None,
    current_only: bool = True,
) -> list[dict]:
    """Sample rows (payload parsed to a dict, the whole core.models.Sample)."""
    where, params = ["repo_id = ?"], [repo_id]
    if current_only:
        where.append("is_current")
    if task_type:
        where.append("task_type = ?")
        params.append(task_type)
    if domains:
        where.append("list_contains(?, domain)")
        params.append(list(domains))
    if language:
        where.append("language = ?")
        params.append(language)
    return _sample_rows(con, " AND ".join(where), params)


def get_sample(con: duckdb.DuckDBPyConnection, sample_id: str, version: int | None = None) -> dict | None:
    """One version of a sample (the current one when `version` is None)."""
    if version is None:
        rows = _sample_rows(con, "sample_id = ? AND is_current", [sample_id])
    else:
        rows = _sample_rows(con, "sample_id = ? AND version = ?", [sample_id, version])
    return rows[0] if rows else None


def sample_versions(con: duckdb.DuckDBPyConnection, sample_id: str) -> list[dict]:
    """Every version of a sample, oldest first."""
    return _sample_rows(con, "sample_id = ?", [sample_id])


def count_samples(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, int]:
    """Current samples per task type."""
    rows = con.execute(
        "SELECT task_type, count(*) FROM samples WHERE repo_id = ? AND is_current GROUP BY 1", [repo_id]
    ).fetchall()
    return {r[0]: r[1] for r in rows}


# ------------------------------------------------------------- failures --
def record_failure(
    con: duckdb.DuckDBPyConnection, repo_id: str, input_hash: str, source_ref: str, backend: str,
    reason: str, attempts: int, at: datetime,
) -> None:
    con.execute(
        "INSERT INTO generation_failures VALUES (?, ?, ?, ?, ?, ?, ?)",
        [repo_id, input_hash, source_ref, backend, reason[:2000], attempts, at],
    )


def clear_failures(con: duckdb.DuckDBPyConnection, repo_id: str, input_hashes: list[str]) -> None:
    """Forget failures of inputs that have now produced a sample."""
    if input_hashes:
        con.execute(
            "DELETE FROM generation_failures WHERE repo_id = ? AND list_contains(?, input_hash)",
            [repo_id, input_hashes],
        )


def list_failures(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    cols = ("input_hash", "source_ref", "backend", "reason", "attempts", "created_at")
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM generation_failures WHERE repo_id = ? ORDER BY created_at, source_ref",
        [repo_id],
    ).fetchall()
    return [dict(zip(cols, r)) for r in rows]


# ------------------------------------------------------------ LLM cache --
def cache_get(con: duckdb.DuckDBPyConnection, input_hash: str, backend: str, model: str) -> dict | None:
    row = con.execute(
        "SELECT response FROM llm_cache WHERE input_hash = ? AND backend = ? AND model = ?",
        [input_hash, backend, model],
    ).fetchone()
    return json.loads(row[0]) if row else None


def cache_get_many(con: duckdb.DuckDBPyConnection, input_hashes: list[str], backend: str, model: str) -> dict[str, dict]:
    """Cached responses of many inputs in one query (a run looks up all of its items at once)."""
    rows = con.execute(
        "SELECT input_hash, response FROM llm_cache WHERE backend = ? AND model = ? AND list_contains(?, input_hash)",
        [backend, model, input_hashes],
    ).fetchall()
    return {h: json.loads(r) for h, r in rows}


def cache_put(
    con: duckdb.DuckDBPyConnection, input_hash: str, backend: str, model: str, response: dict, at: datetime
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO llm_cache VALUES (?, ?, ?, ?, ?)",
        [input_hash, backend, model, json.dumps(response, ensure_ascii=False), at],
    )
