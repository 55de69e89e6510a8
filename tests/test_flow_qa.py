"""Flow QA on examples/shop, and the evidence widening it rests on.

What an entry point writes must be complete for the path and say the branch,
loop or short-circuit around each write; no two samples ask the same question; evidence holds the statement and its governing
header. Each test names the code it was checked against by hand.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.context import Context
from core.evidence import SourceCache
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.flow_facts import conditional, repeated
from core.generate.plan import Planner
from core.generate.qa_templates import control_text
from core.generate.spans import JavaOutline, merge
from core.models import Span
from storage import Database, samples_store
from tests.conftest import EXAMPLE_REPO, edited_shop

PORTAL = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"


@pytest.fixture
def planner(shop_db) -> tuple[Planner, dict]:
    ctx = Context(db=shop_db, repo=EXAMPLE_REPO, domains=["order", "stock"], backend="template", lang="en")
    data = gen_stage.load(ctx, "shop")
    return Planner("shop", EXAMPLE_REPO, data, ["order", "stock"], ["en"]), data


def _line(text: str, before: int | None = None) -> int:
    """The 1-based line of OrdPortalOrderServiceImpl holding `text`, the last one above `before` if given
    (tests do not hard-code line numbers)."""
    lines = (EXAMPLE_REPO / PORTAL).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, 1) if text in line and (before is None or n < before)]
    return found[-1] if before else found[0]


def _coupon_if() -> tuple[int, int]:
    """(line of the `if` that guards using the coupon when placing, line of the call it guards)."""
    call = _line("couponService.updateCouponStatus(orderParam")
    return _line("if (orderParam.getCouponId() != null) {", before=call), call


def _flow(planner, data, ref_part: str):
    return next(i for i in planner.flow_items(data["flows"]) if ref_part in i.source.ref)


def test_flow_lists_every_write_of_placing_an_order_in_order(planner):
    p, data = planner
    item = _flow(p, data, "OrdPortalOrderController#generateOrder")
    writes = [(w["kind"], w["tables"]) for w in item.facts["writes"]]
    # lockStock, orderMapper.insert, insertOrderItemList, updateCouponStatus, updateIntegration, deleteCartItemList
    assert writes == [("update", ["inv_sku_stock"]), ("insert", ["ord_order"]), ("insert", ["ord_order_item"]),
                      ("update", ["mkt_coupon_history"]), ("update", ["ums_member"]), ("update", ["ord_cart_item"])]
    # the question names POST /order/generateOrder: the class-level @RequestMapping("/order") line is evidence,
    # and a trace step cites it
    controller = next(e for e in item.evidence if e.path.endswith("OrdPortalOrderController.java")
                      and '@RequestMapping("/order")' in e.text)
    assert item.facts["mapping_line"] == controller.start_line


def test_writes_through_mappers_without_sql_and_method_references_are_not_missed(planner):
    p, data = planner
    # MktCouponHistoryMapper has no XML in the example; delivery inserts history rows via forEach(mapper::insert)
    item = _flow(p, data, "OrdOrderController#delivery")
    assert [(w["kind"], w["tables"]) for w in item.facts["writes"]] == [
        ("update", ["ord_order"]), ("insert", ["ord_order_operate_history"])]
    history = item.facts["writes"][1]["sites"][0]["hops"][-1]["controls"]
    assert [(c["kind"], c["code"]) for c in history] == [("lambda", "historyList.forEach")]


def test_conditional_write_says_its_condition_and_cites_the_if(planner):
    p, data = planner
    item = _flow(p, data, "OrdPortalOrderController#generateOrder")
    coupon = next(w for w in item.facts["writes"] if w["tables"] == ["mkt_coupon_history"])
    hop = coupon["sites"][0]["hops"][1]            # generateOrder -> couponService.updateCouponStatus
    assert [(c["kind"], c["code"]) for c in hop["controls"]] == [("if", "orderParam.getCouponId() != null")]
    if_line, call_line = _coupon_if()
    assert any(e.path == PORTAL and e.start_line <= if_line and call_line <= e.end_line for e in item.evidence)
    stock = item.facts["writes"][0]["sites"][0]["hops"][-1]["controls"]
    assert [c["kind"] for c in stock] == ["loop"]   # lockStockBySkuId once per cart item
    answer = TemplateBackend.draft(item).answer
    assert "inside `if (orderParam.getCouponId() != null)`" in answer
    assert "once per iteration of `for (CartPromotionItem cartPromotionItem : cartPromotionItemList)`" in answer
    assert "`ord_order`" in answer and "INSERT" in answer


def test_unconditional_writes_are_not_said_to_be_conditional(planner):
    p, data = planner
    item = _flow(p, data, "OrdPortalOrderController#generateOrder")
    order = next(w for w in item.facts["writes"] if w["tables"] == ["ord_order"])
    assert all(not h["controls"] for s in order["sites"] for h in s["hops"])


def test_read_only_flows_and_flows_out_of_scope_are_not_asked(planner):
    p, data = planner
    refs = {i.source.ref for i in p.flow_items(data["flows"])}
    assert not any("#detail(" in r or "#list(" in r for r in refs)   # reads only
    assert all(i.source.question_kind == "writes" for i in p.flow_items(data["flows"]))


def test_no_two_samples_ask_the_same_question(shop_db):
    with shop_db.connect() as con:
        rows = samples_store.list_samples(con, "shop")
    counts = Counter((r["task_type"], r["language"], r["question"]) for r in rows)
    assert [q for q, n in counts.items() if n > 1] == []


def test_flow_samples_are_grounded_and_cite_all_evidence(shop_db):
    with shop_db.connect() as con:
        rows = [r for r in samples_store.list_samples(con, "shop") if r["source_kind"] == "flow"]
    kinds = Counter(r["question_kind"] for r in rows)
    assert kinds["writes"]
    for r in rows:
        cited = {i for step in r["payload"]["trace"] for i in step["evidence_ids"]}
        assert cited == {e["id"] for e in r["payload"]["evidence"]}, r["question"]
        assert all(e["end_line"] - e["start_line"] < 40 for e in r["payload"]["evidence"]), r["question"]


JAVA = """class A {
    void m(List<Item> items, Order o) {
        if (o == null) {
            return;
        } else if (o.getStatus() == 1) {
            dao.update(o,
                       1);
        }
        for (Item i : items) {
            dao.insert(i);
        }
        boolean ok = dao.lock(o) > 0 && dao.release(o);
        items.forEach(x -> dao.delete(x));
    }
}
"""


@pytest.fixture
def outline(tmp_path: Path) -> JavaOutline:
    (tmp_path / "A.java").write_text(JAVA, encoding="utf-8")
    return JavaOutline(SourceCache(tmp_path))


def test_widen_takes_the_whole_statement_and_its_else_if_header(outline):
    # line 6 starts a call that ends on line 7; it sits in the `else if` on line 5 (not nested in `if (o == null)`)
    assert outline.widen(Span(path="A.java", start_line=6, end_line=6)) == [Span(path="A.java", start_line=5, end_line=7)]
    controls = outline.controls("A.java", 6)
    assert [(c.kind, c.code) for c in controls] == [("else", "o == null"), ("if", "o.getStatus() == 1")]


def test_controls_see_loops_short_circuits_and_lambdas(outline):
    assert [(c.kind, c.code) for c in outline.controls("A.java", 10)] == [("loop", "for (Item i : items)")]
    assert [(c.kind, c.code) for c in outline.controls("A.java", 12, "release")] == [("and", "dao.lock(o) > 0")]
    assert outline.controls("A.java", 12, "lock") == []
    assert [(c.kind, c.code) for c in outline.controls("A.java", 13, "delete")] == [("lambda", "items.forEach")]


SKIPS = """class B {
    void m(List<Item> items) {
        for (Item i : items) {
            if (i.isGift()) {
                continue;
            }
            if (i.getQuantity() > 99) break;
            dao.insert(i);
        }
    }
}
"""


def test_a_continue_or_break_before_a_write_makes_it_conditional(tmp_path: Path):
    (tmp_path / "B.java").write_text(SKIPS, encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    controls = outline.controls("B.java", 8, "insert")
    assert [(c.kind, c.code) for c in controls] == [
        ("loop", "for (Item i : items)"), ("skip", "i.isGift()"), ("stop", "i.getQuantity() > 99")]
    write = {"sites": [{"hops": [{"controls": [{"kind": c.kind} for c in controls]}]}]}
    assert conditional(write)
    assert "continue" in control_text({"kind": "skip", "code": "i.isGift()"}, "en")


def test_merge_joins_near_spans_of_one_file_and_drops_covered_ones():
    spans = [Span(path="A.java", start_line=3, end_line=4), Span(path="B.xml", start_line=1, end_line=2),
             Span(path="A.java", start_line=6, end_line=7), Span(path="A.java", start_line=3, end_line=3)]
    assert merge(spans) == [Span(path="A.java", start_line=3, end_line=7), Span(path="B.xml", start_line=1, end_line=2)]
    # a span that bridges two kept ones joins both (two items 987-1009 and 986-1000 showed the same lines twice)
    chain = [Span(path="A.java", start_line=10, end_line=12), Span(path="A.java", start_line=30, end_line=32),
             Span(path="A.java", start_line=13, end_line=29)]
    assert merge(chain) == [Span(path="A.java", start_line=10, end_line=32)]


def test_inactive_components_get_no_flow_questions(planner):
    p, data = planner
    inactive = {c["symbol_id"] for c in data["classes"] if c.get("inactive")}
    assert inactive   # examples/shop has a job whose @Component is commented out
    items = p.flow_items(data["flows"])
    named = " ".join(i.source.ref for i in items)
    assert not any(c.rsplit(".", 1)[-1] in named for c in inactive)


def test_who_writes_a_table_lists_every_called_statement_and_call_site(planner):
    p, data = planner
    item = next(i for i in p.table_items() if i.facts["table"] == "ord_order_operate_history")
    sites = [(w["label"], s["hops"][0]["label"], [c["kind"] for c in s["hops"][0]["controls"]])
             for w in item.facts["writes"] for s in w["sites"]]
    # close inserts one row per order in a loop, delivery through historyList.forEach(mapper::insert)
    assert sites == [("OrdOrderOperateHistoryMapper.insert", "OrdOrderServiceImpl.close", ["loop"]),
                     ("OrdOrderOperateHistoryMapper.insert", "OrdOrderServiceImpl.delivery", ["lambda"]),
                     ("OrdOrderOperateHistoryMapper.insert", "OrdOrderServiceImpl.updateReceiverInfo", [])]
    stock = next(i for i in p.table_items() if i.facts["table"] == "inv_sku_stock")
    assert {w["label"] for w in stock.facts["writes"]} == {   # the six UPDATEs of the two DAO XML files
        "InvSkuStockDao.adjustStock", "InvSkuStockDao.updateSkuStock", "InvSkuStockDao.releaseLockStock",
        "PortalOrderDao.lockStockBySkuId", "PortalOrderDao.reduceSkuStock", "PortalOrderDao.releaseStockBySkuId"}
    # who calls each writing method in turn: the service impls are reached from their controllers
    close = next(s for w in item.facts["writes"] for s in w["sites"] if s["hops"][0]["label"] == "OrdOrderServiceImpl.close")
    assert close["up"] and all(u["label"] != "OrdOrderServiceImpl.close" for u in close["up"])


def test_who_reads_a_table_lists_every_called_query_and_call_site(planner):
    """`ord_order_setting` is read through the generated `selectByPrimaryKey` only, from three methods of
    OrdPortalOrderServiceImpl (checked by grep); the answer says so, and test sources are never callers."""
    from core.generate.flow_facts import READS
    from core.generate.plan import TEST_SOURCES
    p, _ = planner
    item = next(i for i in p.table_items(READS) if i.facts["table"] == "ord_order_setting")
    assert item.source.question_kind == "who_reads"
    assert [(w["label"], w["kind"], sorted(s["hops"][0]["label"] for s in w["sites"])) for w in item.facts["writes"]] == [
        ("OrdOrderSettingMapper.selectByPrimaryKey", "select",
         ["OrdPortalOrderServiceImpl.cancelTimeOutOrder", "OrdPortalOrderServiceImpl.generateOrder",
          "OrdPortalOrderServiceImpl.sendDelayMessageCancelOrder"])]
    answer = TemplateBackend.draft(item).answer
    assert answer.startswith("The code reads `ord_order_setting` through 1 SQL statement (every query statement on it")
    assert "1. SELECT from `ord_order_setting` by `OrdOrderSettingMapper.selectByPrimaryKey`" in answer
    assert not any(i.facts["table"] == "ord_order_setting" for i in p.table_items())   # nothing writes it
    assert TEST_SOURCES.search("mall-admin/src/test/java/com/x/PmsDaoTests.java")
    assert not TEST_SOURCES.search("shop-portal/src/main/java/io/acdp/shop/portal/service/TestDriveService.java")


def test_inherited_repository_and_base_mapper_writes_are_listed(planner):
    p, data = planner
    # OrdRefundRepository (JPA) saves through the inherited save(); OrdPaymentMapper (MyBatis-Plus) updateById()
    tables = {i.facts["table"]: i.facts["writes"] for i in p.table_items()}
    assert [(w["label"], w["kind"]) for w in tables["ord_refund"]] == [("OrdRefundRepository.save", "upsert")]
    # and OrdPaymentReconcileService.failWaiting updates it through the inherited update(entity, wrapper)
    assert sorted((w["label"], w["kind"]) for w in tables["ord_payment"]) == [("OrdPaymentMapper.update", "update"),
                                                                             ("OrdPaymentMapper.updateById", "update")]
    refund = next(i for i in p.table_items() if i.facts["table"] == "ord_refund")
    answer = TemplateBackend.draft(refund).answer
    assert "INSERT or UPDATE `ord_refund`" in answer
    # a caller in a class whose @Component is commented out is said never to run, its class head cited (22S: mall S4)
    assert "`RefundExpireTask.rejectExpired` (RefundExpireTask.java:20; never runs: @Component is commented out)" in answer
    assert any("//@Component" in e.text for e in refund.evidence)


EXPIRING = """class C {
    void expire(List<Pass> due) {
        for (Pass p : due) {
            p.setState(Pass.GONE);
            p.setNote(reason());
            passService.updateById(p);
        }
    }
}
"""


def test_a_write_names_every_value_its_caller_puts_on_the_record(tmp_path: Path):
    """A job's `updateById(p)` writes every column of the record: what it is for are the values set just before
    (`p.setState(Pass.GONE)`), the computed one (`reason()`) too: a list of the fixed ones only read as all it
    stores (blind read B0: mall's sms_coupon update without count-1 and receiveCount+1)."""
    from core.generate.flow_templates import _sets_text

    (tmp_path / "C.java").write_text(EXPIRING, encoding="utf-8")
    sets = JavaOutline(SourceCache(tmp_path)).set_values("C.java", 6, "updateById")
    assert [(v["field"], v["value"], v["line"], v["controls"]) for v in sets] == [
        ("state", "Pass.GONE", 4, []), ("note", "reason()", 5, [])]
    site = {"hops": [{"path": "C.java", "sets": sets}]}
    assert _sets_text(site, "en") == (", storing `p.state` = `Pass.GONE` (set at C.java:4), "
                                                "`p.note` = `reason()` (set at C.java:5)")



def test_reads_list_every_query_of_a_read_only_entry(planner):
    """'Which tables does X read': read-only entries, every query with its call chain (checked by hand against
    OrdPortalOrderServiceImpl.detail: the current member, then the order with its items); an entry that writes
    (generateOrder) has its writes question instead, a single one-table query (the admin list) is not asked."""
    p, data = planner
    items = {i.facts["entry_id"].split(".")[-1]: i for i in p.read_items(data["flows"])}
    portal = items["OrdPortalOrderController#detail(Long)"]
    assert [(r["label"], r["tables"], [h["label"] for h in r["sites"][0]["hops"]]) for r in portal.facts["reads"]] == [
        ("UmsMemberMapper.selectByPrimaryKey", ["ums_member"],
         ["OrdPortalOrderController.detail", "OrdPortalOrderServiceImpl.detail", "UmsMemberServiceImpl.getCurrentMember"]),
        ("PortalOrderDao.getDetail", ["ord_order", "ord_order_item"],
         ["OrdPortalOrderController.detail", "OrdPortalOrderServiceImpl.detail"])]
    answer = TemplateBackend.draft(portal).answer
    assert "reads `ord_order`, `ord_order_item`, `ums_member` and writes no table; it reaches 2 SELECT statements" in answer
    assert "SELECT from `ums_member`" in answer
    # one query joining three tables is asked; generateOrder writes, the admin list is one query on one table
    assert items["OrdOrderController#detail(Long)"].facts["reads"][0]["tables"] == [
        "ord_order", "ord_order_item", "ord_order_operate_history"]
    assert not any("generateOrder" in k or k.startswith("OrdOrderController#list") for k in items)
    assert all(i.source.question_kind == "reads" and i.source.kind == "flow" for i in items.values())


def test_inherited_and_declared_queries_are_statements(planner):
    """A JPA repository's inherited findAll / findById is a query on its entity's table, so a read-only flow
    reaching it lists it; a repository method named neither like a read nor a write is 'unknown' (a flow
    reaching it is not asked what it reads)."""
    from core.generate.flow_facts import data_kind

    p, _ = planner
    refund = {k: v for k, v in p.stmts.items() if k.startswith("io.acdp.shop.portal.dao.OrdRefundRepository.")}
    assert {k.rsplit(".", 1)[-1]: (v["kind"], v["tables"]) for k, v in refund.items()} == {
        "save": ("upsert", ["ord_refund"]), "findById": ("select", ["ord_refund"]), "findAll": ("select", ["ord_refund"])}
    assert [data_kind(n) for n in ("selectList", "countByStatus", "existsById", "deleteById", "sync")] == [
        "select", "select", "select", "delete", "unknown"]


NESTED = """<mapper namespace="x.ItemDao">
    <resultMap id="withTags" type="x.Item" extends="x.ItemMapper.BaseResultMap">
        <collection property="tags" column="{itemId=id}" select="selectTags"/>
    </resultMap>
    <resultMap id="plain" type="x.Item">
        <collection property="parts" columnPrefix="p_" resultMap="x.ItemMapper.BaseResultMap"/>
    </resultMap>
    <select id="getWithTags" resultMap="withTags">
        SELECT * FROM item WHERE id = #{id}
    </select>
    <select id="getPlain" resultMap="plain">
        SELECT i.*, p.id p_id FROM item i LEFT JOIN part p ON p.item_id = i.id
    </select>
</mapper>
"""


def test_a_result_map_with_a_nested_select_makes_a_read_unasked(tmp_path: Path):
    """MyBatis runs a `<collection select=..>` once per row: a query mapped into such a resultMap reads more
    tables than its SQL names, so the flow is not asked about; a joined collection (columnPrefix) is fine."""
    from types import SimpleNamespace

    from core.generate.read_facts import _nested_select

    (tmp_path / "ItemDao.xml").write_text(NESTED, encoding="utf-8")
    planner = SimpleNamespace(files=SourceCache(tmp_path), data={"files": [{"path": "ItemDao.xml"}]})
    assert _nested_select(planner, {"path": "ItemDao.xml", "start_line": 8, "end_line": 10})
    assert not _nested_select(planner, {"path": "ItemDao.xml", "start_line": 11, "end_line": 13})


def test_an_overloaded_endpoint_caller_is_named_with_its_route():
    """mall OmsOrderController.updateReceiverInfo serves two routes (blind read G S21): the caller of a write is told
    by its route where its Java name is shared; other callers stay as they were."""
    from core.generate.flow_templates import _up_text
    up = [{"label": "C.update", "path": "a/C.java", "line": 95, "route": "POST /o/update/money"},
          {"label": "C.note", "path": "a/C.java", "line": 108}]
    assert _up_text({"up": up}, "en") == (" (itself called by `C.update` for `POST /o/update/money` (C.java:95), "
                                          "`C.note` (C.java:108))")


CART = """class Cart {
    int add(Item item, int qty) {
        item.setOwner(7);
        Item found = dao.find(item);
        if (found != null) {
            found.setQty(found.getQty() + qty);
            return mapper.updateByPrimaryKey(found);
        }
        item.setCreated(now());
        return mapper.insert(item);
    }
    void change(Item item) {
        item.setId(null);
        add(item, 1);
    }
    void mark(Long id, Integer state) {
        Order o = new Order();
        o.setId(id);
        o.setState(state);
        mapper.updateByPrimaryKeySelective(o);
    }
    void cancel(Long orderId) {
        mark(orderId, Const.CANCELLED);
    }
}
"""


def _hops(*calls: tuple[str, int]) -> list[dict]:
    return [{"label": f"Cart.{m}", "caller": f"Cart#{m}()", "path": "Cart.java", "line": n, "controls": []}
            for m, n in calls]


def test_a_write_takes_values_only_from_the_record_it_is_given(tmp_path: Path):
    """`updateByPrimaryKey(found)` writes the row `add` looked up, not the `item` its caller set `id = null` on
    (blind read H: mall S32 keyed it by `cartItem.id = null`); `insert(item)` writes the caller's record, so the
    caller's `setId(null)` is one of its values."""
    from core.generate.flow_facts import record_values
    from core.generate.flow_templates import _sets_text

    (tmp_path / "Cart.java").write_text(CART, encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    update = _hops(("change", 14), ("add", 7))
    record_values(update, ["add", "updateByPrimaryKey"], outline)
    assert [[v["field"] for v in h["sets"]] for h in update] == [[], ["qty"]]
    assert "`item" not in _sets_text({"hops": update}, "en", by_key=True)
    insert = _hops(("change", 14), ("add", 10))
    record_values(insert, ["add", "insert"], outline)
    assert [[v["field"] for v in h["sets"]] for h in insert] == [["id"], ["owner", "created"]]


def test_a_parameter_stored_is_said_as_what_the_caller_passes(tmp_path: Path):
    """`o.setState(state)` in `mark` stores what `cancel` passes, `Const.CANCELLED`, not the parameter's name
    (blind read H: litemall S9 'aftersaleStatus = statusReject'); at the entry it is said as its input."""
    from core.generate.flow_facts import record_values
    from core.generate.flow_templates import _sets_text, _write_claims

    (tmp_path / "Cart.java").write_text(CART, encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    hops = _hops(("cancel", 23), ("mark", 20))
    record_values(hops, ["mark", "updateByPrimaryKeySelective"], outline)
    text = _sets_text({"hops": hops}, "en", by_key=True)
    assert text == (" for the row with `o.id` = what `Cart.cancel` receives as `orderId` (set at Cart.java:18), "
                    "storing `o.state` = `Const.CANCELLED` (passed by `Cart.cancel` at Cart.java:23, set at Cart.java:19)")
    write = {"label": "M.updateByPrimaryKeySelective", "kind": "update", "tables": ["t"], "path": "M.xml",
             "start_line": 1, "sites": [{"hops": hops}]}

    class _Cite:
        @staticmethod
        def at(line, path):
            return f"{path}:{line}"

        @staticmethod
        def within(path, start, end):
            return [f"{path}:{start}"]
    claims = [c for c, _ in _write_claims(write, "en", _Cite())]
    assert "`Cart.cancel` calls `mark` with `Const.CANCELLED` as `state`" in claims
    assert "`Cart.mark` calls `o.setState` with `state` before the call" in claims
    entry = _hops(("mark", 20))
    record_values(entry, ["updateByPrimaryKeySelective"], outline)
    assert "`o.state` = what `Cart.mark` receives as `state`" in _sets_text({"hops": entry}, "en")


def test_a_write_after_a_branch_that_returns_is_an_alternative(tmp_path: Path):
    """`add` returns the update it runs when `found != null`; the insert after that branch runs only when it is
    not taken: two alternatives, not a sequence (blind read H: newbee S6)."""
    from core.generate.flow_facts import _mark_after_return
    from core.generate.flow_templates import _write_line

    (tmp_path / "Cart.java").write_text(CART, encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    update, insert = _hops(("change", 14), ("add", 7)), _hops(("change", 14), ("add", 10))
    update[1]["controls"] = [{"kind": c.kind, "code": c.code, "line": c.line} for c in outline.controls("Cart.java", 7)]
    writes = [{"label": f"M.{k}", "kind": k, "tables": ["t"], "path": "M.xml", "start_line": 1, "sites": [{"hops": h}]}
              for k, h in (("updateByPrimaryKey", update), ("insert", insert))]
    _mark_after_return(writes, outline)
    assert "after_return" not in writes[0]
    assert writes[1]["after_return"]["line"] == 7
    assert "writes [1] and [2] are alternatives, never both" in _write_line(2, writes[1], "en")


def test_which_rows_a_method_returns_only_when_it_returns_them():
    """'Which rows does `void cancel` return' asked of a command (blind read H: mall S22): it loads them."""
    from core.generate.query_facts import _returns_result

    body = ["List<Order> list = mapper.selectByExample(ex);", "if (list.isEmpty()) return;", "mark(list.get(0));", "}"]
    assert not _returns_result(body, 1, 4)
    assert _returns_result(["List<Order> list = mapper.selectByExample(ex);", "return list;"], 1, 2)
    assert _returns_result(["return mapper.selectByExample(ex);"], 1, 1)


LOCKED = """class Orders {
    int update(Order order) {
        Date before = order.getUpdateTime();
        order.setUpdateTime(now());
        return mapper.updateWithLock(before, order);
    }
    void pay(Order order, Long payId) {
        order.setPayId(payId);
        order.setState(201);
        update(order);
    }
    int apply(ApplyParam param) {
        Apply apply = new Apply();
        BeanUtils.copyProperties(param, apply);
        apply.setState(0);
        apply.setCreated(now());
        return mapper.insert(apply);
    }
}
"""


def test_the_written_record_is_followed_through_any_argument_and_says_what_else_it_holds(tmp_path: Path):
    """`updateWithLock(before, order)` writes `order`, its second argument: the caller's `setState(201)` is one of
    its values (blind read 20A: litemall S21 lost the order's status behind the optimistic lock). What the record
    holds besides its setters is said: `order` is what `pay` receives; `apply` is a new object a copy fills."""
    from core.generate.flow_facts import record_values
    from core.generate.flow_templates import _sets_text

    (tmp_path / "Orders.java").write_text(LOCKED, encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    hops = [{"label": f"Orders.{m}", "caller": f"Orders#{m}()", "path": "Orders.java", "line": n, "controls": []}
            for m, n in (("pay", 10), ("update", 5))]
    record_values(hops, ["update", "updateWithLock"], outline)
    assert [[v["field"] for v in h["sets"]] for h in hops] == [["payId", "state"], ["updateTime"]]
    assert _sets_text({"hops": hops}, "en").endswith("; every other field of `order` is what `Orders.pay` receives")
    insert = [{"label": "Orders.apply", "caller": "Orders#apply()", "path": "Orders.java", "line": 17, "controls": []}]
    record_values(insert, ["insert"], outline)
    assert insert[0]["origin"]["kind"] == "new"
    assert _sets_text({"hops": insert}, "en").endswith(
        "; `BeanUtils.copyProperties(param, apply)` (Orders.java:14) first copies values into `apply`, which it "
        "stores too")


def test_a_value_the_statement_never_binds_is_not_stored(tmp_path: Path):
    """`item.setId(null)` before an `insert` whose column list leaves `id` out writes nothing (blind read 20A:
    mall S2 said the insert stored `id` = null)."""
    from core.generate.flow_facts import _drop_unbound, record_values

    (tmp_path / "Cart.java").write_text(CART, encoding="utf-8")
    insert = _hops(("change", 14), ("add", 10))
    record_values(insert, ["add", "insert"], JavaOutline(SourceCache(tmp_path)))
    _drop_unbound(insert, "insert into item (owner, created) values (#{owner}, #{created})")
    assert [[v["field"] for v in h["sets"]] for h in insert] == [[], ["owner", "created"]]
    kept = _hops(("change", 14), ("add", 10))
    record_values(kept, ["add", "insert"], JavaOutline(SourceCache(tmp_path)))
    _drop_unbound(kept, "")        # no SQL to read (a JPA save): nothing is dropped
    assert [[v["field"] for v in h["sets"]] for h in kept] == [["id"], ["owner", "created"]]


def test_one_write_is_asked_when_it_stores_two_values_or_more(planner):
    """A single unconditional write is too shallow to ask about, unless the code puts two or more values on the
    record it writes: then the question is what it stores."""
    from core.generate.flow_facts import stores_values

    one = {"sites": [{"hops": [{"sets": [{"field": "id"}, {"field": "state"}]}]}]}
    two = {"sites": [{"hops": [{"sets": [{"field": "id"}]}, {"sets": [{"field": "state"}, {"field": "paid"}]}]}]}
    assert not stores_values(one) and stores_values(two)
    p, data = planner
    single = [i for i in p.flow_items(data["flows"]) if len(i.facts["writes"]) == 1
              and not conditional(i.facts["writes"][0]) and not repeated(i.facts["writes"][0])]
    assert single, "examples/shop has an endpoint with one write that stores several values"
    for item in single:
        assert stores_values(item.facts["writes"][0])
        assert "which values" in item.question.lower() or "write to" in item.question


def test_a_long_generated_statement_is_cited_by_the_columns_the_answer_names(planner):
    """`updateByPrimaryKeySelective` lists every column of ord_order: a fixed window from its head showed unrelated
    columns and missed the ones the answer says are written (blind read 21I: mall S7/S29). The evidence holds the
    statement's head and the lines that write status, confirm_status and receive_time."""
    p, data = planner
    flow = next(f for f in data["flows"] if f["name"] == "POST /order/confirmReceiveOrder")
    item = next(i for i in p.flow_items([flow]) if i.source.question_kind == "writes")
    xml = [e for e in item.evidence if e.path.endswith("OrdOrderMapper.xml")]
    shown = "\n".join(e.text for e in xml)
    assert any('id="updateByPrimaryKeySelective"' in e.text for e in xml)
    for column in ("status = #{status", "confirm_status = #{confirmStatus", "receive_time = #{receiveTime"):
        assert column in shown, column


def test_a_table_whose_statement_is_looked_up_by_name_is_not_asked_who_writes_it(tmp_path: Path):
    """mall's PmsProductServiceImpl inserts SKU rows through `dao.getClass().getMethod("insertList", ..)`: no call
    edge reaches `insertList`, so "every statement that some method calls" would leave that write out. The lookup is
    narrowed to the types of the fields the reflecting method is handed."""
    from core.generate.flow_facts import READS

    dao = "shop-admin/src/main/java/io/acdp/shop/admin/dao/InvSkuStockDao.java"
    impl = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/InvSkuStockServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [
        ("shop-admin/src/main/resources/dao/InvSkuStockDao.xml", '    <insert id="insertStockLogList">',
         '    <insert id="insertList">\n        INSERT INTO inv_sku_stock (product_id, stock) VALUES\n'
         '        <foreach collection="list" item="item" separator=",">(#{item.productId}, #{item.stock})</foreach>\n'
         '    </insert>\n\n    <insert id="insertStockLogList">'),
        (dao, "    int insertStockLogList(", "    int insertList(@Param(\"list\") List<InvSkuStock> list);\n\n"
                                          "    int insertStockLogList("),
        (impl, "    public boolean isLowStock(",
         "    public void copyRows(List<InvSkuStock> rows) throws Exception {\n        insertRows(skuStockDao, rows);\n    }\n\n"
         "    private void insertRows(Object dao, List<?> rows) throws Exception {\n"
         "        dao.getClass().getMethod(\"insertList\", List.class).invoke(dao, rows);\n    }\n\n"
         "    public boolean isLowStock("),
    ])
    ctx = Context(db=Database(db_path), repo=repo, domains=["order", "stock"], backend="template", lang="en")
    p = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    assert p.reflected["insertList"] == {"InvSkuStockDao"}   # the one DAO field `copyRows` hands it
    assert not any(i.facts["table"] == "inv_sku_stock" for i in p.table_items())
    assert any(i.facts["table"] == "inv_sku_stock" for i in p.table_items(READS))   # its reads are all called
