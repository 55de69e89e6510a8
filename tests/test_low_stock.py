"""Quantity designs (core/generate/low_stock.py, stock_ledger.py): a low-stock alert and list only where a warning
threshold is stored and nothing compares it, a ledger only where nothing records the moves; each lists every called
move of the quantity with its check, in the move's own transaction."""

from __future__ import annotations

from core.models import Sample
from storage import Database, samples_store
from tests.conftest import edited_shop

MODEL = "shop-common/src/main/java/io/acdp/shop/common/model/InvSkuStock.java"
RESULT_MAP = "shop-admin/src/main/resources/dao/InvSkuStockDao.xml"


def _alerts(db: Database, kind: str = "low_stock_alert") -> list[Sample]:
    with db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="design", language="en")
    return [s for r in rows if (s := Sample.model_validate(r["payload"])).source.question_kind == kind]


def test_a_threshold_the_repository_already_compares_gets_no_alert_design(shop_db):
    """The shop's low_stock is tested in SQL (listLowStock) and in Java (isLowStock): it has its alert already."""
    assert _alerts(shop_db) == [] and _alerts(shop_db, "low_stock_list") == []


def test_a_stored_threshold_nothing_compares_gets_a_check_after_every_deduction(tmp_path):
    repo, db_path = edited_shop(tmp_path, [
        (MODEL, "    private Integer lockStock;", "    private Integer lockStock;\n\n    private Integer warnStock;"),
        (RESULT_MAP, '        <result column="lock_stock" property="lockStock"/>',
         '        <result column="lock_stock" property="lockStock"/>\n'
         '        <result column="warn_stock" property="warnStock"/>'),
    ])
    db = Database(db_path, wait=0.5)
    found = _alerts(db)
    assert len(found) == 1                              # warn_stock only: low_stock is compared already
    s = found[0]
    assert "inv_sku_stock.stock" in s.question and "warn_stock" in s.question and s.domain == "stock"
    change = {c.component: c.change for c in s.design.changes}
    pay = change["OrdPortalOrderServiceImpl.paySuccess"]
    assert "after its row-count check" in pay
    assert "`portalOrderDao.selectCrossedWarnStock(orderItem.getProductSkuId(), orderItem.getProductQuantity())`" in pay
    assert "afterCommit" in pay                         # paySuccess is @Transactional on its interface
    xml = change["shop-portal/src/main/resources/dao/PortalOrderDao.xml"]
    assert "id = #{skuId}" in xml and "stock + #{quantity} &gt; warn_stock" in xml and "warn_stock AS warnStock" in xml
    assert "(@Param(\"skuId\") Long skuId, @Param(\"quantity\") Integer quantity)" in change["PortalOrderDao"]
    risks = " ".join(s.design.risks)
    assert "`InvSkuStockDao.adjustStock` adds #{delta} to stock" in risks      # a negative delta lowers it too
    assert "`stock - lock_stock`" in risks                                        # what is free to sell
    evidence = "\n".join(e.text for e in s.evidence)
    assert "stock = stock - #{quantity}" in evidence and "count == 0" in evidence and "@Transactional" in evidence
    cited = {i for step in s.trace for i in step.evidence_ids}
    assert cited == {e.id for e in s.evidence}
    # the pull side: an endpoint beside the one that lists the SKUs, its query in that module's hand-written XML
    listing = _alerts(db, "low_stock_list")
    assert len(listing) == 1
    change = {c.component: c.change for c in listing[0].design.changes}
    assert change["InvSkuStockController"].startswith("`GET /sku/warnStock` returning `CommonResult<List<InvSkuStock>>`")
    assert "WHERE warn_stock IS NOT NULL AND stock &lt;= warn_stock" in change[RESULT_MAP]
    assert change["InvSkuStockServiceImpl"] == "add `listWarnStock()` returning `InvSkuStockDao.listWarnStock()`"
    assert any("`InvSkuStockController.getList` maps a path variable" in r for r in listing[0].design.risks)
    cited = {i for step in listing[0].trace for i in step.evidence_ids}
    assert cited == {e.id for e in listing[0].evidence}


def test_a_ledger_lists_every_move_of_the_quantity_and_is_not_asked_where_a_log_exists(shop_db, tmp_path):
    """The shop logs stock moves in inv_stock_log (a log word, the table's last word): no ledger design. With that
    table renamed and no longer written, every called move of inv_sku_stock gets its ledger rows (checked by hand)."""
    assert _alerts(shop_db, "stock_ledger") == []
    admin = "shop-admin/src/main/"
    _, db_path = edited_shop(tmp_path, [
        (f"{admin}java/io/acdp/shop/admin/service/impl/InvSkuStockServiceImpl.java",
         "skuStockDao.insertStockLogList(Collections.singletonList(log));", 'LOGGER.info("adjusted {}", log);'),
        (f"{admin}resources/dao/InvSkuStockDao.xml", "INSERT INTO inv_stock_log", "INSERT INTO inv_sku_note"),
        ("shop-common/src/main/java/io/acdp/shop/common/model/InvStockLog.java", "class InvStockLog", "class InvSkuNote"),
        ("shop-common/src/main/java/io/acdp/shop/common/model/InvStockLog.java", "table inv_stock_log", "table inv_sku_note"),
        ("shop-common/src/main/java/io/acdp/shop/common/mapper/InvStockLogMapper.java", "table inv_stock_log",
         "table inv_sku_note"),
    ])
    found = _alerts(Database(db_path, wait=0.5), "stock_ledger")
    assert len(found) == 1
    s = found[0]
    change = {c.component: c.change for c in s.design.changes}
    movers = {"OrdPortalOrderServiceImpl.lockStock", "OrdPortalOrderServiceImpl.paySuccess",
              "OrdPortalOrderServiceImpl.releaseLockedStock", "InvSkuStockServiceImpl.adjustStock", "OrdOrderServiceImpl.close"}
    assert movers <= set(change)
    assert "(stock -orderItem.getProductQuantity(), lock_stock -orderItem.getProductQuantity())" in \
        change["OrdPortalOrderServiceImpl.paySuccess"]
    assert change["OrdPortalOrderServiceImpl.paySuccess"].startswith("after its row-count check")
    # a check that only logs lets a refused move through: the row is added only when the count is not 0
    assert change["OrdPortalOrderServiceImpl.releaseLockedStock"].startswith(
        "when `portalOrderDao.releaseStockBySkuId` (line 666) changed a row (its count is not 0; the check at line 667")
    assert "`CREATE TABLE inv_sku_stock_" in change[next(k for k in change if k.startswith("inv_sku_stock_"))]
    cited = {i for step in s.trace for i in step.evidence_ids}
    assert cited == {e.id for e in s.evidence}
