"""QA "new_record": the fixed values a method gives a record it builds, before it inserts it.

`OmsOrder order = new OmsOrder(); .. order.setStatus(0); order.setConfirmStatus(0); .. orderMapper.insert(order)`:
what a new order starts as is a question every developer on the code asks, and the answer is only right when it
has every setter of the record between the `new` and the insert. So it is asked only where the facts see them all:
- one `new E()` of the entity in the method, inserted once, by a call the call graph resolves to an INSERT;
- the record is handed to no other call on the way, except one whose body sets nothing on it;
- no setter sits in a loop or a lambda, and none is overridden later by a setter that runs only sometimes.
A fixed value is a literal, a constant the repository declares, a zero `BigDecimal`, or the current time; a
status code is said with its label.
"""

from __future__ import annotations

import re

from core.generate.flow_facts import member_label
from core.generate.param_effects import method_node
from core.generate.plan import TEST_SOURCES
from core.generate.qa_templates import Cite, control_text, file_name, pick, unique_claims
from core.generate.spans import MAX_LINES
from core.generate.work import WorkItem
from core.index.java_ast import lines, text, walk
from core.models import Span, sha256_text

LAYERS = ("service", "service_impl", "component", "controller")
MIN_FIXED = 2   # one fixed value is a lookup the transition questions already ask
MAX_SPAN = 3 * MAX_LINES   # the lines from the `new` to the insert, all shown
_NOW = re.compile(r"^(new (?:java\.util\.)?Date\(\)|(?:LocalDateTime|LocalDate|Instant)\.now\(\)"
                  r"|new Timestamp\(System\.currentTimeMillis\(\)\))$")
_ZERO = re.compile(r"^(BigDecimal\.ZERO|new BigDecimal\(\s*\"?0(?:\.0+)?\"?\s*\))$")
_LITERAL = re.compile(r"^(-?\d+[LlDdFf]?|\"[^\"\\]*\"|true|false|null)$")
_CONSTANT = re.compile(r"^(?:([A-Z]\w*)\.)?([A-Z][A-Z0-9_]*)$")
_INIT = re.compile(r"=\s*(-?\d+[LlDdFf]?|\"[^\"\\]*\")\s*;")


def new_record_items(planner) -> list[WorkItem]:
    entities = {e["symbol_id"].rsplit(".", 1)[-1]: {**e, "name": e["symbol_id"].rsplit(".", 1)[-1]}
                for e in planner.data.get("entities") or []}
    items = []
    for mid, m in sorted(planner.graph.methods.items()):
        cls = mid.split("#")[0]
        domain = next((d for d in planner.domains if d in planner.class_domains.get(cls, [])), None)
        if domain is None or planner.graph.layer(mid) not in LAYERS or planner.inactive.get(cls) \
                or TEST_SOURCES.search(m.path):
            continue
        node = method_node(planner, m)
        body = node.child_by_field_name("body") if node is not None else None
        if body is None:
            continue
        for facts, spans in _records(planner, mid, m, body, entities):
            ref = "new-record:" + sha256_text(f"{mid}|{facts['entity']}")[:16]
            items += planner.asked(ref, "flow", "new_record", domain, facts, spans, new_record_questions)
    return items


def without_told(records: list[WorkItem], items: list[WorkItem]) -> list[WorkItem]:
    """Drops the records whose insert a "which tables does E write" answer already shows with every value stored
    (mall's history rows): the same values asked twice teach nothing new."""
    told = {(h["path"], h["line"]) for i in items if i.source.kind == "flow" for w in i.facts.get("writes") or []
            if w.get("kind") == "insert" for s in w.get("sites") or [] for h in (s.get("hops") or [])[-1:]
            if h.get("sets")}
    return [r for r in records if (r.facts["path"], r.facts["insert_line"]) not in told]


def _records(planner, mid: str, m, body, entities: dict) -> list[tuple[dict, list[Span]]]:
    made: dict[str, list] = {}
    for decl in walk(body, {"local_variable_declaration"}):
        typ = text(decl.child_by_field_name("type"))
        d = decl.child_by_field_name("declarator")
        value = d.child_by_field_name("value") if d is not None else None
        if typ in entities and value is not None and value.type == "object_creation_expression" \
                and text(value.child_by_field_name("type")) == typ and text(value.child_by_field_name("arguments")) == "()":
            made.setdefault(typ, []).append((decl, text(d.child_by_field_name("name"))))
    out = []
    for typ, decls in made.items():
        if len(decls) == 1 and (found := _record(planner, mid, m, body, entities[typ], *decls[0])):
            out.append(found)
    return out


def _record(planner, mid: str, m, body, ent: dict, decl, var: str) -> tuple[dict, list[Span]] | None:
    decl_line = lines(decl)[0]
    uses = [c for c in walk(body, {"method_invocation"}) if c.start_byte > decl.end_byte]
    inserts = [c for c in uses if _args(c) == [var]
               and _inserts(planner, mid, lines(c)[0], text(c.child_by_field_name("name")), ent)]
    if len(inserts) != 1 or inserts[0].parent is None or _block(inserts[0]) != decl.parent:
        return None
    insert = inserts[0]
    setters: list[dict] = []
    for c in uses:
        if c.start_byte >= insert.start_byte:
            break
        obj, name = c.child_by_field_name("object"), text(c.child_by_field_name("name"))
        if var in _args(c) and not _reads_only(planner, mid, c, _args(c).index(var)):
            return None            # handed to a call that may set fields of it
        if obj is None or text(obj) != var:
            continue
        if name.startswith(("get", "is")):
            continue
        if not name.startswith("set") or len(_args(c)) != 1 or not _plain(c, decl.parent):
            return None            # another mutator (`order.init()`), or a setter in a switch or try: not read here
        line = lines(c)[0]
        controls = [x for x in planner.outline.controls(m.path, line, name) if decl_line < x.line]
        if any(x.kind not in ("if", "else") for x in controls):
            return None            # a loop, a lambda, a skipped iteration: how often it runs is not one value
        arg = _args(c)[0]
        setters.append({"field": name[3].lower() + name[4:], "code": arg, "line": line, "value": _fixed(planner, arg),
                        "controls": [{"kind": x.kind, "code": x.code, "line": x.line, "end": x.header_end}
                                     for x in controls]})
    fields = []
    for fld in dict.fromkeys(s["field"] for s in setters):
        mine = [s for s in setters if s["field"] == fld]
        for n, s in enumerate(mine):   # an unconditional setter overrides every one before it: said so, since
            s["overrides"] = n > 0 and not s["controls"]   # a reader of `setIntegration(0)` takes it as the value
        if any(s["value"] for s in mine):
            fields.append({"field": fld, "setters": mine, "label": _label(planner, ent, fld, mine)})
    if len(fields) < MIN_FIXED:
        return None
    ins_line = lines(insert)[0]
    if ins_line - decl_line + 1 > MAX_SPAN:
        return None               # "every setter between the two" must be on show, in a few items
    spans = [Span(path=m.path, start_line=a, end_line=min(a + MAX_LINES - 1, lines(insert)[1]))
             for a in range(decl_line, lines(insert)[1] + 1, MAX_LINES)]
    spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for f in fields for s in f["setters"]
              if (c := s["value"] or {}).get("path")]
    spans += [Span(path=lb["path"], start_line=n, end_line=n) for f in fields for lb in f["label"]
              for n in lb["lines"]]
    facts = {"method": member_label(mid), "entity": ent["name"], "var": var, "path": m.path, "decl_line": decl_line,
             "insert": " ".join(text(insert).split()), "insert_line": ins_line, "fields": fields,
             "computed": sorted({s["field"] for s in setters} - {f["field"] for f in fields}), "_path": m.path}
    return facts, sorted(spans, key=lambda s: (s.path != m.path, s.start_line))


def _args(call) -> list[str]:
    args = call.child_by_field_name("arguments")
    return [" ".join(text(a).split()) for a in args.named_children] if args is not None else []


def _plain(call, top) -> bool:
    """The setter is a statement of its own, inside nothing but blocks and `if`s below the record's block."""
    node = call.parent
    if node is None or node.type != "expression_statement":
        return False
    while node is not None and node != top:
        if node.type not in ("expression_statement", "block", "if_statement"):
            return False
        node = node.parent
    return node is not None


def _block(node):
    """The block holding the statement `node` belongs to."""
    while node is not None and (node.parent is None or node.parent.type != "block"):
        node = node.parent
    return node.parent if node is not None else None


def _inserts(planner, mid: str, line: int, name: str, ent: dict) -> bool:
    """The call on `line` runs an INSERT into the entity's table (directly, as the graph resolves it)."""
    tables = {t.lower() for t in ent.get("tables") or []}
    for target, _via, at in planner.graph.out.get(mid, []):
        if at != line or target.split("#")[-1].split("(")[0] != name:
            continue
        if any(st["kind"] == "insert" and st.get("method_id") == target
               and tables & {t.lower() for t in st.get("tables") or []} for st in planner.statements):
            return True
    return False


def _reads_only(planner, mid: str, call, index: int) -> bool:
    """The project method this call runs sets nothing on its `index`-th parameter (`calcPayAmount(order)` reads)."""
    line, name = lines(call)[0], text(call.child_by_field_name("name"))
    target = next((c["callee_id"] for c in planner.data["calls"] if c["caller_id"] == mid and c["line"] == line
                   and c["callee_name"].rsplit(".", 1)[-1] == name and c.get("callee_id")), None)
    callee = planner.graph.methods.get(target or "")
    node = method_node(planner, callee) if callee else None
    params = node.child_by_field_name("parameters") if node is not None else None
    names = [text(p.child_by_field_name("name")) for p in params.named_children] if params is not None else []
    if index >= len(names) or node.child_by_field_name("body") is None:
        return False
    inner = text(node.child_by_field_name("body"))
    p = re.escape(names[index])
    return not re.search(rf"\b{p}\s*\.\s*(?!get|is)\w+\s*\(|[(,]\s*{p}\s*[,)]|\b{p}\s*=[^=]", inner)


def _fixed(planner, code: str) -> dict | None:
    """What a fixed argument is: {"kind": literal | zero | now | constant, "value", and a constant's path/line}."""
    code = " ".join(code.split())
    if _LITERAL.match(code):
        return {"kind": "literal", "value": code}
    if _ZERO.match(code):
        return {"kind": "zero", "value": "0"}
    if _NOW.match(code):
        return {"kind": "now", "value": code}
    m = _CONSTANT.match(code)
    if m:
        owner, name = m.groups()
        found = [s for s in planner.data["symbols"] if s["kind"] == "field" and s["name"] == name
                 and "static" in (s.get("modifiers") or "") and "final" in (s.get("modifiers") or "")
                 and (owner is None or (s.get("parent_id") or "").rsplit(".", 1)[-1] == owner)]
        init = _INIT.search(found[0].get("signature") or "") if len(found) == 1 else None
        if init:
            return {"kind": "constant", "value": init.group(1), "path": found[0]["path"], "line": found[0]["start_line"]}
    return None


def _label(planner, ent: dict, fld: str, setters: list[dict]) -> list[dict]:
    """The status-dictionary label of each fixed code set on a field that has one, with the lines that say it."""
    d = next((d for d in planner.data["status_dicts"] if (d.get("owner"), d.get("field")) == (ent["name"], fld)
              or (d.get("entity") in (ent["name"], ent["symbol_id"]) and d.get("entity_field") == fld)), None)
    out = []
    for s in setters:
        v = (s["value"] or {}).get("value")
        e = next((e for e in (d or {}).get("entries") or [] if str(e["code"]) == str(v)), None) if v else None
        if e and e.get("label"):
            spans = [e["line"]] if e.get("line") else []
            spans += list(range(e["label_lines"][0], e["label_lines"][1] + 1)) if e.get("label_lines") else []
            out.append({"code": str(v), "label": e["label"], "path": d["path"],
                        "lines": spans[:2] or list(range(d["start_line"], d["end_line"] + 1))})
    return out


# ------------------------------------------------------------- templates --
def new_record_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    t, e = f"`{f['method']}`", f"`{f['entity']}`"
    if lang == "en":
        return [("new_record", pick(seed, [
            f"Which fields does {t} set to fixed values on the new {e} it creates, before inserting it?",
            f"When {t} creates a new {e} record, which fields does it give fixed values before the insert?"]))]
    return [("new_record", f"{t} 新建 {e} 并插入之前，把哪些字段设成了固定值？分别是什么？")]


def _value(s: dict, f: dict, lang: str) -> str:
    v = s["value"]
    if v is None:
        return f"`{s['code']}`" + (" (not a fixed value)" if lang == "en" else "（非固定值）")
    said = {"now": " (the current time)" if lang == "en" else "（当前时间）",
            "zero": " (zero)" if lang == "en" else "（零）"}.get(v["kind"], "")
    if v["kind"] == "constant":
        said = f" (= {v['value']})"
    lb = next((x for x in f["label"] if x["code"] == str(v["value"])), None)
    if lb:
        said += f' ("{lb["label"]}")' if lang == "en" else f"（“{lb['label']}”）"
    return f"`{s['code']}`{said}"


@unique_claims
def new_record_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite,
                      path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    en = lang == "en"
    where = f"{file_name(f['path'])}:{f['insert_line']}"
    rows, trace = [], []
    made = f"{file_name(f['path'])}:{f['decl_line']}"
    trace.append(((f"`{f['method']}` builds a new `{f['entity']}` in `{f['var']}` ({made}) and inserts it "
                   f"with `{f['insert']}` ({where})" if en else
                   f"`{f['method']}` 新建 `{f['entity']}`（`{f['var']}`，{made}），"
                   f"并用 `{f['insert']}` 插入（{where}）"),
                  list(dict.fromkeys([cite.at(f["decl_line"], f["path"]), cite.at(f["insert_line"], f["path"])]))))
    for fld in f["fields"]:
        parts = []
        for s in fld["setters"]:
            conds = "".join((", " if en else "，") + control_text(c, lang) for c in s["controls"])
            at = f"{file_name(f['path'])}:{s['line']}"
            over = ((", always, replacing the value set above" if en else "，总会执行，覆盖上面设的值")
                    if s.get("overrides") else "")
            parts.append(f"{_value(s, fld, lang)} ({at}{conds}{over})" if en else f"{_value(s, fld, lang)}（{at}{conds}{over}）")
            ids = [cite.at(c["line"], f["path"]) for c in s["controls"]] + [cite.at(s["line"], f["path"])]
            v = s["value"] or {}
            if v.get("path"):
                ids.append(cite.at(v["line"], v["path"]))
            ids += [cite.at(lb["lines"][0], lb["path"]) for lb in fld["label"] if lb["code"] == str(v.get("value"))]
            trace.append(((f"`{f['var']}.set{fld['field'][0].upper()}{fld['field'][1:]}({s['code']})` runs before the insert"
                           + (conds if s["controls"] else "") if en else
                           f"插入前执行 `{f['var']}.set{fld['field'][0].upper()}{fld['field'][1:]}({s['code']})`"
                           + (conds if s["controls"] else "")), list(dict.fromkeys(ids))))
        rows.append(f"- `{fld['field']}`: " + ("; then " if en else "；然后 ").join(parts))
    head = (f"`{f['method']}` builds a new `{f['entity']}` ({made}) and inserts it with `{f['insert']}` "
            f"({where}). Before the insert it sets these fields to fixed values (every setter on the record between the "
            "two is read):" if en else
            f"`{f['method']}` 新建 `{f['entity']}`（{made}），并用 `{f['insert']}` 插入（{where}）。"
            "插入前设成固定值的字段如下（两者之间对该记录的每个 set 调用都已核对）：")
    tail = []
    if f["computed"]:
        names = ", ".join(f"`{x}`" for x in f["computed"])
        tail.append(f"The other fields it sets before the insert ({names}) are set from expressions, not fixed values." if en
                    else f"插入前设置的其他字段（{names}）取表达式的值，而非固定值。")
    return "\n".join([head, *rows, *tail]), trace
