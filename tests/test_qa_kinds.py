"""QA kinds composed from several facts, on examples/shop: the status lifecycle of a field ("which code sets
X.f to which value") is asked only when every writer of the field is known, lists each of them, and replaces
the bare "which values can it take" lookups of that field. Checked by hand against the shop's code."""

from __future__ import annotations

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.lifecycle_facts import without_lookups
from core.generate.plan import Planner
from storage import samples_store
from tests.conftest import EXAMPLE_REPO, edited_shop


@pytest.fixture
def planner(shop_db) -> Planner:
    ctx = Context(db=shop_db, repo=EXAMPLE_REPO, domains=["order", "stock"], backend="template", lang="en")
    return Planner("shop", EXAMPLE_REPO, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])


def _lifecycles(planner: Planner) -> list:
    return planner.lifecycle_items(planner.data["rules"])


def _one(items: list, entity: str, field: str, qkind: str = "who_sets"):
    found = [i for i in items if (i.facts["entity"], i.facts["field"]) == (entity, field)
             and i.source.question_kind == qkind]
    assert len(found) <= 1
    return found[0] if found else None


def test_every_writer_of_the_order_status_is_listed_with_its_value(planner):
    item = _one(_lifecycles(planner), "OrdOrder", "status")
    assert item is not None
    answer = TemplateBackend.draft(item).answer
    # Java setters (portal and admin services) and the two hand-written UPDATEs that set a literal status
    for who in ("OrdPortalOrderServiceImpl.generateOrder", "OrdPortalOrderServiceImpl.paySuccess",
                "OrdPortalOrderServiceImpl.confirmReceiveOrder", "OrdPortalOrderServiceImpl.cancelOrder",
                "OrdOrderServiceImpl.close", "OrdOrderDao.delivery", "PortalOrderDao.closeOrders"):
        assert f"`{who}`" in answer
    assert 'None of them sets 5 ("无效订单")' in answer      # no code ever marks an order invalid
    assert "only from 0" in answer and "only from 2" in answer


def test_each_value_names_the_requests_and_jobs_that_set_it(planner):
    """'Which endpoints, jobs or listeners move an order to 2 (已发货)': the delivery UPDATE, with the request that
    reaches it and the service method on the way. A value where some setter has no known entry point (the refund
    rejection of the job whose @Component is commented out) is asked without entries, never with a partial list."""
    items = [i for i in _lifecycles(planner) if i.source.question_kind == "who_sets_value"]
    shipped = next(i for i in items if (i.facts["entity"], i.facts["field"], i.facts["code"]) == ("OrdOrder", "status", "2"))
    (setter,) = shipped.facts["setters"]
    assert setter["who"] == "OrdOrderDao.delivery" and setter["from_codes"] == ["1"]
    assert "`POST /order/update/delivery` (`OrdOrderController.delivery`, via `OrdOrderServiceImpl.delivery`)" \
        in TemplateBackend.draft(shipped).answer
    assert all(len({"entries" in s for s in i.facts["setters"]}) == 1 for i in items)
    rejected = next(i for i in items if (i.facts["entity"], i.facts["code"]) == ("OrdRefund", "30"))
    assert not any("entries" in s for s in rejected.facts["setters"])
    assert "OrdRefundService.rejectExpired" in {s["who"] for s in rejected.facts["setters"]}


def test_a_writer_of_an_unknown_value_stops_the_question(planner):
    """`set status = #{status}` on its own decides the value at the call: the list of writers would be partial."""
    planner.statements.append({"stmt_id": "x.PortalOrderDao.updateStatus", "kind": "update", "tables": ["ord_order"],
                               "sql": "update ord_order set status = #{status} where id = #{id}",
                               "path": "x.xml", "start_line": 1, "end_line": 3, "method_id": None})
    assert _one(_lifecycles(planner), "OrdOrder", "status") is None
    assert _one(_lifecycles(planner), "OrdOrder", "deleteStatus") is not None


def test_an_entity_a_controller_takes_as_a_parameter_is_not_asked(planner):
    """The cart controller takes OrdCartItem from the request: the client may bring any deleteStatus."""
    assert _one(_lifecycles(planner), "OrdCartItem", "deleteStatus") is None


def test_the_bare_value_lookups_of_a_covered_field_are_dropped(planner, shop_db):
    lifecycles = _lifecycles(planner)
    items = planner.rule_items([r for r in planner.data["rules"] if r["kind"] != "side_effects"])
    kept = without_lookups(items, lifecycles)
    dropped = [i for i in items if i not in kept]
    assert dropped and all(i.source.question_kind == "which_values" for i in dropped)
    assert not [i for i in kept if i.source.question_kind == "which_values"
                and (i.facts.get("entity"), i.facts.get("field")) == ("OrdOrder", "status")]
    with shop_db.connect() as con:
        rows = samples_store.list_samples(con, "shop")
    assert {r["question_kind"] for r in rows if r["rule_kind"] == "lifecycle"} == {"who_sets", "who_sets_value"}


def test_statement_values_are_read_from_literals_cases_and_literal_arguments():
    """A CASE whose every THEN writes 2 writes 2; a scalar `#{status}` takes what each caller passes."""
    from core.generate.lifecycle_facts import _argument, _literal, _param_index

    set_part = " ship_no = CASE id WHEN #{i.id} THEN #{i.no} END, `status` = CASE id WHEN #{i.id} THEN 2 END "
    assert _literal("CASE id", "status", set_part) == "2"
    assert _literal("4", "status", "status = 4") == "4"
    assert _literal("#{status}", "status", "status = #{status}") is None
    mixed = " status = CASE id WHEN #{a} THEN 2 WHEN #{b} THEN 3 END "
    assert _literal("CASE id", "status", mixed) is None
    sig = 'int markOrders(@Param("ids") List<Long> ids, @Param("status") Integer status)'
    assert _param_index(sig, "status") == 1 and _param_index(sig, "note") is None
    lines = ["        orderDao.markOrders(", "                ids, 4);"]
    assert _argument(lines, 1, "markOrders", 1) == "4"
    assert _argument(["dao.markOrders(ids, next(status));"], 1, "markOrders", 1) == "next(status)"


def _entry_item(planner, message: str):
    from core.generate.entry_facts import entry_items

    return next((i for i in entry_items(planner, planner.data["rules"]) if i.facts["message"] == message), None)


def test_a_failure_message_names_every_request_that_reaches_its_check(planner):
    """"库存不足，扣减库存失败" comes from paySuccess's stock check; only POST /order/paySuccess reaches it."""
    item = _entry_item(planner, "库存不足，扣减库存失败")
    assert item is not None
    (site,) = item.facts["sites"]
    assert [e["name"] for e in site["entries"]] == ["POST /order/paySuccess"]
    answer = TemplateBackend.draft(item).answer
    assert "`count` is the number of rows `portalOrderDao.reduceSkuStock` changed" in answer


def test_a_check_behind_earlier_checks_of_its_caller_is_not_asked(planner):
    """lockStock's "库存锁定失败" is reached from generateOrder only after generateOrder's own checks (address,
    stock, coupon): an answer giving lockStock's condition alone would be false for requests those end. (This
    test used to pin that incomplete answer.)"""
    assert _entry_item(planner, "商品库存锁定失败，库存不足") is None


def test_a_call_on_the_way_runs_only_when_nothing_before_it_can_leave(planner):
    """The controller's generateOrder returns early when checkStock fails, so its call of the service is
    conditional; confirmReceiveOrder's controller calls the service straight away."""
    from core.generate.entry_facts import EntryChecks

    checks = EntryChecks(planner, planner.data["rules"])
    ctrl = "shop-portal/src/main/java/io/acdp/shop/portal/controller/OrdPortalOrderController.java"
    lines = planner.files.get(ctrl).lines
    at = {name: next(n for n, t in enumerate(lines, 1) if f"portalOrderService.{name}(" in t)
          for name in ("generateOrder", "confirmReceiveOrder")}
    assert not checks._unconditional({"path": ctrl, "line": at["generateOrder"],
                                      "callee_name": "portalOrderService.generateOrder"})
    assert checks._unconditional({"path": ctrl, "line": at["confirmReceiveOrder"],
                                  "callee_name": "portalOrderService.confirmReceiveOrder"})


def test_a_check_on_a_field_its_loader_already_filters_is_not_asked(planner, tmp_path):
    """"该订单还未发货！" tests order.getStatus() != 2; loaded by primary key it is asked, but loaded by a query whose
    criteria require status 2 the check can never fire, and "who can fail with it" has no true answer."""
    assert _entry_item(planner, "该订单还未发货！") is not None
    impl = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"
    edited = _shop_planner(tmp_path, [
        (impl, "OrdOrder order = orderMapper.selectByPrimaryKey(orderId);\n"
               "        if (order == null || !member.getId().equals(order.getMemberId())) {\n"
               "            Asserts.fail(\"不能确认他人订单！\");",
         "OrdOrder order = findShipped(orderId);\n"
         "        if (order == null || !member.getId().equals(order.getMemberId())) {\n"
         "            Asserts.fail(\"不能确认他人订单！\");"),
        (impl, "    public void deleteOrder(Long orderId) {",
         "    private OrdOrder findShipped(Long orderId) {\n"
         "        OrdOrderExample example = new OrdOrderExample();\n"
         "        example.createCriteria().andIdEqualTo(orderId).andStatusEqualTo(2);\n"
         "        List<OrdOrder> found = orderMapper.selectByExample(example);\n"
         "        return found.isEmpty() ? null : found.get(0);\n"
         "    }\n\n"
         "    @Override\n"
         "    public void deleteOrder(Long orderId) {"),
    ])
    assert _entry_item(edited, "该订单还未发货！") is None
    from core.generate.entry_facts import EntryChecks

    rule = next(r for r in edited.data["rules"] if r["facts"].get("message") == "该订单还未发货！")
    path = rule["evidence"][0]["path"]
    checks = EntryChecks(edited, edited.data["rules"])
    method_id = checks.life._method_id_at(path, rule["facts"]["line"])
    assert checks._loader_decides(rule["facts"], path, method_id)
    # "order == null" there would mean: no order with that id in status 2, which the answer then says
    null = checks._null_filter({"condition": "order == null", "line": rule["facts"]["line"]}, path, method_id)
    assert null["method"] == "findShipped" and "andStatusEqualTo(2)" in null["criteria"]
    assert _entry_item(edited, "不能删除他人订单！") is not None    # the rest of the file still asks


def test_an_entry_question_replaces_the_guards_where_question_on_its_message(planner):
    from core.generate.entry_facts import entry_items, without_overlaps

    entries = entry_items(planner, planner.data["rules"])
    items = planner.rule_items([r for r in planner.data["rules"] if r["kind"] != "side_effects"])
    asked = {i.facts["message"] for i in entries}
    assert asked
    kept = without_overlaps(items, entries)
    assert not [i for i in kept if i.source.question_kind == "where_implemented" and i.facts.get("message") in asked]
    assert len(kept) < len(items)


def _shop_planner(tmp_path, edits: list[tuple[str, str, str]]) -> Planner:
    """examples/shop copied and edited (path, old text, new text), run through the pipeline: its planner."""
    from storage import Database

    repo, db_path = edited_shop(tmp_path, edits)
    ctx = Context(db=Database(db_path, wait=0.5), repo=repo, domains=["order", "stock"], backend="template", lang="en")
    return Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])


def test_a_message_constant_used_in_more_places_than_the_checks_is_not_asked(planner):
    """The checks take their message from a constant that other code uses too: a third place may raise it."""
    from core.generate.entry_facts import EntryChecks

    checks = EntryChecks(planner, planner.data["rules"])
    planner._raised_elsewhere("x", 1)     # reads the Java text once
    guard = {"facts": {"message_expr": "OrdRefundConstant.STATUS_APPLIED"}}
    assert checks._raised_elsewhere("no such literal", [guard])


def test_a_coded_field_written_only_as_literals_says_which_values_never_occur(planner):
    """A type or source code no transition covers: every literal the code writes, and the documented values
    nothing writes."""
    coded = [i for i in _lifecycles(planner) if i.facts.get("kind_of_field") == "coded"]
    order_type = next(i for i in coded if (i.facts["entity"], i.facts["field"]) == ("OrdOrder", "orderType"))
    assert 'None of them sets 1 ("秒杀订单")' in TemplateBackend.draft(order_type).answer   # generateOrder writes 0
    for item in coded:
        assert item.source.question_kind == "who_sets" and item.question.startswith("Which values of")
        assert all(s["to"].lstrip("-").isdigit() for s in item.facts["setters"])


def test_dto_copies_of_a_covered_fields_codes_lose_their_lookup(planner):
    """A request class documenting the same codes as OrdOrder.status (a query parameter) is a copy: its "which values"
    lookup goes with the field's own once the lifecycle question is asked."""
    lifecycles = _lifecycles(planner)
    copies = {c for i in lifecycles for c in i.facts.get("copies") or []}
    assert any(c.endswith("OrdOrderQueryParam.status") for c in copies)
    items = planner.rule_items([r for r in planner.data["rules"] if r["kind"] != "side_effects"])
    kept = without_lookups(items, lifecycles)
    assert not [i for i in kept if i.source.rule_kind == "status_dict" and i.facts.get("dict_id") in copies]
    entity_names = {e["symbol_id"].rsplit(".", 1)[-1] for e in planner.data["entities"]}
    assert all(planner.dicts[c]["owner"] not in entity_names for c in copies)


def test_the_value_a_new_record_starts_with_is_not_asked_per_value(planner):
    """generateOrder builds the order, sets status 0 and inserts it: "who moves an order to 0" would teach only
    that orders are created; the whole-field question still lists it. paySuccess's move to 1 is asked."""
    items = _lifecycles(planner)
    per_value = {(i.facts["entity"], i.facts["field"], i.facts["code"]) for i in items
                 if i.source.question_kind == "who_sets_value"}
    assert ("OrdOrder", "status", "1") in per_value
    assert ("OrdOrder", "status", "0") not in per_value
    whole = _one(items, "OrdOrder", "status")
    assert any(s["to"] == "0" and "generateOrder" in s["who"] for s in whole.facts["setters"])


def test_an_entry_reached_through_a_branch_says_the_branch():
    """A job that pays only the orders it finds unpaid reaches the setter inside that `if`: the answer says so."""
    from core.generate.lifecycle_facts import _entry_name

    entry = {"kind": "endpoint", "name": "POST /pay/notify", "method": "PayController.notify",
             "calls": [{"caller": "PayController.notify", "callee": "OrderService.payBySn", "controls": []},
                       {"caller": "OrderService.payBySn", "callee": "OrderService.paySuccess",
                        "controls": [{"kind": "if", "code": "!orders.isEmpty()", "line": 9}]}]}
    assert _entry_name(entry, "en") == ("`POST /pay/notify` (`PayController.notify`, via `OrderService.payBySn`; "
                                        "`OrderService.payBySn` calls `OrderService.paySuccess` inside "
                                        "`if (!orders.isEmpty())`)")
