"""The strict output validator and ROUGE-L, on crafted good and bad answers."""

from __future__ import annotations

import pytest

from core.train.strict import RepoFacts, check_output, identifiers_in, rouge_l, summarize

FACTS = RepoFacts.from_texts(
    {"shop/order/OrderServiceImpl.java": 120, "shop/order/OrderMapper.xml": 60},
    ["shop.order.OrderServiceImpl", "shop.order.OrderServiceImpl#cancelOrder(Long)", "cancelOrder",
     "void cancelOrder(Long orderId)", "OrderMapper.updateStatus", "shop.order.OmsOrder.payAmount",
     "UPDATE oms_order SET status = 4 WHERE id = #{orderId} AND status = 0", '["oms_order"]'],
)

GOOD = """Only unpaid orders (status 0) can be cancelled: OrderServiceImpl.cancelOrder checks the status and the
mapper updates oms_order only while status = 0.

Evidence:
[E1] shop/order/OrderServiceImpl.java:40-52
[E2] shop/order/OrderMapper.xml:12-15

Reasoning:
1. cancelOrder throws unless the status is 0 [E1]
2. The UPDATE on oms_order is guarded by status = 0 [E1][E2]"""


def test_a_grounded_answer_passes():
    check = check_output(GOOD, FACTS)
    assert check.ok, check.problems
    assert check.layout_ok and check.citations_ok and check.unknown_identifiers == []


def test_missing_sections_fail_the_layout():
    check = check_output("Only unpaid orders can be cancelled.", FACTS)
    assert not check.layout_ok and not check.citations_ok
    assert any("Evidence" in p for p in check.problems)


def test_a_claim_citing_an_unlisted_id_fails_the_layout():
    check = check_output(GOOD.replace("[E1][E2]", "[E3]"), FACTS)
    assert not check.layout_ok and check.citations_ok


@pytest.mark.parametrize("bad, why", [
    ("shop/order/OrderServiceImpl.java:40-52", "shop/order/PaymentService.java:1-5"),   # no such file
    ("shop/order/OrderServiceImpl.java:40-52", "shop/order/OrderServiceImpl.java:118-140"),  # past the end (120)
])
def test_citations_must_exist_in_the_indexed_repo(bad, why):
    check = check_output(GOOD.replace(bad, why), FACTS)
    assert check.layout_ok and not check.citations_ok
    assert any(why.split(":")[0] in p for p in check.problems)


def test_invented_identifiers_are_reported():
    text = GOOD.replace("OrderServiceImpl.cancelOrder", "OrderCancelManager.revokeOrder").replace(
        "2. The UPDATE", "2. RefundQueue and the ord_refund table see the UPDATE")
    check = check_output(text, FACTS)
    assert check.layout_ok and check.citations_ok
    assert check.unknown_identifiers == ["OrderCancelManager", "revokeOrder", "RefundQueue", "ord_refund"]
    assert not check.ok


def test_identifiers_are_recognised_by_shape_not_words():
    text = "The Order is SQL-checked in OrderServiceImpl.java by lockStock on pms_sku_stock; see BigDecimal and I/O."
    assert identifiers_in(text) == ["lockStock", "pms_sku_stock", "BigDecimal"]


def test_rouge_l():
    assert rouge_l("the order is closed", "the order is closed") == pytest.approx(1.0)
    assert rouge_l("completely different words", "the order is closed") == 0.0
    # LCS "the order closed" = 3 of 4 candidate and 4 reference tokens
    assert rouge_l("the order was closed", "the order is closed") == pytest.approx(0.75)
    # CJK text is compared character by character
    assert rouge_l("订单已关闭", "订单关闭") == pytest.approx(2 * (4 / 5) * 1 / (4 / 5 + 1))
    assert rouge_l("", "x") == 0.0


def test_summary_compares_models():
    rows = [
        {"model_kind": "base", "layout_ok": False, "citations_ok": False, "unknown_identifiers": ["X"], "overlap": 0.1},
        {"model_kind": "base", "layout_ok": True, "citations_ok": False, "unknown_identifiers": [], "overlap": 0.3},
        {"model_kind": "tuned", "layout_ok": True, "citations_ok": True, "unknown_identifiers": [], "overlap": 0.5},
        {"model_kind": "tuned", "layout_ok": True, "citations_ok": True, "unknown_identifiers": [], "overlap": 0.7},
    ]
    summary = summarize(rows)
    assert summary["base"] == {"answers": 2, "layout_pct": 50.0, "citation_pct": 0.0, "identifier_pct": 50.0,
                               "support_pct": None, "rouge_l": 0.2}  # rows without a support verdict
    assert summary["tuned"]["layout_pct"] == 100.0 and summary["tuned"]["rouge_l"] == 0.6


def test_accessors_of_known_fields_count_as_known():
    """Lombok's @Data generates getters and setters that no source file declares."""
    check = check_output(GOOD.replace("checks the status", "checks getPayAmount() and setPayAmount"), FACTS)
    assert check.unknown_identifiers == []
    check = check_output(GOOD.replace("checks the status", "checks getRefundAmount()"), FACTS)
    assert check.unknown_identifiers == ["getRefundAmount"]


DESIGN = """## Understanding
Cancelling must leave a trace in a ledger.

## Changes by layer
- [service_impl] OrderServiceImpl: call `insertLedger(...)` before cancelOrder
- [model] OrderLedger (new): one row per movement
- [dao] LedgerRepository: add the lookup

## Data changes
- CREATE TABLE ord_ledger (order_id, created_at)

## Flow
1. OrderServiceImpl writes OrderLedger to ord_ledger via insertLedger, then LedgerRepository

Evidence:
[E1] shop/order/OrderServiceImpl.java:40-52

Reasoning:
1. cancelOrder is where the status changes [E1]"""


def test_a_design_may_introduce_names_but_not_change_missing_components():
    check = check_output(DESIGN, FACTS)
    # proposed: OrderLedger (new), insertLedger (a change's content), ord_ledger/order_id/created_at (data changes);
    # LedgerRepository is changed as if it existed, without (new): invented
    assert check.layout_ok and check.citations_ok
    assert check.unknown_identifiers == ["LedgerRepository"]


SERVICE = """package shop.order;

public class OrderServiceImpl {
    private OrderMapper orderMapper;

    /** Cancels an unpaid order (oms_order.status 0 -> 4). */
    public void cancelOrder(Long orderId) {
        OmsOrder order = orderMapper.selectById(orderId);
        if (order.getStatus() != 0) {
            throw new IllegalStateException("only unpaid orders can be cancelled");
        }
        order.setStatus(4);
        orderMapper.updateStatus(order);
    }

    public void remark(Long orderId, String note) {
        OmsOrder order = orderMapper.selectById(orderId);
        order.setNote(note);
    }
}
"""


def _code():
    from core.train.support import CodeSpans

    lines = {"shop/order/OrderServiceImpl.java": SERVICE.splitlines()}
    rows = [("shop/order/OrderServiceImpl.java", 3, 20, "OrderServiceImpl", "class", None, None),
            ("shop/order/OrderServiceImpl.java", 4, 4, "orderMapper", "field", "OrderMapper", None),
            ("shop/order/OrderServiceImpl.java", 7, 14, "cancelOrder", "method", "void",
             "Cancels an unpaid order (oms_order.status 0 -> 4)."),
            ("shop/order/OrderServiceImpl.java", 16, 19, "remark", "method", "void", None)]
    return CodeSpans.from_rows(lines.get, rows)


SUPPORTED = """Only unpaid orders can be cancelled.

Evidence:
[E1] shop/order/OrderServiceImpl.java:9-12

Reasoning:
1. `OrderServiceImpl.cancelOrder` checks `order.getStatus() != 0` at line 9 [E1]
2. otherwise it throws with "only unpaid orders can be cancelled" and then calls setStatus with `4` [E1]
3. the OrderMapper field `orderMapper` reads the order [E1]"""


def test_claims_are_supported_only_by_the_lines_that_hold_them():
    from core.models import Span
    from core.train.support import claim_problems

    facts = RepoFacts(line_counts={"shop/order/OrderServiceImpl.java": 21}, identifiers=FACTS.identifiers | {
        "OrderMapper", "orderMapper", "getStatus", "setStatus", "remark", "setNote"}, code=_code())
    check = check_output(SUPPORTED, facts)
    assert check.supported is True and check.ok, check.problems
    # the same answer citing other existing lines of the same file: the claims about the check lose their
    # support (claim 3 stays supported: `orderMapper` reads the order there too)
    moved = check_output(SUPPORTED.replace(":9-12", ":16-19"), facts)
    assert moved.citations_ok and moved.supported is False and len(moved.unsupported) == 2
    assert "line 9 is outside the cited lines" in moved.unsupported[0]
    assert "only unpaid orders can be cancelled" in moved.unsupported[1]
    code = _code()
    span = Span(path="shop/order/OrderServiceImpl.java", start_line=12, end_line=12)
    # the enclosing method, its doc comment (oms_order.status) and a field's type count as held
    assert claim_problems("`OrderServiceImpl.cancelOrder` writes `oms_order.status`", [span], code) == []
    assert claim_problems("`remark` sets the note", [span], code) == ["names not in the cited lines: remark"]
    assert claim_problems("sets status to `5`", [span], code) == ["names not in the cited lines: 5"]


def test_an_inherited_mapper_method_is_held_by_the_declaration_it_cites():
    """`updateById` is declared by MyBatis-Plus' BaseMapper, which the cited declaration extends; citing its
    annotation line cites the whole header."""
    from core.models import Span
    from core.train.support import CodeSpans, claim_problems

    lines = ["@Mapper", "public interface OrdPaymentMapper extends BaseMapper<OrdPayment> {", "}"]
    code = CodeSpans.from_rows({"m/OrdPaymentMapper.java": lines}.get,
                               [("m/OrdPaymentMapper.java", 1, 3, "OrdPaymentMapper", "interface", None, None)])
    claim = "`OrdPaymentMapper.updateById` runs an UPDATE on ord_payment"
    assert claim_problems(claim, [Span(path="m/OrdPaymentMapper.java", start_line=1, end_line=1)], code) == []
    assert claim_problems(claim, [Span(path="m/OrdPaymentMapper.java", start_line=3, end_line=3)], code) == [
        "names not in the cited lines: updateById, ord_payment"]
