"""Curating in a real browser: Debian's headless Chromium (Playwright) against `streamlit run`, two reviewers.

Each test seeds a database with review samples (no pipeline run), starts the
app on it and drives one or two browser contexts (separate cookies and
sessions, as two curators on two machines). What they prove is what a
curator relies on: no decision lost between two tabs, the place kept across
reloads and links, keys that never decide a sample nobody saw, reject only
with a reason, edits never silently dropped, and the sample text shown as
the literal training text without fetching anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_e2e_browser import serve_app
from test_review_support import seed

from core import review
from storage import Database
from storage import review_store as store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HEADER = re.compile(r"^\S+ v\d+ · ")

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


def curator(browser, app_url: str, name: str | None, path: str = "/qa_review"):
    """A browser context of its own (cookies, session) with the reviewer name remembered from an earlier visit."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    if name:
        context.add_cookies([{"name": "acdp_reviewer", "value": name, "url": app_url}])
    page = context.new_page()
    page.goto(app_url + path)
    header(page)
    settle(page)
    return page


def settle(page, timeout: float = 60_000) -> None:
    """Wait until the script run the last interaction started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => { const w = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " return !w || !/Running|Stop/.test(w.innerText); }",
        timeout=timeout)
    # on a review page, the decision buttons and the key handler (app.keys) are in place
    page.wait_for_function(
        "() => !document.querySelector('[class*=\"-sample-head\"]') ||"
        " (window.__acdpKeys && document.querySelector('.st-key-qa-undo button, .st-key-design-undo button'))",
        timeout=timeout)
    page.wait_for_timeout(250)


def header(page) -> str:
    return page.get_by_text(HEADER).first.inner_text(timeout=30_000)


def sample_id(page) -> str:
    return header(page).split(" ")[0]


def press_and_move_on(page, key: str) -> str:
    before = header(page)
    page.keyboard.press(key)
    page.wait_for_function(
        "(before) => { const el = [...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"] p')]"
        ".find(p => / v\\d+ · /.test(p.innerText)); return el && el.innerText !== before; }",
        arg=before, timeout=30_000)
    settle(page)
    return header(page)


def rec(db, sid):
    with db.connect() as con:
        return store.get_sample(con, sid)


def history(db, sid):
    with db.connect() as con:
        return [(e["reviewer"], e["action"]) for e in store.history(con, sid)]


def test_two_reviewers_lose_no_decision_and_a_stale_tab_is_told(db, app_url, browser, shots):
    ann = curator(browser, app_url, "ann")
    bob = curator(browser, app_url, "bob")
    assert sample_id(ann) == sample_id(bob) == "qa-000000"
    bob.keyboard.press("1")  # bob picks a reason for qa-000000 (still pending on his screen) ...
    settle(bob)
    press_and_move_on(ann, "a")  # ... while ann accepts it
    bob.keyboard.press("x")  # bob's reject was made on the pending state: refused, and he is told by whom
    bob.get_by_text("ann accepted qa-000000").wait_for(timeout=30_000)
    settle(bob)
    assert "not applied" in bob.locator("[data-testid='stAlert']").first.inner_text()
    assert sample_id(bob) == "qa-000000" and "accepted by ann" in bob.locator(".st-key-qa-sample-head").inner_text()
    assert rec(db, "qa-000000")["status"] == "accepted"
    bob.screenshot(path=shots / "review-stale-tab.png", full_page=True)
    bob.keyboard.press("x")  # he decides again, on what is really there
    bob.wait_for_function("() => !document.body.innerText.includes('not applied')", timeout=30_000)
    settle(bob)
    ann.keyboard.press("u")  # ann's undo must not wipe bob's later reject
    ann.get_by_text("nothing was undone").wait_for(timeout=30_000)
    assert (rec(db, "qa-000000")["status"], rec(db, "qa-000000")["reviewer"]) == ("rejected", "bob")
    assert history(db, "qa-000000") == [("bob", "reject"), ("ann", "accept")]  # both decisions kept


def test_reload_keeps_sample_filters_and_reviewer_and_a_deep_link_opens_its_sample(db, app_url, browser):
    page = curator(browser, app_url, None)
    box = page.get_by_role("textbox", name="Reviewer")
    box.fill("carol")
    box.press("Enter")
    settle(page)
    stock = page.locator("[data-testid='stMultiSelect']").filter(has_text="Domain")
    stock.locator("input").click()
    page.get_by_role("option", name="stock", exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    page.get_by_role("heading", name="QA review").click()
    shown = press_and_move_on(page, "s")  # skip to the second stock sample
    assert "stock" in shown and "sample=qa-000003" in page.url and "domain=stock" in page.url
    page.reload()
    settle(page)
    assert header(page) == shown
    assert "stock" in page.locator("[data-testid='stMultiSelect']").filter(has_text="Domain").inner_text()
    assert page.get_by_role("textbox", name="Reviewer").input_value() == "carol"
    press_and_move_on(page, "a")
    assert rec(db, "qa-000003")["reviewer"] == "carol"

    colleague = curator(browser, app_url, "dan", "/qa_review?sample=qa-000010")  # an order sample, default filters
    assert sample_id(colleague) == "qa-000010"


def test_a_double_press_decides_one_sample(db, app_url, browser):
    page = curator(browser, app_url, "ann")
    page.keyboard.press("a")
    page.keyboard.press("a")  # lands while qa-000001 is being drawn: nobody saw it
    page.wait_for_timeout(1500)
    settle(page)
    with db.connect() as con:
        assert store.status_counts(con, store.QueueFilter())["accepted"] == 1
    assert rec(db, "qa-000000")["status"] == "accepted" and sample_id(page) == "qa-000001"
    press_and_move_on(page, "a")  # once drawn, the key works again
    assert rec(db, "qa-000001")["status"] == "accepted"


def test_reject_needs_a_reason_that_resets_and_a_note_hands_focus_back(db, app_url, browser):
    page = curator(browser, app_url, "ann")
    page.keyboard.press("x")
    page.get_by_text("Choose a reject reason first").wait_for(timeout=30_000)
    settle(page)
    assert rec(db, "qa-000000")["status"] == "pending" and sample_id(page) == "qa-000000"
    page.keyboard.press("2")
    settle(page)
    note = page.get_by_role("textbox", name="Reason details")
    note.press_sequentially("cites the wrong method; see axe", delay=15)  # a, e, s, x typed, not taken as keys
    note.press("Enter")  # hands focus back to the page
    settle(page)
    assert sample_id(page) == "qa-000000"
    press_and_move_on(page, "x")
    got = rec(db, "qa-000000")
    assert (got["status"], got["reason"]) == ("rejected", "2 evidence does not support the answer; "
                                                          "cites the wrong method; see axe")
    assert not page.locator(".st-key-qa-reason button[kind*='Active']").count()  # no reason carried over
    page.keyboard.press("x")
    page.get_by_text("Choose a reject reason first").wait_for(timeout=30_000)
    assert rec(db, "qa-000001")["status"] == "pending"


def test_an_unsaved_edit_is_not_lost_and_escape_cancels(db, app_url, browser, shots):
    page = curator(browser, app_url, "ann")
    page.keyboard.press("e")
    answer = page.get_by_role("textbox", name="Answer")
    answer.wait_for()
    answer.fill("Refused when the order check fails (curated).")
    page.get_by_role("heading", name="QA review").click()  # leave the field: its text reaches the server
    settle(page)
    page.keyboard.press("a")
    page.get_by_text("This sample has an unsaved edit").wait_for(timeout=30_000)
    settle(page)
    assert rec(db, "qa-000000")["status"] == "pending"
    page.screenshot(path=shots / "review-unsaved-edit.png", full_page=True)
    page.get_by_role("button", name="Save edit and accept").click()
    page.get_by_text("Accepted qa-000000").wait_for(timeout=30_000)
    settle(page)
    got = rec(db, "qa-000000")
    assert (got["status"], got["effective"]["answer"]) == ("edited", "Refused when the order check fails (curated).")
    page.keyboard.press("e")
    page.get_by_role("textbox", name="Answer").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("textbox", name="Answer").wait_for(state="detached", timeout=60_000)


def test_the_training_text_is_literal_and_nothing_remote_is_loaded(db, app_url, browser, shots):
    review.edit(db, "qa-000000", 1, "ann",
                {"answer": "Area is $x^2$, see ![logo](http://example.invalid/logo.png) and **bold** `code`."})
    review.decide(db, "qa-000000", 1, "accept", "![me](http://example.invalid/me.png)")
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    hosts = []
    context.on("request", lambda r: hosts.append(urlparse(r.url).hostname))
    page = context.new_page()
    page.goto(app_url + "/qa_review?sample=qa-000000&status=")
    header(page)
    settle(page)
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Area is $x^2$, see ![logo](http://example.invalid/logo.png) and **bold** `code`." in body
    assert "edited by ![me](http://example.invalid/me.png)" in body
    assert not page.locator("[data-testid='stMain'] img, [data-testid='stMain'] a[href*='example'], .katex").count()
    # evidence: the cited lines inside their method, highlighted, on lines that do not wrap
    cited = page.locator(".acdp-ev tr.cited")
    assert cited.count() >= 1 and cited.first.evaluate("r => getComputedStyle(r.cells[1]).whiteSpace") == "pre"
    page.screenshot(path=shots / "review-page.png", full_page=True)
    for other in ("pipeline", "domain_map", "design_review", "export", "lora_runs"):  # and nowhere else either
        page.goto(f"{app_url}/{other}")
        page.locator("h1").first.wait_for(timeout=30_000)
        settle(page)
    assert {h for h in hosts if h} <= {"127.0.0.1"}, sorted(set(hosts))
