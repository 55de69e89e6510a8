"""index + map on examples/shop against its ground truth (EXPECTED.md)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from core.context import Context
from core.domain import stage as map_stage
from core.index import stage as index_stage
from storage import Database, domain_store, index_store

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"
PORTAL = "io.acdp.shop.portal"
_ROW = re.compile(r"^\|\s*(R\d+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|.*\|\s*(\S+)\s*\|\s*(\d+)-(\d+)\s*\|\s*$")


def expected_rules() -> list[tuple[str, str, str, int, int]]:
    rows = []
    for line in (SHOP / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows.append((match[1], match[2], match[4], int(match[5]), int(match[6])))
    return rows


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(tmp_path_factory.mktemp("shop") / "shop.duckdb", wait=0.5)
    ctx = Context(db=db, repo=SHOP, domains=["order", "stock"])
    index_stage.run(ctx, argparse.Namespace(full=False))
    map_stage.run(ctx, argparse.Namespace(domain_config=None))
    return db


def test_expected_has_rules():
    assert len(expected_rules()) >= 50


@pytest.mark.parametrize("rule", expected_rules(), ids=lambda r: r[0])
def test_every_rule_span_is_in_a_chunk_and_its_code_in_the_map(shop: Database, rule):
    rule_id, kind, path, start, end = rule
    with shop.connect() as con:
        chunks = index_store.chunks_containing(con, "shop", path, start, end)
        assert chunks, f"{rule_id}: no chunk holds {path}:{start}-{end}"
        if kind == "status_dict":
            dicts = domain_store.status_dicts(con, "shop")
            assert any(d["path"] == path and d["start_line"] <= start and end <= d["end_line"] for d in dicts)
            return
        if path.endswith(".xml"):
            stmt = next(c["symbol_id"] for c in chunks if c["kind"] == "sql")
            flows = domain_store.flows(con, "shop")
            assert index_store.get_sql_statement(con, "shop", stmt)["method_id"]
            assert any(s["stmt_id"] == stmt for f in flows for s in f["steps"]), f"{rule_id}: {stmt} in no flow"
            return
        holder = next(c for c in chunks if c["kind"] in ("method", "class"))
        symbol = index_store.get_symbol(con, "shop", holder["symbol_id"])
        owner = symbol["parent_id"] if symbol["kind"] in ("method", "constructor") else symbol["symbol_id"]
        classes = {c["symbol_id"]: c for c in domain_store.classes(con, "shop")}
        assert owner in classes, f"{rule_id}: {owner} not in the map"
        if symbol["kind"] == "method" and classes[owner]["layer"] in ("service", "service_impl", "controller",
                                                                      "component"):
            in_map = {o["symbol_id"] for o in domain_store.operations(con, "shop")}
            in_map |= {s["symbol_id"] for f in domain_store.flows(con, "shop") for s in f["steps"]}
            assert symbol["symbol_id"] in in_map, f"{rule_id}: {symbol['symbol_id']} is neither operation nor flow step"


def test_interface_calls_resolve_to_the_implementation(shop: Database):
    with shop.connect() as con:
        calls = index_store.callees(con, "shop", f"{PORTAL}.controller.OrdPortalOrderController#generateOrder(OrdOrderParam)")
        generate = next(c for c in calls if c["callee_name"].endswith(".generateOrder"))
    assert generate["callee_id"] == f"{PORTAL}.service.OrdPortalOrderService#generateOrder(OrdOrderParam)"
    assert generate["impl_id"] == f"{PORTAL}.service.impl.OrdPortalOrderServiceImpl#generateOrder(OrdOrderParam)"


def test_mapper_xml_is_linked_to_dao_methods(shop: Database):
    with shop.connect() as con:
        stats = index_store.index_stats(con, "shop")
        lock = index_store.get_sql_statement(con, "shop", f"{PORTAL}.dao.PortalOrderDao.lockStockBySkuId")
    assert stats["sql_linked_pct"] == 100.0
    assert lock["method_id"].startswith(f"{PORTAL}.dao.PortalOrderDao#lockStockBySkuId(")
    assert lock["kind"] == "update" and "inv_sku_stock" in lock["tables"]


def test_generate_order_flow_reaches_the_stock_lock_sql(shop: Database):
    with shop.connect() as con:
        flow = domain_store.get_flow(
            con, "shop", f"endpoint:{PORTAL}.controller.OrdPortalOrderController#generateOrder(OrdOrderParam)")
    ids = [s["symbol_id"] for s in flow["steps"]]
    lock = ids.index(f"{PORTAL}.dao.PortalOrderDao.lockStockBySkuId")
    assert flow["steps"][lock]["kind"] == "sql"
    assert ids[lock - 1].startswith(f"{PORTAL}.dao.PortalOrderDao#lockStockBySkuId(")
    assert set(flow["domains"]) == {"order", "stock"}


def test_scheduled_and_message_entries(shop: Database):
    with shop.connect() as con:
        flows = {f["name"]: f for f in domain_store.flows(con, "shop", entry_kinds=["scheduled", "listener"])}
    assert set(flows) == {"scheduled OrderTimeoutCancelTask.cancelTimeOutOrder", "listener CancelOrderReceiver.handle"}
    for flow in flows.values():
        stmts = {s["stmt_id"] for s in flow["steps"] if s["stmt_id"]}
        assert f"{PORTAL}.dao.PortalOrderDao.releaseStockBySkuId" in stmts


def test_order_status_dictionary(shop: Database):
    with shop.connect() as con:
        status = next(d for d in domain_store.status_dicts(con, "shop", domain="order")
                      if d["owner"] == "OrdOrder" and d["field"] == "status")
    assert [e["code"] for e in status["entries"]] == ["0", "1", "2", "3", "4", "5"]
    assert status["entries"][0]["label"] == "待付款"


def test_gbk_and_broken_files(shop: Database):
    with shop.connect() as con:
        gbk = index_store.get_file(con, "shop", "shop-common/src/main/java/io/acdp/shop/common/util/GbkLegacyUtil.java")
        broken = index_store.get_file(con, "shop", "shop-admin/src/main/java/io/acdp/shop/admin/util/BrokenReportUtil.java")
    assert gbk["encoding"] in ("gbk", "gb18030") and gbk["parse_errors"] is None
    assert broken["parse_errors"]


def test_generated_code_is_flagged(shop: Database):
    with shop.connect() as con:
        generated = {c["name"] for c in domain_store.classes(con, "shop") if c["is_generated"]}
    assert "OrdOrderExample" in generated and "OrdOrderMapper" in generated
    assert "OrdOrder" not in generated and "PortalOrderDao" not in generated
