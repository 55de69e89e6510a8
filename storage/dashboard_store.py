"""The figures of the landing dashboard: one aggregate query per picture, on current sample versions.

Every count here is of `samples.is_current` rows joined the way review and
export join them (storage.sample_state), so the dashboard, the review
queue and the export preview can never disagree about what is pending.
`repo_id=None` counts every repository in the file.
"""

from __future__ import annotations

import duckdb

from storage.rows import dict_rows
from storage.sample_state import REVIEW_STATUS, SAMPLE_JOINS

# Decision events still in force: accept / edit / reject, not reverted by an undo.
_DECISIONS = ("e.action IN ('accept', 'edit', 'reject') AND COALESCE(e.batch_id, '') NOT IN "
              "(SELECT undoes FROM review_events WHERE undoes IS NOT NULL)")


def _repo(repo_id: str | None, column: str = "s.repo_id") -> tuple[str, list]:
    return (f" AND {column} = ?", [repo_id]) if repo_id else ("", [])


def review_progress(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(task_type, domain, language, status, n) for every current sample version."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        f"SELECT s.task_type, s.domain, s.language, {REVIEW_STATUS} AS status, count(*) AS n "
        f"FROM {SAMPLE_JOINS} WHERE s.is_current{where} GROUP BY ALL ORDER BY ALL", params))


def validation_outcome(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(task_type, result, n): the worst check result per current version, 'unchecked' before validate ran."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        f"SELECT s.task_type, COALESCE(q.status, 'unchecked') AS result, count(*) AS n "
        f"FROM {SAMPLE_JOINS} WHERE s.is_current{where} GROUP BY ALL ORDER BY ALL", params))


def check_findings(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(check_name, result, n) of the warnings and failures on current versions: which checks hold samples back."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        "SELECT c.check_name, c.result, count(*) AS n FROM checks c "
        "JOIN samples s ON s.sample_id = c.sample_id AND s.version = c.version "
        f"WHERE s.is_current AND c.result IN ('warn', 'fail'){where} GROUP BY ALL ORDER BY n DESC, c.check_name", params))


def reject_reasons(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(task_type, reason, n) of the current versions whose decision is a rejection."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        f"SELECT s.task_type, COALESCE(NULLIF(trim(r.reason), ''), '(no reason)') AS reason, count(*) AS n "
        f"FROM {SAMPLE_JOINS} WHERE s.is_current AND {REVIEW_STATUS} = 'rejected'{where} "
        "GROUP BY ALL ORDER BY n DESC, reason", params))


def throughput(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(reviewer, day, decisions): accept / edit / reject events in force, per reviewer per calendar day."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        "SELECT e.reviewer, CAST(e.created_at AS DATE) AS day, count(*) AS decisions FROM review_events e "
        "JOIN samples s ON s.sample_id = e.sample_id AND s.version = e.version "
        f"WHERE {_DECISIONS}{where} GROUP BY ALL ORDER BY day, e.reviewer", params))


def pending_groups(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(task_type, domain, n) of pending current versions, largest first: where review work waits."""
    where, params = _repo(repo_id)
    return dict_rows(con.execute(
        f"SELECT s.task_type, s.domain, count(*) AS n FROM {SAMPLE_JOINS} "
        f"WHERE s.is_current AND {REVIEW_STATUS} = 'pending'{where} "
        "GROUP BY ALL ORDER BY n DESC, s.task_type DESC, s.domain", params))


def stage_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict]:
    """The latest pipeline stage runs with their duration in seconds and their stored failure reason."""
    return dict_rows(con.execute(
        "SELECT run_id, repo_id, stage, status, started_at, finished_at, "
        "date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds, message, params "
        "FROM pipeline_runs ORDER BY run_id DESC LIMIT ?", [limit]), json_cols=("params",))


def failing_stages(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The last run of each (repository, stage) when it did not end well: what is broken now, with why."""
    return dict_rows(con.execute(
        "SELECT run_id, repo_id, stage, status, started_at, message, params FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY COALESCE(repo_id, ''), stage ORDER BY run_id DESC) AS k "
        "  FROM pipeline_runs WHERE status <> 'running') "
        "WHERE k = 1 AND status <> 'ok' ORDER BY run_id DESC"), json_cols=("params",))


def last_validation_run(con: duckdb.DuckDBPyConnection, run_dir: str) -> dict | None:
    """The latest recorded `infer` stage run of a LoRA run directory (its status and failure reason)."""
    rows = dict_rows(con.execute(
        "SELECT run_id, status, started_at, finished_at, message FROM pipeline_runs "
        "WHERE stage = 'infer' AND json_extract_string(params, '$.run') = ? ORDER BY run_id DESC LIMIT 1",
        [run_dir]))
    return rows[0] if rows else None


def generation_failures(con: duckdb.DuckDBPyConnection, repo_id: str | None = None) -> list[dict]:
    """(backend, reason, n, last) of the work items generation could not turn into a sample, most frequent
    reason first: a generate run that ends 'ok' with some answers failed is a failure too."""
    where, params = _repo(repo_id, "repo_id")
    return dict_rows(con.execute(
        "SELECT backend, reason, count(*) AS n, max(created_at) AS last FROM generation_failures "
        f"WHERE true{where} GROUP BY ALL ORDER BY n DESC, last DESC", params))
