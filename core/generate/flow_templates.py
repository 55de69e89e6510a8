"""QA about whole flows: what an entry point writes to the database, in order and under which
branches and loops (facts from core.generate.flow_facts), which tables a read-only entry queries
(core.generate.read_facts), and how a cancelling operation undoes what a
placing operation did (writes to one table in opposite directions)."""

from __future__ import annotations

import re

from core.generate.flow_facts import conditional, repeated
from core.generate.qa_templates import Cite, control_text, file_name, pick, sql_kind, sql_word, unique_claims, write_text


def flow_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """One question per flow: what it writes, in which order, inside which branches and loops (the scope is the
    entry; checks that return or throw before a write are other questions, about guards). An entry with one write
    is asked what it stores there: its order and branches are not the point."""
    writes = f["writes"]
    if len(writes) == 1 and not conditional(writes[0]) and not repeated(writes[0]):
        table = ", ".join(f"`{t}`" for t in writes[0]["tables"])
        if lang == "en":
            return [("writes", pick(seed, [
                f"What does {f['entry_label']} write to {table}, and which values does it store?",
                f"Which values does {f['entry_label']} store in {table}, and where are they set?"]))]
        return [("writes", f"{f['entry_label_zh']} 向 {table} 写入什么？分别存入哪些值？")]
    if lang == "en":
        return [("writes", pick(seed, [
            f"Which tables does {f['entry_label']} write, in what order, and inside which branches or loops?",
            f"What does {f['entry_label']} change in the database, in order, and inside which branches or loops?"]))]
    return [("writes", f"{f['entry_label_zh']} 会按什么顺序写哪些表？每次写入位于哪些分支或循环中？")]


def read_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """'Which tables does X read': the scope is the entry, the answer every query it reaches (not their WHERE)."""
    if lang == "en":
        return [("reads", pick(seed, [
            f"Which tables does {f['entry_label']} read, and through which queries?",
            f"Which SQL queries does {f['entry_label']} run, on which tables, and under which branches or loops?"]))]
    return [("reads", f"{f['entry_label_zh']} 会读取哪些表？通过哪些查询语句？")]


def _stmt_text(w: dict, lang: str) -> str:
    """'UPDATE `pms_sku_stock`' for a write, 'SELECT from `oms_order`' for a query."""
    if w["kind"] != "select":
        return write_text(w, lang)
    tables = ", ".join(f"`{t}`" for t in w["tables"])
    return f"SELECT from {tables}" if lang == "en" else f"查询 {tables}"


def _kind_phrase(w: dict, lang: str) -> str:
    if w["kind"] == "select":
        return "a SELECT" if lang == "en" else "SELECT"
    return sql_kind(w["kind"]) if lang == "en" else sql_word(w["kind"])


def _site_text(site: dict, lang: str) -> str:
    """'via `A.m` → `B.n` (B.java:30)', then the branches and loops around any call on that path."""
    hops = site["hops"]
    last = hops[-1]
    chain = " → ".join(f"`{h['label']}`" for h in hops)
    paged = "".join(_paged_text(h, lang) for h in hops if h.get("paged"))
    if lang == "en":
        return f"called via {chain} ({file_name(last['path'])}:{last['line']})" + paged + "".join(
            f", where the call at {file_name(h['path'])}:{h['line']} runs "
            + ", ".join(control_text(c, lang) for c in h["controls"]) for h in hops if h["controls"])
    return f"调用路径 {chain}（{file_name(last['path'])}:{last['line']}）" + paged + "".join(
        f"，其中 {file_name(h['path'])}:{h['line']} 的调用" + "、".join(control_text(c, lang) for c in h["controls"])
        for h in hops if h["controls"])


def _paged_text(hop: dict, lang: str) -> str:
    """PageHelper.startPage before the call pages the query and adds a COUNT of it (read_facts._mark_paged);
    a startPage inside an `if` does so only when it holds."""
    paged = hop["paged"]
    at = f"{file_name(hop['path'])}:{paged['line']}"
    conds = [control_text(c, lang) for c in paged["controls"]]
    if lang == "en":
        return (f", paged by `PageHelper.startPage` ({at}" + "".join(f", {c}" for c in conds)
                + "), so PageHelper then also runs a COUNT over the same query")
    return (f"，由 `PageHelper.startPage`（{at}" + "".join(f"，{c}" for c in conds)
            + "）分页，此时 PageHelper 还会对同一查询执行一次 COUNT")


def _sets_text(site: dict, lang: str, by_key: bool = False) -> str:
    """', storing `coupon.status` = `STATUS_EXPIRED` (set at CouponJob.java:47)': every value the callers put on the
    record the write is given (what the write is for); the `id` of an update by primary key names the row, not a
    value it stores (an update by Example criteria picks its rows by them, and stores the id as any other field)."""
    sets = [(h, v) for h in site["hops"] for v in h.get("sets") or []]
    keys = [(h, v) for h, v in sets if by_key and v["field"] == "id"]   # the row it updates by its key, not a value
    sets = [x for x in sets if x not in keys]
    row = ("" if not keys else (" for the row with " if lang == "en" else "，按 ")
           + ", ".join(_set_words(h, v, lang) for h, v in keys) + ("" if lang == "en" else " 定位行"))
    if not sets:
        return row
    if lang == "en":
        return row + ", storing " + ", ".join(_set_words(h, v, lang) for h, v in sets) + _origin_text(site, lang)
    return row + "，写入 " + "、".join(_set_words(h, v, lang) for h, v in sets) + _origin_text(site, lang)


def _origin_text(site: dict, lang: str) -> str:
    """What else the written record holds besides the values set on it: the row a call read (its other fields go
    back as read), what the method receives (the request's fields), a copy made into it. Nothing for a fresh
    object nobody fills: the setters are all it holds (blind read 20A: mall S2 listed the setters of a request
    body as if they were all the insert stored)."""
    hop = next((h for h in site["hops"] if h.get("origin")), None)
    o = hop and hop["origin"]
    if not o:
        return ""
    rec = o["record"]
    name = file_name(hop["path"])
    code = _quoted(o["code"] or "", f"{name}:{o['line']}", lang)
    fills = ", ".join(_quoted(f["code"], f"{name}:{f['line']}", lang) for f in o["fills"])
    if lang == "en":
        said = {"param": f"; every other field of `{rec}` is what `{hop['label']}` receives",
                "read": f"; `{rec}` is what {code} returned, so its other fields go back as read",
                "other": f"; `{rec}` is {code}, whose other fields are written as they are"}
        return said.get(o["kind"], "") + (f"; {fills} first copies values into `{rec}`, which it stores too"
                                          if fills else "")
    said = {"param": f"；`{rec}` 的其他字段就是 `{hop['label']}` 收到的值",
            "read": f"；`{rec}` 来自 {code}，其他字段按读到的值写回",
            "other": f"；`{rec}` 即 {code}，其他字段按原样写入"}
    return said.get(o["kind"], "") + (f"；{fills} 先向 `{rec}` 复制了值，这些值也会写入" if fills else "")


def _quoted(code: str, at: str, lang: str, limit: int = 70) -> str:
    """'`orderMapper.selectByPrimaryKey(id)` (X.java:12)'; a longer expression by its line alone."""
    if len(code) <= limit:
        return f"`{code}` ({at})" if lang == "en" else f"`{code}`（{at}）"
    return f"the call at {at}" if lang == "en" else f"{at} 处的调用"


def _set_words(hop: dict, v: dict, lang: str) -> str:
    """One value set on the record before the write: every setter is named (a list of the fixed ones only read as
    all it stores), with its value (or, too long to quote, its line) and the branch it alone sits in. A value that
    is the method's parameter is what the caller passes (`_resolve_params`), or said as the entry's input."""
    at = f"{file_name(hop['path'])}:{v['line']}"
    ctx = ", ".join(control_text(c, lang) for c in v.get("controls") or [])
    top = (v.get("passed") or [None])[-1]
    by = f"{file_name(top['path'])}:{top['line']}" if top else ""
    if lang == "en":
        what = f"`{v['receiver']}.{v['field']}`" + (
            f" = what `{v['param_of']}` receives as `{v['param']}` (set at {at}" if v.get("param") else
            f" = `{v['value']}` (passed by `{top['label']}` at {by}, set at {at}" if top and v.get("value") is not None else
            f" = the value `{top['label']}` passes at {by} (set at {at}" if top else
            f" = `{v['value']}` (set at {at}" if v.get("value") is not None else f" (computed at {at}")
        return what + (f", {ctx})" if ctx else ")")
    what = f"`{v['receiver']}.{v['field']}`" + (
        f" = `{v['param_of']}` 收到的参数 `{v['param']}`（在 {at} 设置" if v.get("param") else
        f" = `{v['value']}`（由 `{top['label']}` 在 {by} 传入，在 {at} 设置" if top and v.get("value") is not None else
        f" = `{top['label']}` 在 {by} 传入的值（在 {at} 设置" if top else
        f" = `{v['value']}`（在 {at} 设置" if v.get("value") is not None else f"（在 {at} 计算")
    return what + (f"，{ctx}）" if ctx else "）")


def _write_line(n: int, w: dict, lang: str) -> str:
    by_key = w["kind"] == "update" and bool(re.search(r"ByPrimaryKey(Selective)?$|\.updateById$", w["label"]))
    sites = [_site_text(s, lang) + _sets_text(s, lang, by_key) + _after_return_text(w, n, lang) for s in w["sites"]]
    if lang == "en":
        head = f"{n}. {_stmt_text(w, lang)} by `{w['label']}` ({file_name(w['path'])}:{w['start_line']})"
        if len(sites) == 1:
            return f"{head}, {sites[0]}."
        return f"{head}, reached from {len(sites)} places: " + "; ".join(f"({k}) {t}" for k, t in zip("abcdefgh", sites)) + "."
    head = f"{n}. {_stmt_text(w, lang)}：`{w['label']}`（{file_name(w['path'])}:{w['start_line']}）"
    if len(sites) == 1:
        return f"{head}，{sites[0]}。"
    return f"{head}，有 {len(sites)} 处调用：" + "；".join(f"（{k}）{t}" for k, t in zip("abcdefgh", sites)) + "。"


def _after_return_text(w: dict, n: int, lang: str) -> str:
    """'; it runs only when `if (temp != null)` is not taken: that branch returns at X.java:43 after reaching write 1
    (writes [1] and [2] are alternatives)' (flow_facts._mark_after_return)."""
    r = w.get("after_return")
    if not r:
        return ""
    cond, at = control_text(r["control"], lang), f"{file_name(r['path'])}:{r['line']}"
    if lang == "en":
        return (f"; it runs only when the call at {at} is not reached: that call, {cond}, leads to write [{r['write']}] "
                f"and its result is returned, so writes [{r['write']}] and [{n}] are alternatives, never both")
    return (f"；仅当 {at} 的调用（{cond}）未执行时才会执行：该调用通向第 {r['write']} 条写入并直接返回，"
            f"因此第 {r['write']} 条与第 {n} 条二选一")


def _write_claims(w: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    """Per write: what the statement does; per call site: the chain that reaches it (citing each hop's call)
    and, per hop inside a branch or loop, that branch or loop."""
    tables = ", ".join(w["tables"])
    claims = [((f"`{w['label']}` is {_kind_phrase(w, lang)} on {tables}" if lang == "en"
                else f"`{w['label']}` 对 {tables} 执行 {_kind_phrase(w, lang)}"),
               cite.within(w["path"], w["start_line"], w.get("end_line") or w["start_line"]))]
    if (r := w.get("after_return")):
        at, cond = f"{file_name(r['path'])}:{r['line']}", control_text(r["control"], lang)
        claims.append(((f"`{r['label']}` returns the result of the call at {at}, {cond}"
                        if lang == "en" else f"`{r['label']}` 在 {at} 直接返回该调用的结果（{cond}）"),
                       [cite.at(r["control"]["line"], r["path"]), cite.at(r["line"], r["path"])]))
    for site in w["sites"]:
        hops = site["hops"]
        chain = " → ".join(f"`{h['label']}`" for h in hops)
        ids = list(dict.fromkeys(cite.at(h["line"], h["path"]) for h in hops))
        claims.append(((f"{chain} reaches `{w['label']}`" if lang == "en" else f"{chain} 调用到 `{w['label']}`"), ids))
        claims += [(_set_claim(h, v, lang), list(dict.fromkeys(
                       cite.at(n, h["path"]) for n in [v["line"], *(c["line"] for c in v.get("controls") or [])])))
                   for h in hops for v in h.get("sets") or []]
        claims += _origin_claims(site, lang, cite)
        claims += [((f"`{x['label']}` calls `{x['callee']}` with `{x['arg']}` as `{x['param']}`" if lang == "en"
                     else f"`{x['label']}` 以 `{x['arg']}` 作为 `{x['param']}` 调用 `{x['callee']}`"),
                    _link_ids(h, v, n, cite)) for h in hops for v in h.get("sets") or []
                   for n, x in enumerate(v.get("passed") or [])]
        claims += [((f"`PageHelper.startPage` is called at {file_name(h['path'])}:{h['paged']['line']}"
                     + "".join(f", {control_text(c, lang)}" for c in h["paged"]["controls"])
                     + f", before the call that reaches `{w['label']}`" if lang == "en" else
                     f"{file_name(h['path'])}:{h['paged']['line']} 在调用 `{w['label']}` 之前调用 `PageHelper.startPage`"
                     + "".join(f"（{control_text(c, lang)}）" for c in h["paged"]["controls"])),
                    list(dict.fromkeys([*(cite.at(c["line"], h["path"]) for c in h["paged"]["controls"]),
                                        cite.at(h["paged"]["line"], h["path"]), cite.at(h["line"], h["path"])])))
                   for h in hops if h.get("paged")]
        for hop in (h for h in hops if h["controls"]):
            at = f"{file_name(hop['path'])}:{hop['line']}"
            ids = list(dict.fromkeys([*(cite.at(c["line"], hop["path"]) for c in hop["controls"]),
                                      cite.at(hop["line"], hop["path"])]))
            conds = [control_text(c, lang) for c in hop["controls"]]
            claims.append(((f"the call at {at} runs " + ", ".join(conds)) if lang == "en"
                           else f"{at} 的调用" + "、".join(conds), ids))
    return claims


def _origin_claims(site: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    """The trace of `_origin_text`: where the written record was read or made, and each copy into it."""
    hop = next((h for h in site["hops"] if h.get("origin")), None)
    if hop is None or not any(h.get("sets") for h in site["hops"]):
        return []
    o, rec, path = hop["origin"], hop["origin"]["record"], hop["path"]
    claims = []
    if o["kind"] == "param":
        claims.append(((f"`{rec}` is a parameter of `{hop['label']}`" if lang == "en"
                        else f"`{rec}` 是 `{hop['label']}` 的参数"), [cite.at(o["line"], path)]))
    elif o["kind"] in ("read", "other"):
        claims.append(((f"`{rec}` is assigned at line {o['line']}" if lang == "en"
                        else f"`{rec}` 在第 {o['line']} 行被赋值"), [cite.at(o["line"], path)]))
    claims += [((f"line {f['line']} passes `{rec}` to a copy before the write" if lang == "en"
                 else f"第 {f['line']} 行在写入前把 `{rec}` 传给复制调用"), [cite.at(f["line"], path)]) for f in o["fills"]]
    return claims


def _link_ids(hop: dict, v: dict, n: int, cite: Cite) -> list[str]:
    """A caller passing a value as a parameter: its call, and where the parameter's name is used (the setter for
    the first link, the next call down for the others)."""
    link = v["passed"][n]
    used = (v["line"], hop["path"]) if n == 0 else (v["passed"][n - 1]["line"], v["passed"][n - 1]["path"])
    return list(dict.fromkeys([cite.at(link["line"], link["path"]), cite.at(*used)]))


def _set_claim(h: dict, v: dict, lang: str) -> str:
    """`A.m` calls `order.setStatus` with `1` before the call (inside `if (..)`)."""
    ctx = ", ".join(control_text(c, lang) for c in v.get("controls") or [])
    said = v.get("as", v.get("value"))    # as written at the setter (a parameter: its name)
    with_value = f" with `{said}`" if said is not None and not v.get("param") else ""
    if lang == "en":
        return f"`{h['label']}` calls `{v['receiver']}.{v['setter']}`{with_value} before the call" + (f", {ctx}" if ctx else "")
    return (f"`{h['label']}` 在调用前" + (f"以 `{said}` " if with_value else "")
            + f"调用 `{v['receiver']}.{v['setter']}`" + (f"（{ctx}）" if ctx else ""))


def table_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """'Who writes this table': the scope is the table, the answer every write statement on it the code calls."""
    t = f"`{f['table']}`"
    if f.get("reads"):
        if lang == "en":
            return [("who_reads", pick(seed, [f"Which code reads the table {t}, and through which SQL statements?",
                                              f"Where is the table {t} queried, and from which methods?"]))]
        return [("who_reads", f"哪些代码会读取 {t} 表？通过哪些 SQL 语句？")]
    if lang == "en":
        return [("who_writes", pick(seed, [f"Which code writes to the table {t}, and through which SQL statements?",
                                           f"Where is the table {t} written, and from which methods?"]))]
    return [("who_writes", f"哪些代码会写 {t} 表？通过哪些 SQL 语句？")]


def _up_text(site: dict, lang: str) -> str:
    """Who calls the write's caller in turn (a data service's method is reached from controllers and jobs)."""
    if "up" not in site:
        return ""
    up = site["up"]
    if up is None:
        return " (itself called from more than 4 places)" if lang == "en" else "（它本身有 4 处以上调用方）"
    if not up:
        return ""
    names = ", ".join(f"`{u['label']}`" + (f" for `{u['route']}`" if u.get("route") and lang == "en" else
                                           f"（`{u['route']}`）" if u.get("route") else "")
                      + f" ({file_name(u['path'])}:{u['line']}"
                      + ((f"; never runs: {u['inactive']}" if lang == "en" else f"；不会执行：{u['inactive']}")
                         if u.get("inactive") else "") + ")" for u in up)      # an overloaded name: its route too
    return f" (itself called by {names})" if lang == "en" else f"（其调用方：{names}）"


def _table_answer(f: dict, lang: str, cite: Cite) -> tuple[str, list[tuple[str, list[str]]]]:
    rows, trace = [], []
    for n, w in enumerate(f["writes"], 1):
        sites = []
        for site in w["sites"]:
            hop = site["hops"][0]
            conds = [control_text(c, lang) for c in hop["controls"]]
            where = f"{file_name(hop['path'])}:{hop['line']}"
            sites.append((f"`{hop['label']}` ({where}" + "".join(f", {c}" for c in conds) + ")" if lang == "en"
                          else f"`{hop['label']}`（{where}" + "".join(f"，{c}" for c in conds) + "）") + _up_text(site, lang))
            called = hop["label"].rsplit(".", 1)[-1]   # as written at the call: through an interface, not the impl
            trace += [((f"`{u['label']}` calls `{called}` ({file_name(u['path'])}:{u['line']})" if lang == "en"
                        else f"`{u['label']}` 调用 `{called}`（{file_name(u['path'])}:{u['line']}）"),
                       [cite.at(u["line"], u["path"])]) for u in site.get("up") or []]
            trace += [((f"`{u['label'].rsplit('.', 1)[0]}` never runs: {u['inactive']}" if lang == "en"
                        else f"`{u['label'].rsplit('.', 1)[0]}` 不会执行：{u['inactive']}"),
                       [cite.at(u["head"][0], u["path"])]) for u in site.get("up") or [] if u.get("head")]
            ids = list(dict.fromkeys([*(cite.at(c["line"], hop["path"]) for c in hop["controls"]),
                                      cite.at(hop["line"], hop["path"])]))
            trace.append(((f"`{hop['label']}` calls `{w['label']}` ({where})" if lang == "en"
                           else f"`{hop['label']}` 调用 `{w['label']}`（{where}）"), ids))
        head = f"{write_text(w, lang)} by `{w['label']}` ({file_name(w['path'])}:{w['start_line']})"
        rows.append(f"{n}. {head}, called from " + "; ".join(sites) + "." if lang == "en"
                    else f"{n}. {write_text(w, lang)}：`{w['label']}`（{file_name(w['path'])}:{w['start_line']}），调用方："
                    + "；".join(sites) + "。")
        trace.append(((f"`{w['label']}` is {sql_kind(w['kind'])} on {f['table']}" if lang == "en"
                       else f"`{w['label']}` 对 {f['table']} 执行 {sql_word(w['kind'])}"),
                      cite.within(w["path"], w["start_line"], w.get("end_line") or w["start_line"])))
    k = len(f["writes"])
    verb, noun, zh_verb, zh_noun = ("reads", "query", "读取", "查询") if f.get("reads") else ("writes", "write", "写", "写")
    if lang == "en":
        head = (f"The code {verb} `{f['table']}` through {k} SQL statement{'s' if k > 1 else ''} (every {noun} statement on "
                "it that some Java method calls, with every call site):")
        n = f["uncalled"]
        tail = (f"\nThe other {n} {noun} statement{'s' if n > 1 else ''} or mapper {noun} method{'s' if n > 1 else ''} on "
                f"`{f['table']}` {'are' if n > 1 else 'is'} not called from the application code." if n else "")
        tail += "\nCalls from test code are left out." if f.get("test_calls") else ""
    else:
        head = f"代码通过 {k} 条 SQL {zh_verb} `{f['table']}` 表（列出被 Java 方法调用的每条{zh_noun}语句及其每个调用处）："
        tail = (f"\n另有 {f['uncalled']} 条{zh_noun} `{f['table']}` 的语句或 Mapper 方法没有被应用代码调用。"
                if f["uncalled"] else "")
        tail += "\n测试代码中的调用未列出。" if f.get("test_calls") else ""
    return f"{head}\n" + "\n".join(rows) + tail, trace


@unique_claims
def flow_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    if qkind in ("who_writes", "who_reads"):
        return _table_answer(f, lang, cite)
    reads = qkind == "reads"
    writes = f["reads"] if reads else f["writes"]
    rows = "\n".join(_write_line(n, w, lang) for n, w in enumerate(writes, 1))
    entry = [((f"`{f['entry_method']}` is the entry point" if lang == "en" else f"入口是 `{f['entry_method']}`"),
              [cite.at(f["entry_line"], f["_path"])])]
    if f.get("mapping_line"):   # the full path joins the class-level mapping and the method's own
        route = f["name"].split(" ", 1)[-1]   # the path: the verb is in the method's annotation, not as a word
        entry.append(((f"`{f['entry_method']}` serves the path `{route}` (its class mapping and its own)" if lang == "en"
                       else f"`{f['entry_method']}` 对应路径 `{route}`（类上的映射加上方法的映射）"),
                      list(dict.fromkeys([cite.at(f["mapping_line"], f["_path"]), cite.at(f["entry_line"], f["_path"])]))))
    trace = list(dict.fromkeys((claim, tuple(ids)) for w in writes for claim, ids in _write_claims(w, lang, cite)))
    trace = entry + [(claim, list(ids)) for claim, ids in trace]
    if reads:
        return _reads_head(f, writes, lang) + "\n" + rows, trace
    if lang == "en":
        label = f["entry_label"][0].upper() + f["entry_label"][1:]
        some = any(conditional(w) for w in writes)   # if/else alternatives are not a sequence: say which may run
        verb = "can reach" if some else "runs"
        order = (", listed in the order they appear on its path" if some else ", in the order the code reaches them"
                 ) if len(writes) > 1 else ""
        head = (f"{label} {verb} {len(writes)} SQL write statement{'s' if len(writes) > 1 else ''}{order} (following its "
                "calls through the project's own service, DAO and mapper classes; a write inside a branch runs only when "
                "that branch is taken, so branches of one `if`/`else` are alternatives; checks that return or throw "
                "before a write are not listed):")
        return f"{head}\n{rows}", trace
    head = (f"{f['entry_label_zh']} 共涉及 {len(writes)} 条写 SQL，按在执行路径上出现的顺序列出"
            "（沿项目自己的 Service、DAO、Mapper 调用追踪；位于分支内的写入只在该分支成立时执行，"
            "同一 `if`/`else` 的不同分支是二选一；写入前提前返回或抛异常的校验未列出）：")
    return f"{head}\n{rows}", trace


def _reads_head(f: dict, reads: list[dict], lang: str) -> str:
    """How many queries, in which order, and what the list leaves out (their WHERE, the rows they return)."""
    n = len(reads)
    tables = sorted({t for r in reads for t in r["tables"]})
    if lang == "en":
        label = f["entry_label"][0].upper() + f["entry_label"][1:]
        some = any(conditional(r) for r in reads)
        verb = "can reach" if some else "reaches"
        order = (", listed in the order they appear on its path" if some else ", in the order the code calls them"
                 ) if n > 1 else ""
        return (f"{label} reads {', '.join(f'`{t}`' for t in tables)} and writes no table; it {verb} {n} SELECT "
                f"statement{'s' if n > 1 else ''}{order} (following its calls through the project's own service, DAO and mapper "
                "classes; a query inside a branch runs only when that branch is taken, so branches of one `if`/`else` "
                "are alternatives; a check that returns or throws earlier skips the queries after it, and such checks "
                "are not listed):")
    return (f"{f['entry_label_zh']} 读取 {'、'.join(f'`{t}`' for t in tables)}，不写任何表；共 {n} 条查询 SQL，按在执行路径上"
            "出现的顺序列出（沿项目自己的 Service、DAO、Mapper 调用追踪；位于分支内的查询只在该分支成立时执行，"
            "同一 `if`/`else` 的不同分支是二选一；提前返回或抛异常的校验会跳过其后的查询，这些校验未列出）：")
