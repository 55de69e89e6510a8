"""What an entry point writes to the database: every SQL write on its path, in order, with the
branches and loops that decide whether (and how often) each one runs.

Built from a stored flow (core.domain.flows: the walk from an endpoint, job or
listener through the project's own services, DAOs and mappers, with every
call site of a method, not only the first) and the Java outline that tells
which `if`, `else`, loop or lambda encloses each call. A flow whose walk was
cut short (too deep, too many steps) or that reaches too many writes to
answer readably yields nothing: a partial list of writes would be presented
as the whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.domain.flows import MAX_DEPTH, MAX_STEPS, CallGraph, MethodInfo
from core.generate.spans import Control, JavaOutline
from core.rules.java_rules import named_value

WRITES = frozenset({"insert", "update", "delete", "upsert"})
READS = frozenset({"select"})
MAX_WRITES = 8          # more and the answer is a dump, not something a developer reads
MAX_SITES = 4           # call sites reaching one statement
MAX_PATHS = 400         # call paths enumerated per flow before giving up


@dataclass
class _Method:
    path: str
    edges: list[tuple[int, str]] = field(default_factory=list)    # (call line, callee) in source order
    sql: list[str] = field(default_factory=list)


class TooBroad(Exception):
    """The flow cannot be answered completely within the limits above."""


def _graph(steps: list[dict]) -> dict[str, _Method]:
    """Methods of the walk with their call sites (`again` steps included) and their own SQL statements."""
    methods: dict[str, _Method] = {}
    stack: list[str] = []
    for s in steps:
        depth, sym = s["depth"], s["symbol_id"]
        if s["kind"] == "sql":
            methods[stack[depth - 1]].sql.append(s["stmt_id"])
            continue
        if s["kind"] != "again":
            methods.setdefault(sym, _Method(s["path"]))
        if depth:
            methods[stack[depth - 1]].edges.append((s["call_line"], sym))
        if s["kind"] != "again":
            del stack[depth:]
            stack.append(sym)
    return methods


def complete(steps: list[dict]) -> bool:
    """False when the walk stopped early: its step budget ran out or a method at the depth limit was not
    followed further, so SQL below it may be missing."""
    return len(steps) < MAX_STEPS and not any(s["depth"] >= MAX_DEPTH and s["kind"] not in ("sql", "again")
                                              for s in steps)


def write_sites(steps: list[dict], stmts: dict[str, dict],
                kinds: frozenset[str] = WRITES) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """(statement id, call chain) for every way the entry reaches a statement of `kinds` (writes unless told),
    in execution order of the code; a chain is [(caller id, caller path, call line), ...] from the entry down to
    the DAO/mapper method."""
    methods = _graph(steps)
    out: list[tuple[str, list[tuple[str, str, int]]]] = []
    budget = [MAX_PATHS]

    def go(method_id: str, chain: list[tuple[str, str, int]], on_path: frozenset[str]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooBroad(f"more than {MAX_PATHS} call paths")
        node = methods[method_id]
        out.extend((st, chain) for st in node.sql if stmts.get(st, {}).get("kind") in kinds)
        for line, callee in node.edges:
            if callee not in on_path and callee in methods:
                go(callee, [*chain, (method_id, node.path, line)], on_path | {callee})

    entry = steps[0]["symbol_id"]
    go(entry, [], frozenset({entry}))
    return out


def flow_writes(steps: list[dict], stmts: dict[str, dict], outline: JavaOutline,
                max_writes: int = MAX_WRITES, kinds: frozenset[str] = WRITES) -> list[dict]:
    """One record per written statement (or one of `kinds`: READS for queries), in the order first reached, each
    with every call site reaching it:
    {stmt_id, kind, tables, path, start_line, end_line, sites: [{hops: [{caller, path, line, controls}]}]}."""
    writes: dict[str, dict] = {}
    for stmt_id, chain in write_sites(steps, stmts, kinds):
        st = stmts[stmt_id]
        rec = writes.setdefault(stmt_id, {"stmt_id": stmt_id, "label": statement_label(stmt_id), "kind": st["kind"],
                                          "tables": st["tables"] or [],
                                          "path": st["path"], "start_line": st["start_line"],
                                          "end_line": st["end_line"], "sites": []})
        callees = [c[0].partition("#")[2].split("(")[0] for c in chain[1:]] + [stmt_id.rsplit(".", 1)[-1]]
        hops = [{"caller": caller, "label": member_label(caller), "path": path, "line": line,
                 "controls": [control_fact(c) for c in outline.controls(path, line, callee)]}
                for (caller, path, line), callee in zip(chain, callees)]
        if st["kind"] in ("update", "insert"):   # the fixed values each caller puts on the record it passes down
            record_values(hops, callees, outline)
            _drop_unbound(hops, st.get("sql") or "")
        rec["sites"].append({"hops": hops})
    if len(writes) > max_writes or any(len(w["sites"]) > MAX_SITES for w in writes.values()):
        raise TooBroad(f"{len(writes)} written statements")
    out = list(writes.values())
    _mark_after_return(out, outline)
    return out


def _mark_after_return(writes: list[dict], outline: JavaOutline) -> None:
    """A write reached after a branch that returns the call leading to an earlier write (`if (temp != null)
    { ..; return update(temp); }` then `insert(item)`) runs only when that branch is not taken: the two are
    alternatives, not a sequence (blind read H: newbee S6). Marked on the later write as `after_return`."""
    for j, later in enumerate(writes):
        for i, earlier in enumerate(writes[:j]):
            if len(earlier["sites"]) != 1 or len(later["sites"]) != 1:
                continue
            a, b = earlier["sites"][0]["hops"], later["sites"][0]["hops"]
            for d in range(min(len(a), len(b))):
                if a[d]["caller"] != b[d]["caller"]:
                    break
                if a[d]["line"] == b[d]["line"]:
                    continue
                stmt = outline.statement_at(a[d]["path"], a[d]["line"])
                inner = {(c["line"], c["kind"]) for c in b[d]["controls"]}
                branch = next((c for c in reversed(a[d]["controls"]) if c["kind"] in ("if", "else")
                               and (c["line"], c["kind"]) not in inner), None)
                if a[d]["line"] < b[d]["line"] and stmt is not None and stmt.type == "return_statement" and branch:
                    later.setdefault("after_return", {"write": i + 1, "path": a[d]["path"], "line": a[d]["line"],
                                                      "label": a[d]["label"], "control": branch})
                break


def record_values(hops: list[dict], callees: list[str], outline: JavaOutline) -> None:
    """`sets` on each hop: the values put on the record that reaches the write, each as the caller gave it."""
    frames = [outline.call_frame(hop["path"], hop["line"], callee) for hop, callee in zip(hops, callees)]
    records = _written_records(hops, callees, frames, outline)
    for hop, callee, record in zip(hops, callees, records):
        hop["sets"] = outline.set_values(hop["path"], hop["line"], callee, record) if record else []
    top = next((k for k, r in enumerate(records) if r), None)
    if top is not None:   # what else the record holds: a row read, the request as sent, a copy
        origin = outline.record_origin(hops[top]["path"], hops[top]["line"], callees[top], records[top])
        hops[top]["origin"] = origin and {**origin, "record": records[top]}
    _resolve_params(hops, frames)


def _written_records(hops: list[dict], callees: list[str], frames: list[dict | None],
                     outline: JavaOutline) -> list[str | None]:
    """The name the written record has at each hop, from the write up. At the mapper call it is the argument that
    setters fill (`updateWithOptimisticLocker(preUpdateTime, order)`: `order`), else the first; a caller's record is
    the argument it passes for the callee's parameter, while the callee passes that parameter on unchanged. Where a
    callee writes another object (`existCartItem` it looked up, a row it re-read) the callers above get None: their
    setters are on something else (blind read H: mall S32, newbee S6; 20A: litemall S21 lost the order's values
    where the record was the second argument)."""
    records: list[str | None] = [None] * len(hops)
    last = frames[-1]
    if not last or not last["args"]:
        return records
    idents = [a for a in last["args"] if re.fullmatch(r"\w+", a)]
    records[-1] = next((a for a in idents if outline.set_values(hops[-1]["path"], hops[-1]["line"], callees[-1], a)),
                       last["args"][0])
    for k in range(len(hops) - 1, 0, -1):
        frame, up = frames[k], frames[k - 1]
        rec = records[k]
        if not frame or not up or rec not in frame["params"] or rec in frame["assigned"] \
                or len(up["args"]) != len(frame["params"]):
            break
        arg = up["args"][frame["params"].index(rec)]
        if not re.fullmatch(r"\w+", arg):
            break
        records[k - 1] = arg
    return records


def _drop_unbound(hops: list[dict], sql: str) -> None:
    """A value set on the record that the statement's SQL never binds is not stored: mall's generated `insert`
    leaves `id` out of its column list, so `cartItem.setId(null)` writes nothing (blind read 20A: mall S2 said it
    stored `id` = null). Only where the SQL binds properties by name (`#{quantity}`, `#{record.quantity}`)."""
    if "#{" not in sql and "${" not in sql:
        return
    bound = set(re.findall(r"[#$]\{\s*(?:\w+\.)*(\w+)", sql)) | set(re.findall(r"test=\"\s*(?:\w+\.)*(\w+)\s*!=", sql))
    for hop in hops:
        hop["sets"] = [v for v in hop.get("sets") or [] if v["field"] in bound]


def _resolve_params(hops: list[dict], frames: list[dict | None]) -> None:
    """A stored value that is the method's own parameter (`order.setAftersaleStatus(statusReject)`) is what the
    caller passes (`AftersaleConstant.STATUS_CANCEL`): followed up the chain, each link kept for the trace; where
    no caller on the path passes it (the entry's own parameter), the value is said as that parameter, not as a
    bare name that reads as a constant (blind read H: litemall S9)."""
    for j, hop in enumerate(hops):
        for v in hop.get("sets") or []:
            links, value, k = [], v.get("value"), j
            while value is not None and frames[k] and value in frames[k]["params"] \
                    and value not in frames[k]["assigned"]:
                up, i = (frames[k - 1] if k else None), frames[k]["params"].index(value)
                if up is None or len(up["args"]) != len(frames[k]["params"]):
                    v["param"], v["param_of"] = value, hops[k]["label"]   # the entry's input, or not followed
                    break
                links.append({"label": hops[k - 1]["label"], "path": hops[k - 1]["path"], "line": hops[k - 1]["line"],
                              "callee": hops[k]["label"].rsplit(".", 1)[-1], "param": value, "arg": up["args"][i]})
                value, k = up["args"][i], k - 1
            if links:
                v["as"], v["passed"] = v["value"], links
            if "param" in v or (links and len(value) > 80):
                v["value"] = None
            elif links:
                v["value"] = named_value(value) or value


def control_fact(c: Control) -> dict:
    return {"kind": c.kind, "code": c.code, "line": c.line, "header_end": c.header_end, "branch_line": c.branch_line}


def conditional(write: dict) -> bool:
    """True when no call site reaches the statement outside a branch (each path runs it only sometimes)."""
    return all(any(c["kind"] in ("if", "else", "catch", "and", "or", "skip", "stop") for h in s["hops"] for c in h["controls"])
               for s in write["sites"])


def stores_values(write: dict) -> bool:
    """True when the one site's callers put two or more values on the record written (`order.setStatus(3)`,
    `order.setReceiveTime(new Date())`): a single write then still says what the operation does to the row."""
    return len(write["sites"]) == 1 and sum(v["field"] != "id" for h in write["sites"][0]["hops"]
                                            for v in h.get("sets") or []) >= 2


def repeated(write: dict) -> bool:
    return any(c["kind"] in ("loop", "lambda") for s in write["sites"] for h in s["hops"] for c in h["controls"])


def member_label(symbol_id: str) -> str:
    """`pkg.OmsOrderController#list(Long)` -> 'OmsOrderController.list'."""
    head, _, member = symbol_id.partition("#")
    cls = head.rsplit(".", 1)[-1]
    return f"{cls}.{member.split('(')[0]}" if member else cls


def statement_label(stmt_id: str) -> str:
    """`com.x.mapper.OmsOrderMapper.insert` -> 'OmsOrderMapper.insert' (the mapper method it runs for)."""
    namespace, _, name = stmt_id.rpartition(".")
    return f"{namespace.rsplit('.', 1)[-1]}.{name}"


_WRITE_NAME = re.compile(r"^(?:batch)?(insert|update|delete|modify|remove|save|persist|merge)", re.I)
_KIND_OF = {"insert": "insert", "update": "update", "modify": "update", "delete": "delete", "remove": "delete",
            "save": "upsert", "persist": "insert", "merge": "upsert"}
# query methods of a mapper or repository: generator/MyBatis-Plus select*, JPA find*/get*/count*/exists*
_READ_NAME = re.compile(r"^(select|find|get|count|exists|query|list|load|search|read|page)", re.I)


def data_kind(name: str) -> str:
    """What a mapper / repository method without SQL in the index does, from its name: a write kind, 'select',
    or 'unknown' (a flow reaching it cannot say completely what it reads)."""
    found = _WRITE_NAME.match(name)
    if found:
        return _KIND_OF[found.group(1).lower()]
    return "select" if _READ_NAME.match(name) else "unknown"


def _entity_tables(data: dict) -> dict[str, list[str]]:
    return {e["symbol_id"].rsplit(".", 1)[-1]: e.get("tables") or [] for e in data.get("entities") or []}


def _entity_of(owner: str) -> str:
    return re.sub(r"(Mapper|Dao|DAO|Repository)$", "", owner.rsplit(".", 1)[-1])


def inherited_statements(data: dict) -> tuple[list[dict], list[tuple[str, str, None, int, str]], list[MethodInfo]]:
    """Statements through methods a mapper or repository inherits (JPA `repository.save` / `findById`,
    MyBatis-Plus `mapper.updateById` / `selectList`): the index sees these calls but no method to resolve
    them to. Each becomes a method of the receiver's class with one statement (table from the entity the class
    is for; kind from its name, 'unknown' when the name says neither read nor write), so a flow reaching it
    lists the write or query instead of presenting a list without it as complete."""
    layers = {c["symbol_id"]: c.get("layer") for c in data["classes"]}
    symbols = {c["symbol_id"]: c for c in data["classes"]}
    tables = _entity_tables(data)
    stmts: dict[str, dict] = {}
    calls, methods = [], {}
    for c in data["calls"]:
        receiver, name = c.get("receiver_type") or "", c["callee_name"].rsplit(".", 1)[-1]
        if c.get("callee_id") or layers.get(receiver) not in ("mapper", "dao"):
            continue
        method_id = f"{receiver}#{name}()"
        owner = symbols[receiver]
        if method_id not in methods:
            line = owner.get("start_line") or 1
            methods[method_id] = MethodInfo(method_id, receiver, owner.get("path") or c["path"], line, line)
            stmts[method_id] = {"stmt_id": f"{receiver}.{name}", "kind": data_kind(name),
                                "tables": tables.get(_entity_of(receiver), []), "path": methods[method_id].path,
                                "start_line": line, "end_line": line, "method_id": method_id}
        calls.append((c["caller_id"], method_id, None, c["line"], c["path"]))
    return list(stmts.values()), calls, list(methods.values())


def mapper_statements(data: dict) -> list[dict]:
    """Statements for mapper / DAO methods that have no SQL in the index (annotation mappers, a generator's XML
    that is not checked in, Spring Data derived queries): named by the method, kind from its name, the table
    from the entity the mapper is for (none if unknown, and then a flow reaching it is not asked about).
    Without them such writes and queries would be missing from a flow that is presented as complete."""
    layers = {c["symbol_id"]: c.get("layer") for c in data["classes"]}
    with_sql = {s.get("method_id") for s in data["sql_statements"]}
    tables = _entity_tables(data)
    out = []
    for m in data["symbols"]:
        owner = m.get("parent_id") or ""
        if m["kind"] != "method" or layers.get(owner) not in ("mapper", "dao") or m["symbol_id"] in with_sql:
            continue
        out.append({"stmt_id": f"{owner}.{m['name']}", "kind": data_kind(m["name"]),
                    "tables": tables.get(_entity_of(owner), []), "path": m["path"], "start_line": m["start_line"],
                    "end_line": m["end_line"], "method_id": m["symbol_id"]})
    return out


_METHOD_REF = re.compile(r"\b([a-z]\w*)::([a-z]\w*)")


def method_ref_calls(data: dict, text_of) -> list[tuple[str, str, None, int, str]]:
    """Calls made through a method reference on a field (`list.forEach(historyMapper::insert)`), which the
    index does not record as calls: (caller, callee, None, line, path), the callee found through the field's
    declared type. Without them a write done this way would be missing from a list presented as complete."""
    by_path: dict[str, list[dict]] = {}
    fields: dict[tuple[str, str], str] = {}
    methods_of: dict[tuple[str, str], str] = {}
    classes = {c["symbol_id"].rsplit(".", 1)[-1]: c["symbol_id"] for c in data["classes"]}
    for sym in data["symbols"]:
        if sym["kind"] in ("method", "constructor"):
            by_path.setdefault(sym["path"], []).append(sym)
            methods_of.setdefault((sym.get("parent_id") or "", sym["name"]), sym["symbol_id"])
        elif sym["kind"] == "field" and sym.get("type"):
            fields[(sym.get("parent_id") or "", sym["name"])] = re.sub(r"<.*", "", sym["type"]).rsplit(".", 1)[-1]
    out = []
    for path, methods in by_path.items():
        source = text_of(path) if path.endswith(".java") else ""
        if "::" not in source:
            continue
        for n, line in enumerate(source.splitlines(), 1):
            for receiver, name in _METHOD_REF.findall(line):
                caller = next((m for m in methods if m["start_line"] <= n <= m["end_line"]), None)
                owner = classes.get(fields.get(((caller or {}).get("parent_id") or "", receiver), ""))
                callee = methods_of.get((owner or "", name))
                if caller and callee:
                    out.append((caller["symbol_id"], callee, None, n, path))
    return out


def call_graph(data: dict, statements: list[dict], extra_calls: list[tuple] = (),
               extra_methods: list[MethodInfo] = ()) -> CallGraph:
    """The same call graph the domain map walks flows on, for any method (a cancel, a place operation),
    with `statements` (the index's SQL, mapper_statements, inherited_statements) as the SQL each mapper method runs."""
    methods = {s["symbol_id"]: MethodInfo(s["symbol_id"], s["parent_id"], s["path"], s["start_line"], s["end_line"])
               for s in data["symbols"] if s["kind"] in ("method", "constructor") and s.get("parent_id")}
    methods.update({m.symbol_id: m for m in extra_methods})
    calls = sorted([(c["caller_id"], c["callee_id"], c.get("impl_id"), c["line"], c["path"])
                    for c in data["calls"] if c.get("callee_id")] + list(extra_calls), key=lambda c: (c[0], c[3]))
    layers = {c["symbol_id"]: c.get("layer") or "other" for c in data["classes"]}
    generated = {c["symbol_id"] for c in data["classes"] if c.get("is_generated")}
    sql_by_method: dict[str, list[dict]] = {}
    for s in statements:
        if s.get("method_id"):
            sql_by_method.setdefault(s["method_id"], []).append(s)
    return CallGraph(methods, calls, layers, generated, sql_by_method)
