"""Low-stock alerts: the schema stores a warning threshold next to a quantity that SQL subtracts from, and no code ever
compares the two ("alert when a sale takes `stock` to or below `low_stock`").

The design is asked only where the facts give the whole answer, so that "every deduction runs the check" is true:

- every statement that subtracts from the quantity is a hand-written UPDATE; each one something calls is a single-row
  statement keyed by an equality in its WHERE (a batch `CASE` over a list would need a per-row check the template
  cannot place exactly), and each live caller is listed with its row-count check;
- no hand-written Java subtracts from the quantity itself (`setStock(getStock() - n)` followed by a save would be a
  deduction the SQL scan misses);
- nothing compares the threshold yet: no hand-written SQL tests the column and no hand-written Java names the field
  beyond setting it (a repository that already compares it has its own alert, which this would duplicate).

The check is one SELECT in the transaction of the deduction: the UPDATE holds the row lock until the commit, and a
transaction reads its own change, so exactly one deduction sees the quantity cross the threshold. The alert itself
waits for the commit, since a later failure rolls the deduction back.
"""

from __future__ import annotations

import re

from core.domain.schema import Table, camel
from core.generate.design import Conventions, DesignSpec, Ref, _changes, _t, chain_changes, loop_text
from core.generate.design_facts import cap, is_delete_flag
from core.generate.flow_facts import statement_label
from core.generate.lifecycle_facts import class_mapping_line
from core.models import DesignProposal

# `low_stock`, `warn_stock`, `stock_warn`, `min_qty`: (prefix word, quantity) or (quantity, suffix word)
THRESHOLD = re.compile(r"^(?:(?:low|min|minimum|warn|warning|alert|safe|safety)_(\w+)|(\w+?)_(?:warn|warning|alert|threshold"
                       r"|min|floor))$")
_KEY = re.compile(r"`?(\w+)`?\s*=\s*(#\{[\w.]+\})")
_CMP = r"(?:<|>|&lt;|&gt;|!=|<>)"
_HELD = re.compile(r"lock|reserv|frozen|freeze|hold|occup", re.I)   # a column of units promised but not yet gone
MAX_OTHER = 3          # statements moving such a column, cited in the risks


def _where(st: dict) -> tuple[str, str]:
    parts = re.split(r"\bwhere\b", st.get("sql") or "", maxsplit=1, flags=re.I)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _label(st: dict) -> str:
    """`PortalOrderDao.reduceSkuStock`: how designs name a mapper statement."""
    return statement_label(st["stmt_id"])


class LowStock:
    """The facts of one deriver (core/generate/requirements.py) read for low-stock alerts."""

    def __init__(self, req):
        self.r = req
        self.java = [f["path"] for f in req.data["files"] if f.get("language") == "java" and not f.get("is_generated")]

    def specs(self, domain: str) -> list[DesignSpec]:
        out = []
        entities = {table: self.r.classes.get(sid) for sid, table in self.r.tables.items()}
        for name, table in sorted(self.r.schema.items()):
            ent = entities.get(name)
            if not ent:
                continue
            for col in table.columns:
                m = THRESHOLD.match(col)
                qty = m and (m.group(1) or m.group(2))
                if qty and qty in table.columns and (spec := self._spec(domain, ent, table, qty, col)):
                    out.append(spec)
                    if listing := self._list_spec(domain, ent, table, qty, col):
                        out.append(listing)
        return out

    # ------------------------------------------------------------ facts --
    def _statements(self, table: str) -> list[dict]:
        return [st for st in self.r.data["sql_statements"] if st["path"] not in self.r.code.generated_paths
                and [t.lower() for t in st.get("tables") or []] == [table]]

    def _compared(self, table: str, col: str, ent: dict) -> bool:
        """Some hand-written SQL tests the threshold column, or hand-written Java names the field beyond its setter."""
        for st in self._statements(table):
            head, where = _where(st)
            if re.search(rf"\b{col}\b", where) or re.search(rf"\b{col}\b`?\s*{_CMP}|{_CMP}=?\s*[\w.`]*\b{col}\b", head):
                return True
        field = camel(col)
        copied = re.compile(rf"\bset{cap(field)}\s*\([^;]*\)")        # a setter, also one fed by the getter (a DTO copy)
        use = re.compile(rf"\.get{cap(field)}\s*\(|\b{field}\b\s*{_CMP}|{_CMP}=?\s*[\w.]*\b{field}\b"
                         rf"|\b(?!set|get)\w*{cap(field)}\w*\s*\(")   # a read, a comparison, a criteria or derived query
        return any(use.search(copied.sub("", line)) for line in self._code(exclude=ent["path"]))

    def _java_deduction(self, qty: str) -> bool:
        field = camel(qty)
        sub = re.compile(rf"\bset{cap(field)}\s*\([^;]*\bget{cap(field)}\s*\(\s*\)\s*-|\b{field}\s*-=|\b{field}\s*=\s*"
                         rf"(?:this\.)?{field}\s*-")
        return any(sub.search(line) for line in self._code())

    def _code(self, exclude: str = "") -> list[str]:
        """Hand-written Java lines without their comments (a Javadoc saying `stock - lockStock` is no deduction)."""
        out = []
        for path in self.java:
            if path != exclude:
                out += [re.sub(r"//.*$", "", line) for line in self.r.files.get(path).lines
                        if not line.lstrip().startswith(("*", "/*"))]
        return out

    def _callers(self, st: dict) -> list[dict]:
        return [c for c in self.r._statement_callers(st)
                if not self.r.code.inactive((self.r.code.methods.get(c["caller_id"]) or {}).get("parent_id"))]

    def _batch(self, st: dict) -> bool:
        return any("<foreach" in line for line in self.r.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]])

    def _key(self, st: dict, qty: str) -> tuple[str, str, str] | None:
        """(key column, its parameter, the quantity's parameter) of a single-row deduction."""
        head, where = _where(st)
        key = next((k for k in _KEY.finditer(where) if k.group(1) != qty), None)
        amount = re.search(rf"\b{qty}\s*-\s*(#\{{[\w.]+\}})", head)
        return (key.group(1), key.group(2), amount.group(1)) if key and amount else None

    def _spec(self, domain: str, ent: dict, table: Table, qty: str, col: str) -> DesignSpec | None:
        decs = [st for st in self._statements(table.name) if st["kind"] == "update" and st.get("method_id")
                and qty in self.r._decrements(st)]
        if not decs or domain not in self.r._written_domains(decs[0]) or self._compared(table.name, col, ent) \
                or self._java_deduction(qty):
            return None
        live = [(st, cs) for st in decs if (cs := self._callers(st))]
        if not live or any(self._batch(st) or not self._key(st, qty) for st, _ in live):
            return None
        if len({self._key(st, qty)[0] for st, _ in live}) > 1:
            return None
        refs = self._column_refs(table, qty, col)
        deductions = []
        for st, calls in live:
            key_col, key_param, amount = self._key(st, qty)
            refs.append(Ref(_label(st), f"subtracts {amount} from {qty}", f"从 {qty} 中减去 {amount}", st["path"],
                            st["start_line"], st["end_line"]))
            sig = self.r.code.methods[st["method_id"]]
            params = re.search(r"\((.*)\)", sig.get("signature") or "")
            deductions.append({"statement": _label(st), "dao": _label(st).split(".")[0], "xml": st["path"],
                               "params": params.group(1) if params else "", "key_param": key_param, "amount": amount,
                               "callers": [self._caller(c, refs) for c in calls]})
        uncalled = [st for st in decs if st not in [s for s, _ in live]]
        for st in uncalled:
            refs.append(Ref(_label(st), f"subtracts from {qty} too; no hand-written code calls it",
                            f"也从 {qty} 中扣减；没有手写代码调用它", st["path"], st["start_line"], st["end_line"]))
        adds = [(st, m.group(1)) for st in self._statements(table.name) if st["kind"] == "update" and st not in decs
                and self._callers(st) and (m := re.search(rf"`?\b{qty}`?\s*=\s*`?{qty}`?\s*\+\s*(#\{{[\w.]+\}})", _where(st)[0]))]
        for st, amount in adds:
            refs.append(Ref(_label(st), f"adds {amount} to {qty}", f"给 {qty} 加上 {amount}", st["path"], st["start_line"],
                            st["end_line"]))
        others = self._others(table.name, qty, decs)
        for st, cols in others:
            refs.append(Ref(_label(st), f"changes {', '.join(cols)} of the same rows",
                            f"修改同一行的 {'、'.join(cols)}", st["path"], st["start_line"], st["end_line"]))
        field = camel(col)
        label = table.columns[col].comment
        text_en = (f"Alert when a deduction takes {table.name}.{qty} to or below its warning value {col}"
                   + (f" ({label})" if label else "") + f": the column is stored, but no code compares {qty} with it.")
        text_zh = (f"当扣减使 {table.name}.{qty} 降到预警值 {col}" + (f"（{label}）" if label else "")
                   + f" 及以下时发出提醒：该列已存储，但没有代码拿 {qty} 与它比较。")
        first_call = deductions[0]["callers"][0]
        return DesignSpec(f"req:low_stock_alert:{table.name}.{col}", "low_stock_alert", domain, text_en, text_zh, refs, {
            "table": table.name, "entity": ent["name"], "entity_id": ent["symbol_id"], "quantity": qty, "threshold": col,
            "threshold_field": field, "key_column": self._key(live[0][0], qty)[0], "deductions": deductions,
            "uncalled": [_label(st) for st in uncalled], "adds": [{"statement": _label(st), "amount": a} for st, a in adds],
            "others": [{"statement": _label(st), "columns": cols} for st, cols in others],
            "notifier": f"{self.r.conv[domain].prefix if domain in self.r.conv else ''}{cap(field)}Notifier",
            "notifier_package": self._package(first_call),
        })

    def _column_refs(self, table: Table, qty: str, col: str) -> list[Ref]:
        a, b = table.columns[qty], table.columns[col]
        what = f"declares {qty} and {col}" + (f" ({b.comment})" if b.comment else "")
        if a.path == b.path and abs(a.line - b.line) <= 6:
            return [Ref(table.name, what, f"声明 {qty} 与 {col}", a.path, min(a.line, b.line), max(a.line, b.line))]
        return [Ref(table.name, f"declares {c.name}" + (f" ({c.comment})" if c.comment else ""), f"声明 {c.name}",
                    c.path, c.line, c.line) for c in (a, b)]

    def _caller(self, call: dict, refs: list[Ref]) -> dict:
        """One call of a deduction: where it runs, what it checks, and what makes its method transactional."""
        r = self.r
        m = r.code.methods[call["caller_id"]]
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        cond = r._conditioned(call)
        check = r.code.row_check(call)
        text = r.code.text(call["path"], call["line"])
        name = call["callee_name"].rsplit(".", 1)[-1]
        at = text.find(name + "(")
        from core.generate.requirements import _call_args  # requirements.py imports this module
        args = _call_args(text, at + len(name) + 1) if at >= 0 else []
        end = check["line"] + 1 if check else call["line"]
        refs.append(Ref(label, f"calls `{call['callee_name']}`" + (f" {cond['cond']}" if cond["cond"] else "")
                        + (f" and checks its row count: `{check['test']}`" if check else ", ignoring its row count"),
                        f"调用 `{call['callee_name']}`" + ("并检查影响行数" if check else "，不检查影响行数"),
                        call["path"], cond["cond_line"] or max(m["start_line"], call["line"] - 1), end))
        tx = r.tx_ref(m)
        if tx and all((x.path, x.start_line) != (tx.path, tx.start_line) for x in refs):
            refs.append(tx)
        return {"method": label, "layer": r.code.layer_of(m["parent_id"]), "call": call["callee_name"],
                "line": call["line"], "args": args, "loop": (loop := next((c for k, c in reversed(cond["conds"])
                                                                          if k == "loop"), None)),
                "loop_line": loop_line(r, call, loop), "check": check, "transactional": tx is not None,
                "class": m["parent_id"].rsplit(".", 1)[-1], "class_id": m["parent_id"],
                "injection": self._injection(call["path"])}

    def _injection(self, path: str) -> str:
        text = "\n".join(self.r.files.get(path).lines)
        return "autowired" if "@Autowired" in text or "@Resource" in text else \
            "constructor" if "@RequiredArgsConstructor" in text or "@AllArgsConstructor" in text else "field"

    def _package(self, caller: dict) -> str:
        """The package of the components in the caller's module, else the caller's own package."""
        caller_cls = self.r.classes.get(caller["class_id"]) or {}
        module = caller_cls.get("module")
        peers = [c for c in self.r.data["classes"] if c.get("layer") == "component" and c.get("module") == module
                 and not c.get("is_generated")]
        own = caller_cls.get("symbol_id", "").rsplit(".", 1)[0]
        return peers[0]["symbol_id"].rsplit(".", 1)[0] if peers else own

    def _others(self, table: str, qty: str, decs: list[dict]) -> list[tuple[dict, list[str]]]:
        """Called statements that add to or subtract from a column of held units (a lock, a reservation): what is
        free to sell is the quantity less that column, which a curator may mean instead."""
        out = []
        for st in self._statements(table):
            if st["kind"] != "update" or st in decs or not self._callers(st):
                continue
            head, _ = _where(st)
            cols = sorted({m.group(1) for m in re.finditer(r"`?(\w+)`?\s*=\s*(?:CASE\b[^;]*?THEN\s+)?`?(\w+)`?\s*[-+]\s*#\{",
                                                          head, re.I | re.S)
                           if m.group(1) == m.group(2) and m.group(1) != qty and _HELD.search(m.group(1))})
            if cols:
                out.append((st, cols))
        return out[:MAX_OTHER]


    # --------------------------------------------------------- listing --
    def _list_spec(self, domain: str, ent: dict, table: Table, qty: str, col: str) -> DesignSpec | None:
        """The pull side of the same fact: an endpoint on the controller that already lists the entity, returning the
        rows at or below the threshold, through the same classes down to the hand-written DAO of that module (the
        generated Example criteria cannot compare two columns). None where the module has no such DAO, the listing
        endpoint's path has variables, or the new path is taken."""
        r = self.r
        served = r._criteria_serving(ent)
        if served:
            m, path, select = served
            chain_methods = [m, *path[:-1]]
            read_ref = r.method_ref(m, f"lists {ent['name']} rows with `{select['callee_name']}`",
                                    f"用 `{select['callee_name']}` 查询 {ent['name']}", upto=select["line"])
        elif hand := r._serving(ent, table.name):
            stmt, path = hand
            chain_methods = path[:-1]
            read_ref = Ref(_label(stmt), f"is a hand-written query on {table.name}", f"对 {table.name} 的手写查询",
                           stmt["path"], stmt["start_line"], min(stmt["end_line"], stmt["start_line"] + 25))
        else:
            return None
        mapped = path[-1]
        ctrl = r.classes.get(mapped["parent_id"]) or {}
        dao = self._module_dao(table.name, ctrl.get("module"))
        route = self._route(ctrl, col)
        if dao is None or route is None or r.code.inactive(ctrl.get("symbol_id")):
            return None
        last = r.classes.get(chain_methods[-1]["parent_id"]) if chain_methods else None
        injected = bool(last) and re.search(rf"\b{re.escape(_label(dao).split('.')[0])}\b",
                                            "\n".join(r.files.get(last["path"]).lines)) is not None
        siblings = [x for x in r.code.methods.values() if x.get("parent_id") == ctrl.get("symbol_id")
                    for a in x.get("annotations") or [] if (a.get("name") or "").endswith("Mapping")
                    and re.search(r'"/?\{\w+\}/?"', a.get("args") or "")]
        refs = self._column_refs(table, qty, col)
        base = route.rsplit("/", 1)[0]
        if base and (line := class_mapping_line(r.files, r.data["classes"], mapped["path"], ctrl["symbol_id"])):
            refs.append(Ref(ctrl["name"], f"maps every endpoint of the class under `{base}`",
                            f"把类中所有接口映射到 `{base}` 之下", mapped["path"], line, line))
        refs.append(r.method_ref(mapped, f"is the existing {ent['name']} list endpoint the new one sits next to",
                                 f"新接口所在处的现有 {ent['name']} 列表接口"))
        refs += [r.method_ref(x, "passes the listing on", "向下传递查询") for x in reversed(path[:-1])]
        refs += [r.method_ref(x, "maps a path variable at the level of the new path", "在新路径的同一层映射了路径变量")
                 for x in siblings[:1] if x is not mapped]
        refs.append(read_ref)
        if not (read_ref.path == dao["path"] and read_ref.start_line == dao["start_line"]):
            refs.append(Ref(_label(dao), f"is a hand-written statement on {table.name} in {dao['path'].rsplit('/', 1)[-1]}, "
                                         "the file the new query joins", f"{dao['path'].rsplit('/', 1)[-1]} 中对 {table.name} "
                                         "的手写语句，新查询放在同一文件", dao["path"], dao["start_line"],
                            min(dao["end_line"], dao["start_line"] + 12)))
        chain = []
        for x in chain_methods:
            cls = r.classes.get(x["parent_id"]) or {}
            iface = r.code.cls(cls["name"].removesuffix("Impl")) if cls.get("name", "").endswith("Impl") else None
            chain.append({"class": cls.get("name"), "layer": cls.get("layer"),
                          "interface": iface["name"] if iface and iface["layer"] == "service" else None})
        body = r.files.get(mapped["path"]).lines[mapped["start_line"] - 1:mapped["end_line"]]
        rets = [x.group(1) for line in body if (x := re.search(r"return\s+([\w.]+)\(", line))]
        schema_delete = next((c for c in table.columns if is_delete_flag(camel(c))), None)
        label = table.columns[col].comment
        field = camel(col)
        text_en = (f"Add an endpoint to {ctrl['name']} that lists the {ent['name']} rows whose {qty} is at or below their "
                   f"warning value {col}" + (f" ({label})" if label else "") + f": no code compares {qty} with it today.")
        text_zh = (f"在 {ctrl['name']} 中增加接口，列出 {qty} 不高于预警值 {col}" + (f"（{label}）" if label else "")
                   + f" 的 {ent['name']} 记录：目前没有代码拿 {qty} 与它比较。")
        return DesignSpec(f"req:low_stock_list:{table.name}.{col}", "low_stock_list", domain, text_en, text_zh, refs, {
            "table": table.name, "entity": ent["name"], "entity_id": ent["symbol_id"], "quantity": qty, "threshold": col,
            "threshold_field": field, "controller": ctrl["name"], "route": route, "mapped": mapped["name"],
            "return_type": mapped.get("type") or "", "returns": next((x for x in rets if re.search(r"(success|ok)\w*$", x,
                                                                                              re.I)), None),
            "annotations": [a.get("name") for a in mapped.get("annotations") or [] if a.get("name")],
            "chain": chain, "dao": _label(dao).split(".")[0], "xml": dao["path"], "result_map": self._result_map(ent),
            "columns": list(table.columns), "delete_col": schema_delete,
            "paged": any("PageHelper.startPage" in line for line in self._code()), "inject": not injected,
            "criteria": bool(served),
            "variable_sibling": f"{siblings[0]['parent_id'].rsplit('.', 1)[-1]}.{siblings[0]['name']}" if siblings else None,
        })

    def _module_dao(self, table: str, module: str | None) -> dict | None:
        """A hand-written statement on the table whose DAO lives in the controller's module: its file gets the query."""
        found = [st for st in self._statements(table) if st.get("method_id")
                 and (self.r.classes.get(st["namespace"]) or {}).get("module") == module]
        return found[0] if found else None

    def _route(self, ctrl: dict, col: str) -> str | None:
        """`/class-path/lowStock` beside the listing endpoint; None when a sibling mapping already has that path."""
        class_route = next((re.search(r'"([^"]*)"', a.get("args") or "") for a in ctrl.get("annotations") or []
                            if a.get("name") == "RequestMapping"), None)
        base = class_route.group(1).strip("/") if class_route else ""
        last = camel(col)
        taken = {(re.search(r'"([^"]*)"', a.get("args") or "") or [None, ""])[1].strip("/")
                 for m in self.r.code.methods.values() if m.get("parent_id") == ctrl.get("symbol_id")
                 for a in m.get("annotations") or [] if (a.get("name") or "").endswith("Mapping")}
        if last in taken:
            return None
        return "/" + "/".join(p for p in (base, last) if p)

    def _result_map(self, ent: dict) -> str | None:
        """`namespace.id` of a resultMap of the entity type (the generated BaseResultMap, as the DAO XMLs reuse it)."""
        for st in self.r.data["sql_statements"]:
            text = "\n".join(self.r.files.get(st["path"]).lines[:60]) if st["path"].endswith(".xml") else ""
            m = re.search(rf'<resultMap\s+id="(\w+)"\s+type="{re.escape(ent["symbol_id"])}"', text)
            if m:
                return f"{st['namespace']}.{m.group(1)}"
        return None


def moved_words(c: dict, lang: str) -> str:
    """Where a caller goes on only if its UPDATE changed the row: past a row-count check that fails the call, else
    only when the count is not 0 (a check that only logs lets a refused move through)."""
    check = c["check"]
    if check and check["fails"]:
        return _t(lang, f"after its row-count check (line {check['line']})", f"在其影响行数检查（第 {check['line']} 行）之后")
    return _t(lang, f"when `{c['call']}` (line {c['line']}) changed a row (its count is not 0"
                    + (f"; the check at line {check['line']} does not stop the method" if check else "") + ")",
              f"在 `{c['call']}`（第 {c['line']} 行）确实改动了一行时（返回值不为 0"
              + (f"；第 {check['line']} 行的检查不会结束方法" if check else "") + "）")


def loop_line(r, call: dict, loop: str | None) -> int | None:
    """The line of the innermost loop around a call (its header text as the outline gives it)."""
    if not loop:
        return None
    head = " ".join(loop.split())[:30]
    return next((n for n in range(call["line"], 0, -1) if " ".join(r.code.text(call["path"], n).split()).startswith(head)),
                None)


def low_stock_specs(req, domain: str) -> list[DesignSpec]:
    if not hasattr(req, "_low_stock"):
        req._low_stock = LowStock(req)
    return req._low_stock.specs(domain)


# ----------------------------------------------------------------- design --
def low_stock_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    qty, thr, table, ent = f["quantity"], f["threshold"], f["table"], f["entity"]
    notifier, field = f["notifier"], f["threshold_field"]
    method = f"selectCrossed{cap(field)}"
    cols = [f["key_column"], qty, thr]
    select = ", ".join(c if camel(c) == c else f"{c} AS {camel(c)}" for c in dict.fromkeys(cols))
    changes = [("component", notifier, _t(
        lang, f"new bean in `{f['notifier_package']}` with `void {_lower(cap(field))}Reached(List<{ent}> rows)`: it logs "
              f"each row at WARN (id, {qty}, {thr}) and is the one place to plug the team's channel (mail, message queue)",
        f"新 bean，放在 `{f['notifier_package']}`，方法 `void {_lower(cap(field))}Reached(List<{ent}> rows)`：逐行以 WARN 记录"
        f"（id、{qty}、{thr}），团队的通知渠道（邮件、消息队列）只接在这里"), True)]
    lines, understanding_en, understanding_zh = [], [], []
    for d in f["deductions"]:
        changes.append(("dao", d["dao"], _t(lang, f"add `{ent} {method}({d['params']})`, with the parameters of "
                                                  f"`{d['statement']}`", f"新增 `{ent} {method}({d['params']})`，参数与 "
                                                  f"`{d['statement']}` 相同"), False))
        changes.append(("mapper_xml", d["xml"], f"`<select id=\"{method}\" resultType=\"{f['entity_id']}\">SELECT {select} "
                                                f"FROM {table} WHERE {f['key_column']} = {d['key_param']} AND {thr} IS NOT "
                                                f"NULL AND {qty} &lt;= {thr} AND {qty} + {d['amount']} &gt; {thr}</select>`",
                        False))
        for c in d["callers"]:
            check = c["check"]
            after = moved_words(c, lang)
            args = ", ".join(c["args"])
            dao_call = c["call"].rsplit(".", 1)[0] + f".{method}" if "." in c["call"] else method
            collect = _t(lang, f"; collect the rows it returns in a list declared before the loop (line {c['loop_line']})"
                         if c["loop"] else "", f"；把返回的行收集到循环（第 {c['loop_line']} 行）之前声明的列表中"
                         if c["loop"] else "")
            once = _t(lang, "after the loop, register once" if c["loop"] else "then register",
                      "循环结束后登记一次" if c["loop"] else "然后登记")
            send = _t(lang, (f"{once} a `TransactionSynchronization` whose `afterCommit` hands the list to "
                             f"`{notifier}` (`TransactionSynchronizationManager.registerSynchronization(..)`), so a "
                             "deduction that is rolled back sends nothing") if c["transactional"] else
                      f"then hand the list to `{notifier}`",
                      (f"{once} `TransactionSynchronization`，在 `afterCommit` 中把列表交给 `{notifier}`，"
                       "被回滚的扣减不会发出提醒") if c["transactional"] else f"然后把列表交给 `{notifier}`")
            changes.append((c["layer"], c["method"], _t(
                lang, f"{after}, call `{dao_call}({args})` with the arguments of the `{c['call']}` call at line {c['line']}"
                      f"{collect}; {send}",
                f"{after}，用第 {c['line']} 行 `{c['call']}` 的参数调用 `{dao_call}({args})`{collect}；{send}"), False))
            how = {"autowired": _t(lang, "as an `@Autowired` field, like its other beans",
                                   "像其他 bean 一样用 `@Autowired` 字段注入"),
                   "constructor": _t(lang, "as a final field its generated constructor takes, like its other beans",
                                     "像其他 bean 一样作为 final 字段，由生成的构造器注入"),
                   "field": _t(lang, "as a field", "作为字段")}[c["injection"]]
            changes.append((c["layer"], c["class"], _t(lang, f"inject `{notifier}` {how}", f"注入 `{notifier}`：{how}"), False))
            where = f" {loop_text(c['loop'])}" if c["loop"] else ""
            understanding_en.append(f"`{c['method']}` calls `{d['statement']}`{where}"
                                    + (f" and fails when it changes no row (`{check['test']}`)" if check and check["fails"]
                                       else " and checks its row count" if check else " without checking its row count"))
            understanding_zh.append(f"`{c['method']}` 调用 `{d['statement']}`"
                                    + ("并检查影响行数" if check else "，不检查影响行数"))
            lines.append(c)
    uncalled = f["uncalled"]
    understanding = _t(
        lang, f"{table}.{thr} is stored with each row, but no SQL tests it and no hand-written Java reads it. {qty} goes "
              f"down in {len(f['deductions'])} called statement{'s' if len(f['deductions']) != 1 else ''}: "
              + "; ".join(f"`{d['statement']}` subtracts {d['amount']}" for d in f["deductions"]) + ". "
              + ". ".join(understanding_en) + "."
              + (f" {', '.join(f'`{u}`' for u in uncalled)} subtract{'s' if len(uncalled) == 1 else ''} from {qty} too, "
                 "but nothing calls " + ("it" if len(uncalled) == 1 else "them") + "." if uncalled else "")
              + f" A SELECT right after each deduction, in its transaction, finds the row only when this deduction "
                f"took {qty} from above {thr} to at or below it: the UPDATE holds the row lock until the commit and a "
                "transaction reads its own change, so exactly one deduction sees the crossing.",
        f"{table}.{thr} 随每行存储，但没有 SQL 判断它，也没有手写 Java 读取它。"
        f"{qty} 在 {len(f['deductions'])} 条被调用的语句中减少："
        + "；".join(f"`{d['statement']}` 减去 {d['amount']}" for d in f["deductions"]) + "。" + "；".join(understanding_zh) + "。"
        + (f"{'、'.join(f'`{u}`' for u in uncalled)} 也扣减 {qty}，但没有代码调用。" if uncalled else "")
        + f"在每次扣减之后、同一事务中执行一次 SELECT，只有当本次扣减使 {qty} 从高于 {thr} 降到不高于 {thr} 时才查到该行："
          "UPDATE 持有行锁直到提交，事务能读到自己的修改，因此只有一次扣减会看到越过预警值。")
    risks = [_t(lang, f"rows already at or below {thr} when this ships send nothing until a refill takes them above it "
                      f"and a deduction crosses it again: list them once (`{qty} <= {thr}`) and handle them by hand",
                f"上线时已低于或等于 {thr} 的行，在补货使其高于预警值并再次被扣减越过之前不会提醒：上线时查一次"
                f"（`{qty} <= {thr}`）并人工处理"),
             _t(lang, f"a row whose {thr} is NULL is never alerted", f"{thr} 为 NULL 的行不会提醒"),
             _t(lang, "the alert runs after the commit, outside the transaction: a failing notifier does not undo the "
                      "deduction, and an alert lost to a crash right after the commit is not retried (write the rows to "
                      "a table in the transaction if every alert must arrive)",
                "提醒在提交后、事务之外执行：通知失败不会撤销扣减；提交后立即宕机丢失的提醒不会重试（若每条提醒都必须送达，"
                "应在事务内把行写入表中）")]
    risks += [_t(lang, f"`{c['method']}` is not transactional: another deduction can commit between the UPDATE and the "
                       "SELECT, so an alert can be missed or repeated; make it transactional first",
                 f"`{c['method']}` 不在事务中：UPDATE 与 SELECT 之间可能有另一次扣减提交，提醒可能遗漏或重复；"
                 "应先让它在事务中执行")
              for c in lines if not c["transactional"]]
    if f["others"]:
        held = sorted({c for o in f["others"] for c in o["columns"]})
        names = ", ".join(f"`{o['statement']}`" for o in f["others"])
        names_zh = "、".join(f"`{o['statement']}`" for o in f["others"])
        diff = f"{qty} - {held[0]}" if len(held) == 1 else f"{qty} minus " + " and ".join(held)
        risks.append(_t(lang, f"{names} also move{'s' if len(f['others']) == 1 else ''} {', '.join(held)} of these rows; this "
                              f"design compares {qty}, the column {thr} is named after: if the warning is meant for what "
                              f"is still free to sell, compare `{diff}` instead and check after those statements too",
                        f"{names_zh} "
                        f"也会修改这些行的 {'、'.join(held)}；本设计比较的是 {thr} 所对应的 {qty}："
                        "若预警针对可售数量，应改为比较 "
                        f"`{diff}`，并在这些语句之后也检查"))
    for a in f["adds"]:
        risks.append(_t(lang, f"`{a['statement']}` adds {a['amount']} to {qty}: if that value can be negative it lowers "
                              f"{qty} too and needs the same check (with `{qty} - {a['amount']} > {thr}`)",
                        f"`{a['statement']}` 给 {qty} 加上 {a['amount']}：若该值可能为负，它也会降低 {qty}，需要同样的检查"
                        f"（条件改为 `{qty} - {a['amount']} > {thr}`）"))
    risks.append(_t(lang, f"writes that set {qty} to a new value (an edit, an import) are not deductions and do not run "
                          "the check", f"把 {qty} 直接设为新值的写入（编辑、导入）不是扣减，不执行该检查"))
    risks.append(_t(lang, f"a statement added later that subtracts from {qty} must run the same check",
                    f"以后新增的扣减 {qty} 的语句也必须执行同样的检查"))
    tests = [_t(lang, f"{qty} 10 and {thr} 5: a deduction of 4 sends nothing, the next deduction of 1 (to 5) sends one "
                      "alert, a further deduction sends none",
                f"{qty} 为 10、{thr} 为 5：扣减 4 不提醒，再扣减 1（到 5）提醒一次，"
                      "之后再扣减不提醒"),
             _t(lang, f"{thr} NULL: no alert", f"{thr} 为 NULL：不提醒"),
             _t(lang, "two deductions at the same time that together cross the value: exactly one alert",
                "两次同时发生、合起来越过预警值的扣减：只提醒一次")]
    tests += [_t(lang, f"`{c['method']}` fails after the deduction (for example on a later row): the deduction is rolled "
                       "back and no alert is sent", f"`{c['method']}` 在扣减之后失败（例如后面的一行）：扣减回滚，不发提醒")
              for c in lines if c["transactional"] and c["check"] and c["check"]["fails"] and c["loop"]]
    return DesignProposal(
        understanding=understanding, changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"none: the check reads {table} by its key", f"无：按主键读取 {table}")],
        flow=[_t(lang, "the deduction runs as today", "扣减照常执行"),
              _t(lang, f"in the same transaction, `{method}` returns the row only if this deduction took {qty} from above "
                       f"{thr} to at or below it",
                 f"同一事务中，`{method}` 仅在本次扣减使 {qty} 从高于 {thr} 降到不高于 {thr} 时返回该行"),
              _t(lang, f"after the commit, `{notifier}` gets the rows that crossed", f"提交后，`{notifier}` 收到越过预警值的行")],
        risks=risks, test_plan=tests)


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def low_stock_list_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    qty, thr, ent, field = f["quantity"], f["threshold"], f["entity"], f["threshold_field"]
    method = f"list{cap(field)}"
    wrapper = f["return_type"].split("<")[0] if "<" in f["return_type"] else ""
    ret = f"`{wrapper}<List<{ent}>>`" if wrapper else f"`List<{ent}>`"
    extra = [a for a in f["annotations"] if not a.endswith("Mapping")]
    like = _t(lang, f", annotated like `{f['mapped']}` ({', '.join('@' + a for a in extra)})" if extra else "",
              f"，注解与 `{f['mapped']}` 一致（{'、'.join('@' + a for a in extra)}）" if extra else "")
    wrap = _t(lang, f", wrapping the list with `{f['returns']}(..)` as `{f['mapped']}` does" if f["returns"] else "",
              f"，像 `{f['mapped']}` 一样用 `{f['returns']}(..)` 包装" if f["returns"] else "")
    changes = [("controller", f["controller"], _t(lang, f"`GET {f['route']}` returning {ret}{like}{wrap}",
                                                  f"`GET {f['route']}`，返回 {ret}{like}{wrap}"), False)]
    chain = f["chain"]
    changes += chain_changes(chain, method, f"List<{ent}>", f["dao"], lang)
    if f["inject"] and chain:
        changes.append((chain[-1]["layer"], chain[-1]["class"], _t(lang, f"inject `{f['dao']}` the way it injects its other "
                                                                         "beans", f"像注入其他 bean 一样注入 `{f['dao']}`"),
                        False))
    result = f'resultMap="{f["result_map"]}"' if f["result_map"] else f'resultType="{f["entity_id"]}"'
    cols = "*" if f["result_map"] else ", ".join(c if camel(c) == c else f"{c} AS {camel(c)}" for c in f["columns"])
    deleted = f" AND {f['delete_col']} = 0" if f["delete_col"] else ""
    changes += [("dao", f["dao"], _t(lang, f"add `List<{ent}> {method}()`", f"新增 `List<{ent}> {method}()`"), False),
                ("mapper_xml", f["xml"], f"`<select id=\"{method}\" {result}>SELECT {cols} FROM {f['table']} WHERE {thr} IS "
                                         f"NOT NULL AND {qty} &lt;= {thr}{deleted} ORDER BY {qty} - {thr}</select>`", False)]
    through = " → ".join(f"`{c['class']}`" for c in chain)
    risks = [_t(lang, "the query compares two columns of every row, so no index helps: it reads the whole table on each "
                      "call; cache it or keep the page that calls it off a timer if the table is large",
                "该查询比较同一行的两列，索引无法使用，每次调用都扫描全表；表很大时应缓存，或不要让页面定时轮询"),
             _t(lang, f"rows whose {thr} is NULL never appear", f"{thr} 为 NULL 的行不会出现")]
    if f["variable_sibling"]:
        sub = f["route"].rsplit("/", 1)[-1]
        risks.append(_t(lang, f"`{f['variable_sibling']}` maps a path variable at the same level, which `{sub}` also fits; "
                              "Spring MVC prefers the literal path, so the new endpoint wins and that one no longer sees "
                              f"`{sub}` as its variable", f"`{f['variable_sibling']}` 在同一层映射了路径变量，`{sub}` 也能匹配；"
                              "Spring MVC 优先匹配字面路径，因此新接口生效，原接口不再把它当作变量"))
    if f["paged"]:
        risks.append(_t(lang, "the list is not paged; if it can grow long, page it with `PageHelper.startPage` as the "
                              "repository's other list endpoints do",
                        "列表未分页；若可能很长，应像仓库中其他列表接口一样用 `PageHelper.startPage` 分页"))
    return DesignProposal(
        understanding=_t(
            lang, f"{f['table']}.{thr} is stored with each row, but no SQL tests it and no hand-written Java reads it. "
                  f"`{f['controller']}.{f['mapped']}` already lists {ent} through {through or 'its DAO'}; a second "
                  f"endpoint beside it follows the same path down to `{f['dao']}`, whose hand-written XML "
                  f"(`{f['xml']}`) gets the query" + (f": the generated criteria cannot compare {qty} with {thr}, two "
                                                      "columns of the same row." if f["criteria"] else "."),
            f"{f['table']}.{thr} 随每行存储，但没有 SQL 判断它，也没有手写 Java 读取它。`{f['controller']}.{f['mapped']}` "
            f"已经经由 {through or 'DAO'} 列出 {ent}；在它旁边新增接口，沿同一路径调用 `{f['dao']}`，查询写在其手写 XML"
            f"（`{f['xml']}`）中" + (f"：生成的查询条件无法比较同一行的 {qty} 与 {thr} 两列。" if f["criteria"] else "。")),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, f"`GET {f['route']}` → " + " → ".join(f"`{c['class']}.{method}`" for c in chain),
                 f"`GET {f['route']}` → " + " → ".join(f"`{c['class']}.{method}`" for c in chain)),
              _t(lang, f"`{f['dao']}.{method}` returns the rows with {qty} <= {thr}, the furthest below first",
                 f"`{f['dao']}.{method}` 返回 {qty} <= {thr} 的行，低得最多的在前")],
        risks=risks,
        test_plan=[_t(lang, f"rows with {qty} above, equal to and below {thr}: the equal and the lower ones are listed, "
                            "lowest margin first", f"{qty} 高于、等于、低于 {thr} 的行：只列出等于和低于的，差值最小的在前"),
                   _t(lang, f"a row whose {thr} is NULL is not listed", f"{thr} 为 NULL 的行不列出")]
        + ([_t(lang, f"rows with {f['delete_col']} = 1 are not listed", f"{f['delete_col']} = 1 的行不列出")]
           if f["delete_col"] else []))
