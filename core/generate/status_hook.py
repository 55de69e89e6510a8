"""Change-impact design "do something every time an X enters status V": every place that moves it there, and the hook.

Such a design is only worth signing when no place is missed, so it is derived only where the lifecycle facts know
every writer of the field (lifecycle_facts.Lifecycles.extra_setters: every `.setF(` a transition with a known value,
every mapper write a transition, a whole-record write or a parameter every caller passes as a literal). Each place is
the Java call that writes the row (the setter's persisting call, or the call of the mapper statement that sets the
column in SQL), cited with its method's signature and the checks above it. The hook is one new method per module the
places live in, in the class that holds most of them, called right after each write: a listener on the entity or its
setter would not see the statements that write the column in SQL.
"""

from __future__ import annotations

import re
from collections import Counter

from core.domain.schema import snake
from core.generate.design import Conventions, DesignSpec, Ref, _changes, _t
from core.generate.design_facts import cap, is_delete_flag
from core.generate.lifecycle_facts import MAX_SETTERS, _argument
from core.index.java_ast import lines as node_lines
from core.models import DesignProposal

MAX_PLACES = 8          # writes of one value: beyond this a per-call hook is not one design
_BY_KEY = re.compile(r"\.\s*(updateByPrimaryKey(Selective)?|updateById|save|saveAndFlush)\s*\(")
_CREATED = re.compile(r"\.\s*(insert\w*|add|save\w*|persist)\s*\(")
_ID_CRITERIA = re.compile(r"\.andId(In|EqualTo)\(\s*(\w+)\s*\)")
_CONSTANT = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_THROWS = re.compile(r"throw\b|[A-Z]\w*\.fail\w*\(")      # a throw, or a static helper that throws (Asserts.fail)


def on_status_specs(impact, domain: str) -> list[DesignSpec]:
    """One design per (entity, status field, labelled code) whose every writer is known and that some operation moves
    a record into (a code only set on the record being created needs no hook: it is the creation)."""
    r, lc = impact.r, impact._lifecycles()
    out = []
    for d, ent, fld in r._lifecycles(domain):
        rules = lc.transitions.get((ent["name"], fld), [])
        if is_delete_flag(fld) or r._snapshot(d, ent) or not rules or len(rules) > MAX_SETTERS:
            continue
        extra = lc.extra_setters(ent["name"], fld, rules)
        if extra is None:
            continue
        labels = {str(e["code"]): e for e in d["entries"] if _labelled(e)}
        setters = [(lc._setter(t), t) for t in rules] + [(x, None) for x in extra]
        for code in sorted({s["to"] for s, _ in setters} & set(labels)):
            members = [(s, t) for s, t in setters if s["to"] == code]
            if all(lc._on_new_record(s) for s, _ in members):
                continue
            spec = _spec(impact, domain, d, ent, fld, code, labels[code], members)
            if spec is not None:
                out.append(spec)
    return out


def _labelled(entry: dict) -> bool:
    """A code with a business label (not just its constant's name)."""
    label = entry.get("label") or ""
    return bool(label) and label != entry.get("name") and not _CONSTANT.match(label)


def _places(impact, ent: dict, members: list[tuple[dict, dict | None]]) -> list[dict] | None:
    """Each Java call that writes the code, with what identifies the records it moves; None when one is unknown."""
    code, out, seen = impact.code, [], set()
    for s, t in members:
        tf = (t or {}).get("facts") or {}
        if s.get("via") == "sql":         # a statement whose SET writes the literal: each Java call of it is a place
            st = s.get("stmt") or {"path": t["evidence"][0]["path"], "start_line": t["evidence"][0]["start_line"],
                                   "end_line": t["evidence"][0]["end_line"]}
            dao = code.methods.get(s.get("method_id") or "")
            calls = [c for c in (code.callers(dao) if dao else []) if c["path"] not in code.generated_paths]
            if not calls:
                return None
            for c in calls:
                place = _call_place(impact, ent, c["path"], c["line"], s["who"], st, s["from_codes"])
                if place is None:
                    return None
                out.append(place)
        elif s.get("through") or tf.get("through"):      # a call passing the code to a statement's parameter
            stmt = tf.get("through_stmt") or {"path": s["stmt"]["path"], "line": s["stmt"]["start_line"]}
            place = _call_place(impact, ent, s["path"], s["line"], s.get("through") or tf["through"],
                                {"path": stmt["path"], "start_line": stmt["line"], "end_line": stmt["line"]}, [])
            if place is None:
                return None
            out.append(place)
        else:
            place = _setter_place(impact, ent, s, tf)
            if place is None:
                return None
            out.append(place)
    unique = []
    for p in out:                         # a statement's caller that is also a rule of its own is one place
        if (p["path"], p["line"]) not in seen:
            seen.add((p["path"], p["line"]))
            unique.append(p)
    return unique


def _method_label(m: dict) -> str:
    return f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"


def _base(impact, path: str, m: dict, lines: list[int], line: int, end: int) -> dict:
    """What every place holds: its method, module, class, the write's lines and the span that shows them with the
    method's signature and the checks above."""
    start, stop = impact.code.span(path, [x for x in lines if x] + [end], m)
    module = next((f.get("module") for f in impact.data["files"] if f["path"] == path), None) or ""
    return {"op": _method_label(m), "method_id": m["symbol_id"], "class_id": m["parent_id"], "module": module,
            "layer": impact.code.layer_of(m["parent_id"]), "path": path, "line": line, "end": end,
            "start_line": start, "end_line": stop, "transactional": impact.r._transactional(m)}


def _setter_place(impact, ent: dict, s: dict, tf: dict) -> dict | None:
    """A Java setter persisted by a later call (`order.setStatus(4); orderMapper.updateByPrimaryKeySelective(order)`):
    the records are the receiver (a loaded record or one given its id) or the ids the update's criteria name."""
    w = s.get("write") or {}
    m = impact.code.method_at(s["path"], s["line"])
    recv = tf.get("receiver") or ""
    if not w.get("call") or not m or not recv:
        return None
    lines = impact.r.files.get(s["path"]).lines[m["start_line"] - 1:m["end_line"]]
    body = "\n".join(lines)
    built = re.search(rf"\b{re.escape(recv)}\s*=\s*new\s+\w+\s*\(", body)
    filters: list[str] = []              # what else the batch write's criteria test (`andDeleteStatusEqualTo(0)`)
    if not built or f"{recv}.setId(" in body:
        target = ("one", f"{recv}.getId()")
    else:                                # a new record carrying only the update: the ids are in the criteria
        ids = _ID_CRITERIA.search(body)
        if not ids:
            return None
        target = ("each" if ids.group(1) == "In" else "one", ids.group(2))
        chain = body[body.rfind(";", 0, ids.start()) + 1:body.find(";", ids.end())]   # the criteria statement
        filters = [f"{name}({arg})" for name, arg in re.findall(r"\.(and\w+)\(([^()]*)\)", chain)
                   if not name.startswith("andId")]
    set_fields = {f.lower() for f in re.findall(rf"\b{re.escape(recv)}\s*\.\s*set(\w+)\s*\(", body)}
    filter_fields = {crit.group(1).lower() for f in filters if (crit := _CRITERION.match(f))}
    place = _base(impact, s["path"], m, [s["line"], *s["limit_lines"], *(c["line"] for c in s["within"])],
                  w["line"], w.get("end_line") or w["line"])
    lines_all = impact.r.files.get(s["path"]).lines
    place.update({"write": w["call"], "setter": s["line"], "sql": None, "stmt": None, "target": target, "param": False,
                  "filters": filters, "stable": bool(filters) and not (filter_fields & set_fields),
                  "within": [{"condition": c["condition"], "branch": c["branch"], "line": c["line"]} for c in s["within"]
                             if not _encloses(lines_all, c["line"], w["line"])],
                  "branches": [{"condition": c["condition"], "branch": c["branch"], "line": c["line"]}
                               for c in s["within"] if c.get("branch") in ("then", "else")],
                  "returned": lines_all[w["line"] - 1].strip().startswith("return "),
                  "untested": not s["from_codes"] and _untested(lines_all, m, w["line"], tf["field"], bool(built)),
                  "from_codes": s["from_codes"], "new": bool(impact._lifecycles()._on_new_record(s)),
                  "criteria": bool(re.search(rf"\band{cap(tf['field'])}\w*\(", body)),
                  **_row_checks(impact, s["path"], w["line"]),
                  "by_key": bool(_BY_KEY.search(w["call"])),
                  "created": bool(_CREATED.search("\n".join(lines_all[m["start_line"] - 1:w["line"] - 1])))})
    return place


_CRITERION = re.compile(r"and(\w+?)(?:EqualTo|NotEqualTo|GreaterThan\w*|LessThan\w*|In|NotIn|IsNull|IsNotNull|Like|NotLike"
                        r"|Between|NotBetween)\(")


def _sets_filtered(sql: str, filters: list[str]) -> bool:
    """The UPDATE's SET assigns a column its WHERE also tests: after it, the same WHERE matches other rows."""
    head = re.split(r"\bwhere\b", sql, maxsplit=1, flags=re.I)[0]
    set_cols = {c.lower() for c in re.findall(r"(?:^|,|\bset\b)\s*`?(\w+)`?\s*=", head, re.I | re.M)}
    tested = [c.group(1).lower() for f in filters
              if (c := re.match(r"\s*(?:\w+\.)?`?(\w+)`?\s*(?:=|<>|!=|>=|<=|<|>|\bin\b|\bis\b)", f, re.I))]
    return any(c in set_cols for c in tested)


def _sql_filters(sql: str) -> list[str]:
    """The WHERE conditions of a batch UPDATE besides its id list (`AND status = 1`, `delete_status = 0`)."""
    where = re.split(r"\bwhere\b", re.sub(r"<foreach\b.*?</foreach>", " ", sql, flags=re.S | re.I), maxsplit=1, flags=re.I)
    if len(where) < 2:
        return []
    conds = [c.strip() for c in re.split(r"\band\b", re.sub(r"<[^>]+>", " ", where[1]), flags=re.I)]
    return [" ".join(c.split()) for c in conds if re.search(r"\w+\s*(=|<>|!=|>=|<=|<|>|\bin\b|\bis\b)", c, re.I)
            and not re.match(r"`?id`?\s+in\b", c, re.I)]


def _row_checks(impact, path: str, line: int) -> dict:
    """{row_check, logged_check}: the line of the row-count check after a write, under `row_check` when it stops the
    operation on 0 rows (throws, returns, leaves the loop), under `logged_check` when it only logs and carries on
    (litemall `OrderJob`: `if (..== 0) log.info(..) else log.info(..)`). A hook after a logging check is not skipped
    (blind read 20E: litemall S16); it goes in the check's changed-row branch (21J: litemall S7)."""
    rc = impact.code.row_check({"path": path, "line": line})
    stops = bool(rc) and (rc["fails"] or bool(re.match(r"(return|continue|break|throw)\b", rc["then"])))
    return {"row_check": rc["line"] if stops else None, "logged_check": rc["line"] if rc and not stops else None}


def _untested(lines: list[str], m: dict, write: int, fld: str, built: bool) -> bool:
    """Nothing before the write reads or filters on the field (a parameter carrying the requested code, mall's
    `statusParam.getStatus()`, is no read of the stored one), and either nothing is tested at all or the written record
    is built in the method (its `if`s can only test the request): a record already in the state is written again. A
    method that creates a record first (litemall submit: `add(order)`, then a zero-price order is set paid) is not: the
    record it moves may be the one it just created."""
    before = "\n".join(lines[m["start_line"] - 1:write])
    params = set(re.findall(r"(\w+)\s*[,)]", (m.get("signature") or "").split("(", 1)[-1]))
    reads = [r for r in re.finditer(rf"(\w+)?\s*\.\s*get{cap(fld)}\(|\band{cap(fld)}\w*\(", before)
             if r.group(1) not in params]
    created = _CREATED.search("\n".join(lines[m["start_line"] - 1:write - 1]))
    return not reads and not created and (built or not re.search(r"\bif\s*\(|\?", before))


def _encloses(lines: list[str], header: int, line: int) -> bool:
    """The block opened on `header` (an `if (..) {`) still holds `line`: braces opened there are not all closed."""
    depth = 0
    for n in range(header, line):
        depth += lines[n - 1].count("{") - lines[n - 1].count("}")
        if depth <= 0 and n > header:
            return False
    return depth > 0


def _call_place(impact, ent: dict, path: str, line: int, stmt_label: str, stmt: dict, froms: list[str]) -> dict | None:
    """The call of a mapper statement that sets the column in SQL: the records are those its arguments name."""
    m = impact.code.method_at(path, line)
    if not m or impact.code.inactive(m.get("parent_id")):
        return None
    text = impact.code.text(path, line)
    name = stmt_label.rsplit(".", 1)[-1]
    call = re.search(rf"[\w.]*\b{re.escape(name)}\s*\(.*?\)(?=\s*[;)]|\s*$)", text)
    args, n = [], 0
    while (a := _argument(impact.r.files.get(path).lines, line, name, n)) is not None:
        args.append(a)
        n += 1
    ids = [a for a in args if re.fullmatch(r"[a-z]\w*", a)]
    if len(ids) != 1:
        return None
    sql = "\n".join(impact.r.files.get(stmt["path"]).lines[stmt["start_line"] - 1:stmt["end_line"]])
    st = next((x for x in impact.r.data["sql_statements"] if x["path"] == stmt["path"]
               and x["start_line"] <= stmt["start_line"] <= x["end_line"]), None)
    whole = "\n".join(impact.r.files.get(stmt["path"]).lines[st["start_line"] - 1:st["end_line"]]) if st else sql
    end = impact.code.statement_end(path, line)
    place = _base(impact, path, m, [line], line, end)
    place.update({"write": call.group(0) if call else text.rstrip(";"), "setter": None, "sql": stmt_label,
                  "stmt": {"path": stmt["path"], "start_line": st["start_line"] if st else stmt["start_line"],
                           "end_line": min(st["end_line"], st["start_line"] + 39) if st else stmt["end_line"]},
                  "target": ("rows" if "<foreach" in whole else "one", ids[0]), "from_codes": froms, "new": False,
                  "filters": (filters := _sql_filters(whole) if "<foreach" in whole else []),
                  "stable": bool(filters) and not _sets_filtered(whole, filters),
                  "param": not froms and "#{" in sql, "within": [], "untested": False,
                  "returned": text.startswith("return "),
                  **_row_checks(impact, path, line)})
    return place


def _hooks(impact, ent: dict, fld: str, code: str, entry: dict, places: list[dict]) -> list[dict] | None:
    """One hook per module, in the class holding most of the module's places (a service first), named after the state.
    Places in other classes of the module call it through the owner's bean (its interface where it implements one),
    injected if they do not hold it yet; None where the owner already injects one of them (the two would depend on each
    other) or already has a method of that name."""
    words = re.findall(r"[A-Z][a-z0-9]*", ent["name"])
    base = "".join(words[1:]) if len(words) > 1 else ent["name"]
    const = (entry.get("name") or "").rsplit(".", 1)[-1]
    state = "".join(w.capitalize() for w in re.sub(r"^(ORDER_)?(STATUS_|STATE_)?", "", const).split("_") if w) \
        if const else f"{cap(fld)}{code.replace('-', 'Minus')}"
    name = f"on{base}{state}"
    hooks = []
    for module in sorted({p["module"] for p in places}):
        mine = [p for p in places if p["module"] == module]
        owners = Counter(p["class_id"] for p in mine)
        rank = {"service_impl": 0, "service": 1}
        cls_id = sorted(owners, key=lambda c: (-owners[c], rank.get(impact.code.layer_of(c), 2), c))[0]
        cls = impact.code.classes.get(cls_id) or {}
        if impact.code.has_method(cls_id, name):
            return None
        own = cls.get("name") or cls_id.rsplit(".", 1)[-1]
        iface = impact.code.cls(own.removesuffix("Impl")) if own.endswith("Impl") else None
        bean = iface["name"] if iface else own
        callers = {}
        for other in sorted(c for c in owners if c != cls_id):
            if _field_of(impact, cls_id, {impact.code.classes.get(other, {}).get("name") or "",
                                          (impact.code.classes.get(other, {}).get("name") or "").removesuffix("Impl")}):
                return None           # the owner already injects this class: injecting the owner back is a cycle
            held = _field_of(impact, other, {own, bean})
            callers[other] = {"field": held or bean[:1].lower() + bean[1:], "injected": bool(held)}
        hooks.append({"module": module, "class": own, "class_id": cls_id, "name": name, "bean": bean,
                      "iface": iface["name"] if iface and callers else None, "callers": callers,
                      "layer": impact.code.layer_of(cls_id), "id_type": _id_type(impact, ent),
                      "sender": _sender(impact, module)})
    return hooks


def _field_of(impact, class_id: str, types: set[str]) -> str | None:
    """The field of `class_id` whose type is one of `types` (an injected bean), if any."""
    return next((f["name"] for f in impact.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == class_id
                 and (f.get("type") or "").split("<")[0].rsplit(".", 1)[-1] in types - {""}), None)


def _sender(impact, module: str) -> dict | None:
    """The module's active message mechanism: a method of a live bean that sends through Spring's AMQP/Kafka/JMS
    template or publishes an application event (`amqpTemplate.convertAndSend`, `publisher.publishEvent`)."""
    for c in impact.data["calls"]:
        member = c["callee_name"].rsplit(".", 1)[-1]
        if member not in ("convertAndSend", "publishEvent") or c["path"] in impact.code.generated_paths:
            continue
        m = impact.code.methods.get(c["caller_id"])
        f_module = next((f.get("module") for f in impact.data["files"] if f["path"] == c["path"]), None)
        if not m or f_module != module or impact.code.inactive(m.get("parent_id")):
            continue
        return {"method": _method_label(m), "call": c["callee_name"], "path": m["path"], "start_line": m["start_line"],
                "end_line": min(impact.code.statement_end(c["path"], c["line"]), m["start_line"] + 39)}
    return None


def _id_type(impact, ent: dict) -> str:
    return next((f.get("type") or "Long" for f in impact.data["symbols"] if f["kind"] == "field"
                 and f.get("parent_id") == ent["symbol_id"] and f["name"] == "id"), "Long").rsplit(".", 1)[-1]


def _fails_after(impact, p: dict) -> tuple[int, str] | None:
    """The first throw a method can still reach after its write (`throw ..`, `Asserts.fail(..)`); a returned error
    (`return Response.fail(..)`) rolls nothing back, so it is not one."""
    m = impact.code.methods.get(p["method_id"]) or {}
    lines = impact.r.files.get(p["path"]).lines
    start = p["row_check"] + 2 if p.get("row_check") else p["end"] + 1     # past the write's own 0-row failure
    for n in range(start, (m.get("end_line") or p["end"]) + 1):
        text = lines[n - 1].strip()
        if _THROWS.match(text):
            return n, text
    return None


_PREDICATE_CALL = re.compile(r"\b([A-Z]\w*)\.((?:is|has|can)[A-Z]\w*)\(")


_NOTIFYING = re.compile(r"(?i)notif|sms|mail|message|sender|publish|event|push")


def _follow_ups(impact, p: dict) -> list[dict]:
    """Calls the place's method already makes after its write that notify or publish (`notifyService.notifySmsTemplate`,
    `cancelOrderSender.sendMessage`): a design that adds a hook beside them without a word reads as not having looked
    (blind read 21H: litemall S15/S20)."""
    m = impact.code.methods.get(p["method_id"]) or {}
    outline = impact.r.outline
    around = {(c.kind, c.line) for c in outline.controls(p["path"], p["line"])}

    def with_the_write(c: dict) -> bool:   # runs only where the write ran: inside every branch the write is in
        return around <= {(x.kind, x.line) for x in outline.controls(c["path"], c["line"])}
    return [{"call": c["callee_name"], "line": c["line"]} for c in impact.code.calls_in(p["method_id"])
            if p["line"] < c["line"] <= m.get("end_line", 0) and re.match(r"[a-z]\w*\.\w+$", c["callee_name"])
            and _NOTIFYING.search(c["callee_name"]) and not re.search(r"(?i)^log(ger)?\.", c["callee_name"])
            and with_the_write(c)][:3]


def _predicate_refs(impact, p: dict, fld: str) -> list[Ref]:
    """A static state predicate the place's check calls (`OrderUtil.isCreateStatus(order)`): "only from 101" rests
    on its body, which is cited (blind read 21H: litemall S23)."""
    lines = impact.r.files.get(p["path"]).lines[p["start_line"] - 1:p["line"]]
    out = []
    for cls, name in dict.fromkeys(_PREDICATE_CALL.findall("\n".join(lines))):
        m = impact.code.method(f"{cls}.{name}")
        if m and m["end_line"] - m["start_line"] < 10:
            out.append(Ref(f"{cls}.{name}", f"decides which {fld} values pass the check",
                           f"决定哪些 {fld} 取值能通过检查", m["path"], m["start_line"], m["end_line"]))
    return out


def _spec(impact, domain: str, d: dict, ent: dict, fld: str, code: str, entry: dict,
          members: list[tuple[dict, dict | None]]) -> DesignSpec | None:
    places = _places(impact, ent, members)
    if not places or len(places) > MAX_PLACES:
        return None
    hooks = _hooks(impact, ent, fld, code, entry, places)
    if not hooks:
        return None
    r = impact.r
    label = impact._label_of(d, code)
    # the codes "only from X" names are shown with the target's (blind read 21H: litemall S15, STATUS_REFUND = 202)
    refs = r._dict_refs(d, list(dict.fromkeys([code, *(c for p in places for c in p["from_codes"])])))
    for p in places:
        froms = " or ".join(p["from_codes"])
        only = (f" (only from {froms})" if froms else "", f"（仅从 {froms} 开始）" if froms else "")
        if p["setter"]:
            en = f"sets {fld} to {code} and writes it with `{_short(p['write'])}` (line {p['line']})"
            zh = f"把 {fld} 设为 {code}，并以 `{_short(p['write'])}` 写入（第 {p['line']} 行）"
        elif p["param"]:
            en = f"passes {code} to `{p['sql']}` (`{_short(p['write'])}`, line {p['line']}), whose UPDATE writes it to {fld}"
            zh = f"把 {code} 传给 `{p['sql']}`（`{_short(p['write'])}`，第 {p['line']} 行），其 UPDATE 把它写入 {fld}"
        else:
            en = f"calls `{_short(p['write'])}` (line {p['line']}), whose UPDATE sets {fld} to {code}"
            zh = f"调用 `{_short(p['write'])}`（第 {p['line']} 行），其 UPDATE 把 {fld} 设为 {code}"
        end = max(p["end_line"], p["line"])          # the claim names the write's line: the span must hold it
        refs.append(Ref(p["op"], en + only[0], zh + only[1], p["path"], max(p["start_line"], end - 39), end))
        refs += _predicate_refs(impact, p, fld) if p["from_codes"] else []
        p["follow_ups"] = _follow_ups(impact, p)
        refs += [Ref(p["op"], f"already calls `{c['call']}` after the write", f"写入之后已调用 `{c['call']}`",
                     p["path"], c["line"], c["line"]) for c in p["follow_ups"]]
        if p["stmt"]:
            refs.append(Ref(p["sql"], f"writes {fld} in the UPDATE itself", f"在 UPDATE 语句中写入 {fld}",
                            p["stmt"]["path"], p["stmt"]["start_line"], p["stmt"]["end_line"]))
        fail = _fails_after(impact, p) if p["transactional"] else None
        p["fails_after"] = list(fail) if fail else None
        if p["transactional"]:   # the hook waits for the commit; the risk rests on @Transactional: it is shown
            m = impact.code.methods.get(p["method_id"]) or {}
            tx = r.tx_ref(m) if m else None
            p["deferred"] = (tx is not None or bool(fail)) and not p["returned"]
            refs += [tx] if tx and all((x.path, x.start_line) != (tx.path, tx.start_line) for x in refs) else []
        if fail:       # the risk quotes the throw (blind read 20E)
            refs.append(Ref(p["op"], f"can still throw after its write: `{_short(fail[1], 70)}`",
                            f"写入之后仍可能抛出异常：`{_short(fail[1], 70)}`", p["path"], fail[0], fail[0]))
        if p.get("row_check"):   # the check the hook is placed after, with what it does (21J: mall S27 cut the throw)
            node = r.outline.statement_at(p["path"], p["row_check"])   # the whole `if`, to its throw (22M: S11)
            end = node_lines(node)[1] if node is not None else impact.code.statement_end(p["path"], p["row_check"])
            refs.append(Ref(p["op"], "stops when its write changed no row", "写入未改动任何行时停止",
                            p["path"], p["row_check"], min(end, p["row_check"] + 6)))
        elif p.get("logged_check"):   # the check whose non-zero branch takes the hook
            end = impact.code.statement_end(p["path"], p["logged_check"])
            refs.append(Ref(p["op"], "only logs when its write changed no row, and goes on", "写入未改动任何行时只记录日志",
                            p["path"], p["logged_check"], min(end, p["logged_check"] + 6)))
    for h in hooks:
        x = h["sender"]
        if x and not any(r_.name == x["method"] for r_ in refs):
            refs.append(Ref(x["method"], f"sends a message with `{x['call']}` (an active bean of {h['module']})",
                            f"用 `{x['call']}` 发送消息（{h['module']} 中生效的 bean）", x["path"], x["start_line"],
                            x["end_line"]))
    facts = {"entity": ent["name"], "field": fld, "code": code, "label": label, "places": places, "hooks": hooks,
             "table": r.tables[ent["symbol_id"]]}
    text_en = (f"Every time {_a(ent['name'])} enters {fld} {label}, run one follow-up action (for "
               f"example, send a notification or record an event). Which code moves it there, and where does the hook "
               "go so that no path is missed?")
    text_zh = (f"每当 {ent['name']} 的 {fld} 变为 {label} 时，都要执行一个后续动作（例如发送通知或记录事件）。"
               "哪些代码会把它改为该状态？钩子应放在哪里才不会漏掉任何一条路径？")
    from core.generate.impact import _req_id
    return DesignSpec(_req_id("on_status", d["dict_id"], code), "on_status", domain, text_en, text_zh, refs, facts)


def impact_layer(class_id: str, places: list[dict]) -> str:
    return next(p["layer"] for p in places if p["class_id"] == class_id)


def _send_en(sender: dict) -> str:
    return (f"; an action that should not hold up the caller (a notification) can be sent from it as a message, the "
            f"way `{sender['method']}` sends one with `{sender['call']}`, on a destination of its own")


def _send_zh(sender: dict) -> str:
    return f"；不应拖慢调用方的动作（如通知）可在这里像 `{sender['method']}` 那样用 `{sender['call']}` 发消息，使用自己的目的地"


def _short(call: str, limit: int = 90) -> str:
    return call if len(call) <= limit else call[:limit].rsplit(" ", 1)[0] + " …"


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _target(p: dict, lang: str, ent: str) -> str:
    """Which records the hook runs for. A batch write returns only a count: where it also tests the current state, a
    re-read afterwards cannot tell a record it moved from one already there (blind read 21K: mall S11), so the ids
    it will move are read, locked, before it (blind read 21J: mall S26 promised "the rows the statement moved")."""
    kind, var = p["target"]
    if kind in ("rows", "each"):
        what = _t(lang, f"each {ent} that `{var}` names" if kind == "rows" else f"each id in `{var}`",
                  f"`{var}` 中的每个 {ent}" if kind == "rows" else f"`{var}` 中的每个 id")
        if not p["from_codes"] and not p.get("filters"):
            return _t(lang, f"once for {what}: the write tests nothing but the ids, so every record it names is moved",
                      f"对{what}各调用一次：该写入只按 id 匹配，列出的每条记录都会被改动")
        if not p["from_codes"] and p.get("stable"):   # the criteria test columns the write leaves as they are
            tested = ", ".join(f"`{x}`" for x in p["filters"])
            return _t(lang, f"once for {what} that its criteria also match ({tested}): the write does not change those "
                            "columns, so reading the ids with the same criteria right after it, in the same transaction, "
                            "gives exactly the records it wrote",
                      f"对{what}中同时满足条件（{tested}）的记录各调用一次：该写入不修改这些列，因此在同一事务中、写入之后"
                      "按相同条件读出的 id 正是它写入的记录")
        still = " or ".join(p["from_codes"]) if p["from_codes"] else None
        tested = ", ".join(f"`{x}`" for x in p.get("filters") or [])
        return _t(lang, f"once for {what} that the write moves: it returns only a count, so right before it read "
                        + (f"those still in {still}" if still else f"those its criteria still match ({tested})")
                        + " with a locking read "
                        "(`SELECT … FOR UPDATE`, the write's own WHERE) inside the same transaction, and call the hook "
                        "for those ids",
                  f"对{what}中真正被改动的记录各调用一次：该写入只返回行数，因此在它之前于同一事务中用加锁读取"
                  f"（`SELECT … FOR UPDATE`，与写入相同的 WHERE）找出"
                  + (f"仍处于 {' 或 '.join(p['from_codes'])} " if p["from_codes"] else f"仍满足条件（{tested}）")
                  + "的记录，再对这些 id 调用钩子")
    return _t(lang, f"with `{var}`", f"参数为 `{var}`")


def _racy(p: dict) -> bool:
    """A check in Java (`if (order.getStatus() != 2) throw`, or of another field) followed by a write known to match
    the row by its key alone (a generated `updateByPrimaryKey`, `updateById`, a JPA `save`): a check-then-act race,
    so the action can run twice (blind read 20A: mall S17 said "exactly when" of `confirmReceiveOrder`). A write
    through anything else may guard itself (litemall's `updateWithOptimisticLocker` matches `update_time` too:
    blind read 20B S2/S11/S16/S32) and is not said to race; nor is a record the method created itself, or a place
    with no check at all (`untested`, its own risk)."""
    return not p["untested"] and not p["sql"] and p.get("by_key", False) and not p.get("created")


def _exact(p: dict) -> bool:
    """The write itself tests the status and its row count is checked: only one of two racing requests gets past."""
    return bool(p["from_codes"]) and bool(p["sql"] or (p.get("criteria") and not p.get("by_key"))) \
        and bool(p.get("row_check"))


def _unconfirmed(p: dict) -> bool:
    """The write tests the current status (criteria or SQL) but its row count is not checked: a write that matched
    nothing is not told apart, and the hook after it runs anyway. Criteria that belong to a select before a write by
    key are not the write's (blind read 20E: mall S4, `cancelOrder` loads by status 0, then updates by id)."""
    return bool(p["from_codes"]) and bool(p["sql"] or (p.get("criteria") and not p.get("by_key"))) \
        and not p.get("row_check") and not p.get("logged_check")


def _refused_tests(places: list[dict], fld: str, lang: str) -> list[str]:
    """Only what the changes implement: a place whose hook follows its row-count check skips it when no row matched; a
    Java-side check of the current status (a `from` with no criteria or SQL doing it) exits before the write and the
    hook. A WHERE/criteria guard without a row-count check, or no check at all, promises nothing."""
    out = []
    for p in places:
        if p.get("row_check"):
            out.append(_t(lang, f"when the write in `{p['op']}` matches no row, its row-count check stops it and the "
                                "action does not run", f"`{p['op']}` 的写入未匹配到记录时，影响行数检查使其停止，动作不执行"))
        elif p["from_codes"] and not p["sql"] and not p.get("criteria"):
            froms = " or ".join(p["from_codes"])
            out.append(_t(lang, f"when `{p['op']}` is called for a record whose {fld} is not {froms}, its check "
                                "refuses it before the write and the action does not run",
                          f"对 {fld} 不为 {froms} 的记录调用 `{p['op']}` 时，写入前的检查拒绝它，动作不执行"))
    return out


def on_status_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """One hook per module, called right after each write that moves the record into the state."""
    f = spec.facts
    ent, fld, code, label, places, hooks = f["entity"], f["field"], f["code"], f["label"], f["places"], f["hooks"]
    by_module = {h["module"]: h for h in hooks}
    changes = []
    for h in hooks:
        where = f" in {h['module']}" if len(hooks) > 1 else ""
        shared = bool(h["callers"])
        changes.append((h["layer"], h["class"], _t(
            lang, f"add a {'public' if shared else 'private'} method `{h['name']}({h['id_type']} id)` that runs the "
                  f"action for one {ent} that has just entered {fld} {code}; it is the only place the action is written"
                  + where + (_send_en(h["sender"]) if h["sender"] else ""),
            f"新增{'公有' if shared else '私有'}方法 `{h['name']}({h['id_type']} id)`，对刚进入 {fld} {code} 的一个 {ent} "
            "执行该动作；动作只写在这里" + (f"（{h['module']} 模块）" if where else "")
            + (_send_zh(h["sender"]) if h["sender"] else "")), False))
        if h["iface"]:
            changes.append(("service", h["iface"], _t(lang, f"declare `{h['name']}({h['id_type']} id)`, so the other "
                                                            "classes below call it through the bean",
                                                      f"声明 `{h['name']}({h['id_type']} id)`，供下面其他类通过该 bean 调用"),
                            False))
        for cid, c in h["callers"].items():
            if not c["injected"]:
                name = cid.rsplit(".", 1)[-1]
                changes.append((impact_layer(cid, places), name, _t(
                    lang, f"inject `{h['bean']}` as a field `{c['field']}`, the way it injects its other beans",
                    f"像注入其他 bean 一样，注入 `{h['bean']}`，字段名 `{c['field']}`"), False))
    for p in places:
        h = by_module[p["module"]]
        hook = h["name"] if p["class_id"] == h["class_id"] else f"{h['callers'][p['class_id']]['field']}.{h['name']}"
        rc, w = p.get("row_check"), _short(p["write"])
        if rc and rc == p["line"]:
            after = _t(lang, f"after the row-count check that wraps `{w}` (lines {p['line']}-{p['end']})",
                       f"在包住 `{w}` 的影响行数检查（第 {p['line']}-{p['end']} 行）之后")
        elif rc:
            after = _t(lang, f"after `{w}` (line {p['line']}) and its row-count check (line {rc})",
                       f"在 `{w}`（第 {p['line']} 行）及其影响行数检查（第 {rc} 行）之后")
        elif p.get("logged_check"):
            after = _t(lang, f"where the row-count check of `{w}` (line {p['logged_check']}) finds that it changed a row "
                             "(the branch for a non-zero count; the 0-row branch only logs and goes on)",
                       f"在 `{w}` 的影响行数检查（第 {p['logged_check']} 行）确认改动了记录的分支中（0 行的分支只记录日志）")
        else:
            after = _t(lang, f"after `{w}` (line {p['line']})", f"在 `{w}`（第 {p['line']} 行）之后")
        sql = _t(lang, f"; `{p['sql']}` sets the column in SQL, so no setter or entity listener sees the change",
                 f"；`{p['sql']}` 在 SQL 中设置该列，setter 或实体监听都看不到这次改动") if p["sql"] else ""
        when = "".join(_t(lang, f", only when `{c['condition']}` held (its branch at line {c['line']} sets it)"
                          if c["branch"] == "then" else
                          f", only when `{c['condition']}` did not hold (its else branch, line {c['line']}, sets it)",
                          f"，且仅在设置它的 `{c['condition']}` 分支（第 {c['line']} 行）" if c["branch"] == "then"
                          else f"，且仅在 `{c['condition']}`（第 {c['line']} 行）的 else 分支") for c in p["within"])
        if p["returned"]:
            act = _t(lang, f"line {p['line']} returns the result of `{_short(p['write'])}`: keep it in a local, call "
                           f"`{hook}` {_target(p, lang, ent)}{when}, then return it{sql}",
                     f"第 {p['line']} 行直接返回 `{_short(p['write'])}` 的结果：先存入局部变量，调用 `{hook}`，"
                     f"{_target(p, lang, ent)}{when}，再返回{sql}")
        elif p.get("deferred"):   # a rollback after the write must not leave the action done (22M: S11, 23DD)
            n = p["fails_after"][0] if p["fails_after"] else None   # the general reason is said once, in the Flow
            why = _t(lang, f": the throw at line {n} still rolls the status back" if n else "",
                     f"：第 {n} 行的异常仍会回滚状态" if n else "")
            act = _t(lang, f"{after}, call `{hook}` {_target(p, lang, ent)}{when}{sql}, from an `afterCommit` (see Flow){why}",
                     f"{after}调用 `{hook}`，{_target(p, lang, ent)}{when}{sql}，放在 `afterCommit` 中（见流程）{why}")
        else:
            act = _t(lang, f"{after}, call `{hook}` {_target(p, lang, ent)}{when}{sql}",
                     f"{after}调用 `{hook}`，{_target(p, lang, ent)}{when}{sql}")
        changes.append((p["layer"], p["op"], act, False))
    n_sql = [p for p in places if p["sql"]]
    unchecked = list(dict.fromkeys(p["op"] for p in places if p["untested"]))
    again = ", ".join(f"`{op}`" for op in unchecked)
    racy = list(dict.fromkeys(p["op"] for p in places if _racy(p) or _unconfirmed(p)))
    raced = ", ".join(f"`{op}`" for op in racy)
    rows = []
    for p in places:
        froms = " or ".join(p["from_codes"])
        # every branch the setter sits in is said, so that no place reads as unconditional (blind read 21G:
        # litemall S27, `submit` sets 201 only for a zero-price order)
        branches = "".join(_t(lang, f", only when `{c['condition']}`" if c["branch"] == "then"
                              else f", only when `{c['condition']}` does not hold",
                              f"，仅当 `{c['condition']}`" if c["branch"] == "then" else f"，仅当 `{c['condition']}` 不成立")
                           for c in p.get("branches") or [])
        rows.append(_t(lang, f"`{p['op']}` (line {p['line']})" + (f", only from {froms}" if froms else "") + branches
                       + (f", through the statement `{p['sql']}`" if p["sql"] else ""),
                       f"`{p['op']}`（第 {p['line']} 行）" + (f"，仅从 {froms} 开始" if froms else "") + branches
                       + (f"，经由语句 `{p['sql']}`" if p["sql"] else "")))
    understanding = _t(
        lang, f"{len(places)} place{'s' if len(places) != 1 else ''} in the code move{'s' if len(places) == 1 else ''} "
              f"{ent}.{fld} to {label} (counting every `set{cap(fld)}` call on {_a(ent)} and every mapper statement "
              f"that writes {f['table']}.{snake(fld)}): " + "; ".join(rows) + ". Calling one method right after each of "
              + ("these writes runs the action exactly when the state is entered, and nowhere else."
                 if all(_exact(p) for p in places) else
                 "these writes runs the action on every path into the state." if not again and not racy else
                 f"these writes runs the action on every path into the state; {again} {'does' if len(unchecked) == 1 else 'do'} "
                 f"not check the current {fld}, so {'it runs' if len(unchecked) == 1 else 'they run'} it again when "
                 f"rewriting a record already in {code} (see Risks)." if again else
                 f"these writes runs the action on every path into the state, but not always once: see Risks for "
                 f"{raced}.")
              + (f" {len(n_sql)} of them {'sets' if len(n_sql) == 1 else 'set'} the column in SQL, which a listener "
                 "on the entity or its setter would not see." if n_sql else "")
              + "".join(f" `{p['op']}` already calls " + ", ".join(f"`{c['call']}` (line {c['line']})" for c in p["follow_ups"])
                        + " after its write: an action of that kind can join those calls there." for p in places
                        if p["follow_ups"]),
        f"代码中共有 {len(places)} 处把 {ent}.{fld} 改为 {label}（统计范围：{ent} 上所有 `set{cap(fld)}` 调用，以及所有写 "
        f"{f['table']}.{snake(fld)} 的 mapper 语句）：" + "；".join(rows)
        + ("。在每次写入之后调用同一个方法，动作就恰好在进入该状态时执行。" if all(_exact(p) for p in places) else
           "。在每次写入之后调用同一个方法，每条进入该状态的路径都会执行动作。" if not again and not racy else
           f"。在每次写入之后调用同一个方法，每条进入该状态的路径都会执行动作；但 {again} 不检查当前的 {fld}，"
           f"对已处于 {code} 的记录再次写入时也会再次执行（见风险）。" if again else
           f"。在每次写入之后调用同一个方法，每条进入该状态的路径都会执行动作，但不一定只执行一次：{raced} 见风险。")
        + (f"其中 {len(n_sql)} 处在 SQL 中设置该列，实体或其 setter 上的监听看不到它们。" if n_sql else "")
        + "".join(f"`{p['op']}` 在写入之后已调用 " + "、".join(f"`{c['call']}`（第 {c['line']} 行）" for c in p["follow_ups"])
                  + "：同类动作可以放在那里。" for p in places if p["follow_ups"]))
    risks = []
    for p in places:
        if p["fails_after"] and p.get("deferred"):
            n, text = p["fails_after"]
            risks.append(_t(lang, f"`{p['op']}` is transactional and can still throw after its write (line {n}: "
                                  f"`{_short(text, 70)}`), which rolls the status back: that is why its hook call waits "
                                  "for the commit",
                            f"`{p['op']}` 在事务中，写入之后仍可能抛出异常（第 {n} 行：`{_short(text, 70)}`），状态会回滚："
                            "所以它的钩子调用要等到提交之后"))
        if p["untested"]:
            risks.append(_t(lang, f"`{p['op']}` does not read the current {fld} before writing {code} and its update "
                                  f"does not filter on it: {_a(ent)} "
                                  f"already in {code} is written again and would run the action again, so the hook "
                                  "must bear a repeat (or the write must test the current status)",
                            f"`{p['op']}` 写入 {code} 前不读取当前的 {fld}，更新也不按 {fld} 过滤："
                            f"已处于 {code} 的 {ent} 会被再次写入并再次执行动作，"
                            "因此钩子必须能承受重复（或在写入时判断当前状态）"))
        if _racy(p):
            froms = " or ".join(p["from_codes"])
            check = _t(lang, (f"loads the record only while {fld} is {froms}" if p.get("criteria") else
                              f"checks that {fld} is {froms} in Java") if froms else "checks the record in Java",
                       (f"只在 {fld} 为 {froms} 时读出记录" if p.get("criteria") else f"先在 Java 中检查 {fld} 为 {froms}")
                       if froms else "先在 Java 中检查记录")
            cond = _t(lang, f"{fld} = {froms}" if froms else "the condition it checks in Java", f"{fld} = {froms}" if froms
                      else "它在 Java 中检查的条件")
            risks.append(_t(lang, f"`{p['op']}` {check}, then writes {code} with an update that does not test {fld}"
                                  + ("" if p.get("row_check") else " and whose row count nothing checks")
                                  + ": two requests at the same time both pass the check, both write and both run the "
                                  f"action; filter the update on {cond} and call the hook only when it changed a row",
                            f"`{p['op']}` {check}，再用不判断 {fld} 的更新写入 {code}"
                            + ("" if p.get("row_check") else "，且不检查影响行数")
                            + f"：两个同时到达的请求都会通过检查、都写入并各执行一次动作；应在更新条件中加上 {cond}，"
                              "并仅在确有记录被改动时调用钩子"))
        if _unconfirmed(p):
            risks.append(_t(lang, f"`{p['op']}`'s write only matches records in {' or '.join(p['from_codes'])}, but "
                                  "nothing checks how many rows it changed: when another request moved the record "
                                  "first, the write changes nothing and the hook still runs; call it only when a row "
                                  "changed",
                            f"`{p['op']}` 的写入只匹配处于 {' 或 '.join(p['from_codes'])} 的记录，但没有检查影响行数："
                            "若记录已被另一请求改动，写入不改变任何行，钩子仍会执行；应仅在确有记录被改动时调用"))
        if p["sql"] and p["target"][0] in ("each", "rows") and not p["from_codes"] \
                and not any(re.search(rf"\b{re.escape(snake(fld))}\b", x) for x in p.get("filters") or []):
            risks.append(_t(lang, f"`{p['op']}` writes {code} to the ids it is given without testing {fld} in its WHERE: "
                                  "a record another request moved after those ids were read (or one already in "
                                  f"{code}) is written again and the action runs for it; test the current {fld} in "
                                  "the WHERE and run the action only for the rows it changed",
                            f"`{p['op']}` 按传入的 id 写入 {code}，WHERE 中不判断 {fld}：读出这些 id 之后被其他请求改动的记录"
                            f"（或已处于 {code} 的记录）会被再次写入并执行动作；"
                            f"应在 WHERE 中判断当前的 {fld}，只对改动的行执行动作"))
        if p["target"][0] in ("each", "rows") and (p["from_codes"] or p.get("filters") and not p.get("stable")):
            risks.append(_t(lang, f"`{p['op']}` moves several records in one write that returns only a count: a re-read "
                                  "after it cannot tell a record it moved from one that was already in the state, "
                                  "which is why the ids are read, locked, before it",
                            f"`{p['op']}` 一次写入多条记录且只返回行数：写入之后再读无法区分被它改动的记录和原本就处于该"
                            "状态的记录，因此要在写入前加锁读出这些 id"))
    if any(p.get("deferred") for p in places):
        risks.append(_t(lang, "an action registered for after the commit no longer undoes the status change when it "
                              "fails; database work it does must run in a transaction of its own (`Propagation."
                              "REQUIRES_NEW`), and an exception it throws reaches the caller after the commit",
                        "登记在提交后执行的动作失败时不再撤销状态变更；它做的数据库操作须在自己的事务中执行"
                        "（`Propagation.REQUIRES_NEW`），它抛出的异常会在提交之后传给调用方"))
    risks.append(_t(lang, f"an operation added later that moves {ent}.{fld} to {code} must call the hook too",
                    f"以后新增的把 {ent}.{fld} 改为 {code} 的操作也必须调用该钩子"))
    tests = [_t(lang, f"after `{p['op']}` moves a record to {code}, the action ran once for it",
                f"`{p['op']}` 把记录改为 {code} 后，动作对它执行了一次") for p in places]
    tests += _refused_tests(places, fld, lang)
    tests += [_t(lang, f"when `{p['op']}` fails after its write" + (f" (line {p['fails_after'][0]})" if p["fails_after"]
                                                                       else "") + ", the status change is rolled back "
                       "and the action does not run",
                 f"`{p['op']}` 在写入后失败" + (f"（第 {p['fails_after'][0]} 行）" if p["fails_after"] else "")
                 + "时，状态变更被回滚，动作不执行")
              for p in places if p.get("deferred")]
    return DesignProposal(
        understanding=understanding, changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none: the hook reads the record by its id", "无：钩子按 id 读取记录")],
        flow=[_t(lang, f"each listed operation writes {fld} = {code} as today",
                 f"各操作照常写入 {fld} = {code}"),
              _t(lang, "right after the write (after its row-count check, where the operation has one), it calls the "
                       "hook of its module for the records it writes" + ("; in a transactional operation the call is "
                       "made from an `afterCommit` registered with `TransactionSynchronizationManager."
                       "registerSynchronization(..)`, so that it runs once the transaction commits and not at all when "
                       "it rolls back: a failure later in its transaction (or in the one that called it) still rolls the "
                       "status back" if any(p.get("deferred") for p in places) else ""),
                 "写入之后（有影响行数检查的，在检查之后），立即为写入的记录调用本模块的钩子"
                 + ("；在事务中的操作，则在用 `TransactionSynchronizationManager.registerSynchronization(..)` 登记的 "
                    "`afterCommit` 中调用，事务提交后才执行，回滚时不执行" if any(p.get("deferred") for p in places) else "")),
              _t(lang, "the hook runs the action", "钩子执行该动作")],
        risks=risks, test_plan=tests)
