"""Deriving design requirements from the domain map and the extracted rules.

Each kind asks for a change a maintainer of this code base would plausibly be
asked for, anchored on something that exists: a lifecycle gets a new state, a
scheduled job gets a sibling, an entity gets a field through every layer, a
guarded transition becomes idempotent, status changes get an audit trail, a
status dictionary gets a back-office endpoint. User requirements from a file
are anchored by keyword on the classes and rules they mention.
"""

from __future__ import annotations

import re
from collections import defaultdict

from core.evidence import SourceCache
from core.generate.design import DEFAULT_FIELDS, NEW_FIELDS, Conventions, DesignSpec, Ref
from core.generate.plan import route_for
from core.models import sha256_text

NEW_STATE_LABELS = {"order": ("awaiting review", "待审核"), "stock": ("frozen", "冻结中")}
MAX_PER_KIND = 12


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _q(label: str) -> str:
    return f'"{label}"' if not label.isascii() else label


def _req_id(kind: str, *parts: str) -> str:
    return f"req:{kind}:" + sha256_text("|".join(parts))[:12]


class RequirementDeriver:
    def __init__(self, data: dict, rules: list[dict], files: SourceCache, conventions: dict[str, Conventions]):
        self.data, self.rules, self.files, self.conv = data, rules, files, conventions
        self.classes = {c["symbol_id"]: c for c in data["classes"]}
        self.by_name = {c["name"]: c for c in data["classes"] if c.get("name")}
        self.field_ids = {s["symbol_id"] for s in data["symbols"] if s["kind"] == "field"}
        self.methods_by_class: dict[str, list[dict]] = defaultdict(list)
        for s in data["symbols"]:
            if s["kind"] == "method" and s.get("parent_id"):
                self.methods_by_class[s["parent_id"]].append(s)

    # ---------------------------------------------------------------- refs --
    def class_ref(self, cls: dict, why_en: str, why_zh: str) -> Ref | None:
        if not cls.get("path"):
            return None
        lines = self.files.get(cls["path"]).lines
        pattern = re.compile(rf"\b(class|interface|enum)\s+{re.escape(cls['name'])}\b")
        for n in range(cls["start_line"], min(cls["end_line"], len(lines)) + 1):
            if pattern.search(lines[n - 1]):
                return Ref(cls["name"], why_en, why_zh, cls["path"], n, n)
        return None

    @staticmethod
    def rule_ref(rule: dict, name: str, why_en: str, why_zh: str, first_only: bool = True) -> Ref:
        ev = rule["evidence"][0] if first_only else rule["evidence"][-1]
        return Ref(name, why_en, why_zh, ev["path"], ev["start_line"], ev["end_line"])

    def _rules(self, domain: str, kind: str) -> list[dict]:
        return [r for r in self.rules if r["domain"] == domain and r["kind"] == kind]

    # --------------------------------------------------------------- kinds --
    def derive(self, domain: str) -> list[DesignSpec]:
        specs = []
        for fn in (self.new_state, self.scheduled_like, self.new_field, self.idempotent, self.audit_trail, self.new_endpoint,
                   self.movement_ledger):
            specs += fn(domain)[:MAX_PER_KIND]
        return specs

    def _dicts(self, domain: str) -> list[dict]:
        """Dictionaries of persisted entities (a request DTO's codes are not a lifecycle)."""
        entities = {e["symbol_id"].rsplit(".", 1)[-1] for e in self.data["entities"]}
        entities |= {c["name"] for c in self.data["classes"] if c.get("layer") == "model" and c.get("name")}
        return [d for d in self.data["status_dicts"] if domain in (d.get("domains") or []) and d["field"]
                and d["owner"] in entities]

    def new_state(self, domain: str) -> list[DesignSpec]:
        out = []
        label_en, label_zh = NEW_STATE_LABELS.get(domain, ("awaiting review", "待审核"))
        transitions = self._rules(domain, "transition")
        for d in self._dicts(domain):
            entries = d["entries"]
            codes = [int(e["code"]) for e in entries if re.fullmatch(r"-?\d+", str(e["code"]))]
            if len(entries) < 3 or not d["field"].lower().endswith("status") or not codes:
                continue
            after, before = entries[0], entries[1]
            moves = [t for t in transitions if t["facts"].get("entity") == d["owner"] and t["facts"]["field"] == d["field"]]
            if not moves:
                continue  # codes nobody changes in code (a history row's snapshot) are not a lifecycle to extend
            setters = [t for t in moves if str(t["facts"]["to"]) == str(before["code"]) and t["facts"].get("method")]
            column = _snake(d["field"])
            readers = [s["statement"] for s in self.data["sql_statements"]
                       if s["namespace"] in self.classes and not self.classes[s["namespace"]].get("is_generated")
                       and re.search(rf"\b{column}\s*(=|in|<|>)", s["sql"], re.I)][:5]
            refs = [Ref(f"{d['owner']}.{d['field']}",
                f"documents the codes {', '.join(e['code'] + ' ' + e['label'] for e in entries)}",
                        f"定义了取值 {'、'.join(e['code'] + e['label'] for e in entries)}",
                        d["path"], d["start_line"], d["end_line"])]
            refs += [self.rule_ref(t, t["facts"]["method"], f"sets {d['field']} to {before['code']} today",
                                   f"目前把 {d['field']} 设为 {before['code']}") for t in setters[:2]]
            new = str(max(codes) + 1)
            text_en = (f"Add a new {d['field']} value to {d['owner']}: \"{label_en}\" (code {new}). "
                       "A record should enter it after "
                       f"{_q(after['label'])} instead of going straight to {_q(before['label'])}, and leave it only when an "
                       "operator approves.")
            text_zh = (f"为 {d['owner']} 的 {d['field']} 增加新状态“{label_zh}”（编码 {new}）：{after['label']}之后先进入该状态，"
                       f"而不是直接进入{before['label']}，运营审核通过后才能继续。")
            out.append(DesignSpec(_req_id("new_state", d["dict_id"]), "new_state", domain, text_en, text_zh, refs, {
                "owner": d["owner"], "field": d["field"], "new_code": new, "label_en": label_en, "label_zh": label_zh,
                "after": after, "before": before, "setters": [t["facts"]["method"] for t in setters], "readers": readers,
            }))
        return out

    def scheduled_like(self, domain: str) -> list[DesignSpec]:
        out = []
        for sched in self._rules(domain, "schedule"):
            sf = sched["facts"]
            called = {c.rsplit(".", 1)[-1] for c in sf.get("calls") or []}
            for t in self._rules(domain, "transition"):
                tf = t["facts"]
                if not tf.get("method") or tf["method_name"] in called or not tf.get("from_codes") or not tf.get("labels"):
                    continue
                labels = tf["labels"]
                src = labels.get(tf["from_codes"][0], tf["from_codes"][0])
                dst = labels.get(str(tf["to"]), str(tf["to"]))
                name = tf["method_name"][0].upper() + tf["method_name"][1:]
                refs = [self.rule_ref(sched, sf["method"], "an existing scheduled job to copy", "可仿照的现有定时任务"),
                        self.rule_ref(t, tf["method"], f"the manual transition {_q(src)} -> {_q(dst)}",
                            f"现有的手动状态变更 {src}->{dst}")]
                text_en = (f"Add a scheduled job like {sf['class']} that automatically does what {tf['method']} does for "
                           f"{tf['entity'] or 'records'} that stayed in {_q(src)} longer than a configurable time.")
                text_zh = (f"仿照 {sf['class']} 增加一个定时任务：对在{src}停留超过可配置时长的记录，"
                           f"自动执行 {tf['method']} 的逻辑。")
                out.append(DesignSpec(_req_id("scheduled_like", sched["rule_id"], t["rule_id"]), "scheduled_like", domain,
                                      text_en, text_zh, refs, {
                    "task_class": sf["class"], "new_task": f"Auto{name}Task", "method": tf["method"],
                    "owner": tf["entity"] or "record", "field": tf["field"], "column": _snake(tf["field"]),
                    "from_code": tf["from_codes"][0], "to_code": str(tf["to"]), "from_label": src, "to_label": dst,
                    "cron": sf.get("cron") or "0 0/10 * ? * ?", "batch_method": f"auto{name}",
                    "service_impl": tf["class"], "service": tf["class"].removesuffix("Impl"),
                }))
        return out

    def new_field(self, domain: str) -> list[DesignSpec]:
        out = []
        fields = NEW_FIELDS.get(domain, DEFAULT_FIELDS)
        ranked = sorted(self.data["entities"], key=lambda e: e["symbol_id"])
        used = {r["facts"].get("entity") for r in self.rules if r["domain"] == domain}
        ranked = [e for e in ranked if domain in (e.get("domains") or []) and e.get("tables")]
        ranked.sort(key=lambda e: (e["symbol_id"].rsplit(".", 1)[-1] not in used, e["symbol_id"]))
        for n, ent in enumerate(ranked[:6]):
            cls = self.classes.get(ent["symbol_id"])
            if not cls:
                continue
            name = cls["name"]
            fname, sqltype, zh = next(((f, t, z) for f, t, z in fields[n % len(fields):] + fields[: n % len(fields)]
                                       if f"{ent['symbol_id']}.{f}" not in self.field_ids), fields[0])
            table = ent["tables"][0]
            refs = [r for r in [self.class_ref(cls, f"the model of {table}", f"{table} 对应的模型")] if r]
            inserts = [s for s in self.data["sql_statements"] if table in (s.get("tables") or []) and s["kind"] == "insert"
                       and not self.classes.get(s["namespace"], {}).get("is_generated")]
            for s in inserts[:1]:
                refs.append(Ref(s["statement"], f"a hand-written insert into {table}", f"手写的 {table} 插入语句",
                                s["path"], s["start_line"], s["start_line"]))
            writers = [t for t in self.rules if t["kind"] == "transition" and t["facts"].get("entity") == name
                       and t["facts"].get("method") and str(t["facts"].get("to")) == "0"]
            for t in writers[:1]:
                refs.append(self.rule_ref(t, t["facts"]["method"], f"creates {name} records", f"创建 {name} 记录"))
            if not refs:
                continue
            controller = next((c["name"] for c in self.data["classes"] if c["layer"] == "controller"
                               and domain in (c.get("domains") or []) and name.replace(self.conv[domain].prefix, "",
                                   1) in c["name"]), None)
            text_en = (f"Carry a new field `{fname}` on {name} through every layer: stored in {table}, set on creation, "
                       "returned in details.")
            text_zh = f"为 {name} 增加字段 `{fname}`（{zh}），贯穿各层：存入 {table}，创建时写入，详情中返回。"
            out.append(DesignSpec(_req_id("new_field", ent["symbol_id"], fname), "new_field", domain, text_en, text_zh, refs, {
                "entity": name, "table": table, "field": fname, "sql_type": sqltype, "label_zh": zh,
                "daos": sorted({s["namespace"].rsplit(".", 1)[-1] + ".xml" for s in inserts}),
                "writers": [t["facts"]["method"] for t in writers[:2]], "controller": controller,
                "param": None,
            }))
        return out

    def idempotent(self, domain: str) -> list[DesignSpec]:
        out = []
        for t in self._rules(domain, "transition"):
            tf = t["facts"]
            if not tf.get("method") or not tf.get("from_codes"):
                continue
            guard = next((r.get("message") for r in tf.get("requires") or [] if r.get("message")), None)
            refs = [self.rule_ref(t, tf["method"], f"changes {tf['field']} {'/'.join(tf['from_codes'])} -> {tf['to']}",
                                  f"把 {tf['field']} 从 {'/'.join(tf['from_codes'])} 改为 {tf['to']}")]
            text_en = (f"Make {tf['method']} idempotent: a retried or duplicated call must not apply the change twice "
                       "or fail the caller.")
            text_zh = f"让 {tf['method']} 具备幂等性：重试或重复调用既不能重复生效，也不应让调用方失败。"
            out.append(DesignSpec(_req_id("idempotent", t["rule_id"]), "idempotent", domain, text_en, text_zh, refs, {
                "method": tf["method"], "owner": tf.get("entity") or "", "column": _snake(tf["field"]),
                "from_code": tf["from_codes"][0], "to_code": str(tf["to"]), "guard": guard,
                "to_name": tf["field"][0].upper() + tf["field"][1:],
                "guarded_from": bool(tf.get("from_codes")),
            }))
        return out

    def audit_trail(self, domain: str) -> list[DesignSpec]:
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for t in self._rules(domain, "transition"):
            if t["facts"].get("method") and t["facts"].get("entity"):
                groups[(t["facts"]["entity"], t["facts"]["field"])].append(t)
        history = next((c for c in self.data["classes"] if domain in (c.get("domains") or []) and c.get("name")
                        and re.search(r"(History|Log)$", c["name"]) and c["layer"] in ("model", "other")), None)
        out = []
        for (owner, fld), ts in sorted(groups.items()):
            methods = sorted({t["facts"]["method"] for t in ts})
            if len(methods) < 2:
                continue
            one_per_method = list({t["facts"]["method"]: t for t in reversed(ts)}.values())[::-1]
            refs = [self.rule_ref(t, t["facts"]["method"], f"changes {owner}.{fld}", f"修改 {owner}.{fld}")
                    for t in one_per_method[:3]]
            if history and (ref := self.class_ref(history, "an existing history/log model to reuse", "可复用的历史/日志模型")):
                refs.append(ref)
            text_en = f"Keep an audit trail of every {owner}.{fld} change: who made it, when, from which value to which."
            text_zh = f"记录 {owner}.{fld} 每次变更的审计轨迹：谁、何时、从什么值改为什么值。"
            out.append(DesignSpec(_req_id("audit_trail", owner, fld), "audit_trail", domain, text_en, text_zh, refs, {
                "owner": owner, "field": fld, "methods": methods[:4], "history": history["name"] if history else None,
            }))
        return out

    def new_endpoint(self, domain: str) -> list[DesignSpec]:
        out = []
        conv = self.conv[domain]
        controllers = [c for c in self.data["classes"] if c["layer"] == "controller" and domain in (c.get("domains") or [])]
        for d in self._dicts(domain):
            base = d["owner"][len(conv.prefix):] if conv.prefix and d["owner"].startswith(conv.prefix) else d["owner"]
            ctrl = next((c for c in controllers if c["name"] in (f"{d['owner']}Controller",
                f"{conv.prefix}{base}Controller")), None)
            ctrl = ctrl or next((c for c in controllers if base in c["name"]), None)
            if ctrl is None or len(d["entries"]) < 2:
                continue
            refs = [Ref(f"{d['owner']}.{d['field']}", "the codes to count by", "按这些编码统计", d["path"], d["start_line"],
                d["end_line"])]
            if ref := self.class_ref(ctrl, "the controller whose conventions the endpoint follows", "新接口遵循其约定的控制器"):
                refs.append(ref)
            mapped = [m for m in self.methods_by_class.get(ctrl["symbol_id"], [])
                      if any(a.get("name", "").endswith("Mapping") for a in (m.get("annotations") or []))]
            if mapped:
                m = mapped[0]
                refs.append(Ref(f"{ctrl['name']}.{m['name']}", "an existing endpoint to mirror", "可参照的现有接口",
                                m["path"], m["start_line"], min(m["start_line"] + 2, m["end_line"])))
            route = route_for(base, d["field"])
            text_en = (f"Add a back-office endpoint to {ctrl['name']} that returns how many {d['owner']} records are in "
                       f"each {d['field']}.")
            text_zh = f"在 {ctrl['name']} 中增加后台接口，按 {d['field']} 统计 {d['owner']} 的数量。"
            out.append(DesignSpec(_req_id("new_endpoint", d["dict_id"], ctrl["symbol_id"]), "new_endpoint", domain, text_en,
                                  text_zh, refs, {
                "controller": ctrl["name"], "owner": d["owner"], "field": d["field"], "column": _snake(d["field"]),
                "entries": d["entries"], "route": route,
            }))
        return out

    def movement_ledger(self, domain: str) -> list[DesignSpec]:
        """Guarded arithmetic updates (stock lock/reduce/release) get a movement ledger with an idempotency key."""
        out = []
        for r in self._rules(domain, "sql_invariant"):
            f = r["facts"]
            if f.get("operation") != "update" or not f.get("changes"):
                continue
            cols = ", ".join(c["column"] for c in f["changes"])
            refs = [self.rule_ref(r, f["statement"], f"changes {cols} of {f['table']} in one guarded UPDATE",
                                  f"在一条带条件的 UPDATE 中修改 {f['table']} 的 {cols}")]
            caller_methods = self._callers_of(f.get("method_id"))
            callers = [g for g in self.rules if g["kind"] == "guard"
                       and g["facts"].get("method") in caller_methods
                       and re.search(r"\bcount\b", g["facts"].get("condition", ""))][:1]
            refs += [self.rule_ref(g, g["facts"]["method"], "fails the operation when the guarded update matched no row",
                                   "条件更新未命中任何行时让操作失败") for g in callers]
            text_en = (f"Record every movement that `{f['statement']}` makes to {cols} in a ledger (order, SKU, quantity, "
                       "before/after), so stock can be audited and a retried call cannot apply the same movement twice.")
            text_zh = (f"把 `{f['statement']}` 对 {cols} 的每次变动记入流水表（订单、SKU、数量、变动前后），"
                       "便于审计库存，并保证重试调用不会重复变动。")
            out.append(DesignSpec(_req_id("movement_ledger", r["rule_id"]), "movement_ledger", domain, text_en, text_zh, refs, {
                "statement": f["statement"], "namespace": f["namespace"], "table": f["table"], "changes": f["changes"],
                "conditions": f.get("conditions") or [],
                "service_impl": sorted(caller_methods)[0].split(".")[0] if caller_methods else None,
            }))
        return out

    def _callers_of(self, method_id: str | None) -> set[str]:
        """'Class.method' labels of the methods that call a DAO method (whose guards check its row count)."""
        if not method_id:
            return set()
        out = set()
        for c in self.data["calls"]:
            if c["callee_id"] == method_id:
                cls, _, member = c["caller_id"].partition("#")
                out.add(f"{cls.rsplit('.', 1)[-1]}.{member.split('(')[0]}")
        return out

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

