"""The landing dashboard and the loud failures (AppTest and stores): its figures are the database's, counted
independently here in plain SQL; the app opens on it; failed stages and failed validations say why on the page;
an export without a validation split must be acknowledged."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_review_support import seed

from app.runs_view import validation_failure
from core import review
from core.cli import main
from storage import dashboard_store, runs_store, samples_store
from storage import repos as repo_store


def _app(monkeypatch, db, page: str | None = None) -> AppTest:
    monkeypatch.setenv("ACDP_DB", str(db.path))
    monkeypatch.setenv("ACDP_REVIEWER", "ann")
    at = AppTest.from_file("../app/main.py", default_timeout=60).run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def decided(db):
    """16 seeded samples (12 QA, 4 design; order and stock); ann and bob decide some, one of ann's is undone."""
    samples = seed(db)
    qa = [s for s in samples if s.task_type == "qa"]
    for s in qa[:6]:
        review.decide(db, s.sample_id, 1, "accept", "ann")
    review.decide(db, qa[6].sample_id, 1, "reject", "ann", "duplicate")
    review.decide(db, qa[7].sample_id, 1, "reject", "ann", "wrong answer")
    review.decide(db, qa[8].sample_id, 1, "accept", "ann")
    review.undo(db, "ann")                                        # qa[8] is pending again
    review.decide(db, qa[0].sample_id, 1, "reject", "bob", "duplicate")   # bob disagrees on qa[0]
    review.decide(db, qa[1].sample_id, 1, "accept", "bob")
    return db


def _sql(db, query: str, params: list | None = None) -> list[tuple]:
    with db.connect() as con:
        return con.execute(query, params or []).fetchall()


def test_figures_are_the_databases(decided):
    db = decided
    with db.connect() as con:
        progress = dashboard_store.review_progress(con)
        reasons = dashboard_store.reject_reasons(con)
        pending = dashboard_store.pending_groups(con)
        throughput = dashboard_store.throughput(con)
        validation = dashboard_store.validation_outcome(con)
    by_status = {}
    for row in progress:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    expected = dict(_sql(db, "SELECT COALESCE(r.status, 'pending'), count(*) FROM samples s LEFT JOIN review_state r "
                             "USING (sample_id, version) WHERE s.is_current GROUP BY 1"))
    assert by_status == expected == {"accepted": 5, "rejected": 3, "pending": 8}   # bob's reject overrode ann's accept
    assert {r["reason"]: r["n"] for r in reasons} == {"duplicate": 2, "wrong answer": 1}
    assert sum(g["n"] for g in pending) == 8
    assert [(g["task_type"], g["domain"], g["n"]) for g in pending] == _sql(
        db, "SELECT s.task_type, s.domain, count(*) FROM samples s LEFT JOIN review_state r USING (sample_id, version) "
            "WHERE r.status IS NULL GROUP BY ALL ORDER BY 3 DESC, 1 DESC, 2")
    # the undone accept is no decision: ann 8, bob 2
    assert {r["reviewer"]: r["decisions"] for r in throughput} == {"ann": 8, "bob": 2}
    assert {(v["task_type"], v["result"]): v["n"] for v in validation} == dict(
        ((t, q), n) for t, q, n in _sql(db, "SELECT s.task_type, q.status, count(*) FROM samples s JOIN sample_quality q "
                                            "USING (sample_id, version) GROUP BY ALL"))


def test_the_app_opens_on_the_dashboard_with_the_next_action_as_a_filtered_link(monkeypatch, decided):
    at = _app(monkeypatch, decided)
    assert [t.value for t in at.title] == ["Dashboard"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Samples"], metrics["Pending"], metrics["Accepted"], metrics["Rejected"]) == ("16", "8", "5", "3")
    links = [p.proto for p in at.get("page_link")]
    first = next(p for p in links if "pending" in p.label)
    top = _sql(decided, "SELECT s.task_type, s.domain, count(*) FROM samples s LEFT JOIN review_state r "
                        "USING (sample_id, version) WHERE r.status IS NULL GROUP BY ALL ORDER BY 3 DESC, 1 DESC, 2")[0]
    noun = {"qa": "QA", "design": "design"}[top[0]]
    assert first.label == f"**{top[2]} pending {top[1]} {noun} samples — review**"
    assert first.page == {"qa": "qa_review", "design": "design_review"}[top[0]]
    assert f"status=pending&domain={top[1]}&rule=&valid=" in first.query_string
    (pair,) = next(d.value for d in at.dataframe if "reviewers" in d.value.columns).to_dict("records")
    # ann and bob both decided qa-0 (accept / reject) and qa-1 (accept / accept): 1 of 2 agreed, and with
    # ann accepting everything, chance alone agrees half the time: kappa 0
    assert (pair["reviewers"], pair["samples"], pair["agreed"], pair["agreement"], pair["Cohen's kappa"]) == (
        "ann · bob", 2, 1, 50.0, 0.0)


def test_a_dashboard_link_opens_the_review_queue_on_exactly_its_filters(monkeypatch, decided):
    at = _app(monkeypatch, decided, "qa_review")
    at.multiselect(key="qa-f-rule").set_value(["guard"]).run()     # a filter left from before
    at.switch_page("../pages/dashboard.py").run()
    link = next(p.proto for p in at.get("page_link") if "pending stock QA" in p.label)
    for name, value in (pair.split("=") for pair in link.query_string.split("&")):
        at.query_params[name] = value.replace("+", " ")
    at.switch_page("../pages/qa_review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="qa-f-status").value == ["pending"]
    assert at.multiselect(key="qa-f-domain").value == ["stock"]
    assert at.multiselect(key="qa-f-rule").value == []


def test_a_failed_stage_shows_its_stored_reason_on_the_dashboard_and_the_pipeline_page(monkeypatch, decided):
    with decided.connect() as con:
        ok = repo_store.start_run(con, "shop", "generate", {})
        repo_store.finish_run(con, ok, "ok", {"samples": 16})
        bad = repo_store.start_run(con, "shop", "validate", {})
        repo_store.finish_run(con, bad, "failed", message="--dup-threshold must be in (0, 1], got 2.0")
    for page in (None, "pipeline"):
        at = _app(monkeypatch, decided, page)
        errors = "\n".join(e.value for e in at.error)
        assert "**validate**" in errors and "--dup-threshold must be in (0, 1], got 2.0" in errors
        assert "generate" not in errors
    with decided.connect() as con:  # a later successful run of the stage clears it
        again = repo_store.start_run(con, "shop", "validate", {})
        repo_store.finish_run(con, again, "ok", {})
    assert not _app(monkeypatch, decided).error


def test_a_failed_validation_run_is_read_from_its_stored_stage_run(monkeypatch, decided, tmp_path):
    run_dir = tmp_path / "runs" / "r1"
    run_dir.mkdir(parents=True)
    assert validation_failure(decided, run_dir) is None
    assert main(["infer", "--run", str(run_dir), "--db", str(decided.path)]) == 2   # no finished run there
    (row,) = _sql(decided, "SELECT status, message, params FROM pipeline_runs WHERE stage = 'infer'")
    assert row[0] == "failed" and json.loads(row[2])["run"] == str(run_dir.resolve())
    assert validation_failure(decided, run_dir) == row[1] and "holds no finished training run" in row[1]
    assert not (run_dir / "infer.log").exists()       # the reason came from the database, not from a log
    at = _app(monkeypatch, decided)                    # the dashboard says it too, and where to run it again
    assert "**infer** on `shop` failed" in "\n".join(e.value for e in at.error)
    assert [p.proto.label for p in at.get("page_link") if p.proto.page == "lora_runs"] == [
        "Open the LoRA runs page to run it again"]
    with decided.connect() as con:                     # and the run's own page, under its details
        runs_store.insert_run(con, "r1", str(run_dir), str(tmp_path / "exp"), "tiny", {}, pid=None)
        runs_store.update_run(con, "r1", "finished", finished=True)
    at.switch_page("../pages/lora_runs.py").run()
    assert f"Validation failed: {row[1]}" in "\n".join(e.value for e in at.error)


def test_an_export_without_validation_split_must_be_acknowledged(monkeypatch, decided, tmp_path):
    at = _app(monkeypatch, decided, "export")
    at.slider(key="export-val").set_value(0.0)
    at.text_input(key="export-out").input(str(tmp_path / "exp"))
    next(b for b in at.button if b.label == "Write export").click().run()
    assert not at.exception, [e.value for e in at.exception]
    manifest = json.loads((tmp_path / "exp" / "manifest.json").read_text())
    assert manifest["counts"]["val"] == 0 and manifest["counts"]["train"] == 5
    assert "has no validation split" in "\n".join(e.value for e in at.error)
    assert not [b for b in at.get("download_button")]                   # nothing to download before acknowledging
    at.run()                                                             # still asked on the next rerun
    assert "has no validation split" in "\n".join(e.value for e in at.error)
    at.button(key="ack-no-val").click().run()
    assert not at.error and at.get("download_button")
    assert "have no validation split (val 0)" in "\n".join(w.value for w in at.warning)  # past exports say it too


def test_the_export_page_offers_the_flags_its_messages_name(monkeypatch, decided, tmp_path):
    out = tmp_path / "exp"
    out.mkdir()
    at = _app(monkeypatch, decided, "export")
    captions = "\n".join(c.value for c in at.caption)
    assert "8 pending (tick *Include pending samples that pass validation*)" in captions
    assert "--include-pending" not in captions
    at.text_input(key="export-out").input(str(out))
    next(b for b in at.button if b.label == "Write export").click().run()
    assert "tick *Replace the directory if it exists*" in "\n".join(w.value for w in at.warning)
    assert "--force" not in "\n".join(w.value for w in at.warning)
    at.selectbox(key="export-context").select("open-book (evidence code in the prompt)")
    at.checkbox(key="export-force").check()
    at.checkbox(key="export-parquet").check()
    next(b for b in at.button if b.label == "Write export").click().run()
    assert not at.exception, [e.value for e in at.exception]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["context"] == "evidence" and "train.parquet" in manifest["files"]
    assert Path(out / "val.parquet").is_file()


def test_a_failed_lora_run_says_why_on_the_dashboard(monkeypatch, decided, tmp_path):
    with decided.connect() as con:
        runs_store.insert_run(con, "run-1", str(tmp_path / "run-1"), str(tmp_path / "exp"), "Qwen/Qwen2.5-0.5B-Instruct",
                              {}, pid=None)
        runs_store.update_run(con, "run-1", "failed", "out of GPU memory (CUDA): lower --batch-size", finished=True)
    at = _app(monkeypatch, decided)
    assert "LoRA run **run-1** failed: out of GPU memory (CUDA)" in "\n".join(e.value for e in at.error)
    assert any(p.proto.page == "lora_runs" for p in at.get("page_link"))


def test_the_pipeline_page_passes_the_options_its_messages_name(monkeypatch, decided):
    at = _app(monkeypatch, decided, "pipeline")
    at.multiselect[0].set_value(["validate"])
    next(b for b in at.button if b.label == "Run pipeline").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="pipeline-dup-threshold").set_value(0.05)    # everything alike is a duplicate now
    next(b for b in at.button if b.label == "Run pipeline").click().run()
    assert not at.exception, [e.value for e in at.exception]
    default, loose = (json.loads(c)["dup_dropped"] for (c,) in _sql(
        decided, "SELECT counts FROM pipeline_runs WHERE stage = 'validate' ORDER BY run_id"))
    assert loose > default


def test_answers_generation_could_not_get_are_said_with_their_reasons(monkeypatch, decided):
    with decided.connect() as con:
        for n in range(3):
            samples_store.record_failure(con, "shop", f"in-x{n}", f"rule-{n}", "anthropic",
                                         "answer fails the gate: cites E3, which is not in the evidence", 3,
                                         datetime(2026, 1, 2))
        samples_store.record_failure(con, "shop", "in-y", "rule-9", "anthropic", "rate limited 5 times", 5,
                                     datetime(2026, 1, 2))
    for page in (None, "pipeline"):
        warned = "\n".join(w.value for w in _app(monkeypatch, decided, page).warning)
        assert ("**4 sample(s) could not be generated** (anthropic): 3× answer fails the gate: cites E3, which is "
                "not in the evidence; 1× rate limited 5 times") in warned
    assert "Tick *Ask again for answers recorded as failed*" in warned   # the control the Pipeline page has
