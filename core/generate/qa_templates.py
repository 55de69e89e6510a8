"""Offline QA writing: the questions asked about each rule or flow, and the template answers.

Questions are fixed here for every backend (so a sample's id and question
kind do not depend on who answers). Answers are what the `template` backend
writes: composed from the extracted facts, in the voice of an engineer who
knows the code, with several phrasings chosen deterministically per sample so
a data set does not read like one form filled in a thousand times. Every
sentence states something the cited lines show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.models import Evidence, sha256_text
from core.rules.java_rules import inline_dict
from core.rules.render import condition_text, cron_text, formula_text, negate_text
from core.rules.statements import state_name


def pick(seed: str, options: list[str] | tuple[str, ...]) -> str:
    """A deterministic choice: same seed, same phrasing."""
    n = int(sha256_text(seed)[:8], 16)
    return options[n % len(options)]


@dataclass
class Cite:
    """Finds the evidence id that covers a line, for trace claims."""

    evidence: list[Evidence]

    def at(self, line: int | None, path: str | None = None) -> str:
        for e in self.evidence:
            if (path is None or e.path == path) and line is not None and e.start_line <= line <= e.end_line:
                return e.id
        return self.evidence[0].id

    def all(self) -> list[str]:
        return [e.id for e in self.evidence]

    def role(self, role: str, facts: dict) -> str | None:
        return facts.get("_roles", {}).get(role)


def _short(method: str) -> str:
    return method.rsplit(".", 1)[-1]


# ---------------------------------------------------------------- guard --
def _guard_when(f: dict, lang: str) -> str:
    return condition_text(f["condition"], lang) if f.get("holds", True) else negate_text(f["condition"], lang)


def guard_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    m, msg, when = f"`{f['method']}`", f.get("message"), _guard_when(f, lang)
    out = []
    if lang == "en":
        out.append(("what_happens", pick(seed + "q1", [
            f"What happens in {m} when {when}?",
            f"If {when}, what does {m} do?",
            f"Suppose {when} while {m} runs. What happens?",
        ])))
        if msg:
            out.append(("under_which_condition", pick(seed + "q2", [
                f"Under which condition does {m} fail with \"{msg}\"?",
                f"When do callers of {m} get the error \"{msg}\"?",
                f"What triggers the \"{msg}\" error in {m}?",
            ])))
            out.append(("where_implemented", pick(seed + "q3", [
                f"Where is the check behind \"{msg}\" implemented?",
                f"Which code raises \"{msg}\", and where does it live?",
            ])))
        else:
            out.append(("where_implemented", f"Where does {m} stop early, and on what condition?"))
        if f.get("comment"):
            out.append(("why", f"Why does {m} check that {when}?"))
    else:
        out.append(("what_happens", pick(seed + "q1", [
            f"在 {m} 中，如果{when}，会发生什么？",
            f"{m} 执行时遇到{when}的情况会怎样处理？",
        ])))
        if msg:
            out.append(("under_which_condition", pick(seed + "q2", [
                f"{m} 在什么条件下会报“{msg}”？",
                f"什么情况下调用 {m} 会得到“{msg}”这个错误？",
            ])))
            out.append(("where_implemented", f"“{msg}”这个校验是在哪里实现的？"))
        else:
            out.append(("where_implemented", f"{m} 在哪里、在什么条件下提前返回？"))
        if f.get("comment"):
            out.append(("why", f"为什么 {m} 要检查{when}？"))
    return out


def _guard_effect(f: dict, lang: str) -> str:
    msg = f.get("message")
    if f["action"] == "return":
        value = f.get("value")
        if lang == "en":
            return f"returns {'`' + value + '`' if value else 'immediately'} and skips the rest of the method"
        return f"直接返回{'`' + value + '`' if value else ''}，后面的逻辑都不会执行"
    if lang == "en":
        how = {"throw": f"throws `{f.get('exception')}`", "assert": f"calls `{f.get('helper')}`",
               "return_failed": f"returns `{f.get('helper')}`"}[f["action"]]
        return how + (f" with \"{msg}\"" if msg else "")
    how = {"throw": f"抛出 `{f.get('exception')}`", "assert": f"调用 `{f.get('helper')}`",
           "return_failed": f"返回 `{f.get('helper')}`"}[f["action"]]
    return how + (f"，提示“{msg}”" if msg else "")


def guard_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, when, effect = f"`{f['method']}`", _guard_when(f, lang), _guard_effect(f, lang)
    check = cite.at(f["line"], path)
    fails = cite.at(f.get("fail_line", f["line"]), path)   # in an else branch the failure is lines away
    within = f.get("within") or []
    ctx_en = ctx_zh = ""
    if within:   # each enclosing `if` reads like the guard's own condition: the branch taken, in words
        ctx_en = f" This check only runs on the branch where {' and '.join(_guard_when(w, 'en') for w in within)}."
        ctx_zh = f"这个校验只在{'并且'.join(_guard_when(w, 'zh') for w in within)}的分支里执行。"
    stops = f["action"] != "return"
    if lang == "en":
        tail_en = (" The exception propagates out of the method, so nothing after the check is executed."
                   if f["action"] in ("throw", "assert") else "")
        if qkind == "what_happens":
            body = pick(seed + "a", [
                f"{m} {effect}.{tail_en}",
                f"It does not get past the check: {m} {effect}.{tail_en}",
            ]) + ctx_en
        elif qkind == "under_which_condition":
            body = pick(seed + "a", [
                f"Exactly when {when}. {m} tests that condition and {effect}.",
                f"{m} raises it when {when}; at that point it {effect}.",
            ]) + ctx_en
        elif qkind == "where_implemented":
            body = (f"In `{f['class']}.{f['method_name']}` ({path}, line {f['line']}): the `if` there checks "
                    f"`{f['condition']}`; when {when}, it {effect}.") + ctx_en
        else:  # why
            body = (f"The code labels this step \"{f['comment']}\": {m} verifies it up front and {effect} "
                    f"when {when}, so the operation {'never continues with invalid input' if stops else 'ends early'}.")
        trace = [(f"{m} checks `{f['condition']}` at line {f['line']}", [check]),
                 (f"when the check fires, {m} {effect}", [fails])]
        if f.get("comment"):
            trace.insert(0, (f"the code labels this check \"{f['comment']}\"", [cite.at(f["line"] - 1, path)]))
        trace += [(f"the check is nested under `if ({w['condition']})`", [cite.at(w["line"], path)]) for w in within]
        return body, trace
    tail_zh = "异常会直接抛出方法，校验之后的代码都不会执行。" if f["action"] in ("throw", "assert") else ""
    if qkind == "what_happens":
        body = pick(seed + "a", [f"{m} 会{effect}。{tail_zh}", f"过不了这个校验：{m} {effect}。{tail_zh}"]) + ctx_zh
    elif qkind == "under_which_condition":
        body = f"当{when}时。{m} 判断这个条件，满足时{effect}。" + ctx_zh
    elif qkind == "where_implemented":
        body = (f"在 `{f['class']}.{f['method_name']}`（{path} 第 {f['line']} 行）：那里的 `if` 判断 "
                f"`{f['condition']}`，当{when}时{effect}。" + ctx_zh)
    else:
        body = f"代码注释把这一步标为“{f['comment']}”：{m} 先做这个校验，当{when}时{effect}，避免带着无效数据继续处理。"
    trace = [(f"{m} 在第 {f['line']} 行判断 `{f['condition']}`", [check]), (f"条件成立时 {m} {effect}", [fails])]
    if f.get("comment"):
        trace.insert(0, (f"代码注释把这个校验标为“{f['comment']}”", [cite.at(f["line"] - 1, path)]))
    trace += [(f"该校验位于 `if ({w['condition']})` 分支内", [cite.at(w["line"], path)]) for w in within]
    return body, trace


# ----------------------------------------------------------- transition --
def _entity(f: dict) -> str:
    return f.get("entity") or f.get("table") or "record"


def transition_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    labels = f.get("labels") or {}
    to = state_name(f["to"], labels, lang)
    ent, fld = _entity(f), f["field"]
    who = f"`{f['method']}`" if f.get("method") else f"the `{f['statement']}` statement"
    if lang == "en":
        out = [("what_happens", pick(seed + "q1", [
            f"What does {who} do to {ent}.{fld}?",
            f"Which {fld} does {who} leave the {ent} in?",
        ])), ("under_which_condition", pick(seed + "q2", [
            f"Under which condition does {who} move a {ent} to {fld} {to}?",
            f"When can {who} set {ent}.{fld} to {to}?",
        ]))]
        if labels:
            out.append(("which_values", f"Which values can {ent}.{fld} take, and which one does {who} set?"))
        return out
    out = [("what_happens", f"{who} 会把 {ent}.{fld} 改成什么？"),
           ("under_which_condition", f"{who} 在什么条件下把 {ent} 的 {fld} 设为 {to}？")]
    if labels:
        out.append(("which_values", f"{ent}.{fld} 有哪些取值？{who} 设置的是哪一个？"))
    return out


def transition_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str,
    list[str]]]]:
    labels = f.get("labels") or {}
    to = state_name(f["to"], labels, lang)
    ent, fld = _entity(f), f["field"]
    who = f"`{f['method']}`" if f.get("method") else f"`{f['statement']}`"
    froms = [state_name(c, labels, lang) for c in f.get("from_codes", [])]
    setter = cite.at(f.get("line"), path) if f.get("line") else cite.all()[0]
    limit = cite.at(f["criteria_line"], path) if f.get("criteria_line") else setter
    dict_id = cite.role("dict", f)
    inline = cite.at(f["line"] - 1, path) if f.get("line") and inline_dict(f.get("comment")) else None
    documented = list(dict.fromkeys(i for i in (dict_id, inline) if i))   # the field's doc and the comment on the line
    reqs = f.get("requires") or []
    # the guards that reject other states, and the UPDATE's own criteria: each proves the limit
    limited_by = list(dict.fromkeys([cite.at(r["line"], path) for r in reqs] + ([limit] if f.get("criteria_line") else [])))
    limited_by = limited_by or [limit]
    trace = [(f"{who} sets {fld} to {f['to']}" if lang == "en" else f"{who} 把 {fld} 设为 {f['to']}", [setter])]
    if f.get("via") == "sql":   # the statement's opening tag names it and its table
        trace.insert(0, (f"{who} is an UPDATE of `{f['table']}`" if lang == "en" else f"{who} 是对 `{f['table']}` 的 UPDATE",
                         [cite.all()[0]]))
    if lang == "en":
        parts = [f"{who} sets `{ent}.{fld}` to {to}."]
        if froms:
            parts.append(pick(seed + "f", [
                f"It only does that for a {ent} whose {fld} is {' or '.join(froms)}",
                f"The change applies only when the current {fld} is {' or '.join(froms)}",
            ]) + ("; anything else is rejected first" if reqs else "") + ".")
            trace.append((f"the change is limited to {fld} {' or '.join(f.get('from_codes', []))}", limited_by))
        for r in reqs:
            if r.get("message"):
                parts.append(f"If `{r['condition']}` holds it fails with \"{r['message']}\" instead.")
        if f.get("via") == "sql" and f.get("conditions"):
            parts.append("The WHERE clause enforces this in the same UPDATE: " +
                         " and ".join(_sql(c) for c in f["conditions"]) + ".")
        if qkind == "which_values" and labels:
            parts.insert(0, f"{ent}.{fld} is documented as: " + "; ".join(f'{c} = "{lab}"' for c, lab in labels.items()) + ".")
            if documented:
                trace.append((f"{fld} codes are labelled " + ", ".join(f"{c} {lab}" for c, lab in labels.items()), documented))
        elif labels.get(str(f["to"])) and documented:
            trace.append((f"code {f['to']} means {labels[str(f['to'])]}", documented))
        return " ".join(parts), trace
    parts = [f"{who} 把 `{ent}.{fld}` 设为 {to}。"]
    if froms:
        parts.append(f"只有当前 `{fld}` 为 {' 或 '.join(froms)} 时才会修改" + ("，否则先被拦下" if reqs else "") + "。")
        trace.append((f"只允许从 {fld}={'/'.join(f.get('from_codes', []))} 变更", limited_by))
    for r in reqs:
        if r.get("message"):
            parts.append(f"如果 `{r['condition']}` 成立，会提示“{r['message']}”并失败。")
    if f.get("via") == "sql" and f.get("conditions"):
        parts.append("UPDATE 的 WHERE 条件同时保证了这一点：" + " 且 ".join(_sql(c) for c in f["conditions"]) + "。")
    if qkind == "which_values" and labels:
        parts.insert(0, f"`{ent}.{fld}` 的取值：" + "；".join(f"{c}->{lab}" for c, lab in labels.items()) + "。")
        if documented:
            trace.append((f"{fld} 的取值含义：" + "，".join(f"{c}={lab}" for c, lab in labels.items()), documented))
    elif labels.get(str(f["to"])) and documented:
        trace.append((f"状态码 {f['to']} 表示{labels[str(f['to'])]}", documented))
    return "".join(parts), trace


# -------------------------------------------------------- sql invariant --
def _change(c: dict) -> str:
    """One SET assignment: as written when it fits on a line, else as arithmetic (a CASE spans lines)."""
    if "CASE" in c["text"].upper():
        return f"{c['column']} = {c['column']} {c['op']} {c['amount']} (one CASE branch per row)"
    return _sql(c["text"])


def _sql(code: str) -> str:
    """SQL as code when it reads the same in the mapper file; `<`/`>` are escaped there, so plain text."""
    return code if any(ch in code for ch in "<>&") else f"`{code}`"


def sql_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    s, table = f"`{f['statement']}`", f["table"]
    if f["operation"] == "select":
        if lang == "en":
            return [("what_happens", f"Which {table} rows does {s} pick up?"),
                    ("under_which_condition", f"Under which conditions does a row of {table} count as a match for {s}?")]
        return [("what_happens", f"{s} 会查出 {table} 里的哪些记录？"),
                ("under_which_condition", f"{table} 的记录满足什么条件才会被 {s} 查出？")]
    cols = ", ".join(c["column"] for c in f["changes"])
    if lang == "en":
        out = [("what_happens", pick(seed + "q1", [f"What does {s} do to {cols} in {table}?",
                                                    f"How does {s} change {cols}?"]))]
        if f.get("conditions"):
            out.append(("under_which_condition", f"Under which condition does {s} actually update a row?"))
            out.append(("why", f"Why does {s} put {_sql(f['conditions'][-1])} in its WHERE clause instead of checking in "
                               "Java first?"))
        return out
    out = [("what_happens", f"{s} 会对 {table} 的 {cols} 做什么修改？")]
    if f.get("conditions"):
        out.append(("under_which_condition", f"{s} 在什么条件下才会真正更新一行？"))
        out.append(("why", f"为什么 {s} 要把 {_sql(f['conditions'][-1])} 写在 WHERE 条件里？"))
    return out


def sql_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    s, table, ids = f"`{f['statement']}`", f["table"], cite.all()
    conds = f.get("conditions") or []
    if f["operation"] == "select":
        if lang == "en":
            body = f"{s} reads `{table}` rows that satisfy all of: " + "; ".join(_sql(c) for c in conds) + "."
            return body, [(f"{s} filters on {_sql(c)}", ids) for c in conds]
        body = f"{s} 查询 `{table}` 中同时满足以下条件的记录：" + "；".join(_sql(c) for c in conds) + "。"
        return body, [(f"{s} 的过滤条件包含 {_sql(c)}", ids) for c in conds]
    changes_en = ", ".join(_change(c) for c in f["changes"])
    if lang == "en":
        trace = [(f"{s} sets {changes_en}", ids)] + [(f"{s} requires {_sql(c)}", ids) for c in conds]
        if qkind == "what_happens":
            body = f"{s} updates `{table}` with {changes_en}" + (
                f", but only on rows where {' and '.join(_sql(c) for c in conds)}." if conds else ".")
        elif qkind == "under_which_condition":
            body = (f"Only when {' and '.join(_sql(c) for c in conds)} holds for the row (besides matching the id). "
                    "Otherwise the UPDATE matches nothing and reports no affected row.")
        else:
            body = pick(seed + "w", [
                "Because it makes check and change one atomic statement: two requests racing on the same row cannot both "
                "pass a Java-side check and then drive the value below what is allowed. ",
                "Putting the condition in the UPDATE turns it into a compare-and-set: the database evaluates it on the "
                "locked row, so concurrent orders cannot over-commit the same stock. ",
            ]) + f"If {_sql(conds[-1])} does not hold, {s} updates no row, which the caller can detect from the returned count."
        return body, trace
    changes_zh = "、".join(_change(c) for c in f["changes"])
    trace = [(f"{s} 执行 {changes_zh}", ids)] + [(f"{s} 要求 {_sql(c)}", ids) for c in conds]
    if qkind == "what_happens":
        only = f"，但只更新满足 {' 且 '.join(_sql(c) for c in conds)} 的行。" if conds else "。"
        body = f"{s} 对 `{table}` 执行 {changes_zh}" + only
    elif qkind == "under_which_condition":
        body = (f"除了按 id 匹配之外，还必须满足 {' 且 '.join(_sql(c) for c in conds)}；"
                "否则 UPDATE 不匹配任何行，返回的影响行数为零。")
    else:
        body = (f"这样校验和修改在同一条 SQL 里原子完成：并发请求无法同时通过 Java 层的检查后把数量改成非法值。"
                f"{_sql(conds[-1])} 不成立时 {s} 一行都不会更新，调用方据返回的行数判断失败。")
    return body, trace


# ---------------------------------------------------------- calculation --
def _returned(f: dict) -> bool:
    """The calculation is the method's own return value (target `name()`), not an assignment."""
    return f["target"] == f"{f.get('method_name')}()"


def calc_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    target = f["target"].rsplit(".", 1)[-1]
    target = target[3].lower() + target[4:] if target.startswith("set") and len(target) > 3 else target
    m = f"`{f['method']}`"
    if _returned(f):
        if lang == "en":
            return [("how_computed", pick(seed + "q", [f"What does {m} return, and how is it computed?",
                                                        f"How does {m} compute its result?"])),
                    ("where_implemented", f"Where is the result of {m} computed?")]
        return [("how_computed", f"{m} 返回什么？是怎么计算的？"), ("where_implemented", f"{m} 的返回值是在哪里计算的？")]
    if lang == "en":
        return [("how_computed", pick(seed + "q", [f"How is `{target}` calculated in {m}?",
                                                    f"What formula does {m} use for `{target}`?"])),
                ("where_implemented", f"Where is `{target}` computed?")]
    return [("how_computed", f"{m} 中 `{target}` 是怎么计算的？"), ("where_implemented", f"`{target}` 是在哪里计算的？")]


def calc_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    pw = f.get("piecewise")
    if pw:
        ev = cite.at(f["line"], path)
        if lang == "en":
            body = (f"`{f['method']}` returns `{pw['then']}` when {condition_text(pw['condition'], 'en')}; in every other "
                    "case it "
                    f"returns `{pw['else']}`.")
            return body, [(f"`{f['method']}` tests `{pw['condition']}` and returns `{pw['then']}`", [ev]),
                          (f"otherwise it returns `{pw['else']}`", [ev])]
        body = f"当{condition_text(pw['condition'], 'zh')}时 `{f['method']}` 返回 `{pw['then']}`，其他情况返回 `{pw['else']}`。"
        return body, [(f"`{f['method']}` 判断 `{pw['condition']}` 后返回 `{pw['then']}`", [ev]),
                      (f"否则返回 `{pw['else']}`", [ev])]
    formula = formula_text(f["expression"])
    expr = f"`{f['expression']}`"
    m, line = f"`{f['method']}`", f["line"]
    ev = cite.at(line, path)
    accumulates = f.get("in_loop") and re.match(rf"{re.escape(f['target'])}\b", f["expression"])
    loop_en = (" It runs once per item inside a loop, so the result accumulates over all items." if accumulates
               else " It is computed for each item inside a loop." if f.get("in_loop") else "")
    loop_zh = ("这段代码在循环里逐项执行，结果对所有条目累加。" if accumulates
               else "这段代码在循环里对每个条目分别计算。" if f.get("in_loop") else "")
    note = f.get("comment")
    returned = _returned(f)
    if lang == "en":
        what = f"{formula} (in code: {expr})" if formula else expr
        result = "its result" if returned else f"`{f['target']}`"
        if qkind == "how_computed":
            body = f"{m} computes {result} as {what}." + loop_en + (" The comment above it says "
                                                                    f"\"{note}\"." if note else "")
        elif returned:
            body = f"In `{f['class']}.{f['method_name']}` ({path}, line {line}): it returns {what}." + loop_en
        else:
            body = f"In `{f['class']}.{f['method_name']}` ({path}, line {line}): `{f['target']}` = {what}." + loop_en
        trace = [(f"{m} returns {expr}" if returned else f"{m} assigns `{f['target']}` from {expr}", [ev])]
        if note:
            trace.append((f"the comment above it reads \"{note}\"", [cite.at(line - 1, path)]))
        return body, trace
    what = f"{formula}（代码：{expr}）" if formula else expr
    target_zh = "返回值" if returned else f"`{f['target']}`"
    if qkind == "how_computed":
        body = f"{m} 的{target_zh} = {what}。" + loop_zh + (f"代码注释写的是“{note}”。" if note else "")
    else:
        body = f"在 `{f['class']}.{f['method_name']}`（{path} 第 {line} 行）：{target_zh} = {what}。" + loop_zh
    trace = [(f"{m} 返回 {expr}" if returned else f"{m} 用 {expr} 给 `{f['target']}` 赋值", [ev])]
    if note:
        trace.append((f"上方注释写的是“{note}”", [cite.at(line - 1, path)]))
    return body, trace


# ------------------------------------------------------------- schedule --
def schedule_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    c = f"`{f['class']}`"
    if lang == "en":
        return [("when_runs", pick(seed, [f"When does {c} run, and what does it do?", f"How often does {c} fire?"])),
                ("what_happens", f"What happens each time `{f['method']}` is triggered?")]
    return [("when_runs", f"{c} 什么时候执行？做什么？"), ("what_happens", f"`{f['method']}` 每次触发时会做什么？")]


def schedule_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    when = cron_text(f["cron"], lang) if f.get("cron") else f"`{f.get('rate')}`"
    ann = cite.at(f["line"], path)
    calls = f.get("calls") or []
    call_ev = cite.evidence[1].id if len(cite.evidence) > 1 else ann
    en = lang == "en"
    trace = [(f"`{f['method']}` is scheduled with {when}" if en else f"`{f['method']}` 的调度周期是{when}", [ann])]
    if calls:
        trace.append((f"the job calls `{calls[0]}`" if en else f"任务调用 `{calls[0]}`", [call_ev]))
    if f.get("impl"):
        trace.append((f"`{f['impl']}` implements the job's work" if en else f"`{f['impl']}` 实现了任务逻辑",
                      [cite.at(f["impl_line"], f["impl_path"])]))
    if en:
        body = f"`{f['method']}` is annotated `@Scheduled` and runs {when}"
        body += f" (cron `{f['cron']}`)." if f.get("cron") else "."
        if calls:
            body += f" Each run calls {', '.join(f'`{c}`' for c in calls)}."
        if f.get("impl"):
            body += f" The work happens in `{f['impl']}` ({f['impl_path']}, from line {f['impl_line']})."
        return body, trace
    body = f"`{f['method']}` 带有 `@Scheduled` 注解，{when}执行一次" + (f"（cron `{f['cron']}`）" if f.get("cron") else "") + "。"
    if calls:
        body += f"每次执行调用 `{calls[0]}`。"
    if f.get("impl"):
        body += f"具体逻辑在 `{f['impl']}`（{f['impl_path']} 第 {f['impl_line']} 行起）。"
    return body, trace


# ------------------------------------------------------------ messaging --
def messaging_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    m = f"`{f['method']}`"
    role = f["role"]
    if role == "send":
        if lang == "en":
            out = [("what_happens", f"What message does {m} send, and where to?")]
            if f.get("delay"):
                out.append(("why", f"How does {m} make the message arrive later instead of immediately?"))
            return out
        out = [("what_happens", f"{m} 发送什么消息，发到哪里？")]
        if f.get("delay"):
            out.append(("why", f"{m} 是怎么让消息延迟投递的？"))
        return out
    if role == "trigger":
        if lang == "en":
            return [("what_happens", pick(seed, [f"How does {m} hand work to `{f['sender']}`?",
                                                 f"What does {m} pass to `{f['sender']}`, and how is it computed?"]))]
        return [("what_happens", f"{m} 是如何调用 `{f['sender']}` 的？传入的参数怎么计算？")]
    if role == "after_commit":
        if lang == "en":
            return [("why", f"Why does {m} send its message from an `{f['hook']}` callback instead of directly?")]
        return [("why", f"为什么 {m} 要在 `{f['hook']}` 回调里发送消息，而不是直接发送？")]
    if role == "listen":
        q = ", ".join(f.get("queues") or [])
        return ([("what_happens", f"What happens when a message arrives on `{q}`?")] if lang == "en"
                else [("what_happens", f"`{q}` 队列收到消息后会发生什么？")])
    return ([("why", f"Why does {m} set `{f['argument']}` on the queue it declares?")] if lang == "en"
            else [("why", f"{m} 声明队列时为什么要设置 `{f['argument']}`？")])


def _send_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en, delay = f"`{f['method']}`", lang == "en", f.get("delay")
    exchange, key = f.get("exchange"), f.get("routing_key")
    if qkind == "why" and delay:
        body = (f"It sets a per-message expiration: inside the message post-processor, `{delay['call']}` is given "
                f"`{delay['value']}`. The message goes to exchange `{exchange}` (routing key `{key}`) and is only "
                "delivered onward when that time-to-live runs out." if en else
                f"通过设置单条消息的过期时间：在消息后处理器里调用 `{delay['call']}`，值为 `{delay['value']}`。"
                f"消息发到交换机 `{exchange}`（路由键 `{key}`），过期后才被继续投递。")
    elif en:
        body = (f"{m} sends `{f.get('payload')}` through `convertAndSend` to exchange `{exchange}` with routing key "
                f"`{key}`." + (f" It also sets the message expiration to `{delay['value']}`." if delay else ""))
    else:
        body = (f"{m} 通过 `convertAndSend` 把 `{f.get('payload')}` 发到交换机 `{exchange}`，路由键 `{key}`。"
                + (f"同时把消息过期时间设为 `{delay['value']}`。" if delay else ""))
    trace = [(f"{m} calls convertAndSend with exchange `{exchange}`" if en else f"{m} 调用 convertAndSend，交换机为 `{exchange}`",
              [cite.at(f["line"], path)])]
    if delay:
        trace.append((f"the expiration is set from `{delay['value']}`" if en else f"过期时间取自 `{delay['value']}`",
                      [cite.at(delay["line"], path)]))
    return body, trace


def _trigger_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en, d = f"`{f['method']}`", lang == "en", f.get("delay")
    body = f"{m} calls `{f['sender']}`" if en else f"{m} 调用 `{f['sender']}`"
    trace = [(body, [cite.at(f["line"], path)])]
    if d:
        body += (f" with `{d['variable']}`, which it computes just before as `{d['expression']}`" if en
                 else f"，传入的 `{d['variable']}` 在调用前计算为 `{d['expression']}`")
        trace.insert(0, (f"`{d['variable']}` = `{d['expression']}`", [cite.at(d["line"], path)]))
    return body + ("." if en else "。"), trace


def _after_commit_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, main = f"`{f['method']}`", cite.at(f["line"], path)
    calls = ", ".join(f"`{c}`" for c in f.get("calls") or [])
    if lang == "en":
        body = (f"{m} registers a `TransactionSynchronization` and calls {calls} from its `{f['hook']}` hook, so the message "
                "leaves only once the database transaction has committed. Sending it directly could deliver a message about "
                "an order whose insert is later rolled back, or arrive before the row is visible to the consumer.")
        return body, [(f"{m} calls {calls} inside `{f['hook']}`", [main])]
    body = (f"{m} 注册了 `TransactionSynchronization`，在 `{f['hook']}` 回调中调用 {calls}，"
            "因此只有数据库事务提交后才发送消息。"
            "如果直接发送，可能发出一条关于后来被回滚的订单的消息，或者消费者收到消息时还查不到这条记录。")
    return body, [(f"{m} 在 `{f['hook']}` 中调用 {calls}", [main])]


def _listen_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en = f"`{f['method']}`", lang == "en"
    q = ", ".join(f"`{x}`" for x in f.get("queues") or [])
    calls = f.get("calls") or []
    trace = [(f"`{f['class']}` is bound to queue {q}" if en else f"`{f['class']}` 绑定队列 {q}", [cite.at(f["line"], path)])]
    if f.get("handler_line"):
        trace.append((f"{m} is the method that receives the messages" if en else f"{m} 是接收消息的方法",
                      [cite.at(f["handler_line"], path)]))
    if calls:
        trace.append((f"{m} calls `{calls[0]}`" if en else f"{m} 调用 `{calls[0]}`", [cite.evidence[-1].id]))
    if en:
        body = f"`{f['class']}` listens on {q} (`@{f['annotation']}`); {m} receives the payload"
        body += f" and passes it to `{calls[0]}`." if calls else "."
    else:
        body = f"`{f['class']}` 通过 `@{f['annotation']}` 监听 {q}；{m} 收到消息后" + (
            f"调用 `{calls[0]}`。" if calls else "进行处理。")
    return body, trace


def _dead_letter_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, main = f"`{f['method']}`", cite.at(f["line"], path)
    if lang == "en":
        body = (f"{m} declares the queue with `{f['argument']}` = `{f.get('value')}`. Messages that expire in this queue "
                "are not dropped: the broker re-publishes them there (dead-lettering), which is how a TTL queue becomes a "
                "delay queue.")
        return body, [(f"{m} sets `{f['argument']}` to `{f.get('value')}`", [main])]
    body = (f"{m} 为队列设置 `{f['argument']}` = `{f.get('value')}`。消息在该队列过期后不会被丢弃，而是被转发到这里（死信转发），"
            "这样带 TTL 的队列就成了延迟队列。")
    return body, [(f"{m} 设置 `{f['argument']}` 为 `{f.get('value')}`", [main])]


_MESSAGING_ANSWERS = {"send": _send_answer, "trigger": _trigger_answer, "after_commit": _after_commit_answer,
                      "listen": _listen_answer, "dead_letter": _dead_letter_answer}


def messaging_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """One answer builder per messaging role (what the method does with the broker)."""
    return _MESSAGING_ANSWERS[f["role"]](qkind, f, lang, cite, path)


# ---------------------------------------------------------- status dict --
def _dict_names(f: dict) -> tuple[str, str]:
    """(owner, field) for display; an enum's dictionary has no field: the enum is the value."""
    return f["owner"], f["field"] or "code"


def dict_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    (o, fld), entries = _dict_names(f), f["entries"]
    probe = entries[-1]
    if lang == "en":
        return [("which_values", pick(seed, [f"Which values can {o}.{fld} take?", f"What do the codes of {o}.{fld} mean?"])),
                ("what_means", f"What does {fld} = {probe['code']} mean on a {o}?")]
    return [("which_values", f"{o}.{fld} 有哪些取值？"), ("what_means", f"{o} 的 {fld} = {probe['code']} 表示什么？")]


def dict_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    (o, fld), entries = _dict_names(f), f["entries"]
    ids = cite.all()
    src = {"comment": "comment", "annotation": "API annotation", "enum": "enum"}.get(f.get("source"), f.get("source"))
    if qkind == "what_means":
        e = entries[-1]
        if lang == "en":
            return (f"`{fld}` = {e['code']} means \"{e['label']}\" — that is how the {src} on `{o}.{fld}` documents it.",
                    [(f"code {e['code']} of {o}.{fld} is labelled {e['label']}", ids)])
        return (f"`{fld}` = {e['code']} 表示“{e['label']}”，这是 `{o}.{fld}` 上的说明给出的含义。",
                [(f"{o}.{fld} 的 {e['code']} 表示{e['label']}", ids)])
    if lang == "en":
        values = "; ".join(f'{e["code"]} = "{e["label"]}"' for e in entries)
        body = f"`{o}.{fld}` is a code documented in its {src}: {values}."
        return body, [(f"{o}.{fld} has {len(entries)} documented codes", ids)]
    body = f"`{o}.{fld}` 是状态编码，取值：" + "；".join(f"{e['code']}->{e['label']}" for e in entries) + "。"
    return body, [(f"{o}.{fld} 共有 {len(entries)} 个取值", ids)]


# --------------------------------------------------------- side effects --
def steps_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    m = f"`{f['method']}`"
    if lang == "en":
        return [("steps_of", pick(seed, [f"What are the steps of {m}, in order?", f"Walk me through what {m} does, step by step.",
                                         f"In which order does {m} do its work?"]))]
    return [("steps_of", pick(seed, [f"{m} 按什么顺序执行哪些步骤？", f"请按顺序说明 {m} 的处理步骤。"]))]


def _step_text(s: dict, lang: str) -> str:
    """English text quotes the (often Chinese) step comment; Chinese text uses it as prose."""
    if lang == "en":
        what = f"calls `{s['call']}`" if s.get("call") else f"checks `{s['check']}`"
        return f"\"{s['label']}\": {what}"
    return f"“{s['label']}”（调用 `{s['call']}`）" if s.get("call") else f"“{s['label']}”（校验 `{s['check']}`）"


def steps_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    steps = f["steps"]
    lines = "\n".join(f"{n}. {_step_text(s, lang)}" for n, s in enumerate(steps, 1))
    head = (pick(seed + "h", [f"`{f['method']}` goes through these labelled steps, in order:",
                             f"Following the step comments in `{f['method']}`, the order is:"])
            if lang == "en" else f"`{f['method']}` 按代码注释依次执行以下步骤：")
    trace = [((f"step {n}: {s['label']}" if lang == "en" else f"第 {n} 步：{s['label']}"), [cite.at(s["line"], path)])
             for n, s in enumerate(steps, 1)]
    return f"{head}\n{lines}", trace


QA: dict[str, tuple[Callable, Callable]] = {
    "guard": (guard_questions, guard_answer),
    "transition": (transition_questions, transition_answer),
    "sql_invariant": (sql_questions, sql_answer),
    "calculation": (calc_questions, calc_answer),
    "schedule": (schedule_questions, schedule_answer),
    "messaging": (messaging_questions, messaging_answer),
    "status_dict": (dict_questions, dict_answer),
    "side_effects": (steps_questions, steps_answer),
}
