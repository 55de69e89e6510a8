"""Stock ledgers: "record every change the code makes to a quantity" where hand-written SQL adds to and subtracts
from a table's quantity columns (`stock = stock - #{quantity}`) and no table records those moves.

The design lists every called statement that moves a quantity by an amount, with each caller, and has each caller
write one ledger row per moved column in the same transaction, so a rolled-back move leaves no row. It is asked only
where the facts give the whole list: every moving statement something calls is one UPDATE (a single row keyed by an
equality, or a list through `CASE id WHEN ..`; not one statement per item, whose count is the first one's only), no
hand-written Java moves the quantity itself (`setStock(getStock() - n)`), and no table of the schema is already the
table's log (a log word in its name, with the table's last word or a `<word>_id` column of it).
"""

from __future__ import annotations

import re

from core.domain.schema import Table
from core.generate.design import Conventions, DesignSpec, Ref, _changes, _t, loop_text
from core.generate.design_facts import cap
from core.generate.low_stock import LowStock, _label, _where, loop_line, moved_words
from core.models import DesignProposal
from core.rules.sql_rules import STATEMENT_PER_ITEM

_MOVE = re.compile(r"`?(\w+)`?\s*=\s*(CASE\b.*?THEN\s+)?`?(\w+)`?\s*([-+])\s*(#\{[\w.]+\})", re.I | re.S)
_EACH = re.compile(r'<foreach\b[^>]*\bcollection="(\w+)"[^>]*\bitem="(\w+)"')
_LOG_WORDS = re.compile(r"(^|_)(log|logs|history|record|records|flow|ledger|journal)$")
MIN_MOVES = 2          # one statement is no ledger: the point is to see every move of the row together
MAX_CALLS = 8


def ledger_specs(req, domain: str) -> list[DesignSpec]:
    if not hasattr(req, "_low_stock"):
        req._low_stock = LowStock(req)
    ls, out = req._low_stock, []
    entities = {table: req.classes.get(sid) for sid, table in req.tables.items()}
    for name, table in sorted(req.schema.items()):
        ent = entities.get(name)
        if ent and (spec := _spec(ls, domain, ent, table)):
            out.append(spec)
    return out


def _moves(st: dict) -> list[tuple[str, str, str]]:
    """(column, sign, amount) for each `c = c ± #{x}` of an UPDATE's SET, also per listed row (`c = CASE id WHEN ..
    THEN c - #{item.q}`)."""
    return [(m.group(1), m.group(4), m.group(5)) for m in _MOVE.finditer(_where(st)[0]) if m.group(1) == m.group(3)]


def _text(r, st: dict) -> str:
    return "\n".join(r.files.get(st["path"]).lines[st["start_line"] - 1:st["end_line"]])


def _listed(r, st: dict) -> dict | None:
    """A one-statement UPDATE over a list (`CASE id <foreach collection="itemList" item="item"> WHEN #{item.skuId}`):
    the list, and the element's properties that give the key and each amount."""
    text = _text(r, st)
    each = _EACH.search(text)
    key = re.search(r"WHEN\s+#\{(\w+)\.(\w+)\}", text)
    if not each or not key or key.group(1) != each.group(2):
        return None
    return {"collection": each.group(1), "item": each.group(2), "key": key.group(2)}


def _spec(ls: LowStock, domain: str, ent: dict, table: Table) -> DesignSpec | None:
    r = ls.r
    stmts = [st for st in ls._statements(table.name) if st["kind"] == "update" and st.get("method_id") and _moves(st)]
    if not stmts or domain not in r._written_domains(stmts[0]) or _has_log(r, table.name):
        return None
    cols = sorted({c for st in stmts for c, _, _ in _moves(st)})
    if not any(s == "-" for st in stmts for _, s, _ in _moves(st)) or any(ls._java_deduction(c) for c in cols):
        return None
    live = [(st, cs) for st in stmts if (cs := ls._callers(st))]
    if len(live) < MIN_MOVES or sum(len(cs) for _, cs in live) > MAX_CALLS or any(
            STATEMENT_PER_ITEM.search(_text(r, st)) or not (_listed(r, st) if "<foreach" in _text(r, st) else _key(st))
            for st, _ in live):
        return None     # one statement per item answers with the first one's count: a row per item is not known
    key_params = {(_listed(r, st) or {}).get("key") or _key(st)[1].strip("#{}").split(".")[-1] for st, _ in live}
    key_field = key_params.pop() if len(key_params) == 1 else f"{ent['name'][:1].lower()}{ent['name'][1:]}Id"
    refs, moves = [], []
    for st, calls in live:
        listed = _listed(r, st) if "<foreach" in _text(r, st) else None
        key_param = f"#{{{listed['item']}.{listed['key']}}}" if listed else _key(st)[1]
        said = ", ".join(f"{c} {'+' if s == '+' else '-'} {a}" for c, s, a in _moves(st))
        refs.append(Ref(_label(st), f"moves {said}", f"变更 {said}", st["path"], st["start_line"], st["end_line"]))
        callers = []
        for c in calls:
            m = r.code.methods[c["caller_id"]]
            label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
            cond, check = r._conditioned(c), r.code.row_check(c)
            refs.append(Ref(label, f"calls `{c['callee_name']}`" + (f" {cond['cond']}" if cond["cond"] else "")
                            + (f" and checks its row count: `{check['test']}`" if check else ""),
                            f"调用 `{c['callee_name']}`", c["path"], cond["cond_line"] or max(m["start_line"], c["line"] - 1),
                            check["line"] + 1 if check else c["line"]))
            tx = _tx(r, m)
            if tx and all((x.path, x.start_line) != (tx.path, tx.start_line) for x in refs):
                refs.append(tx)
            text = r.code.text(c["path"], c["line"])
            name = c["callee_name"].rsplit(".", 1)[-1]
            from core.generate.requirements import _call_args  # requirements.py imports this module
            at = text.find(name + "(")
            callers.append({"method": label, "layer": r.code.layer_of(m["parent_id"]), "line": c["line"],
                            "call": c["callee_name"], "args": _call_args(text, at + len(name) + 1) if at >= 0 else [],
                            "loop": (loop := next((k for kind, k in reversed(cond["conds"]) if kind == "loop"), None)),
                            "loop_line": loop_line(r, c, loop), "check": check, "transactional": tx is not None})
        params = re.search(r"\((.*)\)", r.code.methods[st["method_id"]].get("signature") or "")
        moves.append({"statement": _label(st), "dao": _label(st).split(".")[0], "xml": st["path"], "key_param": key_param,
                      "listed": listed,
                      "moves": [{"column": c, "sign": s, "amount": a} for c, s, a in _moves(st)],
                      "params": params.group(1) if params else "", "callers": callers})
    uncalled = [st for st in stmts if st not in [s for s, _ in live]]
    for st in uncalled:
        refs.append(Ref(_label(st), "moves a quantity too; no hand-written code calls it",
                        "也变更数量；没有手写代码调用它", st["path"], st["start_line"], st["end_line"]))
    log = _log_name(r, table.name)
    text_en = (f"Keep a ledger of every change the code makes to {table.name}.{' and '.join(cols)}: which row, by how much, "
               "from which operation and when. Today nothing records these moves.")
    text_zh = f"为代码对 {table.name}.{'、'.join(cols)} 的每次变更记流水：哪一行、变化多少、由哪个操作、何时；目前没有任何记录。"
    return DesignSpec(f"req:stock_ledger:{table.name}", "stock_ledger", domain, text_en, text_zh, refs, {
        "table": table.name, "entity": ent["name"], "columns": cols, "key_field": key_field, "log": log,
        "log_entity": "".join(p.title() for p in log.split("_")), "moves": moves,
        "uncalled": [_label(st) for st in uncalled], "model_package": ent["symbol_id"].rsplit(".", 1)[0],
        "generator": r.generator_configs[0] if r.generates_table(table.name) else None,
    })


def _tx(r, m: dict, depth: int = 2) -> Ref | None:
    """What makes `m` run in a transaction: its own @Transactional, else (a private helper) that of every method of its
    class that calls it, up to `depth` hops (mall's `lockStock` runs inside `generateOrder`)."""
    if tx := r.tx_ref(m):
        return tx
    if depth == 0 or "private" not in (m.get("signature") or "").split("(")[0]:
        return None
    callers = [r.code.methods.get(c["caller_id"]) for c in r.code.callers(m)]
    found = [_tx(r, c, depth - 1) for c in callers if c and c.get("parent_id") == m.get("parent_id")]
    return found[0] if found and len(found) == len(callers) and all(found) else None


def _key(st: dict) -> tuple[str, str] | None:
    """(key column, its parameter) of a single-row UPDATE: the first equality of its WHERE."""
    m = re.search(r"`?(\w+)`?\s*=\s*(#\{[\w.]+\})", _where(st)[1])
    return (m.group(1), m.group(2)) if m else None


def _has_log(r, table: str) -> bool:
    """A table of the schema that already logs this one's rows: named with a log word and either naming the table's
    last word (`inv_stock_log` for `inv_sku_stock`) or holding a `<word>_id` column of it (`sku_id`)."""
    words = [w for w in table.lower().split("_") if len(w) > 2]
    refs = {f"{w}_id" for w in words}
    return any(t != table.lower() and _LOG_WORDS.search(t) and (words[-1:] and words[-1] in t.split("_")
                                                               or refs & set(s.columns))
               for t, s in r.schema.items())


def _log_name(r, table: str) -> str:
    """`<table>_<word>` with the log word the repository's tables use most (`oms_order_operate_history` -> history)."""
    words = [m.group(2) for t in r.schema if (m := _LOG_WORDS.search(t))]
    word = max(set(words), key=lambda w: (words.count(w), w)) if words else "log"
    return f"{table}_{word}"


def _arg(mv: dict, param: str, args: list[str]) -> str:
    """The caller's argument a statement parameter binds (`#{quantity}` -> `orderItem.getProductQuantity()`), by the
    DAO method's `@Param` names; the parameter itself where they do not tell."""
    names = re.findall(r'@Param\(\s*"(\w+)"\s*\)', mv["params"])
    name = param.strip("#{}").split(",")[0].split(".")[0]
    return args[names.index(name)] if name in names and len(args) == len(names) else param


def _prop(amount: str) -> str:
    """`#{item.productQuantity}` -> `ProductQuantity`, the getter of the element's property."""
    return cap(amount.strip("#{}").split(".")[-1])


# ----------------------------------------------------------------- design --
def stock_ledger_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    log, log_ent, key_field = f["log"], f["log_entity"], f["key_field"]
    key_col = re.sub(r"(?<!^)([A-Z])", r"_\1", key_field).lower()
    insert = f"insert{log_ent}List"
    changes = [("sql", log, f"`CREATE TABLE {log} (id BIGINT AUTO_INCREMENT PRIMARY KEY, {key_col} BIGINT NOT NULL, "
                            "column_name VARCHAR(32) NOT NULL, delta INT NOT NULL, operation VARCHAR(64) NOT NULL, "
                            f"create_time DATETIME NOT NULL, KEY idx_{key_col}_time ({key_col}, create_time))`", True),
               ("model", log_ent, _t(lang, f"new model in `{f['model_package']}` with id, {key_field}, columnName, delta, "
                                           "operation, createTime" + (f", generated with MyBatis Generator (`{f['generator']}`)"
                                                                      " like the other models" if f["generator"] else ""),
                                     f"新模型，放在 `{f['model_package']}`：id、{key_field}、columnName、delta、operation、"
                                     "createTime" + (f"，与其他模型一样用 MyBatis Generator（`{f['generator']}`）生成"
                                                     if f["generator"] else "")), True)]
    daos = {}
    for mv in f["moves"]:
        daos.setdefault((mv["dao"], mv["xml"]), None)
    for dao, xml in daos:
        changes.append(("dao", dao, _t(lang, f"add `int {insert}(@Param(\"list\") List<{log_ent}> list)`",
                                       f"新增 `int {insert}(@Param(\"list\") List<{log_ent}> list)`"), False))
        changes.append(("mapper_xml", xml, f"`<insert id=\"{insert}\">INSERT INTO {log} ({key_col}, column_name, delta, "
                                           "operation, create_time) VALUES <foreach collection=\"list\" item=\"row\" "
                                           f"separator=\",\">(#{{row.{key_field}}}, #{{row.columnName}}, #{{row.delta}}, "
                                           "#{row.operation}, NOW())</foreach></insert>`", False))
    rows_said, not_tx = [], []
    for mv in f["moves"]:
        for c in mv["callers"]:
            args, listed = c["args"], mv["listed"]
            if listed:       # one statement over a list: a row per element, its key and amounts from the element
                per = ", ".join(f"{m['column']} {m['sign']}x.get{_prop(m['amount'])}()" for m in mv["moves"])
                rows = _t(lang, f"add, for each element `x` of `{args[0] if args else listed['collection']}`, one "
                                f"`{log_ent}` per column it moves ({per}) with the row key `x.get{cap(listed['key'])}()`, "
                                f"operation `\"{c['method']}\"`",
                          f"对 `{args[0] if args else listed['collection']}` 的每个元素 `x`，为它变更的每一列（{per}）添加一个 "
                          f"`{log_ent}`，行键为 `x.get{cap(listed['key'])}()`，operation 为 `\"{c['method']}\"`")
                after = _t(lang, f"after `{c['call']}` (line {c['line']})", f"在 `{c['call']}`（第 {c['line']} 行）之后")
                where = _t(lang, f"; call `{insert}` with them when there are any", f"；有记录时用它们调用 `{insert}`")
                changes.append((c["layer"], c["method"], f"{after}, {rows}{where}" if lang == "en" else f"{after}，{rows}{where}",
                                False))
                rows_said.append(f"`{c['method']}` → `{mv['statement']}` ({per}, one UPDATE for the whole list)")
                if not c["transactional"]:
                    not_tx.append(c["method"])
                continue
            per = ", ".join(f"{m['column']} {m['sign']}{_arg(mv, m['amount'], args)}" for m in mv["moves"])
            after = moved_words(c, lang)
            key = _arg(mv, mv["key_param"], args)
            rows = _t(lang, f"add one `{log_ent}` per column it moves ({per}), with the row key `{key}` and operation "
                            f"`\"{c['method']}\"`",
                      f"为它变更的每一列（{per}）添加一个 `{log_ent}`，行键为 `{key}`，operation 为 `\"{c['method']}\"`")
            where = _t(lang, f"; collect them in a list declared before the loop (line {c['loop_line']}) and call "
                             f"`{insert}` once after it, when the list is not empty (an empty VALUES is invalid SQL)"
                       if c["loop"] else f"; call `{insert}` with them",
                       f"；收集到循环（第 {c['loop_line']} 行）前声明的列表中，循环后在列表非空时调用一次 `{insert}`"
                       "（空的 VALUES 是非法 SQL）" if c["loop"] else f"；用它们调用 `{insert}`")
            changes.append((c["layer"], c["method"], f"{after}, {rows}{where}" if lang == "en" else f"{after}，{rows}{where}",
                            False))
            rows_said.append(f"`{c['method']}` → `{mv['statement']}` ({per})"
                             + (f", {loop_text(c['loop'])}" if c["loop"] and lang == "en" else ""))
            if not c["transactional"]:
                not_tx.append(c["method"])
    uncalled = f["uncalled"]
    risks = [_t(lang, "the ledger rows are written in the transaction of the move, so a rolled-back move leaves none" + (
                          f"; {', '.join(f'`{m}`' for m in not_tx)} run outside a transaction and would commit them "
                          "separately: make them transactional first" if not_tx else ""),
                "流水在变更的同一事务中写入，回滚的变更不会留下流水" + (f"；{'、'.join(not_tx)} 不在事务中，应先加事务"
                                                                  if not_tx else "")),
             _t(lang, f"writes that set {' or '.join(f['columns'])} to a new value (an edit, an import, a new row) are not "
                      "moves by an amount and are not in this list; log them as a set with the old and new value if "
                      "the ledger must explain every value", f"直接设置 {'、'.join(f['columns'])} 的写入（编辑、导入、新增行）"
                      "不是按数量变更，不在此列表；若流水需要解释每个值，应另记旧值和新值"),
             _t(lang, f"{log} grows with every order; keep the index on ({key_col}, create_time) and archive old rows",
                f"{log} 随每笔订单增长；保留 ({key_col}, create_time) 索引并定期归档")]
    listed = [mv["statement"] for mv in f["moves"] if mv["listed"]]
    if listed:
        risks.append(_t(lang, f"{', '.join(f'`{x}`' for x in listed)} change{'s' if len(listed) == 1 else ''} the whole list "
                              "in one UPDATE and the count is for all rows: an element whose row does not exist, or a "
                              "key listed twice (the CASE applies its first WHEN only), still gets a ledger row; merge "
                              "repeated keys before the call", f"{'、'.join(f'`{x}`' for x in listed)} 一条 UPDATE 处理整个列表，"
                              "行数是总数：不存在的行或重复的键（CASE 只取第一个 WHEN）仍会写流水；调用前应合并重复的键"))
    if uncalled:
        risks.append(_t(lang, f"{', '.join(f'`{u}`' for u in uncalled)} also move{'s' if len(uncalled) == 1 else ''} a "
                              "quantity but nothing calls " + ("it" if len(uncalled) == 1 else "them") + "; a caller "
                              "added later must write ledger rows too",
                        f"{'、'.join(f'`{u}`' for u in uncalled)} 也变更数量但没有调用方；以后新增调用时也必须写流水"))
    return DesignProposal(
        understanding=_t(
            lang, f"{f['table']} has no table that records changes to {' and '.join(f['columns'])}. "
                  f"{len(rows_said)} call{'s' if len(rows_said) != 1 else ''} move them by an amount in SQL: "
                  + "; ".join(rows_said) + ". Each caller writes its ledger rows right after its own move, in the same "
                  "transaction, through one batch insert in the DAO that already holds the move.",
            f"{f['table']} 没有记录 {'、'.join(f['columns'])} 变更的表。共有 {len(rows_said)} 处调用在 SQL 中按数量变更它们："
            + "；".join(rows_said) + "。每个调用方在自己的变更之后、同一事务中，通过已包含该变更的 DAO 中的一条批量插入写流水。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"new table {log}", f"新表 {log}")],
        flow=[_t(lang, "the move runs as today", "变更照常执行"),
              _t(lang, "when it changed its row, the caller adds one ledger row per moved column",
                 "确实改动了行时，调用方为每个变更列添加一条流水"),
              _t(lang, f"`{insert}` writes them in the same transaction", f"`{insert}` 在同一事务中写入")],
        risks=risks,
        test_plan=[_t(lang, f"each listed operation: one {log} row per moved column, with the signed delta and the "
                            "operation's name", f"每个列出的操作：每个变更列一条 {log} 记录，delta 带正负，operation 为操作名"),
                   _t(lang, "a move that changes no row (its guard fails) writes no ledger row",
                      "未改动任何行的变更（条件不满足）不写流水"),
                   _t(lang, "an operation that fails after its move and rolls back leaves no ledger row",
                      "变更后失败回滚的操作不留下流水")])
