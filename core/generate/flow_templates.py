"""QA about whole flows: what an entry point writes to the database, in order and under which
branches and loops (facts from core.generate.flow_facts), and how a cancelling operation undoes what a
placing operation did (pairs of side-effect sequences)."""

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
    """One question per flow: what it writes, in which order, under which conditions (the scope is the entry)."""
    if lang == "en":
        return [("writes", pick(seed, [
            f"Which tables does {f['entry_label']} write, in what order, and under which conditions?",
            f"What does {f['entry_label']} change in the database, in order, and when does each write happen?"]))]
    return [("writes", f"{f['entry_label_zh']} 会按什么顺序写哪些表？每次写入在什么条件下发生？")]


_KIND_EN = {"insert": "INSERT into", "update": "UPDATE", "delete": "DELETE from"}
_KIND_ZH = {"insert": "插入", "update": "更新", "delete": "删除"}


def _control_text(c: dict, lang: str) -> str:
    code = c["code"]
    if lang == "en":
        return {"if": f"inside `if ({code})`", "else": f"in the `else` branch of `if ({code})`",
                "loop": f"once per iteration of `{code}`", "lambda": f"inside a lambda passed to `{code}`",
                "catch": f"inside `{code}`"}[c["kind"]]
    return {"if": f"在 `if ({code})` 条件内", "else": f"在 `if ({code})` 的 else 分支中",
            "loop": f"在循环 `{code}` 中逐次执行", "lambda": f"在传给 `{code}` 的 lambda 中",
            "catch": f"在 `{code}` 块中"}[c["kind"]]


def _site_text(site: dict, lang: str) -> str:
    """'via `A.m` → `B.n` (B.java:30)', then the branches and loops around any call on that path."""
    hops = site["hops"]
    last = hops[-1]
    chain = " → ".join(f"`{h['label']}`" for h in hops)
    if lang == "en":
        return f"called via {chain} ({_file(last['path'])}:{last['line']})" + "".join(
            f", where the call at {_file(h['path'])}:{h['line']} runs " + ", ".join(_control_text(c, lang) for c in h["controls"])
            for h in hops if h["controls"])
    return f"调用路径 {chain}（{_file(last['path'])}:{last['line']}）" + "".join(
        f"，其中 {_file(h['path'])}:{h['line']} 的调用" + "、".join(_control_text(c, lang) for c in h["controls"])
        for h in hops if h["controls"])


def _file(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _write_line(n: int, w: dict, lang: str) -> str:
    tables = ", ".join(f"`{t}`" for t in w["tables"])
    sites = [_site_text(s, lang) for s in w["sites"]]
    if lang == "en":
        head = f"{n}. {_KIND_EN[w['kind']]} {tables} by `{w['label']}` ({_file(w['path'])}:{w['start_line']})"
        if len(sites) == 1:
            return f"{head}, {sites[0]}."
        return f"{head}, reached from {len(sites)} places: " + "; ".join(f"({k}) {t}" for k, t in zip("abcdefgh", sites)) + "."
    head = f"{n}. {_KIND_ZH[w['kind']]} {tables}：`{w['label']}`（{_file(w['path'])}:{w['start_line']}）"
    if len(sites) == 1:
        return f"{head}，{sites[0]}。"
    return f"{head}，有 {len(sites)} 处调用：" + "；".join(f"（{k}）{t}" for k, t in zip("abcdefgh", sites)) + "。"


def _write_claims(w: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    """Per write: what the statement does; per call site: the chain that reaches it (citing each hop's call)
    and, per hop inside a branch or loop, that branch or loop."""
    tables = ", ".join(w["tables"])
    claims = [((f"`{w['label']}` is an {w['kind'].upper()} on {tables}" if lang == "en"
                else f"`{w['label']}` 对 {tables} 执行 {w['kind'].upper()}"), [cite.at(w["start_line"], w["path"])])]
    for site in w["sites"]:
        hops = site["hops"]
        chain = " → ".join(f"`{h['label']}`" for h in hops)
        ids = list(dict.fromkeys(cite.at(h["line"], h["path"]) for h in hops))
        claims.append(((f"{chain} reaches `{w['label']}`" if lang == "en" else f"{chain} 调用到 `{w['label']}`"), ids))
        for hop in (h for h in hops if h["controls"]):
            at = f"{_file(hop['path'])}:{hop['line']}"
            ids = list(dict.fromkeys([*(cite.at(c["line"], hop["path"]) for c in hop["controls"]),
                                      cite.at(hop["line"], hop["path"])]))
            conds = [_control_text(c, lang) for c in hop["controls"]]
            claims.append(((f"the call at {at} runs " + ", ".join(conds)) if lang == "en"
                           else f"{at} 的调用" + "、".join(conds), ids))
    return claims


def flow_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    writes = f["writes"]
    rows = "\n".join(_write_line(n, w, lang) for n, w in enumerate(writes, 1))
    entry = [((f"`{f['entry_method']}` is the entry point" if lang == "en" else f"入口是 `{f['entry_method']}`"),
              [cite.at(f["entry_line"], f["_path"])])]
    trace = list(dict.fromkeys((claim, tuple(ids)) for w in writes for claim, ids in _write_claims(w, lang, cite)))
    trace = entry + [(claim, list(ids)) for claim, ids in trace]
    if lang == "en":
        label = f["entry_label"][0].upper() + f["entry_label"][1:]
        head = (f"{label} runs {len(writes)} SQL write statement{'s' if len(writes) > 1 else ''}, in the order the "
                "code reaches them (following its calls through the project's own service, DAO and mapper classes; "
                "a write inside a branch runs only when that branch is taken):")
        return f"{head}\n{rows}", trace
    head = (f"{f['entry_label_zh']} 共有 {len(writes)} 条写 SQL，按代码执行顺序如下（沿项目自己的 Service、DAO、Mapper 调用追踪；"
            "位于分支内的写入只在该分支成立时执行）：")
    return f"{head}\n{rows}", trace


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
