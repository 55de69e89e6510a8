"""QA about whole flows: the ordered path of an entry point through services to SQL, and how a
cancelling operation undoes what a placing operation did (pairs of side-effect sequences)."""

from __future__ import annotations

import re

from core.generate.qa_templates import Cite, pick
from core.rules.render import camel_words

# Words that pair a placing step with the cancelling step that reverses it (lock/release stock ...).
_STOP = frozenset({"update", "set", "get", "list", "by", "id", "order", "to", "the", "of", "status", "selective",
                   "primary", "key", "insert", "delete", "select", "mapper", "service", "dao", "example", "criteria",
                   "setting", "item", "detail"})
_READ = re.compile(r"^(select|get|list|query|find|count|check|has|is)", re.I)


def flow_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    entry = f["entry_label"] if lang == "en" else f.get("entry_label_zh", f["entry_label"])
    if lang == "en":
        return [("steps_of", pick(seed, [f"What happens, step by step, when {entry} is called?",
                                         f"Trace the call path of {entry} down to the database.",
                                         f"Which components does {entry} go through, in order?"])),
                ("where_implemented", f"Which SQL statements does {entry} end up running, and where are they defined?")]
    return [("steps_of", f"调用 {entry} 时，依次会经过哪些步骤？"),
            ("where_implemented", f"{entry} 最终会执行哪些 SQL，它们定义在哪里？")]


def _step_line(s: dict, lang: str) -> str:
    indent = "  " * max(0, s["depth"])
    if s.get("stmt_id"):
        return (f"{indent}- SQL `{s['stmt_id']}` ({s['path']})" if lang == "en" else f"{indent}- SQL "
                                                                                     f"`{s['stmt_id']}`（{s['path']}）")
    return f"{indent}- `{s['label']}`"


def _claim(s: dict, lang: str) -> str:
    if s.get("stmt_id") and s.get("caller"):
        return (f"`{s['caller']}` runs the SQL statement `{s['stmt_id']}`" if lang == "en"
                else f"`{s['caller']}` 执行 SQL 语句 `{s['stmt_id']}`")
    if s.get("caller"):
        return f"`{s['caller']}` calls `{s['label']}`" if lang == "en" else f"`{s['caller']}` 调用 `{s['label']}`"
    return f"the flow starts at `{s['label']}`" if lang == "en" else f"流程从 `{s['label']}` 开始"


def _path_claims(steps: list[dict], lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    return [(_claim(s, lang), [cite.at(s["line"], s["path"])]) for s in steps]


def flow_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    steps = f["steps"]
    if qkind == "where_implemented":
        calls = _path_claims([s for s in steps if not s.get("stmt_id")], lang, cite)
        sqls = [s for s in steps if s.get("stmt_id")]
        if lang == "en":
            body = f"{f['entry_label'][0].upper() + f['entry_label'][1:]} reaches these SQL statements: " + "; ".join(
                f"`{s['stmt_id']}` in {s['path']} (line {s['line']})" for s in sqls) + "."
            return body, calls + [(f"the flow runs `{s['stmt_id']}`", [cite.at(s["line"], s["path"])]) for s in sqls]
        body = f"{f.get('entry_label_zh', f['entry_label'])} 会执行以下 SQL：" + "；".join(
            f"{s['path']} 第 {s['line']} 行的 `{s['stmt_id']}`" for s in sqls) + "。"
        return body, calls + [(f"流程执行 `{s['stmt_id']}`", [cite.at(s["line"], s["path"])]) for s in sqls]
    kind = {"endpoint": "HTTP endpoint", "scheduled": "scheduled job", "listener": "message listener"}.get(f["entry_kind"],
        "entry point")
    kind_zh = {"endpoint": "HTTP 接口", "scheduled": "定时任务", "listener": "消息监听"}.get(f["entry_kind"], "入口")
    lines = "\n".join(_step_line(s, lang) for s in steps)
    if lang == "en":
        label = f["entry_label"][0].upper() + f["entry_label"][1:]
        head = f"{label} is {'an' if kind[0] in 'aeiouH' else 'a'} {kind}. The call path, indented by call depth:"
        return f"{head}\n{lines}", _path_claims(steps, lang, cite)
    head = f"{f.get('entry_label_zh', f['entry_label'])} 是一个{kind_zh}，调用链（按调用深度缩进）："
    return f"{head}\n{lines}", _path_claims(steps, lang, cite)


def _called(step: dict) -> str:
    """The method name a step calls (`portalOrderService.cancelOrder` -> 'cancelOrder'), '' for a check."""
    return (step.get("call") or "").rsplit(".", 1)[-1]


def _effect(step: dict) -> bool:
    """A step that changes something (reads cannot be undone)."""
    return bool(step.get("call")) and not _READ.match(_called(step))


def _topics(step: dict) -> set[str]:
    words = set(re.findall(r"[a-z]+", camel_words(_called(step)))) - _STOP
    return {w.rstrip("s") for w in words if len(w) > 3}


def undo_pairs(place_steps: list[dict], cancel_steps: list[dict]) -> list[dict]:
    """Cancel steps matched to the place steps they reverse: the same call with other arguments
    (`updateCouponStatus(.., 1)` / `(.., 0)`) first, else the placing step sharing most topic words
    (`lockStock` / `releaseSkuStockLock`), the later one on a tie (effects follow checks)."""
    pairs = []
    place_steps = [p for p in place_steps if _effect(p)]
    for c in (c for c in cancel_steps if _effect(c)):
        topics = _topics(c)
        if not topics:
            continue
        same = [p for p in place_steps if _called(p) == _called(c)]
        scored = [(len(_topics(p) & topics), n, p) for n, p in enumerate(place_steps) if _topics(p) & topics]
        match = same[-1] if same else (max(scored, key=lambda t: (t[0], t[1]))[2] if scored else None)
        if match:
            shared = sorted(_topics(match) & topics) or sorted(topics)
            pairs.append({"topic": shared[0], "place": match, "cancel": c})
    return pairs


def undo_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    p, c = f"`{f['place_method']}`", f"`{f['cancel_method']}`"
    if lang == "en":
        return [("undo", pick(seed, [f"How does {c} undo what {p} did?",
                                     f"When an order is cancelled through {c}, which effects of {p} are rolled back, and how?"]))]
    return [("undo", f"{c} 是如何撤销 {p} 所做的操作的？")]


def undo_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    rows, trace = [], []
    for pair in f["pairs"]:
        p, c = pair["place"], pair["cancel"]
        pe, ce = cite.at(p["line"], path), cite.at(c["line"], path)
        if lang == "en":
            rows.append(f"- {pair['topic']}: placing does \"{p['label']}\" (`{p.get('call') or p.get('check')}`); "
                        f"cancelling reverses it with \"{c['label']}\" (`{c.get('call')}`).")
            trace.append((f"`{f['place_method']}` calls `{p.get('call') or p.get('check')}`", [pe]))
            trace.append((f"`{f['cancel_method']}` calls `{c.get('call')}`", [ce]))
        else:
            rows.append(f"- {pair['topic']}：下单时“{p['label']}”（`{p.get('call') or p.get('check')}`），"
                        f"取消时用“{c['label']}”（`{c.get('call')}`）撤销。")
            trace.append((f"`{f['place_method']}` 调用 `{p.get('call') or p.get('check')}`", [pe]))
            trace.append((f"`{f['cancel_method']}` 调用 `{c.get('call')}`", [ce]))
    head = (f"`{f['cancel_method']}` mirrors the side effects of `{f['place_method']}` one by one:" if lang == "en"
            else f"`{f['cancel_method']}` 逐项撤销 `{f['place_method']}` 的副作用：")
    return head + "\n" + "\n".join(rows), trace
