"""extract on examples/shop against its ground truth (EXPECTED.md), plus the readable rendering."""

from __future__ import annotations

import re

import pytest

from core.rules.render import condition_text, cron_text, formula_text
from storage import rules_store, samples_store
from tests.conftest import EXAMPLE_REPO


def expected_rules() -> list[dict]:
    rows = []
    for line in (EXAMPLE_REPO / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(R\d+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|(.+)\|\s*(\S+)\s*\|\s*(\d+)-(\d+)\s*\|\s*$", line)
        if m:
            rows.append({"id": m[1], "kind": m[2], "domain": m[3], "statement": m[4].strip(), "path": m[5],
                         "start": int(m[6]), "end": int(m[7])})
    return rows


def _overlaps(ev: dict, exp: dict) -> bool:
    return ev["path"] == exp["path"] and ev["start_line"] <= exp["end"] and exp["start"] <= ev["end_line"]


@pytest.fixture(scope="module")
def shop(_pipeline_template):
    from storage import Database

    db = Database(_pipeline_template, wait=2)
    with db.connect() as con:
        rules = rules_store.list_rules(con, "shop")
        samples = samples_store.list_samples(con, "shop", task_type="qa")
    return rules, samples


def test_expected_file_is_parsed():
    assert len(expected_rules()) >= 50


@pytest.mark.parametrize("exp", expected_rules(), ids=lambda e: e["id"])
def test_every_expected_rule_is_extracted_and_covered_by_qa(shop, exp):
    rules, samples = shop
    hits = [r for r in rules if r["kind"] == exp["kind"] and any(_overlaps(e, exp) for e in r["evidence"])]
    assert hits, f"{exp['id']} ({exp['kind']}) not extracted: {exp['statement']}"
    assert exp["domain"] in {r["domain"] for r in hits} or len({r["domain"] for r in rules}) == 1
    covered = [s for s in samples if any(_overlaps(e, exp) for e in s["payload"]["evidence"])]
    assert covered, f"{exp['id']} is extracted but no QA sample cites its lines"


def test_rule_evidence_is_minimal(shop):
    rules, _ = shop
    for r in rules:
        if r["kind"] != "side_effects":
            assert all(e["end_line"] - e["start_line"] < 20 for e in r["evidence"]), r["statement_en"]


def test_status_names_come_from_the_dictionary(shop):
    rules, _ = shop
    pay = [r for r in rules if r["kind"] == "transition" and r["facts"].get("method", "").endswith("paySuccess")]
    assert pay and "0 (" in pay[0]["statement_en"] and "1 (" in pay[0]["statement_en"]


def test_condition_rendering():
    assert condition_text("order == null || order.getStatus() != 0") == "`order` is null, or `order.getStatus()` is not `0`"
    assert condition_text("!hasStock(items)") == "`hasStock(items)` is false"
    assert "为空" in condition_text("CollectionUtils.isEmpty(list)", "zh")
    assert formula_text("order.getTotalAmount().add(order.getFreightAmount()).subtract(order.getCouponAmount())") == \
        "totalAmount + freightAmount - couponAmount"
    assert formula_text("a.add(b).foo().subtract(c)") is None
    assert cron_text("0 0/10 * ? * ?") == "every 10 minutes"
    assert cron_text("0 30 2 * * ?") == "every day at 02:30"
