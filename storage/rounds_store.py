"""Second review in SQL: the reviewers-required setting, votes, review stages, groups of related samples.

Votes and stages are the views of migration 060 (`review_votes`,
`review_rounds`), derived from the audit trail: a decision, an undo or a
reset changes them in the same transaction that writes the event, and there
is no second copy to drift. A sample version without votes is "unreviewed".
"""

from __future__ import annotations

import duckdb

from storage.rows import dict_rows
from storage.sample_state import EFFECTIVE_ANSWER, EFFECTIVE_QUESTION

STAGES = ("unreviewed", "awaiting", "final", "disputed")
REVIEWERS_REQUIRED = "reviewers_required"

# The review stage of sample version `s` (joins nothing: a scalar subquery for WHERE and SELECT lists).
STAGE = ("COALESCE((SELECT rr.stage FROM review_rounds rr WHERE rr.sample_id = s.sample_id "
         "AND rr.version = s.version), 'unreviewed')")
# Whether `?` (a reviewer) has a vote in force on sample version `s`.
VOTED_BY = ("EXISTS (SELECT 1 FROM review_votes rv WHERE rv.sample_id = s.sample_id AND rv.version = s.version "
            "AND rv.reviewer = ?)")


def get_setting(con: duckdb.DuckDBPyConnection, name: str) -> dict | None:
    row = con.execute("SELECT value, updated_by, updated_at FROM settings WHERE name = ?", [name]).fetchone()
    return dict(zip(("value", "updated_by", "updated_at"), row)) if row else None


def put_setting(con: duckdb.DuckDBPyConnection, name: str, value: str, by: str) -> None:
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?, ?, now()::TIMESTAMP)", [name, value, by])


def votes(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> list[dict]:
    """Each reviewer's decision in force on one sample version, oldest first."""
    return dict_rows(con.execute(
        "SELECT reviewer, verdict, content_key, reason, created_at, event_id FROM review_votes "
        "WHERE sample_id = ? AND version = ? ORDER BY created_at, reviewer", [sample_id, version]))


def stage(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> str:
    row = con.execute("SELECT stage FROM review_rounds WHERE sample_id = ? AND version = ?",
                      [sample_id, version]).fetchone()
    return row[0] if row else "unreviewed"


def stages_of(con: duckdb.DuckDBPyConnection, repo_id: str) -> dict[str, str]:
    """sample_id -> stage of its current version, for every reviewed current sample of a repo."""
    rows = con.execute(
        "SELECT s.sample_id, rr.stage FROM samples s JOIN review_rounds rr "
        "ON rr.sample_id = s.sample_id AND rr.version = s.version WHERE s.is_current AND s.repo_id = ?",
        [repo_id]).fetchall()
    return dict(rows)


def _scope(task_type: str | None, domains: tuple[str, ...]) -> tuple[str, list]:
    clauses, params = ["s.is_current"], []
    if task_type:
        clauses.append("s.task_type = ?")
        params.append(task_type)
    if domains:
        clauses.append(f"s.domain IN ({', '.join('?' * len(domains))})")
        params.extend(domains)
    return " AND ".join(clauses), params


def stage_counts(con: duckdb.DuckDBPyConnection, task_type: str | None = None,
                 domains: tuple[str, ...] = ()) -> dict[str, int]:
    where, params = _scope(task_type, domains)
    rows = con.execute(f"SELECT {STAGE}, count(*) FROM samples s WHERE {where} GROUP BY 1", params).fetchall()
    found = dict(rows)
    return {name: found.get(name, 0) for name in STAGES}


def paired_votes(con: duckdb.DuckDBPyConnection, task_type: str | None = None,
                 domains: tuple[str, ...] = ()) -> list[tuple[str, str, str, str]]:
    """(reviewer a, reviewer b, a's verdict, b's verdict) for every sample both decided, a < b (current versions)."""
    where, params = _scope(task_type, domains)
    return con.execute(
        f"""SELECT a.reviewer, b.reviewer, a.verdict, b.verdict
            FROM samples s
            JOIN review_votes a ON a.sample_id = s.sample_id AND a.version = s.version
            JOIN review_votes b ON b.sample_id = s.sample_id AND b.version = s.version AND a.reviewer < b.reviewer
            WHERE {where} ORDER BY a.reviewer, b.reviewer, s.sample_id""", params).fetchall()


def group_of(con: duckdb.DuckDBPyConnection, sample_id: str) -> list[dict]:
    """The current samples generated from the same source (rule, flow or requirement) as `sample_id`,
    itself included: its twins (other languages) and its variants (other questions). Ordered so that
    the sample's own language comes first, then by question kind. `rev` is each one's revision, for
    a group decision (see storage.review_store.rev)."""
    return dict_rows(con.execute(
        f"""WITH me AS (SELECT repo_id, task_type, source_kind, source_ref, language FROM samples
                        WHERE sample_id = ? AND is_current)
            SELECT s.sample_id, s.version, s.language, s.question_kind, s.rule_kind,
                   {EFFECTIVE_QUESTION} AS question, {EFFECTIVE_ANSWER} AS answer,
                   COALESCE(r.status, 'pending') AS status, r.reviewer, {STAGE} AS stage,
                   (SELECT COALESCE(max(e.event_id), 0) FROM review_events e WHERE e.sample_id = s.sample_id
                     AND e.version = s.version AND e.action <> 'skip') AS rev
            FROM samples s JOIN me ON s.repo_id = me.repo_id AND s.task_type = me.task_type
                 AND s.source_kind = me.source_kind AND s.source_ref = me.source_ref
            LEFT JOIN review_state r ON r.sample_id = s.sample_id AND r.version = s.version
            WHERE s.is_current
            ORDER BY s.language <> me.language, s.language, s.question_kind, s.sample_id""", [sample_id]))


def changes_since(con: duckdb.DuckDBPyConnection, sample_id: str, version: int, seen: int) -> list[dict]:
    """State-changing events on a sample version after revision `seen`, newest first, each with
    `content_changed`: whether it changed the text a decision would apply to (an edit, or undoing one)."""
    return dict_rows(con.execute(
        """SELECT event_id, sample_id, version, action, reviewer, reason, created_at,
                  COALESCE(CAST(json_extract(before, '$.edited_payload') AS VARCHAR), 'null')
                  IS DISTINCT FROM COALESCE(CAST(json_extract(after, '$.edited_payload') AS VARCHAR), 'null')
                  AS content_changed
           FROM review_events WHERE sample_id = ? AND version = ? AND event_id > ? AND action <> 'skip'
           ORDER BY event_id DESC""", [sample_id, version, seen]))
