"""Validation results: per-check rows in `checks`, their summary in `sample_quality`.

Results are written in bulk from a pandas frame (one DELETE and one INSERT
per run, not a statement per sample) and the quality summary is computed in
SQL from the stored check rows, so re-checking a few samples still yields a
summary over all of their checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import duckdb
import pandas as pd

from storage.repos import repo_root
from storage.sample_state import EFFECTIVE_ANSWER, EFFECTIVE_PAYLOAD, EFFECTIVE_QUESTION, REVIEW_STATUS, SAMPLE_JOINS


def repo_facts(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict:
    """What the checks need from the index: root, names, code text, file encodings, generated files,
    the line ranges each file failed to parse in."""
    symbol_names = [r[0] for r in con.execute("SELECT DISTINCT name FROM symbols WHERE repo_id = ?", [repo_id]).fetchall()]
    tables = [r[0] for r in con.execute(
        "SELECT DISTINCT unnest(CAST(tables AS VARCHAR[])) FROM sql_statements WHERE repo_id = ? AND tables IS NOT NULL",
        [repo_id],
    ).fetchall()]
    code_texts = [r[0] for r in con.execute(
        "SELECT text FROM chunks WHERE repo_id = ? UNION ALL SELECT sql FROM sql_statements WHERE repo_id = ? "
        "UNION ALL SELECT key FROM config_keys WHERE repo_id = ?",
        [repo_id, repo_id, repo_id],
    ).fetchall()]
    files = con.execute("SELECT path, encoding, is_generated, parse_errors FROM files WHERE repo_id = ?",
                        [repo_id]).fetchall()
    generated_classes = con.execute(
        "SELECT DISTINCT s.path FROM map_classes m JOIN symbols s USING (repo_id, symbol_id) "
        "WHERE m.repo_id = ? AND m.is_generated",
        [repo_id],
    ).fetchall()
    return {
        "root": repo_root(con, repo_id),
        "symbol_names": symbol_names,
        "tables": tables,
        "code_texts": code_texts,
        "encodings": {path: enc for path, enc, _, _ in files},
        "generated_paths": {path for path, _, gen, _ in files if gen} | {r[0] for r in generated_classes},
        "error_regions": {path: json.loads(errors) for path, _, _, errors in files if errors},
    }


def index_stamp(con: duckdb.DuckDBPyConnection, repo_id: str) -> str | None:
    """Changes whenever the repository is re-indexed (a key for caching repo_facts)."""
    row = con.execute("SELECT CAST(indexed_at AS VARCHAR) FROM repos WHERE repo_id = ?", [repo_id]).fetchall()
    return row[0][0] if row else None


def samples_to_check(
    con: duckdb.DuckDBPyConnection, repo_id: str, sample_ids: Sequence[str] = (), only_failed: bool = False,
    batch: int = 10_000,
) -> Iterator[list[tuple[str, int, str]]]:
    """Batches of (sample_id, version, effective payload JSON) of current versions.

    Read through a cursor of its own, so the caller may write results on `con` between
    batches; streamed, so 100,000 payloads never sit in memory at once.
    """
    where, params = ["s.repo_id = ?", "s.is_current"], [repo_id]
    if sample_ids:
        where.append("list_contains(?, s.sample_id)")
        params.append(list(sample_ids))
    if only_failed:
        where.append("COALESCE(q.status, 'fail') = 'fail'")
    cursor = con.cursor()
    try:
        result = cursor.execute(
            f"""SELECT s.sample_id, s.version, CAST({EFFECTIVE_PAYLOAD} AS VARCHAR)
                FROM {SAMPLE_JOINS}
                WHERE {' AND '.join(where)}""",
            params,
        )
        while rows := result.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def dedup_candidates(con: duckdb.DuckDBPyConnection, repo_id: str) -> pd.DataFrame:
    """Every current sample's effective question + answer and review status, in sample_id order."""
    return con.execute(
        f"""SELECT s.sample_id, s.version, {REVIEW_STATUS} AS review_status,
                   {EFFECTIVE_QUESTION} || chr(10) || {EFFECTIVE_ANSWER} AS text
            FROM {SAMPLE_JOINS}
            WHERE s.repo_id = ? AND s.is_current
            ORDER BY s.sample_id""",
        [repo_id],
    ).df()


def replace_checks(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, check_names: Sequence[str]) -> int:
    """Store check rows (sample_id, version, check_name, result, message), replacing the
    `check_names` results of every sample version in `rows`."""
    if rows.empty:
        return 0
    con.register("incoming_checks", rows)
    try:
        con.execute(
            """DELETE FROM checks USING (SELECT DISTINCT sample_id, version FROM incoming_checks) k
               WHERE checks.sample_id = k.sample_id AND checks.version = k.version
                 AND list_contains(?, checks.check_name)""",
            [list(check_names)],
        )
        con.execute(
            "INSERT INTO checks SELECT sample_id, version, check_name, result, message, now()::TIMESTAMP FROM incoming_checks"
        )
    finally:
        con.unregister("incoming_checks")
    return len(rows)


def _weights_sql(weights: dict[str, float]) -> tuple[str, list]:
    values = ", ".join("(?, ?)" for _ in weights)
    return f"(VALUES {values}) w(check_name, weight)", [x for kv in weights.items() for x in kv]


_SUMMARY = """CASE max(CASE c.result WHEN 'fail' THEN 2 WHEN 'warn' THEN 1 ELSE 0 END)
                  WHEN 2 THEN 'fail' WHEN 1 THEN 'warn' ELSE 'pass' END AS status,
              CASE WHEN bool_or(c.check_name = 'schema' AND c.result = 'fail') THEN 0.0  -- nothing else is known
                   ELSE sum(COALESCE(w.weight, 1.0) * CASE c.result WHEN 'pass' THEN 1.0 WHEN 'warn' THEN 0.5 ELSE 0.0 END)
                        / sum(COALESCE(w.weight, 1.0)) END AS score"""


def content_quality(con: duckdb.DuckDBPyConnection, repo_id: str, weights: dict[str, float],
                    exclude: Sequence[str]) -> pd.DataFrame:
    """status and score of every current sample from its stored checks, `exclude`d checks left out."""
    table, params = _weights_sql(weights)
    return con.execute(
        f"""SELECT c.sample_id, c.version, {_SUMMARY}
            FROM checks c JOIN samples s ON s.sample_id = c.sample_id AND s.version = c.version
            LEFT JOIN {table} ON w.check_name = c.check_name
            WHERE s.repo_id = ? AND s.is_current AND NOT list_contains(?, c.check_name)
            GROUP BY c.sample_id, c.version""",
        [*params, repo_id, list(exclude)],
    ).df()


def refresh_quality(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame, weights: dict[str, float]) -> int:
    """Recompute sample_quality for the versions in `keys` (sample_id, version, dup_cluster, dup_keep)."""
    if keys.empty:
        return 0
    table, params = _weights_sql(weights)
    con.register("quality_keys", keys)
    try:
        con.execute(
            """DELETE FROM sample_quality USING quality_keys k
               WHERE sample_quality.sample_id = k.sample_id AND sample_quality.version = k.version"""
        )
        con.execute(
            f"""INSERT INTO sample_quality
                SELECT k.sample_id, k.version, {_SUMMARY}, any_value(k.dup_cluster), any_value(k.dup_keep)
                FROM quality_keys k JOIN checks c ON c.sample_id = k.sample_id AND c.version = k.version
                LEFT JOIN {table} ON w.check_name = c.check_name
                GROUP BY k.sample_id, k.version""",
            params,
        )
    finally:
        con.unregister("quality_keys")
    return len(keys)


def versions_with_check(con: duckdb.DuckDBPyConnection, repo_id: str, check_name: str) -> set[tuple[str, int]]:
    """(sample_id, version) of current samples that already have a `check_name` result."""
    rows = con.execute(
        "SELECT c.sample_id, c.version FROM checks c JOIN samples s ON s.sample_id = c.sample_id "
        "AND s.version = c.version WHERE s.repo_id = ? AND s.is_current AND c.check_name = ?", [repo_id, check_name],
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def quality_keys(con: duckdb.DuckDBPyConnection, versions: list[tuple[str, int]]) -> pd.DataFrame:
    """(sample_id, version, dup_cluster, dup_keep) of these versions, keeping their duplicate state."""
    frame = pd.DataFrame(versions, columns=["sample_id", "version"]).astype({"version": "int32"})
    con.register("wanted_versions", frame)
    try:
        return con.execute(
            """SELECT k.sample_id, k.version, q.dup_cluster, coalesce(q.dup_keep, true) AS dup_keep
               FROM wanted_versions k LEFT JOIN sample_quality q ON q.sample_id = k.sample_id AND q.version = k.version"""
        ).df()
    finally:
        con.unregister("wanted_versions")


def duplicate_state(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> tuple[str | None, bool, dict | None]:
    """(dup_cluster, dup_keep, the stored duplicate check) of one version, to carry over a re-check."""
    q = con.execute(
        "SELECT dup_cluster, dup_keep FROM sample_quality WHERE sample_id = ? AND version = ?", [sample_id, version]
    ).fetchall()
    c = con.execute(
        "SELECT result, message FROM checks WHERE sample_id = ? AND version = ? AND check_name = 'duplicate'",
        [sample_id, version],
    ).fetchall()
    check = {"check_name": "duplicate", "result": c[0][0], "message": c[0][1]} if c else None
    return (q[0][0], bool(q[0][1]), check) if q else (None, True, check)


def result_counts(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, dict[str, int]]:
    """check_name -> {pass, warn, fail} over current samples: the figures a run reports."""
    out: dict[str, dict[str, int]] = {}
    for name, result, n in con.execute(
        """SELECT c.check_name, c.result, count(*) FROM checks c
           JOIN samples s ON s.sample_id = c.sample_id AND s.version = c.version
           WHERE s.repo_id = ? AND s.is_current GROUP BY 1, 2 ORDER BY 1, 2""",
        [repo_id],
    ).fetchall():
        out.setdefault(name, {})[result] = n
    return out


def quality_counts(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict:
    row = con.execute(
        """SELECT count(*) FILTER (q.status = 'pass'), count(*) FILTER (q.status = 'warn'),
                  count(*) FILTER (q.status = 'fail'), count(DISTINCT q.dup_cluster),
                  count(*) FILTER (NOT q.dup_keep)
           FROM sample_quality q JOIN samples s ON s.sample_id = q.sample_id AND s.version = q.version
           WHERE s.repo_id = ? AND s.is_current""",
        [repo_id],
    ).fetchall()[0]
    return dict(zip(("pass", "warn", "fail", "dup_clusters", "dup_dropped"), row))


def insert_samples(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> int:
    """Bulk insert of ready-made sample rows (all columns of `samples`): synthetic benchmark data.

    Generation stores its samples through storage.samples_store (versioning); this path is for
    the 100,000-sample benchmarks, where one INSERT from a frame is what makes the set-up quick.
    """
    rows = rows.copy()
    rows["payload"] = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in rows["payload"]]
    con.register("incoming_samples", rows)
    try:
        cols = ", ".join(rows.columns)
        con.execute(f"INSERT INTO samples ({cols}) SELECT {cols} FROM incoming_samples")
    finally:
        con.unregister("incoming_samples")
    return len(rows)
