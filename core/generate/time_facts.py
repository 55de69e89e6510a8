"""QA "who_sets_time": which code sets an entity's time field (`OmsOrder.paymentTime`), and to what.

"Where is the payment time recorded?" is asked of every order table, and the answer is only worth having when it
has every writer. It is asked only where the facts see them all (the same guards as the status lifecycles,
core.generate.lifecycle_facts):
- every `.setPaymentTime(` call in Java is typed (the index resolved its receiver) and sits in an active class;
- no controller takes the entity as a parameter and no copyProperties fills it from a type with the field, so no
  request writes it unseen;
- every SQL statement that names the column either stores the record's own value (a whole-record write: the
  setters decide) or sets it to the database's clock (`now()`), said with the DAO method and its callers;
- the DDL gives the column no DEFAULT (an insert would record a time no code shows).
A creation or modification stamp is asked only where several places set it: one create setting its own
`createTime` teaches nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.domain.schema import load_schema, snake
from core.generate.audit import MODIFY_COLUMN
from core.generate.flow_facts import member_label, statement_label
from core.generate.lifecycle_facts import _ASSIGN, _SET_PART, MIN_WHOLE_RECORD, Lifecycles
from core.generate.qa_templates import Cite, control_text, file_name, pick, unique_claims
from core.generate.work import WorkItem
from core.models import Span, sha256_text

TIME_TYPES = re.compile(r"^(Date|LocalDateTime|LocalDate|Timestamp|Instant|ZonedDateTime|OffsetDateTime)$")
CREATED = re.compile(r"^(?:gmt_)?(create|created|add|insert)(?:_(?:time|date|at|on))?$")
NOW_SQL = re.compile(r"^(now\(\)|sysdate\(\)|current_timestamp(?:\(\))?|getdate\(\)|localtimestamp)$", re.I)
MAX_SETTERS = 8
_CLOCK = re.compile(r"\b(now|sysdate|current_timestamp|getdate|localtimestamp)\b", re.I)


def time_items(planner, rules: list[dict]) -> list[WorkItem]:
    lc = Lifecycles(planner, rules)
    schema = load_schema(Path(planner.files.root), planner.files, planner.data)
    items = []
    for e in planner.data.get("entities") or []:
        domain = next((d for d in planner.domains if d in (e.get("domains") or [])), None)
        entity = e["symbol_id"].rsplit(".", 1)[-1]
        cls = lc._entity_class(entity)
        if domain is None or cls is None or len(e.get("tables") or []) != 1:
            continue
        table = e["tables"][0]
        for fld in (s for s in planner.data["symbols"] if s["kind"] == "field" and s.get("parent_id") == e["symbol_id"]
                    and TIME_TYPES.match((s.get("type") or "").rsplit(".", 1)[-1])
                    and "static" not in (s.get("modifiers") or "")):
            column = snake(fld["name"])
            known = schema.get(table) or schema.get(table.lower())
            stamp = bool(MODIFY_COLUMN.match(column) or CREATED.match(column))
            if known is None or known.source == "model" or column not in known.columns \
                    or _defaulted(planner, schema, table, column):
                continue          # a column no DDL or result map shows is not named
            java = _java_setters(lc, entity, fld["name"], cls.get("path") or "")
            sql = _sql_setters(lc, table, column, fld["name"]) if java is not None else None
            if java is None or sql is None or not java + sql or len(java + sql) > MAX_SETTERS \
                    or (stamp and len(java + sql) < 2) or not lc._no_outside_values(entity, fld["name"]):
                continue          # a stamp one create or update sets is that operation's own detail
            facts = {"entity": entity, "field": fld["name"], "table": table, "column": column,
                     "setters": java + sql, "_path": (java + sql)[0]["path"]}
            spans = [Span(path=s["path"], start_line=c["line"], end_line=c["line"]) for s in java + sql
                     for c in s["controls"]]
            spans += [Span(path=s["path"], start_line=s["line"], end_line=s.get("end") or s["line"]) for s in java + sql]
            spans += [Span(path=s["path"], start_line=s["local"]["line"], end_line=s["local"]["line"])
                      for s in java if s.get("local")]
            spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for s in sql for c in s["callers"]]
            ref = "time:" + sha256_text(f"{entity}.{fld['name']}")[:16]
            items += planner.asked(ref, "rule", "lifecycle_time", domain, facts, spans, time_questions)
    return items


def _defaulted(planner, schema: dict, table: str, column: str) -> bool:
    """The DDL gives the column a DEFAULT (or an ON UPDATE): a row gets a time no setter shows."""
    col = (schema.get(table) or schema.get(table.lower()))
    c = col.columns.get(column) if col else None
    return bool(c) and c.path.endswith(".sql") and bool(re.search(r"\bDEFAULT\b(?!\s+NULL)|\bON\s+UPDATE\b",
                                                                   planner.files.get(c.path).lines[c.line - 1], re.I))


def _java_setters(lc: Lifecycles, entity: str, field: str, entity_path: str) -> list[dict] | None:
    """Every `.setField(..)` call on the entity with its argument and branches; None when one cannot be typed."""
    calls = lc.setter_calls(entity, field, entity_path)
    return None if calls is None else [
        {"who": member_label(x["call"]["caller_id"]), "value": " ".join(x["arg"].split()), "path": x["path"],
         "line": x["line"], "sql": False, "callers": [], "controls": lc._call_controls(x["call"]),
         "local": _local(lc, x)} for x in calls]


def _local(lc: Lifecycles, x: dict) -> dict | None:
    """A local the setter is handed (`setRefundTime(now)`), with the line that assigns it, when one assignment
    in the method above the call does (`LocalDateTime now = LocalDateTime.now();`)."""
    if not re.fullmatch(r"[a-z]\w*", x["arg"]):
        return None
    m = next((s for s in lc.data["symbols"] if s["symbol_id"] == x["call"]["caller_id"]), None)
    lines = lc.p.files.get(x["path"]).lines
    decl = re.compile(rf"^\s*(?:final\s+)?[A-Z][\w.<>]*\s+{x['arg']}\s*=\s*([^;]+);\s*$")
    again = re.compile(rf"\b{x['arg']}\s*=[^=]")
    found = [(n, d.group(1)) for n in range(m["start_line"], x["line"]) if (d := decl.match(lines[n - 1]))] if m else []
    if len(found) != 1 or sum(bool(again.search(lines[n - 1])) for n in range(m["start_line"], x["line"])) != 1:
        return None
    return {"line": found[0][0], "value": " ".join(found[0][1].split())}


def _sql_setters(lc: Lifecycles, table: str, column: str, field: str) -> list[dict] | None:
    """Statements that set the column to the database clock, with their callers; whole-record writes (the setters
    decide) are left to the Java side; None for any other way of writing it."""
    found = []
    for st in lc.p.statements:
        if st["kind"] not in ("update", "insert") or table not in (st.get("tables") or []) or not st.get("sql") \
                or not re.search(rf"\b{re.escape(column)}\b", st["sql"], re.I):
            continue
        if st["sql"].count("#{") >= MIN_WHOLE_RECORD and re.search(rf"#\{{\s*(?:\w+\.)?{re.escape(field)}\b",
                                                                   st["sql"]):
            continue              # the record's own value, as its setters left it
        m = _SET_PART.search(st["sql"]) if st["kind"] == "update" else None
        value = {c.lower(): v.strip() for c, v in _ASSIGN.findall(m.group(1) if m else "")}.get(column.lower())
        if value is None and st["kind"] == "update" and not re.search(rf"\b{re.escape(column)}\b\s*=", st["sql"], re.I):
            continue              # only tested in the WHERE
        now = value is not None and (NOW_SQL.match(value) or re.fullmatch(r"CASE\b.*\bTHEN\s+now\(\)\s*(?:</foreach>)?\s*END",
                                                                          value, re.I | re.S))
        if not now and not re.search(rf"\b{re.escape(column)}\s*=\s*CASE\b[^;]*?\bTHEN\s+now\(\)", st["sql"], re.I | re.S):
            return None
        callers = [c for c in lc.data["calls"] if st.get("method_id") and c.get("callee_id") == st["method_id"]]
        if not callers or any(lc.p.inactive.get(c["caller_id"].split("#")[0]) for c in callers):
            return None
        body = lc.p.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]]
        at = next((k for k, t in enumerate(body) if re.search(rf"\b{re.escape(column)}\b\s*=", t, re.I)), 0)
        clock = next((k for k in range(at, len(body)) if _CLOCK.search(body[k])), at)
        found.append({"who": statement_label(st["stmt_id"]), "value": "now()", "path": st["path"],
                      "line": st["start_line"] + at, "end": st["start_line"] + clock,
                      "sql": True, "controls": [],
                      "callers": [{"who": member_label(c["caller_id"]), "path": c["path"], "line": c["line"],
                                   "controls": lc._call_controls(c)} for c in callers]})
    return found


# ------------------------------------------------------------- templates --
def time_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    t = f"`{f['entity']}.{f['field']}`"
    if lang == "en":
        return [("who_sets_time", pick(seed, [f"Which code sets {t}, and to what value?",
                                              f"Where does the code record {t}, and with which value?"]))]
    return [("who_sets_time", f"哪些代码会设置 {t}？设成什么值？")]


@unique_claims
def time_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite,
                path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    en = lang == "en"
    rows, trace = [], []
    for n, s in enumerate(f["setters"], 1):
        at = f"{file_name(s['path'])}:{s['line']}"
        conds = "".join((", " if en else "，") + control_text(c, lang) for c in s["controls"])
        ids = [cite.at(c["line"], s["path"]) for c in s["controls"]] + [cite.at(s["line"], s["path"])]
        if s["sql"]:
            via = "; ".join(f"`{c['who']}` ({file_name(c['path'])}:{c['line']}"
                            + "".join(", " + control_text(x, lang) for x in c["controls"]) + ")" for c in s["callers"])
            rows.append(f"{n}. `{s['who']}` sets `{f['column']}` to the database's current time (`now()`, {at}); "
                        f"called from {via}." if en else
                        f"{n}. `{s['who']}` 把 `{f['column']}` 设为数据库当前时间（`now()`，{at}），调用方：{via}。")
            trace.append(((f"`{s['who']}` sets `{f['column']}` to `now()` ({at})" if en
                           else f"`{s['who']}` 把 `{f['column']}` 设为 `now()`（{at}）"), ids))
            for c in s["callers"]:
                trace.append(((f"`{c['who']}` calls `{s['who'].rsplit('.', 1)[-1]}` ({file_name(c['path'])}:{c['line']})"
                               if en else f"`{c['who']}` 调用 `{s['who'].rsplit('.', 1)[-1]}`"
                               f"（{file_name(c['path'])}:{c['line']}）"),
                              [cite.at(x["line"], c["path"]) for x in c["controls"]] + [cite.at(c["line"], c["path"])]))
        else:
            local = s.get("local")
            said = (f" (= `{local['value']}` at {file_name(s['path'])}:{local['line']})" if en else
                    f"（即 {file_name(s['path'])}:{local['line']} 的 `{local['value']}`）") if local else ""
            rows.append(f"{n}. `{s['who']}` sets it to `{s['value']}`{said} ({at}{conds})." if en
                        else f"{n}. `{s['who']}` 把它设为 `{s['value']}`{said}（{at}{conds}）。")
            if local:
                ids.append(cite.at(local["line"], s["path"]))
            trace.append(((f"`{s['who']}` calls `set{f['field'][:1].upper()}{f['field'][1:]}({s['value']})` ({at})" if en
                           else f"`{s['who']}` 调用 `set{f['field'][:1].upper()}{f['field'][1:]}({s['value']})`（{at}）"),
                          list(dict.fromkeys(ids))))
    k = len(f["setters"])
    where = "one place" if k == 1 else f"{k} places"
    head = (f"`{f['entity']}.{f['field']}` (column `{f['column']}` of `{f['table']}`) is set in {where}. Counted are "
            f"every setter call on {_a(f['entity'])} and every SQL statement that writes the column itself; a "
            "whole-record write stores what these setters put on the record." if en else
            f"`{f['entity']}.{f['field']}`（`{f['table']}` 表的 `{f['column']}` 列）共在 {k} 处设置："
            f"对 `{f['entity']}` 的每个 set 调用，以及每条直接写该列的 SQL（整条记录写入时存的就是这些 set 设的值）：")
    tail = ("No request fills the entity directly: no controller takes it as a parameter, and no property copy fills "
            "it from a type with this field." if en
            else "没有请求直接填充该实体：没有接口以它为参数，也没有从含此字段的类型复制属性。")
    return "\n".join([head, *rows, tail]), trace


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + f"`{word}`"
