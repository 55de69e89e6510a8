"""Deriving design requirements from the domain map, the extracted rules and the method bodies.

A requirement is generated only where the repository's facts make it meaningful and answer it
exactly: a status field's change impact (every place that sets or checks it), a guarded
transition that fails or races on a repeat (idempotency, moving the check into the write), a
count-by-status endpoint on the controller that already serves the entity, a field a product
owner would ask for, bound to the operation that gives it meaning and not duplicating an existing
column, and an audit trail that reuses the repository's own history table. User requirements
from a file are anchored by keyword on the classes and rules they mention.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from core.domain.architecture import endpoint_specs
from core.domain.schema import Table, load_schema, snake
from core.evidence import SourceCache
from core.generate.design import Conventions, DesignSpec, Ref, loop_text
from core.generate.design_facts import CodeFacts, Site, is_delete_flag
from core.generate.lifecycle_facts import class_mapping_line
from core.generate.plan import route_for
from core.generate.spans import JavaOutline
from core.models import sha256_text

MAX_PER_KIND = 12
MAX_SITES = 40          # a change-impact answer must list every place; beyond this it is not one design
STATUS_FIELD = re.compile(r"(status|state)$", re.I)
COUNT_FIELD = re.compile(r"(status|state|type)$", re.I)
# fields a product owner asks for, the operation that sets them, and the words of a column that already means it
NEW_FIELDS = {
    "order": [
        {"field": "cancelReason", "sql_type": "VARCHAR(200)", "label_en": "cancel reason", "label_zh": "取消原因",
         "bind": "cancel", "meaning": ("cancel_reason", "取消原因", "close_reason", "关闭原因")},
        {"field": "cancelTime", "sql_type": "DATETIME", "label_en": "cancel time", "label_zh": "取消时间",
         "bind": "cancel", "value": "now", "meaning": ("cancel_time", "close_time", "end_time", "取消时间", "关闭时间")},
        {"field": "shipTime", "sql_type": "DATETIME", "label_en": "ship time", "label_zh": "发货时间", "bind": "ship",
         "value": "now", "meaning": ("ship_time", "delivery_time", "send_time", "deliver_time", "发货时间")},
        {"field": "receiveTime", "sql_type": "DATETIME", "label_en": "receive time", "label_zh": "收货时间",
         "bind": "receive", "value": "now",
         "meaning": ("receive_time", "confirm_time", "finish_time", "receipt_time", "收货时间", "确认收货时间")},
        {"field": "rejectReason", "sql_type": "VARCHAR(200)", "label_en": "reject reason", "label_zh": "拒绝原因",
         "bind": "reject", "tables": re.compile(r"(aftersale|return_apply|refund)"),
         "meaning": ("reject_reason", "refuse_reason", "handle_note", "拒绝原因", "驳回原因", "处理备注", "审核备注")},
        {"field": "invoiceTitle", "sql_type": "VARCHAR(100)", "label_en": "invoice title", "label_zh": "发票抬头",
         "bind": "create", "meaning": ("invoice", "bill_header", "发票")},
        {"field": "buyerRemark", "sql_type": "VARCHAR(500)", "label_en": "buyer remark", "label_zh": "买家备注",
         "bind": "create", "meaning": ("remark", "note", "message", "留言", "备注")},
    ],
}
CANCEL = re.compile(r"^(cancel|close)", re.I)
_IN_PROGRESS = re.compile(r"中\s*$|进行|处理中|\b(?:pending|in progress|\w+ing)\s*$", re.I)   # a state still under way
# the operations a bound field is written by: method names that do it, words of the codes it moves the record to,
# and how a requirement says when (en, zh)
BINDS = {
    "cancel": (CANCEL, re.compile(r"cancel|close|取消|关闭", re.I), "is cancelled or closed", "取消或关闭时"),
    "ship": (re.compile(r"^(ship|deliver|dispatch)", re.I), re.compile(r"ship|deliver|express|发货|出库", re.I),
             "is shipped", "发货时"),
    "reject": (re.compile(r"^(reject|refuse|deny)", re.I), re.compile(r"reject|refuse|拒绝|驳回", re.I), "is rejected",
               "被拒绝时"),
    "receive": (re.compile(r"^(receive|finish|confirm$|confirmReceiv|confirmReceipt|confirmDelivery)", re.I),
                re.compile(r"receiv|收货|签收", re.I),         # not confirmPay: a confirmation is a receipt only when it says so
                "is confirmed as received", "确认收货时"),
}
WRITE_CALL = re.compile(r"^(update|insert|save|modify|delete|remove|add|reduce|release)", re.I)
CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
LITERAL_SET = re.compile(r"\.set(\w+)\(\s*(?:\([a-z]+\)\s*)?(-?\d+|[A-Z]\w*\.[A-Z_][A-Z0-9_]*)\s*\)")
OWNER_FILTER = re.compile(r"\b(member|user|customer)_id\s*=\s*#\{", re.I)
SYSTEM = re.compile(r"time_?out|expire|auto", re.I)       # operations the system runs, not a user
DOMAIN_TABLE = {"order": re.compile(r"(^|_)orders?$")}     # the table a domain's new fields belong to


SQL_WORDS = {"where", "left", "right", "inner", "join", "on", "set", "order", "group", "limit", "and", "union"}


def _q(label: str) -> str:
    return f'"{label}"' if not label.isascii() else label


def _req_id(kind: str, *parts: str) -> str:
    return f"req:{kind}:" + sha256_text("|".join(parts))[:12]




def _request_shape(m: dict) -> dict:
    """How an endpoint receives its input: a body that is only ids (`@RequestBody Long[] ids`) cannot carry a value
    the user types, so a new parameter or request object is needed; no body at all -> a new request parameter."""
    sig = m.get("signature") or ""
    body = re.search(r"@RequestBody\s+((?:List|Set|Collection)<\s*(?:Long|Integer|String)\s*>|(?:Long|Integer|long|int|String)"
                     r"\s*\[\])\s+(\w+)", sig)
    if body:
        return {"ids_body": f"{body.group(1)} {body.group(2)}"}
    return {} if "@RequestBody" in sig else {"no_body": True}


def _lombok(cls: dict) -> bool:
    """Accessors generated by Lombok: a new field needs no hand-written getter and setter."""
    return any(a.get("name") in ("Data", "Getter", "Setter", "Value") for a in cls.get("annotations") or [])


def _entity_base_name(name: str) -> str:
    """`OmsOrder` -> `Order`, `LitemallOrder` -> `Order`: the part after a leading prefix word."""
    words = re.findall(r"[A-Z][a-z0-9]*", name)
    return "".join(words[1:]) if len(words) > 1 else name


def _dict_name(d: dict) -> str:
    """`OmsOrder.status` for a documented field; the class alone for an enum or a constant class."""
    return f"{d['owner']}.{d['field']}" if d.get("field") and d["field"].isidentifier() else d["owner"]


def _unlabelled(entry: dict) -> bool:
    """A constant whose only 'label' is its own name (the name is not a business label); a short capitalised label
    (`PC`, `APP`) is a word, not a constant's name."""
    return entry["label"] == entry.get("name") or entry["label"] == (entry.get("name") or "").rsplit(".", 1)[-1] \
        or bool(CONSTANT_NAME.match(entry["label"])) and len(entry["label"]) > 3


def _label(entry: dict) -> str:
    """A documented label quoted; a constant that has only its name is named as the code names it."""
    return f"(`{entry['label']}`)" if _unlabelled(entry) else _q(entry["label"])


def _call_args(text: str, start: int) -> list[str]:
    """The arguments of the call whose `(` ends just before `start`, split at top-level commas."""
    args, depth, cur = [], 0, ""
    for ch in text[start:]:
        if ch == ")" and depth == 0:
            return [*args, cur.strip()]
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return []


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


class RequirementDeriver:
    def __init__(self, data: dict, rules: list[dict], files: SourceCache, conventions: dict[str, Conventions]):
        self.data, self.rules, self.files, self.conv = data, rules, files, conventions
        self.code = CodeFacts(data, files)
        self.outline = JavaOutline(files)
        self._asked: set[str] = set()          # requirements already derived (a DAO can serve two domains)
        self.classes = {c["symbol_id"]: c for c in data["classes"]}
        self.tables = {e["symbol_id"]: e["tables"][0].lower() for e in data["entities"] if e.get("tables")}
        self.schema: dict[str, Table] = load_schema(Path(files.root), files, data)
        self.generator_configs = sorted(p.relative_to(files.root).as_posix()
                                        for p in Path(files.root).rglob("generatorConfig*.xml")
                                        if "target" not in p.parts)

    def generates_table(self, table: str) -> bool:
        """A generator config names the table (or every table, `%`): its model and mapper are regenerated, not edited."""
        return any(re.search(rf'tableName="({re.escape(table)}|%)"', self.files.get(p).text) for p in self.generator_configs)

    def model_generator(self, package: str) -> dict | None:
        """The generator config whose javaModelGenerator writes this package's models, with the lines that show it:
        {path, model_line, comment_line (its commentGenerator, None without one)}."""
        for path in self.generator_configs:
            lines = self.files.get(path).lines
            model = next((n for n, x in enumerate(lines, 1) if "<javaModelGenerator" in x
                          and f'targetPackage="{package}"' in x), None)
            if model:
                comment = next((n for n, x in enumerate(lines, 1) if "<commentGenerator" in x), None)
                return {"path": path, "model_line": model, "comment_line": comment}
        return None

    # ---------------------------------------------------------------- refs --
    def class_ref(self, cls: dict, why_en: str, why_zh: str) -> Ref | None:
        """A class is cited by its first member (what it holds), never by its bare declaration line."""
        members = sorted(self.code.methods_of.get(cls["symbol_id"], []), key=lambda m: m["start_line"])
        if not members:
            return None
        m = members[0]
        return Ref(cls["name"], why_en, why_zh, m["path"], m["start_line"], min(m["end_line"], m["start_line"] + 12))

    @staticmethod
    def rule_ref(rule: dict, name: str, why_en: str, why_zh: str) -> Ref:
        spans = rule["evidence"]
        return Ref(name, why_en, why_zh, spans[0]["path"], min(e["start_line"] for e in spans),
                   max(e["end_line"] for e in spans))

    def method_ref(self, m: dict, why_en: str, why_zh: str, upto: int | None = None) -> Ref:
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        end = min(m["end_line"], upto or m["end_line"], m["start_line"] + 39)
        return Ref(label, why_en, why_zh, m["path"], m["start_line"], end)

    def _rules(self, domain: str, kind: str) -> list[dict]:
        return [r for r in self.rules if r["domain"] == domain and r["kind"] == kind]

    # --------------------------------------------------------------- kinds --
    def derive(self, domain: str) -> list[DesignSpec]:
        """The designs of one domain; a requirement another domain of this run already gave is not repeated."""
        from core.generate.audit import audit_specs  # audit.py imports design, which this module's users load first
        from core.generate.low_stock import low_stock_specs
        from core.generate.stock_ledger import ledger_specs
        specs, texts = [], self._asked
        for fn in (self.idempotent, self.sql_guard, self.stock_guard, lambda d: low_stock_specs(self, d),
                   lambda d: ledger_specs(self, d),
                   self.unchecked_write, self.new_endpoint,
                   self.list_filter,
                   self.list_filter_criteria, self.new_field, self._impact().add_state,
                   self._impact().record_history, self._impact().on_status,
                   lambda d: audit_specs(self, d)):
            for spec in fn(domain)[:MAX_PER_KIND]:
                if spec.text_en not in texts:          # no two designs with the same requirement
                    texts.add(spec.text_en)
                    specs.append(spec)
        return specs

    def _impact(self):
        """The change-impact kinds (core/generate/impact.py), which read this deriver's facts."""
        from core.generate.impact import ImpactDeriver
        if not hasattr(self, "_impact_deriver"):
            self._impact_deriver = ImpactDeriver(self)
        return self._impact_deriver

    def _lifecycles(self, domain: str) -> list[tuple[dict, dict, str]]:
        """(dictionary, entity class, field) for status dictionaries of persisted entities in the domain."""
        out = []
        for d in self.data["status_dicts"]:
            if domain not in (d.get("domains") or []) or len(d["entries"]) < 2:
                continue
            bound = self._bind(d)
            if bound and bound[0]["symbol_id"] in self.tables:
                out.append((d, bound[0], bound[1]))
        return out

    def _bind(self, d: dict) -> tuple[dict, str] | None:
        """The entity field a dictionary describes: its owner's field, or (enum / constant class) the
        field whose setter is called with the dictionary's constants."""
        if d.get("entity") and d.get("entity_field"):
            cls = self.classes.get(d["entity"])
            return (cls, d["entity_field"]) if cls else None
        if d.get("field") and (cls := self.code.cls(d["owner"])) and cls["symbol_id"] in self.tables:
            return cls, d["field"]
        votes: Counter = Counter()
        for c in self.data["calls"]:
            callee = c.get("callee_id") or ""
            m = re.search(r"#set([A-Z]\w*)\(", callee)
            if m and re.search(rf"\b{re.escape(d['owner'])}\b", self.code.text(c["path"], c["line"])):
                votes[(callee.split("#")[0], m.group(1)[0].lower() + m.group(1)[1:])] += 1
        if not votes:
            return None
        (cls_id, fld), _ = votes.most_common(1)[0]
        cls = self.classes.get(cls_id)
        return (cls, fld) if cls else None

    def _sites(self, ent: dict, fld: str) -> list[Site]:
        """Every hand-written place that sets or checks the field: Java setters, comparisons and query criteria,
        SQL that writes or filters on its column, and the Java calls of that SQL (where its value is chosen)."""
        sql = self.code.sql_sites(self.tables[ent["symbol_id"]], snake(fld))
        return (self.code.field_sites(ent["symbol_id"], fld) + self.code.sql_setter_calls(sql) + sql
                + self.code.template_sites(fld))

    def _snapshot(self, d: dict, ent: dict) -> bool:
        """A history/log row copies another entity's status (the same codes and labels): no lifecycle of its own."""
        if not re.search(r"(History|Log|Record)$", ent.get("name") or ""):
            return False
        codes = [(e["code"], e["label"]) for e in d["entries"]]
        return any(o is not d and o["owner"] != d["owner"] and [(e["code"], e["label"]) for e in o["entries"]] == codes
                   for o in self.data["status_dicts"])

    def _codes(self, d: dict) -> str:
        return ", ".join(f"{e['code']} {_label(e)}" for e in d["entries"])

    def _dict_refs(self, d: dict, codes: list[str] | None = None) -> list[Ref]:
        """The lines that prove the codes (all, or `codes`) and their labels: the constant declarations (`NAME = code`)
        and, where the labels live elsewhere (a `statusText(code)` mapping method), those lines too, so no code or
        label is stated on lines that hold neither."""
        entries = [e for e in d["entries"] if codes is None or str(e["code"]) in codes]
        if not entries:
            return []
        outside = [e for e in entries if e.get("label_lines") and not _unlabelled(e)
                   and not d["start_line"] <= e["label_lines"][0] <= d["end_line"]]
        declared = [e for e in entries if e.get("line") and e.get("name")]
        if declared:
            def said(e: dict) -> str:
                return f"`{e['name']}` = {e['code']}" + ("" if e in outside or _unlabelled(e) else f" {_q(e['label'])}")
            lines = [ln for e in declared for ln in [e["line"], *(e.get("label_lines") or [])[:1]] if e not in outside]
            lines += [e["line"] for e in declared if e in outside]
            refs = [Ref(d["owner"], "declares " + ", ".join(said(e) for e in declared),
                        "声明了 " + "、".join(said(e) for e in declared), d["path"], min(lines), max(lines))]
        else:
            refs = [Ref(_dict_name(d), "documents " + ", ".join(f"{e['code']} {_label(e)}" for e in entries),
                        "说明了 " + "、".join(f"{e['code']} {_label(e)}" for e in entries),
                        d["path"], d["start_line"], d["end_line"])]
        if outside:
            lo, hi = min(e["label_lines"][0] for e in outside), max(e["label_lines"][1] for e in outside)
            m = self.code.method_at(d["path"], lo)
            name = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}" if m else d["owner"]
            refs.append(Ref(name, "labels " + ", ".join(f"{e['code']} {_q(e['label'])}" for e in outside),
                            "给出标签 " + "、".join(f"{e['code']} {_q(e['label'])}" for e in outside),
                            d["path"], lo, hi))
        return refs

    # ----------------------------------------------- idempotent / sql guard --
    def _guarded(self, domain: str) -> list[dict]:
        """Transitions with a from-state guard, with how the guard and the write are made."""
        out = []
        for t in self._rules(domain, "transition"):
            tf = t["facts"]
            if not tf.get("method") or not tf.get("from_codes") or is_delete_flag(tf["field"]):
                continue
            m = self.code.method(tf["method"], tf["line"])
            if not m:
                continue
            writes = self.code.writes_in(m["symbol_id"], after=tf["line"])
            if not writes:
                continue
            write = writes[0]
            var = self.code.example_var(m["symbol_id"], tf["criteria_line"]) if tf.get("criteria_line") else None
            if tf.get("criteria_line"):
                where = "write" if self.code.uses_var(write, var) else "select"
            elif tf.get("requires"):
                where = "java"
            else:
                continue
            fail = next((g for g in self._rules(domain, "guard") if g["facts"].get("method") == tf["method"]
                         and re.search(r"\bcount\b|==\s*0", g["facts"].get("condition", ""))
                         and g["evidence"][0]["start_line"] > write["line"]), None)
            check = min([r["line"] for r in tf.get("requires") or []] or [tf["line"]])
            out.append({"rule": t, "method": m, "write": write, "where": where, "var": var, "fail": fail,
                        "check_line": check, "effects": [self._conditioned(c) for c in
                                                         self.code.effects_after(m["symbol_id"], write["line"])],
                        "external": [{"call": c["callee_name"], "line": c["line"]} for c in
                                     self.code.bean_calls(m["symbol_id"], check, write["line"])],
                        "early": [c["callee_name"] for c in self.code.bean_calls(m["symbol_id"], m["start_line"], check)],
                        "inputs": self.code.stored_inputs(m, tf.get("receiver") or "", m["start_line"], write["line"]),
                        "row_check": self.code.row_check(write),
                        "precedent": self._precedent(tf, m)})
        return out

    def _conditioned(self, call: dict) -> dict:
        """A call with the `if`s and loops it runs under (an effect that runs only sometimes, or per item, says so)."""
        controls = [c for c in self.outline.controls(call["path"], call["line"]) if c.kind in ("if", "else", "loop")]
        cond = ", ".join(loop_text(c.code) if c.kind == "loop" else f"when `{c.code}`"
                         if c.kind == "if" else f"unless `{c.code}`" for c in controls)
        return {**call, "cond": cond, "conds": [[c.kind, c.code] for c in controls],
                "cond_line": controls[0].line if controls else 0}

    def _precedent(self, tf: dict, m: dict) -> dict | None:
        """A hand-written write in the repository that already puts this field's state check into the UPDATE and
        checks the row count (a conditional `updateByExample...` or an UPDATE whose WHERE tests the column)."""
        crit = f".and{tf['field'][0].upper() + tf['field'][1:]}EqualTo("
        best = None
        for mid, meth in self.code.methods.items():
            if meth["path"] in self.code.generated_paths or mid == m["symbol_id"]:
                continue
            for c in self.code.writes_in(mid):
                check = self.code.row_check(c)
                if not check:
                    continue
                var = re.search(r"\(\s*\w+\s*,\s*(\w+)\s*\)", self.code.text(c["path"], c["line"]))
                lines = self.files.get(meth["path"]).lines[meth["start_line"] - 1:c["line"]]
                by_example = var and any(crit in line for line in lines) and any(
                    f"{var.group(1)}.createCriteria()" in line for line in lines)
                stmt = self.code.write_statement(c)
                by_sql = stmt and snake(tf["field"]) in self.code.where_columns(stmt)
                if by_example or by_sql:
                    start = next((meth["start_line"] + n for n, line in enumerate(lines) if crit in line
                                  or "createCriteria" in line), c["line"]) if by_example else c["line"]
                    cand = {"label": f"{meth['parent_id'].rsplit('.', 1)[-1]}.{meth['name']}", "path": meth["path"],
                            "start": max(meth["start_line"], min(start, check["line"] - 38)),
                            "end": check["line"] + 1, "test": check["test"], "call": c["callee_name"],
                            "same": meth.get("parent_id") == m.get("parent_id")}
                    if best is None or (cand["same"], -cand["start"]) > (best["same"], -best["start"]):
                        best = cand
        return best

    def _guard_refs(self, g: dict) -> list[Ref]:
        """The check, the state write and what runs after it, each in a span that holds it (a long method is cited in
        parts, never cut before the line a claim is about), plus the repository's own conditional-update precedent."""
        tf, m, w = g["rule"]["facts"], g["method"], g["write"]
        w_end = self.code.statement_end(w["path"], w["line"])
        check = [r["line"] for r in tf.get("requires") or []] + ([tf["criteria_line"]] if tf.get("criteria_line") else [])
        fail_end = g["fail"]["evidence"][0]["end_line"] if g["fail"] else 0
        rc = g["row_check"]
        if rc:               # the handling the design quotes (`throw …` under `if (… == 0) {`) is cited with its test
            fail_end = max(fail_end, self.code.statement_end(m["path"], rc["line"] + 1))
        last = max([tf["line"], w_end, fail_end] + check)
        why_en = f"checks {tf['field']} is {'/'.join(tf['from_codes'])} and sets it to {tf['to']}"
        why_zh = f"检查 {tf['field']} 为 {'/'.join(tf['from_codes'])} 后改为 {tf['to']}"
        if last - m["start_line"] < 40:
            refs = [self.method_ref(m, why_en, why_zh, upto=last)]
        else:
            label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
            first = min(check + [tf["line"]])
            refs = [self.method_ref(m, f"checks {tf['field']} is {'/'.join(tf['from_codes'])}",
                                    f"检查 {tf['field']} 为 {'/'.join(tf['from_codes'])}", upto=first + 2)]
            for c in g["external"]:
                refs.append(Ref(f"{label} (line {c['line']})", f"calls `{c['call']}` before the write",
                                f"在写入前调用 `{c['call']}`", m["path"], max(c["line"] - 2, m["start_line"]), c["line"]))
            set_first = min(tf["line"], *[i["line"] for i in g["inputs"]]) if g["inputs"] else tf["line"]
            refs.append(Ref(f"{label} (line {tf['line']})", f"sets {tf['field']} to {tf['to']} and writes it with "
                            f"`{w['callee_name']}`", f"把 {tf['field']} 设为 {tf['to']} 并用 `{w['callee_name']}` 写入",
                            m["path"], set_first, max(w_end, fail_end)))
        for c in g["effects"][:4]:
            if c["line"] > refs[-1].end_line:
                start = c["cond_line"] or max(c["line"] - 2, refs[-1].end_line + 1)
                refs.append(Ref(f"{refs[0].name} (line {c['line']})", f"then calls `{c['callee_name']}`"
                                + (f", {c['cond']}" if c["cond"] else ""), f"随后调用 `{c['callee_name']}`",
                                c["path"], start, c["line"]))
        stmt = self.code.write_statement(w)
        if stmt and set(self.code.where_columns(stmt)) - {"id", snake(tf["field"])}:
            # what a racing repeat gets rests on the statement's WHERE (litemall's `update_time = #{..}` optimistic
            # lock): cited so it can be checked (blind read 20E/20F: litemall S2/S5)
            lines = self.files.get(stmt["path"]).lines
            where = next((n for n in range(stmt["end_line"], stmt["start_line"] - 1, -1)
                          if re.search(r"\bwhere\b", lines[n - 1], re.I)), stmt["start_line"])
            name, cols = f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}", ", ".join(self.code.where_columns(stmt))
            if where - stmt["start_line"] > 2:   # a long SET between: the statement's head, then its WHERE
                refs.append(Ref(name, "is the statement the write runs", "是写入执行的语句", stmt["path"],
                                stmt["start_line"], stmt["start_line"] + 1))
            refs.append(Ref(name, f"updates only while its WHERE matches: {cols}", f"仅在 WHERE 匹配时更新：{cols}",
                            stmt["path"], where if where - stmt["start_line"] > 2 else stmt["start_line"],
                            min(stmt["end_line"], where + 39)))
        d = next((d for d in self.data["status_dicts"] if d["dict_id"] == tf.get("dict_id")), None)
        if d:
            refs += self._dict_refs(d, [*tf["from_codes"], str(tf["to"])])
        if g["precedent"]:
            p = g["precedent"]
            refs.append(Ref(p["label"], f"already updates only while the WHERE matches and checks the row count: "
                            f"`{p['test']}`", f"已有先例：条件更新并检查影响行数 `{p['test']}`", p["path"], p["start"],
                            p["end"]))
        return refs

    def _labels(self, tf: dict) -> tuple[str, str]:
        labels = {k: v for k, v in (tf.get("labels") or {}).items() if not CONSTANT_NAME.match(v)}
        src = "/".join(f"{c} {_q(labels[c])}" if c in labels else c for c in tf["from_codes"])
        dst = f"{tf['to']} {_q(labels[str(tf['to'])])}" if str(tf["to"]) in labels else str(tf["to"])
        return src, dst

    def idempotent(self, domain: str) -> list[DesignSpec]:
        """A repeat of the operation fails today (the guard rejects the already-done state): make a repeat with the
        same request succeed. Asked only where the stored record can tell a repeat: the target state is reached by
        this operation alone, nothing with an effect runs before the check, and the method's success is a value the
        repeat can give again."""
        out = []
        for g in self._guarded(domain):
            tf = g["rule"]["facts"]
            message = next((r.get("message") for r in tf.get("requires") or [] if r.get("message")), None)
            if g["where"] == "write" and g["fail"]:
                message = g["fail"]["facts"].get("message") or message
            if not message or g["where"] == "select" or g["early"] or self._reached_by(domain, tf):
                continue          # a quiet repeat already, an effect before the check, or another way into the state
            success = self._success(g["method"])
            if success is None:
                continue          # the first call returns what it computed: a repeat has no same answer to give
            src, dst = self._labels(tf)
            facts = self._guard_facts(g, src, dst, message)
            facts["success"], _, facts["counter"] = success.partition(":")
            if g["where"] == "write" and not (facts["read"] or facts["has_select_by_key"]):
                continue          # no way to read the record back that the repository already has
            text_en = (f"Make {tf['method']} idempotent: when the same request is sent again for {_a(tf['entity'])} "
                       f"that is already in {tf['field']} {dst}, it should succeed without repeating the operation.")
            text_zh = (f"让 {tf['method']} 具备幂等性：对已处于 {tf['field']} {dst} 的 {tf['entity']} 重复发送同一请求时"
                       "返回成功，且不重复执行操作。")
            out.append(DesignSpec(_req_id("idempotent", g["rule"]["rule_id"]), "idempotent", domain, text_en, text_zh,
                                  self._guard_refs(g), facts))
        return out

    def _reached_by(self, domain: str, tf: dict) -> list[str]:
        """Other operations that set the same state: a record in it does not show that this operation ran."""
        return sorted({t["facts"]["method"] for t in self._rules(domain, "transition")
                       if t["facts"].get("entity") == tf["entity"] and t["facts"].get("field") == tf["field"]
                       and str(t["facts"].get("to")) == str(tf["to"]) and t["facts"].get("method")
                       and t["facts"]["method"] != tf["method"]})

    def _success(self, m: dict) -> str | None:
        """What the method returns when it succeeds, if a repeat can return the same: nothing (void), or a last
        `return` of a constant result (`ResponseUtil.ok()`); None when it returns a value it computed."""
        if re.match(r"\s*(public|protected|private)?\s*(static\s+)?void\b", m.get("signature") or "") or \
                (m.get("type") or "") == "void":
            return ""
        lines = self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
        last = next((line.strip() for line in reversed(lines) if "return" in line), "")
        ret = re.match(r"return\s+([\w.]+\(\s*\));$", last)
        if ret:
            return ret.group(1)
        var = re.match(r"return\s+(\w+);$", last)          # a counter of what this call changed, from its start value
        start = next((mm.group(1) for line in lines if var and (mm := re.match(
            rf"\s*(?:int|Integer|long|Long)\s+{var.group(1)}\s*=\s*(0)\s*;", line))), None)
        counted = var and any(re.search(rf"\b{var.group(1)}\s*(\+=|\+\+)|\+\+\s*{var.group(1)}\b", line) for line in lines)
        return f"{start}:{var.group(1)}" if start and counted else None

    def _guard_facts(self, g: dict, src: str, dst: str, message: str | None) -> dict:
        tf, m, w = g["rule"]["facts"], g["method"], g["write"]
        mapper = (w.get("callee_id") or "").split("#")[0]
        ent_id = next((c["symbol_id"] for c in self.data["classes"] if c.get("name") == tf["entity"]
                       and c["symbol_id"] in self.tables), None)
        example = f"{ent_id}Example" if ent_id else ""
        return {
            "method": tf["method"], "entity": tf["entity"], "field": tf["field"], "column": snake(tf["field"]),
            "from": src, "to": dst, "from_codes": tf["from_codes"], "to_code": str(tf["to"]), "where": g["where"],
            "message": message, "write": w["callee_name"], "write_line": w["line"], "var": g["var"],
            "mapper": mapper.rsplit(".", 1)[-1], "receiver": w["callee_name"].rsplit(".", 1)[0],
            "layer": self.code.layer_of(m.get("parent_id")),
            "by_key": bool(re.search(r"ByPrimaryKey|ById", w["callee_name"])),
            "has_select_by_key": self.code.has_method(mapper, "selectByPrimaryKey"),
            "by_example": bool(self.code.has_method(mapper, "updateByExampleSelective") and example in self.classes),
            "effects": [{"call": c["callee_name"], "line": c["line"], "cond": c["cond"], "conds": c["conds"]}
                        for c in g["effects"][:4]],
            "external": g["external"], "inputs": [{k: i[k] for k in ("field", "getter", "arg", "line")} for i in g["inputs"]],
            "receiver_var": tf.get("receiver"), "check_line": g["check_line"], "row_check": g["row_check"],
            "write_where": self.code.where_columns(stmt) if (stmt := self.code.write_statement(w)) else [],
            "precedent": {k: g["precedent"][k] for k in ("label", "call", "test")} if g["precedent"] else None,
            "read": next((c["callee_name"] for c in self.code.calls_in(m["symbol_id"])
                          if re.search(r"\.(select\w*|get\w*ById|find\w*)$", c["callee_name"])
                          and self.code.layer_of((c.get("callee_id") or "").split("#")[0]) in ("dao", "mapper", "service")),
                         None),
        }

    def sql_guard(self, domain: str) -> list[DesignSpec]:
        """The state check is read in Java (or by a separate SELECT) and the row written by key: move it into the UPDATE."""
        out = []
        guarded = self._guarded(domain)
        targets = Counter((g["method"]["symbol_id"], g["write"]["line"]) for g in guarded)
        for g in guarded:
            if g["where"] == "write" or targets[(g["method"]["symbol_id"], g["write"]["line"])] > 1:
                continue      # already conditional, or one write for several target states (branches choose)
            tf = g["rule"]["facts"]
            src, dst = self._labels(tf)
            message = next((r.get("message") for r in tf.get("requires") or [] if r.get("message")), None)
            facts = self._guard_facts(g, src, dst, message)
            facts["quiet"] = not message and any(e.get("action") == "return" and e.get("line") == g["check_line"]
                                                 for e in tf.get("exits") or [])
            if not facts["by_example"]:
                continue      # no generated conditional update to reuse; a hand-written one would be a guess
            text_en = (f"Move the {tf['field']} check of {tf['method']} into the UPDATE, so that two concurrent calls "
                       f"cannot both move the same {tf['entity']} from {src} to {dst}.")
            text_zh = (f"把 {tf['method']} 对 {tf['field']} 的检查移到 UPDATE 语句中，避免两个并发调用都把同一个 "
                       f"{tf['entity']} 从 {src} 改为 {dst}。")
            out.append(DesignSpec(_req_id("sql_guard", g["rule"]["rule_id"]), "sql_guard", domain, text_en, text_zh,
                                  self._guard_refs(g), facts))
        return out

    # ---------------------------------------------------------- stock guard --
    def _decrements(self, st: dict) -> list[str]:
        """Columns an UPDATE subtracts a parameter from (`c = c - #{q}`, or per row `THEN c - #{q}`)."""
        set_part = re.split(r"\bwhere\b", st.get("sql") or "", maxsplit=1, flags=re.I)[0]
        return sorted({m.group(2) for m in re.finditer(r"(\w+)\s*=\s*(?:CASE\b[^;]*?THEN\s+)?`?(\w+)`?\s*-\s*#\{",
                                                         set_part, re.I | re.S)
                       if m.group(1) == m.group(2) or "CASE" in m.group(0).upper()})

    @staticmethod
    def _set_columns(st: dict) -> set[str]:
        """Every column an UPDATE assigns: a substitute statement must change exactly these."""
        set_part = re.split(r"\bwhere\b", st.get("sql") or "", maxsplit=1, flags=re.I)[0]
        set_part = re.split(r"\bset\b", set_part, maxsplit=1, flags=re.I)[-1]
        return set(re.findall(r"(?:^|,|\n)\s*`?(\w+)`?\s*=", set_part))

    def _param_map(self, st: dict, sibling: dict, col: str) -> list[tuple[str, str]]:
        """(value in the unguarded statement, parameter of the guarded one) for the row key and the quantity."""
        a, b = st.get("sql") or "", sibling.get("sql") or ""
        key_a = re.search(r"WHEN\s+#\{(?:\w+\.)?(\w+)\}|\bid\s*=\s*#\{(?:\w+\.)?(\w+)\}", a)
        key_b = re.search(r"\bid\s*=\s*#\{(?:\w+\.)?(\w+)\}", b)
        amt_a = re.search(rf"{col}\s*-\s*#\{{(?:\w+\.)?(\w+)\}}", a)
        amt_b = re.search(rf"{col}\s*-\s*#\{{(?:\w+\.)?(\w+)\}}", b)
        if not (key_a and key_b and amt_a and amt_b):
            return []
        return [(key_a.group(1) or key_a.group(2), key_b.group(1)), (amt_a.group(1), amt_b.group(1))]

    def _guarded_by(self, st: dict, col: str) -> str | None:
        """The WHERE condition of an UPDATE that keeps the column from going below what it subtracts."""
        parts = re.split(r"\bwhere\b", st.get("sql") or "", maxsplit=1, flags=re.I)
        cond = re.search(rf"`?\b{col}\b`?[^\n]*?(>=|<=|>|<)[^\n]*", parts[1]) if len(parts) > 1 else None
        return cond.group(0).strip() if cond else None

    def _written_domains(self, st: dict) -> list[str]:
        """The domains of the tables a statement writes (their entities), else its mapper class's: a stock update kept
        in an order DAO (mall PortalOrderDao.releaseSkuStockLock on pms_sku_stock) is a stock matter."""
        tables = {t.lower() for t in st.get("tables") or []}
        found = [d for e in self.data["entities"] if tables & {t.lower() for t in e.get("tables") or []}
                 for d in e.get("domains") or []]
        return found or (self.classes.get(st["namespace"]) or {}).get("domains") or []

    def stock_guard(self, domain: str) -> list[DesignSpec]:
        """An UPDATE subtracts from a quantity with no guard in its WHERE, while a sibling statement on the same table
        subtracts from the same column only while it stays >= 0 and its caller checks the row count: the unguarded
        callers switch to the guarded statement, the way the repository already does it."""
        out = []
        stmts = [st for st in self.data["sql_statements"] if st["kind"] == "update" and st.get("method_id")
                 and st["path"] not in self.code.generated_paths and len(st.get("tables") or []) == 1
                 and domain in self._written_domains(st)]
        for st in stmts:
            for col in self._decrements(st):
                if self._guarded_by(st, col):
                    continue
                sibling = next((o for o in stmts if o is not st and o["tables"] == st["tables"]
                                and self._set_columns(o) == self._set_columns(st) and col in self._decrements(o)
                                and self._guarded_by(o, col)
                                and self._checked_caller(o)), None)
                callers = [c for c in self._statement_callers(st) if not self.code.inactive(
                    (self.code.methods.get(c["caller_id"]) or {}).get("parent_id"))]
                if sibling and callers and self._param_map(st, sibling, col):
                    out.append(self._stock_spec(domain, st, sibling, col, callers))
        return out

    def _job_of(self, m: dict, depth: int = 3) -> str | None:
        """The scheduled method that runs `m` (itself or a caller up to `depth` hops, through interfaces): a job
        repeats on its own, so a failure it cannot get past recurs on every run. A job in an inactive component
        (`//@Component`) never runs, so it is not one."""
        frontier, seen = [m], set()
        for _ in range(depth + 1):
            nxt = []
            for cur in frontier:
                if any(a.get("name") == "Scheduled" for a in cur.get("annotations") or []) \
                        and not self.code.inactive(cur.get("parent_id")):
                    return f"{cur['parent_id'].rsplit('.', 1)[-1]}.{cur['name']}"
                seen.add(cur["symbol_id"])
                nxt += [c for c in (self.code.methods.get(x["caller_id"]) for x in self.code.callers(cur))
                        if c and c["symbol_id"] not in seen]
            frontier = nxt
        return None

    def _transactional(self, m: dict) -> bool:
        """@Transactional on the method, its class, or the interface method it implements (mall annotates there)."""
        cls = self.classes.get(m.get("parent_id") or "") or {}
        iface = self.code.cls(cls["name"].removesuffix("Impl")) if (cls.get("name") or "").endswith("Impl") else None
        holders = [m, cls] + ([x for x in self.code.methods_of.get(iface["symbol_id"], []) if x["name"] == m["name"]]
                              if iface else [])
        return any(a.get("name") == "Transactional" for h in holders for a in h.get("annotations") or [])

    def tx_ref(self, m: dict) -> Ref | None:
        """The lines that make `m` transactional (its own @Transactional, its class's, or its interface method's),
        from the annotation to the declaration: a design that says "the method is @Transactional" cites them."""
        cls = self.classes.get(m.get("parent_id") or "") or {}
        iface = self.code.cls(cls["name"].removesuffix("Impl")) if (cls.get("name") or "").endswith("Impl") else None
        holders = [m, cls] + ([x for x in self.code.methods_of.get(iface["symbol_id"], []) if x["name"] == m["name"]]
                              if iface else [])
        h = next((h for h in holders if any(a.get("name") == "Transactional" for a in h.get("annotations") or [])), None)
        if h is None or not h.get("path") or not h.get("start_line"):
            return None
        lines = self.files.get(h["path"]).lines
        head = re.compile(rf"\b(class|interface)\s+{re.escape(h['name'])}\b" if h is cls else rf"\b{re.escape(h['name'])}\s*\(")
        ann = next((n for n in range(h["start_line"], min(h["start_line"] + 12, len(lines)) + 1)
                    if "@Transactional" in lines[n - 1]), None)
        decl = next((n for n in range(ann or h["start_line"], min(h["start_line"] + 12, len(lines)) + 1)
                     if head.search(lines[n - 1])), None)
        if ann is None or decl is None:
            return None
        label = h["name"] if h is cls else f"{h['parent_id'].rsplit('.', 1)[-1]}.{h['name']}"
        return Ref(label, "is annotated @Transactional", "带有 @Transactional 注解", h["path"], ann, decl)

    def _statement_callers(self, st: dict) -> list[dict]:
        """Hand-written calls of a mapper statement (through its DAO method)."""
        m = self.code.methods.get(st["method_id"])
        return [c for c in (self.code.callers(m) if m else []) if c["path"] not in self.code.generated_paths
                and c["caller_id"] in self.code.methods]

    def _checked_caller(self, st: dict) -> tuple[dict, dict] | None:
        """A call of the statement whose row count the caller checks, with that check."""
        return next(((c, chk) for c in self._statement_callers(st) if (chk := self.code.row_check(c))), None)

    def _stock_spec(self, domain: str, st: dict, sibling: dict, col: str, callers: list[dict]) -> DesignSpec:
        table = st["tables"][0].lower()
        name = f"{st['namespace'].rsplit('.', 1)[-1]}.{st['statement']}"
        guarded = f"{sibling['namespace'].rsplit('.', 1)[-1]}.{sibling['statement']}"
        prec_call, check = self._checked_caller(sibling)
        prec_m = self.code.methods[prec_call["caller_id"]]
        refs = [Ref(name, f"subtracts from {col} with no condition on it in the WHERE", f"扣减 {col}，WHERE 中没有对它的条件",
                    st["path"], st["start_line"], st["end_line"]),
                Ref(guarded, f"subtracts from {col} only while `{self._guarded_by(sibling, col)}`",
                    f"仅在 `{self._guarded_by(sibling, col)}` 时扣减 {col}", sibling["path"], sibling["start_line"],
                    sibling["end_line"]),
                Ref(f"{prec_m['parent_id'].rsplit('.', 1)[-1]}.{prec_m['name']}", f"calls `{prec_call['callee_name']}` "
                    f"and checks the row count: `{check['test']}`", f"调用 `{prec_call['callee_name']}` 并检查影响行数",
                    prec_call["path"], max(prec_m["start_line"], prec_call["line"] - 2), check["line"] + 1)]
        users = []
        for c in callers:
            m = self.code.methods[c["caller_id"]]
            label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
            refs.append(Ref(label, f"calls `{c['callee_name']}` and ignores how many rows it changed",
                            f"调用 `{c['callee_name']}`，不检查影响行数", c["path"],
                            (self._conditioned(c)["cond_line"] or max(m["start_line"], c["line"] - 2)), c["line"]))
            users.append({"method": label, "call": c["callee_name"], "line": c["line"],
                          "layer": self.code.layer_of(m["parent_id"]),
                          "transactional": self._transactional(m), "job": self._job_of(m)})
        raw = self.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]]
        batch = any("<foreach" in line for line in raw)          # one statement for a whole list of rows
        text_en = (f"Keep `{name}` from taking {table}.{col} below zero: {', '.join(u['method'] for u in users)} "
                   f"subtract{'s' if len(users) == 1 else ''} from it unchecked, while `{guarded}` guards the same column.")
        text_zh = (f"防止 `{name}` 把 {table}.{col} 扣成负数：{'、'.join(u['method'] for u in users)} 扣减时不做检查，"
                   f"而 `{guarded}` 对同一列有保护。")
        return DesignSpec(_req_id("stock_guard", st["stmt_id"], col), "stock_guard", domain, text_en, text_zh, refs, {
            "statement": name, "guarded": guarded, "table": table, "column": col,
            "guard": self._guarded_by(sibling, col), "users": users, "check": check["test"], "then": check["then"],
            "fails": check["fails"],
            "precedent": f"{prec_m['parent_id'].rsplit('.', 1)[-1]}.{prec_m['name']}",
            "precedent_call": prec_call["callee_name"], "batch": batch, "args": self._param_map(st, sibling, col)})

    # ------------------------------------------------------- unchecked write --
    def unchecked_write(self, domain: str) -> list[DesignSpec]:
        """A conditional write (its WHERE tests more than the key: a version, a state) whose row count most of its
        callers check, called by one that does not: that caller goes on as if the row changed."""
        groups: dict[str, list[tuple[dict, dict]]] = {}
        stmts: dict[str, dict] = {}
        for c in self.data["calls"]:
            m = self.code.methods.get(c["caller_id"])
            if not m or not c.get("callee_id") or c["path"] in self.code.generated_paths \
                    or self.code.inactive(m.get("parent_id")) \
                    or re.match(r"\s*return\b", self.code.text(c["path"], c["line"])):    # a pass-through wrapper
                continue
            if c["callee_id"] not in stmts:
                stmts[c["callee_id"]] = self.code.write_statement(c) or {}
            if stmts[c["callee_id"]].get("kind") in ("update", "delete"):
                groups.setdefault(c["callee_id"], []).append((m, c))
        out = []
        for callee, calls in groups.items():
            stmt = stmts[callee]
            cols = self.code.where_columns(stmt) if stmt else []
            checked = [(m, c, rc) for m, c in calls if (rc := self.code.row_check(c))]
            unchecked = [(m, c) for m, c in calls if not self.code.row_check(c)]
            if len(cols) < 2 or len(checked) < 2 or len(checked) <= len(unchecked):
                continue      # not a habit of the repository's own callers: nothing to follow
            for m, c in unchecked:
                cls = self.classes.get(m["parent_id"]) or {}
                if domain in (cls.get("domains") or []):
                    alike = [(f"{om['parent_id'].rsplit('.', 1)[-1]}.{om['name']}", oc) for om, oc in unchecked
                             if oc is not c]
                    out.append(self._unchecked_spec(domain, m, c, stmt, cols, checked, alike))
        return out

    @staticmethod
    def _before_refs(label: str, m: dict, before: list[dict]) -> list[Ref]:
        """The writes made before the unchecked call, which the design says stay written (or roll back)."""
        if not before:
            return []
        first, last = min(c["line"] for c in before), max(c["line"] for c in before)
        spans = [(first, last)] if last - first < 40 else [(c["line"], c["line"]) for c in before]
        return [Ref(label, "writes first with " + ", ".join(f"`{c['callee_name']}`" for c in before if a <= c["line"] <= b),
                    "先写入：" + "、".join(f"`{c['callee_name']}`" for c in before if a <= c["line"] <= b),
                    m["path"], a, b) for a, b in spans]

    def _handling(self, m: dict, call: dict, checked: list[tuple[dict, dict, dict]]) -> tuple[dict, dict, dict]:
        """The checked caller to follow: the same class first, then one that returns the same way (void or not)."""
        void = bool(re.search(r"\bvoid\b", (m.get("signature") or "").split("(")[0]))
        return min(checked, key=lambda t: (t[0].get("parent_id") != m.get("parent_id"),
                                           bool(re.search(r"\bvoid\b", (t[0].get("signature") or "").split("(")[0]))
                                           != void, t[1]["path"], t[1]["line"]))

    def _unchecked_spec(self, domain: str, m: dict, call: dict, stmt: dict, cols: list[str],
                        checked: list[tuple[dict, dict, dict]], alike: list[tuple[str, dict]]) -> DesignSpec:
        """`alike`: the other callers that ignore the count too, named so that the requirement does not claim every
        other caller checks it (blind read 21G: litemall S1/S14)."""
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        name = f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}"
        cond = self._conditioned(call)
        lines = self.files.get(m["path"]).lines
        loop = next((c for c in reversed(self.outline.controls(call["path"], call["line"])) if c.kind == "loop"), None)
        after = [c for c in self.code.calls_in(m["symbol_id"]) if c["line"] > call["line"]
                 and WRITE_CALL.match(c["callee_name"].rsplit(".", 1)[-1])]
        rest_in_loop = bool(loop) and any(any(x.line == loop.line for x in self.outline.controls(c["path"], c["line"]))
                                          for c in after)       # the loop body writes more after this call
        before = [c for c in self.code.writes_in(m["symbol_id"]) if c["line"] < call["line"]]
        pm, pc, prc = self._handling(m, call, checked)
        plabel = f"{pm['parent_id'].rsplit('.', 1)[-1]}.{pm['name']}"
        wline = next((n for n in range(stmt["start_line"], stmt["end_line"] + 1)
                      if re.search(r"\bwhere\b", self.files.get(stmt["path"]).lines[n - 1], re.I)), stmt["end_line"])
        refs = [Ref(label, f"calls `{call['callee_name']}` and does not look at how many rows it changed"
                    + (f" ({cond['cond']})" if cond["cond"] else ""), f"调用 `{call['callee_name']}`，不检查影响行数",
                    m["path"], cond["cond_line"] or max(m["start_line"], call["line"] - 3),
                    max([call["line"]] + [c["line"] for c in after if c["line"] - (cond["cond_line"] or call["line"]) < 30])),
                Ref(name, f"updates only `WHERE {' AND '.join(c + ' = …' for c in cols)}`",
                    f"仅在 `WHERE {' AND '.join(c + ' = …' for c in cols)}` 时更新",
                    stmt["path"], wline, wline)]
        refs += self._before_refs(label, m, before) + [r for r in (self.tx_ref(m), self.tx_ref(pm)) if r]
        others = []
        for om, oc, orc in sorted(checked, key=lambda t: (t[0] is not pm, t[1]["path"], t[1]["line"]))[:3]:
            olabel = f"{om['parent_id'].rsplit('.', 1)[-1]}.{om['name']}"
            refs.append(Ref(olabel, f"checks it: `{orc['test']}` then `{orc['then']}`", f"检查影响行数：`{orc['test']}`",
                            oc["path"], oc["line"], min(orc["line"] + 2, oc["line"] + 5)))
            others.append({"method": olabel, "test": orc["test"], "then": orc["then"]})
        refs += [Ref(alabel, f"calls `{ac['callee_name']}` and does not look at the row count either",
                     f"同样调用 `{ac['callee_name']}` 且不检查影响行数", ac["path"], ac["line"], ac["line"])
                 for alabel, ac in alike]
        text_en = f"Make {label} notice when `{call['callee_name']}` changes no row, as " \
                  + ("most of its other callers already do." if alike else "its other callers already do.")
        text_zh = f"让 {label} 在 `{call['callee_name']}` 未更新任何行时做出处理，与它的" \
                  + ("多数其他调用方一致。" if alike else "其他调用方一致。")
        return DesignSpec(_req_id("unchecked_write", m["symbol_id"], str(call["line"])), "unchecked_write", domain,
                          text_en, text_zh, refs, {
                              "method": label, "layer": self.code.layer_of(m["parent_id"]), "call": call["callee_name"],
                              "line": call["line"], "statement": name, "where": cols, "checked": len(checked),
                              "others": others, "alike": [a for a, _ in alike], "follow": plabel, "then": prc["then"],
                              "test": prc["test"],
                              "fails": prc["fails"], "loop": loop.code if loop else None, "rest_in_loop": rest_in_loop,
                              "after": [c["callee_name"] for c in after], "before": [c["callee_name"] for c in before],
                              "transactional": self._transactional(m), "follow_transactional": self._transactional(pm),
                              "arg": (re.search(rf"{re.escape(call['callee_name'])}\((.*)\)", lines[call["line"] - 1])
                                      or [None, ""])[1]})

    # ----------------------------------------------------- count endpoint --
    def _path_up(self, method_id: str, depth: int = 4) -> list[dict] | None:
        """Callers from a DAO method up to the first controller method (through interfaces), nearest first."""
        frontier = [[self.code.methods[method_id]]] if method_id in self.code.methods else []
        for _ in range(depth):
            nxt = []
            for path in frontier:
                for c in self.code.callers(path[-1]):
                    caller = self.code.methods.get(c["caller_id"])
                    if not caller or caller in path or c["path"] in self.code.generated_paths:
                        continue
                    if self.code.layer_of(caller["parent_id"]) == "controller":
                        return path[1:] + [caller]
                    nxt.append(path + [caller])
            frontier = nxt
        return None

    def _serving(self, ent: dict, table: str) -> tuple[dict, list[dict]] | None:
        """The hand-written statement on the entity's table nearest to a controller, and the methods between."""
        base = _entity_base_name(ent["name"])
        best = None
        for s in self.data["sql_statements"]:
            if s["kind"] != "select" or [t.lower() for t in s.get("tables") or []] != [table] or not s.get("method_id") \
                    or (self.classes.get(s["namespace"]) or {}).get("is_generated") or s["path"] in self.code.generated_paths \
                    or self._owner_filtered(s):
                continue          # one table, all rows: a per-user query is not where a global count belongs
            path = self._path_up(s["method_id"])
            if not path:
                continue
            ctrl = path[-1]["parent_id"].rsplit(".", 1)[-1]
            listing = bool(re.search(r"list|page|query|search|find|stat|count", s["statement"] + path[-1]["name"], re.I))
            rank = (bool(self.code.inactive(path[-1]["parent_id"])), not listing, len(path), base not in ctrl, ctrl,
                    s["start_line"])
            if best is None or rank < best[0]:
                best = (rank, s, path)
        return (best[1], best[2]) if best else None

    def _owner_filtered(self, stmt: dict) -> bool:
        """The query always restricts rows to one member or user (an optional `<if>` filter does not count)."""
        lines = self.files.get(stmt["path"]).lines[stmt["start_line"] - 1:stmt["end_line"]]
        return any(OWNER_FILTER.search(line) and not (n and "<if" in lines[n - 1]) for n, line in enumerate(lines))

    def _dto_suffix(self) -> str:
        """The suffix the repository gives result objects (`...VO`, `...DTO`), if it has one."""
        found = Counter(m.group(1) for c in self.data["classes"] if c["layer"] == "dto" and c.get("name")
                        and (m := re.search(r"(VO|Vo|DTO|Dto)$", c["name"])))
        dtos = sum(1 for c in self.data["classes"] if c["layer"] == "dto")
        return found.most_common(1)[0][0] if found and found.most_common(1)[0][1] * 5 >= dtos * 2 else ""

    def _dto_package(self, near: str) -> str | None:
        """The package of the result objects closest to a class (same module first): a new one is put there, and
        the mapper's resultType names it in full."""
        pkgs = Counter(c["symbol_id"].rsplit(".", 1)[0] for c in self.data["classes"] if c["layer"] == "dto")
        here = near.rsplit(".", 1)[0].split(".")

        def shared(pkg: str) -> int:
            return next((n for n, (a, b) in enumerate(zip(pkg.split("."), here)) if a != b), min(len(here), pkg.count(".") + 1))
        return max(pkgs, key=lambda p: (shared(p), pkgs[p]), default=None)

    def _unreferenced(self, d: dict, ent: dict, fld: str) -> dict:
        """The dictionary less the named constants nothing stores: no code outside their declaring file uses the
        name, no transition writes the code and no SQL sets the column to it as a literal (litemall's
        `AftersaleConstant.STATUS_INIT`; newbee's ORDER_PACKAGED stays: its `checkDone` SQL sets `order_status = 2`)."""
        if (d.get("field") or "").isidentifier() or not all(e.get("name") for e in d["entries"]):
            return d
        written = {str(t["facts"].get("to")) for t in self.rules if t["kind"] == "transition"
                   and t["facts"].get("entity") == ent["name"] and t["facts"].get("field") == fld}
        written |= {m.group(1) for x in self._sites(ent, fld) if x.kind == "sql_set"
                    for m in re.finditer(rf"\b{snake(fld)}\s*=\s*(-?\d+)\b", x.text)}
        texts = [self.files.get(f["path"]).text for f in self.data["files"] if f["path"] != d.get("path")
                 and f["path"].endswith(".java")]
        used = [e for e in d["entries"] if str(e["code"]) in written      # a bare name too: static imports, `case X:`
                or any(re.search(rf"\b{re.escape(e['name'].rsplit('.', 1)[-1])}\b", t) for t in texts)]
        return {**d, "entries": used} if len(used) >= 2 else d

    def _without_fallback(self, d: dict) -> dict:
        """The dictionary less the constant its own lookup returns when no code matches (`return DEFAULT;` after the
        loop, `default: return UNKNOWN;`): no row stores that code, so it is no status to count or list."""
        text = self.files.get(d["path"]).text if d.get("path") else ""
        fallback = {n.group(1) for n in re.finditer(r"\breturn\s+(?:\w+\.)?([A-Z][A-Z0-9_]*)\s*;", text)}
        entries = [e for e in d["entries"] if e.get("name") not in fallback]
        return {**d, "entries": entries} if len(entries) >= 2 else d

    def new_endpoint(self, domain: str) -> list[DesignSpec]:
        """A count per code of one coded field, at most one per entity: its lifecycle status where it has one (the
        same GROUP BY over another column would teach nothing new)."""
        best: dict[str, tuple[dict, dict, str]] = {}
        for d, ent, fld in self._lifecycles(domain):
            if not COUNT_FIELD.search(fld) or is_delete_flag(fld) or self._snapshot(d, ent):
                continue
            rank = (bool(STATUS_FIELD.search(fld)), len(d["entries"]))
            old = best.get(ent["symbol_id"])
            if old is None or rank > (bool(STATUS_FIELD.search(old[2])), len(old[0]["entries"])):
                best[ent["symbol_id"]] = (d, ent, fld)
        out = []
        for d, ent, fld in best.values():
            d = self._unreferenced(self._without_fallback(d), ent, fld)
            table = self.tables[ent["symbol_id"]]
            served = self._serving(ent, table)
            if not served:
                if len(d["entries"]) >= 3 and (spec := self._count_spec(domain, d, ent, fld)):
                    out.append(spec)
                continue
            stmt, path = served
            mapped = path[-1]
            ctrl = self.classes[mapped["parent_id"]]
            schema = self.schema.get(table)
            delete_col = next((c for c in (schema.columns if schema else {}) if is_delete_flag(c)), None)
            refs = self._dict_refs(d)
            for m in reversed(path):
                refs.append(self.method_ref(m, "is the existing endpoint whose path the new one follows"
                                            if m is mapped else "passes the query on",
                                            "新接口沿用其路径的现有接口" if m is mapped else "向下传递查询"))
            stmt_name = f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}"
            refs.append(Ref(stmt_name, f"is a hand-written query on {table} in {stmt['path'].rsplit('/', 1)[-1]}",
                            f"{stmt['path'].rsplit('/', 1)[-1]} 中对 {table} 的手写查询",
                            stmt["path"], stmt["start_line"], min(stmt["end_line"], stmt["start_line"] + 25)))
            class_route = next((re.search(r'"([^"]*)"', a.get("args") or "") for a in ctrl.get("annotations") or []
                                if a.get("name") == "RequestMapping"), None)
            base_route = class_route.group(1) if class_route else ""
            if base_route.strip("/") and (line := class_mapping_line(self.files, self.data["classes"], mapped["path"],
                                                                      ctrl["symbol_id"])):
                refs.insert(len(refs) - len(path) - 1, Ref(ctrl["name"], f"maps every endpoint of the class under "
                                                            f"`{base_route}`", f"把类中所有接口映射到 `{base_route}` 之下",
                                                            mapped["path"], line, line))
            body = self.files.get(mapped["path"]).lines[mapped["start_line"] - 1:mapped["end_line"]]
            rets = [m.group(1) for line in body if (m := re.search(r"return\s+([\w.]+)\(", line))]
            ret = next((r for r in rets if re.search(r"(success|ok)\w*$", r, re.I)), None)
            route_ann = next((a.get("args") or "" for a in mapped.get("annotations") or []
                              if (a.get("name") or "").endswith("Mapping")), "")
            sub = (re.search(r'"([^"]*)"', route_ann) or [None, ""])[1]
            if "{" in sub or sub.strip("/").count("/") > 1:
                continue          # a path with variables or deep nesting is no pattern for a collection endpoint
            opening = self.files.get(stmt["path"]).lines[stmt["start_line"] - 1]
            as_map = bool(re.search(r'resultType="(java\.util\.)?(hash)?map"', opening, re.I))
            chain = []
            for m in path[:-1]:
                cls = self.classes[m["parent_id"]]
                iface = self.code.cls(cls["name"].removesuffix("Impl")) if cls["name"].endswith("Impl") else None
                chain.append({"class": cls["name"], "layer": cls["layer"],
                              "interface": iface["name"] if iface and iface["layer"] == "service" else None})
            text_en = (f"Add an endpoint to {ctrl['name']} that returns how many {ent['name']} records there are per "
                       f"{fld} value ({self._codes(d)}).")
            text_zh = f"在 {ctrl['name']} 中增加接口，按 {fld}（{self._codes(d)}）统计 {ent['name']} 的数量。"
            out.append(DesignSpec(_req_id("new_endpoint", d["dict_id"], ctrl["symbol_id"]), "new_endpoint", domain,
                                  text_en, text_zh, refs, {
                "controller": ctrl["name"], "entity": ent["name"], "field": fld, "column": snake(fld), "table": table,
                "entries": [{**e, "label": _label(e)} for e in d["entries"]],
                "route": "/".join(p.strip("/") for p in (base_route, sub.rsplit("/", 1)[0] if "/" in
                                                   sub.strip("/") else "") if p.strip("/")).join(("/", "/"))
                + route_for("x", fld).rsplit("/", 1)[-1], "as_map": as_map,
                "return_type": mapped.get("type") or "", "returns": ret, "mapped": mapped["name"],
                "annotations": [a.get("name") for a in mapped.get("annotations") or [] if a.get("name")],
                "dao": stmt["namespace"].rsplit(".", 1)[-1], "xml": stmt["path"], "delete_col": delete_col,
                "statement": stmt_name, "chain": chain, "dto_suffix": self._dto_suffix(),
                "dto_package": self._dto_package(ctrl["symbol_id"]),
            }))
        return out

    def _criteria_serving(self, ent: dict) -> tuple[dict, list[dict], dict] | None:
        """The generated-mapper idiom: a service method that lists the entity with `selectByExample` over Example
        criteria, reached from an active controller and not bound to one user's rows; with its select call."""
        prefix = f"{ent['symbol_id']}Example."
        best = None
        for m in self.code.methods.values():
            cls = self.classes.get(m.get("parent_id") or "") or {}
            if cls.get("layer") not in ("service", "service_impl") or cls.get("is_generated"):
                continue
            calls = self.code.calls_in(m["symbol_id"])
            crit = [c for c in calls if (c.get("callee_id") or "").startswith(prefix)]
            select = next((c for c in calls if re.search(r"#selectByExample\w*\(", c.get("callee_id") or "")), None)
            if not crit or not select or any(re.search(r"#and(Member|User|Customer)Id", c["callee_id"])
                                             and not self._optional_param(m, c["line"]) for c in crit):
                continue          # not this entity's list, or one user's rows only
            path = self._path_up(m["symbol_id"])
            if not path or self.code.inactive(path[-1]["parent_id"]):
                continue
            ctrl = path[-1]["parent_id"].rsplit(".", 1)[-1]
            rank = (_entity_base_name(ent["name"]) not in ctrl, len(path), ctrl, m["start_line"])
            if best is None or rank < best[0]:
                best = (rank, m, path, select)
        return best[1:] if best else None

    def _count_precedent(self, mapper_id: str, near: str) -> dict | None:
        """A hand-written `countByExample` call (the same class first): how the repository already counts rows."""
        calls = [c for c in self.data["calls"] if (c.get("callee_id") or "").partition("#")[2].startswith("countByExample(")
                 and c["path"] not in self.code.generated_paths and c["caller_id"] in self.code.methods]
        calls.sort(key=lambda c: (self.code.methods[c["caller_id"]].get("parent_id") != near,
                                  not c["callee_id"].startswith(mapper_id + "#"), c["path"], c["line"]))
        return calls[0] if calls else None

    def _count_spec(self, domain: str, d: dict, ent: dict, fld: str) -> DesignSpec | None:
        """A count per code where the entity is read only through its generated mapper: the service that lists it
        counts each code with the mapper's generated `countByExample`, the way the repository already counts."""
        served = self._criteria_serving(ent)
        if not served:
            return None
        m, path, select = served
        mapper_id = select["callee_id"].split("#")[0]
        mapper = self.classes.get(mapper_id) or {}
        prec = self._count_precedent(mapper_id, m["parent_id"])
        cap_fld = fld[0].upper() + fld[1:]
        if not self.code.has_method(mapper_id, "countByExample") or not prec or not self.code.has_method(
                f"{ent['symbol_id']}Example.GeneratedCriteria", f"and{cap_fld}EqualTo"):
            return None
        mapped = path[-1]
        ctrl = self.classes[mapped["parent_id"]]
        lines = self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
        opens = next((o.group(1) for line in lines if (o := re.search(r"\bexample\.(or|createCriteria)\(\)", line))),
                     "createCriteria")
        deleted = next((x.group(0) for line in lines if (x := re.search(r"\.and(\w+)EqualTo\([^()]*\)", line))
                        and is_delete_flag(x.group(1))), "")
        route = self._count_route(ctrl, mapped, fld, ent)
        if route is None:
            return None
        prec_m = self.code.methods[prec["caller_id"]]
        refs = self._dict_refs(d)
        base = route.rsplit("/", 1)[0]
        if base and (line := class_mapping_line(self.files, self.data["classes"], mapped["path"], ctrl["symbol_id"])):
            refs.append(Ref(ctrl["name"], f"maps every endpoint of the class under `{base}`",
                            f"把类中所有接口映射到 `{base}` 之下", mapped["path"], line, line))
        for x in reversed(path):
            refs.append(self.method_ref(x, "is the existing endpoint whose path the new one follows" if x is mapped
                                        else "passes the query on",
                                        "新接口沿用其路径的现有接口" if x is mapped else "向下传递查询"))
        sel_line = select["line"]
        refs.append(self.method_ref(m, f"lists {ent['name']} rows with `{select['callee_name']}` over "
                                       f"`{ent['name']}Example` criteria",
                                    f"用 `{select['callee_name']}` 按条件查询 {ent['name']}", upto=sel_line))
        refs.append(Ref(f"{prec_m['parent_id'].rsplit('.', 1)[-1]}.{prec_m['name']}",
                        f"counts rows with `{prec['callee_name']}`", f"用 `{prec['callee_name']}` 计数", prec["path"],
                        max(prec_m["start_line"], prec["line"] - 4), prec["line"]))
        chain = []
        for x in [m, *path[:-1]]:          # the counting service itself, then the classes between it and the endpoint
            cls = self.classes[x["parent_id"]]
            iface = self.code.cls(cls["name"].removesuffix("Impl")) if cls["name"].endswith("Impl") else None
            chain.append({"class": cls["name"], "layer": cls["layer"],
                          "interface": iface["name"] if iface and iface["layer"] == "service" else None})
        ftype = next((f.get("type") for f in self.data["symbols"] if f["kind"] == "field"
                      and f.get("parent_id") == ent["symbol_id"] and f["name"] == fld), None) or "Integer"
        body = self.files.get(mapped["path"]).lines[mapped["start_line"] - 1:mapped["end_line"]]
        rets = [r.group(1) for line in body if (r := re.search(r"return\s+([\w.]+)\(", line))]
        text_en = (f"Add an endpoint to {ctrl['name']} that returns how many {ent['name']} records there are per "
                   f"{fld} value ({self._codes(d)}).")
        text_zh = f"在 {ctrl['name']} 中增加接口，按 {fld}（{self._codes(d)}）统计 {ent['name']} 的数量。"
        return DesignSpec(_req_id("new_endpoint", d["dict_id"], ctrl["symbol_id"]), "new_endpoint", domain, text_en,
                          text_zh, refs, {
            "idiom": "criteria", "controller": ctrl["name"], "entity": ent["name"], "field": fld, "type": ftype,
            "entries": [{**e, "label": _label(e)} for e in d["entries"]], "route": route,
            "constants": [f"{d['owner']}.{e['name'].rsplit('.', 1)[-1]}" if e.get("name") and not (
                d.get("field") or "").isidentifier() else str(e["code"]) for e in d["entries"]],
            "mapped": mapped["name"], "return_type": mapped.get("type") or "",
            "returns": self._plain_return(rets),
            "annotations": [a.get("name") for a in mapped.get("annotations") or [] if a.get("name")],
            "mapper": mapper.get("name") or mapper_id.rsplit(".", 1)[-1], "example": f"{ent['name']}Example",
            "opens": opens, "criteria": f"and{cap_fld}EqualTo", "deleted": deleted, "chain": chain,
            "service": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}",
            "precedent": f"{prec_m['parent_id'].rsplit('.', 1)[-1]}.{prec_m['name']}"})

    def _plain_return(self, rets: list[str]) -> str | None:
        """The success wrapper a new endpoint returns a map with: the listing's own (`ResponseUtil.okList`) names a
        list helper, so its plain sibling (`ResponseUtil.ok`) where the helper class has one."""
        ret = next((r for r in rets if re.search(r"(success|ok)\w*$", r, re.I)), None)
        plain = re.match(r"(?:(\w+)\.)?((?:success|ok))\w+$", ret or "", re.I)
        helper = self.code.cls(plain.group(1)) if plain and plain.group(1) else None
        if helper and self.code.has_method(helper["symbol_id"], plain.group(2)):
            return f"{plain.group(1)}.{plain.group(2)}"
        return ret

    def _count_route(self, ctrl: dict, mapped: dict, fld: str, ent: dict) -> str | None:
        """`/class-path/sub-path/countByStatus` next to the endpoint it follows (`countCouponUserByStatus` on a
        controller named for another entity); None for a path with variables."""
        class_route = next((re.search(r'"([^"]*)"', a.get("args") or "") for a in ctrl.get("annotations") or []
                            if a.get("name") == "RequestMapping"), None)
        base = class_route.group(1) if class_route else ""
        ann = next((a.get("args") or "" for a in mapped.get("annotations") or []
                    if (a.get("name") or "").endswith("Mapping")), "")
        sub = (re.search(r'"([^"]*)"', ann) or [None, ""])[1]
        if "{" in sub or sub.strip("/").count("/") > 1:
            return None
        parts = [p.strip("/") for p in (base, sub.rsplit("/", 1)[0] if "/" in sub.strip("/") else "") if p.strip("/")]
        base = _entity_base_name(ent["name"])
        last = route_for("x", fld).rsplit("/", 1)[-1]
        if base not in ctrl["name"]:
            last = last.replace("countBy", f"count{base}By")
        return "/" + "/".join(parts + [last])

    # ---------------------------------------------------------- list filter --
    def _chain_up(self, method_id: str, layers: tuple[str, ...]) -> dict | None:
        """The nearest caller (through interfaces) of a method in one of these layers."""
        seen, todo = set(), [method_id]
        while todo:
            m = self.code.methods.get(todo.pop(0))
            if not m or m["symbol_id"] in seen:
                continue
            seen.add(m["symbol_id"])
            for c in self.code.callers(m):
                caller = self.code.methods.get(c["caller_id"])
                if caller and self.code.layer_of(caller["parent_id"]) in layers:
                    return caller
                if caller:
                    todo.append(caller["symbol_id"])
        return None

    def list_filter(self, domain: str) -> list[DesignSpec]:
        """A list query with optional filters on a request object gets one more, on a coded field it lacks."""
        out = []
        by_table = {t: cid for cid, t in self.tables.items()}
        dicts = {(e["symbol_id"], f): (d, e) for d, e, f in self._lifecycles(domain)}
        for s in self.data["sql_statements"]:
            if s["kind"] != "select" or len(s.get("tables") or []) != 1 or not s.get("method_id") \
                    or (self.classes.get(s["namespace"]) or {}).get("is_generated"):
                continue
            lines = self.files.get(s["path"]).lines[s["start_line"] - 1:s["end_line"]]
            tests = self._tests(lines, s)
            mirror = next(((n, p, f) for n, p, f in tests if n - s["start_line"] + 1 < len(lines)
                           and re.search(rf"=\s*#\{{{p}\.{f}\}}", lines[n - s["start_line"] + 1])), None)
            dao_m = self.code.methods.get(s["method_id"])
            if not mirror or not dao_m or s["end_line"] - s["start_line"] >= 40:
                continue
            prefix = mirror[1]
            dto_name = (re.search(rf"(\w+)\s+{prefix}\s*[,)]", dao_m.get("signature") or "") or [None, None])[1]
            dto = self.code.cls(dto_name) if dto_name else None
            ent_id = by_table.get(s["tables"][0].lower())
            ctrl_m = self._chain_up(s["method_id"], ("controller",))
            if not dto or not ent_id or not ctrl_m or dto_name not in (ctrl_m.get("signature") or ""):
                continue
            dto_fields = [f for f in self.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == dto["symbol_id"]]
            filtered = {f for _, _, f in tests}
            for (eid, fld), (d, ent) in sorted(dicts.items(), key=lambda kv: kv[0]):
                if eid != ent_id or fld in filtered or any(f["name"] == fld for f in dto_fields) \
                        or is_delete_flag(fld) or not self._filterable(d, fld) or not dto_fields \
                        or self._implied(ent, fld, filtered):
                    continue
                out.append(self._filter_spec(domain, s, d, ent, fld, dto, dto_fields, ctrl_m, mirror, lines))
        return out

    def _filter_spec(self, domain: str, s: dict, d: dict, ent: dict, fld: str, dto: dict, dto_fields: list[dict],
                     ctrl_m: dict, mirror: tuple[int, str, str], lines: list[str]) -> DesignSpec:
        ctrl = f"{ctrl_m['parent_id'].rsplit('.', 1)[-1]}.{ctrl_m['name']}"
        stmt = f"{s['namespace'].rsplit('.', 1)[-1]}.{s['statement']}"
        first, last = min(f["start_line"] for f in dto_fields), max(f["end_line"] for f in dto_fields)
        mirror_sql = lines[mirror[0] - s["start_line"] + 1].strip()
        ent_field = next((f for f in self.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == ent["symbol_id"]
                          and f["name"] == fld), None)
        refs = [Ref(stmt, f"filters on optional `{mirror[1]}` fields, e.g. `{mirror_sql}`",
                    f"按可选的 `{mirror[1]}` 字段过滤，例如 `{mirror_sql}`", s["path"], s["start_line"], s["end_line"]),
                Ref(dto["name"], f"holds the filters {', '.join(f['name'] for f in dto_fields)}",
                    f"包含过滤字段 {'、'.join(f['name'] for f in dto_fields)}", dto_fields[0]["path"],
                    max(first - 2, dto.get("start_line") or first), last),
                self.method_ref(ctrl_m, f"takes `{dto['name']}` from the request", f"从请求中接收 `{dto['name']}`"),
                *self._dict_refs(d)]
        annotated = sorted({a["name"] for f in dto_fields for a in f.get("annotations") or []} - {"Getter", "Setter"})
        text_en = (f"Let `{ctrl}` filter the {ent['name']} list by {fld} ({self._codes(d)}), like it already "
                   f"filters by {', '.join(f for _, _, f in self._tests(lines, s))}.")
        text_zh = f"让 `{ctrl}` 的 {ent['name']} 列表支持按 {fld}（{self._codes(d)}）过滤，与现有过滤条件一致。"
        return DesignSpec(_req_id("list_filter", s["stmt_id"], fld), "list_filter", domain, text_en, text_zh, refs, {
            "entity": ent["name"], "field": fld, "column": snake(fld), "dto": dto["name"],
            "type": (ent_field or {}).get("type") or "Integer", "prefix": mirror[1], "mirror": mirror[2],
            "mirror_sql": mirror_sql, "statement": stmt, "xml": s["path"], "controller": ctrl,
            "body": "@RequestBody" in (ctrl_m.get("signature") or ""), "annotations": annotated,
            "lombok": _lombok(dto)})

    def list_filter_criteria(self, domain: str) -> list[DesignSpec]:
        """The generated-mapper idiom: a service builds Example criteria from optional request parameters; one more
        optional parameter on a coded field of the entity, mirroring an existing one from controller to criteria."""
        out = []
        dicts = {(e["symbol_id"], f): (d, e) for d, e, f in self._lifecycles(domain)}
        for m in self.code.methods.values():
            cls = self.classes.get(m.get("parent_id") or "") or {}
            if cls.get("layer") not in ("service", "service_impl") or cls.get("is_generated"):
                continue
            crit = [(c, mm.group(1), mm.group(2)) for c in self.code.calls_in(m["symbol_id"])
                    if (mm := re.match(r"^(.+)Example\.\w*Criteria#and([A-Z]\w*?)(?:EqualTo|In|Like|NotEqualTo|"
                                       r"GreaterThan\w*|LessThan\w*|Between)\(", c.get("callee_id") or ""))]
            optional = [(c, ent_id, f) for c, ent_id, f in crit if self._optional_param(m, c["line"])]
            if not optional:
                continue
            path = self._path_up(m["symbol_id"])
            if not path or self.code.inactive(path[-1]["parent_id"]):
                continue
            ctrl_m = path[-1]
            mirror_c, ent_id, _ = optional[0]
            param = self._optional_param(m, mirror_c["line"])
            if not re.search(rf"\b{param}\b", ctrl_m.get("signature") or ""):
                continue
            filtered = {f[0].lower() + f[1:] for _, _, f in crit}
            mine = any(re.match(r"(Member|User|Customer)Id$", f) for _, _, f in crit)   # one user's own records
            for (eid, fld), (d, ent) in sorted(dicts.items(), key=lambda kv: kv[0]):
                if mine and not (STATUS_FIELD.search(fld) and len(d["entries"]) >= 3):
                    continue          # a user filters their own records by lifecycle, not by bookkeeping codes
                if eid != ent_id or fld in filtered or is_delete_flag(fld) or not self._filterable(d, fld) \
                        or self._implied(ent, fld, filtered) \
                        or fld in (m.get("signature") or "") or not self.code.has_method(
                            f"{ent_id}Example.GeneratedCriteria", f"and{fld[0].upper() + fld[1:]}EqualTo"):
                    continue
                out.append(self._criteria_spec(domain, m, ctrl_m, path, ent, d, fld, mirror_c, param,
                                               sorted({self._optional_param(m, c["line"]) for c, _, _ in optional})))
        return out

    @staticmethod
    def _filterable(d: dict, fld: str) -> bool:
        """A field a list is filtered by: a status or type, or any field whose codes the repository documents with at
        least three labels (mall's coupon `platform`: 0 all, 1 mobile, 2 PC); a two-valued flag is not asked for."""
        return bool(COUNT_FIELD.search(fld)) or len(d["entries"]) >= 3 and all(
            e["label"] != (e.get("name") or "").rsplit(".", 1)[-1] for e in d["entries"])

    def _optional_param(self, m: dict, line: int) -> str | None:
        """The method parameter an `if` just above a criteria line tests (`if (type != null)`), if any."""
        for n in (line - 1, line):
            text = self.code.text(m["path"], n)
            g = re.search(r"\bif\s*\(\s*(?:!\s*StringUtils\.isEmpty\(\s*)?(\w+)", text)
            if g and re.search(rf"\b{g.group(1)}\s*[,)]", m.get("signature") or ""):
                return g.group(1)
        return None

    def _criteria_spec(self, domain: str, m: dict, ctrl_m: dict, path: list[dict], ent: dict, d: dict, fld: str,
                       mirror: dict, param: str, params: list[str]) -> DesignSpec:
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        ctrl = f"{ctrl_m['parent_id'].rsplit('.', 1)[-1]}.{ctrl_m['name']}"
        ftype = next((f.get("type") for f in self.data["symbols"] if f["kind"] == "field"
                      and f.get("parent_id") == ent["symbol_id"] and f["name"] == fld), None) or "Integer"
        ann = re.search(rf"(@RequestParam\([^)]*\))\s*\w+(?:<[^>]*>)?\s+{param}\b", ctrl_m.get("signature") or "")
        new_param = (re.sub(rf'"{param}"', f'"{fld}"', ann.group(1)) if ann and param in ann.group(1)
                     else f'@RequestParam(value = "{fld}", required = false)') + f" {ftype} {fld}"
        cls = self.classes[m["parent_id"]]
        iface = self.code.cls(cls["name"].removesuffix("Impl")) if cls["name"].endswith("Impl") else None
        others = [c for c in self.code.callers(m) if c["caller_id"] not in {x["symbol_id"] for x in path}
                  and c["path"] not in self.code.generated_paths]
        refs = [self.method_ref(ctrl_m, f"takes the optional `{param}` and passes it on", f"接收可选参数 `{param}` 并传递"),
                self.method_ref(m, f"adds a criterion only when `{param}` is given: "
                                   f"`{self.code.text(m['path'], mirror['line'])}`",
                                f"仅在传入 `{param}` 时加条件", upto=mirror["line"] + 1),
                *self._dict_refs(d)]
        for c in others:
            cm = self.code.methods.get(c["caller_id"])
            if cm:
                refs.append(Ref(f"{cm['parent_id'].rsplit('.', 1)[-1]}.{cm['name']}", f"also calls `{c['callee_name']}`",
                                f"也调用 `{c['callee_name']}`", c["path"], max(cm["start_line"], c["line"] - 3), c["line"]))
        text_en = (f"Let `{ctrl}` filter the {ent['name']} list by {fld} ({self._codes(d)}), the way it already filters "
                   f"by {', '.join(params)}.")
        text_zh = (f"让 `{ctrl}` 的 {ent['name']} 列表支持按 {fld}（{self._codes(d)}）过滤，"
                   f"方式与现有的 {'、'.join(params)} 一致。")
        return DesignSpec(_req_id("list_filter", m["symbol_id"], fld), "list_filter", domain, text_en, text_zh, refs, {
            "idiom": "criteria", "entity": ent["name"], "field": fld, "type": ftype, "param": param,
            "new_param": new_param, "controller": ctrl, "service": label, "service_layer": cls["layer"],
            "interface": iface["name"] if iface and iface["layer"] == "service" else None,
            "mirror_line": self.code.text(m["path"], mirror["line"]),
            "documented": [a["name"] for a in ctrl_m.get("annotations") or [] if a.get("name") in ("ApiImplicitParam",
                                                                                                 "ApiImplicitParams")],
            "criteria": f"and{fld[0].upper() + fld[1:]}EqualTo",
            "others": [f"{self.code.methods[c['caller_id']]['parent_id'].rsplit('.', 1)[-1]}."
                       f"{self.code.methods[c['caller_id']]['name']}" for c in others if c["caller_id"] in self.code.methods],
            "middle": [f"{x['parent_id'].rsplit('.', 1)[-1]}.{x['name']}" for x in path[:-1]]})

    def _implied(self, ent: dict, fld: str, filtered: set[str]) -> bool:
        """A value of the field only ever comes with a later state of a field the list already filters by: every place
        that sets it to that constant also sets the filtered field to a constant that no creation sets and that
        nothing sets without it (mall's confirm_status = 1 only with status = 3). Filtering by it adds nothing new."""
        sites = [x for x in self._sites(ent, fld) if x.kind in ("set", "sql_set")]
        if not sites or any(x.kind == "sql_set" or not LITERAL_SET.search(x.text) for x in sites):
            return False
        by_value: dict[str, list[tuple[str, set[tuple[str, str]]]]] = {}
        for x in sites:
            m = self.code.method_at(x.path, x.line)
            if not m:
                return False
            body = self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
            sets = {(f[0].lower() + f[1:], v.rsplit(".", 1)[-1]) for line in body for f, v in LITERAL_SET.findall(line)}
            label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
            for f, v in sets:
                if f == fld:
                    by_value.setdefault(v, []).append((label, {p for p in sets if p[0] in filtered}))
        ts = [t["facts"] for t in self.rules if t["kind"] == "transition" and t["facts"].get("entity") == ent["name"]]
        for uses in by_value.values():
            methods = {label for label, _ in uses}
            common = set.intersection(*(p for _, p in uses))
            for f, v in common:
                setters = {t["method"] for t in ts if t["field"] == f
                           and v in (str(t["to"]), (t.get("to_expr") or "").rsplit(".", 1)[-1])}
                initial = any(not t.get("from_codes") and v in (str(t["to"]), (t.get("to_expr") or "").rsplit(".", 1)[-1])
                              for t in ts if t["field"] == f)
                if not initial and setters and setters <= methods:
                    return True
        return False

    @staticmethod
    def _tests(lines: list[str], s: dict) -> list[tuple[int, str, str]]:
        return [(n, m.group(1), m.group(2)) for n, line in enumerate(lines, s["start_line"])
                if (m := re.search(r'<if test="(\w+)\.(\w+)\s*!=\s*null', line))]

    # ----------------------------------------------------------- new field --
    def new_field(self, domain: str) -> list[DesignSpec]:
        out = []
        main = DOMAIN_TABLE.get(domain)
        for spec in NEW_FIELDS.get(domain, []):
            for d, ent, fld in self._lifecycles(domain):
                table = self.tables[ent["symbol_id"]]
                tables = spec.get("tables") or main      # the order table, or the one a field names (after-sales)
                if not STATUS_FIELD.search(fld) or is_delete_flag(fld) or len(d["entries"]) < 3 \
                        or not (tables and tables.search(table)):
                    continue
                schema = self.schema.get(table)
                if not schema or schema.has_meaning(spec["meaning"]):
                    continue   # without a schema nothing shows the meaning is missing
                made = self._binding(domain, ent, fld, d, spec["bind"])
                if made and self._via_is_bound(made):
                    out.append(self._new_field_spec(domain, spec, ent, table, schema, made))
        return out

    def _via_is_bound(self, made: list[tuple[dict, Site]]) -> bool:
        """A statement the bound methods set the status through is called by them alone (else a new column written
        there would be written by other operations too)."""
        bound = {(s.path, s.line) for _, s in made}
        for _, s in made:
            if s.via and any((c.path, c.line) not in bound for c in self.code.sql_setter_calls(
                    [Site("sql_set", s.via, "mapper_xml", "", 0, 0, 0, "")])):
                return False
        return True

    def _binding(self, domain: str, ent: dict, fld: str, d: dict, bind: str) -> list[tuple[dict, Site]]:
        """The methods that give the field its meaning, with the line where they set the status: every place that
        sets a code a cancel/close operation sets, or the creation (the first code, set without a guard)."""
        ts = [t for t in self._rules(domain, "transition") if t["facts"].get("entity") == ent["name"]
              and t["facts"]["field"] == fld and t["facts"].get("method")]
        if bind in BINDS:               # codes such an operation sets, and codes the dictionary calls so
            by_name, by_word = BINDS[bind][:2]
            codes = {str(t["facts"]["to"]) for t in ts if by_name.match(t["facts"]["method_name"])}
            codes |= {str(e["code"]) for e in d["entries"] if by_word.search(f"{e.get('name') or ''} {e['label']}")
                      and not _IN_PROGRESS.search(e["label"])}   # "订单取消，退款中": refunding, still open (21I S4)
        else:
            codes = {str(t["facts"]["to"]) for t in ts if str(t["facts"]["to"]) == str(d["entries"][0]["code"])
                     and not t["facts"].get("from_codes")}
        if not codes:
            return []
        names = {t["facts"].get("to_expr") for t in ts if str(t["facts"]["to"]) in codes and t["facts"].get("to_expr")}
        names |= {e["name"] for e in d["entries"] if str(e["code"]) in codes and e.get("name")}
        literal = re.compile(r"\(\s*(?:[^()]*,\s*)?(" + "|".join(map(re.escape, sorted(codes))) + r")\s*\)"
                             + "".join(f"|{re.escape(n)}\\b" for n in sorted(names)))
        out: dict[str, tuple[dict, Site]] = {}
        sites = self._sites(ent, fld)
        in_sql = re.compile(rf"\b{snake(fld)}\s*=\s*({'|'.join(map(re.escape, sorted(codes)))})\b")
        fixed = {x.where for x in sites if x.kind == "sql_set" and in_sql.search(x.text)}   # `SET status = 3` in SQL
        for s in sites:
            if s.kind == "set" and (literal.search(s.text) or s.via in fixed) and (m := self.code.method_at(s.path, s.line)):
                s.field = fld
                out.setdefault(m["symbol_id"], (m, s))
        return list(out.values())

    def _now_expr(self, ent: dict) -> str:
        """How the entity's time fields are typed: `new Date()` or `LocalDateTime.now()`."""
        types = Counter(f.get("type") for f in self.data["symbols"] if f["kind"] == "field"
                        and f.get("parent_id") == ent["symbol_id"] and f.get("type") in ("Date", "LocalDateTime"))
        return "LocalDateTime.now()" if types.most_common(1) and types.most_common(1)[0][0] == "LocalDateTime" \
            else "new Date()"

    def _body_read(self, m: dict, name: str, java_type: str = "String") -> str | None:
        """A method that reads its inputs from a JSON body parameter: the statement that reads the new field the same
        way, through the helper method for its type (`JacksonUtil.parseString(body, "x")` next to `parseInteger`)."""
        p = re.search(r"String\s+(\w+)\s*[,)]", m.get("signature") or "")
        if not p:
            return None
        lines = self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
        reads = [r for line in lines if (r := re.search(rf"\b([A-Z]\w*)\.(\w+)\(\s*{p.group(1)}\s*,\s*\"\w+\"\s*\)", line))]
        for r in reads:
            if java_type in r.group(2):
                return f'{java_type} {name} = {r.group(1)}.{r.group(2)}({p.group(1)}, "{name}");'
            helper = self.code.cls(r.group(1))
            prefix = re.sub(r"[A-Z]\w*$", "", r.group(2))
            names = {x["name"] for x in self.code.methods_of.get(helper["symbol_id"], [])} if helper else set()
            if prefix and prefix + java_type in names:       # parseInteger -> parseString, the helper's own method
                return f'{java_type} {name} = {r.group(1)}.{prefix}{java_type}({p.group(1)}, "{name}");'
        return None

    def _grids(self, ent: dict, table: str) -> list[dict]:
        """Page scripts that show the entity's rows in a table whose columns they declare by property name (jqGrid's
        `colModel`): the endpoint serves the entity itself (a hand-written SELECT on its table mapped back to it), the
        repository's own script calls it, and right below the URL names a column of the entity."""
        props = {f["name"] for f in self.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == ent["symbol_id"]}
        out: dict[tuple[str, int], dict] = {}
        for st in self.data["sql_statements"]:
            if st["kind"] != "select" or [t.lower() for t in st.get("tables") or []] != [table] \
                    or not st.get("method_id") or st["path"] in self.code.generated_paths:
                continue
            rm = self._result_map(st, self.files.get(st["path"]).lines[st["start_line"] - 1])
            path = self._path_up(st["method_id"])
            if not rm or rm["type"] != ent["name"] or not path:
                continue
            for k in self._clients(path[-1]):
                if (g := self.code.grid_column(k, props)) and (g["path"], g["line"]) not in out:
                    out[(g["path"], g["line"])] = {**g, "route": k["route"]}
        return list(out.values())

    def _written_through(self, made: list[tuple[dict, Site]]) -> set[str] | None:
        """The statements ('Namespace.statement') the bound operations write the record with: the one they set the
        status through, else the first write after the setter. A hand-listed INSERT or UPDATE none of them uses never
        carries the new value (newbee's insert/updateByPrimaryKey for a time finishOrder sets). None where a write
        cannot be resolved to its statement (then every hand-listed write is named, as before)."""
        used = set()
        for m, site in made:
            if site.via:
                used.add(site.via)
                continue
            write = next(iter(self.code.writes_in(m["symbol_id"], after=site.line)), None)
            stmt = self.code.write_statement(write) if write else None
            if not stmt:
                return None
            used.add(f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}")
        return used

    def _entity_body(self, m: dict, ent: dict, site: Site) -> dict | None:
        """A method whose request body is the entity itself (`@RequestBody LitemallAftersale aftersale`): once the model
        has the new field the body carries it; `same` when that object is the one the method writes."""
        body = re.search(rf"@RequestBody\s+{re.escape(ent['name'])}\s+(\w+)", m.get("signature") or "")
        if not body:
            return None
        writes = re.match(r"\s*(\w+)\.set", site.text)
        return {"var": body.group(1), "same": bool(writes and writes.group(1) == body.group(1)),
                "written": writes.group(1) if writes else None}

    def _request_dto(self, m: dict) -> str | None:
        """The request object a method takes (a class of the dto layer), where a new input belongs."""
        for typ in re.findall(r"(?:^|[(,])\s*(?:final\s+)?(?:@\w+(?:\([^)]*\))?\s+)*([A-Z]\w*)\s+\w+\s*(?=[,)])",
                              m.get("signature") or ""):
            cls = self.code.cls(typ)
            if cls and cls["layer"] == "dto":
                return typ
        return None

    def _new_field_spec(self, domain: str, spec: dict, ent: dict, table: str, schema: Table,
                        made: list[tuple[dict, Site]]) -> DesignSpec:
        col = snake(spec["field"])
        source = {"ddl": "the DDL", "result_map": "its result map", "model": "its model class"}[schema.source]
        source_zh = {"ddl": "DDL", "result_map": "结果映射", "model": "模型类"}[schema.source]
        refs = [Ref(table, f"is the {table} table as {source} describes it, without {_a(spec['label_en'])} column",
                    f"{table} 表（{source_zh}），没有{spec['label_zh']}字段", schema.path, schema.start_line,
                    min(schema.end_line, schema.start_line + 39))]
        for start in range(schema.start_line + 40, schema.end_line + 1, 40):     # all of it: absence is the claim
            end = min(schema.end_line, start + 39)
            named = [c.group(1) for line in self.files.get(schema.path).lines[start - 1:end]
                     if (c := re.match(r"\s*`?(\w+)`?\s+\w", line)) and c.group(1).lower() in schema.columns]
            first, last = (named[0], named[-1]) if named else (table, table)   # each part names what its lines hold
            refs.append(Ref(f"{first}..{last}", f"the rest of the {table} columns, none for {_a(spec['label_en'])}",
                            f"表的其余列，没有{spec['label_zh']}字段", schema.path, start, end))
        setters, callers = [], []
        for m, site in made:
            label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
            note = re.search(r"String\s+(\w*(?:note|reason|remark|memo)\w*)", m.get("signature") or "", re.I)
            via = f" through `{site.via}`" if site.via else ""
            receiver = (re.match(r"\s*(\w+)\s*\.", site.text) or [None, None])[1]
            write = next((w for w in self.code.writes_in(m["symbol_id"], site.end_line + 1)
                          if w["path"] == site.path and w["line"] - site.end_line <= 8 and receiver
                          and re.search(rf"\b{receiver}\b", self.code.text(w["path"], w["line"]).split("(", 1)[-1])),
                         None) if not site.via else None
            # the write that stores what the setter set, when it follows closely: the design rests on that link
            refs.append(Ref(label, f"sets {site.field}{via}: `{site.text}`" + (
                f", then writes the record with `{write['callee_name']}`" if write else ""), f"设置 {site.field}：`{site.text}`",
                site.path, site.start_line, write["line"] if write else site.end_line))
            dto = self._request_dto(m)
            body = self._body_read(m, spec["field"]) if spec["sql_type"].startswith("VARCHAR") else None
            system = site.layer == "component" or bool(SYSTEM.search(m["name"]) or SYSTEM.search(label.split(".")[0]))
            owner = self.classes.get(m["parent_id"]) or {}
            iface = self.code.cls(owner["name"].removesuffix("Impl")) if owner.get("name", "").endswith("Impl") else None
            carried = self._entity_body(m, ent, site)
            setters.append({"method": label, "note": note.group(1) if note else None, "layer": site.layer,
                            "entity_body": carried,
                            "interface": f"{iface['name']}.{m['name']}" if iface and iface["layer"] == "service"
                            and self.code.has_method(iface["symbol_id"], m["name"]) else None,
                            "via": site.via, "via_path": self._stmt_path(site.via), "dto": dto, "body": body,
                            **self._via_param(site),
                            "system": system and not (note or dto or body)})
            if note or dto or body or carried or system or spec.get("value") == "now":
                continue          # the value is at hand (a parameter, the request object, the clock): callers stay
            system = bool(SYSTEM.search(m["name"]))
            for c in self.code.callers(m):
                cm = self.code.methods.get(c["caller_id"])
                if cm and c["path"] not in self.code.generated_paths:
                    clabel = f"{cm['parent_id'].rsplit('.', 1)[-1]}.{cm['name']}"
                    clients = self._clients(cm) if not system else []
                    callers.append({"caller": clabel, "layer": self.code.layer_of(cm["parent_id"]), "system": system,
                                    "inactive": self.code.inactive(cm["parent_id"]), **_request_shape(cm),
                                    "clients": clients})
                    refs.append(Ref(clabel, f"calls `{c['callee_name']}`", f"调用 `{c['callee_name']}`", c["path"],
                                    max(cm["start_line"], c["line"] - 3), c["line"]))
                    for k in clients:
                        refs.append(Ref(k["path"].rsplit("/", 1)[-1], f"sends the request to {_url(k['route'])}: `{k['text']}`",
                                        f"向 {_url(k['route'])} 发送请求：`{k['text']}`", k["path"], k["line"], k["line"]))
        for via in dict.fromkeys(s["via"] for s in setters if s.get("via")):   # the statement the design changes
            st = self._stmt(via)
            if st:       # not "the statement the operations above call": only those that name it do (20B: S18)
                refs.append(Ref(via, f"is the SQL on {table} behind `{via}`", f"是 `{via}` 背后的 {table} SQL",
                                st["path"], st["start_line"], min(st["end_line"], st["start_line"] + 15)))
        used = self._written_through(made)
        listed = [st for st in self._column_lists(table, schema)       # a write no setter's record reaches needs nothing
                  if st["kind"] == "select" or (st["name"] in used if used is not None
                                                else not all(s.get("via") for s in setters))]
        for st in listed:
            refs.append(Ref(st["name"], f"lists the {table} columns one by one ({st['kind']})",
                            f"逐一列出 {table} 的列（{st['kind']}）", st["path"], st["start"], st["end"]))
            rm = st.get("result_map")
            if rm and rm["type"]:
                refs.append(Ref(f"resultMap {rm['id']}", f"maps the rows of `{st['name']}` into `{rm['type']}` column by column",
                                f"把 `{st['name']}` 的结果逐列映射到 `{rm['type']}`", st["path"], rm["start"], rm["end"]))
        maps = self._hand_maps(ent)
        views = self._copied_views(ent)
        for v in views:
            refs.append(Ref(v["method"], f"copies `{v['source']}` into `{v['view']}` by property name: `{v['text']}`",
                            f"把 `{v['source']}` 按属性名复制到 `{v['view']}`：`{v['text']}`", v["path"], v["start"], v["line"]))
            v["pages"] = self._pages(v)
            for pg in v["pages"]:
                refs.append(Ref(pg["controller"], f"puts it in the request as `{pg['attr']}` and returns the view "
                                f"`{pg['view']}`", f"把它以 `{pg['attr']}` 放入请求并返回视图 `{pg['view']}`",
                                pg["path"], pg["start"], pg["end"]))
                refs.append(Ref(pg["template"].rsplit("/", 1)[-1], f"renders `{pg['var']}.{pg['shows']}`: `{pg['text']}`",
                                f"渲染 `{pg['var']}.{pg['shows']}`：`{pg['text']}`", pg["template"], pg["line"], pg["line"]))
        grids = self._grids(ent, table)
        for g in grids:
            refs.append(Ref(g["path"].rsplit("/", 1)[-1], f"loads rows from {_url(g['route'])} and shows the column "
                            f"`{g['shows']}`: `{g['text']}`",
                            f"从 {_url(g['route'])} 加载数据并显示列 `{g['shows']}`：`{g['text']}`",
                            g["path"], g["url_line"], g["line"]))
        for mp in maps:
            refs.append(Ref(mp["method"], f"builds the returned map by hand: `{mp['text']}`",
                            f"手工组装返回的 map：`{mp['text']}`", mp["path"], mp["start"], mp["end"]))
        model = self.classes.get(ent["symbol_id"]) or {}
        generated = bool(model.get("is_generated")) or self.generates_table(table)
        names = [s["method"] for s in setters]
        when, what_zh = BINDS[spec["bind"]][2:] if spec["bind"] in BINDS else ("is created", "创建时")
        what = f"when it {when}"
        text_en = (f"Record {_a(spec['label_en'])} on {ent['name']} {what} ({', '.join(names)}), stored in {table} and "
                   "returned with the record.")
        text_zh = f"为 {ent['name']} 增加{spec['label_zh']}：{what_zh}（{'、'.join(names)}）写入，存入 {table}，并随记录返回。"
        stamp = self._json_format(ent) if spec["sql_type"] == "DATETIME" else None
        if stamp:   # the repo formats its dates for JSON: a new date field follows it
            refs.append(Ref(f"{ent['name']}.{stamp['field']}", f"carries `@JsonFormat({stamp['args']})`",
                            f"带有 `@JsonFormat({stamp['args']})`", stamp["path"], stamp["start"], stamp["end"]))
        return DesignSpec(_req_id("new_field", ent["symbol_id"], spec["field"]), "new_field", domain, text_en, text_zh,
                          refs, {"entity": ent["name"], "table": table, "field": spec["field"], "column": col,
                                 "json_format": stamp,
                                 "sql_type": spec["sql_type"], "label_en": spec["label_en"], "label_zh": spec["label_zh"],
                                 "setters": setters, "callers": callers, "bind": spec["bind"], "value": spec.get("value"),
                                 "when": [when, what_zh],
                                 "now": self._now_expr(ent),
                                 "jpa": any(a.get("name") in ("Entity", "Table") for a in model.get("annotations") or []),
                                 "lombok": sorted(c["name"] for c in [model] + [self.code.cls(x["dto"]) or {} for x in setters
                                                                                if x["dto"]] if _lombok(c)),
                                 "generator": self.generator_configs[0] if generated and self.generator_configs else None,
                                 "ddl": {"path": schema.path, "line": schema.start_line} if schema.source == "ddl" else None,
                                 "listed": listed, "maps": maps, "views": views, "grids": grids})

    def _json_format(self, ent: dict) -> dict | None:
        """A date field of the entity annotated `@JsonFormat(..)` (newbee-mall's createTime): a new date field follows it
        (blind read 23V: newbee designs added dates without it)."""
        for f in self.data["symbols"]:
            if f["kind"] != "field" or f.get("parent_id") != ent["symbol_id"] or not re.match(r"(Date|LocalDateTime)\b",
                                                                                               f.get("type") or ""):
                continue
            ann = next((a for a in f.get("annotations") or [] if a.get("name") == "JsonFormat"), None)
            if ann and f.get("start_line"):
                lines = self.files.get(f["path"]).lines
                start = next((n for n in range(f["start_line"], max(f["start_line"] - 4, 1) - 1, -1)
                              if "@JsonFormat" in lines[n - 1]), f["start_line"])
                end = next((n for n in range(f["start_line"], min(f["start_line"] + 4, len(lines)) + 1)
                            if re.search(rf"\b{re.escape(f['name'])}\s*[;=]", lines[n - 1])), f["start_line"])
                return {"field": f["name"], "args": ann.get("args") or "", "path": f["path"], "start": start, "end": end}
        return None

    def _column_lists(self, table: str, schema: Table) -> list[dict]:
        """Hand-written statements on the table that name its columns one by one (an UPDATE's `<set>`, an INSERT's
        column list, a SELECT's): regenerating the model does not touch them, so a new column is added to each."""
        out = []
        cols = set(schema.columns)
        for st in self.data["sql_statements"]:
            if st["path"] in self.code.generated_paths or (self.classes.get(st["namespace"]) or {}).get("is_generated") \
                    or table not in [t.lower() for t in st.get("tables") or []]:
                continue
            body = self.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]]
            alias = None
            if len(st.get("tables") or []) != 1:
                if st["kind"] != "select":
                    continue
                alias = self._alias(body, table)      # a join lists the table's columns as `o.col`
                if not alias:
                    continue
                named = {w.lower() for line in body for w in re.findall(rf"\b{alias}\.(\w+)", line)} & cols
                enough = len(named) >= max(6, len(cols) // 3)     # a hand-made read model (VO) of the record
            else:
                named = {w.lower() for line in body for w in re.findall(r"\b\w+\b", line)} & cols
                enough = len(named) >= max(6, len(cols) // 2)
            if enough:
                out.append({"name": f"{st['namespace'].rsplit('.', 1)[-1]}.{st['statement']}", "kind": st["kind"],
                            "path": st["path"], "start": st["start_line"], "end": min(st["end_line"], st["start_line"] + 12),
                            "prefix": next((m.group(1) for line in body if (m := re.search(r'<if test="(\w+)\.\w+\s*!=', line))),
                                           None), "dynamic": any("<if test=" in line for line in body), "alias": alias,
                            "result_map": self._result_map(st, body[0])})
        return out

    @staticmethod
    def _alias(body: list[str], table: str) -> str | None:
        """The alias a join gives the table (`from litemall_order o`)."""
        found = re.search(rf"\b{table}\s+(?:as\s+)?(\w+)", " ".join(body), re.I)
        alias = found.group(1) if found else None
        return alias if alias and alias.lower() not in SQL_WORDS else None

    def _result_map(self, st: dict, opening: str) -> dict | None:
        """The hand-written `<resultMap>` a SELECT fills (its id, the class it builds, its lines): a new column is
        mapped there too, or the read model never carries it."""
        ref = re.search(r'resultMap="(\w+)"', opening)
        if not ref:
            return None
        lines = self.files.get(st["path"]).lines
        start = next((n for n, line in enumerate(lines, 1) if re.search(rf'<resultMap\b[^>]*\bid="{ref.group(1)}"', line)),
                     None)
        if start is None:
            return None
        end = next((n for n in range(start, len(lines) + 1) if "</resultMap>" in lines[n - 1]), start)
        kind = re.search(r'\btype="([\w.]+)"', lines[start - 1])
        return {"id": ref.group(1), "type": kind.group(1).rsplit(".", 1)[-1] if kind else None, "start": start,
                "end": min(end, start + 20)}

    def _hand_maps(self, ent: dict) -> list[dict]:
        """Methods that copy the entity's fields into a map by hand (`orderVo.put("id", order.getId())`): a read path
        that returns a new field only if the field is added there too. One line per method, as the example to copy."""
        out: dict[str, dict] = {}
        for c in self.data["calls"]:
            if not (c.get("callee_id") or "").startswith(f"{ent['symbol_id']}#get") or c["path"] in self.code.generated_paths:
                continue
            text = self.code.text(c["path"], c["line"])
            m = self.code.methods.get(c["caller_id"])
            put = re.match(r"(\w+)\.put\(\s*\"(\w+)\"\s*,\s*(\w+)\.get(\w+)\(\)\s*\)", text)
            if put and put.group(2) == put.group(4)[0].lower() + put.group(4)[1:] and m and m["symbol_id"] not in out \
                    and _entity_base_name(ent["name"]).lower() in put.group(1).lower():   # the entity's own map
                label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
                out[m["symbol_id"]] = {"method": label, "layer": self.code.layer_of(m["parent_id"]), "text": text,
                                       "map": put.group(1), "var": put.group(3), "path": c["path"],
                                       "start": max(m["start_line"], c["line"] - 2), "end": c["line"]}
        return list(out.values())

    def _stmt(self, label: str) -> dict | None:
        """The mapper statement `Mapper.statement` names."""
        ns, _, name = label.partition(".")
        return next((s for s in self.data["sql_statements"] if s["statement"] == name
                     and s["namespace"].rsplit(".", 1)[-1] == ns), None)

    def _copied_views(self, ent: dict) -> list[dict]:
        """View classes the entity is copied into by property name (`BeanUtil.copyProperties(order, orderDetailVO)`,
        `copyList(orders, OrderListVO.class)`): what the user sees carries a new field only once the view declares it."""
        base = _entity_base_name(ent["name"]).lower()
        out: dict[str, dict] = {}
        for c in self.data["calls"]:
            if (c.get("callee_name") or "").rsplit(".", 1)[-1] not in ("copyProperties", "copyList") \
                    or c["path"] in self.code.generated_paths:
                continue
            text = self.code.text(c["path"], c["line"])
            args = re.search(r"\b(?:copyProperties|copyList)\(\s*(\w+)\s*,\s*(\w+)(\.class)?\s*\)", text)
            m = self.code.methods.get(c["caller_id"])
            if not args or not m or base not in args.group(1).lower():
                continue
            decls = [(n, d.group(1)) for n, line in enumerate(self.files.get(c["path"]).lines[:c["line"]], 1)
                     if n >= m["start_line"] and (d := re.search(rf"\b(\w+)\s+{args.group(2)}\s*=\s*new\s+\1\(", line))]
            start, view = (c["line"], args.group(2)) if args.group(3) else decls[-1] if decls else (c["line"], None)
            cls = self.code.cls(view) if view else None
            inherits = ent["name"] in {e.rsplit(".", 1)[-1] for e in cls.get("extends") or []} if cls else False
            if cls and cls["symbol_id"] != ent["symbol_id"] and not inherits and view not in out and base in view.lower():
                out[view] = {"view": view, "method": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}", "text": text,
                             "source": args.group(1), "path": c["path"], "start": start, "line": c["line"]}
        return list(out.values())

    def _pages(self, view: dict) -> list[dict]:
        """The server-rendered pages that show a view class a method fills (MVC controllers returning a template
        name): there the new field reaches the user only once the template prints it."""
        m = self.code.method(view["method"], view["line"])
        cls = self.code.cls(view["view"])
        if not m or not cls:
            return []
        props = {f["name"] for f in self.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == cls["symbol_id"]}
        return self.code.rendered_by(m, props)

    def _clients(self, m: dict) -> list[dict]:
        """The repository's own pages or scripts that call a controller method's endpoint: a new request input is
        sent from there too."""
        owner = self.classes.get(m.get("parent_id") or "") or {}
        out = []
        for verb, route in endpoint_specs(owner.get("annotations"), m.get("annotations")):
            out += [{**k, "route": f"`{verb} {route}`" if verb != "ANY" else f"`{route}`"}
                    for k in self.code.client_calls(route)]
        return out

    def _via_param(self, site: Site) -> dict:
        """Where a statement writes the field from a parameter (`set status = #{status}`), it serves every status its
        callers pass: the new column is set there only for the code this caller passes (`via_test`, e.g. `status == 4`)."""
        if not site.via:
            return {}
        ns, _, name = site.via.partition(".")
        st = self._stmt(site.via)
        if not st:
            return {}
        body = " ".join(self.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]])
        param = re.search(rf"\b{snake(site.field)}\s*=\s*#\{{(\w+)", body)
        if not param:
            return {}
        call = re.search(rf"\b{re.escape(name)}\(", site.text)
        codes = [c for a in (_call_args(site.text, call.end()) if call else []) if (c := self._arg_code(a))]
        calls = {(c["path"], c["line"]) for c in self.data["calls"] if (c.get("callee_id") or "").split("#")[0]
                 .rsplit(".", 1)[-1] == ns and (c.get("callee_id") or "").partition("#")[2].split("(")[0] == name}
        return {"via_param": param.group(1), "via_code": codes[0] if len(codes) == 1 else None, "via_calls": len(calls)}

    def _arg_code(self, arg: str) -> str | None:
        """The status code an argument stands for: a literal, or a named constant / enum code getter of a documented
        dictionary (`OrderStatusEnum.CLOSED.getStatus()`)."""
        if re.fullmatch(r"-?\d+", arg):
            return arg
        named = re.fullmatch(r"(?:[\w.]*\.)?(\w+)\.(\w+)(?:\.\w+\(\))?", arg)
        if not named:
            return None
        return next((str(e["code"]) for d in self.data["status_dicts"] if d["owner"] == named.group(1)
                     for e in d["entries"] if (e.get("name") or "").rsplit(".", 1)[-1] == named.group(2)), None)

    def _stmt_path(self, where: str) -> str | None:
        """The mapper XML of a 'Namespace.statement' label."""
        ns, _, stmt = where.partition(".")
        return next((s["path"] for s in self.data["sql_statements"] if s["statement"] == stmt
                     and s["namespace"].rsplit(".", 1)[-1] == ns), None) if where else None

    # ---------------------------------------------------------------- user --
    def user(self, req: dict, domains: list[str]) -> DesignSpec | None:
        domain = req["domain"]
        if domain not in domains:
            return None
        words = [w.lower() for w in req.get("keywords") or re.findall(r"[A-Za-z]{4,}", req["en"])]
        related = [c for c in self.data["classes"]
                   if domain in (c.get("domains") or []) and c.get("name") and not c.get("is_generated")
                   and c["layer"] in ("controller", "service_impl", "dao", "component")
                   and any(w in c["name"].lower() for w in words)]
        refs: list[Ref] = []
        for c in related:
            if ref := self.class_ref(c, f"{c['layer'].replace('_', ' ')} related to the requirement", "与需求相关的现有组件"):
                refs.append(ref)
        for r in self.rules:
            if r["domain"] == domain and any(w in r["statement_en"].lower() for w in words) and r["kind"] in (
                    "sql_invariant", "transition", "guard"):
                refs.append(self.rule_ref(r, r["facts"].get("method") or r["facts"].get("statement") or r["kind"],
                                          r["statement_en"][:160], r["statement_zh"][:160]))
        refs = refs[:6]
        if not refs:
            return None
        base = req.get("base") or "".join(w.title() for w in re.findall(r"[A-Za-z]+", req["id"]))[:30]
        return DesignSpec(f"user:{req['id']}", "user", domain, req["en"], req.get("zh") or req["en"], refs, {
            "base": base, "controller": None,
            "data_changes": req.get("data_changes") or [], "risks": req.get("risks") or [], "tests": req.get("tests") or [],
            "flow": req.get("flow") or [],
        })


def _url(route: str) -> str:
    """"`POST /a/b`" -> "`/a/b`": a page script's cited line holds the URL; the verb is the controller's, said where
    the controller mapping is cited."""
    return re.sub(r"^`[A-Z]+ ", "`", route)
