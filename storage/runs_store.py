"""LoRA runs (train_runs), their inference-validation results (infer_results), and the
repository facts the strict validator checks answers against."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

_RUN_COLS = ("run_id", "run_dir", "export_dir", "base_model", "config", "pid", "status", "message",
             "started_at", "finished_at", "final_metrics")
_JSON_COLS = ("config", "final_metrics")


def _run(row) -> dict:
    rec = dict(zip(_RUN_COLS, row))
    for col in _JSON_COLS:
        rec[col] = json.loads(rec[col]) if rec[col] else None
    return rec


def insert_run(con: duckdb.DuckDBPyConnection, run_id: str, run_dir: str, export_dir: str, base_model: str,
               config: dict, pid: int | None, status: str = "running", started_at: datetime | None = None) -> None:
    con.execute(
        "INSERT INTO train_runs (run_id, run_dir, export_dir, base_model, config, pid, status, started_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, now()::TIMESTAMP))",
        [run_id, run_dir, export_dir, base_model, json.dumps(config, sort_keys=True), pid, status, started_at],
    )


def update_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, message: str | None = None,
               final_metrics: dict | None = None, finished: bool = False) -> None:
    con.execute(
        "UPDATE train_runs SET status = ?, message = ?, final_metrics = coalesce(?, final_metrics), "
        "finished_at = CASE WHEN ? THEN coalesce(finished_at, now()::TIMESTAMP) ELSE finished_at END "
        "WHERE run_id = ?",
        [status, message, json.dumps(final_metrics) if final_metrics is not None else None, finished, run_id],
    )


def resumed(con: duckdb.DuckDBPyConnection, run_id: str, pid: int) -> None:
    """A failed or stopped run running again (train --resume) under a new process."""
    con.execute("UPDATE train_runs SET status = 'running', message = NULL, finished_at = NULL, pid = ? "
                "WHERE run_id = ?", [pid, run_id])


def get_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict | None:
    row = con.execute(f"SELECT {', '.join(_RUN_COLS)} FROM train_runs WHERE run_id = ?", [run_id]).fetchone()
    return _run(row) if row else None


def list_runs(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict]:
    rows = con.execute(
        f"SELECT {', '.join(_RUN_COLS)} FROM train_runs ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [_run(r) for r in rows]


def replace_infer_results(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict]) -> None:
    """All results of one validation pass of a run; a re-run replaces the previous pass."""
    con.execute("DELETE FROM infer_results WHERE run_id = ?", [run_id])
    con.executemany(
        "INSERT INTO infer_results (run_id, sample_id, model_kind, output, layout_ok, citations_ok, "
        "unknown_identifiers, overlap, supported, unsupported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[run_id, r["sample_id"], r["model_kind"], r["output"], r["layout_ok"], r["citations_ok"],
          json.dumps(r["unknown_identifiers"]), r["overlap"], r.get("supported"),
          json.dumps(r.get("unsupported") or [])] for r in rows],
    )


def infer_results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    cols = ("run_id", "sample_id", "model_kind", "output", "layout_ok", "citations_ok", "unknown_identifiers",
            "overlap", "supported", "unsupported")
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM infer_results WHERE run_id = ? ORDER BY sample_id, model_kind", [run_id]
    ).fetchall()
    out = []
    for row in rows:
        rec = dict(zip(cols, row))
        rec["unknown_identifiers"] = json.loads(rec["unknown_identifiers"]) if rec["unknown_identifiers"] else []
        rec["unsupported"] = json.loads(rec["unsupported"]) if rec["unsupported"] else []
        out.append(rec)
    return out


def repo_line_counts(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, int]:
    return dict(con.execute("SELECT path, line_count FROM files WHERE repo_id = ?", [repo_id]).fetchall())


def repo_name_texts(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[str]:
    """Every stored text that names code: symbols (ids, names, signatures, types, annotations,
    supertypes), SQL statements and their tables, config keys, the code chunks themselves."""
    texts: list[str] = []
    for row in con.execute(
        "SELECT symbol_id, name, signature, type, CAST(annotations AS VARCHAR), CAST(extends AS VARCHAR) "
        "FROM symbols WHERE repo_id = ?", [repo_id],
    ).fetchall():
        texts.extend(t for t in row if t)
    for row in con.execute(
        "SELECT stmt_id, sql, CAST(tables AS VARCHAR) FROM sql_statements WHERE repo_id = ?", [repo_id]
    ).fetchall():
        texts.extend(t for t in row if t)
    texts.extend(r[0] for r in con.execute("SELECT key FROM config_keys WHERE repo_id = ?", [repo_id]).fetchall())
    # code text: local variables, parameters, imported library types
    texts.extend(r[0] for r in con.execute("SELECT text FROM chunks WHERE repo_id = ?", [repo_id]).fetchall())
    return texts


def repo_declarations(con: duckdb.DuckDBPyConnection, repo_id: str) -> list[tuple]:
    """(path, start_line, end_line, simple name, kind, type, doc) of every symbol and SQL statement, for
    the support check of strict validation (a span inside a declaration is about that declaration)."""
    rows = con.execute("SELECT path, start_line, end_line, name, kind, type, doc FROM symbols WHERE repo_id = ?",
                       [repo_id]).fetchall()
    rows += con.execute("SELECT path, start_line, end_line, statement, 'sql', NULL, NULL FROM sql_statements "
                        "WHERE repo_id = ?", [repo_id]).fetchall()
    return rows
