"""'Is M atomic': which writes a failure after the first one rolls back (core.generate.atomicity), on examples/shop
and on a copy edited into the shapes it lacks (no @Transactional, a checked exception)."""

from __future__ import annotations

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.atomicity import _together, atomicity_items
from core.generate.backends.template import TemplateBackend
from core.generate.plan import Planner
from storage import Database
from tests.conftest import EXAMPLE_REPO, edited_shop

ADMIN = "shop-admin/src/main/java/io/acdp/shop/admin/service/"
PORTAL = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"


def _items(db, repo) -> dict:
    ctx = Context(db=db, repo=repo, domains=["order", "stock"], backend="template", lang="en")
    planner = Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])
    return {i.facts["method"]: (i, TemplateBackend.draft(i).answer) for i in atomicity_items(planner)}


@pytest.fixture
def items(shop_db) -> dict:
    return _items(shop_db, EXAMPLE_REPO)


def test_interface_transaction_and_a_failure_helper(items):
    """@Transactional on the interface method counts; Asserts.fail is resolved to ApiException extends
    RuntimeException, so the write before it is rolled back."""
    item, answer = items["InvSkuStockServiceImpl.adjustStock"]
    assert "@Transactional on the interface method `InvSkuStockService.adjustStock`" in answer
    assert "`Asserts.fail` throws `ApiException`, which extends `RuntimeException`; write [1], which ran before it, " \
           "is rolled back" in answer
    assert {e.path.rsplit("/", 1)[-1] for e in item.evidence} >= {"InvSkuStockService.java", "ApiException.java"}


def test_work_deferred_to_after_the_commit_is_not_asked(items):
    """generateOrder registers its cancel message for afterCommit: code order is not the order of its effects."""
    assert "OrdPortalOrderServiceImpl.generateOrder" not in items


def test_no_transaction_a_checked_exception_and_self_invocation(items, tmp_path):
    """Without @Transactional each write commits on its own; a checked exception does not roll back; a method
    its own class calls on `this` (past the proxy) is asked only where that caller is transactional too, and the
    answer says so."""
    assert "also calls it on `this`" not in items["OrdPortalOrderServiceImpl.paySuccess"][1]
    pay = "    public Integer paySuccess(Long orderId, Integer payType, BigDecimal payAmount) {"
    repo, db_file = edited_shop(tmp_path, [
        (ADMIN + "OrdOrderService.java", "    @Transactional\n    int close(", "    int close("),
        (ADMIN + "impl/InvSkuStockServiceImpl.java", 'Asserts.fail("库存已变化，请刷新后重试");',
         'throw new Exception("库存已变化，请刷新后重试");'),
        (PORTAL, pay, "    @Transactional\n    public Integer payAgain(Long orderId) {\n"
                      "        return paySuccess(orderId, 1, null);\n    }\n\n" + pay)])
    found = _items(Database(db_file, wait=0.5), repo)
    close = found["OrdOrderServiceImpl.close"][1]
    assert "runs without a transaction" in close and "each write commits on its own" in close
    adjust = found["InvSkuStockServiceImpl.adjustStock"][1]
    assert "it throws `Exception`; this is no rollback exception: write [1] stays committed" in adjust
    pay_answer = found["OrdPortalOrderServiceImpl.paySuccess"][1]
    assert "`OrdPortalOrderServiceImpl.payAgain` also calls it on `this`" in pay_answer
    assert "`OrdPortalOrderServiceImpl.payAgain`'s transaction covers the call" in pay_answer


def test_writes_on_two_sides_of_one_if_never_run_together():
    """An insert in the `if` and an update in its `else`: one call runs one of them, there is no 'halfway'."""
    def write(kind: str) -> dict:
        return {"hops": [{"path": "S.java", "controls": [{"kind": kind, "line": 10}]}]}
    assert not _together([write("if"), write("else")])
    assert _together([write("if"), write("if")])


def test_an_early_return_in_a_callee_stops_the_question(items, tmp_path):
    """A callee's one-line `if (x == null) return;` makes its later write conditional on a check the answer does
    not list, and is an early return after the first write: the method is not asked (mall updateCouponStatus)."""
    assert "OrdPortalOrderServiceImpl.paySuccess" in items
    update = "        int updateCount = orderMapper.updateByExampleSelective(update, example);\n"
    helper = "    private String generateOrderSn(OrdOrder order) {"
    repo, db_file = edited_shop(tmp_path, [
        (PORTAL, update, update + "        touch(order);\n"),
        (PORTAL, helper, "    private void touch(OrdOrder order) {\n        if (order.getNote() == null) return;\n"
                         "        orderMapper.updateByPrimaryKeySelective(order);\n    }\n\n" + helper)])
    assert "OrdPortalOrderServiceImpl.paySuccess" not in _items(Database(db_file, wait=0.5), repo)


def test_a_failure_helper_called_with_a_message_is_its_string_overload():
    """`Asserts.fail("..")` runs `fail(String)`; the call graph may pick `fail(IErrorCode)`, and the answer cited that
    one (blind read 21J: mall S9)."""
    from core.generate.atomicity import _overload_for
    helpers = {"a.Asserts#fail(String)": {}, "a.Asserts#fail(IErrorCode)": {}}
    assert _overload_for("a.Asserts#fail(IErrorCode)", 'Asserts.fail("订单不存在");', helpers) == "a.Asserts#fail(String)"
    assert _overload_for("a.Asserts#fail(IErrorCode)", "Asserts.fail(ResultCode.FORBIDDEN);", helpers) == \
        "a.Asserts#fail(IErrorCode)"
