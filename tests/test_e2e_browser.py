"""End to end in a real browser: Debian's headless Chromium driven by Playwright against `streamlit run`.

Runs the pipeline on examples/shop from the Pipeline page, reviews in the QA
page (two accepts, one of them by keyboard shortcut, an edit, a reject),
exports from the Export page, and checks that the export holds exactly the
accepted and edited samples. A screenshot of every page goes to
$ACDP_SCREENSHOTS (default: screenshots/ in the test's pytest temporary directory, kept by pytest).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage import Database
from storage import review_store as store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HEADER = re.compile(r"^\S+ v\d+ · ")

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: make chromium")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(db: Path, log_path: Path, env: dict | None = None):
    """The app on a free loopback port, serving `db`, until the block ends: one way every browser test starts it."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app/main.py", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--", "--db", str(db)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ACDP_APP_HOLD": "0.5", **(env or {})},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + log_path.read_text())
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def app_url(tmp_path):
    with serve_app(tmp_path / "acdp.duckdb", tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ACDP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page, timeout: float = 60_000) -> None:
    """Wait until the script run the last interaction started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => { const w = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " return !w || !/Running|Stop/.test(w.innerText); }",
        timeout=timeout)
    page.wait_for_timeout(200)


def download_zip(page, tries: int = 3):
    """Click "Download as zip" and return the file. The zip is built on the click (a deferred download); on a busy
    2-core machine a click can land while the page still reruns after the export and start no download (twice in
    this stop's clean-clone runs), so it is clicked again once the page has settled."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for attempt in range(1, tries + 1):
        settle(page)
        try:
            with page.expect_download(timeout=40_000) as download:
                page.get_by_role("button", name="Download as zip").click()
            return download.value.path()
        except PlaywrightTimeout:
            if attempt == tries:
                raise


def header(page) -> str:
    return page.get_by_text(HEADER).first.inner_text(timeout=30_000)


def pick(page, label: str, option: str) -> None:
    """Choose an option of a sidebar multiselect."""
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=label)
    box.scroll_into_view_if_needed()
    box.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


def click_and_move_on(page, before: str, action) -> str:
    action()
    page.wait_for_function(
        "(before) => { const el = [...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"] p')]"
        ".find(p => / v\\d+ · /.test(p.innerText)); return el && el.innerText !== before; }",
        arg=before, timeout=30_000)
    settle(page)
    return header(page)


def test_pipeline_review_export_in_chromium(app_url, shots, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            # Pipeline: run index .. validate on the bundled example, from the app.
            page.goto(f"{app_url}/pipeline")
            page.get_by_role("textbox", name="Repository path").fill(str(ROOT / "examples" / "shop"))
            page.get_by_role("button", name="Run pipeline").click()
            page.get_by_text("Finished 5 stage(s)").wait_for(timeout=180_000)
            settle(page)
            page.screenshot(path=shots / "1-pipeline.png", full_page=True)

            page.goto(f"{app_url}/domain_map")
            page.locator("[data-testid='stGraphVizChart'] svg").first.wait_for(timeout=30_000)
            settle(page)
            page.screenshot(path=shots / "2-domain-map.png", full_page=True)

            # QA review: name, accept (button), accept (shortcut A), edit, reject.
            page.goto(f"{app_url}/qa_review")
            page.get_by_role("textbox", name="Reviewer").fill("ann")
            page.get_by_role("textbox", name="Reviewer").press("Enter")
            settle(page)
            # Only English samples that pass validation, so that every accepted one is exportable.
            pick(page, "Validation result", "pass")
            pick(page, "Language", "en")  # the edit below appends English text
            first = header(page)
            second = click_and_move_on(page, first, lambda: page.get_by_role("button", name="Accept A", exact=True).click())
            page.get_by_role("heading", name="QA review").click()  # focus off the inputs, so keys reach the shortcuts
            third = click_and_move_on(page, second, lambda: page.keyboard.press("a"))
            page.get_by_role("button", name="Edit").click()
            answer = page.get_by_role("textbox", name="Answer")
            answer.wait_for()
            answer.fill(answer.input_value() + "\n\nCurated by ann in the browser test.")
            page.get_by_role("button", name="Save and re-validate").click()
            page.get_by_text("Edit saved and re-validated").wait_for(timeout=30_000)
            settle(page)
            page.get_by_text("Edit diff").first.wait_for()
            page.screenshot(path=shots / "3-qa-review-edited.png", full_page=True)
            fourth = click_and_move_on(page, third, lambda: page.get_by_role("button", name="Skip").click())
            # Typing a note must not fire the one-key shortcuts (it contains a, e, s, u and x).
            page.keyboard.press("1")  # the reject reason: none is preselected
            settle(page)
            page.get_by_role("textbox", name="Reason details").press_sequentially("same as a sibling; useless extra", delay=20)
            page.get_by_role("textbox", name="Reason details").press("Tab")
            settle(page)
            assert header(page) == fourth
            click_and_move_on(page, fourth, lambda: page.get_by_role("button", name="Reject X", exact=True).click())
            page.screenshot(path=shots / "3-qa-review.png", full_page=True)

            page.goto(f"{app_url}/design_review")
            page.get_by_text(HEADER).first.wait_for(timeout=30_000)
            settle(page)
            page.screenshot(path=shots / "4-design-review.png", full_page=True)

            # Export from the app.
            out = tmp_path / "export"
            page.goto(f"{app_url}/export")
            page.get_by_role("textbox", name="Output directory").fill(str(out))
            page.get_by_role("button", name="Write export").click()
            page.get_by_text("Exported 3 sample(s)").wait_for(timeout=60_000)
            settle(page)
            zip_path = download_zip(page)
            with zipfile.ZipFile(zip_path) as zf:
                zipped = sorted(zf.namelist())
            page.screenshot(path=shots / "5-export.png", full_page=True)

            page.goto(f"{app_url}/lora_runs")
            page.get_by_role("heading", name="LoRA runs").wait_for(timeout=30_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stSpinner\"]')", timeout=120_000)
            settle(page, 120_000)
            page.screenshot(path=shots / "6-lora-runs.png", full_page=True)
        finally:
            browser.close()

    ids = {h.split(" ")[0] for h in (first, second, third, fourth)}
    db = Database(tmp_path / "acdp.duckdb", wait=10)
    with db.connect() as con:
        decided_filter = store.QueueFilter(statuses=("accepted", "edited", "rejected"))
        decided = {r["sample_id"]: r for r in store.queue_page(con, decided_filter, 100)}
        rec = store.get_sample(con, third.split(" ")[0])
    assert {s: r["status"] for s, r in decided.items()} == {
        first.split(" ")[0]: "accepted", second.split(" ")[0]: "accepted", third.split(" ")[0]: "edited",
        fourth.split(" ")[0]: "rejected"}
    assert len(ids) == 4 and all(r["reviewer"] == "ann" for r in decided.values())
    assert rec["edited_payload"]["answer"].endswith("Curated by ann in the browser test.")
    assert decided[fourth.split(" ")[0]]["status"] == "rejected"
    with db.connect() as con:
        assert store.get_sample(con, fourth.split(" ")[0])["reason"] == "1 wrong answer; same as a sibling; useless extra"

    assert zipped == ["export/dataset_info.json", "export/llama_factory_sft.yaml", "export/manifest.json",
                      "export/train.jsonl", "export/val.jsonl"]
    records = [json.loads(line) for name in ("train.jsonl", "val.jsonl") for line in (out / name).read_text().splitlines()]
    assert sorted(r["id"] for r in records) == sorted(s for s, r in decided.items() if r["status"] != "rejected")
    edited = next(r for r in records if r["id"] == third.split(" ")[0])
    assert "Curated by ann in the browser test." in edited["messages"][2]["content"]
    assert edited["meta"]["review"]["status"] == "edited"
