"""AppTest: every page with an empty database and with data; actions change the database as they should."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_review_support import seed

from storage import repos as repo_store
from storage import review_store as store

PAGES = ("dashboard", "pipeline", "domain_map", "qa_review", "design_review", "export")


def open_page(monkeypatch, db, page: str, reviewer: str | None = "ann") -> AppTest:
    monkeypatch.setenv("ACDP_DB", str(db.path))
    if reviewer:
        monkeypatch.setenv("ACDP_REVIEWER", reviewer)
    else:
        monkeypatch.delenv("ACDP_REVIEWER", raising=False)
    at = AppTest.from_file("../app/main.py", default_timeout=60)
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [x.value for x in at.info] + [x.value for x in at.warning]
    parts += [x.value for x in at.success] + [x.value for x in at.error] + [x.value for x in at.caption]
    parts += [x.value for x in at.text]
    return "\n".join(parts)


def sample(db, sid):
    with db.connect() as con:
        return store.get_sample(con, sid)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database_says_what_to_do(monkeypatch, db, page):
    at = open_page(monkeypatch, db, page)
    shown = texts(at)
    assert any(hint in shown for hint in ("Run pipeline", "run the pipeline", "Run the pipeline", "No runs yet",
                                          "Nothing to export", "after the **map** stage")), shown


def _nav_titles():
    import streamlit as st

    from app.nav import pages

    st.write(" | ".join(p.title for p in pages()))


def test_navigation_opens_on_the_dashboard_and_holds_lora_runs():
    at = AppTest.from_function(_nav_titles).run()
    assert at.markdown[0].value == ("Dashboard | Pipeline | Domain map | QA review | Design review | Guidelines | "
                                    "Export | LoRA runs")


@pytest.fixture
def seeded(db):
    seed(db)
    return db


def test_accept_moves_to_next_and_commits(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    assert "qa-000000" in at.markdown[0].value
    at.button(key="qa-accept").click().run()
    assert sample(seeded, "qa-000000")["status"] == "accepted"
    assert sample(seeded, "qa-000000")["reviewer"] == "ann"
    assert any("qa-000001" in m.value for m in at.markdown)
    assert "Reviewed 1 of 12" in at.get("progress")[0].proto.text


def test_reject_with_reason_skip_and_undo(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.button(key="qa-reject").click().run()  # no reason chosen: refused, nothing written, still on the sample
    assert sample(seeded, "qa-000000")["status"] == "pending"
    assert "Choose a reject reason first" in texts(at) and "qa-000000" in at.markdown[0].value
    at.button_group(key="qa-reason").set_value("5 duplicate").run()
    at.text_input(key="qa-reason-note").input("same as qa-000003").run()
    at.button(key="qa-reject").click().run()
    rec = sample(seeded, "qa-000000")
    assert (rec["status"], rec["reason"]) == ("rejected", "5 duplicate; same as qa-000003")
    assert at.button_group(key="qa-reason").value is None  # the next sample starts without a reason
    assert at.text_input(key="qa-reason-note").value == ""
    at.button(key="qa-skip").click().run()
    assert sample(seeded, "qa-000001")["status"] == "pending"
    assert any("qa-000002" in m.value for m in at.markdown)
    at.button(key="qa-undo").click().run()
    assert sample(seeded, "qa-000000")["status"] == "pending"
    assert any("qa-000000" in m.value for m in at.markdown)  # undo brings the sample back into focus
    assert "Undid reject" in texts(at)


def test_undo_and_the_decision_strip_stay_on_an_empty_queue(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.sidebar.multiselect(key="qa-f-domain").select("stock").run()
    at.button(key="qa-bulk-ask").click().run()
    at.button(key="qa-bulk-yes").click().run()
    assert "The queue is empty under these filters." in texts(at)
    assert not at.button(key="qa-undo").disabled
    assert at.button(key="qa-strip-0").label.startswith("qa-0000")  # the latest of the bulk decisions
    at.button(key="qa-undo").click().run()
    with seeded.connect() as con:
        assert store.status_counts(con, store.QueueFilter(domains=("stock",)))["pending"] == 6


def test_no_decision_without_reviewer_name(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review", reviewer=None)
    at.button(key="qa-accept").click().run()
    assert sample(seeded, "qa-000000")["status"] == "pending"
    assert "reviewer name" in texts(at)


def test_edit_saves_revalidates_and_shows_diff(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.button(key="qa-edit").click().run()
    at.text_area[1].input("The order is refused when the assertion fails.")
    at.button(key="qa-edit-save").click().run()
    assert not at.exception
    rec = sample(seeded, "qa-000000")
    assert rec["status"] == "edited"
    assert rec["edited_payload"]["answer"] == "The order is refused when the assertion fails."
    assert rec["payload"]["answer"].startswith("When the order check")  # the original is kept
    with seeded.connect() as con:
        checks = {c["check_name"]: c["result"] for c in store.checks_for(con, "qa-000000", 1)}
    assert checks["evidence"] == "pass" and "schema" in checks  # re-validated: the seed stored no schema check
    assert "Edit saved and re-validated" in texts(at)
    assert "qa-000000" in at.markdown[0].value  # the edited sample stays in focus although it left the pending queue
    assert any("edited answer" in c.value for c in at.code)  # the diff is shown


def test_accept_on_an_unsaved_edit_asks_and_loses_nothing(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.button(key="qa-edit").click().run()
    at.text_area[1].input("A curated answer, not saved yet.").run()
    at.button(key="qa-accept").click().run()
    assert sample(seeded, "qa-000000")["status"] == "pending"  # asked, not decided
    assert "unsaved edit" in texts(at) and at.text_area[1].value == "A curated answer, not saved yet."
    at.button(key="qa-ask-save-yes").click().run()
    rec = sample(seeded, "qa-000000")
    assert (rec["status"], rec["effective"]["answer"]) == ("edited", "A curated answer, not saved yet.")
    with seeded.connect() as con:
        assert [e["action"] for e in store.history(con, "qa-000000")] == ["accept", "edit"]


def test_cancel_closes_an_edit_without_writing(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.button(key="qa-edit").click().run()
    at.text_area[1].input("thrown away").run()
    at.button(key="qa-edit-cancel").click().run()
    assert not at.text_area and sample(seeded, "qa-000000")["status"] == "pending"


def test_sample_text_is_shown_literally_never_as_markdown(monkeypatch, seeded):
    from core import review
    review.edit(seeded, "qa-000000", 1, "ann", {"answer": "Area is $x^2$ ![logo](http://example.invalid/x.png) **b**"})
    review.decide(seeded, "qa-000000", 1, "accept", "![me](http://example.invalid/me.png) :red[ann]")
    at = open_page(monkeypatch, seeded, "qa_review")
    at.session_state["focus-qa"] = at.session_state["qa-pinned"] = "qa-000000"
    at.run()
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert "Area is $x^2$ ![logo](http://example.invalid/x.png) **b**" in html and "<img" not in html
    assert "edited by ![me](http://example.invalid/me.png) :red[ann]" in [t.value for t in at.text]


def test_bulk_needs_confirmation_stating_the_count(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.sidebar.multiselect(key="qa-f-domain").select("stock").run()
    at.button(key="qa-bulk-ask").click().run()
    assert "This will accept **6** sample(s)" in texts(at)
    with seeded.connect() as con:
        assert store.status_counts(con, store.QueueFilter())["accepted"] == 0
    at.button(key="qa-bulk-yes").click().run()
    with seeded.connect() as con:
        assert store.status_counts(con, store.QueueFilter(domains=("stock",)))["accepted"] == 6
        assert store.status_counts(con, store.QueueFilter(domains=("order",)))["accepted"] == 0
    assert "Bulk accept: 6 sample(s) changed." in texts(at)


def test_design_review_and_filters(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "design_review")
    assert "design-000000" in at.markdown[0].value
    assert "Requirement" in texts(at)
    at.sidebar.text_input(key="design-f-text").input("Requirement 3").run()
    assert "design-000003" in at.markdown[0].value
    at.sidebar.multiselect(key="design-f-valid").select("fail").run()
    assert "The queue is empty under these filters." in texts(at)


def test_evidence_opens_inside_its_method_with_cited_lines_marked(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.session_state["focus-qa"] = at.session_state["qa-pinned"] = "qa-000005"
    at.run()
    ev = sample(seeded, "qa-000005")["payload"]["evidence"][0]
    body = next(h.proto.body for h in at.get("html") if "acdp-ev" in h.proto.body and "<table>" in h.proto.body)
    for n in range(ev["start_line"], ev["end_line"] + 1):
        assert f'<tr class="cited" data-line="{n}"><td class="n">{n}</td>' in body
    assert f'data-line="{ev["start_line"] - 1}"' in body  # context around the citation, numbered as in the file
    assert "white-space: pre;" in body and "position: sticky" in body  # lines scroll, numbers stay with them
    assert f"{ev['path']}:{ev['start_line']}-{ev['end_line']}" in texts(at)


def test_the_url_holds_sample_and_filters_and_a_deep_link_opens_its_sample(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.sidebar.multiselect(key="qa-f-domain").select("stock").run()
    assert (at.query_params["domain"], at.query_params["sample"]) == ("stock", "qa-000001")
    monkeypatch.setenv("ACDP_DB", str(seeded.path))
    link = AppTest.from_file("../app/main.py", default_timeout=60)
    link.query_params.update({"sample": "qa-000010", "domain": "stock", "status": "accepted"})
    link.run()
    link.switch_page("../pages/qa_review.py").run()
    assert "qa-000010" in link.markdown[0].value  # opened whatever the filters (qa-000010 is order, pending)
    assert link.sidebar.multiselect(key="qa-f-domain").value == ["stock"]
    assert link.sidebar.multiselect(key="qa-f-status").value == ["accepted"]


def test_export_page_previews_writes_and_lists_exports(monkeypatch, seeded, tmp_path):
    import json

    from core import review
    review.decide(seeded, "qa-000002", 1, "accept", "ann")
    review.edit(seeded, "qa-000003", 1, "ann", {"answer": "Curated answer: the stock check refuses the request."})
    review.decide(seeded, "qa-000004", 1, "reject", "ann", reason="duplicate")
    at = open_page(monkeypatch, seeded, "export")
    assert "2 sample(s) would be exported" in texts(at)
    assert "qa-000002" in texts(at) and "No exports yet." in texts(at)
    out = tmp_path / "export-1"
    at.text_input[0].input(str(out))
    at.button[[b.label for b in at.button].index("Write export")].click().run()
    assert not at.exception
    assert "Exported 2 sample(s)" in texts(at)
    lines = [json.loads(x) for f in ("train.jsonl", "val.jsonl") for x in (out / f).read_text().splitlines()]
    assert sorted(r["id"] for r in lines) == ["qa-000002", "qa-000003"]
    assert any("Curated answer: the stock check refuses the request." in r["messages"][2]["content"] for r in lines)
    assert at.get("download_button")  # the zip is offered
    assert list(at.dataframe[0].value["samples"]) == [2]  # past exports, with the manifest's counts


def test_domain_map_page_with_a_mapped_repo(monkeypatch, db, example_repo):
    from core.cli import main
    assert main(["map", "--db", str(db.path), "--repo", str(example_repo)]) != 0  # nothing indexed yet
    assert main(["index", "--db", str(db.path), "--repo", str(example_repo)]) == 0
    at = open_page(monkeypatch, db, "domain_map")
    assert "no domain map yet" in texts(at)
    assert main(["map", "--db", str(db.path), "--repo", str(example_repo)]) == 0
    at = open_page(monkeypatch, db, "domain_map")
    assert "No transition rules" in texts(at)  # no extract run: no state machine, and the page says so
    flows = at.selectbox(key="map-flow")
    assert len(flows.options) > 3
    # the chosen flow is drawn (an interactive component: clicking a node is tested in test_e2e_domain_map)
    assert "steps drawn" in texts(at)
    flows.select_index(len(flows.options) - 1).run()
    assert not at.exception
    code = at.code[-1].value
    assert code.splitlines()[0].split()[0].isdigit()  # the entry node's code, numbered as in the file


def test_pipeline_page_shows_run_history(monkeypatch, seeded):
    with seeded.connect() as con:
        run = repo_store.start_run(con, "shop", "index", {"lang": "en"})
        repo_store.finish_run(con, run, "ok", {"files": 42})
    at = open_page(monkeypatch, seeded, "pipeline")
    frame = at.dataframe[0].value
    assert list(frame["stage"]) == ["index"] and "files 42" in frame["counts"][0]


def test_pipeline_page_reports_bad_repo_path(monkeypatch, db, tmp_path):
    at = open_page(monkeypatch, db, "pipeline")
    at.text_input[0].input(str(tmp_path / "missing"))
    at.multiselect[0].set_value(["index"])
    at.button[0].click().run()
    assert not at.exception
    assert "not found" in texts(at) or "does not exist" in texts(at)


def test_a_stage_bug_is_one_message_and_the_page_still_renders(monkeypatch, db):
    from app import pipeline_runner

    def broken(name, ctx, args):
        raise RuntimeError("stage bug")

    monkeypatch.setattr(pipeline_runner, "run_stage", broken)
    at = open_page(monkeypatch, db, "pipeline")
    at.multiselect[0].set_value(["index"])
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Unexpected error: RuntimeError: stage bug"]
    assert "stage bug" in at.exception[0].message  # the traceback, folded under Details
    assert "Run history" in [h.value for h in at.subheader]


def test_locked_database_names_the_holder(monkeypatch, seeded):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(seeded.path)!r}); print('ok', flush=True); "
                               "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setenv("ACDP_DB", str(seeded.path))
        at = AppTest.from_file("../app/main.py", default_timeout=60).run()
        at.switch_page("../pages/qa_review.py").run()
        assert not at.exception
        shown = texts(at)
        assert "database is busy" in shown and str(holder.pid) in shown
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)


def test_app_frees_the_file_for_the_cli_when_idle(monkeypatch, seeded):
    monkeypatch.setenv("ACDP_APP_HOLD", "0.3")
    open_page(monkeypatch, seeded, "qa_review").button(key="qa-accept").click().run()
    time.sleep(0.8)
    probe = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(seeded.path)!r}).close()"],
                           capture_output=True, text=True, timeout=30)
    assert probe.returncode == 0, probe.stderr


def test_reviewer_name_survives_moving_between_pages(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review", reviewer=None)
    at.sidebar.text_input(key="_reviewer_box").input("bob").run()
    at.switch_page("../pages/pipeline.py").run()
    at.switch_page("../pages/design_review.py").run()
    assert at.sidebar.text_input(key="_reviewer_box").value == "bob"
    at.button(key="design-accept").click().run()
    assert sample(seeded, "design-000000")["reviewer"] == "bob"


def test_a_stale_tab_is_told_and_decides_again(monkeypatch, seeded):
    ann = open_page(monkeypatch, seeded, "qa_review", reviewer="ann")
    bob = open_page(monkeypatch, seeded, "qa_review", reviewer="bob")
    assert "qa-000000" in ann.markdown[0].value and "qa-000000" in bob.markdown[0].value
    bob.button_group(key="qa-reason").set_value("1 wrong answer").run()
    ann.button(key="qa-accept").click().run()
    bob.button(key="qa-reject").click().run()  # bob still sees qa-000000 as pending: refused, and told
    rec = sample(seeded, "qa-000000")
    assert (rec["status"], rec["reviewer"]) == ("accepted", "ann")
    assert "ann accepted qa-000000" in texts(bob) and "not applied" in texts(bob)
    assert "qa-000000" in bob.markdown[0].value and "accepted by ann" in texts(bob)  # the state as it is now
    bob.button(key="qa-reject").click().run()  # decided again, on what is really there
    with seeded.connect() as con:
        assert [(e["reviewer"], e["action"]) for e in store.history(con, "qa-000000")] == [("bob", "reject"), ("ann", "accept")]
    ann.button(key="qa-undo").click().run()  # ann's undo must not wipe bob's later reject
    assert sample(seeded, "qa-000000")["status"] == "rejected"
    assert "bob rejected qa" in texts(ann) and "nothing was undone" in texts(ann)


def test_audit_history_shows_who_when_what_before_after(monkeypatch, seeded):
    at = open_page(monkeypatch, seeded, "qa_review")
    at.button(key="qa-accept").click().run()
    at.button(key="qa-undo").click().run()
    at.session_state["qa-history-open"] = True
    at.run()
    history = next(d.value for d in at.dataframe if "who" in d.value.columns)
    assert list(history["action"]) == ["undo", "accept"] and set(history["who"]) == {"ann"}
    assert list(history["before"]) == ["accepted", "pending"] and list(history["after"]) == ["pending", "accepted"]
    before, after = (json.loads(j.proto.body) for j in at.json)  # the newest event, the undo, in detail
    assert (before["status"], before["reviewer"], after) == ("accepted", "ann", {"status": "pending"})


def _progress_script():
    from app.progress import StreamlitProgress

    progress = StreamlitProgress()
    progress.start("index", 4)
    for _ in range(4):
        progress.advance()
    progress.finish("4 files")
    progress.start("map")
    progress.finish()


def test_streamlit_progress_draws_one_bar_per_stage():
    at = AppTest.from_function(_progress_script).run()
    bars = at.get("progress")
    assert len(bars) == 2
    assert bars[0].proto.value == 100 and bars[0].proto.text.startswith("index: done in") and "4 files" in bars[0].proto.text
    assert bars[1].proto.text.startswith("map: done in")


def test_db_path_from_arguments_then_environment(monkeypatch, tmp_path):
    from app.state import db_path
    monkeypatch.setattr(sys, "argv", ["app/main.py", "--db", str(tmp_path / "a.duckdb")])
    monkeypatch.setenv("ACDP_DB", str(tmp_path / "b.duckdb"))
    assert db_path() == tmp_path / "a.duckdb"
    monkeypatch.setattr(sys, "argv", ["app/main.py"])
    assert db_path() == tmp_path / "b.duckdb"
    monkeypatch.delenv("ACDP_DB")
    assert db_path() == Path("data/acdp.duckdb")
