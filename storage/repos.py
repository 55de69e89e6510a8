"""Repositories known to the database, and the history of pipeline runs."""

from __future__ import annotations

import json

import duckdb


def upsert_repo(con: duckdb.DuckDBPyConnection, repo_id: str, root: str, git_commit: str | None) -> None:
    con.execute(
        "INSERT OR REPLACE INTO repos VALUES (?, ?, ?, now()::TIMESTAMP)", [repo_id, root, git_commit]
    )


def get_repo(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict | None:
    row = con.execute(
        "SELECT repo_id, root, git_commit, indexed_at FROM repos WHERE repo_id = ?", [repo_id]
    ).fetchone()
    return dict(zip(("repo_id", "root", "git_commit", "indexed_at"), row)) if row else None


def repo_root(con: duckdb.DuckDBPyConnection, repo_id: str) -> str | None:
    """None when the repository was never indexed into this database."""
    row = con.execute("SELECT root FROM repos WHERE repo_id = ?", [repo_id]).fetchone()
    return row[0] if row else None


def latest_repo(con: duckdb.DuckDBPyConnection) -> dict | None:
    row = con.execute(
        "SELECT repo_id FROM repos ORDER BY indexed_at DESC NULLS LAST LIMIT 1"
    ).fetchone()
    return get_repo(con, row[0]) if row else None


def list_repos(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute("SELECT repo_id FROM repos ORDER BY indexed_at DESC NULLS LAST").fetchall()
    return [get_repo(con, r[0]) for r in rows]


def start_run(con: duckdb.DuckDBPyConnection, repo_id: str | None, stage: str, params: dict) -> int:
    return con.execute(
        "INSERT INTO pipeline_runs (repo_id, stage, params, started_at, status) "
        "VALUES (?, ?, ?, now()::TIMESTAMP, 'running') RETURNING run_id",
        [repo_id, stage, json.dumps(params, sort_keys=True)],
    ).fetchone()[0]


def interrupt_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still 'running' as 'interrupted'; called by the holder of the run lock, so none of them
    is really running (their process died without recording an end). Returns how many."""
    rows = con.execute(
        "UPDATE pipeline_runs SET status = 'interrupted', finished_at = coalesce(finished_at, now()::TIMESTAMP), "
        "message = 'interrupted: the process running it stopped before the stage ended' "
        "WHERE status = 'running' RETURNING run_id"
    ).fetchall()
    return len(rows)


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: int, status: str, counts: dict | None = None, message: str = ""
) -> None:
    con.execute(
        "UPDATE pipeline_runs SET finished_at = now()::TIMESTAMP, status = ?, counts = ?, message = ? "
        "WHERE run_id = ?",
        [status, json.dumps(counts or {}, sort_keys=True), message, run_id],
    )


def run_history(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict]:
    cols = ("run_id", "repo_id", "stage", "params", "started_at", "finished_at", "status", "counts", "message")
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM pipeline_runs ORDER BY run_id DESC LIMIT ?", [limit]
    ).fetchall()
    out = []
    for row in rows:
        rec = dict(zip(cols, row))
        rec["params"] = json.loads(rec["params"]) if rec["params"] else {}
        rec["counts"] = json.loads(rec["counts"]) if rec["counts"] else {}
        out.append(rec)
    return out


