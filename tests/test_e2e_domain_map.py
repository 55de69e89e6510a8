"""The domain map in a real browser (Debian's Chromium, Playwright) on examples/shop after a pipeline run.

What a curator relies on: the order status drawn as a state machine whose states carry their labels and
whose arrows carry the methods that make them; a flow graph whose every label is legible at the zoom it
opens with, where a click on a node opens its code; from a rule to its samples on the review page, and
back from the sample to its rule; nothing fetched from outside. Screenshots go to $ACDP_SCREENSHOTS
(default: the test's temporary directory).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from test_e2e_browser import CHROMIUM, CHROMIUM_ARGS, serve_app, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: make chromium")]

STATES = {"0": "待付款", "1": "待发货", "2": "已发货", "3": "已完成", "4": "已关闭", "5": "无效订单"}
MOVES = {("0", "1"): "paySuccess", ("0", "4"): "cancelOrder", ("2", "3"): "confirmReceiveOrder",
         ("1", "2"): "delivery (SQL)", ("?", "0"): "generateOrder"}

# per node of the flow graph: its box, the box of its text, the font size of its text
NODE_BOXES = """() => [...document.querySelectorAll('.react-flow__node')].map(n => {
  const box = n.getBoundingClientRect(), walker = document.createTreeWalker(n, NodeFilter.SHOW_TEXT);
  let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity, font = 99;
  while (walker.nextNode()) {
    if (!walker.currentNode.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(walker.currentNode);
    for (const b of r.getClientRects()) {
      left = Math.min(left, b.left); right = Math.max(right, b.right);
      top = Math.min(top, b.top); bottom = Math.max(bottom, b.bottom);
    }
    font = Math.min(font, parseFloat(getComputedStyle(walker.currentNode.parentElement).fontSize));
  }
  return {id: n.dataset.id, text: n.innerText, font, node: [box.left, box.top, box.right, box.bottom],
          textBox: [left, top, right, bottom]};
})"""


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ACDP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_state_machine_flow_graph_and_links_to_samples(shop_db, tmp_path, shots):
    from playwright.sync_api import sync_playwright

    with shop_db.connect() as con:
        rule_id, sample_id = con.execute(
            "SELECT r.rule_id, min(s.sample_id) FROM rules r JOIN samples s ON s.source_ref = r.rule_id "
            "WHERE r.kind = 'transition' AND s.is_current AND s.task_type = 'qa' GROUP BY 1 ORDER BY 1 LIMIT 1"
        ).fetchone()
    remote: list[str] = []
    with serve_app(shop_db.path, tmp_path / "streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.add_cookies([{"name": "acdp_reviewer", "value": "ann", "url": url}])
        page = context.new_page()
        page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(
            (url, "data:", "blob:", url.replace("http", "ws"))) else None)
        try:
            # State machines (the first tab): the order status, busiest field first.
            page.goto(f"{url}/domain_map?domain=order")
            svg = page.locator("[data-testid='stGraphVizChart'] svg").first
            svg.wait_for(timeout=60_000)
            settle(page)
            page.get_by_text(re.compile(r"States from .*\.OrdOrder\.status\.")).wait_for(timeout=10_000)
            drawn = svg.evaluate("""svg => [...svg.querySelectorAll('g.node, g.edge')].map(g => [
                g.getAttribute('class'), g.querySelector('title').textContent,
                [...g.querySelectorAll('text')].map(t => t.textContent)])""")
            nodes = {title.removeprefix("s"): texts for kind, title, texts in drawn if kind == "node"}
            edges = {tuple(x.removeprefix("s") for x in title.split("->")): texts
                     for kind, title, texts in drawn if kind == "edge"}
            for code, label in STATES.items():
                assert nodes[code] == [code, label], (code, nodes)
            for move, method in MOVES.items():
                assert method in edges.get(move, []), (move, edges)
            assert "from: not derived" in svg.text_content()
            svg.scroll_into_view_if_needed()
            page.screenshot(path=shots / "domain-map-state-machine.png")

            # Flows: the biggest flow, drawn at zoom 1 with every label inside its node and >= 12 px.
            page.get_by_role("tab", name="Flows").click()
            frame_el = page.locator("iframe[title='streamlit_flow.streamlit_flow']").first
            frame_el.wait_for(timeout=60_000)
            settle(page)
            frame = frame_el.element_handle().content_frame()
            frame.locator(".react-flow__node").first.wait_for(timeout=30_000)
            assert "scale(1)" in frame.locator(".react-flow__viewport").get_attribute("style")
            canvas = frame.evaluate("() => document.querySelector('.react-flow').getBoundingClientRect().toJSON()")
            boxes = frame.evaluate(NODE_BOXES)
            assert len(boxes) >= 3
            for b in boxes:  # the default depth is the deepest that fits the view: all of it in sight
                (nl, nt, nr, nb), (tl, tt, tr, tb) = b["node"], b["textBox"]
                assert b["font"] >= 12 and nl <= tl and tr <= nr and nt <= tt and tb <= nb, b
                assert nr <= canvas["right"] and nb <= canvas["bottom"], ("outside the default view", b)
            # one level deeper: more nodes than fit at once (pan to see them), each label still whole
            page.get_by_role("slider", name="Call depth shown").press("ArrowRight")
            settle(page)
            for _ in range(60):  # the graph is drawn anew (a new component instance): wait for its nodes
                frame = frame_el.element_handle().content_frame()
                boxes = frame.evaluate(NODE_BOXES) if frame else []
                if len(boxes) > 20:
                    break
                page.wait_for_timeout(500)
            assert len(boxes) > 20
            for b in boxes:
                (nl, nt, nr, nb), (tl, tt, tr, tb) = b["node"], b["textBox"]
                assert b["font"] >= 12 and nl <= tl and tr <= nr and nt <= tt and tb <= nb, b
            frame_el.scroll_into_view_if_needed()
            page.screenshot(path=shots / "domain-map-flow.png")
            target = next(b for b in boxes[1:] if not b["id"].startswith("box-"))
            frame.locator(f".react-flow__node[data-id='{target['id']}']").click()
            settle(page)
            method = target["text"].splitlines()[1].split(" · ")[-1].split(" ×")[0]
            opened = page.get_by_text(re.compile(rf"\.{method} · \w+ · ")).first
            opened.wait_for(timeout=30_000)
            path_line = opened.locator("code").inner_text()
            assert re.fullmatch(r"[\w/.-]+\.(java|xml):\d+", path_line), path_line

            # A rule (linked as a sample card links it) lists its samples; one click opens that sample for review.
            page.goto(f"{url}/domain_map?rule={rule_id}")
            link = page.get_by_role("link", name=re.compile(re.escape(sample_id)))
            link.wait_for(timeout=60_000)
            assert page.get_by_role("tab", name="Rules").get_attribute("aria-selected") == "true"
            settle(page)  # a click that lands while the page still runs can be dropped with that run
            page.screenshot(path=shots / "domain-map-rule.png", full_page=True)
            link.click()
            page.wait_for_url(re.compile(r"/qa_review"), timeout=60_000)
            settle(page)
            page.get_by_text(re.compile(rf"^{sample_id} v\d+ · ")).first.wait_for(timeout=60_000)
            assert parse_qs(urlparse(page.url).query).get("sample") == [sample_id]
            # and back: the sample's card links to its rule in the domain map
            settle(page)
            page.get_by_role("link", name="Open its transition rule in the domain map").click()
            page.wait_for_url(re.compile(r"/domain_map\?rule="), timeout=60_000)
            page.get_by_role("link", name=re.compile(re.escape(sample_id))).wait_for(timeout=60_000)
            assert page.get_by_text(rule_id).first.is_visible()
        finally:
            browser.close()
    assert not remote, remote
