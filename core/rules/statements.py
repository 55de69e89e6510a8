"""Each rule's statement in English and Chinese, written from its facts.

These are the one-paragraph summaries shown in the review app and quoted to
LLM backends; the QA templates in core.generate phrase answers separately.
"""

from __future__ import annotations

from core.rules.render import condition_text, context_text, cron_text, formula_text, negate_text


def state_name(code: str, labels: dict[str, str], lang: str = "zh") -> str:
    """`4 (已关闭)`; in English text a Chinese label is quoted, as code-base vocabulary, not prose."""
    label = labels.get(str(code))
    if not label:
        return str(code)
    return f'{code} ("{label}")' if lang == "en" and not label.isascii() else f"{code} ({label})"


def _when(facts: dict, lang: str) -> str:
    return condition_text(facts["condition"], lang) if facts.get("holds", True) else negate_text(facts["condition"], lang)


def guard(f: dict) -> tuple[str, str]:
    msg = f.get("message") or ""
    where = f"`{f['method']}`"
    if f["action"] == "return":
        value = f.get("value") or ""
        en = f"{where} returns {'`' + value + '`' if value else 'early'} without doing anything else when {_when(f, 'en')}."
        zh = f"当{_when(f, 'zh')}时，{where} 直接返回{'`' + value + '`' if value else ''}，不再继续处理。"
        return en, zh
    how_en = {"throw": f"throws {f.get('exception') or 'an exception'}", "assert": f"fails through `{f.get('helper')}`",
              "return_failed": f"returns a failed result via `{f.get('helper')}`"}[f["action"]]
    how_zh = {"throw": f"抛出 {f.get('exception') or '异常'}", "assert": f"通过 `{f.get('helper')}` 失败",
              "return_failed": f"通过 `{f.get('helper')}` 返回失败结果"}[f["action"]]
    said = f' with the message "{msg}"' if msg else ""
    en = f"{where} {how_en}{said} when {_when(f, 'en')}{_constants_said(f, 'en')}."
    zh = f"当{_when(f, 'zh')}时，{where} {how_zh}{'，提示“' + msg + '”' if msg else ''}{_constants_said(f, 'zh')}。"
    return en, zh


def _constants_said(f: dict, lang: str) -> str:
    """What the named codes in a condition stand for: `Status.PAID.getCode()` is 1 ("已支付")."""
    parts = [f"`{c['expr']}` is {c['value']}" + (f' ("{c["label"]}")' if c.get("label") else "") if lang == "en"
             else f"`{c['expr']}` 为 {c['value']}" + (f"（{c['label']}）" if c.get("label") else "")
             for c in f.get("constants") or [] if c.get("value") is not None]
    if not parts:
        return ""
    return f" ({'; '.join(parts)})" if lang == "en" else f"（{'；'.join(parts)}）"


def transition(f: dict) -> tuple[str, str]:
    labels = f.get("labels") or {}
    owner = f.get("entity") or f.get("table") or "the record"
    where = f"`{f['method']}`" if f.get("method") else f"SQL statement `{f.get('name') or f['statement']}`"
    froms_en = [state_name(c, labels, "en") for c in f.get("from_codes", [])]
    froms_zh = [state_name(c, labels) for c in f.get("from_codes", [])]
    en = f"{where} sets {owner}.{f['field']} to {state_name(f['to'], labels, 'en')}"
    zh = f"{where} 将 {owner}.{f['field']} 设为 {state_name(f['to'], labels)}"
    if froms_en:
        en += f", only from {' or '.join(froms_en)}"
        zh += f"，仅当原状态为 {' 或 '.join(froms_zh)} 时"
    messages = [r["message"] for r in f.get("requires") or [] if r.get("message")]
    if messages:
        en += "; otherwise it fails with " + " / ".join(f'"{m}"' for m in messages)
        zh += "；否则失败并提示" + "、".join(f"“{m}”" for m in messages)
    return en + ".", zh + "。"


def sql_invariant(f: dict) -> tuple[str, str]:
    conds = " and ".join(f"`{c}`" for c in f.get("conditions", []))
    conds_zh = " 且 ".join(f"`{c}`" for c in f.get("conditions", []))
    name = f"`{f.get('name') or f['statement']}`"
    if f["operation"] == "select":
        return (f"{name} selects rows of {f['table']} where {conds}.",
                f"{name} 从 {f['table']} 中查询满足 {conds_zh} 的记录。")
    verbs = ", ".join(f"{'increases' if c['op'] == '+' else 'decreases'} {c['column']} by `{c['amount']}`"
                      for c in f["changes"])
    verbs_zh = "，".join(f"{c['column']} {'增加' if c['op'] == '+' else '减少'} `{c['amount']}`" for c in f["changes"])
    en = f"{name} {verbs} in {f['table']}"
    zh = f"{name} 在 {f['table']} 中将 {verbs_zh}"
    if conds:
        en += f", only where {conds}; if that does not hold, no row is updated"
        zh += f"，仅当 {conds_zh} 时才更新；条件不满足时不更新任何行"
    return en + ".", zh + "。"


def value_text(expr: str, lang: str = "en") -> str:
    """A computed value: the BigDecimal chain in words with the code beside it, else the code."""
    formula = formula_text(expr)
    if not formula:
        return f"`{expr}`"
    return f"{formula} (`{expr}`)" if lang == "en" else f"{formula}（`{expr}`）"


def site_text(site: dict, target: str, lang: str = "en") -> str:
    """One assignment or return site of a calculation, with the loops and branches that govern it:
    "for each `item` in `items`, when …, adds price × quantity to `total`"."""
    acc = site.get("accumulates")
    if lang == "en":
        if site["op"] == "return":
            what = f"returns {value_text(site['expression'], lang)}"
        elif acc:
            what = (f"adds {value_text(acc[1], lang)} to `{target}`" if acc[0] == "+"
                    else f"subtracts {value_text(acc[1], lang)} from `{target}`")
        elif site["op"] == "set":
            what = f"calls `{target}` with {value_text(site['expression'], lang)}"
        elif site["op"] in ("*=", "/="):
            what = f"{'multiplies' if site['op'] == '*=' else 'divides'} `{target}` by {value_text(site['expression'], lang)}"
        else:
            what = f"{'initialises' if site['op'] == 'init' else 'sets'} `{target}` to {value_text(site['expression'], lang)}"
    elif site["op"] == "return":
        what = f"返回 {value_text(site['expression'], lang)}"
    elif acc:
        term = value_text(acc[1], lang)
        what = f"把 {term} 累加到 `{target}`" if acc[0] == "+" else f"从 `{target}` 中减去 {term}"
    elif site["op"] == "set":
        what = f"以 {value_text(site['expression'], lang)} 调用 `{target}`"
    elif site["op"] in ("*=", "/="):
        what = f"把 `{target}` {'乘以' if site['op'] == '*=' else '除以'} {value_text(site['expression'], lang)}"
    else:
        what = f"把 `{target}` {'初始化为' if site['op'] == 'init' else '设为'} {value_text(site['expression'], lang)}"
    ctx = context_text(site.get("context") or [], lang)
    if (site.get("exits_before") or site.get("after_returns")) and not site.get("context"):
        ctx = "otherwise (no earlier `return` applied)" if lang == "en" else "否则（前面的 `return` 都未执行时）"
    if not ctx:
        return what
    return f"{ctx}, {what}" if lang == "en" else f"{ctx}，{what}"


def calculation(f: dict) -> tuple[str, str]:
    sites, target, m = f["sites"], f["target"], f"`{f['method']}`"
    if target.endswith("()"):
        en = f"{m} " + "; ".join(site_text(s, target, "en") for s in sites) + "."
        zh = f"{m}：" + "；".join(site_text(s, target, "zh") for s in sites) + "。"
        return en, zh
    en = f"In {m}, `{target}` is assigned at {len(sites)} place(s): " + "; ".join(
        f"line {s['line']}: {site_text(s, target, 'en')}" for s in sites) + "."
    zh = f"在 {m} 中，`{target}` 共有 {len(sites)} 处赋值：" + "；".join(
        f"第 {s['line']} 行：{site_text(s, target, 'zh')}" for s in sites) + "。"
    return en, zh


def schedule(f: dict) -> tuple[str, str]:
    when_en = cron_text(f["cron"], "en") if f.get("cron") else f"with {f.get('rate')}"
    when_zh = cron_text(f["cron"], "zh") if f.get("cron") else f"按 {f.get('rate')}"
    calls = ", ".join(f"`{c}`" for c in f.get("calls", []))
    en = f"`{f['method']}` runs {when_en}" + (f" and calls {calls}" if calls else "") + "."
    zh = f"`{f['method']}` {when_zh}执行一次" + (f"，调用 {calls}" if calls else "") + "。"
    return en, zh


def messaging(f: dict) -> tuple[str, str]:
    role = f["role"]
    if role == "send":
        en = (f"`{f['method']}` sends `{f.get('payload')}` to exchange `{f.get('exchange')}` "
              f"with routing key `{f.get('routing_key')}`")
        zh = f"`{f['method']}` 把 `{f.get('payload')}` 发送到交换机 `{f.get('exchange')}`，路由键 `{f.get('routing_key')}`"
        if f.get("delay"):
            en += f", setting the message expiration to `{f['delay']['value']}` so it is delivered late"
            zh += f"，并通过 `{f['delay']['call']}` 设置消息过期时间 `{f['delay']['value']}`，实现延迟投递"
        return en + ".", zh + "。"
    if role == "trigger":
        d = f.get("delay")
        en = f"`{f['method']}` hands the work to `{f['sender']}`"
        zh = f"`{f['method']}` 调用 `{f['sender']}` 发送消息"
        if d:
            en += f", passing `{d['variable']}` computed as `{d['expression']}`"
            zh += f"，传入的 `{d['variable']}` 由 `{d['expression']}` 计算得到"
        return en + ".", zh + "。"
    if role == "after_commit":
        calls = ", ".join(f"`{c}`" for c in f.get("calls", []))
        return (f"`{f['method']}` registers a transaction synchronization whose `{f['hook']}` calls {calls}: the message is "
                "sent only after the surrounding transaction commits.",
                f"`{f['method']}` 注册事务同步回调，在 `{f['hook']}` 中调用 {calls}：只有事务提交后才发送消息。")
    if role == "listen":
        queues = ", ".join(f"`{q}`" for q in f.get("queues", []))
        calls = ", ".join(f"`{c}`" for c in f.get("calls", []))
        return (f"`{f['method']}` consumes messages from queue {queues}" + (f" and calls {calls}" if calls else "") + ".",
                f"`{f['method']}` 监听队列 {queues}" + (f"，收到消息后调用 {calls}" if calls else "") + "。")
    return (f"`{f['method']}` declares the queue with `{f['argument']}` = `{f.get('value')}`: expired messages are "
            "re-routed there (dead-lettering).",
            f"`{f['method']}` 为队列设置 `{f['argument']}` = `{f.get('value')}`：消息过期后被转发到该处（死信转发）。")


def status_dict(f: dict) -> tuple[str, str]:
    entries = f.get("entries", [])
    en = "; ".join(f"{e['code']} = {e['label']}" for e in entries)
    zh = "；".join(f"{e['code']} -> {e['label']}" for e in entries)
    if f.get("field"):
        return (f"{f['owner']}.{f['field']} takes the values {en}.", f"{f['owner']}.{f['field']} 的取值：{zh}。")
    # an enum or a constant class: its constants are the values; an enum's code sits in its own field
    held = f" (the code is its field `{f['code_field']}`)" if f.get("code_field") else ""
    held_zh = f"（编码存于字段 `{f['code_field']}`）" if f.get("code_field") else ""
    return (f"`{f['owner']}`{held} declares the codes {en}.", f"`{f['owner']}`{held_zh} 定义的编码：{zh}。")


def side_effects(f: dict) -> tuple[str, str]:
    en = f"`{f['method']}` labels its steps with comments: " + "; ".join(
        f"{n}) {s['label']} (line {s['line']})" for n, s in enumerate(f["steps"], 1)) + "."
    zh = f"`{f['method']}` 用注释标出的步骤：" + "；".join(
        f"{n}）{s['label']}（第 {s['line']} 行）" for n, s in enumerate(f["steps"], 1)) + "。"
    return en, zh


RENDER = {
    "guard": guard, "transition": transition, "sql_invariant": sql_invariant, "calculation": calculation,
    "schedule": schedule, "messaging": messaging, "status_dict": status_dict, "side_effects": side_effects,
}
