"""Design samples: requirements derived from the domain map (and from a user's file), and the
template proposals that answer them within the repository's own conventions.

Conventions are learned, not assumed: the class-name prefix a domain uses
(`Oms`, `Pms` ...), the package of each layer, where mapper XML lives. A
proposal reuses components the map knows, with evidence, and names new ones
the way the repository would.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.errors import UserError
from core.models import DesignProposal, LayerChange, ReuseItem

LAYER_ORDER = ("controller", "service", "service_impl", "dao", "mapper_xml", "model", "dto", "view", "component", "config",
               "sql")
_PREFIX = re.compile(r"^([A-Z][a-z]{1,4})(?=[A-Z])")


@dataclass
class Ref:
    """Something a proposal reuses, with the span that proves it exists."""

    name: str
    why_en: str
    why_zh: str
    path: str
    start_line: int
    end_line: int
    eid: str = ""        # the evidence item that holds this span (set when the evidence is built)


@dataclass
class DesignSpec:
    """One requirement and what the template needs to answer it."""

    req_id: str
    kind: str
    domain: str
    text_en: str
    text_zh: str
    refs: list[Ref]
    facts: dict = field(default_factory=dict)


@dataclass
class Conventions:
    prefix: str
    packages: dict[str, str]          # layer -> package
    mapper_dir: str | None
    examples: dict[str, str]          # layer -> an existing class name
    known: list[str] = field(default_factory=list)   # class names that exist in the domain

    def name(self, layer: str, base: str) -> str:
        suffix = {"controller": "Controller", "service": "Service", "service_impl": "ServiceImpl", "dao": "Dao",
                  "component": "Task", "dto": "Param"}.get(layer, "")
        return f"{self.prefix}{base}{suffix}"

    def where(self, layer: str) -> str:
        pkg = self.packages.get(layer)
        return f" in `{pkg}`" if pkg else ""


def learn_conventions(classes: list[dict], sql_statements: list[dict], domain: str) -> Conventions:
    mine = [c for c in classes if domain in (c.get("domains") or []) and not c.get("is_generated") and c.get("name")]
    prefixes = Counter(m[1] for c in mine if (m := _PREFIX.match(c["name"])))
    packages: dict[str, Counter] = {}
    examples: dict[str, str] = {}
    for c in mine:
        pkg = c["symbol_id"].rsplit(".", 1)[0]
        packages.setdefault(c["layer"], Counter())[pkg] += 1
        examples.setdefault(c["layer"], c["name"])
    dao_ns = {c["symbol_id"] for c in mine if c["layer"] == "dao"}
    xml = Counter(str(Path(s["path"]).parent) for s in sql_statements if s["namespace"] in dao_ns)
    return Conventions(
        prefix=prefixes.most_common(1)[0][0] if prefixes else "",
        packages={layer: cnt.most_common(1)[0][0] for layer, cnt in packages.items()},
        mapper_dir=xml.most_common(1)[0][0] if xml else None,
        examples=examples,
        known=sorted({c["name"] for c in classes if c.get("name")}),
    )


def _entity_base(entity: str, prefix: str) -> str:
    return entity[len(prefix):] if prefix and entity.startswith(prefix) else entity


_CLASS_LAYERS = frozenset({"controller", "service", "service_impl", "dao", "model", "dto", "component"})


def _changes(items: list[tuple[str, str, str, bool]], known: list[str] | None = None) -> list[LayerChange]:
    """Layer changes in layer order, each stated once; a class the repository does not have yet is marked new."""
    order = {layer: n for n, layer in enumerate(LAYER_ORDER)}
    names = set(known or ())
    unique = list(dict.fromkeys(items))
    return [LayerChange(layer=layer, component=comp, change=change,
                        is_new=new or (bool(names) and layer in _CLASS_LAYERS and comp.split(".")[0] not in names))
            for layer, comp, change, new in sorted(unique, key=lambda t: order.get(t[0], 99))]


def _ids(refs: list[Ref], ids: list[str]) -> list[str]:
    """The evidence id of each ref: the one recorded when the evidence was built, else by position."""
    return [r.eid or (ids[n] if n < len(ids) else ids[-1]) for n, r in enumerate(refs)]


def _reuse(refs: list[Ref], ids: list[str], lang: str) -> list[ReuseItem]:
    return [ReuseItem(component=r.name, why=r.why_en if lang == "en" else r.why_zh, evidence_ids=[i])
            for r, i in zip(refs, _ids(refs, ids))]


# ---------------------------------------------------------------- proposals --
def propose(spec: DesignSpec, conv: Conventions, lang: str, ids: list[str]) -> tuple[DesignProposal, list[tuple[str, list[str]]]]:
    """The template proposal for a requirement, and the trace of claims about existing code."""
    design = BUILDERS[spec.kind](spec, conv, lang)
    design.reuse = _reuse(spec.refs, ids, lang)
    trace = [((f"`{r.name}` {r.why_en}" if lang == "en" else f"`{r.name}`：{r.why_zh}"), [i])
             for r, i in zip(spec.refs, _ids(spec.refs, ids))]
    return design, trace


def _a(word: str) -> str:
    """'an OmsOrder', 'a cancel reason'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _t(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def _q(label: str, lang: str) -> str:
    """A Chinese label inside English text is quoted: it is the code base's vocabulary, not prose."""
    return f'"{label}"' if lang == "en" and not label.isascii() else label


def _guard_where(f: dict, lang: str) -> str:
    if f["where"] == "write":
        return _t(lang, f"`{f['write']}` (line {f['write_line']}) updates the {f['entity']} only while {f['field']} is "
                        f"{f['from']}", f"`{f['write']}`（第 {f['write_line']} 行）只在 {f['field']} 为 {f['from']} 时更新")
    if f["where"] == "select":
        return _t(lang, f"a SELECT finds the {f['entity']} only while {f['field']} is {f['from']}, then `{f['write']}` "
                        f"(line {f['write_line']}) writes it by primary key",
                  f"先用 SELECT 查出 {f['field']} 为 {f['from']} 的记录，"
                  f"再用 `{f['write']}`（第 {f['write_line']} 行）按主键写入")
    if not f.get("by_key", True):
        return _t(lang, f"the {f['field']} check is Java code before `{f['write']}` (line {f['write_line']})",
                  f"{f['field']} 的检查是 `{f['write']}`（第 {f['write_line']} 行）之前的 Java 代码")
    return _t(lang, f"the {f['field']} check is Java code before `{f['write']}` (line {f['write_line']}), which writes "
                    "by primary key",
              f"{f['field']} 的检查是 `{f['write']}`（第 {f['write_line']} 行）之前的 Java 代码，写入按主键进行")


def _effects(f: dict, lang: str) -> str:
    calls = ", ".join(f"`{e['call']}`" for e in f["effects"])
    return _t(lang, f" (then {calls})" if calls else "", f"（随后 {calls}）" if calls else "")


def _same_request(f: dict, lang: str) -> str:
    """The test that tells a repeat from a different request: each stored input against the request's value."""
    var = "stored" if f["where"] == "write" else f.get("receiver_var") or "record"   # the write's record is not read
    pairs = [_t(lang, f"`{i['arg']}` equals `{var}.{i['getter']}()`", f"`{i['arg']}` 等于 `{var}.{i['getter']}()`")
             for i in f["inputs"]]
    return _t(lang, " and ".join(pairs), " 且 ".join(pairs)) if pairs else ""


def loop_text(code: str, lang: str = "en") -> str:
    """A loop said as prose: `for (Item item : items)` -> "for each `item` in `items`" (not the loop's source)."""
    each = re.match(r"\s*for\s*\(\s*(?:final\s+)?[\w.<>,\[\]\s?]+?\s+(\w+)\s*:\s*(.+?)\)\s*\{?\s*$", code)
    if each:
        return _t(lang, f"for each `{each.group(1)}` in `{each.group(2).strip()}`",
                  f"对 `{each.group(2).strip()}` 中的每个 `{each.group(1)}`")
    return _t(lang, f"in the loop `{code}`", f"在循环 `{code}` 中")


def _conds(e: dict, lang: str) -> str:
    """The ifs and loops an effect runs under, in the sample's language."""
    words = {"if": ("when", "当"), "else": ("unless", "除非")}
    return _t(lang, ", ".join(loop_text(c) if k == "loop" else f"{words[k][0]} `{c}`" for k, c in e.get("conds") or []),
              "，".join(loop_text(c, "zh") if k == "loop" else f"{words[k][1]} `{c}`" for k, c in e.get("conds") or []))


def _who(prec: dict) -> str:
    """'`paySuccess` of OmsPortalOrderServiceImpl': the precedent's method, named as its evidence shows it."""
    cls, _, name = prec["label"].rpartition(".")
    return f"`{name}` of {cls}"


def _claim_first(f: dict, ext: str, lang: str) -> str:
    """An external call made before the write is not undone by a guard on the write: a concurrent repeat has already
    made it. Only a claim taken before the call (a conditional UPDATE into an in-progress state) closes that."""
    src = "/".join(f["from_codes"])
    return _t(lang, f". A guard on the write comes after {ext}, so it cannot stop a second call to it: that needs the "
                    f"{f['entity']} claimed before {ext}, by an UPDATE that moves {f['column']} from {src} to an "
                    f"in-progress state only `WHERE {f['column']} = {src}` and goes on only when it changed 1 row (and "
                    "moves it back when the call fails)",
              f"。写入上的条件在 {ext} 之后，挡不住第二次调用：需要在 {ext} 之前先占住记录，即用只在 "
              f"`{f['column']} = {src}` 时把 {f['column']} 改为处理中状态的 UPDATE，影响 1 行才继续（调用失败时再改回）")


def _retry_race(f: dict, lang: str) -> str:
    """What a repeat that races the first call gets, from how the write is made (said, not waved off). Where an
    external call precedes the write, a fix on the write alone is not claimed to close the race."""
    col, rc = f["column"], f.get("row_check")
    others = [c for c in f.get("write_where") or [] if c not in ("id", col)]
    ext = ", ".join(f"`{e['call']}`" for e in f.get("external") or [])
    claim = _claim_first(f, ext, lang) if ext else ""
    if f["where"] == "write":
        if ext:
            return _t(lang, f"two calls at the same moment both pass the checks before {ext} and both call it; the "
                            f"conditional update then lets only one of them write{claim}",
                      f"同时到达的两次调用都会通过 {ext} 之前的检查并都调用它；条件更新只让其中一个写入{claim}")
        return _t(lang, "a repeat racing the first call is serialised by the conditional update: it matches 0 rows "
                        "and reads the record again; under MySQL's REPEATABLE READ a plain read in the same transaction "
                        "still shows the snapshot an earlier read fixed (the old status), which is why that read must "
                        "lock or run outside the transaction",
                  "与首次调用并发的重复请求由条件更新串行化：它影响 0 行后再次读取记录；在 MySQL 的 REPEATABLE READ 下，"
                  "同一事务中的普通读取仍看到更早读取固定的快照（旧状态），因此这次读取必须加锁或在事务之外进行")
    if rc and others:
        return _t(lang, f"a repeat that read the {f['entity']} before the first call wrote it still passes the {f['field']} "
                        + (f"check, calls {ext} again, " if ext else "check ")
                        + f"and reaches `{f['write']}`, whose WHERE also tests {', '.join(others)}: it matches 0 rows "
                        f"and gets `{rc['then'] or rc['test']}`, a failure, not success. Only a repeat that reads after the "
                        f"first call committed takes the new return{claim}",
                  f"在首次调用写入前就读取了记录的重复请求仍会通过 {f['field']} 检查"
                  + (f"、再次调用 {ext}，" if ext else "") + f"并执行 `{f['write']}`，其 WHERE 还检查 "
                  f"{', '.join(others)}：影响 0 行，得到 `{rc['then'] or rc['test']}`，即失败而非成功。只有在首次调用提交后"
                  f"读取的重复请求才会走新的返回{claim}")
    if ext:
        return _t(lang, f"two calls at the same moment both pass the Java check, both call {ext} and both write "
                        f"(`{f['write']}` updates by primary key); the early return does not close that, and neither "
                        f"would `{col} = {'/'.join(f['from_codes'])}` in that UPDATE's WHERE{claim}",
                  f"同时到达的两次调用都会通过 Java 检查、都调用 {ext} 并都写入（`{f['write']}` 按主键更新）；提前返回无法"
                  f"解决，在该 UPDATE 的 WHERE 中加入 `{col} = {'/'.join(f['from_codes'])}` 也不行{claim}")
    prec = f.get("precedent")
    how = _t(lang, f", as {_who(prec)} already does (`{prec['test']}`)" if prec else "",
             f"，与 {_who(prec)} 的做法一致（`{prec['test']}`）" if prec else "")
    return _t(lang, f"two calls at the same moment both pass the Java check and both write (`{f['write']}` updates by "
                    f"primary key); the early return does not close that. Closing it needs `{col} = {'/'.join(f['from_codes'])}` "
                    f"in the UPDATE's WHERE and a row-count check{how}",
              f"同时到达的两次调用都会通过 Java 检查并都写入（`{f['write']}` 按主键更新）；提前返回无法解决。需要在 UPDATE "
              f"的 WHERE 中加入 `{col} = {'/'.join(f['from_codes'])}` 并检查影响行数{how}")


def _skipped(f: dict, lang: str) -> str:
    """What the repeat no longer does, named: external calls before the write, the write, the effects after it."""
    ext = [_t(lang, f"`{e['call']}` (line {e['line']})", f"`{e['call']}`（第 {e['line']} 行）") for e in f.get("external") or []]
    after = [f"`{e['call']}`" + (_t(lang, f" ({_conds(e, lang)})", f"（{_conds(e, lang)}）") if e.get("conds") else "")
             for e in f["effects"]]
    parts = ext + ([] if f["where"] == "write" else [f"`{f['write']}`"]) + after   # a conditional write still runs
    return _t(lang, ", ".join(parts), "、".join(parts))


def _idempotent(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """A repeat of the same request returns the method's success without effects; a different request still fails.

    The repeat is told apart by comparing the request's values with what the first call stored; external calls made
    before the write are skipped by placing the test before them; the race is described from how the write is made.
    """
    f = spec.facts
    m, to, code, msg = f["method"], f["to"], f["to_code"], f["message"]
    same = _same_request(f, lang)
    ok = f"`return {f['success']};`" if f.get("success") else "`return;`"
    counted = _t(lang, f" It returns {f['success']} there: `{f['counter']}` counts what a call changes and starts at "
                       f"{f['success']}, and a repeat changes nothing." if f.get("counter") else "",
                 f" 此时返回 {f['success']}：`{f['counter']}` 统计本次调用修改的数量，初值为 {f['success']}，"
                 "重复请求不修改任何数据。"
                 if f.get("counter") else "")
    cond_en = f"{f['field']} is already {code}" + (f" and {same}" if same else "")
    cond_zh = f"{f['field']} 已是 {code}" + (f" 且 {same}" if same else "")
    differ = _t(lang, "; a request whose values differ from the stored ones falls through to the existing check and "
                      f"still fails with \"{msg}\"" if same else "",
                f"；取值与已存储的不同的请求继续走原有检查，仍报“{msg}”" if same else "")
    ext = f.get("external") or []
    before = _t(lang, " It sits before " + ", ".join(f"`{e['call']}` (line {e['line']})" for e in ext)
                + ", so a repeat does not call it again." if ext else "",
                " 它位于 " + "、".join(f"`{e['call']}`（第 {e['line']} 行）" for e in ext) + " 之前，重复请求不会再次调用。"
                if ext else "")
    if f["where"] == "write":
        read = f["read"] or (f"{f['receiver']}.selectByPrimaryKey" if f.get("has_select_by_key") else None)
        if not read:
            raise ValueError("no read of the record to reuse")
        change = _t(lang, f"when `{f['write']}` returns 0, read the {f['entity']} into `stored` (`{read}`, as a "
                          f"locking read or outside the transaction, so that it sees the other call's commit); if "
                          f"`stored`'s {cond_en}, {ok} "
                          f"without the steps that follow; otherwise fail with \"{msg}\" as today",
                    f"`{f['write']}` 返回 0 时把记录读入 `stored`（`{read}`，用加锁读或在事务之外读取，"
                    f"以便看到另一调用已提交的结果）；若 `stored` 的 {cond_zh}，则 {ok}，跳过后续步骤；否则仍报“{msg}”")
    else:
        change = _t(lang, f"right before the check that fails with \"{msg}\" (line {f['check_line']}): if {cond_en}, "
                          f"{ok}{differ}.{before}",
                    f"在报“{msg}”的检查（第 {f['check_line']} 行）之前：若 {cond_zh}，则 {ok}{differ}。{before}")
    inputs = _t(lang, " The request also carries " + ", ".join(f"`{i['arg']}`" for i in f["inputs"])
                + f", which the method stores on the {f['entity']} (" + ", ".join(f"`{i['field']}`, line {i['line']}"
                                                                       for i in f["inputs"])
                + "): a repeat is the same request only if they match what is stored." if f["inputs"] else
                " The request carries no other value that the method stores, so the state alone identifies a repeat.",
                " 请求还携带 " + "、".join(f"`{i['arg']}`" for i in f["inputs"]) + f"，方法会把它们存入 {f['entity']}："
                "只有与已存储的值一致时才是同一请求。" if f["inputs"] else
                " 请求中没有其他会被存储的值，仅凭状态即可识别重复请求。")
    skipped = _skipped(f, lang)
    many = skipped.count("`") > 6           # a long list is named once, in Understanding, and referred to after
    again = _t(lang, "all the calls listed above", "上面列出的全部调用") if many else skipped
    return DesignProposal(
        understanding=_t(lang, f"In `{m}`, {_guard_where(f, 'en')}. Sent again for {_a(f['entity'])} already in {to}, "
                               f"it fails with \"{msg}\".{inputs} A repeat must not run {skipped} again.{counted}",
                         f"`{m}` 中，{_guard_where(f, 'zh')}。对已是 {to} 的 {f['entity']} 再次调用会报“{msg}”。{inputs}"
                         f"重复请求不得再次执行 {skipped}。{counted}"),
        changes=_changes([(f.get("layer") or "service_impl", m, change, False)]),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, "first call: unchanged", "首次调用：不变"),
              _t(lang, f"same request again: {cond_en}, so it runs {ok} and skips {again}",
                 f"相同请求再次到达：{cond_zh}，直接 {ok}，跳过 {again}"),
              *([_t(lang, f"different values for {_a(f['entity'])} already in {code}: still fails with \"{msg}\"",
                    f"已是 {code} 但取值不同：仍报“{msg}”")] if same else []),
              _t(lang, f"any other {f['field']}: still fails with \"{msg}\"", f"其他 {f['field']}：仍报“{msg}”")],
        risks=[_retry_race(f, lang)],
        test_plan=[_t(lang, f"send the same request to `{m}` twice: the second runs {ok}; "
                            + ("each of those calls ran once" if many else f"{skipped} ran once"),
                      f"同一请求调用 `{m}` 两次：第二次 {ok}，" + ("这些调用都只执行一次" if many else f"{skipped} 只执行一次"))]
        + ([_t(lang, f"send it again with a different `{f['inputs'][0]['arg']}`: it fails with \"{msg}\" and the stored "
                     f"`{f['inputs'][0]['field']}` is unchanged",
               f"用不同的 `{f['inputs'][0]['arg']}` 再次发送：报“{msg}”，已存储的 `{f['inputs'][0]['field']}` 不变")]
           if f["inputs"] else [])
        + [_t(lang, f"{_a(f['entity'])} in a state other than {f['from']} or {code} still fails",
              f"处于其他状态的 {f['entity']} 仍然失败")],
    )


def _sql_guard(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """The state check becomes part of the UPDATE, and the rest of the method runs only when it matched."""
    f = spec.facts
    m, code, frm = f["method"], f["to_code"], "/".join(f["from_codes"])
    crit = f"and{f['field'][0].upper() + f['field'][1:]}{'EqualTo' if len(f['from_codes']) == 1 else 'In'}"
    how = (_t(lang, f"the criteria already built on `{f['var']}`", f"已有的 `{f['var']}` 条件")
           if f["where"] == "select" and f["var"] else
           _t(lang, f"an `{f['entity']}Example` with the id and `{crit}({frm})`",
               f"带 id 与 `{crit}({frm})` 的 `{f['entity']}Example`"))
    on_zero = (_t(lang, "return as the empty SELECT does today", "与现在查不到记录时一样直接返回") if f["where"] == "select"
               else _t(lang, "return, as the Java check does today", "与现在的 Java 检查一样直接返回") if f.get("quiet")
               else _t(lang, f"fail with \"{f['message'] or 'the existing message'}\"" if f.get("message") else
                       "fail as the Java check does today", "与现在的 Java 检查一样报错"))
    prec = f.get("precedent")
    like = _t(lang, f", the way {_who(prec)} already does (`{prec['test']}`)" if prec else "",
              f"，与 {_who(prec)} 的做法一致（`{prec['test']}`）" if prec else "")
    rest = bool(f["effects"])
    go_on = _t(lang, "continue only when it returns 1" if rest else "it is the method's last step, so only the 0 case "
                                                                      "needs handling",
               "返回 1 才继续" if rest else "它是方法的最后一步，只需处理返回 0 的情况")
    change = _t(lang, f"replace `{f['write']}` with `{f['receiver']}.updateByExampleSelective(record, example)` "
                      f"using {how}{like}; {go_on}; on 0 {on_zero}",
                f"把 `{f['write']}` 换成 `{f['receiver']}.updateByExampleSelective(record, example)`，条件用{how}{like}；"
                f"{go_on}；返回 0 时{on_zero}")
    return DesignProposal(
        understanding=_t(lang, f"In `{m}`, {_guard_where(f, 'en')}. Two concurrent calls can both see {f['from']} and both "
                               f"write {f['to']}" + (f", running what follows the write twice{_effects(f, 'en')}"
                                                     if rest else " (the write is the method's last step)") + ". The check "
                               "belongs in the UPDATE's WHERE, and the row count decides who wins.",
                         f"`{m}` 中，{_guard_where(f, 'zh')}。两个并发调用可能都看到 {f['from']} 并都写入 {f['to']}"
                         + (f"，写入之后的步骤执行两次{_effects(f, 'zh')}" if rest else "（写入是方法的最后一步）")
                         + "。检查应放进 UPDATE 的 WHERE，由影响行数决定谁成功。"),
        changes=_changes([(f.get("layer") or "service_impl", m, change, False)]),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, f"UPDATE ... SET {f['column']} = {code} WHERE id = ? AND {f['column']} = {frm}",
                 f"UPDATE ... SET {f['column']} = {code} WHERE id = ? AND {f['column']} = {frm}"),
              _t(lang, "1 row: continue with what follows the write" if rest else "1 row: done, as today",
                 "影响 1 行：继续执行写入之后的步骤" if rest else "影响 1 行：与现在一样结束"),
              _t(lang, f"0 rows: {on_zero}", f"影响 0 行：{on_zero}")],
        risks=[_t(lang, "the generated `updateByExampleSelective` writes only the record's non-null fields, so fill the "
                        "record with exactly the fields the method changes",
                  "生成的 `updateByExampleSelective` 只写非空字段，记录对象中只放本方法要改的字段")],
        test_plan=[_t(lang, f"two threads call `{m}` for one {f['entity']} in {f['from']}: one update returns 1, the other "
                            "0" + (" and what follows the write runs once" if rest else f" and {on_zero}"),
                      f"两个线程对同一 {f['entity']} 调用 `{m}`：一个更新返回 1，另一个返回 0"
                      + ("，后续逻辑只执行一次" if rest else f"，并{on_zero}")),
                   _t(lang, f"a single call on {_a(f['entity'])} in {f['from']} behaves as before", "单次调用行为不变")],
    )


def _stock_guard(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """The unchecked subtraction is replaced by the repository's own guarded statement, with its row-count check."""
    f = spec.facts
    col, guarded = f["column"], f["guarded"]
    args = _t(lang, ", ".join(f"its `{a}` as `{b}`" for a, b in f["args"]),
              "、".join(f"`{a}` 作为 `{b}`" for a, b in f["args"]))
    per = _t(lang, "once per element of the list it passes today" if f["batch"] else "in its place",
             "对现在传入的列表逐个调用" if f["batch"] else "替换原调用")
    if all(a == b for a, b in f["args"]):
        args = _t(lang, "the same arguments", "相同的参数")
    changes = []
    for u in f["users"]:
        changes.append((u["layer"], u["method"], _t(
            lang, f"replace `{u['call']}` (line {u['line']}) with `{f['precedent_call']}`, called {per} with {args}; "
                  f"when it returns 0, do what `{f['precedent']}` does: `{f['then'] or f['check']}`",
            f"把 `{u['call']}`（第 {u['line']} 行）换成 `{f['precedent_call']}`（{args}），{per}；返回 0 时与 `{f['precedent']}` "
            f"一样处理：`{f['then'] or f['check']}`"), False))
    tx = [u for u in f["users"] if u["transactional"] and f.get("fails")]
    risks = [_t(lang, f"a failure now rolls back all of `{u['method']}`, including the rows it had already changed in the "
                      "same call, where today it would have gone on", f"失败时会回滚整个 `{u['method']}`（包括本次调用已修改"
                      "的行），而现在会继续执行") for u in tx]
    risks += [_t(lang, f"`{u['job']}` runs `{u['method']}` on a schedule: the rolled-back rows are picked up again on the "
                       f"next run, so one row with too little {col} makes every later run fail and holds back all the "
                       f"others; handle each element on its own (check its count, log and skip that one, or give each "
                       "its own transaction) so one bad row does not stop the batch",
                 f"`{u['job']}` 定时执行 `{u['method']}`：回滚的行下次仍会被选中，只要有一行 {col} 不足，之后每次执行都会失败，"
                 "其他行也都无法处理；应逐个处理（检查各自的影响行数，记录并跳过该行，或每个元素单独一个事务），"
                 "避免一行坏数据卡住整批") for u in tx if u.get("job")]
    risks.append(_t(lang, f"rows whose {col} is already too low (from earlier unchecked runs) now change nothing instead of "
                          "going further negative; find them before deploying",
                    f"{col} 已经过低的行（以前未检查时留下的）现在不再被修改，而不是继续变负；上线前应先排查"))
    if f["batch"]:
        risks.append(_t(lang, "one UPDATE per row instead of one for the whole list: more round trips for long lists",
                        "每行一条 UPDATE 而不是整批一条：列表很长时往返次数增加"))
    return DesignProposal(
        understanding=_t(lang, f"`{f['statement']}` subtracts from {f['table']}.{col} with no condition on {col} in its "
                               f"WHERE, so a repeated or wrong quantity drives it below zero and its callers cannot "
                               f"tell. `{guarded}` subtracts from the same column only while `{f['guard']}`, and "
                               f"`{f['precedent']}` fails when it changes 0 rows (`{f['check']}`).",
                         f"`{f['statement']}` 扣减 {f['table']}.{col} 时 WHERE 中没有对 {col} 的条件，重复或错误的数量会"
                         f"把它扣成负数，调用方无从得知。`{guarded}` 只在 `{f['guard']}` 时扣减同一列，"
                         f"`{f['precedent']}` 在影响 0 行时失败（`{f['check']}`）。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none; the guarded statement exists", "无；已有带保护的语句")],
        flow=[_t(lang, f"for each row: `{guarded}` changes it only while `{f['guard']}`",
                 f"每一行：仅在 `{f['guard']}` 时由 `{guarded}` 修改"),
              _t(lang, "1 row changed: go on as today", "影响 1 行：照常继续"),
              _t(lang, f"0 rows: `{f['then'] or f['check']}`, as in `{f['precedent']}`",
                 f"影响 0 行：`{f['then'] or f['check']}`，与 `{f['precedent']}` 一致")],
        risks=risks,
        test_plan=[_t(lang, f"a row with enough {col}: it is reduced exactly as before",
                      f"{col} 充足的行：与之前一样扣减"),
                   _t(lang, f"a row whose {col} is lower than the quantity: no row changes and the caller runs "
                            f"`{f['then'] or f['check']}`", f"{col} 小于数量的行：不修改任何行，调用方执行 "
                            f"`{f['then'] or f['check']}`")],
    )


def _unchecked_write(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """The caller checks the row count the way the caller it is most like already does."""
    f = spec.facts
    call, where = f"{f['call']}({f['arg']})", " AND ".join(f"{c} = …" for c in f["where"])
    log = re.search(r"\b(\w+\.(?:info|warn|error|debug))\(", f["then"])
    short = f["method"].rsplit(".", 1)[-1]
    if f["rest_in_loop"]:      # another method's log text names its own job: only the way it logs is reused
        handle = _t(lang, f"skip the rest of this element (`continue`) and log it with `{log.group(1)}(…)` as "
                          f"`{f['follow']}` does, with a message saying that `{short}` skipped this record because it "
                          "changed after it was read" if log else "skip the rest of this element (`continue`)",
                    "跳过本元素的其余步骤（`continue`）" + (f"，并像 `{f['follow']}` 一样用 `{log.group(1)}(…)` 记录日志，"
                                                           f"日志内容说明 `{short}` 因记录在读取后被修改而跳过它" if log else ""))
    else:
        handle = _t(lang, f"`{f['then']}`, as `{f['follow']}` does", f"`{f['then']}`，与 `{f['follow']}` 一致")
    others = "; ".join(f"`{o['method']}`: `{o['test']}` → `{o['then']}`" for o in f["others"])
    throws = bool(re.search(r"\bthrow\b|Asserts\.", f["then"])) and not f["rest_in_loop"]
    earlier = ", ".join(f"`{b}`" for b in f["before"])
    wrap = throws and f["before"] and not f["transactional"] and f.get("follow_transactional")
    changes = [(f["layer"], f["method"], _t(lang, f"wrap line {f['line']} as `if ({call} == 0) {{ … }}` and there {handle}",
                                            f"把第 {f['line']} 行改为 `if ({call} == 0) {{ … }}`，其中{handle}"), False)]
    if wrap:                   # the copied throw undoes the earlier writes only inside a transaction, as in the model
        changes.append((f["layer"], f["method"], _t(
            lang, f"annotate it `@Transactional` like `{f['follow']}`, so the throw also undoes {earlier}; without it "
                  "they stay written while the caller gets the error",
            f"像 `{f['follow']}` 一样加上 `@Transactional`，使抛出的异常同时回滚 {earlier}；否则它们已写入而调用方却收到错误"),
            False))
    risks = []
    if f["before"] and not wrap and not (throws and f["transactional"]):
        risks.append(_t(lang, f"writes made earlier in the method ({earlier}) stay written while the caller "
                        + ("gets the error" if f["fails"] else "goes on") + ": only an exception inside a transaction "
                        "would undo them",
                        f"方法中更早的写入（{earlier}）不会撤销：只有事务中的异常才会回滚"))
    if f["after"] and not f["rest_in_loop"] and not re.search(r"\b(return|throw)\b|Asserts\.", f["then"]):
        risks.append(_t(lang, "the handling copied from " + f"`{f['follow']}` does not stop the method: the later "
                        + ", ".join(f"`{a}`" for a in f["after"]) + " still runs",
                        f"照搬 `{f['follow']}` 的处理不会中止方法：后面的 " + "、".join(f"`{a}`" for a in f["after"])
                        + " 仍会执行"))
    risks.append(_t(lang, f"0 rows means the row no longer matched `{where}` when it was written (another request or job "
                          "changed it after it was read); retrying with the stale record would fail again",
                    f"影响 0 行说明写入时该行已不满足 `{where}`（读取后被其他请求或任务修改）；用旧记录重试仍会失败"))
    return DesignProposal(
        understanding=_t(lang, f"`{f['statement']}` updates only while `{where}` still match, so `{f['call']}` changes 0 "
                               f"rows when the row was modified after it was read. `{f['method']}` ignores that count "
                               f"(line {f['line']})" + (", and goes on to " + ", ".join(f"`{a}`" for a in f["after"])
                                                         if f["after"] else "") + f" as if the write happened. "
                               f"{f['checked']} other callers check it; among them: {others}."
                               + (" " + ", ".join(f"`{a}`" for a in f["alike"]) + " ignore it too; this change "
                                  "leaves them as they are." if f.get("alike") else ""),
                         f"`{f['statement']}` 仅在 `{where}` 仍匹配时更新，记录在读取后被修改时 `{f['call']}` 影响 0 行。"
                         f"`{f['method']}` 忽略了该结果（第 {f['line']} 行）"
                         + ("，并继续执行 " + "、".join(f"`{a}`" for a in f["after"]) if f["after"] else "")
                         + f"。另外 {f['checked']} 个调用方都检查了它，例如：{others}。"
                         + ("" if not f.get("alike") else "、".join(f"`{a}`" for a in f["alike"])
                            + " 同样忽略该结果，本次修改不涉及它们。")),
        changes=_changes(changes),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, "1 row changed: as today", "影响 1 行：与现在一致"),
              _t(lang, f"0 rows: {handle}", f"影响 0 行：{handle}")],
        risks=risks,
        test_plan=[_t(lang, f"modify the row between the read and `{f['call']}` (another session): the method takes the "
                            "0-row path", f"在读取与 `{f['call']}` 之间修改该行（另一会话）：方法走影响 0 行的分支"),
                   _t(lang, "an unchanged row: behaves as today", "记录未被修改：行为与现在一致")],
    )


def _criteria_count(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """A count per code where the entity is read only through its generated mapper: the service that lists it counts
    each code with the generated `countByExample`, as the repository already counts; no mapper XML is written."""
    f = spec.facts
    ctrl, ent, fld = f["controller"], f["entity"], f["field"]
    method = f"countBy{fld[0].upper() + fld[1:]}"
    result = f"Map<{f['type']}, Long>"
    extra = [a for a in f["annotations"] if not a.endswith("Mapping")]
    like = _t(lang, f", annotated like `{f['mapped']}` ({', '.join('@' + a for a in extra)})" if extra else "",
              f"，注解与 `{f['mapped']}` 一致（{'、'.join('@' + a for a in extra)}）" if extra else "")
    wrapper = f["return_type"].split("<")[0] if "<" in f["return_type"] else ""
    ret = (f"`{wrapper}<{result}>`" if wrapper else _t(lang, f"`{f['returns']}(counts)` like `{f['mapped']}`",
                                                          f"`{f['returns']}(counts)`（同 `{f['mapped']}`）")
           if f.get("returns") else f"`{result}`")
    svc = f["service"].split(".")[0]
    codes = ", ".join(f"`{c}`" for c in f["constants"])
    crit = f"example.{f['opens']}().{f['criteria']}(code)" + (f"{f['deleted']}" if f["deleted"] else "")
    changes = [("controller", ctrl, _t(lang, f"`GET {f['route']}` returning {ret}{like}",
                                       f"`GET {f['route']}`，返回 {ret}{like}"), False)]
    for c in f["chain"]:
        if c.get("interface"):
            changes.append(("service", c["interface"], _t(lang, f"add `{result} {method}()`", f"新增 `{result} {method}()`"),
                            False))
        if c["class"] != svc:
            changes.append((c["layer"], c["class"], _t(lang, f"add `{method}()` passing the call on",
                                                       f"新增 `{method}()`，向下传递调用"), False))
    layer = next((c["layer"] for c in f["chain"] if c["class"] == svc), "service_impl")
    changes.append((layer, svc, _t(
        lang, f"add `{result} {method}()`: for each code of {codes}, a new `{f['example']}` with `{crit}` and "
              f"`{f['mapper']}.countByExample(example)` put into a `LinkedHashMap`, the way `{f['precedent']}` counts",
        f"新增 `{result} {method}()`：对 {codes} 中每个编码新建 `{f['example']}`，条件 `{crit}`，"
        f"把 `{f['mapper']}.countByExample(example)` 放入 `LinkedHashMap`，计数方式同 `{f['precedent']}`"), False))
    changes.append(("dao", f["mapper"], _t(lang, "no change: the generated `countByExample` is used as it is",
                                           "无需修改：直接使用已生成的 `countByExample`"), False))
    n = len(f["constants"])
    return DesignProposal(
        understanding=_t(lang, f"{ent} is read through its generated `{f['mapper']}`: `{f['service']}` lists it with "
                               f"`{f['example']}` criteria for `{ctrl}.{f['mapped']}`. The count per {fld} "
                               f"({', '.join(str(e['code']) + ' ' + e['label'] for e in f['entries'])}) is one "
                               f"`countByExample` per code in that service, with no hand-written SQL, the way "
                               f"`{f['precedent']}` already counts.",
                         f"{ent} 通过生成的 `{f['mapper']}` 读取：`{f['service']}` 用 `{f['example']}` 条件为 "
                         f"`{ctrl}.{f['mapped']}` 查询列表。按 {fld}（"
                         f"{'、'.join(str(e['code']) + ' ' + e['label'] for e in f['entries'])}）统计，只需在该服务中对每个编码"
                         f"调用一次 `countByExample`，无需手写 SQL，与 `{f['precedent']}` 的计数方式一致。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, f"`GET {f['route']}` → `{svc}.{method}`", f"`GET {f['route']}` → `{svc}.{method}`"),
              _t(lang, f"{n} `countByExample` calls, one per code; a code with no {ent} counts 0",
                 f"按编码调用 {n} 次 `countByExample`；没有记录的编码计为 0")],
        risks=[_t(lang, f"{n} COUNT queries per call: fine for a dashboard, cache it if a page polls; a code added to "
                        f"{fld} later must be added to the list too",
                  f"每次调用执行 {n} 次 COUNT：用于看板可以，页面轮询时应缓存；日后新增的 {fld} 编码也要加入列表")],
        test_plan=[_t(lang, f"seed {ent} records with several {fld} values: each count matches, and a code without rows "
                            "is 0", f"构造多个 {fld} 取值的数据：各计数一致，没有记录的编码为 0")]
        + ([_t(lang, f"deleted rows are not counted (`{f['deleted'].lstrip('.')}`)",
               f"已删除的记录不计入（`{f['deleted'].lstrip('.')}`）")] if f["deleted"] else []),
    )


def _new_endpoint(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """A count-per-value endpoint on the controller that already reaches the entity's table, through the same classes
    down to the DAO whose hand-written mapper XML gets the GROUP BY."""
    f = spec.facts
    if f.get("idiom") == "criteria":
        return _criteria_count(spec, conv, lang)
    ctrl, ent, fld, col = f["controller"], f["entity"], f["field"], f["column"]
    cap_fld = fld[0].upper() + fld[1:]
    method = f"countBy{cap_fld}"
    as_map = f.get("as_map") or not f.get("dto_package")   # no result-object package to follow: rows as maps
    dto = "Map<String, Object>" if as_map else f"{ent}{cap_fld}Count{f.get('dto_suffix', '')}"  # as the repo names
    result = ' resultType="map"' if as_map else f' resultType="{f["dto_package"]}.{dto}"'   # MyBatis needs one
    extra = [a for a in f["annotations"] if not a.endswith("Mapping")]
    like = _t(lang, f", annotated like `{f['mapped']}` ({', '.join('@' + a for a in extra)})" if extra else "",
              f"，注解与 `{f['mapped']}` 一致（{'、'.join('@' + a for a in extra)}）" if extra else "")
    where = f" WHERE {f['delete_col']} = 0" if f.get("delete_col") else ""
    wrapper = f["return_type"].split("<")[0] if "<" in f["return_type"] else ""
    ret = (f"`{wrapper}<List<{dto}>>`" if wrapper else f"`{f['returns']}(list)` like `{f['mapped']}`" if f.get("returns")
           else f"`List<{dto}>`")
    changes = [("controller", ctrl, _t(lang, f"`GET {f['route']}` returning {ret}{like}",
                                       f"`GET {f['route']}`，返回 {ret}{like}"), False)]
    chain = f["chain"]
    changes += chain_changes(chain, method, f"List<{dto}>", f["dao"], lang)
    changes += [("dao", f["dao"], _t(lang, f"add `List<{dto}> {method}()`", f"新增 `List<{dto}> {method}()`"), False),
                ("mapper_xml", f["xml"], f"`<select id=\"{method}\"{result}>SELECT {col} AS {fld}, COUNT(*) AS count FROM "
                                         f"{f['table']}{where} GROUP BY {col}</select>`", False),
                ] + ([] if as_map else [("dto", dto, _t(lang, f"`{fld}` and `count`, in `{f['dto_package']}`",
                                                        f"`{fld}` 与 `count`，放在 `{f['dto_package']}`"), True)])
    return DesignProposal(
        understanding=_t(lang, f"`{ctrl}.{f['mapped']}` already reaches {f['table']} through "
                               + " → ".join(f"`{c['class']}`" for c in chain) + (" → " if chain else "")
                               + f"`{f['statement']}`. The count per {fld} "
                               f"({', '.join(str(e['code']) + ' ' + e['label'] for e in f['entries'])}) is one GROUP BY on "
                               f"{f['table']}.{col}, added to `{f['dao']}` in `{f['xml']}` and passed up the same way.",
                         f"`{ctrl}.{f['mapped']}` 已经通过 " + " → ".join(f"`{c['class']}`" for c in chain)
                         + (" → " if chain else "") + f"`{f['statement']}` 读取 {f['table']}。按 {fld}（"
                         f"{'、'.join(str(e['code']) + ' ' + e['label'] for e in f['entries'])}）统计只需对 "
                         f"{f['table']}.{col} 做一次 GROUP BY，"
                         f"加在 `{f['xml']}` 的 `{f['dao']}` 中，并沿同一路径向上传递。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none", "无")],
        flow=[_t(lang, f"`GET {f['route']}` → " + " → ".join(f"`{c['class']}.{method}`" for c in chain),
                 f"`GET {f['route']}` → " + " → ".join(f"`{c['class']}.{method}`" for c in chain)),
              _t(lang, f"`{f['dao']}.{method}` runs one GROUP BY", f"`{f['dao']}.{method}` 执行一次分组查询"),
              _t(lang, f"codes with no {ent} are absent from the result; the client shows them as 0",
                 "没有记录的编码不会出现在结果中，由前端显示为 0")],
        risks=[_t(lang, f"the GROUP BY reads every {f['table']} row on each call; a page that polls it should cache the "
                        "result or narrow it (for example by creation time)",
                  f"每次调用都会扫描 {f['table']} 全表做分组；若页面轮询，应缓存结果或缩小范围（如按创建时间）")],
        test_plan=[_t(lang, f"seed {ent} records with several {fld} values: each count matches",
                      f"构造多个 {fld} 取值的数据，各计数一致")]
        + ([_t(lang, f"rows with {f['delete_col']} = 1 are not counted", f"{f['delete_col']} = 1 的记录不计入")]
           if f.get("delete_col") else []),
    )


def chain_changes(chain: list[dict], method: str, returns: str, dao: str, lang: str) -> list[tuple[str, str, str, bool]]:
    """The new method on each class between an endpoint and its DAO (and the service interface a class implements),
    each returning the next one's result: the path an existing endpoint already takes."""
    out = []
    for n, c in enumerate(chain):
        nxt = f"{chain[n + 1]['class']}.{method}" if n + 1 < len(chain) else f"{dao}.{method}"
        if c.get("interface"):
            out.append(("service", c["interface"], _t(lang, f"add `{returns} {method}()`", f"新增 `{returns} {method}()`"),
                        False))
        out.append((c["layer"], c["class"], _t(lang, f"add `{method}()` returning `{nxt}()`",
                                               f"新增 `{method}()`，返回 `{nxt}()` 的结果"), False))
    return out


def _criteria_filter(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """One more optional request parameter, passed down like an existing one to one more Example criterion."""
    f = spec.facts
    fld, svc, m_name = f["field"], f["service"], f["service"].split(".")[1]
    doc = _t(lang, f"; document it with @{f['documented'][0]} like `{f['param']}`", f"；像 `{f['param']}` 一样用 "
             f"@{f['documented'][0]} 说明") if f.get("documented") else ""
    changes = [("controller", f["controller"], _t(lang, f"add `{f['new_param']}` and pass it to `{svc}`{doc}",
                                                  f"新增 `{f['new_param']}` 并传给 `{svc}`{doc}"), False)]
    for mid in f["middle"][1:]:
        changes.append(("service", mid, _t(lang, f"take `{fld}` and pass it on", f"接收 `{fld}` 并向下传递"), False))
    if f.get("interface"):
        changes.append(("service", f"{f['interface']}.{m_name}", _t(lang, f"add the parameter `{f['type']} {fld}`",
                                                                     f"新增参数 `{f['type']} {fld}`"), False))
    changes.append((f["service_layer"], svc, _t(
        lang, f"add the parameter `{f['type']} {fld}` and, next to `{f['mirror_line']}`, "
              f"`if ({fld} != null) {{ criteria.{f['criteria']}({fld}); }}`",
        f"新增参数 `{f['type']} {fld}`，并在 `{f['mirror_line']}` 旁加入 "
        f"`if ({fld} != null) {{ criteria.{f['criteria']}({fld}); }}`"),
        False))
    for o in f["others"]:
        changes.append(("service" if "Service" in o else "other", o, _t(lang, f"also calls `{svc}`: pass `null` for `{fld}`",
                                                                          f"同样调用 `{svc}`：`{fld}` 传 `null`"), False))
    return DesignProposal(
        understanding=_t(lang, f"`{f['controller']}` takes optional filters and `{svc}` turns each given one into an "
                               f"Example criterion (`{f['mirror_line']}` for `{f['param']}`). Filtering by {fld} is one "
                               f"more parameter on that path and one more `{f['criteria']}` criterion.",
                         f"`{f['controller']}` 接收可选过滤参数，`{svc}` 把传入的每个参数变成 Example 条件"
                         f"（`{f['param']}` 对应 `{f['mirror_line']}`）。按 {fld} 过滤只需沿该路径多传一个参数，"
                         f"并多加一个 `{f['criteria']}` 条件。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, "none; the column exists and the generated Example already has the criterion",
                         "无；列已存在，生成的 Example 已有该条件方法")],
        flow=[_t(lang, f"the request carries `{fld}`", f"请求携带 `{fld}`"),
              _t(lang, f"`{svc}` adds `{f['criteria']}` only when `{fld}` is given", f"仅在传入 `{fld}` 时 `{svc}` 加条件")],
        risks=[_t(lang, f"every other caller of `{svc}` must be given the new parameter", f"`{svc}` 的其他调用方都要补上新参数")
               if f["others"] else _t(lang, f"`{svc}` has no other caller", f"`{svc}` 没有其他调用方")],
        test_plan=[_t(lang, f"list with `{fld}` returns only matching rows", f"传入 `{fld}` 时只返回匹配记录"),
                   _t(lang, f"list without `{fld}` returns the same rows as today", f"不传 `{fld}` 时结果不变")],
    )


def _list_filter(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """One more optional filter, written exactly like the ones the query already has."""
    f = spec.facts
    if f.get("idiom") == "criteria":
        return _criteria_filter(spec, conv, lang)
    fld, col, p, dto = f["field"], f["column"], f["prefix"], f["dto"]
    clause = f'<if test="{p}.{fld}!=null"> AND {col} = #{{{p}.{fld}}} </if>'
    ann = [a for a in f["annotations"]]
    how = _t(lang, (" (Lombok generates its accessors)" if f["lombok"] else " with getter and setter")
             + (f", annotated with {', '.join('@' + a for a in ann)} like the other fields" if ann else ""),
             ("（访问方法由 Lombok 生成）" if f["lombok"] else " 及 getter/setter")
             + (f"，与其他字段一样加 {'、'.join('@' + a for a in ann)}" if ann else ""))
    ctrl = _t(lang, "no change: it binds the request body into `" + dto + "`" if f["body"] else
              f"no change: it binds request parameters into `{dto}`, so `{fld}` arrives as a query parameter",
              f"无需修改：请求{'体' if f['body'] else '参数'}会绑定到 `{dto}`")
    return DesignProposal(
        understanding=_t(lang, f"`{f['statement']}` already filters with optional `<if test=\"{p}.…\">` clauses on "
                               f"`{dto}` (e.g. `{f['mirror_sql']}`). Filtering by {fld} is one more field on `{dto}` and "
                               f"one more clause on `{col}`; the controller and service pass `{dto}` through.",
                         f"`{f['statement']}` 已用 `{dto}` 上的可选 `<if test>` 条件过滤（如 `{f['mirror_sql']}`）。"
                         f"按 {fld} 过滤只需在 `{dto}` 加一个字段、在 SQL 中加一个 `{col}` 条件；"
                         f"控制层与服务层原样传递 `{dto}`。"),
        changes=_changes([("dto", dto, _t(lang, f"add `private {f['type']} {fld};`{how}",
                                          f"新增 `private {f['type']} {fld};`{how}"), False),
                          ("mapper_xml", f["xml"], _t(lang, f"in `{f['statement']}`, next to the `{f['mirror']}` clause: "
                                                            f"`{clause}`",
                                                      f"在 `{f['statement']}` 中 `{f['mirror']}` 条件旁加入 `{clause}`"), False),
                          ("controller", f["controller"], ctrl, False)], conv.known),
        data_changes=[_t(lang, f"none; `{col}` exists", f"无；`{col}` 已存在")],
        flow=[_t(lang, f"the request carries `{fld}`", f"请求携带 `{fld}`"),
              _t(lang, f"`{dto}.{fld}` reaches `{f['statement']}`", f"`{dto}.{fld}` 传到 `{f['statement']}`"),
              _t(lang, f"the clause applies only when `{fld}` is given", f"仅在传入 `{fld}` 时生效")],
        risks=[_t(lang, f"a `{fld}` outside the defined codes matches no row: the list comes back empty rather than "
                        "rejected, as with the existing filters",
                  f"传入未定义的 `{fld}` 值时不匹配任何记录：与现有过滤条件一样返回空列表，而不是报错")],
        test_plan=[_t(lang, f"list with `{fld}` set returns only matching rows", f"传入 `{fld}` 时只返回匹配的记录"),
                   _t(lang, f"list without `{fld}` returns the same rows as today", f"不传 `{fld}` 时结果与现在一致")],
    )


def _accessors(cls: str, f: dict, lang: str) -> str:
    if cls in f.get("lombok", []):
        return _t(lang, " (Lombok generates its accessors)", "（访问方法由 Lombok 生成）")
    return _t(lang, " with getter and setter", " 及 getter/setter")


def _new_field(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """A column with a meaning the table lacks, written by the operations that give it meaning."""
    f = spec.facts
    ent, table, name, col = f["entity"], f["table"], f["field"], f["column"]
    model = (_t(lang, f"regenerate `{ent}`, its Example and its mapper XML with MyBatis Generator (`{f['generator']}`)",
                f"用 MyBatis Generator（`{f['generator']}`）重新生成 `{ent}`、Example 与 Mapper XML")
             if f.get("generator") else
             _t(lang, f"add `{name}`{_accessors(ent, f, 'en')}; JPA maps it to the column `{col}`",
                f"新增 `{name}`{_accessors(ent, f, 'zh')}；JPA 将其映射到列 `{col}`") if f.get("jpa") else
             _t(lang, f"add `{name}`{_accessors(ent, f, 'en')}, and `{col}` to its result map and column lists",
                f"新增 `{name}`{_accessors(ent, f, 'zh')}，并在 resultMap 与列清单中加入 `{col}`"))
    if (stamp := f.get("json_format")) and not f.get("generator"):
        model += _t(lang, f"; annotate it `@JsonFormat({stamp['args']})` like `{stamp['field']}`, so the response gives it "
                          "in the same format and time zone", f"；像 `{stamp['field']}` 一样加上 `@JsonFormat({stamp['args']})`，"
                          "使响应中的格式与时区一致")
    changes = [("sql", table, _t(lang, f"`ALTER TABLE {table} ADD COLUMN {col} {f['sql_type']} NULL COMMENT "
                                       f"'{f['label_zh']}'`",
                                 f"`ALTER TABLE {table} ADD COLUMN {col} {f['sql_type']} NULL COMMENT '{f['label_zh']}'`"),
                False),
               ("model", ent, model, False)]
    if f.get("ddl"):
        changes.append(("sql", f["ddl"]["path"], _t(lang, f"add `{col} {f['sql_type']} NULL COMMENT '{f['label_zh']}'` to "
                                                         f"`CREATE TABLE {table}` (line {f['ddl']['line']}), so a fresh "
                                                         "database has it too",
                                                   f"在 `CREATE TABLE {table}`（第 {f['ddl']['line']} 行）中加入 `{col} "
                                                   f"{f['sql_type']} NULL COMMENT '{f['label_zh']}'`，新建库时也有该列"), False))
    for st in f.get("listed") or []:
        ref = f"{st['prefix']}.{name}" if st.get("prefix") else name
        guard = f"<if test=\"{ref} != null\">"
        how = {("update", True): f"`{guard}{col} = #{{{ref}}},</if>` to its `<set>` like its other columns",
               ("update", False): f"`{col} = #{{{ref}}}` to its SET list",
               ("insert", True): f"`{guard}{col},</if>` to its column list and `{guard}#{{{ref}}},</if>` to its values",
               ("insert", False): f"`{col}` to its column list and `#{{{ref}}}` to its VALUES at the same position",
               }.get((st["kind"], st["dynamic"]), f"`{col}` to its column list")
        if st.get("alias"):
            rm = st.get("result_map")
            how = f"`{st['alias']}.{col}` to its SELECT list" + (
                f", `<result column=\"{col}\" property=\"{name}\"/>` to its resultMap `{rm['id']}` and the field `{name}` "
                f"to `{rm['type']}`" if rm and rm["type"] else "")
        regen = _t(lang, " and regeneration does not touch it", "，重新生成不会修改它") if f.get("generator") else ""
        changes.append(("mapper_xml", st["name"], _t(lang, f"it lists the {table} columns one by one ({st['kind']}){regen}: "
                                                           f"add {how}",
                                                     f"它逐一列出 {table} 的列（{st['kind']}）{regen}：加入 {how}"),
                        False))
    for g in f.get("grids") or []:
        changes.append(("view", g["path"], _t(
            lang, f"the table it fills from {g['route']} declares its columns by name (line {g['line']}: "
                  f"`{g['text']}`): add a column with `name: '{name}'` there, or the page never shows it",
            f"它从 {g['route']} 加载的表格按名称声明列（第 {g['line']} 行：`{g['text']}`）：在此加入 `name: '{name}'` "
            "的列，否则页面不会显示"), False))
    for mp in f.get("maps") or []:
        line = f"{mp['map']}.put(\"{name}\", {mp['var']}.get{name[0].upper() + name[1:]}());"
        changes.append((mp["layer"], mp["method"], _t(lang, f"builds its result map by hand (`{mp['text']}`): add `{line}`",
                                                      f"手工组装结果 map（`{mp['text']}`）：加入 `{line}`"), False))
    for v in f.get("views") or []:
        pages = v.get("pages") or []
        changes.append(("dto", v["view"], _t(lang, f"add `{name}`{_accessors(v['view'], f, 'en')}: `{v['method']}` copies "
                                                  f"the {ent} into it by property name (`{v['text']}`), so it then "
                                                  + ("reaches the page below, which still has to print it" if pages
                                                     else "carries the value to the user"),
                                            f"新增 `{name}`{_accessors(v['view'], f, 'zh')}：`{v['method']}` 按属性名把 "
                                            f"{ent} 复制进来（`{v['text']}`），之后"
                                            + ("传到下面的页面，页面仍需把它显示出来" if pages
                                               else "即可把该值返回给用户")), False))
        for pg in pages:
            changes.append(("view", pg["template"], _page_change(pg, f, lang), False))
    for s in f["setters"]:
        if s.get("via") and s.get("via_path"):
            value = "now()" if f.get("value") == "now" else f"#{{{name}}}"
            users = [x for x in f["setters"] if x.get("via") == s["via"]]
            shared = s.get("via_param") and not (s.get("via_calls") and s["via_calls"] <= len(users))
            if shared:      # a generic status writer others call too: the new column only for these callers' statuses
                codes = sorted({x["via_code"] for x in users if x.get("via_code")})
                test = " or ".join(f"{s['via_param']} == {c}" for c in codes)
                changes.append(("mapper_xml", s["via_path"], _t(
                    lang, f"`{s['via']}` writes `{s['via_param']}` for every caller, so it sets `{col} = {value}` only "
                          f"for {'these statuses' if len(codes) > 1 else 'this status'}: "
                          f"`<if test=\"{test}\">, {col} = {value}</if>` after its SET"
                    if codes and all(x.get("via_code") for x in users) else
                    f"`{s['via']}` writes `{s['via_param']}` for every caller: give these callers a statement of their "
                    f"own that also sets `{col} = {value}`, so other statuses written through it get none",
                    f"`{s['via']}` 为所有调用方写入 `{s['via_param']}`，因此只在这些状态时设置 `{col} = {value}`："
                    f"在其 SET 之后加 `<if test=\"{test}\">, {col} = {value}</if>`"
                    if codes and all(x.get("via_code") for x in users) else
                    f"`{s['via']}` 为所有调用方写入 `{s['via_param']}`：为这些调用方另写一条同时设置 `{col} = {value}` 的语句"),
                    False))
            else:           # its only callers are the operations themselves: every row it writes gets the column
                changes.append(("mapper_xml", s["via_path"], _t(lang, f"`{s['via']}` also sets `{col} = {value}` in its SET",
                                                                f"`{s['via']}` 在 SET 中同时设置 `{col} = {value}`"), False))
            if f.get("value") != "now":
                changes.append(("dao", s["via"], _t(lang, f"add the parameter `@Param(\"{name}\") String {name}`",
                                                    f"新增参数 `@Param(\"{name}\") String {name}`"), False))
        if f.get("value") == "now":
            what = _t(lang, f"set `{name}` to `{f['now']}` on the {ent} it writes",
                      f"在写入的 {ent} 上把 `{name}` 设为 `{f['now']}`")
            if s.get("via"):
                what = _t(lang, f"no Java change: `{s['via']}` sets `{col} = now()`",
                          f"Java 无需修改：`{s['via']}` 设置 `{col} = now()`")
        elif s.get("system"):
            what = _t(lang, f"set a fixed {f['label_en']} saying the system did it (no user acts here)"
                      + (f", passed to `{s['via']}`" if s.get("via") else f", on the {ent} it writes"),
                      f"设置表示系统操作的固定{f['label_zh']}（此处没有用户操作）")
        elif s.get("entity_body"):
            eb, getter = s["entity_body"], f"get{name[0].upper() + name[1:]}()"
            what = (_t(lang, f"no Java change: its request body is the {ent} it writes (`{eb['var']}`), which carries "
                             f"`{name}` once the model has it", f"Java 无需修改：请求体就是它写入的 {ent}（`{eb['var']}`），"
                             f"模型加入字段后即携带 `{name}`") if eb["same"] else
                    _t(lang, f"its request body is {_a(ent)} (`{eb['var']}`), which carries `{name}` once the model has "
                             f"it: copy `{eb['var']}.{getter}` onto "
                             + (f"`{eb['written']}`, " if eb.get("written") else "") + f"the {ent} it writes",
                       f"请求体是 {ent}（`{eb['var']}`），模型加入字段后即携带 `{name}`：把 `{eb['var']}.{getter}` "
                       f"复制到它写入的 {ent}" + (f"（`{eb['written']}`）" if eb.get("written") else "")))
        elif s.get("body"):
            what = _t(lang, f"read it from the request body like the method's other inputs (`{s['body']}`) and set it on "
                            f"the {ent} it writes", f"与方法的其他输入一样从请求体读取（`{s['body']}`），并设置到写入的 {ent} 上")
        elif s.get("via"):
            what = _t(lang, f"take the {f['label_en']} as a new parameter and pass it to `{s['via']}`",
                      f"新增{f['label_zh']}参数并传给 `{s['via']}`")
        elif s["note"]:
            what = _t(lang, f"store its existing `{s['note']}` parameter as `{name}` on the {ent} it writes",
                      f"把已有参数 `{s['note']}` 作为 `{name}` 写入 {ent}")
        elif s.get("dto"):
            changes.append(("dto", s["dto"], _t(lang, f"add `{name}`{_accessors(s['dto'], f, 'en')}",
                                                f"新增 `{name}`{_accessors(s['dto'], f, 'zh')}"), False))
            what = _t(lang, f"copy `{name}` from the `{s['dto']}` it receives onto the {ent} it writes",
                      f"把收到的 `{s['dto']}` 中的 `{name}` 写入 {ent}")
        else:
            what = _t(lang, f"take the {f['label_en']} as a new parameter and set `{name}` on the {ent} it writes",
                      f"新增{f['label_zh']}参数，并在写入的 {ent} 上设置 `{name}`")
        changes.append((s["layer"], s["method"], what, False))
        takes = not (f.get("value") == "now" or s.get("system") or s.get("body") or s["note"] or s.get("dto")
                     or s.get("entity_body"))
        if s.get("interface") and takes:          # a new parameter: the interface declares the signature too
            changes.append(("service", s["interface"], _t(lang, f"add the same `{f['label_en']}` parameter",
                                                          f"新增同样的{f['label_zh']}参数"), False))
    for c in f["callers"]:
        if c.get("inactive"):
            continue
        if c["layer"] == "controller" and not c.get("system") and c.get("ids_body"):
            what = _t(lang, f"its request body is only `{c['ids_body']}`, which cannot carry `{name}`: take it as a new "
                            f"request parameter (`@RequestParam(required = false) String {name}`) or replace the body with "
                            f"a request object holding the ids and `{name}`, and pass it on",
                      f"其请求体只有 `{c['ids_body']}`，无法携带 `{name}`：新增请求参数"
                      f"（`@RequestParam(required = false) String {name}`）或改用包含 ids 与 `{name}` 的请求对象，并传入")
        elif c["layer"] == "controller" and not c.get("system") and c.get("no_body"):
            what = _t(lang, f"take `{name}` as a new request parameter (`@RequestParam(required = false) String {name}`) "
                            "and pass it on", f"新增请求参数 `{name}`（`@RequestParam(required = false) String {name}`）并传入")
        elif c["layer"] == "controller" and not c.get("system"):
            what = _t(lang, f"accept `{name}` in the request and pass it on", f"从请求中接收 `{name}` 并传入")
        else:
            what = _t(lang, f"pass a fixed {f['label_en']} saying the system did it (no user acts here)",
                      f"传入表示系统操作的固定{f['label_zh']}（此处没有用户操作）")
        changes.append((c["layer"], c["caller"], what, False))
        for k in c.get("clients") or [] if c["layer"] == "controller" and not c.get("system") else []:
            changes.append(("view", k["path"], _t(lang, f"send `{name}` with its request to {k['route']} "
                                                        f"(line {k['line']}: `{k['text']}`), e.g. from an input the user fills",
                                                  f"在发往 {k['route']} 的请求中一并发送 `{name}`（第 {k['line']} 行："
                                                  f"`{k['text']}`），例如取自用户填写的输入框"), False))
    names = [s["method"] for s in f["setters"]]
    when = _t(lang, *f["when"])
    return DesignProposal(
        understanding=_t(lang, f"{table} has no column for {_a(f['label_en'])}. It is written where the {ent} {when} "
                               f"({', '.join(f'`{n}`' for n in names)}).",
                         f"{table} 没有{f['label_zh']}字段。它在 {ent} {when}写入（{'、'.join(f'`{n}`' for n in names)}）。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"`{table}.{col}` {f['sql_type']}, nullable: existing rows have none",
                         f"`{table}.{col}` {f['sql_type']}，允许为空：历史数据没有该值")],
        flow=[_t(lang, f"the caller supplies the {f['label_en']}", f"调用方提供{f['label_zh']}") if f.get("value") != "now"
              else _t(lang, f"the {f['label_en']} is the moment of the change", f"{f['label_zh']}取变更发生的时刻"),
              _flow_write(f, lang),
              _t(lang, f"endpoints that return `{ent}` itself include `{name}` once the model has it"
                       + ("; those that build a map by hand include it once the line above is added" if f.get("maps") else "")
                       + ("; the server-rendered pages show it once their templates print it" if pages_of(f) else ""),
                 f"直接返回 `{ent}` 的接口在模型加入字段后即包含 `{name}`"
                 + ("；手工组装 map 的接口需加入上面的那一行" if f.get("maps") else "")
                 + ("；服务端渲染的页面在模板显示它之后才可见" if pages_of(f) else ""))],
        risks=[_t(lang, ", ".join(f"`{st['name']}`" for st in f["listed"] if st["kind"] in ("update", "insert"))
                  + f" write{'s' if len(f['listed']) == 1 else ''} {table} with hand-listed columns: where `{col}` is "
                  "not added, a value set in Java is silently not stored",
                  "、".join(f"`{st['name']}`" for st in f["listed"] if st["kind"] in ("update", "insert"))
                  + f" 以手写列清单写入 {table}：未加入 `{col}` 的地方，Java 中设置的值会被静默丢弃")
               for _ in [0] if any(st["kind"] in ("update", "insert") for st in f.get("listed") or [])]
        + [_t(lang, f"existing {table} rows have no {f['label_en']}: every reader must accept `null`",
              f"{table} 的历史数据没有{f['label_zh']}：读取方须接受 `null`")]
        + [_t(lang, f"`{c['caller']}` also calls it but never runs ({c['inactive']}); give it the same fixed reason if it "
                    "is ever enabled",
              f"`{c['caller']}` 也调用它，但不会运行（{c['inactive']}）；若日后启用，同样传入固定原因")
           for c in f["callers"] if c.get("inactive")],
        test_plan=[_t(lang, f"each place listed above stores the {f['label_en']} it is given",
                      f"上述每处都保存传入的{f['label_zh']}") if f.get("value") != "now" else
                   _t(lang, "each operation listed above stores the time it made the change",
                      "上述每个操作都保存其变更发生的时间"),
                   _t(lang, f"{ent} rows without `{col}` still load", f"没有 `{col}` 的历史数据仍可读取")],
    )


def pages_of(f: dict) -> list[dict]:
    """The server-rendered pages a new field's view classes reach."""
    return [pg for v in f.get("views") or [] for pg in v.get("pages") or []]


def _page_change(pg: dict, f: dict, lang: str) -> str:
    """A server-rendered page prints the new property next to one it already prints (a time through the template's own
    date format where it uses one)."""
    expr = f"{pg['var']}.{f['field']}"
    if f["sql_type"] == "DATETIME" and pg.get("date_format"):
        expr = f"#dates.format({expr}, '{pg['date_format']}')"
    how = f"`th:text=\"${{{expr}}}\"`"
    return _t(lang, f"`{pg['controller']}` renders this view with the `{pg['attr']}` it puts in the request: print {how} "
                    f"the way line {pg['line']} prints `{pg['var']}.{pg['shows']}`",
              f"`{pg['controller']}` 用放入请求的 `{pg['attr']}` 渲染该视图：像第 {pg['line']} 行显示 "
              f"`{pg['var']}.{pg['shows']}` 那样显示 {how}")


def _flow_write(f: dict, lang: str) -> str:
    """How the value reaches the row, as the changes above make it: through the statement the operations already
    call (a parameter, or `now()` in its SQL) when none of them writes an entity, else on the entity they write."""
    name, col, ent = f["field"], f["column"], f["entity"]
    vias = list(dict.fromkeys(s["via"] for s in f["setters"] if s.get("via")))
    if not vias:           # where it is set (a service, or a controller that writes the entity itself) is listed above
        return _t(lang, f"each operation listed above sets `{name}` on the {ent} it writes",
                  f"上述每个操作在其写入的 {ent} 上设置 `{name}`")
    stmts = ", ".join(f"`{v}`" for v in vias)
    if not all(s.get("via") for s in f["setters"]):
        return _t(lang, f"each operation stores `{name}` as listed above: on the {ent} it writes, or in the UPDATE of "
                        f"{stmts}", f"各操作按上文写入 `{name}`：设置在写入的 {ent} 上，或在 {stmts} 的 UPDATE 中")
    if f.get("value") == "now":
        return _t(lang, f"{stmts} sets `{col} = now()` in the same UPDATE that changes the status; no entity is written",
                  f"{stmts} 在修改状态的同一条 UPDATE 中设置 `{col} = now()`；不写实体")
    return _t(lang, f"the service passes `{name}` to {stmts}, which stores it in `{col}` in the same UPDATE; no entity is "
                    "written", f"服务层把 `{name}` 传给 {stmts}，在同一条 UPDATE 中写入 `{col}`；不写实体")


def _user(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    base = f.get("base") or "Feature"
    rels = [r.name for r in spec.refs]
    changes = [
        ("controller", f.get("controller") or conv.name("controller", base),
         _t(lang, "new endpoint(s) for the requirement, responding the way its neighbouring endpoints do",
            "为需求新增接口，返回方式与相邻接口一致"), False),
        ("service", conv.name("service", base), _t(lang, "the use-case method, transactional", "用例方法，带事务"), False),
        ("service_impl", conv.name("service_impl", base),
         _t(lang, "implementation reusing " + ", ".join(f"`{r}`" for r in rels[:3]),
            "实现中复用 " + "、".join(f"`{r}`" for r in rels[:3])), False),
        ("dao", conv.name("dao", base), _t(lang, "custom queries with their XML next to the existing DAO mappers",
                                           "自定义查询，XML 放在现有 DAO 映射文件旁"), False),
    ]
    return DesignProposal(
        understanding=_t(lang, f"{spec.text_en} It touches " + ", ".join(f"`{r}`" for r in rels) + ".",
                         f"{spec.text_zh} 涉及 " + "、".join(f"`{r}`" for r in rels) + "。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, d["en"], d["zh"]) for d in f.get("data_changes", [])],
        flow=[_t(lang, s["en"], s["zh"]) for s in f.get("flow", [])] or [
            _t(lang, "controller validates the request", "控制层校验请求"),
            _t(lang, "service runs the use case in one transaction", "服务层在一个事务中执行用例"),
            _t(lang, "DAO persists the result", "DAO 持久化结果")],
        risks=[_t(lang, r["en"], r["zh"]) for r in f.get("risks", [])] or [
            _t(lang, "the change must keep the checks of the operations it reuses", "改动须保留所复用操作中的校验")],
        test_plan=[_t(lang, t["en"], t["zh"]) for t in f.get("tests", [])] or [
            _t(lang, "happy path and each rejected input", "正常流程与每种被拒绝的输入")],
    )


# -------------------------------------------------------- user requirements --
def load_requirements(path: Path) -> list[dict]:
    """Requirements from a YAML file: a list of {id, domain, en, zh?, keywords?, ...}."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--requirements {path}: file not found") from None
    except yaml.YAMLError as exc:
        raise UserError(f"--requirements {path}: not valid YAML ({exc.__class__.__name__})") from None
    items = data.get("requirements") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UserError(f"--requirements {path}: expected a list under 'requirements:'")
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("id") or not item.get("en") or not item.get("domain"):
            raise UserError(f"--requirements {path}: entry {n} needs at least 'id', 'domain' and 'en'")
        out.append(item)
    return out


# Requirement kind -> template builder; the review guidelines have a section for each (tests/test_guidelines.py).
BUILDERS = {"idempotent": _idempotent, "sql_guard": _sql_guard, "stock_guard": _stock_guard,
            "unchecked_write": _unchecked_write, "new_endpoint": _new_endpoint, "list_filter": _list_filter,
            "new_field": _new_field, "user": _user}


def _lazy(module: str, name: str) -> Callable[[DesignSpec, Conventions, str], DesignProposal]:
    """A builder kept in a module that imports this one: imported when it first builds."""
    def build(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
        return getattr(importlib.import_module(module), name)(spec, conv, lang)
    return build


BUILDERS.update({
    "add_state": _lazy("core.generate.impact", "add_state_design"),
    "record_history": _lazy("core.generate.impact", "record_history_design"),
    "on_status": _lazy("core.generate.status_hook", "on_status_design"),
    "audit_column": _lazy("core.generate.audit", "audit_column_design"),
    "track_changes": _lazy("core.generate.audit", "track_changes_design"),
    "low_stock_alert": _lazy("core.generate.low_stock", "low_stock_design"),
    "low_stock_list": _lazy("core.generate.low_stock", "low_stock_list_design"),
    "stock_ledger": _lazy("core.generate.stock_ledger", "stock_ledger_design"),
})
