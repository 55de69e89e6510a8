"""Message Batches submitted by `generate` (id + item mapping) and the bill of every LLM request."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_batches(con: duckdb.DuckDBPyConnection, repo_id: str, backend: str, model: str) -> list[tuple[str, dict]]:
    """Unfinished batches of this repository and model, oldest first, each with custom_id -> input hash."""
    rows = con.execute(
        "SELECT b.batch_id, i.custom_id, i.input_hash FROM llm_batches b JOIN llm_batch_items i USING (batch_id) "
        "WHERE b.repo_id = ? AND b.backend = ? AND b.model = ? AND b.status = 'open' "
        "ORDER BY b.submitted_at, b.batch_id, i.custom_id",
        [repo_id, backend, model],
    ).fetchall()
    batches: dict[str, dict[str, str]] = {}
    for batch_id, custom_id, input_hash in rows:
        batches.setdefault(batch_id, {})[custom_id] = input_hash
    return list(batches.items())


def add_batch(con: duckdb.DuckDBPyConnection, batch_id: str, repo_id: str, backend: str, model: str,
              mapping: dict[str, str]) -> None:
    con.execute("INSERT INTO llm_batches VALUES (?, ?, ?, ?, 'open', ?, NULL)", [batch_id, repo_id, backend, model, _now()])
    con.executemany("INSERT INTO llm_batch_items VALUES (?, ?, ?)", [[batch_id, c, h] for c, h in mapping.items()])


def finish_batch(con: duckdb.DuckDBPyConnection, batch_id: str, status: str) -> None:
    con.execute("UPDATE llm_batches SET status = ?, finished_at = ? WHERE batch_id = ?", [status, _now(), batch_id])


def list_batches(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[dict]:
    cols = ("batch_id", "backend", "model", "status", "submitted_at", "finished_at")
    rows = con.execute(f"SELECT {', '.join(cols)} FROM llm_batches WHERE repo_id = ? ORDER BY submitted_at",
                       [repo_id]).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def add_calls(con: duckdb.DuckDBPyConnection, repo_id: str, backend: str, model: str, rows: list[tuple]) -> None:
    """rows: (input_hash, input, output, cache_read, cache_write, cost_usd, batch, stop_reason)."""
    if rows:
        now = _now()
        con.executemany("INSERT INTO llm_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[repo_id, backend, model, *r, now] for r in rows])


def spend(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict:
    """Tokens and cost of every LLM request ever made for a repository."""
    row = con.execute(
        "SELECT count(*), coalesce(sum(input_tokens + cache_read_tokens + cache_write_tokens), 0), "
        "coalesce(sum(output_tokens), 0), sum(cost_usd) FROM llm_calls WHERE repo_id = ?", [repo_id]).fetchone()
    return {"calls": row[0], "tokens_in": row[1], "tokens_out": row[2], "cost_usd": row[3]}
