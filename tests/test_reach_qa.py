"""QA reached_from: which endpoints, jobs and listeners end up running a shared method (core.generate.reach_facts),
on examples/shop; every chain was checked by hand against the controllers, the listener and the job."""

from __future__ import annotations

from core.models import Sample
from storage import Database, samples_store
from tests.conftest import edited_shop

TASK = "shop-portal/src/main/java/io/acdp/shop/portal/component/RefundExpireTask.java"


def _reach(db: Database) -> dict[str, Sample]:
    with db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="qa", language="en")
    found = [Sample.model_validate(r["payload"]) for r in rows]
    return {s.question.split("`")[1]: s for s in found if s.source.question_kind == "reached_from"}


def test_every_entry_point_is_followed_down_to_the_method_with_the_loops_on_the_way(shop_db):
    """`releaseLockedStock` runs on the two cancellations (the delayed-message listener and the user's endpoint) and
    on the timeout job and its endpoint, inside the loop over timed-out orders: four entry points, each chain cited."""
    s = _reach(shop_db)["OrdPortalOrderServiceImpl.releaseLockedStock"]
    assert s.answer.startswith("4 entry points end up running `OrdPortalOrderServiceImpl.releaseLockedStock`")
    assert "the message listener `CancelOrderReceiver.handle`: `CancelOrderReceiver.handle` calls `cancelOrder`" in s.answer
    assert "the endpoint POST /order/cancelUserOrder (`OrdPortalOrderController.cancelUserOrder`)" in s.answer
    assert "the scheduled job `OrderTimeoutCancelTask.cancelTimeOutOrder`" in s.answer
    assert "calls `releaseLockedStock` (OrdPortalOrderServiceImpl.java:" in s.answer
    assert "once per iteration of `for (OrdOrderDetail timeOutOrder : timeOutOrders)`" in s.answer
    for step in s.trace:   # every call on the way is in the evidence
        assert step.evidence_ids
    # a method one other method calls is its helper: not asked (newHistory's callers are three service methods)
    assert "OrdOrderServiceImpl.newHistory" in _reach(shop_db)
    assert not any(k.endswith(".getUseCoupon") for k in _reach(shop_db))


def test_a_caller_in_an_inactive_component_leaves_the_answer_incomplete_so_it_is_not_asked(tmp_path):
    """RefundExpireTask's `@Component` is commented out: a method it calls has a caller that never runs, and no
    answer can say whether it counts, so the question is not asked."""
    edits = [(TASK, "import io.acdp.shop.portal.service.OrdRefundService;",
              "import io.acdp.shop.portal.service.OrdRefundService;\nimport io.acdp.shop.portal.service.OrdPortalOrderService;"),
             (TASK, "    private OrdRefundService refundService;",
              "    private OrdRefundService refundService;\n"
              "    @Autowired\n    private OrdPortalOrderService portalOrderService;"),
             (TASK, "        refundService.rejectExpired(List.of());",
              "        refundService.rejectExpired(List.of());\n        portalOrderService.cancelOrder(1L);")]
    db = Database(edited_shop(tmp_path, edits)[1], wait=0.5)
    assert "OrdPortalOrderServiceImpl.cancelOrder" not in _reach(db)


def test_an_endpoint_other_handlers_call_is_followed_up_to_them_too():
    """`WxCartController.add` returns `goodscount(userId)`: an endpoint reached from another endpoint counts both
    ways (blind read 21J: litemall S29 stopped at `goodscount` and said 2 entry points where there were 5)."""
    from types import SimpleNamespace

    from core.generate.reach_facts import _paths
    entries = {"C#index()": {}, "C#add()": {}, "C#goodscount()": {}}
    callers = {"S#queryByUid()": {("C#index()", 61), ("C#goodscount()", 387)},
               "C#goodscount()": {("C#add()", 172)}}
    paths = _paths(SimpleNamespace(inactive={}), entries, callers, "S#queryByUid()")
    assert sorted(p[0][0] for p in paths) == ["C#add()", "C#goodscount()", "C#index()"]
    assert [("C#add()", 172), ("C#goodscount()", 387)] in paths
