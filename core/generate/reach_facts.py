"""Who ends up running a method: every endpoint, job and message listener whose calls reach it, each with the chain
of calls on the way and the branches and loops around each call.

The question a developer asks before changing a shared method ("what breaks if I change `reduceSkuStock`?") is
answered from the call graph upward, and only where the answer is whole: every caller is followed up to an entry
point (a caller that nothing calls, or an inactive one, and the question is not asked), no call the index could not
type carries the method's name, test sources are no callers, and the paths are few enough to read. A method only one
other method calls is that method's helper: its caller's question covers it.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from core.generate.flow_facts import member_label
from core.generate.lifecycle_facts import class_mapping_line
from core.generate.param_effects import method_node
from core.generate.plan import MAX_FLOW_EVIDENCE, TEST_SOURCES
from core.generate.qa_templates import Cite, control_text, file_name, pick, unique_claims
from core.generate.reflection import may_reflect
from core.generate.work import WorkItem
from core.index.java_ast import lines
from core.models import Span, sha256_text

MAX_PATHS = 6       # entry-to-method chains one answer lists
MAX_DEPTH = 4       # calls between an entry point and the method; a longer chain is not read at a glance
LAYERS = ("service", "service_impl", "dao", "component")


def reach_items(planner) -> list[WorkItem]:
    entries = {f["entry_id"]: f for f in planner.data["flows"]}
    callers: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for caller, edges in planner.graph.out.items():
        if TEST_SOURCES.search(planner.graph.methods[caller].path):
            continue
        for target, _via, line in edges:
            callers[target].add((caller, line))
    untyped = {c["callee_name"].rsplit(".", 1)[-1] for c in planner.data["calls"]
               if not c.get("callee_id") and not c.get("receiver_type")}
    overloaded = {k for k, n in Counter(_short(x) for x in planner.graph.methods).items() if n > 1}
    items = []
    for mid, m in sorted(planner.graph.methods.items()):
        cls = mid.split("#")[0]
        domain = next((d for d in planner.domains if d in planner.class_domains.get(cls, [])), None)
        name = mid.split("#")[-1].split("(")[0]
        if domain is None or planner.graph.layer(mid) not in LAYERS or planner.inactive.get(cls) or mid in entries \
                or len({c for c, _ in callers.get(mid, ())}) < 2 or name in untyped \
                or may_reflect(planner.reflected, cls, name):
            continue      # (a call by reflection, `getMethod("insertList", ..)`, is on no chain)
        paths = _paths(planner, entries, callers, mid)
        if not paths or len({p[0][0] for p in paths}) < 2 \
                or any(_short(x) in overloaded for x in [mid, *(c for p in paths for c, _ in p)]):
            continue      # (an overload would be named like its sibling: `queryList` calls `queryList`)
        facts, spans = _facts(planner, entries, mid, m, paths)
        evidence = planner.evidence(spans)
        if planner.weight(evidence) > MAX_FLOW_EVIDENCE:
            continue
        ref = "reach:" + sha256_text(mid)[:16]
        items += [planner._item(ref, "flow", "reach", qkind, lang, domain, question, facts, evidence)
                  for lang in planner.languages for qkind, question in reach_questions(facts, lang, ref)]
    return items


def _short(method_id: str) -> str:
    """`a.b.C#m(int)` -> `C#m`: what an answer names, the same for every overload."""
    return method_id.rsplit(".", 1)[-1].split("(")[0]


def _paths(planner, entries: dict, callers: dict, mid: str) -> list[list[tuple[str, int]]] | None:
    """Every chain [(entry, line), .., (last caller, line)] from an entry point down to `mid`; None when one ends at a
    method no entry reaches (dead code or a caller the index missed), at an inactive class, or there are too many."""
    out: list[list[tuple[str, int]]] = []

    def up(method: str, below: list[tuple[str, int]], seen: frozenset) -> bool:
        for caller, line in sorted(callers.get(method, ())):
            if caller in seen or len(below) >= MAX_DEPTH or planner.inactive.get(caller.split("#")[0]):
                return False
            chain = [(caller, line), *below]
            if caller in entries:   # an endpoint other handlers call too (`return index(userId)`): both ways count
                out.append(chain)   # (blind read 21J: litemall S29 stopped at the first handler)
                if callers.get(caller) and not up(caller, chain, seen | {caller}):
                    return False
            elif not callers.get(caller) or not up(caller, chain, seen | {caller}):
                return False
            if len(out) > MAX_PATHS:
                return False
        return True
    return out if up(mid, [], frozenset({mid})) and out else None


def _facts(planner, entries: dict, mid: str, m, paths: list) -> tuple[dict, list[Span]]:
    node = method_node(planner, m)   # the line naming it: its annotations come first (21I: mall S27 cited @Override)
    declared = lines(node.child_by_field_name("name"))[0] if node is not None else m.start_line
    spans = [Span(path=m.path, start_line=declared, end_line=declared)]
    rows = []
    for chain in paths:
        entry = entries[chain[0][0]]
        em = planner.graph.methods[entry["entry_id"]]
        mapping = class_mapping_line(planner.files, planner.data["classes"], em.path, entry["entry_id"].split("#")[0]) \
            if entry["entry_kind"] == "endpoint" else None
        spans.append(Span(path=em.path, start_line=em.start_line, end_line=min(em.end_line, em.start_line + 3)))
        if mapping:
            spans.append(Span(path=em.path, start_line=mapping, end_line=mapping))
        hops = []
        for k, (caller, line) in enumerate(chain):
            callee = chain[k + 1][0] if k + 1 < len(chain) else mid
            cm = planner.graph.methods[caller]
            called = callee.split("#")[-1].split("(")[0]
            controls = planner.outline.controls(cm.path, line, called)
            spans += [Span(path=cm.path, start_line=c.line, end_line=min(c.header_end, c.line + 5)) for c in controls]
            spans.append(Span(path=cm.path, start_line=line, end_line=line))
            hops.append({"caller": member_label(caller), "callee": member_label(callee), "path": cm.path, "line": line,
                         "controls": [{"kind": c.kind, "code": c.code, "line": c.line} for c in controls]})
        rows.append({"entry": entry["name"] if entry["entry_kind"] == "endpoint" else None,
                     "entry_kind": entry["entry_kind"], "entry_method": member_label(entry["entry_id"]),
                     "entry_path": em.path, "entry_line": em.start_line, "mapping_line": mapping, "hops": hops})
    return {"method": member_label(mid), "path": m.path, "line": declared, "paths": rows, "_path": m.path}, spans


# ------------------------------------------------------------- templates --
def reach_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    t = f"`{f['method']}`"
    if lang == "en":
        return [("reached_from", pick(seed, [
            f"Which endpoints, jobs or message listeners end up running {t}, and through which calls?",
            f"If {t} changes, which entry points (endpoints, jobs, listeners) are affected, and along which call paths?"]))]
    return [("reached_from", f"哪些接口、定时任务或消息监听最终会执行 {t}？经过哪些调用？")]


_KIND_EN = {"endpoint": "the endpoint", "listener": "the message listener", "scheduled": "the scheduled job"}
_KIND_ZH = {"endpoint": "接口", "listener": "消息监听", "scheduled": "定时任务"}


@unique_claims
def reach_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    en = lang == "en"
    rows, trace = [], []
    for n, p in enumerate(f["paths"], 1):
        who = (f"{_KIND_EN.get(p['entry_kind'], 'the entry')} {p['entry']} (`{p['entry_method']}`)" if p["entry"] and en
               else f"{_KIND_ZH.get(p['entry_kind'], '入口')} {p['entry']}（`{p['entry_method']}`）" if p["entry"]
               else f"{_KIND_EN.get(p['entry_kind'], 'the entry')} `{p['entry_method']}`" if en
               else f"{_KIND_ZH.get(p['entry_kind'], '入口')} `{p['entry_method']}`")
        steps = []
        for h in p["hops"]:
            where = f"{file_name(h['path'])}:{h['line']}"
            conds = "".join((", " if en else "，") + control_text(c, lang) for c in h["controls"])
            steps.append(f"`{h['caller']}` calls `{h['callee'].rsplit('.', 1)[-1]}` ({where}{conds})" if en
                          else f"`{h['caller']}` 调用 `{h['callee'].rsplit('.', 1)[-1]}`（{where}{conds}）")
            ids = list(dict.fromkeys([*(cite.at(c["line"], h["path"]) for c in h["controls"]), cite.at(h["line"], h["path"])]))
            called = h["callee"].rsplit(".", 1)[-1]   # as written at the call: through an interface, not the impl
            trace.append(((f"`{h['caller']}` calls `{called}` ({where})" if en
                           else f"`{h['caller']}` 调用 `{called}`（{where}）"), ids))
        rows.append(f"{n}. {who}: " + ("; then " if en else "；然后 ").join(steps) + ("." if en else "。"))
        if p["entry"]:
            ids = [cite.at(p["entry_line"], p["entry_path"])] + \
                ([cite.at(p["mapping_line"], p["entry_path"])] if p["mapping_line"] else [])
            trace.append(((f"`{p['entry_method']}` serves {p['entry']}" if en else f"`{p['entry_method']}` 对应 {p['entry']}"),
                          list(dict.fromkeys(ids))))
    k, n = len({p["entry_method"] for p in f["paths"]}), len(f["paths"])
    along = (f", along {n} call paths" if en else f"，共 {n} 条调用路径") if n > k else ""
    head = (f"{k} entry points end up running `{f['method']}`{along} (every caller followed up to an endpoint, job or "
            "listener; calls from test code are not counted):" if en else
            f"共有 {k} 个入口最终会执行 `{f['method']}`{along}（每个调用方都向上追到接口、定时任务或消息监听；不计测试代码）：")
    trace.append(((f"`{f['method']}` is declared here" if en else f"`{f['method']}` 在此声明"), [cite.at(f["line"], f["path"])]))
    return head + "\n" + "\n".join(rows), trace
