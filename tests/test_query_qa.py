"""QA query: which rows a data-access method reads or writes, every condition cited (core.generate.query_facts)."""

from __future__ import annotations

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.plan import Planner
from core.generate.query_facts import query_items
from core.generate.query_sql import xml_query
from tests.conftest import EXAMPLE_REPO


@pytest.fixture
def planner(shop_db) -> Planner:
    ctx = Context(db=shop_db, repo=EXAMPLE_REPO, domains=["order", "stock"], backend="template", lang="en")
    return Planner("shop", EXAMPLE_REPO, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])


@pytest.fixture
def items(planner) -> dict:
    return {i.facts["scope"]: i for i in query_items(planner)}


def _conds(item) -> list[tuple[str, list[str]]]:
    return [(c["text"], c["when"]) for c in item.facts["conditions"]]


def test_mapper_xml_lists_static_and_dynamic_conditions_with_their_tests_and_order(items):
    item = items["OrdOrderDao.getList"]
    conds = _conds(item)
    assert conds[0] == ("delete_status = 0", [])
    assert ("status = #{queryParam.status}", ["queryParam.status != null"]) in conds
    assert len(conds) == 7 and item.facts["order"]["text"] == "create_time DESC"
    answer = TemplateBackend.draft(item).answer
    assert '0 = "未删除"' in answer and "only when `queryParam.status != null`" in answer


def test_foreach_list_and_status_label_in_an_update(items):
    item = items["PortalOrderDao.closeOrders"]
    answer = TemplateBackend.draft(item).answer
    assert "`id IN` (`#{id}` for each item of `ids`)" in answer and '`status = 0` (0 = "待付款")' in answer


def test_example_criteria_built_in_a_service_method(items):
    item = items["OrdOrderServiceImpl.close"]
    assert item.facts["verb"] == "update" and item.facts["call"]["name"] == "updateByExampleSelective"
    assert [c["code"] for c in item.facts["conditions"]] == ["andDeleteStatusEqualTo(0)", "andIdIn(ids)",
                                                             "andStatusEqualTo(0)"]
    assert item.facts["conditions"][2]["label"]["label"] == "待付款"


def test_spring_data_derived_name_and_query_annotation(items):
    derived = items["OrdShipmentRepository.findByOrderIdAndShipStatus"]
    assert [c["text"] for c in derived.facts["conditions"]] == ["orderId = `orderId`", "shipStatus = `shipStatus`"]
    query = items["OrdShipmentRepository.markReceived"]
    assert [c["text"] for c in query.facts["conditions"]] == ["id = :id", "ship_status = 1"]
    assert query.facts["verb"] == "update"


def test_a_key_lookup_and_generator_mappers_are_not_asked(items):
    assert "OrdOrderDao.getDetail" not in items     # only `o.id = #{id}`
    assert not any(s.startswith("OrdOrderMapper.") for s in items)   # the generator's Example_Where_Clause


def test_a_select_whose_result_map_folds_rows_is_not_asked_which_rows_it_returns(items, planner):
    """PortalOrderDao.getTimeOutOrders maps into `orderDetailMap`, whose `<collection>` folds the joined item rows into
    one order each: its WHERE and ORDER BY are not "the rows it returns" (blind read 21J: mall S22)."""
    from core.generate.read_facts import folds_rows
    path = "shop-portal/src/main/resources/dao/PortalOrderDao.xml"
    lines = (EXAMPLE_REPO / path).read_text(encoding="utf-8").splitlines()
    at = {name: n for n, line in enumerate(lines, 1) for name in ("getTimeOutOrders", "getDetail")
          if f'<select id="{name}"' in line}
    assert folds_rows(planner, path, at["getTimeOutOrders"])
    xml = "shop-admin/src/main/resources/dao/OrdOrderDao.xml"
    plain = next(n for n, line in enumerate((EXAMPLE_REPO / xml).read_text(encoding="utf-8").splitlines(), 1)
                 if '<select id="getList"' in line)
    assert not folds_rows(planner, xml, plain)
    assert "PortalOrderDao.getTimeOutOrders" not in items and "OrdOrderDao.getList" in items


def test_unreadable_sql_is_not_read():
    def q(body: str):
        lines = f'<select id="x">\n{body}\n</select>'.split("\n")
        return xml_query(lines, 1, len(lines))
    assert q("SELECT * FROM t WHERE a = 1 ORDER BY ${sort}") is None
    assert q("SELECT * FROM t WHERE a = 1 OR b = 2") is None
    assert q('SELECT * FROM t <where><include refid="c"/></where>') is None
    assert [c.text for c in q("SELECT * FROM t WHERE a BETWEEN 1 AND 2 AND b = 3").conditions] == [
        "a BETWEEN 1 AND 2", "b = 3"]


def test_example_or_group_under_a_condition_conditional_criteria_and_a_replacing_order(items):
    item = items["OrdOrderSearchServiceImpl.search"]
    groups = item.facts["groups"]
    assert [c["code"] for c in groups[0]] == ["andMemberIdEqualTo(memberId)", "andDeleteStatusEqualTo(0)",
                                              "andStatusIn(statuses)"]
    assert groups[0][2]["when"] == ["statuses != null && !statuses.isEmpty()"]
    assert item.facts["group_when"][1]["when"] == ["before != null"] and not groups[1][0]["when"]
    answer = TemplateBackend.draft(item).answer
    assert "group 2, only when `before != null`:" in answer
    assert "Sorted by `sort` instead, when `sort != null`" in answer and "Paged by" in answer


def test_mybatis_plus_wrapper_with_a_conditional_comparison_and_order(items):
    item = items["OrdRefundQueryService.listPending"]
    conds = item.facts["conditions"]
    assert [(c["text"], c["when"]) for c in conds] == [
        ("refund_status = OrdRefundConstant.STATUS_APPLIED", []), ("order_id = orderId", ["orderId != null"])]
    assert conds[0]["label"]["label"] == "申请中" and conds[1]["line"] == conds[0]["line"] + 1
    assert item.facts["order"]["text"] == "id DESC" and item.facts["call"]["name"] == "selectList"


def test_derived_names_keep_first_top_and_do_not_split_a_field_at_or():
    from core.generate.query_facts import _DERIVED, _derived

    d = _DERIVED.match("findTop3ByOrderNoAndStatusInOrderByIdDesc")
    assert d.group(3, 4) == ("Top", "3")
    parsed = _derived(d.group(6), {"orderNo", "status", "id"})
    assert parsed == {"groups": [[("orderNo", "=", 1), ("status", "IN", 1)]], "order": "id DESC"}
    assert _derived("NameOrCode", {"name", "code"})["groups"] == [[("name", "=", 1)], [("code", "=", 1)]]


def test_updates_say_what_they_write_on_the_rows(items):
    xml = TemplateBackend.draft(items["PortalOrderDao.closeOrders"]).answer
    assert 'On those rows it sets `status = 4` (4 = "已关闭")' in xml and "`modify_time = NOW()`" in xml
    example = TemplateBackend.draft(items["OrdOrderServiceImpl.close"]).answer
    assert '`record.setStatus(4)` (4 = "已关闭")' in example and "a selective update leaves null fields" in example
    lines = ['<update id="x">', "UPDATE t SET a = CASE id", '<foreach collection="l" item="i">WHEN #{i.id} THEN 1',
             "</foreach>", "END WHERE id IN", '<foreach collection="l" item="i" open="(" close=")">#{i.id}</foreach>',
             "</update>"]
    assert xml_query(lines, 1, len(lines)).sets is None    # a CASE over a <foreach>: not listed


def test_choose_when_otherwise_and_limit_in_mapper_xml(items):
    item = items["OrdOrderDao.listRecent"]
    assert [(c["text"], c["when"]) for c in item.facts["conditions"]] == [
        ("member_id = #{memberId}", []), ("delete_status = 0", []), ("status = 0", ["group == 'unpaid'"]),
        ("status IN (1, 2, 3)", ["not `group == 'unpaid'`"])]
    answer = TemplateBackend.draft(item).answer
    assert "only when not `group == 'unpaid'`" in answer and "Limited by `LIMIT #{count}`" in answer


def test_a_count_says_the_comparison_it_feeds(tmp_path):
    """mall UmsMemberCouponServiceImpl.add counts a member's coupon history and fails when the count reaches
    `perLimit` (blind read G S34): the count answer names that test and what it runs, not only the criteria."""
    import json

    import duckdb

    from tests.conftest import edited_shop
    anchor = "    private static final String OPERATOR = \"后台管理员\";\n"
    method = anchor + """
    public void checkOpenOrders(Long memberId, int maxOpen) {
        OrdOrderExample openExample = new OrdOrderExample();
        openExample.createCriteria().andMemberIdEqualTo(memberId).andStatusEqualTo(0);
        long openCount = orderMapper.countByExample(openExample);
        if (openCount >= maxOpen) {
            Asserts.fail("待付款订单过多");
        }
    }
"""
    _, db = edited_shop(tmp_path, [("shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderServiceImpl.java",
                                    anchor, method)])
    con = duckdb.connect(str(db), read_only=True)
    (answer, payload), = con.execute("select answer, payload from samples where language='en' and question like "
                                     "'%OrdOrderServiceImpl.checkOpenOrders%count%'").fetchall()
    assert "then tests `openCount >= maxOpen` (OrdOrderServiceImpl.java:40); when that holds it runs " \
           "`Asserts.fail(\"待付款订单过多\");`" in answer
    trace = json.loads(payload)["trace"]
    assert any("runs `Asserts.fail" in t["claim"] for t in trace)


def test_a_select_of_another_tables_rows_is_not_asked_about_the_from_table():
    """`SELECT c.* FROM history ch LEFT JOIN coupon c` mapped to the coupon's result map returns coupons: asking
    "which history rows does it return" is false (blind read 20A: mall S20)."""
    from core.generate.query_facts import _rows_of_other_table
    joined = ['<select id="listCoupons" resultMap="io.acdp.shop.mapper.MktCouponMapper.BaseResultMap">',
              "  SELECT c.* FROM mkt_coupon_history ch LEFT JOIN mkt_coupon c ON ch.coupon_id = c.id",
              "  WHERE ch.member_id = #{memberId}", "</select>"]
    assert _rows_of_other_table(joined, "mkt_coupon_history")
    by_alias = [joined[0].replace("io.acdp.shop.mapper.MktCouponMapper.BaseResultMap", "CouponView"), *joined[1:]]
    assert _rows_of_other_table(by_alias, "mkt_coupon_history")        # the select list alone says it
    own = ['<select id="list" resultMap="BaseResultMap">',
           "  SELECT ch.* FROM mkt_coupon_history ch LEFT JOIN mkt_coupon c ON ch.coupon_id = c.id", "</select>"]
    assert not _rows_of_other_table(own, "mkt_coupon_history")
    detail = ['<select id="detail" resultType="io.acdp.shop.dto.OrderDetail">',
              "  SELECT o.*, i.product_name FROM ord_order o LEFT JOIN ord_order_item i ON i.order_id = o.id", "</select>"]
    assert not _rows_of_other_table(detail, "ord_order")


def test_a_method_that_uses_only_the_first_row_is_said_to():
    """`list = mapper.selectByExample(e); if (!list.isEmpty()) return list.get(0); return null;` hands back one row,
    not "the rows" (blind read 20F: mall S34/S39); a method that returns the list stays a plain select."""
    from core.generate.query_facts import _first_only
    first = ["List<Item> list = mapper.selectByExample(example);", "if (!CollectionUtils.isEmpty(list)) {",
             "    return list.get(0);", "}", "return null;"]
    assert _first_only(first, 1, 5)
    assert not _first_only(["List<Item> list = mapper.selectByExample(example);", "return list;"], 1, 2)
    assert not _first_only(["List<Item> list = mapper.selectByExample(example);", "Item a = list.get(0);",
                            "for (Item i : list) { touch(i); }"], 1, 3)


def test_a_method_that_branches_on_the_row_count_or_shares_its_name_is_not_asked(tmp_path):
    """litemall's `findByCode` throws when more than one row matches, so "returns the first of the rows" is wrong;
    its `findById(id)` and `findById(userId, id)` share a name, so `findById` does not say which (blind read 22P:
    litemall S35, S18)."""
    from core.generate.query_facts import _size_gated
    from storage import Database
    from tests.conftest import edited_shop

    lines = ["    List<Coupon> list = mapper.selectByExample(example);", "    if (list.size() > 1) {",
             "        throw new RuntimeException(\"\");", "    }", "    return list.get(0);"]
    assert _size_gated(lines, 1, len(lines))
    assert not _size_gated([lines[0], "    if (list.size() == 0) {", "        return null;", "    }", lines[4]], 1, 5)
    impl = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [(impl, "    public int close(List<Long> ids, String note) {",
                                            "    public int close(Long id) {\n        return 0;\n    }\n\n"
                                            "    public int close(List<Long> ids, String note) {")])
    ctx = Context(db=Database(db_path), repo=repo, domains=["order", "stock"], backend="template", lang="en")
    planner = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    assert "OrdOrderServiceImpl.close" not in {i.facts["scope"] for i in query_items(planner)}


def test_a_local_the_method_reassigns_before_the_query_is_said(tmp_path):
    """`if (statuses.isEmpty()) statuses = null;` before `if (statuses != null) criteria.andStatusIn(..)`: the test
    sees the new value, which the answer says and cites (blind read 23X: mall S14 said 'only when `status!=null`'
    where the caller's -1 had become null)."""
    from storage import Database
    from tests.conftest import edited_shop

    impl = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderSearchServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [(impl, "        OrdOrderExample example = new OrdOrderExample();\n",
                                            "        if (statuses.isEmpty()) {\n            statuses = null;\n        }\n"
                                            "        OrdOrderExample example = new OrdOrderExample();\n")])
    db = Database(db_path, wait=0.5)
    ctx = Context(db=db, repo=repo, domains=["order", "stock"], backend="template", lang="en")
    planner = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    item = next(i for i in query_items(planner) if i.facts["scope"] == "OrdOrderSearchServiceImpl.search")
    draft = TemplateBackend.draft(item)
    assert "Before that, `statuses` is reassigned: `statuses = null;` when `statuses.isEmpty()` " \
        "(OrdOrderSearchServiceImpl.java:23)" in draft.answer
    claim = next(t for t in draft.trace if "sets `statuses = null;`" in t.claim)
    shown = "\n".join(e.text for e in item.evidence if e.id in claim.evidence_ids)
    assert "statuses = null;" in shown and "if (statuses.isEmpty())" in shown


def test_paging_under_an_if_is_said_with_its_test(tmp_path):
    """`if (pageSize > 0) PageHelper.startPage(..)`: the answer says it pages only then (blind read 23BB: litemall S1
    said 'Paged by' where `queryAll` passes nulls to get every row)."""
    from storage import Database
    from tests.conftest import edited_shop

    impl = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderSearchServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [(impl, "        PageHelper.startPage(pageNum, pageSize);",
                                            "        if (pageSize > 0) {\n            PageHelper.startPage(pageNum, pageSize);"
                                            "\n        }")])
    ctx = Context(db=Database(db_path, wait=0.5), repo=repo, domains=["order", "stock"], backend="template", lang="en")
    planner = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    item = next(i for i in query_items(planner) if i.facts["scope"] == "OrdOrderSearchServiceImpl.search")
    assert "Paged by `PageHelper.startPage(pageNum, pageSize);`, only when `pageSize > 0`" in TemplateBackend.draft(item).answer
