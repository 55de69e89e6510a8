"""Rules in MyBatis SQL: guarded arithmetic updates (stock), status changes, and selects that
define a business set (time-out orders).

The flattened SQL from the index says what a statement does; the mapper file's
own lines give the minimal evidence: the statement's opening tag plus the
lines holding the arithmetic and the WHERE conditions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from core.rules.render import split_top, squash

_ARITH_SET = re.compile(r"^(\w+)\s*=\s*(?:\1\s*([+-])\s*(.+)|CASE\b.*?THEN\s+\1\s*([+-])\s*(\S+).*END)$", re.I | re.S)
_STATUS_SET = re.compile(r"^`?(\w*status)`?\s*=\s*(-?\d+)$", re.I)
# a batch update sets one code per listed key: `status = CASE id WHEN #{item.id} THEN 2 END` writes 2 wherever it writes
_CASE_SET = re.compile(r"^`?(\w*status)`?\s*=\s*CASE\b(.*)\bEND$", re.I | re.S)
_THEN = re.compile(r"\bTHEN\s+(\S+)", re.I)
_STATUS_WHERE = re.compile(r"^(?:\w+\.)?`?(\w*status)`?\s*(=|!=|<>|in)\s*\(?\s*([-\d,\s]+)\)?$", re.I)
_TIME_WORDS = re.compile(r"(?i)\b(now\(\)|date_add|date_sub|interval|sysdate|current_timestamp)")
_COLUMN_COMPARE = re.compile(r"(?:\w+\.)?[a-z_]+\s*(<=|>=|<|>)\s*(?:\w+\.)?[a-z_]+", re.I)
_PARAM = re.compile(r"[#$]\{[^}]*\}")
# a <foreach> whose body is a whole statement: one call runs several UPDATEs (allowMultiQueries) and returns one count
STATEMENT_PER_ITEM = re.compile(r"<foreach\b[^>]*>\s*(?:<!--.*?-->\s*)*(update|insert|delete)\b", re.I | re.S)
MAX_SPAN = 12
MAX_EVIDENCE = 40


@dataclass
class SqlFound:
    kind: str                      # sql_invariant | transition
    stmt: dict
    spans: list[tuple[int, int]]
    facts: dict


def _clauses(sql: str) -> tuple[str, str, str]:
    """(set clause, where clause, from/table part) of a flattened statement."""
    text = squash(html.unescape(sql))
    set_part = where = ""
    m = re.search(r"\bSET\b(.*?)(?:\bWHERE\b|$)", text, re.I | re.S)
    if m:
        set_part = m[1].strip().rstrip(",")
    m = re.search(r"\bWHERE\b(.*?)(?:\bORDER\s+BY\b|\bGROUP\s+BY\b|\bLIMIT\b|$)", text, re.I | re.S)
    if m:
        where = m[1].strip()
    return set_part, where, text


def _assignments(set_part: str) -> list[str]:
    """The SET clause's assignments; a comma inside a parameter (`#{num,jdbcType=INTEGER}`) splits nothing."""
    masked = _PARAM.sub(lambda m: m.group(0).replace(",", "\0"), set_part)
    parts, _ = split_top(masked, (",",))
    return [p.replace("\0", ",").strip() for p in parts]


def _conditions(where: str) -> list[str]:
    parts, _ = split_top(where.strip().rstrip(";"), (" AND ", " and ", " And "))
    return [p.strip() for p in parts if p.strip()]


def _is_key_match(cond: str) -> bool:
    """`id = #{skuId}`, `id IN (...)`: selects the row, is not a business condition."""
    return bool(re.fullmatch(r"(?:\w+\.)?(id|\w+_id)\s*(=\s*#\{[^}]+\}|IN\b.*)", cond, re.I | re.S))


def _lines_matching(file_lines: list[str], stmt: dict, needles: list[str]) -> list[int]:
    out = []
    for n in range(stmt["start_line"], min(stmt["end_line"], len(file_lines)) + 1):
        line = squash(html.unescape(file_lines[n - 1]))
        if any(needle and needle in line for needle in needles):
            out.append(n)
    return out


def _first_line(file_lines: list[str], stmt: dict, clause: str) -> int | None:
    """The line of the statement holding `clause` (e.g. `status = 2`), whatever its spacing."""
    pattern = re.compile(r"\s*".join(re.escape(tok) for tok in re.findall(r"\w+|[^\w\s]+", clause)), re.I)
    return next((n for n in range(stmt["start_line"], min(stmt["end_line"], len(file_lines)) + 1)
                 if pattern.search(html.unescape(file_lines[n - 1]))), None)


def _spans(stmt: dict, lines_: list[int]) -> list[tuple[int, int]]:
    """The whole statement, opening tag to closing tag, when it fits in MAX_EVIDENCE lines (a reader sees
    every clause, the joins and the `<foreach>` of a CASE update); else from the tag to the last proving
    line when short, else one span per proving line."""
    if stmt["end_line"] - stmt["start_line"] + 1 <= MAX_EVIDENCE:
        return [(stmt["start_line"], stmt["end_line"])]
    picked = sorted({stmt["start_line"], *lines_})
    if picked[-1] - picked[0] + 1 <= MAX_SPAN:
        return [(picked[0], picked[-1])]
    return [(n, n) for n in picked]


def _single_code_case(assign: str) -> tuple[str, str, str] | None:
    """(assign, column, code) when a CASE sets the status column to one literal in every branch and has no ELSE."""
    m = _CASE_SET.match(assign)
    if not m or re.search(r"\bELSE\b", m[2], re.I):
        return None
    codes = {t.rstrip(",") for t in _THEN.findall(m[2])}
    if len(codes) != 1 or not re.fullmatch(r"-?\d+", next(iter(codes))):
        return None
    return (assign, m[1], codes.pop())


def find(stmt: dict, file_lines: list[str]) -> list[SqlFound]:
    kind = stmt["kind"]
    set_part, where, text = _clauses(stmt["sql"])
    conditions = [c for c in _conditions(where) if not _is_key_match(c)] if where else []
    keys = [c for c in _conditions(where) if _is_key_match(c)] if where else []
    out: list[SqlFound] = []
    table = (stmt.get("tables") or [""])[0]
    name = f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}"   # the mapper scopes the statement id
    if kind == "update":
        arithmetic, statuses = [], []
        for assign in _assignments(set_part):
            m = _ARITH_SET.match(assign)
            if m:
                op, amount = (m[2], m[3]) if m[2] else (m[4], m[5])
                arithmetic.append({"column": m[1], "op": op, "amount": amount.strip(), "text": assign})
            s = _STATUS_SET.match(assign) or _single_code_case(assign)
            if s:
                statuses.append({"column": s[1], "to": s[2], "text": assign})
        status_where = [w for w in (_STATUS_WHERE.match(c) for c in conditions) if w]
        if arithmetic:
            needles = [f"{a['column']} =" for a in arithmetic] + [f"{a['column']}=" for a in arithmetic]
            needles += [f"{a['op']} {a['amount']}" for a in arithmetic]
            needles += [squash(html.unescape(c)).split(" ")[0] + " " for c in conditions]
            batch = bool(STATEMENT_PER_ITEM.search("\n".join(file_lines[stmt["start_line"] - 1:stmt["end_line"]])))
            found = _lines_matching(file_lines, stmt, needles + [c[:25] for c in conditions + keys]
                                    + (["<foreach"] if batch else []))   # the answer names the loop: cite it
            out.append(SqlFound("sql_invariant", stmt, _spans(stmt, found), {
                "statement": stmt["statement"], "name": name, "namespace": stmt["namespace"], "stmt_id": stmt["stmt_id"],
                "operation": "update", "table": table, "changes": arithmetic, "conditions": conditions,
                "keys": keys, "method_id": stmt.get("method_id"), "sql": text, "batch": batch,
            }))
        for status in statuses:
            found = _lines_matching(file_lines, stmt, [status["text"].split("=")[0].strip()])
            own_where = [w for w in status_where if w[1].lower() == status["column"].lower()]
            located = {"line": _first_line(file_lines, stmt, status["text"])}
            if own_where:
                located["criteria_line"] = _first_line(file_lines, stmt, own_where[0][0])
            out.append(SqlFound("transition", stmt, _spans(stmt, found), {**{k: v for k, v in located.items() if v},
                "statement": stmt["statement"], "name": name, "namespace": stmt["namespace"], "stmt_id": stmt["stmt_id"],
                "via": "sql", "table": table, "field": status["column"], "to": status["to"],
                "from": [{"op": w[2].lower(), "codes": [c.strip() for c in w[3].split(",") if c.strip()]}
                         for w in status_where if w[1].lower() == status["column"].lower()],
                "conditions": conditions, "method_id": stmt.get("method_id"),
            }))
    elif kind == "select" and conditions:
        status_conds = [c for c in conditions if _STATUS_WHERE.match(c)]
        time_conds = [c for c in conditions if _TIME_WORDS.search(c)]
        column_conds = [c for c in conditions if _COLUMN_COMPARE.fullmatch(c)]
        picked = status_conds + time_conds if status_conds and time_conds else column_conds
        if picked:
            found = _lines_matching(file_lines, stmt, [c[:25] for c in picked])
            out.append(SqlFound("sql_invariant", stmt, _spans(stmt, found), {
                "statement": stmt["statement"], "name": name, "namespace": stmt["namespace"], "stmt_id": stmt["stmt_id"],
                "operation": "select", "table": table, "conditions": picked,
                "method_id": stmt.get("method_id"), "sql": text,
            }))
    return out
