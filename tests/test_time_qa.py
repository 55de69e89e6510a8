"""QA who_sets_time: which code sets an entity's time field (core.generate.time_facts), on examples/shop.

Checked by grep: `paymentTime` is set only by `update.setPaymentTime(new Date())` in OrdPortalOrderServiceImpl.paySuccess;
`delivery_time` only by `delivery_time = NOW()` in OrdOrderDao.xml's `delivery`, which OrdOrderServiceImpl.delivery calls.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.plan import Planner
from core.generate.time_facts import time_items
from storage import Database
from tests.conftest import EXAMPLE_REPO, edited_shop

CONTROLLER = "shop-admin/src/main/java/io/acdp/shop/admin/controller/OrdOrderController.java"


def _items(db, repo) -> dict:
    ctx = Context(db=db, repo=repo, domains=["order", "stock"], backend="template", lang="en")
    data = gen_stage.load(ctx, "shop")
    planner = Planner("shop", repo, data, ["order", "stock"], ["en"])
    return {f"{i.facts['entity']}.{i.facts['field']}": i for i in time_items(planner, data["rules"])}


@pytest.fixture
def items(shop_db) -> dict:
    return _items(shop_db, EXAMPLE_REPO)


def test_every_java_setter_and_every_sql_clock_write_is_listed(items):
    paid = items["OrdOrder.paymentTime"].facts["setters"]
    assert [(s["who"], s["value"], s["sql"]) for s in paid] == [("OrdPortalOrderServiceImpl.paySuccess", "new Date()", False)]
    shipped = items["OrdOrder.deliveryTime"].facts["setters"]
    assert [(s["who"], s["sql"], [c["who"] for c in s["callers"]]) for s in shipped] == [
        ("OrdOrderDao.delivery", True, ["OrdOrderServiceImpl.delivery"])]
    answer = TemplateBackend.draft(items["OrdOrder.deliveryTime"]).answer
    assert "sets `delivery_time` to the database's current time (`now()`" in answer
    assert "OrdOrder.createTime" not in items   # a stamp one create sets is that create's own detail
    stamped = items["OrdOrder.modifyTime"].facts["setters"]   # several places stamp it: each one listed
    assert [(s["who"], s["sql"]) for s in stamped] == [
        ("OrdOrderServiceImpl.close", False), ("OrdOrderServiceImpl.updateReceiverInfo", False),
        ("OrdPortalOrderServiceImpl.cancelOrder", False), ("PortalOrderDao.closeOrders", True)]


def test_a_controller_taking_the_entity_leaves_its_time_fields_unasked(tmp_path: Path):
    """A request body of the entity type (here a list of it) can carry any field into a whole-record write: the
    setters are not all."""
    repo, db_path = edited_shop(tmp_path, [
        (CONTROLLER, "    @Autowired\n    private OrdOrderService orderService;\n",
         "    @Autowired\n    private OrdOrderService orderService;\n\n"
         "    @PostMapping(\"/raw\")\n    public CommonResult raw(@RequestBody List<OrdOrder> orders) {\n"
         "        return CommonResult.success(orders);\n    }\n")])
    assert "OrdOrder.paymentTime" not in _items(Database(db_path), repo)


def test_a_span_opening_on_a_comment_and_closing_on_a_brace_is_signed(tmp_path: Path):
    """`// check` + `if (..) {` .. `}`: neither end line is a statement, yet the span is inside a method (blind
    read 22L: mall S37 showed a check without the method it belongs to)."""
    from core.evidence import SourceCache
    from core.generate.spans import JavaOutline
    from core.models import Span

    (tmp_path / "A.java").write_text("class A {\n    void m(Long id) {\n        // check\n        if (id == null) {\n"
                                     "            fail();\n        }\n    }\n}\n", encoding="utf-8")
    outline = JavaOutline(SourceCache(tmp_path))
    assert outline.with_signatures([Span(path="A.java", start_line=3, end_line=6)]) == [
        Span(path="A.java", start_line=2, end_line=6)]
