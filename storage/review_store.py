"""The review queue and the curator's decisions, with their audit trail.

A sample with no `review_state` row is pending: generation never has to
write review rows, and a fresh version of a sample starts pending. Every
decision writes one `review_events` row per sample (before/after state as
JSON), grouped by `batch_id`, so Undo can revert a bulk action as one step.
The queue is ordered by a sort key plus sample_id, which lets "the next
sample" be found with a keyset query instead of sorting the whole queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import duckdb

from storage.rounds_store import STAGE, VOTED_BY
from storage.rows import dict_rows
from storage.sample_state import (
    EFFECTIVE_ANSWER,
    EFFECTIVE_PAYLOAD,
    EFFECTIVE_QUESTION,
    REVIEW_STATUS,
    SAMPLE_JOINS,
)

STATUSES = ("pending", "accepted", "edited", "rejected")
VALIDATION_RESULTS = ("pass", "warn", "fail", "unchecked")

# name -> (SQL expression, direction); ties are broken by sample_id ascending.
SORTS: dict[str, tuple[str, str]] = {
    "oldest first": ("s.created_at", "ASC"),
    "newest first": ("s.created_at", "DESC"),
    "lowest score": ("COALESCE(q.score, -1.0)", "ASC"),
    "highest score": ("COALESCE(q.score, -1.0)", "DESC"),
    "domain": ("s.domain", "ASC"),
    "sample id": ("s.sample_id", "ASC"),
}

_FROM = f" FROM {SAMPLE_JOINS} "
# The revision of a sample version (alias given): its last state-changing event, 0 while none.
_REV = ("SELECT COALESCE(max(e.event_id), 0) FROM review_events e WHERE e.sample_id = {alias}.sample_id "
        "AND e.version = {alias}.version AND e.action <> 'skip'")
# Decisions in force: not a skip, not an undo, and not reverted by an undo.
_IN_FORCE = ("action NOT IN ('skip', 'undo') AND COALESCE(batch_id, '') NOT IN "
             "(SELECT undoes FROM review_events WHERE undoes IS NOT NULL)")
_STATE_JSON = """CASE WHEN r.sample_id IS NULL THEN NULL ELSE json_object(
    'status', r.status, 'reviewer', r.reviewer, 'edited_payload', r.edited_payload,
    'reason', r.reason, 'updated_at', strftime(r.updated_at, '%Y-%m-%d %H:%M:%S.%f')) END"""


@dataclass(frozen=True)
class QueueFilter:
    """What the curator narrowed the queue to; empty tuples mean "any"."""

    task_type: str = "qa"
    repo_id: str | None = None
    statuses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    rule_kinds: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()
    score_min: float | None = None
    score_max: float | None = None
    backends: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    text: str = ""
    sort: str = "oldest first"
    stages: tuple[str, ...] = ()      # review stages (storage.rounds_store.STAGES): the disagreement queue is ("disputed",)
    undecided_by: str = ""            # leave out samples this reviewer has a decision in force on (second review)

    def where(self) -> tuple[str, list]:
        clauses, params = ["s.is_current", "s.task_type = ?"], [self.task_type]
        if self.repo_id:
            clauses.append("s.repo_id = ?")
            params.append(self.repo_id)
        for column, values in (
            (REVIEW_STATUS, self.statuses),
            ("s.domain", self.domains),
            ("s.rule_kind", self.rule_kinds),
            ("COALESCE(q.status, 'unchecked')", self.validation),
            ("s.backend", self.backends),
            ("s.language", self.languages),
            (STAGE, self.stages),
        ):
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.score_min is not None:
            clauses.append("q.score >= ?")
            params.append(self.score_min)
        if self.score_max is not None:
            clauses.append("q.score <= ?")
            params.append(self.score_max)
        if self.undecided_by:
            clauses.append(f"NOT {VOTED_BY}")
            params.append(self.undecided_by)
        if self.text.strip():
            clauses.append(f"({EFFECTIVE_QUESTION} ILIKE ? OR {EFFECTIVE_ANSWER} ILIKE ? OR s.sample_id ILIKE ?)")
            params.extend([f"%{self.text.strip()}%"] * 3)
        return " AND ".join(clauses), params

    def order(self) -> tuple[str, str]:
        return SORTS.get(self.sort, SORTS["oldest first"])


_QUEUE_COLS = (
    "sample_id", "version", "domain", "language", "rule_kind", "question_kind", "question",
    "status", "reviewer", "validation", "score", "backend", "created_at", "stage",
)
_QUEUE_SELECT = f"""s.sample_id, s.version, s.domain, s.language, s.rule_kind, s.question_kind,
    left({EFFECTIVE_QUESTION}, 160), {REVIEW_STATUS}, r.reviewer, COALESCE(q.status, 'unchecked'),
    q.score, s.backend, s.created_at, {STAGE}"""


def queue_page(con: duckdb.DuckDBPyConnection, f: QueueFilter, limit: int = 50, offset: int = 0) -> list[dict]:
    where, params = f.where()
    expr, direction = f.order()
    rows = con.execute(
        f"SELECT {_QUEUE_SELECT} {_FROM} WHERE {where} ORDER BY {expr} {direction}, s.sample_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [dict(zip(_QUEUE_COLS, row)) for row in rows]


def queue_count(con: duckdb.DuckDBPyConnection, f: QueueFilter) -> int:
    where, params = f.where()
    return con.execute(f"SELECT count(*) {_FROM} WHERE {where}", params).fetchone()[0]


def status_counts(con: duckdb.DuckDBPyConnection, f: QueueFilter) -> dict[str, int]:
    """Counts per review status under the filter with its status choice ignored (the progress bar)."""
    where, params = replace(f, statuses=()).where()
    rows = con.execute(
        f"SELECT {REVIEW_STATUS}, count(*) {_FROM} WHERE {where} GROUP BY 1", params
    ).fetchall()
    return {status: dict(rows).get(status, 0) for status in STATUSES}


def next_in_queue(con: duckdb.DuckDBPyConnection, f: QueueFilter, after: str | None) -> tuple[str, int] | None:
    """The first sample of the queue after `after` in sort order (or the first of all).

    `after` need not match the filter any more (it was just accepted out of a
    pending-only queue); its sort key is read without the filter.
    """
    where, params = f.where()
    expr, direction = f.order()
    if after is not None:
        key = con.execute(f"SELECT {expr} {_FROM} WHERE s.sample_id = ? AND s.is_current", [after]).fetchone()
        if key is not None:
            cmp = ">" if direction == "ASC" else "<"
            where += f" AND ({expr} {cmp} ? OR ({expr} = ? AND s.sample_id > ?))"
            params = [*params, key[0], key[0], after]
    row = con.execute(
        f"SELECT s.sample_id, s.version {_FROM} WHERE {where} ORDER BY {expr} {direction}, s.sample_id LIMIT 1",
        params,
    ).fetchone()
    return (row[0], row[1]) if row else None


def in_queue(con: duckdb.DuckDBPyConnection, f: QueueFilter, sample_id: str) -> bool:
    where, params = f.where()
    return con.execute(f"SELECT count(*) {_FROM} WHERE {where} AND s.sample_id = ?", [*params, sample_id]).fetchone()[0] > 0


def facets(con: duckdb.DuckDBPyConnection, task_type: str) -> dict[str, list[str]]:
    """The distinct values the filters can offer."""
    out = {}
    for name, column in (("domains", "domain"), ("rule_kinds", "rule_kind"), ("backends", "backend"),
                         ("languages", "language"), ("repos", "repo_id")):
        rows = con.execute(
            f"SELECT DISTINCT {column} FROM samples WHERE is_current AND task_type = ? AND {column} IS NOT NULL ORDER BY 1",
            [task_type],
        ).fetchall()
        out[name] = [r[0] for r in rows]
    return out


def sample_stamp(con: duckdb.DuckDBPyConnection, task_type: str) -> tuple[int, str]:
    """(count, newest creation time) of current samples: changes whenever generation adds or replaces some."""
    n, newest = con.execute(
        "SELECT count(*), max(created_at) FROM samples WHERE is_current AND task_type = ?", [task_type]
    ).fetchone()
    return n, str(newest)


def get_sample(con: duckdb.DuckDBPyConnection, sample_id: str, version: int | None = None) -> dict | None:
    """One sample version with its payload, review state and quality (the current version by default).

    `effective` is what the curator signs off on and export writes (see storage.sample_state);
    `payload` stays the generated original, for the edit diff.
    """
    cond = "s.version = ?" if version is not None else "s.is_current"
    params = [sample_id] + ([version] if version is not None else [])
    row = con.execute(
        f"""SELECT s.sample_id, s.version, s.repo_id, s.task_type, s.payload, {EFFECTIVE_PAYLOAD}, {REVIEW_STATUS},
                   r.reviewer, r.edited_payload, r.reason, r.updated_at, q.status, q.score, s.backend, s.is_current
            {_FROM} WHERE s.sample_id = ? AND {cond} ORDER BY s.version DESC LIMIT 1""",
        params,
    ).fetchone()
    if row is None:
        return None
    cols = ("sample_id", "version", "repo_id", "task_type", "payload", "effective", "status", "reviewer",
            "edited_payload", "reason", "updated_at", "validation", "score", "backend", "is_current")
    rec = dict(zip(cols, row))
    rec["rev"] = rev(con, rec["sample_id"], rec["version"])
    for col in ("payload", "effective", "edited_payload"):
        rec[col] = json.loads(rec[col]) if rec[col] else None
    rec["validation"] = rec["validation"] or "unchecked"
    return rec


def checks_for(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> list[dict]:
    rows = con.execute(
        "SELECT check_name, result, message, checked_at FROM checks WHERE sample_id = ? AND version = ? "
        "ORDER BY CASE result WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, check_name",
        [sample_id, version],
    ).fetchall()
    return [dict(zip(("check_name", "result", "message", "checked_at"), r)) for r in rows]


# ------------------------------------------------------------------ state --

def get_state(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> dict | None:
    row = con.execute(
        f"SELECT {_STATE_JSON} FROM review_state r WHERE r.sample_id = ? AND r.version = ?", [sample_id, version]
    ).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def put_state(con: duckdb.DuckDBPyConnection, sample_id: str, version: int, state: dict | None) -> None:
    """Write the review state of one sample version; None makes it pending again (no row)."""
    if state is None:
        con.execute("DELETE FROM review_state WHERE sample_id = ? AND version = ?", [sample_id, version])
        return
    edited = state.get("edited_payload")
    con.execute(
        "INSERT OR REPLACE INTO review_state VALUES (?, ?, ?, ?, ?, ?, COALESCE(?::TIMESTAMP, now()::TIMESTAMP))",
        [sample_id, version, state["status"], state.get("reviewer"),
         json.dumps(edited, ensure_ascii=False) if edited is not None else None,
         state.get("reason"), state.get("updated_at")],
    )


def add_event(
    con: duckdb.DuckDBPyConnection, sample_id: str, version: int, action: str, reviewer: str,
    before: dict | None, after: dict | None, batch_id: str, reason: str | None = None, undoes: str | None = None,
) -> None:
    con.execute(
        "INSERT INTO review_events (sample_id, version, action, reviewer, reason, before, after, created_at, batch_id, undoes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?)",
        [sample_id, version, action, reviewer, reason,
         json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
         json.dumps(after, ensure_ascii=False, default=str) if after is not None else None,
         batch_id, undoes],
    )


def history(con: duckdb.DuckDBPyConnection, sample_id: str) -> list[dict]:
    """Every event of every version of a sample, newest first."""
    cols = ("event_id", "version", "action", "reviewer", "reason", "before", "after", "created_at", "batch_id", "undoes")
    return dict_rows(con.execute(
        f"SELECT {', '.join(cols)} FROM review_events WHERE sample_id = ? ORDER BY event_id DESC", [sample_id]
    ), ("before", "after"))


def rev(con: duckdb.DuckDBPyConnection, sample_id: str, version: int) -> int:
    """The revision a decision on this sample version must have been made on."""
    return con.execute(
        "SELECT COALESCE(max(event_id), 0) FROM review_events WHERE sample_id = ? AND version = ? AND action <> 'skip'",
        [sample_id, version],
    ).fetchone()[0]


def latest_event_id(con: duckdb.DuckDBPyConnection) -> int:
    """The newest event of all: a bulk action is made on the states as they were at this point."""
    return con.execute("SELECT COALESCE(max(event_id), 0) FROM review_events").fetchone()[0]


def event(con: duckdb.DuckDBPyConnection, event_id: int) -> dict | None:
    cols = ("event_id", "sample_id", "version", "action", "reviewer", "reason", "before", "after", "created_at",
            "batch_id", "undoes")
    rows = dict_rows(con.execute(f"SELECT {', '.join(cols)} FROM review_events WHERE event_id = ?", [event_id]),
                     ("before", "after"))
    return rows[0] if rows else None


def recent_decisions(con: duckdb.DuckDBPyConnection, reviewer: str, task_type: str, limit: int = 8) -> list[dict]:
    """The reviewer's latest decisions on one task type, newest first; `undone` when an undo reverted them."""
    rows = con.execute(
        """WITH mine AS (SELECT * FROM review_events WHERE reviewer = ? AND action NOT IN ('skip', 'undo')
                         ORDER BY event_id DESC LIMIT 500)
           SELECT e.event_id, e.sample_id, e.version, e.action, e.reason, e.created_at, e.batch_id,
                  e.batch_id IN (SELECT undoes FROM review_events WHERE undoes IS NOT NULL)
           FROM mine e JOIN samples s ON s.sample_id = e.sample_id AND s.version = e.version
           WHERE s.task_type = ? ORDER BY e.event_id DESC LIMIT ?""",
        [reviewer, task_type, limit],
    ).fetchall()
    cols = ("event_id", "sample_id", "version", "action", "reason", "created_at", "batch_id", "undone")
    return [dict(zip(cols, r)) for r in rows]


def last_undoable_batch(con: duckdb.DuckDBPyConnection, reviewer: str) -> str | None:
    """The reviewer's latest decision batch that no undo has reverted yet."""
    row = con.execute(
        """SELECT batch_id FROM review_events
           WHERE reviewer = ? AND action NOT IN ('skip', 'undo') AND batch_id IS NOT NULL
             AND batch_id NOT IN (SELECT undoes FROM review_events WHERE undoes IS NOT NULL)
           ORDER BY event_id DESC LIMIT 1""",
        [reviewer],
    ).fetchone()
    return row[0] if row else None


def batch_size(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple[str, int]:
    row = con.execute(
        "SELECT any_value(action), count(*) FROM review_events WHERE batch_id = ?", [batch_id]
    ).fetchone()
    return row[0], row[1]


# The events of a batch that are still the decision in force on their sample: only those may be undone.
_REVERTIBLE = f"""SELECT e.* FROM review_events e
    JOIN (SELECT a.sample_id, a.version, max(a.event_id) AS last FROM review_events a
          SEMI JOIN (SELECT sample_id, version FROM review_events WHERE batch_id = ?) b
            ON a.sample_id = b.sample_id AND a.version = b.version
          WHERE {_IN_FORCE} GROUP BY ALL) l ON l.sample_id = e.sample_id AND l.version = e.version AND l.last = e.event_id
    WHERE e.batch_id = ?"""


def overtaken(con: duckdb.DuckDBPyConnection, batch_id: str) -> list[dict]:
    """For each sample of a batch that a newer decision overtook: that newer decision (the latest one)."""
    cols = ("event_id", "sample_id", "version", "action", "reviewer", "reason", "created_at")
    rows = con.execute(
        f"""SELECT {', '.join('n.' + c for c in cols)} FROM review_events b
            JOIN review_events n ON n.sample_id = b.sample_id AND n.version = b.version AND n.event_id > b.event_id
            WHERE b.batch_id = ? AND n.action <> 'skip'
              AND b.event_id NOT IN (SELECT event_id FROM ({_REVERTIBLE}))
            QUALIFY row_number() OVER (PARTITION BY n.sample_id, n.version ORDER BY n.event_id DESC) = 1
            ORDER BY n.event_id DESC""",
        [batch_id, batch_id, batch_id],
    ).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def revert_batch(con: duckdb.DuckDBPyConnection, batch_id: str, reviewer: str, undo_batch: str) -> list[tuple[str, int]]:
    """Restore each sample's state from before `batch_id`, logging an undo event per sample.

    Only samples on which the batch is still the decision in force are reverted: a newer
    decision by anyone is never wiped by an undo.
    """
    con.execute(
        f"""INSERT INTO review_events (sample_id, version, action, reviewer, before, after, created_at, batch_id, undoes)
            SELECT e.sample_id, e.version, 'undo', ?, {_STATE_JSON}, e.before, now()::TIMESTAMP, ?, ?
            FROM ({_REVERTIBLE}) e LEFT JOIN review_state r ON r.sample_id = e.sample_id AND r.version = e.version""",
        [reviewer, undo_batch, batch_id, batch_id, batch_id],
    )
    _clear_states(con, undo_batch)
    con.execute(
        """INSERT INTO review_state
           SELECT sample_id, version, json_extract_string(after, '$.status'), json_extract_string(after, '$.reviewer'),
                  CASE WHEN COALESCE(json_type(after, '$.edited_payload'), 'NULL') = 'NULL'
                       THEN NULL ELSE json_extract(after, '$.edited_payload') END,
                  json_extract_string(after, '$.reason'), CAST(json_extract_string(after, '$.updated_at') AS TIMESTAMP)
           FROM review_events WHERE batch_id = ? AND after IS NOT NULL""",
        [undo_batch],
    )
    rows = con.execute("SELECT sample_id, version FROM review_events WHERE batch_id = ?", [undo_batch]).fetchall()
    return [(r[0], r[1]) for r in rows]


def _clear_states(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """Drop the review state of every sample version in a batch, before the batch's states are written."""
    con.execute(
        "DELETE FROM review_state r USING review_events e "
        "WHERE e.batch_id = ? AND r.sample_id = e.sample_id AND r.version = e.version",
        [batch_id],
    )


def bulk_decide(
    con: duckdb.DuckDBPyConnection, f: QueueFilter, action: str, status: str | None, reviewer: str,
    reason: str | None, batch_id: str, skip_statuses: tuple[str, ...] = (), seen: int | None = None,
) -> tuple[int, int]:
    """Apply one decision to every sample the filter matches (not only the visible page).

    `status` None resets to pending. Samples already in one of `skip_statuses`
    are left alone (bulk accept never discards a curator's edit). With `seen`
    (the latest event id when the curator confirmed), a sample changed after
    that point is left alone too. Returns (changed, left alone as changed since).
    """
    where, params = f.where()
    if skip_statuses:
        where += f" AND {REVIEW_STATUS} NOT IN ({', '.join('?' * len(skip_statuses))})"
        params = [*params, *skip_statuses]
    stale = 0
    if seen is not None:
        stale = con.execute(f"SELECT count(*) {_FROM} WHERE {where} AND ({_REV.format(alias='s')}) > ?",
                            [*params, seen]).fetchone()[0]
        where += f" AND ({_REV.format(alias='s')}) <= ?"
        params = [*params, seen]
    after = (
        "NULL" if status is None else
        "json_object('status', ?, 'reviewer', ?, 'edited_payload', NULL, 'reason', ?, "
        "'updated_at', strftime(now()::TIMESTAMP, '%Y-%m-%d %H:%M:%S.%f'))"
    )
    after_params = [] if status is None else [status, reviewer, reason]
    con.execute(
        f"""INSERT INTO review_events (sample_id, version, action, reviewer, reason, before, after, created_at, batch_id)
            SELECT s.sample_id, s.version, ?, ?, ?, {_STATE_JSON}, {after}, now()::TIMESTAMP, ? {_FROM} WHERE {where}""",
        [action, reviewer, reason, *after_params, batch_id, *params],
    )
    _clear_states(con, batch_id)
    if status is not None:
        con.execute(
            "INSERT INTO review_state SELECT sample_id, version, ?, ?, NULL, ?, now()::TIMESTAMP "
            "FROM review_events WHERE batch_id = ?",
            [status, reviewer, reason, batch_id],
        )
    changed = con.execute("SELECT count(*) FROM review_events WHERE batch_id = ?", [batch_id]).fetchone()[0]
    return changed, stale


def enclosing_member(con: duckdb.DuckDBPyConnection, repo_id: str, path: str, start: int, end: int) -> dict | None:
    """The innermost method or constructor of the index that contains lines start..end of a file."""
    row = con.execute(
        """SELECT symbol_id, name, start_line, end_line FROM symbols
           WHERE repo_id = ? AND path = ? AND kind IN ('method', 'constructor') AND start_line <= ? AND end_line >= ?
           ORDER BY end_line - start_line LIMIT 1""",
        [repo_id, path, start, end],
    ).fetchone()
    return dict(zip(("symbol_id", "name", "start_line", "end_line"), row)) if row else None
