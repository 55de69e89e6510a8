"""The dashboard in a real browser (Chromium via Playwright against `streamlit run`): the app opens on it, its
figures are the database's (counted here in plain SQL), and its next action opens the review queue it names.

Decisions are recorded by two reviewers through core.review, with two reviewers required, so the page has
throughput, agreement and disputed samples to show. A screenshot goes to $ACDP_SCREENSHOTS (default: the
test's pytest temporary directory).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_e2e_browser import CHROMIUM, CHROMIUM_ARGS, serve_app, settle
from test_review_support import seed

from core import review

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: make chromium")]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ACDP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sql(db, query: str) -> list[tuple]:
    with db.connect() as con:
        return con.execute(query).fetchall()


def _decide(db) -> None:
    samples = seed(db, qa=24, design=6)
    review.set_reviewers_required(db, 2, "ann")
    for n, s in enumerate(samples[:14]):
        review.decide(db, s.sample_id, 1, "reject" if n % 4 == 3 else "accept", "ann",
                      "duplicate" if n % 4 == 3 else None)
    for n, s in enumerate(samples[:6]):   # bob rejects 1 (ann accepted it: disputed) and 3 (ann rejected it too)
        review.decide(db, s.sample_id, 1, "reject" if n in (1, 3) else "accept", "bob",
                      "wrong answer" if n in (1, 3) else None)


def test_the_dashboard_loads_first_and_its_figures_match_the_database(db, tmp_path, shots):
    from playwright.sync_api import sync_playwright

    _decide(db)
    counts = dict(_sql(db, "SELECT COALESCE(r.status, 'pending'), count(*) FROM samples s LEFT JOIN review_state r "
                           "USING (sample_id, version) WHERE s.is_current GROUP BY 1"))
    total = _sql(db, "SELECT count(*) FROM samples WHERE is_current")[0][0]
    failing = _sql(db, "SELECT count(*) FROM sample_quality WHERE status = 'fail'")[0][0]
    task, domain, pending = _sql(db, "SELECT s.task_type, s.domain, count(*) FROM samples s LEFT JOIN review_state r "
                                     "USING (sample_id, version) WHERE r.status IS NULL GROUP BY ALL "
                                     "ORDER BY 3 DESC, 1 DESC, 2 LIMIT 1")[0]
    with serve_app(db.path, tmp_path / "streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        try:
            page.goto(url)
            page.get_by_role("heading", name="Dashboard").wait_for(timeout=60_000)
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=30_000)
            settle(page)
            page.screenshot(path=shots / "dashboard.png")
            shown = {}
            for metric in page.locator("[data-testid='stMetric']").all():
                label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
                shown[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
            assert shown["Samples"] == str(total) == "30"
            for status in ("pending", "accepted", "edited", "rejected"):
                assert shown[status.capitalize()] == str(counts.get(status, 0)), status
            assert shown["Fail validation"] == str(failing)
            assert shown["Reviewed"] == f"{(total - counts['pending']) / total:.0%}"
            assert (shown["Final"], shown["Awaiting (needs 2 reviewers)"], shown["Disputed"]) == ("5", "8", "1")

            noun = {"qa": "QA", "design": "design"}[task]
            next_action = page.get_by_role("link", name=f"{pending} pending {domain} {noun} samples — review")
            settle(page)  # a click that lands while the page still runs can be dropped with that run
            next_action.click()
            page.wait_for_url(re.compile(r"/(qa|design)_review\?"), timeout=60_000)
            settle(page)
            assert f"domain={domain}" in page.url    # the page rewrites its URL: pending is the default status
            page.get_by_text(f"Queue: {pending} sample(s)").wait_for(timeout=30_000)
        finally:
            browser.close()
