"""Change-impact designs on examples/shop: "add a state between A and B" lists every place that sets, tests, reads
or documents the field (each cited), splits the one operation that moves A to B, and is not asked where a scan finds
a place the facts miss."""

from __future__ import annotations

import re

from core.models import Sample
from storage import Database, samples_store
from tests.conftest import EXAMPLE_REPO, edited_shop

ORDER_IMPL = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderServiceImpl.java"


def add_state(db: Database) -> list[Sample]:
    with db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="design", language="en")
    return [s for s in (Sample.model_validate(r["payload"]) for r in rows) if s.source.question_kind == "add_state"]


def _one(samples: list[Sample], needle: str) -> Sample:
    found = [s for s in samples if needle in s.question]
    assert len(found) == 1, [s.question for s in samples]
    return found[0]


def _cited(s: Sample, path_end: str, line: int) -> bool:
    return any(e.path.endswith(path_end) and e.start_line <= line <= e.end_line for e in s.evidence)


def test_every_line_that_sets_or_tests_the_order_status_is_cited(shop_db):
    """An independent scan of the shop: each `setStatus(` / `getStatus()` comparison on an order in the services and
    each SQL line on `ord_order.status` lies in the evidence of 'add a state between 1 and 2'."""
    s = _one(add_state(shop_db), "OrdOrder.status between 1")
    needles = re.compile(r"\b(order|record|update|cancelOrder|current)\.(setStatus\(|getStatus\(\)\s*(==|!=|>=|<=|<|>))")
    for path in EXAMPLE_REPO.rglob("*.java"):
        rel, text = path.relative_to(EXAMPLE_REPO).as_posix(), path.read_bytes().decode("utf-8", "replace")
        if "/service/" not in rel or "OrdOrder " not in text:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if needles.search(line):
                assert _cited(s, rel, n), f"{rel}:{n} {line.strip()}"
    for path in EXAMPLE_REPO.rglob("*Dao.xml"):
        rel = path.relative_to(EXAMPLE_REPO).as_posix()
        for n, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
            if re.search(r"\bstatus\s*(=|!=|<>|in\b)", line) and "ord_order" in path.read_bytes().decode("utf-8", "replace"):
                assert _cited(s, rel, n), f"{rel}:{n} {line.strip()}"
    for e in s.evidence:       # every cited span is the code the design talks about
        assert e.text.strip()


def test_the_step_is_split_and_each_test_of_its_states_must_decide(shop_db):
    s = _one(add_state(shop_db), "OrdOrder.status between 1")
    assert "(today OrdOrderServiceImpl.delivery moves it from 1 to 2)" in s.question
    changes = {(c.component, c.change) for c in s.design.changes}
    text = "\n".join(f"{c} {x}" for c, x in changes)
    assert "add a method beside `OrdOrderServiceImpl.delivery` that moves the record from 1 to 6" in text
    assert re.search(r"OrdOrderDao\.delivery \(line \d+\) this step moves status from 1 to 2; it now starts from 6", text)
    # the Java check of the step's own method is the step, not a place that must decide
    assert not re.search(r"OrdOrderServiceImpl\.delivery \(line \d+\) tests 1:", text)
    # `current.getStatus() >= 2` compares by order: the new number lands by its value
    assert re.search(r"updateReceiverInfo \(line \d+\) compares status by order", text)
    # a method that throws for a code it does not list needs a branch
    assert "runs `throw new IllegalStateException(\"未知的订单状态\");`, so 6 needs a branch" in text
    # every copy of the documentation gets the code: DTO annotations, the history entity, comments
    for owner in ("OrdOrderQueryParam", "OrdReceiverInfoParam", "OrdOrderOperateHistory"):
        assert any(c == owner and "add 6 with the new state's label" in x for c, x in changes), owner
    assert any(c.component == "OrdOrder.status" and "comment that documents status" in c.change
               for c in s.design.changes)


def test_a_callers_of_a_state_predicate_are_places_and_a_labeller_that_throws_is_named(shop_db):
    s = _one(add_state(shop_db), "OrdRefund.refundStatus between 10")
    text = "\n".join(f"{c.component} {c.change}" for c in s.design.changes)
    assert "OrdRefundService.reject (line 87) through `OrdRefundConstant.isApplied`, tests 10" in text
    assert "declare a constant for 50 beside the others" in text           # codes step by 10: 10/20/30/40 -> 50
    assert "`OrdRefundConstant.statusText`, which today runs `throw new IllegalStateException(\"未知的退款状态\");`" in text


def test_no_state_in_front_of_a_cancellation_or_a_state_reached_from_several(shop_db):
    """0 -> 4 (closed) ends the flow; 1 is reached by paySuccess, onPaid and settle: no single step to split."""
    questions = [s.question for s in add_state(shop_db)]
    assert not [q for q in questions if "between 0" in q and "OrdOrder.status" in q]
    assert not [q for q in questions if "已关闭" in q]


def test_sql_built_in_a_java_string_stops_the_design(tmp_path):
    """An UPDATE on the column in a Java string is a place the facts do not read: the list would not be complete."""
    edits = [(ORDER_IMPL, "public class OrdOrderServiceImpl implements OrdOrderService {",
              'public class OrdOrderServiceImpl implements OrdOrderService {\n'
              '    static final String RESET = "update ord_order set status = 0 where id = ?";')]
    _, db_path = edited_shop(tmp_path, edits)
    assert not [s for s in add_state(Database(db_path, wait=0.5)) if "OrdOrder.status" in s.question]


def test_an_operation_records_the_history_row_its_peer_writes(tmp_path):
    """`close` builds the history row inline (status 4): the portal operations that move an order and write no row
    get a design that copies its columns with their own status, through the shared generated mapper; the peer
    itself and the creation of an order do not."""
    edits = [(ORDER_IMPL, 'orderOperateHistoryMapper.insert(newHistory(id, 4, "订单关闭:" + note));',
              "OrdOrderOperateHistory history = new OrdOrderOperateHistory();\n"
              "            history.setOrderId(id);\n"
              "            history.setCreateTime(new Date());\n"
              "            history.setOrderStatus(4);\n"
              '            history.setNote("订单关闭:" + note);\n'
              "            orderOperateHistoryMapper.insert(history);")]
    _, db_path = edited_shop(tmp_path, edits)
    with Database(db_path, wait=0.5).connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="design", language="en")
    found = [s for s in (Sample.model_validate(r["payload"]) for r in rows) if s.source.question_kind == "record_history"]
    questions = [s.question for s in found]
    cancel = _one(found, "Record OrdPortalOrderServiceImpl.cancelOrder in ord_order_operate_history")
    assert "the way OrdOrderServiceImpl.close does" in cancel.question
    text = "\n".join(f"{c.component} {c.change}" for c in cancel.design.changes)
    assert "insert it with `OrdOrderOperateHistoryMapper.insert`" in text and "orderStatus = 4" in text
    assert "note = a value for this operation" in text          # the peer's note describes the peer's action
    assert not [q for q in questions if q.startswith("Record OrdOrderServiceImpl.close ")]
    assert not [q for q in questions if "generateOrder" in q]
    # every fact the Flow and Risks sections use is shown (blind read G S3/S5/S16): where @Transactional sits and each
    # entry point named, with its call on the way
    reuse = {r.component: r.why for r in cancel.design.reuse}
    assert any("is annotated @Transactional" in why for why in reuse.values()), reuse
    risk = next(r for r in cancel.design.risks if "is reached from" in r)
    entries = [w for w in reuse.values() if w.startswith("is an entry point")]
    assert entries and len(entries) == risk.split(":")[0].count("`") // 2 - 1, (risk, reuse)
    assert "listener listener" not in risk
    # the operation's own lines show that it writes no history row: within 40 lines, from its write on
    op = next(e for e in cancel.evidence if e.path.endswith("OrdPortalOrderServiceImpl.java")
              and "cancelOrder" in e.text)
    assert op.end_line - op.start_line < 40
    # other peers are named with the state each moves to, not as doing "the same" (blind read 20B: mall S8/S25)
    assert "does the same" not in cancel.design.understanding
    # the design covers one operation: the others that close an order without a row are named and cited, through a
    # setter or through a statement whose SET writes the 4 (blind read 24GG: mall S10 called the history "complete")
    assert "`OrdPayCallbackService.settle` and `OrdPortalOrderServiceImpl.cancelTimeOutOrder` also move an OrdOrder " \
        "to 4" in cancel.design.understanding and "covers `OrdPortalOrderServiceImpl.cancelOrder` only" \
        in cancel.design.understanding and "complete" not in cancel.design.understanding
    # who acted: confirmReceiveOrder already holds its caller; cancelOrder, reached from a listener too, does not
    # (blind reads 24JJ/24PP: a module-wide accessor was offered to a batch job)
    confirm = _one(found, "Record OrdPortalOrderServiceImpl.confirmReceiveOrder in ord_order_operate_history")
    assert "`OrdPortalOrderServiceImpl.confirmReceiveOrder` already holds the current `UmsMember` in `member` " \
        "(`memberService.getCurrentMember()`, OrdPortalOrderServiceImpl.java:359)" in " ".join(confirm.design.risks)
    assert "already holds" not in " ".join(cancel.design.risks)
    closes = next(e for e in cancel.evidence if "portalOrderDao.closeOrders(ids);" in e.text)
    assert "public Integer cancelTimeOutOrder() {" in closes.text and closes.text.rstrip().endswith("}")


def test_an_operation_is_cited_from_its_write_on_when_it_is_long():
    from core.generate.impact import _after_write
    assert _after_write({"start_line": 10, "end_line": 30}, 20) == (10, 30)
    assert _after_write({"start_line": 71, "end_line": 311}, 299) == (272, 311)
    assert _after_write({"start_line": 71, "end_line": 400}, 120) == (115, 154)


def test_the_step_is_one_change_on_its_check_and_the_new_method_gets_an_endpoint(shop_db):
    """Blind read G (mall S7/S9, litemall S40): the step was one bullet per line of it, so a setter line read 'its
    check of 1 becomes 6'; the new method had nothing calling it. Now: one change per operation naming the check's
    line and the write it keeps, and an endpoint beside the one that reaches the step."""
    s = _one(add_state(shop_db), "OrdOrder.status between 1")
    text = "\n".join(f"[{c.layer}] {c.component} {c.change}" for c in s.design.changes)
    steps = [c.component for c in s.design.changes if "this step moves status from 1 to 2" in c.change]
    assert len(steps) == len(set(c.split(" (line")[0] for c in steps)), steps     # once per method or statement
    assert re.search(r"its check of 1 \(line \d+\) becomes 6, and it still writes 2 \(line \d+\)", text), text
    assert re.search(r"\[controller\] \w+ add an endpoint beside `\w+ /[^`]+` \(`\w+\.\w+`\) that calls the new method",
                     text), text
    assert re.search(r"\d+ set 1, so records reach 1 there as today", s.design.understanding), s.design.understanding
    # the controller calls the step through OrdOrderService, which holds its @Transactional: the new method is declared
    # there too (blind read 24KK: mall S5 would not compile and would run without a transaction)
    assert "[service] OrdOrderService declare the new method beside `delivery`, which the controller calls through it, " \
        "with `@Transactional` as `delivery` has there" in text, text
    assert _cited(s, "service/OrdOrderService.java", 24) and _cited(s, "service/OrdOrderService.java", 25)


def test_a_filter_built_in_a_java_string_is_a_place_of_its_own(tmp_path):
    """A query string that filters on the column passes the value on: it is listed (blind read 20A: litemall's
    `queryVoSelective` was missing from an "every place" list), where an UPDATE in a string stops the design."""
    edits = [(ORDER_IMPL, "public class OrdOrderServiceImpl implements OrdOrderService {",
              'public class OrdOrderServiceImpl implements OrdOrderService {\n'
              '    static String byStatus(String codes) {\n'
              '        return "select id from ord_order o where o.status in (" + codes + ")";\n'
              '    }')]
    _, db_path = edited_shop(tmp_path, edits)
    found = [s for s in add_state(Database(db_path, wait=0.5)) if "OrdOrder.status" in s.question]
    assert found
    for s in found:
        assert any(r.component == "OrdOrderServiceImpl.byStatus" and "filters on the column" in r.why
                   for r in s.design.reuse), s.design.reuse


def test_two_sets_far_apart_in_one_method_are_two_places():
    """Sites of one method and kind are grouped only within one evidence item (40 lines): litemall `submit` sets 101
    at line 376 and 201 at line 481, and the second was dropped from an "every place" list (blind read 20A)."""
    from core.generate.design_facts import Site
    from core.generate.impact import _grouped

    def site(line: int) -> Site:
        return Site("set", "S.submit", "service", "S.java", line, line - 1, line + 1, f"o.setStatus({line})")
    grouped = _grouped([site(376), site(380), site(481)])
    assert [(g.line, g.lines) for g in grouped] == [(376, [376, 380]), (481, [])]


def test_a_method_that_picks_the_record_for_the_step_moves_its_test_with_the_step(tmp_path):
    """`deliveryBySn` selects the order still in 1 and calls `delivery`: once the step starts from 6 its test of 1
    must become 6 too, or every order it passes on is refused (blind read 23Z: mall S6 told paySuccessByOrderSn to
    'decide if it goes with 0')."""
    delivery = "    public int delivery(List<OrdOrderDeliveryParam> deliveryParamList) {"
    _, db_path = edited_shop(tmp_path, [(ORDER_IMPL, delivery,
                                         "    public int deliveryBySn(String orderSn, OrdOrderDeliveryParam param) {\n"
                                         "        OrdOrderExample example = new OrdOrderExample();\n"
                                         "        example.createCriteria().andOrderSnEqualTo(orderSn).andStatusEqualTo(1);\n"
                                         "        List<OrdOrder> found = orderMapper.selectByExample(example);\n"
                                         "        param.setOrderId(found.get(0).getId());\n"
                                         "        return delivery(java.util.Collections.singletonList(param));\n"
                                         "    }\n\n"
                                         "    public int delivery(List<OrdOrderDeliveryParam> deliveryParamList) {"),
                                        ("shop-admin/src/main/java/io/acdp/shop/admin/service/OrdOrderService.java",
                                         "    int delivery(List<OrdOrderDeliveryParam> deliveryParamList);",
                                         "    int delivery(List<OrdOrderDeliveryParam> deliveryParamList);\n\n"
                                         "    int deliveryBySn(String orderSn, OrdOrderDeliveryParam param);"),
                                        ("shop-admin/src/main/java/io/acdp/shop/admin/controller/OrdOrderController.java",
                                         '    @PostMapping("/update/delivery")',
                                         '    @PostMapping("/update/deliveryBySn")\n'
                                         "    public CommonResult<Integer> deliveryBySn(@RequestParam String orderSn, "
                                         "@RequestBody OrdOrderDeliveryParam param) {\n"
                                         "        return CommonResult.success(orderService.deliveryBySn(orderSn, param));\n"
                                         "    }\n\n"
                                         '    @PostMapping("/update/delivery")')])
    s = _one(add_state(Database(db_path, wait=0.5)), "OrdOrder.status between 1")
    change = next(c.change for c in s.design.changes if c.component.startswith("OrdOrderServiceImpl.deliveryBySn"))
    assert change.startswith("picks the record by 1 and hands it to `OrdOrderServiceImpl.delivery` (line ")
    assert "its 1 becomes 6 with the step" in change
    call = int(re.search(r"\(line (\d+)\)", change).group(1))
    assert _cited(s, ORDER_IMPL, call) and "1 picks the record in 1 for" in s.design.understanding


def test_callers_of_a_helper_that_tests_the_state_and_comments_that_walk_the_codes_are_places(tmp_path):
    """litemall's `OrderUtil.build(order)` tests the status inside and its callers act on what it builds; its class
    comment walks the codes ("101 订单生成，未支付；102，…"). Both are places of an "add a state" answer (blind read
    24GG: litemall S16 said "every place" and left them out). Distinctive codes (three digits) only: a comment's
    "1" or "2" is not told apart from any other number."""
    const = "shop-common/src/main/java/io/acdp/shop/common/constant/OrdRefundConstant.java"
    service = "shop-portal/src/main/java/io/acdp/shop/portal/service/OrdRefundService.java"
    edits = [(const, f"= {a};", f"= {b};") for a, b in ((10, 101), (20, 201), (30, 301), (40, 401))]
    edits += [(const, f"case {a}:", f"case {b}:") for a, b in ((10, 101), (20, 201), (30, 301), (40, 401))]
    edits += [
        (const, "    /**\n     * 退款是否仍在申请中",
         "    /**\n     * 退款已经结束（已拒绝或已退款）\n     */\n"
         "    public static String finished(io.acdp.shop.common.entity.OrdRefund refund) {\n"
         "        short status = refund.getRefundStatus();\n"
         "        if (status == 301) {\n            return \"rejected\";\n        }\n"
         "        return status == 401 ? \"refunded\" : null;\n    }\n\n"
         "    /**\n     * 退款是否仍在申请中"),
        (service, " * 退款与支付流水：没有接口的服务类，控制器直接注入它。",
         " * 退款与支付流水：没有接口的服务类，控制器直接注入它。\n *\n"
         " * 退款状态：101 用户提交、等待处理；201 商家接受；\n * 301 商家不接受；401 款项退回。"),
        (service, "        refund.setRefundStatus(OrdRefundConstant.STATUS_APPROVED);",
         "        if (OrdRefundConstant.finished(refund) != null) {\n"
         "            throw new ApiException(\"退款已结束\");\n        }\n"
         "        refund.setRefundStatus(OrdRefundConstant.STATUS_APPROVED);"),
    ]
    _, db_path = edited_shop(tmp_path, edits)
    s = _one(add_state(Database(db_path, wait=0.5)), "OrdRefund.refundStatus between 101")
    reuse = "\n".join(f"{r.component}: {r.why}" for r in s.design.reuse)
    assert "OrdRefundService.approve: reads the field through `OrdRefundConstant.finished`" in reuse, reuse
    assert "OrdRefundService: documents the codes at lines 20, 21" in reuse, reuse
    assert _cited(s, "OrdRefundService.java", 20) and _cited(s, "OrdRefundService.java", 21)


def test_a_generated_model_is_regenerated_from_the_column_comment_not_edited(tmp_path):
    """A generator config that writes the models (and their comments): the model's documented codes change by
    regenerating it, as the audit designs already say (blind read 24II: mall S17 told to hand-edit OmsOrder)."""
    config = ('<?xml version="1.0" encoding="UTF-8"?>\n<generatorConfiguration>\n  <context id="shop">\n'
              '    <commentGenerator type="io.acdp.shop.CommentGenerator"/>\n'
              '    <javaModelGenerator targetPackage="io.acdp.shop.common.model" targetProject="src/main/java"/>\n'
              '    <table tableName="%"/>\n  </context>\n</generatorConfiguration>\n')
    _, db_path = edited_shop(tmp_path, [("shop-common/src/main/resources/generatorConfig.xml", None, config)])
    s = _one(add_state(Database(db_path, wait=0.5)), "OrdOrder.status between 1")
    text = "\n".join(f"{c.component}: {c.change}" for c in s.design.changes)
    assert re.search(r"OrdOrder(\.status)?: generated: its documented codes \(line \d+\) come from the column's comment "
                     r"through the comment generator of shop-common/src/main/resources/generatorConfig.xml, so "
                     r"regenerate it once the comment names the new state, instead of editing it", text), text
    assert not re.search(r"OrdOrder(\.status)?: add 6", text)
    assert _cited(s, "generatorConfig.xml", 4) and _cited(s, "generatorConfig.xml", 5)


def test_a_sql_case_that_writes_the_code_is_a_place_that_sets_it(tmp_path):
    """mall's `delivery` writes `status = CASE id <foreach> WHEN .. THEN 2 </foreach> END`: the code is below the
    SET line, and the place was counted among those setting "only other codes" (blind read 24OO: mall S3)."""
    xml = "shop-admin/src/main/resources/dao/OrdOrderDao.xml"
    _, db_path = edited_shop(tmp_path, [(xml, "            status = 2",
                                         '            status = CASE id\n            <foreach collection="list" '
                                         'item="item">\n                WHEN #{item.orderId} THEN 2\n'
                                         "            </foreach>\n            END")])
    s = _one(add_state(Database(db_path, wait=0.5)), "OrdOrder.status between 2")
    assert "2 set 2, so records reach 2 there as today" in s.design.understanding, s.design.understanding
