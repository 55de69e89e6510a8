"""Design samples: requirements derived from the domain map (and from a user's file), and the
template proposals that answer them within the repository's own conventions.

Conventions are learned, not assumed: the class-name prefix a domain uses
(`Oms`, `Pms` ...), the package of each layer, where mapper XML lives. A
proposal reuses components the map knows, with evidence, and names new ones
the way the repository would.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.errors import UserError
from core.models import DesignProposal, LayerChange, ReuseItem
from core.rules.render import camel_words, lower_first

LAYER_ORDER = ("controller", "service", "service_impl", "dao", "mapper_xml", "model", "dto", "component", "config", "sql")
_PREFIX = re.compile(r"^([A-Z][a-z]{1,4})(?=[A-Z])")
NEW_FIELDS = {
    "order": [("cancelReason", "VARCHAR(200)", "取消原因"), ("invoiceTitle", "VARCHAR(100)", "发票抬头"),
              ("expectedDeliveryDate", "DATETIME", "期望送达日期"), ("buyerRemark", "VARCHAR(500)", "买家备注")],
    "stock": [("warehouseCode", "VARCHAR(32)", "仓库编码"), ("safetyStock", "INT", "安全库存"),
              ("lastCheckTime", "DATETIME", "最近盘点时间")],
}
DEFAULT_FIELDS = [("externalRef", "VARCHAR(64)", "外部单号"), ("remark", "VARCHAR(500)", "备注")]


@dataclass
class Ref:
    """Something a proposal reuses, with the span that proves it exists."""

    name: str
    why_en: str
    why_zh: str
    path: str
    start_line: int
    end_line: int


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
    """Layer changes in layer order; a class the repository does not have yet is marked new."""
    order = {layer: n for n, layer in enumerate(LAYER_ORDER)}
    names = set(known or ())
    return [LayerChange(layer=layer, component=comp, change=change,
                        is_new=new or (bool(names) and layer in _CLASS_LAYERS and comp.split(".")[0] not in names))
            for layer, comp, change, new in sorted(items, key=lambda t: order.get(t[0], 99))]


def _reuse(refs: list[Ref], ids: list[str], lang: str) -> list[ReuseItem]:
    return [ReuseItem(component=r.name, why=r.why_en if lang == "en" else r.why_zh, evidence_ids=[i])
            for r, i in zip(refs, ids)]


# ---------------------------------------------------------------- proposals --
def propose(spec: DesignSpec, conv: Conventions, lang: str, ids: list[str]) -> tuple[DesignProposal, list[tuple[str, list[str]]]]:
    """The template proposal for a requirement, and the trace of claims about existing code."""
    builder = {"new_state": _new_state, "scheduled_like": _scheduled_like, "new_field": _new_field,
               "idempotent": _idempotent, "audit_trail": _audit_trail, "new_endpoint": _new_endpoint,
               "movement_ledger": _movement_ledger,
               "user": _user}[spec.kind]
    design = builder(spec, conv, lang)
    design.reuse = _reuse(spec.refs, ids, lang)
    trace = [((f"`{r.name}` exists: {r.why_en}" if lang == "en" else f"已有 `{r.name}`：{r.why_zh}"), [i])
             for r, i in zip(spec.refs, ids)]
    return design, trace


def _t(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def _q(label: str, lang: str) -> str:
    """A Chinese label inside English text is quoted: it is the code base's vocabulary, not prose."""
    return f'"{label}"' if lang == "en" and not label.isascii() else label


def _new_state(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    owner, fld, new = f["owner"], f["field"], f["new_code"]
    after = {"code": f["after"]["code"], "label": _q(f["after"]["label"], lang)}
    before = {"code": f["before"]["code"], "label": _q(f["before"]["label"], lang)}
    base = _entity_base(owner, conv.prefix)
    svc = conv.name("service", base)
    setters = f.get("setters") or []
    readers = f.get("readers") or []
    changes = [
        ("model", owner, _t(lang, f"document code {new} = \"{f['label_en']}\" in the comment of `{fld}` next to the "
                                  "existing codes",
                          f"在 `{fld}` 的注释中补充 {new}->{f['label_zh']}"), False),
        ("service", svc, _t(lang, f"add `approve{base}(Long id)` moving {fld} {new} -> {before['code']}",
                            f"新增 `approve{base}(Long id)`，把 {fld} 从 {new} 改为 {before['code']}"), False),
        ("service_impl", conv.name("service_impl", base), _t(
            lang, f"implement it with a conditional update `WHERE {fld} = {new}` and reject other states",
            f"用带 `WHERE {fld} = {new}` 的条件更新实现，其他状态直接拒绝"), False),
        ("controller", conv.name("controller", base), _t(lang, f"expose `POST /{lower_first(base)}/approve/{{id}}`",
                                                          f"暴露 `POST /{lower_first(base)}/approve/{{id}}`"), False),
    ]
    for m in setters:
        changes.append(("service_impl", m, _t(lang, f"set {fld} = {new} where it now sets {before['code']} after "
                                                    f"{after['label']}",
                                               f"原来在{after['label']}之后直接设为 {before['code']}，改为设为 {new}"), False))
    risks = [_t(lang, f"every query that filters on {fld} must learn code {new}: " + ", ".join(f"`{r}`" for r in readers),
                f"所有按 {fld} 过滤的查询都要考虑新状态 {new}：" + "、".join(f"`{r}`" for r in readers))] if readers else []
    risks += [
        _t(lang, f"concurrency: approving and cancelling the same {owner} at once — both updates must carry `WHERE {fld} "
                 f"= {new}`",
           f"并发：同一个 {owner} 同时被审核和取消，两个更新都必须带 `WHERE {fld} = {new}`"),
        _t(lang, f"timeout jobs that close unpaid {owner} records must not skip records parked in {new}",
           f"超时关闭任务不能遗漏停留在 {new} 的记录"),
    ]
    return DesignProposal(
        understanding=_t(lang, f"{owner}.{fld} today goes {after['code']} ({after['label']}) -> {before['code']} "
                               f"({before['label']}). "
                               f"The requirement inserts code {new} (\"{f['label_en']}\") between them, entered instead of "
                               f"{before['code']} and left only by an explicit approval.",
                         f"{owner}.{fld} 目前从 {after['code']}（{after['label']}）直接进入 "
                         f"{before['code']}（{before['label']}）。"
                         f"需求要在两者之间插入 {new}（{f['label_zh']}），需显式审核后才能继续。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"no column change: `{fld}` is an integer code; add {new} to its documented values",
                         f"无需改表：`{fld}` 是整型编码，只需在取值说明中加入 {new}")],
        flow=[_t(lang, f"{after['label']}: the code path that used to set {before['code']} now sets {new}",
                 f"{after['label']}后原本设为 {before['code']} 的逻辑改为设为 {new}"),
              _t(lang, f"an operator calls the approve endpoint; `{svc}.approve{base}` updates {new} -> {before['code']}",
                 f"运营调用审核接口，`{svc}.approve{base}` 把 {new} 改为 {before['code']}"),
              _t(lang, f"from {before['code']} on, the existing lifecycle continues unchanged",
                 "之后沿用现有流程")],
        risks=risks,
        test_plan=[_t(lang, f"approve moves {new} -> {before['code']}; approving any other {fld} fails and changes nothing",
                      f"审核把 {new} 改为 {before['code']}；其他状态审核失败且数据不变"),
                   _t(lang, f"two concurrent approvals of one {owner}: exactly one update count is 1",
                      f"并发审核同一个 {owner}：只有一个更新返回 1")],
    )


def _scheduled_like(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    task = f["task_class"]
    new_task = f["new_task"]
    method, owner = f["method"], f["owner"]
    src, dst = _q(f["from_label"], lang), _q(f["to_label"], lang)
    base = _entity_base(owner, conv.prefix)
    changes = [
        ("component", new_task, _t(lang, f"`@Scheduled(cron = \"{f['cron']}\")` like `{task}`, calling the service once per run",
                                   f"仿照 `{task}` 用 `@Scheduled(cron = \"{f['cron']}\")`，每次调用一次服务方法"), True),
        ("service", f.get("service") or conv.name("service", base),
         _t(lang, f"add `{f['batch_method']}()` returning how many records moved",
            f"新增 `{f['batch_method']}()`，返回处理条数"), False),
        ("service_impl", f.get("service_impl") or conv.name("service_impl", base), _t(
            lang, f"select candidates, then apply the same state change as `{method}` per record",
            f"先查出候选记录，再对每条执行与 `{method}` 相同的状态变更"), False),
        ("dao", conv.name("dao", base), _t(lang, f"add `list{base}ForAuto(@Param(\"minutes\") int minutes)`",
                                            f"新增 `list{base}ForAuto(@Param(\"minutes\") int minutes)`"), False),
        ("mapper_xml", f"{conv.mapper_dir or 'dao'}/{conv.name('dao', base)}.xml",
         _t(lang, f"select where `{f['column']} = {f['from_code']}` and the last change is older than #{{minutes}}",
            f"查询 `{f['column']} = {f['from_code']}` 且最后变更早于 #{{minutes}} 的记录"), False),
        ("config", "application.yml", _t(lang, "timeout in minutes, so operations can tune it", "超时时间（分钟）可配置"), False),
    ]
    return DesignProposal(
        understanding=_t(lang, f"Today `{method}` moves a {owner} from {src} to {dst} only when someone calls it. "
                               f"The requirement: a job like `{task}` that does it automatically for records stuck in {src}.",
                         f"目前只有调用 `{method}` 时 {owner} 才会从{src}变为{dst}。需求：仿照 `{task}` 的定时任务，"
                         f"自动处理长时间停留在{src}的记录。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"an index on ({f['column']}, modify time) of the {owner} table keeps the scan cheap",
                         f"在 {owner} 表 ({f['column']}, 修改时间) 上加索引，避免全表扫描")],
        flow=[_t(lang, f"`{new_task}` fires on `{f['cron']}`", f"`{new_task}` 按 `{f['cron']}` 触发"),
              _t(lang, f"it calls `{f['batch_method']}()`, which lists records in {src} past the timeout",
                 f"调用 `{f['batch_method']}()` 查出超时仍处于{src}的记录"),
              _t(lang, f"each record goes through the same guarded change as `{method}` (→ {dst})",
                 f"每条记录走与 `{method}` 相同的带条件变更（→{dst}）")],
        risks=[_t(lang, f"several application instances run `{new_task}` at once: the update must keep `WHERE "
                        f"{f['column']} = {f['from_code']}` "
                        "so a record moves once, or the job takes a distributed lock",
                  f"多实例同时运行 `{new_task}`：更新必须保留 `WHERE {f['column']} = {f['from_code']}`，或使用分布式锁"),
               _t(lang, f"one failing record must not roll back the whole batch: one transaction per {owner}",
                  f"单条失败不能回滚整批：每个 {owner} 单独一个事务"),
               _t(lang, f"a user acting on the same {owner} while the job runs: the conditional update decides the winner",
                  f"任务运行时用户同时操作同一 {owner}：由条件更新决定谁生效")],
        test_plan=[_t(lang, f"a {owner} in {src} older than the timeout is moved to {dst}; a younger one is not",
                      f"超时的{src}记录被改为{dst}，未超时的不变"),
                   _t(lang, "running the job twice moves nothing the second time", "连续运行两次，第二次不处理任何记录")],
    )


def _new_field(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    ent, table, name, sqltype, zh = f["entity"], f["table"], f["field"], f["sql_type"], f["label_zh"]
    column = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    base = _entity_base(ent, conv.prefix)
    changes = [
        ("sql", table, _t(lang, f"`ALTER TABLE {table} ADD COLUMN {column} {sqltype} NULL`",
                          f"`ALTER TABLE {table} ADD COLUMN {column} {sqltype} NULL`（{zh}）"), False),
        ("model", ent, _t(lang, f"field `{name}` with getter/setter (regenerate the MyBatis Generator model, do not "
                                "hand-edit it)",
                          f"新增字段 `{name}` 及 getter/setter（用 MyBatis Generator 重新生成，不要手改）"), False),
        ("mapper_xml", f"{ent}Mapper.xml", _t(lang, f"result map and column lists gain `{column}` (regenerated)",
                                              f"resultMap 与列清单加入 `{column}`（重新生成）"), False),
    ]
    for d in f.get("daos") or []:
        changes.append(("mapper_xml", d, _t(lang, f"hand-written statements that list {table} columns add `{column}`",
                                            f"手写 SQL 中列出 {table} 列的地方加入 `{column}`"), False))
    if f.get("param"):
        changes.append(("dto", f["param"], _t(lang, f"accept `{name}` from the request", f"接收请求中的 `{name}`"), False))
    for m in f.get("writers") or []:
        changes.append(("service_impl", m, _t(lang, f"copy `{name}` onto the {ent} before it is saved",
                                              f"保存 {ent} 前写入 `{name}`"), False))
    changes.append(("controller", f.get("controller") or conv.name("controller", base),
                    _t(lang, f"return `{name}` in the detail response; document it in the API annotations",
                       f"详情接口返回 `{name}`，并补充接口文档注解"), False))
    return DesignProposal(
        understanding=_t(lang, f"Add `{name}` ({camel_words(name)}) to {ent}: stored in {table}, written when the {ent} "
                               "is created "
                               "and returned wherever it is read, following the existing layering.",
                         f"为 {ent} 增加 `{name}`（{zh}）：存入 {table}，创建时写入，读取时返回，遵循现有分层。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"`{table}.{column}` {sqltype}, nullable so existing rows stay valid",
                         f"`{table}.{column}` {sqltype}，允许为空，兼容历史数据")],
        flow=[_t(lang, f"request carries `{name}`", f"请求携带 `{name}`"),
              _t(lang, f"service copies it onto the {ent}", f"服务层写入 {ent}"),
              _t(lang, f"mapper inserts `{column}`; detail queries select it", f"Mapper 插入 `{column}`，详情查询返回")],
        risks=[_t(lang, f"{ent} and its mapper are generated: changes made by hand are lost on the next generation",
                  f"{ent} 及其 Mapper 为生成代码，手改会在下次生成时丢失"),
               _t(lang, f"hand-written SQL on {table} that uses `SELECT` column lists silently omits `{column}` until updated",
                  f"{table} 上手写的 SQL 若未更新列清单会遗漏 `{column}`")],
        test_plan=[_t(lang, f"create a {ent} with `{name}` and read it back through the detail endpoint",
                      f"创建带 `{name}` 的 {ent} 并通过详情接口读回"),
                   _t(lang, f"old rows without `{column}` still load", f"没有 `{column}` 的历史数据仍可正常读取")],
    )


def _idempotent(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    m, owner = f["method"], f["owner"]
    guard = f.get("guard")
    base = _entity_base(owner, conv.prefix) if owner else f["method"].split(".")[0]
    changes = [("service_impl", m.split(".")[0], _t(
        lang, f"make `{m}` a conditional update: `WHERE id = ? AND {f['column']} = {f['from_code']}`; 0 rows means "
              "already done, return the current result instead of failing",
        f"把 `{m}` 改为条件更新：`WHERE id = ? AND {f['column']} = {f['from_code']}`；"
        "影响 0 行表示已处理，直接返回当前结果"), False)]
    changes.append(("dao", conv.name("dao", base), _t(lang, f"add `update{f['to_name']}IfIn(id, expected)` returning the "
                                                            "row count",
                                                       f"新增 `update{f['to_name']}IfIn(id, expected)`，返回影响行数"), False))
    changes.append(("sql", f"{lower_first(base)}_request_log", _t(
        lang, "optional: table of processed request ids with a unique key, for callers that retry with the same id",
        "可选：记录已处理请求号的表（唯一键），供重试方带同一请求号调用"), True))
    return DesignProposal(
        understanding=_t(lang, f"`{m}` must be safe to call twice (client retry, duplicate message): the second call must not "
                               f"apply the change again or fail the caller. Today the change only applies from "
                               f"{f['column']} = {f['from_code']}" +
                               (f", and a repeat is rejected with \"{guard}\"." if guard else
                                ", so a repeat is not applied twice, but the caller gets no clear answer either."),
                         f"`{m}` 需要支持重复调用（客户端重试、消息重复）：第二次调用既不能重复生效，也不应让调用方失败。"
                         f"目前只有 {f['column']} = {f['from_code']} 时才会变更" +
                         (f"，重复调用会报“{guard}”。" if guard else "，重复调用不会重复生效，但调用方也得不到明确结果。")),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"optional `{lower_first(base)}_request_log(request_id UNIQUE, created_at)`",
                         f"可选 `{lower_first(base)}_request_log(request_id 唯一, created_at)`")],
        flow=[_t(lang, "read the record", "读取记录"),
              _t(lang, f"conditional update to {f['to_code']} only from {f['from_code']}",
                 f"仅当当前为 {f['from_code']} 时更新为 {f['to_code']}"),
              _t(lang, f"0 rows updated and the record already at {f['to_code']}: return success without side effects",
                 f"影响 0 行且已是 {f['to_code']}：直接返回成功，不重复副作用")],
        risks=[_t(lang, f"side effects after the state change in `{m}` (stock, coupons, points) must run only when the "
                        "update count is 1",
                  f"`{m}` 中状态变更之后的副作用（库存、优惠券、积分）只能在更新行数为 1 时执行"),
               _t(lang, "check-then-act in Java is not enough under concurrency; the condition belongs in the UPDATE",
                  "并发下先查后改不可靠，条件必须写在 UPDATE 里")],
        test_plan=[_t(lang, f"call `{m}` twice: the second call returns normally and changes nothing",
                      f"连续调用两次 `{m}`：第二次正常返回且无变化"),
                   _t(lang, f"two threads call `{m}` together: side effects happen once",
                      f"两个线程同时调用 `{m}`：副作用只发生一次")],
    )


def _audit_trail(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    owner, fld, methods = f["owner"], f["field"], f["methods"]
    history = f.get("history")
    base = _entity_base(owner, conv.prefix)
    hist_name = history or f"{conv.prefix}{base}StatusLog"
    route = f"/{lower_first(base)}/history/{{id}}"
    model_change = (_t(lang, "reuse it: one row per change with operator, time, from/to state and note",
                       "复用：每次变更一行，记录操作人、时间、前后状态、备注") if history else
                    _t(lang, "new table/model: operator, time, from/to state, note",
                       "新建表与模型：操作人、时间、前后状态、备注"))
    changes = [("model", hist_name, model_change, not history)]
    for m in methods:
        changes.append(("service_impl", m, _t(lang, f"write a {hist_name} row in the same transaction as the {fld} change",
                                              f"在修改 {fld} 的同一事务中写入 {hist_name}"), False))
    changes.append(("controller", conv.name("controller", base),
                    _t(lang, f"`GET {route}` lists the trail", f"`GET {route}` 查询变更记录"), False))
    return DesignProposal(
        understanding=_t(lang, f"Every change of {owner}.{fld} — made by {', '.join(f'`{m}`' for m in methods)} — should "
                               "leave an "
                               "audit record of who changed what and when.",
                         f"{owner}.{fld} 的每次变更（由 {'、'.join(f'`{m}`' for m in methods)} 发起）都要留下审计记录。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"{'reuse the existing' if history else 'new'} table for {hist_name}: "
                               f"{lower_first(base)}_id, operator, "
                               "from_status, to_status, note, create_time",
                         f"{'复用已有' if history else '新建'} {hist_name} 表：{lower_first(base)}_id、"
                         "操作人、原状态、新状态、备注、创建时间")],
        flow=[_t(lang, f"the service changes {fld}", f"服务层修改 {fld}"),
              _t(lang, f"in the same transaction it inserts the {hist_name} row", f"同一事务内插入 {hist_name}"),
              _t(lang, "the back office reads the trail per record", "后台按记录查询变更历史")],
        risks=[_t(lang, f"writing the trail outside the transaction of {methods[0]} can record changes that were rolled back",
                  f"若不在 {methods[0]} 的事务内写入，可能记录已回滚的变更"),
               _t(lang, f"batch changes (several {owner}s at once) need one trail row per record, inserted in bulk",
                  "批量变更需为每条记录写一行，建议批量插入")],
        test_plan=[_t(lang, f"each of {', '.join(methods)} leaves exactly one trail row with correct from/to",
                      f"{'、'.join(methods)} 各自只产生一条前后状态正确的记录"),
                   _t(lang, "a failing change leaves no trail row", "变更失败时不留下记录")],
    )


def _new_endpoint(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    ctrl, owner, fld, route = f["controller"], f["owner"], f["field"], f["route"]
    base = _entity_base(owner, conv.prefix)
    svc = f.get("service") or conv.name("service", base)
    field_cap = fld[0].upper() + fld[1:]
    dto, counter = f"{base}{field_cap}Count", f"count{base}By{field_cap}"
    group_by = f"SELECT {f['column']}, COUNT(*) ... GROUP BY {f['column']}"
    changes = [
        ("controller", ctrl, _t(lang, f"`GET {route}` returning `CommonResult<List<{dto}>>`, annotated like its neighbours",
                                f"`GET {route}`，返回 `CommonResult`，注解风格与现有接口一致"), False),
        ("service", svc, _t(lang, f"`{counter}()`", f"新增 `{counter}()`"), False),
        ("service_impl", svc if svc.endswith("Impl") else svc + "Impl", _t(lang, "delegate to the DAO", "调用 DAO"), False),
        ("dao", conv.name("dao", base), _t(lang, f"`{counter}()`", "新增计数方法"), False),
        ("mapper_xml", f"{conv.mapper_dir or 'dao'}/{conv.name('dao', base)}.xml", f"`{group_by}`", False),
        ("dto", dto, _t(lang, f"code, label (from the {fld} dictionary), count", f"编码、含义（取自 {fld} 字典）、数量"), True),
    ]
    return DesignProposal(
        understanding=_t(lang, f"The back office wants to see how many {owner} records are in each {fld} "
                               f"({', '.join(_q(e['label'], lang) for e in f['entries'])}), through `{ctrl}` like the "
                               "existing endpoints.",
                         f"后台需要按 {fld}（{'、'.join(e['label'] for e in f['entries'])}）统计 {owner} 数量，"
                         f"接口放在 `{ctrl}` 中，风格与现有接口一致。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"none; an index on `{f['column']}` helps the GROUP BY",
                         f"无；`{f['column']}` 上的索引有助于分组统计")],
        flow=[_t(lang, f"`GET {route}` → `{svc}`", f"`GET {route}` → `{svc}`"),
              _t(lang, "DAO runs one GROUP BY query", "DAO 执行一次分组查询"),
              _t(lang, f"labels come from the documented {fld} codes, missing codes count 0",
                 f"含义取自 {fld} 字典，缺失的编码计 0")],
        risks=[_t(lang, f"soft-deleted {owner} records must be excluded the same way other queries do",
                  f"与其他查询一样排除已逻辑删除的 {owner}"),
               _t(lang, "permissions: same security rules as the other back-office endpoints", "权限与其他后台接口一致")],
        test_plan=[_t(lang, f"counts match a seeded set with every {fld} code", f"构造覆盖所有 {fld} 编码的数据，统计结果一致"),
                   _t(lang, "empty table returns zeros for all codes", "空表时所有编码计 0")],
    )


def _movement_ledger(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    stmt, table = f["statement"], f["table"]
    dao = f["namespace"].rsplit(".", 1)[-1]
    base = "".join(w.title() for w in table.split("_")[1:]) or "Stock"
    ledger = f"{table}_ledger" if not table.endswith("_log") else f"{table}_entry"
    cols = ", ".join(c["column"] for c in f["changes"])
    guard = " and ".join(f["conditions"]) or "the row's current values"
    changes = [
        ("sql", ledger, _t(lang, f"new table: id, order_id, sku_id, movement ({stmt}), quantity, {cols} before/after, "
                                 "create_time; UNIQUE (order_id, sku_id, movement)",
                           f"新表：id、order_id、sku_id、变动类型（{stmt}）、数量、{cols} 变动前后、create_time；"
                           "唯一键 (order_id, sku_id, 变动类型)"), True),
        ("model", f"{conv.prefix}{base}Ledger", _t(lang, "model of the ledger row", "流水记录模型"), True),
        ("dao", dao, _t(lang, f"`insertLedger(...)` next to `{stmt}`, plus a lookup by the unique key",
                        f"在 `{stmt}` 旁新增 `insertLedger(...)` 及按唯一键查询"), False),
        ("mapper_xml", f"{dao}.xml", _t(lang, f"INSERT into {ledger}; keep `{stmt}` unchanged: its WHERE still guards {cols}",
                                        f"新增写入 {ledger} 的 INSERT；`{stmt}` 保持不变，其 WHERE 仍然保护 {cols}"), False),
        ("service_impl", f.get("service_impl") or conv.name("service_impl", base), _t(
            lang, f"insert the ledger row first (duplicate key = already applied, skip), then run `{stmt}` "
                  "in the same transaction",
            f"先写流水（唯一键冲突表示已处理，跳过），再在同一事务中执行 `{stmt}`"), False),
    ]
    return DesignProposal(
        understanding=_t(lang, f"`{stmt}` changes {cols} of {table} guarded by {guard}, but leaves no trace of who moved "
                               "how much for which order, and nothing stops a retried call from applying the movement again.",
                         f"`{stmt}` 在条件 {guard} 的保护下修改 {table} 的 {cols}，但没有记录谁为哪个订单变动了多少，"
                         "也无法阻止重试调用重复变动。"),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"CREATE TABLE {ledger} with the unique key (order_id, sku_id, movement)",
                         f"新建表 {ledger}，唯一键 (order_id, sku_id, 变动类型)")],
        flow=[_t(lang, "begin transaction", "开启事务"),
              _t(lang, f"insert the {ledger} row; on duplicate key return without changing stock",
                 f"写入 {ledger}；唯一键冲突时直接返回，不再变动库存"),
              _t(lang, f"run `{stmt}`; 0 rows means the guard ({guard}) failed: roll back, ledger row included",
                 f"执行 `{stmt}`；影响 0 行说明条件（{guard}）不满足：整体回滚，流水一并撤销"),
              _t(lang, "commit", "提交事务")],
        risks=[_t(lang, f"the ledger insert and `{stmt}` must share one transaction, or a failed guard leaves a phantom movement",
                  f"流水写入与 `{stmt}` 必须在同一事务中，否则条件失败时会留下虚假流水"),
               _t(lang, f"concurrent orders on one SKU: keep the arithmetic inside `{stmt}` (never read-modify-write in Java)",
                  f"同一 SKU 并发下单：运算保留在 `{stmt}` 中，不要在 Java 里先读后写"),
               _t(lang, f"{ledger} grows with every order: index by sku_id and create_time, archive old rows",
                  f"{ledger} 随订单增长：按 sku_id、create_time 建索引并定期归档")],
        test_plan=[_t(lang, "the same movement applied twice changes stock once and leaves one ledger row",
                      "同一变动执行两次，库存只变一次，流水只有一行"),
                   _t(lang, f"a movement rejected by the guard ({guard}) leaves neither a stock change nor a ledger row",
                      f"被条件（{guard}）拒绝的变动既不改库存也不留流水")],
    )


def _user(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    f = spec.facts
    base = f.get("base") or "Feature"
    rels = [r.name for r in spec.refs]
    changes = [
        ("controller", f.get("controller") or conv.name("controller", base),
         _t(lang, "new endpoint(s) for the requirement, `CommonResult` responses", "为需求新增接口，返回 `CommonResult`"), False),
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
        risks=[_t(lang, r["en"], r["zh"]) for r in f.get("risks", [])] + [
            _t(lang, "keep stock changes inside guarded UPDATEs like the existing ones", "库存变更沿用现有带条件的 UPDATE")],
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
