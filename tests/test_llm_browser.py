"""The Pipeline page runs a Claude generation in a real browser (Chromium via Playwright) against the local
stand-in server (ANTHROPIC_BASE_URL from the environment): the cost estimate before, the bill after."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from llm_standin import StandIn
from test_e2e_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_app, settle

from storage import Database, llm_store

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: make chromium")]


@pytest.fixture
def standin():
    server = StandIn(delay=0.01).start()
    yield server
    server.shutdown()


@pytest.fixture
def llm_app(tmp_path, standin):
    """Streamlit on a database where examples/shop is extracted, talking to the stand-in as Claude."""
    from core.cli import main

    db = tmp_path / "acdp.duckdb"
    for stage in ("index", "map", "extract"):
        assert main([stage, "--repo", str(ROOT / "examples" / "shop"), "--db", str(db)]) == 0
    env = {"ANTHROPIC_API_KEY": "sk-ant-browser-test", "ANTHROPIC_BASE_URL": standin.url}
    with serve_app(db, tmp_path / "streamlit.log", env) as url:
        yield url, Database(db)


def test_pipeline_page_estimates_then_runs_claude_and_shows_the_cost(llm_app, standin, tmp_path):
    from playwright.sync_api import sync_playwright

    url, db = llm_app
    shots = Path(os.environ.get("ACDP_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1300})
        try:
            page.goto(f"{url}/pipeline")
            page.get_by_role("textbox", name="Repository path").fill(str(ROOT / "examples" / "shop"))
            for label, option in (("Language", "en"), ("Backend", "anthropic")):
                page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
                page.get_by_role("option", name=option, exact=True).click()
            page.get_by_role("button", name="Estimate generation cost").click()
            estimate = page.get_by_text(re.compile(r"Estimated cost before the run: \d+ requests to claude-sonnet-5-5"))
            estimate.first.wait_for(timeout=120_000)
            settle(page)
            before = estimate.first.inner_text()
            assert re.search(r"≈ \$\d+\.\d{4}", before) and standin.requests == 0      # nothing asked yet
            page.screenshot(path=shots / "llm-1-estimate.png", full_page=True)

            page.get_by_role("button", name="Run pipeline").click()
            page.get_by_text("Finished 5 stage(s)").wait_for(timeout=300_000)
            settle(page)
            bill = page.get_by_text(re.compile(r"Cost of generate: \d+ LLM calls, [\d,]+ tokens in, [\d,]+ out: \$\d+\.\d{4}"))
            bill.first.wait_for(timeout=30_000)
            page.get_by_text("Pipeline finished").first.click()                        # the run's log: the estimate
            page.get_by_text(re.compile(r"Estimated cost before the run")).first.wait_for()
            page.screenshot(path=shots / "llm-2-cost-after.png", full_page=True)
            after = bill.first.inner_text()
        finally:
            browser.close()
    with db.connect() as con:
        spent = llm_store.spend(con, "shop")
    assert spent["calls"] > 0 and standin.requests > 0                                # 342 answers, one batch
    shown = float(re.search(r": \$(\d+\.\d{4})", after).group(1))                     # the page shows the bill:
    assert abs(shown - spent["cost_usd"]) <= 0.0001   # the run's own sum and the table's, rounded to 4 places
