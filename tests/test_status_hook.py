"""The design "do something every time X enters status V" on examples/shop: every place that moves the field to the
value is listed and cited, a statement that sets the column in SQL is called out at its Java call, the hook goes in
the class that holds the places, and no design is derived where the facts cannot place one hook."""

from __future__ import annotations

from core.models import Sample
from storage import Database, samples_store


def hooks(db: Database) -> list[Sample]:
    with db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="design", language="en")
    return [s for s in (Sample.model_validate(r["payload"]) for r in rows) if s.source.question_kind == "on_status"]


def _one(samples: list[Sample], needle: str) -> Sample:
    found = [s for s in samples if needle in s.question]
    assert len(found) == 1, [s.question for s in samples]
    return found[0]


def _changes(s: Sample) -> str:
    return "\n".join(f"{c.component} {c.change}" for c in s.design.changes)


def _cited(s: Sample, path_end: str, line: int) -> bool:
    return any(e.path.endswith(path_end) and e.start_line <= line <= e.end_line for e in s.evidence)


def test_a_statement_that_sets_the_status_in_sql_is_hooked_at_its_java_call(shop_db):
    """OrdOrderDao.delivery sets status = 2 in a CASE over a <foreach>: the hook goes after its call in
    OrdOrderServiceImpl.delivery, for the orders it moves: the statement returns only a count and a re-read cannot
    tell a moved order from one already shipped, so their ids are read, locked, before it (blind reads 21J S26, 21K
    S11), and the SQL is said to be invisible to Java."""
    s = _one(hooks(shop_db), "OrdOrder enters status 2")
    text = _changes(s)
    assert "OrdOrderServiceImpl add a private method `onOrderStatus2(Long id)`" in text
    assert "OrdOrderServiceImpl.delivery after `orderDao.delivery(deliveryParamList)` (line 72), call `onOrderStatus2` " \
           "once for each OrdOrder that `deliveryParamList` names that the write moves: it returns only a count, so " \
           "right before it read those still in 1 with a locking read" in text
    assert "`OrdOrderDao.delivery` sets the column in SQL" in text
    assert _cited(s, "OrdOrderServiceImpl.java", 72) and _cited(s, "OrdOrderDao.xml", 71)
    assert "1 of them sets the column in SQL" in s.design.understanding


def test_every_writer_of_the_value_is_a_place_and_an_unchecked_one_is_a_risk(shop_db):
    """refundStatus 30 is written by reject (only from 10) and by rejectExpired, which tests nothing first."""
    s = _one(hooks(shop_db), "OrdRefund enters refundStatus 30")
    assert "2 places in the code move OrdRefund.refundStatus to 30" in s.design.understanding
    text = _changes(s)
    assert "OrdRefundService.rejectExpired after `refundRepository.save(refund)` (line 72)" in text
    assert "OrdRefundService.reject after `refundRepository.save(refund)` (line 91)" in text
    risks = "\n".join(s.design.risks)
    assert "`OrdRefundService.rejectExpired` does not read the current refundStatus before writing 30" in risks
    assert "`OrdRefundService.reject` does not read" not in risks
    assert _cited(s, "OrdRefundService.java", 71) and _cited(s, "OrdRefundService.java", 91)


def test_places_in_several_classes_of_a_module_call_one_hook_through_its_bean(shop_db):
    """4 is written in shop-admin (close) and in shop-portal by OrdPortalOrderServiceImpl (cancelOrder, and
    cancelTimeOutOrder through PortalOrderDao.closeOrders) and OrdPayCallbackService.settle: one hook per module, the
    portal's in the class holding most places, declared on its interface and injected where it is not held yet; the
    portal's active RabbitMQ sender is cited for an action that should not hold up the caller."""
    s = _one(hooks(shop_db), "OrdOrder enters status 4 ")
    text = _changes(s)
    assert "OrdOrderServiceImpl add a private method `onOrderStatus4(Long id)`" in text
    assert "OrdPortalOrderServiceImpl add a public method `onOrderStatus4(Long id)`" in text
    assert "OrdPortalOrderService declare `onOrderStatus4(Long id)`" in text
    assert "OrdPayCallbackService inject `OrdPortalOrderService` as a field `ordPortalOrderService`" in text
    assert "OrdPayCallbackService.settle after `orderMapper.updateByPrimaryKeySelective(order)` (line 68), call " \
           "`ordPortalOrderService.onOrderStatus4` with `order.getId()`, only when `paid` did not hold" in text
    assert "`PortalOrderDao.closeOrders` sets the column in SQL" in text
    assert "the way `CancelOrderSender.sendMessage` sends one with `amqpTemplate.convertAndSend`" in text
    assert _cited(s, "CancelOrderSender.java", 29) and _cited(s, "PortalOrderDao.xml", 59)
    # each place says the branch its setter sits in, so that none reads as unconditional (blind read 21G: litemall S27)
    assert "`OrdPayCallbackService.settle` (line 68), only from 0, only when `paid` does not hold;" in s.design.understanding
    into_1 = _one(hooks(shop_db), "OrdOrder enters status 1 ").design.understanding
    assert "`OrdPayCallbackService.settle` (line 68), only from 0, only when `paid`;" in into_1


def test_no_hook_for_a_value_only_set_on_creation(shop_db):
    """0 is only set on the order being created: the creation is the hook, there is nothing to design."""
    assert not [s for s in hooks(shop_db) if "OrdOrder enters status 0" in s.question]


def test_a_record_built_in_the_method_under_a_test_of_the_request_is_unchecked():
    """`if (status.equals(1)) { r = new R(); r.setId(id); r.setStatus(1); } .. update(r)` tests only the requested code
    (a parameter): the stored status is never read, so a record already in 1 is written again and the hook would fire
    again; a loaded record tested through a helper (`if (!canPay(order))`) is not said to be unchecked."""
    from core.generate.status_hook import _refused_tests, _untested
    lines = ["public int decide(Long id, Req req) {",
             "    Integer status = req.getStatus();",
             "    R r = new R();",
             "    if (status.equals(1)) {",
             "        r.setId(id);",
             "        r.setStatus(1);",
             "    }",
             "    return mapper.update(r);",
             "}"]
    m = {"start_line": 1, "signature": "public int decide(Long id, Req req)"}
    assert _untested(lines, m, 8, "status", built=True)
    assert not _untested(lines, m, 8, "status", built=False)        # a loaded record: its `if` may test it
    read = lines[:3] + ["    if (mapper.load(id).getStatus() != 0) {", "        return 0;", "    }"] + lines[3:]
    assert not _untested(read, m, 11, "status", built=True)
    # the test plan promises a refusal only where the change implements one
    place = {"op": "S.decide", "row_check": None, "from_codes": [], "sql": None, "criteria": False}
    assert _refused_tests([place], "status", "en") == []
    assert "its row-count check" in _refused_tests([{**place, "row_check": 9}], "status", "en")[0]
    assert _refused_tests([{**place, "from_codes": ["0"], "criteria": True}], "status", "en") == []
    assert "is not 0" in _refused_tests([{**place, "from_codes": ["0"]}], "status", "en")[0]
    # a method that creates the record first may be moving the one it just created: not said to be unchecked
    created = lines[:3] + ["    mapper.insert(first);"] + lines[3:]
    assert not _untested(created, m, 9, "status", built=True)


def test_exactly_once_only_where_the_write_itself_decides(shop_db):
    """A Java check of the current status before a write that does not test it is a check-then-act race: two
    requests both pass and the hook runs twice (blind read 20A: mall S17 said "exactly when the state is entered"
    of `confirmReceiveOrder`). A write that tests it but whose row count nobody checks runs the hook even when it
    changed nothing. Only a tested write with its row count checked is exactly once."""
    from core.generate.status_hook import _racy, _unconfirmed
    java_check = {"from_codes": ["2"], "sql": None, "criteria": False, "row_check": None, "untested": False,
                  "by_key": True, "created": False}
    assert _racy(java_check) and not _unconfirmed(java_check)
    assert _racy({**java_check, "from_codes": []})          # a check of another field races the same way
    assert not _racy({**java_check, "from_codes": [], "untested": True})   # no check at all: its own risk
    # a write through a method that may guard itself (an optimistic lock on update_time), or on a record the method
    # created, is not said to race (blind read 20B: litemall's updateWithOptimisticLocker)
    assert not _racy({**java_check, "by_key": False}) and not _racy({**java_check, "created": True})
    criteria = {**java_check, "criteria": True, "by_key": False}      # the write is by Example criteria
    assert _unconfirmed(criteria) and not _racy(criteria)
    assert not _racy({**criteria, "row_check": 9}) and not _unconfirmed({**criteria, "row_check": 9})
    # criteria on the select before a write by key are not the write's: a race (blind read 20E: mall S4)
    assert _racy({**java_check, "criteria": True}) and not _unconfirmed({**java_check, "criteria": True})
    confirmed = _one(hooks(shop_db), "OrdOrder enters status 3")
    assert "exactly when" not in confirmed.design.understanding
    assert any(r.startswith("`OrdPortalOrderServiceImpl.confirmReceiveOrder` checks that status is 2 in Java, then "
                            "writes 3 with an update that does not test status") for r in confirmed.design.risks)
    for s in hooks(shop_db):
        exact = "exactly when the state is entered" in s.design.understanding
        raced = any("two requests at the same time" in r or "the hook still runs" in r or "is written again" in r
                    for r in s.design.risks)
        assert not (exact and raced), s.question


def test_a_row_count_check_that_only_logs_does_not_stop_the_hook():
    """litemall `OrderJob`: `if (updateWithOptimisticLocker(order) == 0) log.info(..) else log.info(..)` lets the code
    after it run, so it is no row-count check a hook can sit behind (blind read 20E: litemall S16)."""
    from types import SimpleNamespace

    from core.generate.status_hook import _row_checks

    def impact(rc):
        return SimpleNamespace(code=SimpleNamespace(row_check=lambda call: rc))
    logs = {"line": 54, "test": "if (x == 0) {", "then": 'logger.info("订单 ID=" + id + " 数据已经更新，放弃自动确认收货");',
            "fails": False}
    assert _row_checks(impact(logs), "OrderJob.java", 53)["row_check"] is None
    assert _row_checks(impact({**logs, "then": "continue;"}), "OrderJob.java", 53)["row_check"] == 54
    thrown = {**logs, "then": 'throw new RuntimeException("x");', "fails": True}
    assert _row_checks(impact(thrown), "J.java", 53)["row_check"] == 54
    assert _row_checks(impact(None), "OrderJob.java", 53)["row_check"] is None


def test_a_throw_after_the_write_that_a_risk_quotes_is_cited(shop_db):
    """'`X` is transactional and can still throw after its write (line N: ..)': line N is in the evidence, with the
    @Transactional it rests on (blind read 20E: litemall S6/S13 quoted lines the evidence did not show)."""
    import re
    seen = 0
    for s in hooks(shop_db):
        for risk in s.design.risks:
            m = re.match(r"`(\w+)\.(\w+)` is transactional and can still throw after its write \(line (\d+):", risk)
            if m:
                seen += 1
                assert any(e.path.endswith(f"/{m[1]}.java") and e.start_line <= int(m[3]) <= e.end_line
                           for e in s.evidence), (s.question, risk)
                assert any("@Transactional" in e.text for e in s.evidence), s.question
    assert seen, "examples/shop has a hook design whose operation can throw after its write"


def test_a_hook_whose_write_a_later_throw_rolls_back_waits_for_the_commit(shop_db):
    """paySuccess sets status 1, then its stock loop can still fail in the same transaction: a hook called right
    after the write would run for a payment that is rolled back (blind read 22M: mall S11). Its call is registered
    to run after the commit, the throw is a risk and a test, and the row-count check is shown to its throw."""
    s = _one(hooks(shop_db), 'enters status 1 "')
    change = next(c.change for c in s.design.changes if c.component.endswith("paySuccess"))
    assert "from an `afterCommit`" in change and "the throw at line" in change
    assert any("registerSynchronization" in f and "runs once the transaction commits" in f for f in s.design.flow)
    assert any("rolled back and the action does not run" in t for t in s.design.test_plan)
    check = next(e for e in s.evidence if "updateCount == 0" in e.text)
    assert 'Asserts.fail("订单已支付或已关闭")' in check.text   # the check's own throw is shown with it


def test_a_predicate_the_check_calls_and_a_notification_already_made_are_shown(tmp_path):
    """`reject` moves a refund to 30 only from 10 through `OrdRefundConstant.isApplied`: its body is cited (blind read
    21H: litemall S23). A notification the method already sends after the write, in the same branch, is named as
    the place an action of that kind can join (litemall S15/S20); one sent on every path is not."""
    from tests.conftest import edited_shop
    refunds = "shop-portal/src/main/java/io/acdp/shop/portal/service/OrdRefundService.java"
    edits = [(refunds, "        refundRepository.save(refund);\n    }\n}",
              "        refundRepository.save(refund);\n        refundNotifier.notifyRejected(refund.getId());\n    }\n}")]
    db = Database(edited_shop(tmp_path, edits)[1], wait=0.5)
    s = _one(hooks(db), "OrdRefund enters refundStatus 30 ")
    assert any(e.path.endswith("OrdRefundConstant.java") and "isApplied" in e.text for e in s.evidence)
    assert "`OrdRefundService.reject` already calls `refundNotifier.notifyRejected` (line " in s.design.understanding
    assert "`OrdRefundService.rejectExpired` already calls" not in s.design.understanding



def test_a_row_count_check_that_only_logs_is_where_the_hook_goes_not_a_stop():
    """A 0-row branch that only logs and goes on is no stop (the hook after it would run on 0 rows too), but it is
    where the hook goes: its changed-row branch (blind read 21J: litemall S7 put it after the write)."""
    from types import SimpleNamespace

    from core.generate.status_hook import _row_checks
    def impact(then: str, fails: bool):
        check = {"line": 54, "test": "if (orderService.updateWithOptimisticLocker(order) == 0) {", "then": then,
                 "fails": fails}
        return SimpleNamespace(code=SimpleNamespace(row_check=lambda call: check))
    logs = impact('logger.info("放弃自动确认收货");', False)
    assert _row_checks(logs, "OrderJob.java", 54) == {"row_check": None, "logged_check": 54}
    throws = impact('throw new RuntimeException("更新数据已失效");', True)
    assert _row_checks(throws, "A.java", 54) == {"row_check": 54, "logged_check": None}


def test_a_batch_write_that_filters_on_more_than_its_ids_reads_the_ids_it_will_move():
    """mall's admin `close` updates `andIdIn(ids)` and `andDeleteStatusEqualTo(0)`: "every record it names is moved"
    would fire the hook for a deleted order it never touched (blind read 22P: mall S38). Such a write's other
    conditions are found, for the Java criteria and for a batch statement's WHERE."""
    from core.generate.status_hook import _sql_filters

    sql = """<update id="close">
        update oms_order set status = 4
        where delete_status = 0 and id in
        <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
    </update>"""
    assert _sql_filters(sql) == ["delete_status = 0"]
    assert _sql_filters(sql.replace("delete_status = 0 and ", "")) == []


def test_a_batch_setter_whose_criteria_filter_more_than_the_ids_says_so(tmp_path):
    from storage import Database
    from tests.conftest import edited_shop

    impl = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderServiceImpl.java"
    repo, db_path = edited_shop(tmp_path, [(impl, "andDeleteStatusEqualTo(0).andIdIn(ids).andStatusEqualTo(0);",
                                            "andDeleteStatusEqualTo(0).andIdIn(ids);")])
    s = _one(hooks(Database(db_path)), 'enters status 4 "')
    change = next(c.change for c in s.design.changes if c.component.endswith(".close"))
    # the write leaves delete_status as it is: the same criteria right after it give exactly the rows it wrote, and no
    # locking read is needed (blind read 23BB: mall S19 gave a reason for one that did not hold)
    assert "that its criteria also match (`andDeleteStatusEqualTo(0)`): the write does not change those columns" in change
    assert "every record it names is moved" not in change and "locking read" not in change


def test_a_batch_statement_that_sets_a_column_its_where_tests_is_not_stable():
    from core.generate.status_hook import _sets_filtered

    sql = """<update id="close">
        update oms_order set status = 4, delete_status = 1
        where delete_status = 0 and id in
        <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
    </update>"""
    assert _sets_filtered(sql, ["delete_status = 0"])
    assert not _sets_filtered(sql.replace(", delete_status = 1", ""), ["delete_status = 0"])


def test_a_batch_statement_that_writes_by_ids_alone_says_the_state_is_not_tested(tmp_path):
    """closeOrders without its `AND status = 0`: the ids were read before, so an order paid or closed in between is
    written again and the action runs for it; the design says so (targeted read 23CC: mall S2)."""
    from storage import Database
    from tests.conftest import edited_shop

    xml = "shop-portal/src/main/resources/dao/PortalOrderDao.xml"
    repo, db_path = edited_shop(tmp_path, [(xml, """        </foreach>
        AND status = 0
    </update>""", """        </foreach>
    </update>""")])
    s = _one(hooks(Database(db_path)), 'enters status 4 "')
    assert any("writes 4 to the ids it is given without testing status in its WHERE" in r for r in s.design.risks)


def test_every_transactional_place_waits_for_the_commit_not_only_one_with_a_later_throw(shop_db):
    """`close` is @Transactional and inserts history after its write: a later failure there, or in its caller, rolls
    the status back too, so its hook call also waits for the commit (targeted read 23DD: mall status 4 deferred only
    the path with an explicit throw)."""
    s = _one(hooks(shop_db), 'enters status 4 "')
    close = next(c.change for c in s.design.changes if c.component.endswith("OrdOrderServiceImpl.close"))
    assert "from an `afterCommit`" in close
    assert len(s.answer) <= 8000            # the validator's bound: the reason is said once, not per place
    assert any("a failure later in its transaction (or in the one that called it)" in f for f in s.design.flow)
    assert any("REQUIRES_NEW" in r for r in s.design.risks)
    tx = [e for e in s.evidence if "@Transactional" in e.text]
    assert tx and any(tx[0].id in t.evidence_ids for t in s.trace)
