"""Curating with guidelines, groups and second review, in a real browser (Debian's Chromium, Playwright).

What a curator relies on: the guidelines for the sample's kind are beside
it, and the Guidelines page holds the whole file and the reviewers-per-sample
setting; "Accept all" on a sample's group records one decision per sample
that Undo takes back together; under second review two reviewers deciding
the same sample at once are both recorded, their disagreement puts the
sample in the disagreement queue, and the export leaves it out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_e2e_browser import serve_app
from test_e2e_review import CHROMIUM, CHROMIUM_ARGS, curator, sample_id, settle
from test_review_support import add_group, seed

from core import review
from core.export import ExportFilters, export_dataset
from core.export.select import DISPUTED
from storage import Database, rounds_store
from storage import review_store as store

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: make chromium")]


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(tmp_path / "acdp.duckdb")
    seed(database)
    return database


@pytest.fixture
def app_url(db, tmp_path):
    with serve_app(db.path, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ACDP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def events(db, sid):
    with db.connect() as con:
        return store.history(con, sid)


def test_the_guidelines_for_the_samples_kind_are_beside_it_and_on_their_page(db, app_url, browser, shots):
    page = curator(browser, app_url, "ann")
    assert sample_id(page) == "qa-000000"  # a guard (see test_review_support.RULE_KINDS)
    beside = page.locator(".st-key-qa-guidelines-open")
    beside.get_by_text("Guards (checks that stop a request)").first.wait_for(timeout=30_000)
    text = beside.inner_text()
    assert "Accept when" in text and "Reject when" in text and "The condition is inverted" in text
    # beside the evidence: the same column, above it
    box, evidence = beside.bounding_box(), page.get_by_text("Evidence", exact=True).first.bounding_box()
    assert abs(box["x"] - evidence["x"]) < 40 and box["y"] < evidence["y"]
    page.screenshot(path=shots / "curation-guidelines-beside.png")
    page.keyboard.press("a")  # the next sample is a transition: its section follows
    page.wait_for_function("() => document.body.innerText.includes('Guidelines: Status transitions')", timeout=30_000)
    assert sample_id(page) == "qa-000001"

    page.goto(app_url + "/guidelines")
    page.locator(".st-key-review-policy").wait_for(timeout=30_000)
    settle(page)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Every QA sample" in body and "Example to accept" in body and "Example to reject" in body
    page.get_by_role("tab", name="Design samples").click()
    page.get_by_text("Making an operation idempotent").wait_for(timeout=30_000)
    page.screenshot(path=shots / "curation-guidelines-page.png")


def test_accepting_a_twin_group_records_each_sample_and_undo_takes_it_back(db, app_url, browser, shots):
    twin, variant = add_group(db, 0)
    page = curator(browser, app_url, "ann", "/qa_review?sample=qa-000000")
    group = page.locator(".st-key-qa-group")
    group.get_by_text("Group: 3 samples from one source").wait_for(timeout=30_000)
    assert "1 twin(s) in another language · 1 variant(s)" in group.inner_text()
    assert twin in group.inner_text() and variant in group.inner_text()
    page.screenshot(path=shots / "curation-group.png", full_page=True)
    group.get_by_role("button", name="Accept all 3").click()
    page.get_by_text("Accepted 3 samples of the group").wait_for(timeout=30_000)
    settle(page)
    decided = {sid: events(db, sid) for sid in ("qa-000000", twin, variant)}
    assert {sid: [(e["reviewer"], e["action"]) for e in evs] for sid, evs in decided.items()} == {
        sid: [("ann", "accept")] for sid in decided}
    assert len({evs[0]["batch_id"] for evs in decided.values()}) == 1
    assert sample_id(page) == "qa-000001"  # on to the next sample of the pending queue
    page.keyboard.press("u")
    page.get_by_text("Undid accept on 3 sample(s)").wait_for(timeout=30_000)
    with db.connect() as con:
        assert [store.get_sample(con, sid)["status"] for sid in decided] == ["pending"] * 3


def test_two_disagreeing_reviewers_put_a_sample_in_the_disagreement_queue_and_out_of_the_export(
        db, app_url, browser, shots, tmp_path):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.add_cookies([{"name": "acdp_reviewer", "value": "lead", "url": app_url}])
    lead = context.new_page()
    lead.goto(app_url + "/guidelines")
    lead.locator(".st-key-review-policy").wait_for(timeout=30_000)
    settle(lead)
    lead.get_by_label("Reviewers per sample").fill("2")
    lead.get_by_label("Reviewers per sample").press("Enter")
    settle(lead)
    lead.get_by_role("button", name="Save for everyone").click()
    lead.get_by_text("Each sample now needs 2 reviewer(s) who agree.").wait_for(timeout=30_000)
    assert review.reviewers_required(db) == 2

    ann = curator(browser, app_url, "ann")
    bob = curator(browser, app_url, "bob")
    assert sample_id(ann) == sample_id(bob) == "qa-000000"  # both opened it while it was pending
    bob.keyboard.press("1")  # bob picks "wrong answer" ...
    settle(bob)
    ann.keyboard.press("a")  # ... while ann accepts
    ann.wait_for_function("() => !document.body.innerText.includes('qa-000000 v1')", timeout=30_000)
    settle(ann)
    with db.connect() as con:
        assert rounds_store.stage(con, "qa-000000", 1) == "awaiting"
    unconfirmed = export_dataset(db, "shop", tmp_path / "before", ExportFilters(task_types=("qa",),
                                                                               include_unconfirmed=True))
    assert unconfirmed["counts"]["total"] == 1  # ann's accept alone: exported only when asked for
    bob.keyboard.press("x")  # made on the pending state, but under second review it is his own vote
    bob.wait_for_function("() => !document.body.innerText.includes('qa-000000 v1')", timeout=30_000)
    settle(bob)
    assert "not applied" not in bob.locator("[data-testid='stMain']").inner_text()
    assert [(e["reviewer"], e["action"]) for e in events(db, "qa-000000")] == [("bob", "reject"), ("ann", "accept")]

    ann.reload()
    settle(ann)
    queue_button = ann.get_by_role("button", name="Disagreements: 1")
    queue_button.wait_for(timeout=30_000)
    queue_button.click()
    ann.wait_for_function("() => document.body.innerText.includes('qa-000000 v1')", timeout=30_000)
    settle(ann)
    head = ann.locator(".st-key-qa-sample-head").inner_text()
    assert sample_id(ann) == "qa-000000" and "disputed" in head
    assert "ann accepted · bob rejected (1 wrong answer)" in head
    assert "stage=disputed" in ann.url
    assert "Queue: 1 sample(s)" in ann.locator("[data-testid='stExpander']").filter(has_text="Queue:").first.inner_text()
    ann.screenshot(path=shots / "curation-disagreement-queue.png")

    for name in ("ann", "bob"):  # a sample both keep is final: the export is not empty, and holds only it
        review.decide(db, "qa-000002", 1, "accept", name)
    default = export_dataset(db, "shop", tmp_path / "after", ExportFilters(task_types=("qa",)))
    asked = export_dataset(db, "shop", tmp_path / "asked", ExportFilters(task_types=("qa",), include_unconfirmed=True))
    for manifest in (default, asked):
        assert manifest["counts"]["total"] == 1 and manifest["counts"]["excluded"][DISPUTED] == 1
    exported = (tmp_path / "after" / "train.jsonl").read_text() + (tmp_path / "after" / "val.jsonl").read_text()
    assert '"qa-000002"' in exported and '"qa-000000"' not in exported
