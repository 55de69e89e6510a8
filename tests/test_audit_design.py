"""Audit-column designs on examples/shop: "make sure every write of ord_order sets modify_time" lists every write of
the table, says rightly which set the column (a setter on the written record, or the SQL's NOW()), and fixes only
the updates that leave it as it was; soft deletes and the insert are told apart."""

from __future__ import annotations

from core.models import Sample
from storage import samples_store
from tests.conftest import EXAMPLE_REPO


def _audit(db) -> list[Sample]:
    with db.connect() as con:
        rows = samples_store.list_samples(con, "shop", task_type="design", language="en")
    return [s for s in (Sample.model_validate(r["payload"]) for r in rows) if s.source.question_kind == "audit_column"]


def test_every_update_that_leaves_modify_time_unset_is_fixed_and_no_other(shop_db):
    [s] = [x for x in _audit(shop_db) if "ord_order sets modify_time" in x.question]
    changed = {c.component.split(" (")[0] for c in s.design.changes}
    assert changed == {"OrdPayCallbackService.onPaid", "OrdPayCallbackService.settle", "OrdPortalOrderServiceImpl.paySuccess",
                       "OrdPortalOrderServiceImpl.confirmReceiveOrder", "OrdOrderDao.delivery"}
    text = s.design.understanding
    assert "4 of them set modify_time" in text and "PortalOrderDao.closeOrders" in text     # NOW() in its SQL
    assert "only flag them deleted" in text and "OrdPortalOrderServiceImpl.deleteOrder" in text
    assert "1 inserts rows without it: OrdPortalOrderServiceImpl.generateOrder" in text
    assert "5 of the 12 places" in s.question


def test_every_setter_of_modify_time_in_the_shop_is_cited(shop_db):
    """An independent scan: each `.setModifyTime(` line of the shop's services lies in the design's evidence."""
    [s] = [x for x in _audit(shop_db) if "ord_order" in x.question]
    for path in EXAMPLE_REPO.rglob("*.java"):
        rel = path.relative_to(EXAMPLE_REPO).as_posix()
        for n, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
            if ".setModifyTime(" in line and "/model/" not in rel:
                assert any(e.path == rel and e.start_line <= n <= e.end_line for e in s.evidence), (rel, n)
