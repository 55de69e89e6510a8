"""Status lifecycle QA: which code sets a status field to which of its documented values.

A transition rule says what one method sets; a developer new to the code base
asks the other way round: "who moves an order to 201, and which statuses does
nothing ever set?". That question is only worth asking when the answer lists
every writer of the field, so it is asked only when the repository shows no
writer the transition rules miss:

- every `.setField(` call in the Java code is either on another class or is a
  transition rule with a known value (a setter passing a variable, a call
  whose receiver the index could not type, or one in an inactive component:
  not asked);
- every mapper statement that writes the column is a transition rule itself,
  or a whole-record write (three or more columns from `#{...}`) whose value the
  Java setters decide (`set status = #{status}` on its own: not asked);
- no controller takes the entity as a parameter (a request body written as
  it came would let the client choose the status), and no `copyProperties`
  copies the field into it from an object that has it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from core.domain.schema import snake
from core.generate.flow_facts import member_label, statement_label
from core.generate.qa_templates import Cite, control_text, file_name, pick, unique_claims
from core.generate.spans import MAX_LINES
from core.generate.work import WorkItem
from core.models import Span, sha256_text
from core.rules.statements import state_name

MAX_EVIDENCE = 20     # a field set in a dozen places needs a line for each; the validator only warns
MAX_SETTERS = 12
MAX_CALLERS = 60        # methods on the way back from a setter to its entry points
MIN_WHOLE_RECORD = 3      # SET assignments from #{...} that make a statement a whole-record write
_COPY = re.compile(r"copyProperties\(\s*(\w+)\s*,\s*(\w+)")
_SET_PART = re.compile(r"\bset\b(.*?)(?:\bwhere\b|$)", re.I | re.S)
_CLASS_MAPPING = re.compile(r"@(?:Request|Get|Post|Put|Delete|Patch)?Mapping\b")
_INSERT = re.compile(r"^(insert|add|create|save)", re.I)   # the persisting call of a new record
_ASSIGN = re.compile(r"`?(\w+)`?\s*=\s*([^,\n]+)")


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


class Lifecycles:
    """Groups a repository's transition rules by status field and decides which fields are fully known."""

    def __init__(self, planner, rules: list[dict]):
        self.p, self.data = planner, planner.data
        self.transitions: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for r in rules:
            if r["kind"] == "transition" and r["facts"].get("labels") and r["facts"].get("entity"):
                self.transitions[(r["facts"]["entity"], r["facts"]["field"])].append(r)
        self.classes_by_name: dict[str, list[dict]] = defaultdict(list)
        for c in self.data["classes"]:
            if c.get("name"):
                self.classes_by_name[c["name"]].append(c)
        self.calls_at: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for c in self.data["calls"]:
            self.calls_at[(c["path"], c["line"])].append(c)
        self.calls_by_name: dict[str, list[dict]] = defaultdict(list)
        for c in self.data["calls"]:
            self.calls_by_name[c["callee_name"].rsplit(".", 1)[-1]].append(c)
        self.fields_of: dict[str, set[str]] = defaultdict(set)
        for s in self.data["symbols"]:
            if s["kind"] == "field" and s.get("parent_id"):
                self.fields_of[s["parent_id"].rsplit(".", 1)[-1]].add(s["name"])

    def _class_at(self, path: str, line: int) -> str | None:
        return next((s["parent_id"] for s in self.data["symbols"] if s["kind"] in ("method", "constructor")
                     and s["path"] == path and s["start_line"] <= line <= s["end_line"]), None)

    # ------------------------------------------------------- completeness --
    def _entity_class(self, name: str) -> dict | None:
        found = self.classes_by_name.get(name) or []
        return found[0] if len(found) == 1 else None

    def _is_entity(self, type_name: str | None, entity: str) -> bool:
        """The type is the entity or extends it (a DTO subclass carries the same setter)."""
        if not type_name:
            return False
        simple = type_name.split("<")[0].rsplit(".", 1)[-1]
        if simple == entity:
            return True
        return any(e.rsplit(".", 1)[-1] == entity for c in self.classes_by_name.get(simple, [])
                   for e in c.get("extends") or [])

    def _java_setters_known(self, entity: str, field: str, rules: list[dict], entity_path: str) -> bool:
        """Every `.setField(` call on the entity is one of the transition rules (same file and line)."""
        member = f"set{_cap(field)}"
        at_rules = {(r["evidence"][0]["path"], _line(r)) for r in rules}
        needle = f".{member}("
        for f in self.data["files"]:
            if not f["path"].endswith(".java") or f["path"] == entity_path:
                continue
            text = self.p.files.get(f["path"]).text
            if needle not in text:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                count = line.count(needle)
                if not count:
                    continue
                calls = [c for c in self.calls_at.get((f["path"], n), []) if c["callee_name"].rsplit(".", 1)[-1] == member]
                if len(calls) < count:
                    return False    # a call the index did not record: its receiver is unknown
                for c in calls:
                    callee = c.get("callee_id") or ""
                    if callee:   # `pkg.Entity#setStatus(..)`, or `pkg.Entity.status` for a Lombok accessor
                        ours = self._is_entity(callee.split("#")[0] if "#" in callee else callee.rsplit(".", 1)[0], entity)
                    elif c.get("receiver_type"):
                        ours = self._is_entity(c["receiver_type"], entity)
                    else:
                        return False
                    if ours and (f["path"], n) not in at_rules:
                        return False
                    if ours and self.p.inactive.get(self._class_at(f["path"], n) or ""):
                        return False
        return True

    def _sql_setters(self, table: str, column: str, rules: list[dict]) -> list[dict] | None:
        """The setters the mapper statements add: a literal (`set status = 4`, `CASE id WHEN .. THEN 2 END`) the
        transition rules missed, or a scalar `#{status}` every Java caller passes as a literal. None when a
        statement writes a value that is known nowhere (a caller passes a variable)."""
        sql_rules = [(r["evidence"][0]["path"], _line(r)) for r in rules if r["facts"].get("via") == "sql"]
        found: list[dict] = []
        for st in self.p.statements:
            if st["kind"] not in ("update", "insert") or table not in (st.get("tables") or []) or not st.get("sql"):
                continue
            sql = st["sql"]
            if not re.search(rf"\b{re.escape(column)}\b", sql, re.I):
                continue
            if any(p == st["path"] and st["start_line"] <= line <= st["end_line"] for p, line in sql_rules):
                continue
            if st["kind"] == "insert":
                if sql.count("#{") < MIN_WHOLE_RECORD:
                    return None
                continue
            m = _SET_PART.search(sql)
            set_part = m.group(1) if m else ""
            assigns = {c.lower(): v.strip() for c, v in _ASSIGN.findall(set_part)}
            value = assigns.get(column.lower())
            if value is None:
                continue    # the column is only tested (WHERE), not written
            if value.startswith("#{") and sum(1 for v in assigns.values() if v.startswith("#{")) >= MIN_WHOLE_RECORD:
                continue    # a whole-record write: the Java setters decided the value
            more = self._statement_setters(st, column, value, set_part)
            if more is None:
                return None
            found += more
        return found

    def _statement_setters(self, st: dict, column: str, value: str, set_part: str) -> list[dict] | None:
        label = statement_label(st["stmt_id"])
        froms = re.findall(rf"`?\b{re.escape(column)}\b`?\s*=\s*(-?\d+)\b", sql_where(st["sql"]), re.I)
        base = {"to_name": None, "within": [], "loops": [], "controls": [], "limit_lines": [], "from_codes": froms,
                "domain": None, "stmt": {"path": st["path"], "start_line": st["start_line"], "end_line": st["end_line"]}}
        literal = _literal(value, column, set_part)
        if literal is not None:
            return [{**base, "who": label, "to": literal, "path": st["path"], "line": st["start_line"], "via": "sql",
                     "method_id": st.get("method_id")}]
        param = re.fullmatch(r"#\{\s*(\w+)\s*(?:,[^}]*)?\}", value)
        method = self.p.graph.methods.get(st.get("method_id") or "") if param and st.get("method_id") else None
        if method is None:
            return None
        index = _param_index(self._signature(st["method_id"]), param.group(1))
        callers = [c for c in self.data["calls"] if c.get("callee_id") == st["method_id"]]
        if index is None or not callers:
            return None if index is None else []
        out = []
        for c in callers:
            arg = _argument(self.p.files.get(c["path"]).lines, c["line"], st["stmt_id"].rsplit(".", 1)[-1], index)
            if arg is None or not re.fullmatch(r"-?\d+", arg) or self.p.inactive.get(c["caller_id"].split("#")[0]):
                return None
            controls = [{"kind": x.kind, "code": x.code, "line": x.line}
                        for x in self.p.outline.controls(c["path"], c["line"])]
            out.append({**base, "who": member_label(c["caller_id"]), "caller_id": c["caller_id"], "through": label,
                        "to": arg, "path": c["path"],
                        "line": c["line"], "via": None, "controls": controls})
        return out

    def _signature(self, method_id: str) -> str:
        return next((s.get("signature") or "" for s in self.data["symbols"] if s["symbol_id"] == method_id), "")

    def _no_outside_values(self, entity: str, field: str) -> bool:
        """No request handler takes the entity (or a list of it) as a parameter; no copyProperties fills it from a type
        with the field."""
        handlers = {ep["handler_id"] for ep in self.data.get("endpoints") or []}
        for s in self.data["symbols"]:
            if s["kind"] == "method" and s["symbol_id"] in handlers:   # a private helper of a controller takes no request
                params = (s.get("signature") or "").partition("(")[2]
                types = [t for decl in re.findall(r"([\w.<>, ]+?)\s+\w+\s*[,)]", params)
                         for t in re.findall(r"[\w.]+", decl)]   # `List<OmsOrder>` carries the entity too
                if any(self._is_entity(t, entity) for t in types):
                    return False
        for f in self.data["files"]:
            if not f["path"].endswith(".java"):
                continue
            text = self.p.files.get(f["path"]).text
            for source, target in _COPY.findall(text):
                declared = re.search(rf"([\w.<>]+)\s+{re.escape(target)}\s*[=;,)]", text)
                if not declared or not self._is_entity(declared.group(1), entity):
                    continue
                src_type = re.search(rf"([\w.<>]+)\s+{re.escape(source)}\s*[=;,)]", text)
                if src_type and self._is_entity(src_type.group(1), entity):
                    continue    # a copy of a stored record: the value came from one of the writers counted
                if not src_type or field in self.fields_of.get(src_type.group(1).split("<")[0].rsplit(".", 1)[-1], {field}):
                    return False
        return True

    def _inserted_unset(self, entity: str, field: str) -> bool:
        """A method builds a new record (`couponUser = new LitemallCouponUser()`) and inserts it without setting
        the field: that row gets the column's DDL default (or null), a writer no setter shows, so "which
        operations set each value" would leave it out."""
        short = entity.rsplit(".", 1)[-1]
        made = re.compile(rf"\b(\w+)\s*=\s*new\s+{re.escape(short)}\s*\(")
        for m in self.data["symbols"]:
            if m["kind"] not in ("method", "constructor") or not m.get("path", "").endswith(".java"):
                continue
            body = "\n".join(self.p.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]])
            for var in set(made.findall(body)):
                inserted = re.search(rf"\.(?:insert|add|create|save)\w*\(\s*{re.escape(var)}\s*\)", body, re.I)
                if inserted and f"{var}.set{_cap(field)}(" not in body:
                    return True
        return False

    def extra_setters(self, entity: str, field: str, rules: list[dict]) -> list[dict] | None:
        """The setters mapper statements add to the transition rules, when every writer of the field is known;
        None when one is not (then the question is not asked)."""
        cls = self._entity_class(entity)
        if cls is None:
            return None
        tables = next((e["tables"] for e in self.data.get("entities") or [] if e["symbol_id"] == cls["symbol_id"]), None)
        if not tables or len(tables) != 1:
            return None
        if not (self._java_setters_known(entity, field, rules, cls.get("path") or "")
                and self._no_outside_values(entity, field) and not self._inserted_unset(entity, field)):
            return None
        return self._sql_setters(tables[0], snake(field), rules)

    # ------------------------------------------------------------- entries --
    def _callers(self, method_id: str) -> list[dict] | None:
        """Methods calling `method_id` (directly, or through its interface); None when a call of that name has a
        receiver the index could not type (it might be this method)."""
        owner, _, member = method_id.partition("#")
        name = member.split("(")[0]
        cls = next((c for c in self.data["classes"] if c["symbol_id"] == owner), {})
        mine = {owner.rsplit(".", 1)[-1], *(e.rsplit(".", 1)[-1] for e in cls.get("extends") or [])}
        out = []
        for c in self.calls_by_name.get(name, []):
            if method_id in (c.get("callee_id"), c.get("impl_id")):
                out.append(c)
            elif not c.get("callee_id"):
                receiver = c["callee_name"].rpartition(".")[0]
                rtype = (c.get("receiver_type") or "").rsplit(".", 1)[-1]
                if re.fullmatch(r"\w*", receiver) and (not rtype or rtype in mine):
                    return None
        return out

    def entries(self, method_id: str) -> list[tuple[dict, list[dict]]] | None:
        """Every endpoint, job or listener whose calls reach `method_id`, each with the calls on the way (callers in
        inactive components skipped); None when some caller chain starts anywhere else, or a call on the way cannot
        be resolved."""
        flows = {f["entry_id"]: f for f in self.data["flows"]}
        via: dict[str, dict | None] = {method_id: None}    # caller -> the call it makes towards method_id
        queue, found = [method_id], []
        while queue:
            m = queue.pop(0)
            if m in flows:
                found.append(m)
            callers = self._callers(m)
            if callers is None:
                return None
            callers = [c for c in callers if not self.p.inactive.get(c["caller_id"].split("#")[0])]
            if not callers and m not in flows:
                return None
            for c in callers:
                if c["caller_id"] not in via:
                    via[c["caller_id"]] = {**c, "target": m}
                    queue.append(c["caller_id"])
            if len(via) > MAX_CALLERS:
                return None
        out = []
        for entry in sorted(found):
            chain, m = [], entry
            while via[m] is not None:
                chain.append(via[m])
                m = via[m]["target"]
            out.append((flows[entry], chain))
        return out

    def _entry_facts(self, flow: dict, chain: list[dict]) -> dict:
        """An entry point, its head, and each call on the way to the setter (the first one is the entry's own)."""
        sym = next((s for s in self.data["symbols"] if s["symbol_id"] == flow["entry_id"]), None)
        return {"kind": flow["entry_kind"], "name": flow["name"], "method": member_label(flow["entry_id"]),
                "path": sym["path"] if sym else "", "line": sym["start_line"] if sym else 0,
                "end_line": min(sym["end_line"], sym["start_line"] + 3) if sym else 0,
                "mapping_line": self._class_mapping_line(sym),
                "calls": [{"caller": member_label(c["caller_id"]), "callee": member_label(c["target"]),
                           "written": c["callee_name"], "path": c["path"], "line": c["line"],
                           "controls": self._call_controls(c)} for c in chain]}

    def _class_mapping_line(self, sym: dict | None) -> int | None:
        return class_mapping_line(self.p.files, self.data.get("classes") or [], sym["path"], sym.get("parent_id")) \
            if sym else None

    def _call_controls(self, call: dict) -> list[dict]:
        """The branches and loops around a call on the way (Alipay's notify pays the order only inside
        `if ("TRADE_SUCCESS".equals(tradeStatus))`): a condition the entry reaches the setter under."""
        return [{"kind": x.kind, "code": x.code, "line": x.line}
                for x in self.p.outline.controls(call["path"], call["line"], call["callee_name"].rsplit(".", 1)[-1])]

    def _on_new_record(self, s: dict) -> bool:
        return on_new_record(self.p.files, self.data["symbols"], s)

    def _setter_method(self, s: dict) -> str | None:
        if s.get("through"):
            return s["caller_id"]
        if s.get("via") == "sql":
            return s.get("method_id")
        return self._method_id_at(s["path"], s["line"])

    def _method_id_at(self, path: str, line: int) -> str | None:
        return next((x["symbol_id"] for x in self.data["symbols"] if x["kind"] in ("method", "constructor")
                     and x["path"] == path and x["start_line"] <= line <= x["end_line"]), None)

    # --------------------------------------------------------------- items --
    def items(self) -> list[WorkItem]:
        out = []
        for (entity, field), rules in sorted(self.transitions.items()):
            extra = self.extra_setters(entity, field, rules) if len(rules) <= MAX_SETTERS else None
            if extra is not None and len(rules) + len(extra) <= MAX_SETTERS:
                out += self._field_items(entity, field, rules, extra)
        return out + self._plain_items()

    def _copies(self, dict_rec: dict | None) -> list[str]:
        """Dictionaries on request/response classes (no entity) that document the same codes and labels: a copy
        of this field's documentation on a DTO (`OmsOrderQueryParam.status`) teaches nothing the lifecycle
        answer does not."""
        if not dict_rec:
            return []
        entity_names = {e["symbol_id"].rsplit(".", 1)[-1] for e in self.data.get("entities") or []}

        def codes(d: dict) -> set[tuple[str, str]]:
            return {(str(e["code"]), e["label"]) for e in d["entries"]}
        return sorted(d["dict_id"] for d in self.p.dicts.values() if d["dict_id"] != dict_rec["dict_id"]
                      and d["owner"] not in entity_names and not d.get("entity") and codes(d) == codes(dict_rec))

    def _plain_items(self) -> list[WorkItem]:
        """Coded fields no transition rule covers (`sourceType`, `orderType`): which of the documented values the
        code writes, when every write is a literal (mall's portal only ever writes sourceType 1)."""
        entity_names = {e["symbol_id"].rsplit(".", 1)[-1] for e in self.data.get("entities") or []}
        out = []
        for d in self.p.dicts.values():
            entity, field = d["owner"], d.get("field")
            domain = next((x for x in self.p.domains if x in (d.get("domains") or [])), None)
            if not field or entity not in entity_names or (entity, field) in self.transitions or domain is None:
                continue
            cls = self._entity_class(entity)
            setters = self._literal_setters(entity, field, cls.get("path") or "") if cls else None
            if not setters or len(setters) > MAX_SETTERS:
                continue
            tables = next((e["tables"] for e in self.data.get("entities") or [] if e["symbol_id"] == cls["symbol_id"]), None)
            if not tables or len(tables) != 1 or not self._no_outside_values(entity, field):
                continue
            extra = self._sql_setters(tables[0], snake(field), [])
            if extra is None:
                continue
            labels = {str(e["code"]): e["label"] for e in d["entries"]}
            setters = [{**x, "domain": domain} for x in setters + extra]
            out += self._items_for(entity, field, setters, d, labels, domain, False)
        return out

    def setter_calls(self, entity: str, field: str, entity_path: str) -> list[dict] | None:
        """Every `.setField(..)` call on the entity (or a subclass) in active code, with its argument: {call, path,
        line, arg}; None when one cannot be typed or read, or sits in an inactive class."""
        member, found = f"set{_cap(field)}", []
        for f in self.data["files"]:
            if not f["path"].endswith(".java") or f["path"] == entity_path:
                continue
            lines = self.p.files.get(f["path"]).lines
            for n, line in enumerate(lines, 1):
                if f".{member}(" not in line:
                    continue
                calls = [c for c in self.calls_at.get((f["path"], n), []) if c["callee_name"].rsplit(".", 1)[-1] == member]
                if len(calls) != line.count(f".{member}("):
                    return None
                for c in calls:
                    callee = c.get("callee_id") or ""
                    owner = (callee.split("#")[0] if "#" in callee else callee.rsplit(".", 1)[0]) if callee \
                        else c.get("receiver_type")
                    if not owner:
                        return None
                    if not self._is_entity(owner, entity):
                        continue
                    arg = _argument(lines, n, member, 0)
                    if arg is None or self.p.inactive.get(c["caller_id"].split("#")[0]):
                        return None
                    found.append({"call": c, "path": f["path"], "line": n, "arg": arg})
        return found

    def _literal_setters(self, entity: str, field: str, entity_path: str) -> list[dict] | None:
        """Every `.setField(<literal>)` call on the entity; None when one passes anything else or cannot be typed."""
        calls = self.setter_calls(entity, field, entity_path)
        if calls is None or any(not re.fullmatch(r"-?\d+", x["arg"]) for x in calls):
            return None
        return [{"who": member_label(x["call"]["caller_id"]), "to": x["arg"], "to_name": None, "path": x["path"],
                 "line": x["line"], "via": None, "within": [], "loops": [],
                 "controls": [{"kind": c.kind, "code": c.code, "line": c.line}
                              for c in self.p.outline.controls(x["path"], x["line"])],
                 "from_codes": [], "limit_lines": [], "caller_id": x["call"]["caller_id"]} for x in calls]

    def _setter(self, rule: dict) -> dict:
        f, ev = rule["facts"], rule["evidence"][0]
        who = f.get("method") or f.get("name") or f.get("statement")
        within = [{"condition": c["condition"], "branch": c["branch"], "line": c["line"]}
                  for c in f.get("within") or [] if c.get("branch") in ("then", "else")]
        limit_lines = [r["line"] for r in f.get("requires") or []] + ([f["criteria_line"]] if f.get("criteria_line") else [])
        return {"who": who, "to": str(f["to"]), "to_name": (f.get("to_constant") or {}).get("name"),
                "path": ev["path"], "line": _line(rule), "via": f.get("via"),
                "within": within, "loops": [{"loop": x["loop"], "line": x["line"]} for x in f.get("loops") or []],
                "controls": [], "from_codes": [str(c) for c in f.get("from_codes") or []],
                "limit_lines": limit_lines, "domain": rule["domain"], "spans": rule["evidence"], "write": f.get("write"),
                "method_id": next((st.get("method_id") for st in self.p.statements if f.get("via") == "sql"
                                   and st["path"] == ev["path"] and st["start_line"] <= _line(rule) <= st["end_line"]),
                                  None)}

    def _evidence(self, setters: list[dict], dict_rec: dict | None) -> list:
        """Each setter (a statement's setter: its call and the statement) with the lines limiting where it starts
        from and the branches and loops around it, and the dictionary that labels the codes."""
        spans = [Span(**e) for s in setters for e in s.get("spans") or []]
        for s in setters:
            spans += [Span(path=s["path"], start_line=line, end_line=line)
                      for line in [s["line"], *s["limit_lines"], *(c["line"] for c in s["within"] + s["loops"] + s["controls"])]]
            for e in s.get("entries") or []:
                spans.append(Span(path=e["path"], start_line=e["line"], end_line=e["end_line"]))
                if e.get("mapping_line"):   # the controller's own path prefix, which the full path includes
                    spans.append(Span(path=e["path"], start_line=e["mapping_line"], end_line=e["mapping_line"]))
                spans += [Span(path=c["path"], start_line=line, end_line=line) for c in e["calls"]
                          for line in [c["line"], *(x["line"] for x in c.get("controls") or [])]]
            if s.get("stmt"):
                st = s["stmt"]
                spans.append(Span(path=st["path"], start_line=st["start_line"],
                                  end_line=min(st["end_line"], st["start_line"] + MAX_LINES - 1)))
        if dict_rec:
            spans.append(Span(path=dict_rec["path"], start_line=dict_rec["start_line"], end_line=dict_rec["end_line"]))
            spans += _label_spans(dict_rec)
        return self.p.evidence(spans)

    def _field_items(self, entity: str, field: str, rules: list[dict], extra: list[dict]) -> list[WorkItem]:
        first = rules[0]
        setters = [self._setter(r) for r in rules] + [{**x, "domain": first["domain"]} for x in extra]
        dict_rec = self.p.dicts.get(first["facts"].get("dict_id") or "")
        return self._items_for(entity, field, setters, dict_rec, first["facts"]["labels"], first["domain"], True)

    def _items_for(self, entity: str, field: str, setters: list[dict], dict_rec: dict | None, labels: dict,
                   fallback_domain: str, per_value: bool) -> list[WorkItem]:
        setters = sorted(_one_per_site(setters), key=lambda s: (s["path"], s["line"]))
        facts = {"entity": entity, "field": field, "labels": labels, "setters": setters, "kind_of_field":
                 "status" if per_value else "coded",
                 "dict_id": dict_rec["dict_id"] if dict_rec else None, "copies": self._copies(dict_rec),
                 "dict_owner": dict_rec["owner"] if dict_rec and dict_rec.get("source") == "constants" else None,
                 "dict": ({"path": dict_rec["path"], "start_line": dict_rec["start_line"]} if dict_rec else None),
                 "label_lines": ([{"path": dict_rec["path"], "line": e["label_lines"][0]}
                                  for e in dict_rec["entries"] if e.get("label_lines")] if dict_rec else []),
                 "_path": setters[0]["path"]}
        domain = next((d for d in self.p.domains if any(s["domain"] == d for s in setters)), fallback_domain)
        ref = "lifecycle:" + sha256_text(f"{entity}.{field}")[:16]
        groups = [(ref, facts)]
        for code in sorted({s["to"] for s in setters}) if per_value else []:
            members = [s for s in setters if s["to"] == code]
            if all(self._on_new_record(s) for s in members):
                continue   # only the initial value of a record being created: the whole-field answer says it
            reached = [self.entries(m) if (m := self._setter_method(s)) else None for s in members]
            if all(reached):   # every entry point that leads to each setter: "which requests or jobs do it"
                members = [{**s, "entries": [self._entry_facts(f, chain) for f, chain in r]}
                           for s, r in zip(members, reached)]
                groups.append((f"{ref}:{code}", {**facts, "code": code, "setters": members}))
            elif len({s["who"] for s in members}) >= 2:   # one method: the transition's own questions say it
                groups.append((f"{ref}:{code}", {**facts, "code": code, "setters": members}))
        out = []
        for gref, gfacts in groups:
            evidence = self._evidence(gfacts["setters"], dict_rec)
            if self.p.weight(evidence) > MAX_EVIDENCE:
                continue
            gfacts = {**gfacts, "setters": [{k: v for k, v in x.items() if k != "spans"} for x in gfacts["setters"]]}
            for lang in self.p.languages:
                for qkind, question in lifecycle_questions(gfacts, lang, gref):
                    out.append(self.p._item(gref, "rule", "lifecycle", qkind, lang, domain, question, gfacts, evidence))
        return out


def _one_per_site(setters: list[dict]) -> list[dict]:
    """One setter per (path, line, value): a call a transition rule reads (`dao.updateOrderStatus(ids, 4)`) is also
    found through the statement it calls; counted twice, "sets it in 8 places" lists one call twice. The rule's
    setter keeps its facts and gains the statement it goes through."""
    out: dict[tuple[str, int, str], dict] = {}
    for s in setters:
        key = (s["path"], s["line"], s["to"])
        if key not in out:
            out[key] = s
            continue
        first, other = (out[key], s) if out[key].get("spans") or not s.get("spans") else (s, out[key])
        out[key] = {**first, **{k: other[k] for k in ("through", "stmt", "caller_id")
                                 if other.get(k) and not first.get(k)}}
    return list(out.values())


def _line(rule: dict) -> int:
    """The setter's line; a batch `CASE` write whose text spans lines has none recorded: its evidence start."""
    return rule["facts"].get("line") or rule["evidence"][0]["start_line"]


def sql_where(sql: str) -> str:
    """The WHERE part of a statement ('' when it has none)."""
    m = re.search(r"\bwhere\b(.*)$", sql, re.I | re.S)
    return m.group(1) if m else ""


def _literal(value: str, column: str, set_part: str) -> str | None:
    """The code a SET assignment writes when it is a literal: `4`, or a CASE whose every THEN is the same literal."""
    if re.fullmatch(r"-?\d+", value):
        return value
    if value.upper().startswith("CASE"):
        body = re.search(rf"`?\b{re.escape(column)}\b`?\s*=\s*CASE(.*?)\bEND\b", set_part, re.I | re.S)
        thens = re.findall(r"\bTHEN\s+([^\s,]+)", body.group(1), re.I) if body else []
        if thens and len(set(thens)) == 1 and re.fullmatch(r"-?\d+", thens[0]):
            return thens[0]
    return None


def split_args(text: str) -> list[str]:
    """Top-level comma-separated parts of an argument or parameter list."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return parts + ([cur.strip()] if cur.strip() else [])


def _param_index(signature: str, name: str) -> int | None:
    """The position of a mapper method's parameter bound to `#{name}` (`@Param("name")`, else the Java name)."""
    inner = signature.partition("(")[2].rpartition(")")[0]
    for n, part in enumerate(split_args(inner)):
        if re.search(rf'@Param\(\s*"{re.escape(name)}"\s*\)', part) or re.search(rf"\b{re.escape(name)}$", part):
            return n
    return None


def _argument(lines: list[str], line: int, method: str, index: int) -> str | None:
    """The `index`-th argument of the call of `method` starting on `line` (a call may span a few lines)."""
    text = " ".join(lines[line - 1:line + 4])
    m = re.search(rf"\b{re.escape(method)}\s*\(", text)
    if not m:
        return None
    depth, end = 1, m.end()
    while end < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    args = split_args(text[m.end():end - 1])
    return args[index] if index < len(args) else None


def _label_spans(dict_rec: dict) -> list[Span]:
    """The lines that label the codes (a mapping method `if (status == 101) return "未付款"`): one span when they
    fit in one, so a field with many codes does not use up the evidence list on them."""
    lines = [e["label_lines"] for e in dict_rec["entries"] if e.get("label_lines")]
    if not lines:
        return []
    first, last = min(a for a, _ in lines), max(b for _, b in lines)
    if last - first < MAX_LINES:
        return [Span(path=dict_rec["path"], start_line=first, end_line=last)]
    return [Span(path=dict_rec["path"], start_line=a, end_line=b) for a, b in lines]


def without_lookups(items: list[WorkItem], lifecycles: list[WorkItem]) -> list[WorkItem]:
    """Drops the bare "which values can it take" lookups (the transition's which_values, the status dictionary's,
    and those of DTO copies of the same documentation) of every field a lifecycle question answers whole: its
    answer lists the same codes and who sets each."""
    whole = [i.facts for i in lifecycles if i.source.question_kind == "who_sets"]
    fields = {(f["entity"], f["field"]) for f in whole}
    dict_ids = {f["dict_id"] for f in whole if f.get("dict_id")} | {c for f in whole for c in f.get("copies") or []}

    def covered(i: WorkItem) -> bool:
        if i.source.question_kind != "which_values":
            return False
        if i.source.rule_kind == "transition":
            return (i.facts.get("entity"), i.facts.get("field")) in fields
        return i.source.rule_kind == "status_dict" and i.facts.get("dict_id") in dict_ids
    return [i for i in items if not covered(i)]


# ------------------------------------------------------------- templates --
def lifecycle_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    ent, fld = f["entity"], f["field"]
    if "code" in f and all("entries" in s for s in f["setters"]):
        to = state_name(f["code"], f["labels"], lang)
        if lang == "en":
            return [("who_sets_value", pick(seed, [
                f"Which endpoints, jobs or message listeners move {_a(ent)} {ent} to {fld} {to}?",
                f"Which requests or background jobs end up setting `{ent}.{fld}` to {to}?"]))]
        return [("who_sets_value", f"哪些接口、定时任务或消息监听会把 {ent} 的 {fld} 改为 {to}？")]
    if "code" in f:
        to = state_name(f["code"], f["labels"], lang)
        if lang == "en":
            return [("who_sets_value", pick(seed, [f"Which operations move {_a(ent)} {ent} to {fld} {to}?",
                                                   f"Where in the code does `{ent}.{fld}` become {to}?"]))]
        return [("who_sets_value", f"哪些操作会把 {ent} 的 {fld} 改为 {to}？")]
    if f.get("kind_of_field") == "coded":   # a type or source code, not a state: no "moving through" it
        return [("who_sets", f"Which values of `{ent}.{fld}` does the code ever write, and where?" if lang == "en"
                 else f"代码实际会写入 `{ent}.{fld}` 的哪些取值？分别在哪里？")]
    if lang == "en":
        return [("who_sets", pick(seed, [
            f"Which code sets `{ent}.{fld}`, and to which of its values does each place set it?",
            f"How does {_a(ent)} {ent} move through its {fld} values: which operation sets each value?"]))]
    return [("who_sets", f"`{ent}.{fld}` 在哪些地方被设置？各自设成哪个取值？")]


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _where(s: dict, lang: str) -> str:
    """The loops and branches around the setter, outermost first, as a location; '' at the top of the method."""
    if lang == "en":
        parts = [f"once per iteration of `{x['loop']}`" for x in s["loops"]]
        parts += [f"inside the `{c['condition']}` branch" if c["branch"] == "then"
                  else f"in the else branch of `{c['condition']}`" for c in s["within"]]
        parts += [control_text(c, lang) for c in s["controls"]]
        return "".join(f", {p}" for p in parts)
    parts = [f"在循环 `{x['loop']}` 中逐次执行" for x in s["loops"]]
    parts += [f"位于 `{c['condition']}` 分支内" if c["branch"] == "then" else f"位于 `{c['condition']}` 的 else 分支内"
              for c in s["within"]]
    parts += [control_text(c, lang) for c in s["controls"]]
    return "".join(f"，{p}" for p in parts)


def _places(n: int) -> str:
    return "1 place" if n == 1 else f"{n} places"


def _code(code: str, labels: dict) -> str:
    """`0 = "待处理"`; a code the repository names but does not label reads `0 = STATUS_USABLE`."""
    label = labels.get(code) or code
    return f'{code} = "{label}"' if not label.isascii() else f"{code} = {label}"


def _setter_text(s: dict, labels: dict, lang: str) -> str:
    at = f"{file_name(s['path'])}:{s['line']}"
    what = f"the `{s['who']}` statement" if s.get("via") == "sql" else f"`{s['who']}`"
    froms = " or ".join(state_name(c, labels, lang) for c in s["from_codes"])
    if lang == "en":
        how = f", as `{s['to_name']}`" if s["to_name"] else f", through `{s['through']}`" if s.get("through") else ""
        text = f"{what} ({at}{how}){_where(s, lang)}"
        return text + (f", only from {froms}" if froms else "")
    what = f"语句 `{s['who']}`" if s.get("via") == "sql" else f"`{s['who']}`"
    how = f"，写作 `{s['to_name']}`" if s["to_name"] else f"，经 `{s['through']}`" if s.get("through") else ""
    text = f"{what}（{at}{how}）{_where(s, lang)}"
    froms = " 或 ".join(state_name(c, labels, lang) for c in s["from_codes"])
    return text + (f"，且只能从 {froms} 开始" if froms else "")


def _entry_name(e: dict, lang: str) -> str:
    """`POST /x` (`C.m`, via `S.a` → `S.b`): the methods between the entry and the setter's method, and the
    branches those calls sit in (`S.a` calls `S.b` only inside `if (..)`)."""
    hops = [c["callee"] for c in e["calls"][:-1]]
    when = [(c["caller"], c["callee"], c["controls"]) for c in e["calls"] if c.get("controls")]
    if lang == "en":
        via = f", via {' → '.join(f'`{h}`' for h in hops)}" if hops else ""
        via += "".join(f"; `{a}` calls `{b}` " + " and ".join(control_text(x, lang) for x in xs) for a, b, xs in when)
        return (f"`{e['name']}` (`{e['method']}`{via})" if e["kind"] == "endpoint"
                else f"the {e['kind']} `{e['method']}`" + (f" ({via[2:]})" if via else ""))
    via = f"，经 {' → '.join(f'`{h}`' for h in hops)}" if hops else ""
    via += "".join(f"；`{a}` " + "且".join(control_text(x, lang) for x in xs) + f"调用 `{b}`" for a, b, xs in when)
    return f"`{e['name']}`（`{e['method']}`{via}）" if e["kind"] == "endpoint" else f"{e['kind']} `{e['method']}`{via}"


def entry_claim(e: dict, lang: str, cite: Cite) -> tuple[str, list[str]]:
    """The entry point as a trace step; an endpoint under a class-level mapping also cites that line, since
    the full path the answer names (`POST /order/cancel`) joins the two."""
    ids = [cite.at(e["line"], e["path"])]
    if e.get("mapping_line") and e["kind"] == "endpoint":
        ids.append(cite.at(e["mapping_line"], e["path"]))
        route = e["name"].split(" ", 1)[-1]   # the path: the verb is in the method's annotation, not as a word
        return ((f"{e['method']} serves the path `{route}` (its class mapping and its own)" if lang == "en"
                 else f"{e['method']} 对应路径 `{route}`（类上的映射加上方法的映射）"), list(dict.fromkeys(ids)))
    return (f"{e['method']} is an entry point ({e['kind']})" if lang == "en" else f"{e['method']} 是入口（{e['kind']}）"), ids


def _entries_text(s: dict, lang: str) -> str:
    """'; reached from `POST /order/x` (`C.m`) and the listener `R.handle`' (every entry point that leads there)."""
    if "entries" not in s:
        return ""
    names = [_entry_name(e, lang) for e in s["entries"]]
    if lang == "en":
        return "; reached from " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])
    return "；入口：" + "、".join(names)


def _trace(f: dict, setters: list[dict], lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    ent, fld, labels = f["entity"], f["field"], f["labels"]
    label_ids = [cite.at(f["dict"]["start_line"], f["dict"]["path"])] if f.get("dict") else []
    label_ids += [cite.at(x["line"], x["path"]) for x in f.get("label_lines") or []]
    label_ids = list(dict.fromkeys(label_ids))
    trace = []
    if label_ids:
        owner = f.get("dict_owner") or f"{ent}.{fld}"    # the class whose lines label them (a constant class)
        trace.append(((f"{owner} codes are labelled " + ", ".join(f"{c} {lab}" for c, lab in labels.items())
                       if lang == "en" else f"{fld} 的取值含义：" + "，".join(f"{c}={lab}" for c, lab in labels.items())),
                      label_ids))
    for s in setters:
        ids = [cite.at(s["line"], s["path"])] + [cite.at(c["line"], s["path"])
                                                 for c in s["within"] + s["loops"] + s["controls"]]
        if s.get("through"):   # a caller passing the code to a statement that writes its parameter
            ids.append(cite.at(s["stmt"]["start_line"], s["stmt"]["path"]))
            claim = (f"{s['who']} calls `{s['through']}` with {s['to']}, which writes it to {fld}" if lang == "en"
                     else f"{s['who']} 以 {s['to']} 调用 `{s['through']}`，该语句把它写入 {fld}")
        elif f.get("kind_of_field") == "coded":   # the literal passed to the setter, as written
            claim = (f"{s['who']} calls `set{_cap(fld)}` with {s['to']}" if lang == "en"
                     else f"{s['who']} 以 {s['to']} 调用 `set{_cap(fld)}`")
        else:
            claim = f"{s['who']} sets {fld} to {s['to']}" if lang == "en" else f"{s['who']} 把 {fld} 设为 {s['to']}"
        trace.append((claim, list(dict.fromkeys(ids))))
        for e in s.get("entries") or []:
            trace.append(entry_claim(e, lang, cite))
            trace += [((f"{c['caller']} calls `{c['written']}`" if lang == "en" else f"{c['caller']} 调用 `{c['written']}`"),
                       [cite.at(c["line"], c["path"])]) for c in e["calls"]]
        if s["from_codes"]:
            lim = [cite.at(line, s["path"]) for line in s["limit_lines"]] or ids[:1]
            trace.append(((f"{s['who']} changes it only from {fld} {' or '.join(s['from_codes'])}" if lang == "en"
                           else f"{s['who']} 只允许从 {fld}={'/'.join(s['from_codes'])} 变更"), list(dict.fromkeys(lim))))
    return trace


@unique_claims
def lifecycle_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str,
                                                                                                         list[str]]]]:
    ent, fld, labels, setters = f["entity"], f["field"], f["labels"], f["setters"]
    scope = (f"every `set{_cap(fld)}` call on {_a(ent)} {ent} and every mapper statement that writes the column; "
             "whole-record updates only store what those calls set" if lang == "en"
             else f"{ent} 上所有 `set{_cap(fld)}` 调用，以及所有写该列的 mapper 语句；整行更新只保存这些调用设好的值")
    if qkind == "who_sets_value":
        to = state_name(f["code"], labels, lang)
        rows = [_setter_text(s, labels, lang) + _entries_text(s, lang) for s in setters]
        if lang == "en":
            head = "Only one place sets" if len(setters) == 1 else f"{len(setters)} places set"
            body = (f"{head} `{ent}.{fld}` to {to} (counting {scope}):\n"
                    + "\n".join(f"- {r}" for r in rows))
        else:
            body = (f"共有 {len(setters)} 处把 `{ent}.{fld}` 设为 {to}（统计范围：{scope}）：\n"
                    + "\n".join(f"- {r}" for r in rows))
        return body, _trace(f, setters, lang, cite)
    by_code: dict[str, list[dict]] = defaultdict(list)
    for s in setters:
        by_code[s["to"]].append(s)
    lines, unset = [], [c for c in labels if c not in by_code]
    for code in [c for c in labels if c in by_code] + sorted(c for c in by_code if c not in labels):
        group = by_code[code]
        lines.append(f"- {state_name(code, labels, lang)}: " + ("; " if lang == "en" else "；").join(
            _setter_text(s, labels, lang) for s in group))
    if lang == "en":
        body = (f"`{ent}.{fld}` has these codes: " + "; ".join(_code(c, labels) for c in labels)
                + f". The code sets it in {_places(len(setters))} (counting {scope}):\n" + "\n".join(lines))
        if unset:
            body += "\nNone of them sets " + " or ".join(state_name(c, labels, lang) for c in unset) + "."
    else:
        body = (f"`{ent}.{fld}` 的取值：" + "；".join(f"{c}={labels[c]}" for c in labels)
                + f"。代码中共有 {len(setters)} 处设置它（统计范围：{scope}）：\n" + "\n".join(lines))
        if unset:
            body += "\n没有任何一处把它设为 " + " 或 ".join(state_name(c, labels, lang) for c in unset) + "。"
    return body, _trace(f, setters, lang, cite)


def lifecycle_items(planner, rules: list[dict]) -> list[WorkItem]:
    return Lifecycles(planner, rules).items()


def on_new_record(files, symbols: list[dict], s: dict) -> bool:
    """The setter fills a record its own method has just built, or was handed as a parameter, and then inserts
    (`order = new OmsOrder(); .. order.setConfirmStatus(0); orderMapper.insert(order)`): the value a new record
    starts with, not a move from another state. A new object that only carries an update (`setId(id)`,
    `updateByPrimaryKeySelective`) is a move. `s` holds the setter's path, line and write call."""
    write = (s.get("write") or {}).get("call") or ""
    if s.get("via") or s.get("through") or not _INSERT.search(write.split("(")[0].rsplit(".", 1)[-1]):
        return False
    lines = files.get(s["path"]).lines
    m = re.search(r"\b(\w+)\.set\w+\(", lines[s["line"] - 1])
    sym = next((x for x in symbols if x["kind"] in ("method", "constructor") and x["path"] == s["path"]
                and x["start_line"] <= s["line"] <= x["end_line"]), None)
    if not m or sym is None:
        return False
    var = re.escape(m.group(1))
    made = re.compile(rf"\b{var}\s*=\s*new\s+\w+")
    if any(made.search(t) for t in lines[sym["start_line"] - 1:s["line"] - 1]):
        return True
    # a record the caller passes in (`add(@RequestBody CartItem cartItem)`) that this method inserts as it is
    head = "\n".join(lines[sym["start_line"] - 1:s["line"] - 1]).split("{", 1)[0]
    return bool(re.search(rf"\b[A-Z][\w.<>]*\s+{var}\s*[,)]", head) and re.search(rf"\(\s*{var}\s*\)", write))


def class_mapping_line(files, classes: list[dict], path: str, class_id: str | None) -> int | None:
    """The class-level `@RequestMapping("/order")` line of an endpoint's controller: the full path an answer
    names ("/order/cancel") joins it with the method's own mapping, so both lines are evidence."""
    cls = next((c for c in classes if c["symbol_id"] == class_id), None)
    if not cls or not cls.get("start_line"):
        return None
    lines = files.get(path).lines
    for n in range(max(cls["start_line"] - 8, 1), min(cls["start_line"] + 8, len(lines)) + 1):
        if re.search(r"\b(class|interface)\s", lines[n - 1]):
            break   # the annotations end at the class head, with or without the node holding them
        if _CLASS_MAPPING.match(lines[n - 1].strip()):
            return n
    return None
