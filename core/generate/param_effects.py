"""Where a request input ends up: the query conditions it fills, followed down the calls from the handler.

A contract answer that lists `keyword` as an optional query parameter tells a caller how to send it, not what it
does; the condition it reaches (`sku_code like concat('%', #{keyword}, '%')`, only when it is not empty) does
(blind read 20A: six mall contract answers rated "boilerplate" for that reason). Only what is followed exactly is
said: the value passed on unchanged as an argument by a call outside any branch or loop (a parameter name, or a
field of a request object by its `@Param` name), into a mapper statement or an Example built in the method it
reaches.
"""

from __future__ import annotations

import re

from core.generate.flow_facts import member_label
from core.index.java_ast import lines, text, walk
from core.rules.java_rules import failure

MAX_DEPTH = 4          # handler -> service -> DAO -> mapper, and one helper
MAX_FILTERS = 4        # conditions one input (or one field of it) is said to fill; more and it is not described


def conditions_by_method(planner, facts: list[dict]) -> dict[str, list[dict]]:
    """Query facts (core.generate.query_facts) by the method whose call runs them: a mapper statement by its
    mapper method, an Example by the method that builds it."""
    out: dict[str, list[dict]] = {}
    for f in facts:
        if f["source"] == "xml":
            owner = (planner.stmts.get(f["scope_id"]) or {}).get("method_id")
        elif f["source"] == "example":
            owner = f["scope_id"].split("@")[0]
        else:
            owner = None
        if owner:
            out.setdefault(owner, []).append(f)
    return out


def input_effects(planner, queries: dict[str, list[dict]], handler_id: str, name: str) -> list[dict]:
    """The conditions the handler's parameter `name` fills: [{scope, verb, cond, others, field, hops}]. `others` are
    the query's other conditions (a row must match them too), `field` is set for a field of a request object
    (`queryParam.orderSn`), and `hops` are the calls that pass it on ({label, path, line, callee, arg, param,
    decl_path, decl_line}). An input (or field) that fills more than MAX_FILTERS conditions is left out."""
    found: list[dict] = []
    _follow(planner, queries, handler_id, name, [], found, set())
    per_input: dict[str | None, list[dict]] = {}
    for e in found:
        per_input.setdefault(e["field"], []).append(e)
    return [e for group in per_input.values() if len(group) <= MAX_FILTERS for e in group]


def _follow(p, queries, method_id: str, var: str, hops: list[dict], found: list[dict], seen: set) -> None:
    if len(hops) > MAX_DEPTH or (method_id, var) in seen:
        return
    seen.add((method_id, var))
    m, body = _body(p, method_id)
    if body is not None and any(text(a.child_by_field_name("left")) == var
                                for a in walk(body, {"assignment_expression"})):
        return            # `if (status == -1) status = null;`: what the query sees is no longer the input (22M S28)
    for f in queries.get(method_id, []):
        for c in f["conditions"]:
            for fld in _mentions(c, var, f["source"]):
                found.append({"scope": f["scope"], "verb": f["verb"], "cond": c, "field": fld, "hops": hops,
                              "others": [o for o in f["conditions"] if o is not c], "call": f.get("call")})
    if body is None:
        return
    for call in walk(body, {"method_invocation"}):
        args = call.child_by_field_name("arguments")
        names = [text(a) for a in args.named_children] if args is not None else []
        found_callee = callee_of(p, method_id, call) if var in names else None
        if found_callee is None or p.outline.controls(m.path, lines(call)[0], text(call.child_by_field_name("name"))):
            continue      # not passed on, not followed, or passed only on some paths (a branch or a loop)
        target, callee, decl = found_callee
        param = params_of(decl)[names.index(var)]
        _follow(p, queries, target, param, hops + [_hop(method_id, m, call, var, param, target, callee, decl)], found,
                seen)
    _keyed_writes(p, queries, method_id, m, body, var, hops, found)


def _hop(method_id: str, m, call, arg: str, param: str, target: str, callee, decl) -> dict:
    """A call passing a value on: where it is made and where the callee names the parameter."""
    return {"label": member_label(method_id), "path": m.path, "line": lines(call)[0],
            "callee": member_label(target), "arg": arg, "param": param,
            "decl_path": callee.path, "decl_line": lines(decl.child_by_field_name("name"))[0]}


_BY_KEY = re.compile(r"ByPrimaryKey|ById$")


def _keyed_writes(p, queries, method_id: str, m, body, var: str, hops: list[dict], found: list[dict]) -> None:
    """A record that carries the value as its key (`order.setId(orderId)`, or `order = mapper.selectByPrimaryKey(orderId)`)
    and is then written or deleted by key: the value picks that row too (blind read 21G: mall S22, `paySuccess`'s
    update of the order was missing from the rows `orderId` picks)."""
    keyed: dict[str, tuple[int, str | None, dict]] = {}       # record -> (line, key property or None = any, hop)
    label = member_label(method_id)
    for node in walk(body, {"method_invocation"}):
        name, args = text(node.child_by_field_name("name")), node.child_by_field_name("arguments")
        arg_names = [text(a) for a in args.named_children] if args is not None else []
        if arg_names != [var] or p.outline.controls(m.path, lines(node)[0], name):
            continue
        obj = node.child_by_field_name("object")
        setter = re.fullmatch(r"set([A-Z]\w*)", name)
        if setter and obj is not None and obj.type == "identifier":
            prop = setter.group(1)[:1].lower() + setter.group(1)[1:]
            keyed[text(obj)] = (lines(node)[0], prop, {"label": label, "path": m.path, "line": lines(node)[0],
                                                       "says": (f"`{label}` sets `{text(obj)}.{prop}` to `{var}`",
                                                                f"`{label}` 把 `{text(obj)}.{prop}` 设为 `{var}`")})
        elif _BY_KEY.search(name) and node.parent is not None and node.parent.type == "variable_declarator":
            rec = text(node.parent.child_by_field_name("name"))
            keyed[rec] = (lines(node)[0], None, {"label": label, "path": m.path, "line": lines(node)[0],
                                                 "says": (f"`{label}` loads `{rec}` by its key `{var}` (`{name}`)",
                                                          f"`{label}` 按主键 `{var}` 加载 `{rec}`（`{name}`）")})
    for rec, (_, prop, key_hop) in keyed.items():    # an Example built in this method on the record's key
        for f in queries.get(method_id, []) if prop else []:
            for c in f["conditions"] if f["source"] == "example" else []:
                if re.search(rf"(?<![\w.]){re.escape(rec)}\.get{prop[:1].upper()}{re.escape(prop[1:])}\(\)", c["code"]):
                    found.append({"scope": f["scope"], "verb": f["verb"], "cond": c, "field": None,
                                  "hops": hops + [key_hop], "as": f"{rec}.{prop}",
                                  "others": [o for o in f["conditions"] if o is not c]})
    for call in walk(body, {"method_invocation"}):
        name, args = text(call.child_by_field_name("name")), call.child_by_field_name("arguments")
        arg_names = [text(a) for a in args.named_children] if args is not None else []
        if len(arg_names) != 1 or arg_names[0] not in keyed or not _BY_KEY.search(name) \
                or not re.match(r"(update|delete)", name) or lines(call)[0] <= keyed[arg_names[0]][0]:
            continue
        controls = p.outline.controls(m.path, lines(call)[0], name)
        if any(c.kind not in ("if", "else") for c in controls):
            continue      # in a loop, a lambda, a catch: not one write of that row
        under = [{"kind": c.kind, "code": c.code, "line": c.line, "branch_line": c.branch_line, "path": m.path,
                  "label": label, "otherwise": _else_failure(body, c) if c.kind == "if" else None} for c in controls]
        rec, (_, prop, key_hop) = arg_names[0], keyed[arg_names[0]]
        found_callee = callee_of(p, method_id, call)
        if found_callee is None:
            continue
        target, callee, decl = found_callee
        hop = _hop(method_id, m, call, rec, params_of(decl)[0], target, callee, decl)
        for f in queries.get(target, []):
            for c in f["conditions"]:
                keys = re.findall(r"[#$]\{\s*(?:\w+\.)?(\w+)\s*[,}]", c["text"]) if f["source"] == "xml" else []
                if len(keys) == 1 and (prop is None or keys[0] == prop):
                    found.append({"scope": f["scope"], "verb": f["verb"], "cond": c, "field": None,
                                  "hops": hops + [key_hop, hop], "as": f"{rec}.{keys[0]}", "under": under,
                                  "others": [o for o in f["conditions"] if o is not c]})


def _mentions(c: dict, var: str, source: str) -> list[str | None]:
    """How a condition uses the value: [None] for the value itself, [field, ..] for fields of it, [] not at all."""
    if source == "xml":
        if re.search(rf"[#$]\{{\s*{re.escape(var)}\s*[,}}]", c["text"]):
            return [None]
        return list(dict.fromkeys(re.findall(rf"[#$]\{{\s*{re.escape(var)}\.(\w+)", c["text"])))
    if re.search(rf"(?<![\w.]){re.escape(var)}(?![\w(])", c["code"]):
        return [None]
    return list(dict.fromkeys(g[:1].lower() + g[1:] for g in
                              re.findall(rf"(?<![\w.]){re.escape(var)}\.get([A-Z]\w*)\(\)", c["code"])))


def exits_before(p, path: str, line: int) -> list[dict]:
    """The early exits of the method holding `line` that come before the statement on it, in the method's own body
    (`if (!status.equals(0) && !status.equals(1)) { return 0; }`): the query there runs only when none fires, which an
    answer saying "updates the rows that match `ids`" must not hide (blind read 22P: mall S37). [{code, line}]"""
    stmt = p.outline.statement_at(path, line)
    node = stmt
    while node is not None and node.type not in ("method_declaration", "constructor_declaration"):
        node = node.parent
    body = node.child_by_field_name("body") if node is not None else None
    if body is None:
        return []
    out = []
    for st in body.named_children:
        if lines(st)[0] >= lines(stmt)[0]:
            break
        if st.type != "if_statement" or st.child_by_field_name("alternative") is not None:
            continue
        then = st.child_by_field_name("consequence")
        last = then.named_children[-1] if then is not None and then.type == "block" and then.named_children else then
        if last is not None and failure(last):   # a return, a throw, or a failure helper (`Asserts.fail(..)`)
            cond = text(st.child_by_field_name("condition")).strip()
            out.append({"code": cond[1:-1].strip() if cond.startswith("(") else cond, "line": lines(st)[0],
                        "end": lines(last)[1], "path": path})
    return out


def params_of(node, bound: bool = True) -> list[str]:
    """A method's parameter names: as its statements see them (`bound`: a mapper parameter by its `@Param` value),
    or as its Java body does."""
    formal = node.child_by_field_name("parameters") if node is not None else None
    out = []
    for x in formal.named_children if formal is not None else []:
        named = re.search(r'@Param\(\s*(?:value\s*=\s*)?"(\w+)"', text(x)) if bound else None
        name = x.child_by_field_name("name")
        out.append(named.group(1) if named else text(name) if name is not None else "")
    return out


def method_node(p, m):
    """The method_declaration a call-graph method stands for (None when it is not a plain method)."""
    tree = p.outline._tree(m.path) if m else None
    return next((n for n in walk(tree.root_node, {"method_declaration"}) if lines(n)[0] == m.start_line), None) \
        if tree else None


def _body(p, method_id: str):
    """(call-graph method, body node) of a project method; (method or None, None) when it has no body here."""
    m = p.graph.methods.get(method_id)
    node = method_node(p, m) if m else None
    return m, node.child_by_field_name("body") if node is not None else None


def callee_of(p, method_id: str, call) -> tuple | None:
    """(target id, call-graph method, declaration) of the project method a call in `method_id` runs: the graph's
    edge on the call's line with the call's name. None when the graph has none, or the declaration's parameters
    do not line up with the call's arguments (a vararg, an overload the graph could not tell)."""
    name, line = text(call.child_by_field_name("name")), lines(call)[0]
    target = next((t for t, _via, at in p.graph.out.get(method_id, [])
                   if at == line and t.split("#")[-1].split("(")[0] == name), None)
    callee = p.graph.methods.get(target) if target else None
    decl = method_node(p, callee) if callee else None
    args = call.child_by_field_name("arguments")
    if decl is None or args is None or len(params_of(decl)) != len(args.named_children):
        return None
    return target, callee, decl


def fields_read(planner, handler_id: str, name: str) -> dict[str, dict] | None:
    """The fields of a request object the code reads (`param.getGoodsCount()`), followed into the calls it is passed
    to unchanged; None when the object is used whole anywhere (written, copied, returned, passed where it is not
    followed): then every field may matter (blind read 20B: newbee S9 listed the seven fields of a cart item as what
    to send, where the service reads two). {field: {path, line, by}} of the first read of each."""
    read: dict[str, dict] = {}
    return read if _reads(planner, handler_id, name, read, set(), 0) else None


def _reads(p, method_id: str, var: str, read: dict[str, dict], seen: set, depth: int) -> bool:
    if (method_id, var) in seen:
        return True
    seen.add((method_id, var))
    m, body = _body(p, method_id)
    if body is None or depth > MAX_DEPTH:
        return False
    for ident in walk(body, {"identifier"}):
        if text(ident) != var:
            continue
        parent = ident.parent
        if parent.type == "method_invocation" and parent.child_by_field_name("object") == ident:
            getter = re.fullmatch(r"(?:get|is)([A-Z]\w*)", text(parent.child_by_field_name("name")))
            if getter:
                read.setdefault(getter.group(1)[:1].lower() + getter.group(1)[1:],
                                {"path": m.path, "line": lines(parent)[0], "by": member_label(method_id)})
                continue
            if re.fullmatch(r"set[A-Z]\w*", text(parent.child_by_field_name("name"))):
                continue    # a value the code puts on it (said as replacing what is sent)
            return False
        call = parent.parent if parent.type == "argument_list" else None
        found = callee_of(p, method_id, call) if call is not None and call.type == "method_invocation" else None
        if found is None or p.outline.controls(m.path, lines(call)[0], text(call.child_by_field_name("name"))):
            return False    # used whole, or passed where it is not followed, or only on some paths
        target, _callee, decl = found
        args = [text(a) for a in parent.named_children]
        if not _reads(p, target, params_of(decl, bound=False)[args.index(var)], read, seen, depth + 1):
            return False
    return True


def _else_failure(body, control) -> dict | None:
    """The failure the `else` of an `if` runs first (`else { Asserts.fail("只能删除已完成或已关闭的订单！"); }`): a
    write "only when X" reads as a silent no-op otherwise, where the call fails (blind read 23AA: mall S32)."""
    node = next((n for n in walk(body, {"if_statement"}) if lines(n)[0] == control.line), None)
    alt = node.child_by_field_name("alternative") if node is not None else None
    if alt is None:
        return None
    stmt = alt.named_children[0] if alt.type == "block" and alt.named_children else alt
    fail = failure(stmt) if stmt is not None and stmt.type != "if_statement" else None
    if not fail:
        return None
    shown = f"\"{fail['message']}\"" if fail.get("message") else f"`{text(stmt).strip().rstrip(';')}`"
    return {"line": lines(stmt)[0], "shown": shown}
