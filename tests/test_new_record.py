"""QA new_record: the fixed values a method gives a record it creates (core.generate.new_record), on examples/shop.

Checked by hand against OrdPortalOrderServiceImpl.generateOrder: `new OrdOrder()`, then 30-odd setters, then
`orderMapper.insert(order)`; `calcPayAmount(order)` and `generateOrderSn(order)` only read the order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.context import Context
from core.generate import stage as gen_stage
from core.generate.backends.template import TemplateBackend
from core.generate.new_record import new_record_items, without_told
from core.generate.plan import Planner
from storage import Database
from tests.conftest import EXAMPLE_REPO, edited_shop

PORTAL = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"


def _planner(db, repo) -> Planner:
    ctx = Context(db=db, repo=repo, domains=["order", "stock"], backend="template", lang="en")
    return Planner("shop", repo, gen_stage.load(ctx, "shop"), ["order", "stock"], ["en"])


@pytest.fixture
def planner(shop_db) -> Planner:
    return _planner(shop_db, EXAMPLE_REPO)


def _order(p: Planner):
    return next((i for i in new_record_items(p) if i.facts["method"] == "OrdPortalOrderServiceImpl.generateOrder"), None)


def test_every_fixed_setter_before_the_insert_with_its_branch_and_label(planner):
    item = _order(planner)
    fields = {f["field"]: f["setters"] for f in item.facts["fields"]}
    assert [s["code"] for s in fields["status"]] == ["0"]
    # `setCouponAmount(0)` then, only with a coupon, `setCouponAmount(calcCouponAmount(..))`: both, each with its branch
    assert [(s["code"], [c["kind"] for c in s["controls"]]) for s in fields["couponAmount"]] == [
        ("new BigDecimal(0)", []), ("calcCouponAmount(orderItemList)", ["if"])]
    assert "freightAmount" not in fields and "freightAmount" in item.facts["computed"]   # a computed value
    answer = TemplateBackend.draft(item).answer
    assert '- `status`: `0` ("待付款")' in answer and "`new Date()` (the current time)" in answer
    assert "inside `if (orderParam.getCouponId() != null)`" in answer


def test_a_record_whose_writes_answer_already_shows_its_values_is_not_asked_again(planner):
    flows = planner.flow_items(planner.data["flows"])
    assert _order(planner) is not None and without_told([_order(planner)], flows) == []


def test_a_setter_overridden_unconditionally_is_said_and_a_record_handed_to_a_mutator_is_not_asked(tmp_path: Path):
    """`setIntegration(0)` in a branch, then always `setIntegration(calcGifIntegration(..))`: both are listed and
    the second is said to replace the first (blind read 22N: mall S2 had dropped the 0)."""
    repo, db_path = edited_shop(tmp_path, [
        (PORTAL, "        orderMapper.insert(order);", "        order.setStatus(order.getStatus() + 1);\n"
                                                      "        orderMapper.insert(order);")])
    item = _order(_planner(Database(db_path), repo))
    status = next(f["setters"] for f in item.facts["fields"] if f["field"] == "status")
    assert [(s["code"], s["overrides"]) for s in status] == [("0", False), ("order.getStatus() + 1", True)]
    assert "`order.getStatus() + 1` (not a fixed value)" in TemplateBackend.draft(item).answer
    assert "always, replacing the value set above" in TemplateBackend.draft(item).answer   # said, not dropped
    repo, db_path = edited_shop(tmp_path / "b", [
        (PORTAL, "        orderMapper.insert(order);", "        fill(order);\n        orderMapper.insert(order);"),
        (PORTAL, "    private BigDecimal calcPayAmount(", "    private void fill(OrdOrder o) {\n        o.setNote(\"x\");\n"
                                                        "    }\n\n    private BigDecimal calcPayAmount(")])
    assert _order(_planner(Database(db_path), repo)) is None   # `fill` sets a field: the setters seen are not all
