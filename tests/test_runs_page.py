"""The LoRA runs page (AppTest): a CPU smoke run launched from the form, followed to the end,
validated; a long run stopped by its PID; an export without val refused until confirmed, a stopped run
resumed, a failed validation's reason."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.train import rundir, runner
from core.train.tiny import write_smoke_export
from storage import export_store, runs_store

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"


@pytest.fixture
def page(monkeypatch, db) -> AppTest:
    assert main(["index", "--repo", str(SHOP), "--db", str(db.path)]) == 0  # the smoke export cites this repo
    monkeypatch.setenv("ACDP_DB", str(db.path))
    monkeypatch.setenv("ACDP_APP_HOLD", "0")  # the app lets go of the file at once, so `infer` can write results
    at = AppTest.from_file("../app/main.py", default_timeout=60)
    at.run()
    at.switch_page("../pages/lora_runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _runs(db) -> list[dict]:
    with db.connect() as con:
        return runs_store.list_runs(con)


def _start(at: AppTest, max_steps: int) -> None:
    at.number_input(key="ms-tiny").set_value(max_steps)
    next(b for b in at.button if b.label == "Start").click().run()
    assert not at.exception, [e.value for e in at.exception]


def _wait(at: AppTest, until, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1.0)
        at.run()
        assert not at.exception, [e.value for e in at.exception]


def _shown(at: AppTest) -> str:
    return "\n".join(x.value for x in [*at.markdown, *at.warning, *at.success, *at.info, *at.caption, *at.code])


def test_cpu_smoke_run_from_the_form_to_validated_results(page, db):
    at = page
    assert "No CUDA GPU" in _shown(at) and "CPU smoke run" in _shown(at)  # this machine has no GPU
    assert at.selectbox(key="train-base").value == "tiny local model (CPU smoke run)"
    _start(at, 12)
    (run,) = _runs(db)
    assert run["status"] == "running" and run["pid"] and "Started run" in _shown(at)
    assert any("step" in p.proto.text for p in at.get("progress"))  # live progress while it runs

    _wait(at, lambda: _runs(db)[0]["status"] != "running")
    run = _runs(db)[0]
    assert run["status"] == "finished", run["message"]
    assert run["final_metrics"]["steps"] == 12 and run["finished_at"] is not None
    assert (Path(run["run_dir"]) / "adapter" / "adapter_config.json").is_file()
    bars = [p for p in at.get("progress") if "finished: step 12/12" in p.proto.text]
    assert bars and bars[0].proto.value == 100
    assert at.get("vega_lite_chart")  # the loss curve
    assert [m.label for m in at.metric][:3] == ["train loss", "eval loss", "steps"] and at.metric[2].value == "12"

    at.number_input(key=f"lim-{run['run_id']}").set_value(2)
    at.number_input(key=f"tok-{run['run_id']}").set_value(16)
    at.button(key=f"val-{run['run_id']}").click().run()

    def validated() -> bool:
        with db.connect() as con:
            return bool(runs_store.infer_results(con, run["run_id"]))
    _wait(at, lambda: validated() and not runner.validation_running(Path(run["run_dir"])))
    at.run()
    tables = [df.value for df in at.dataframe]
    summary = next(t for t in tables if "layout %" in t.columns)
    assert sorted(summary["model"]) == ["base", "tuned"] and list(summary["answers"]) == [2, 2]


def test_stop_ends_the_training_process(page, db, tmp_path):
    """The run trains on a past export picked from the exports table, until Stop."""
    export = write_smoke_export(SHOP, tmp_path / "past-export")
    with db.connect() as con:
        export_store.record_export(con, "exp-1", str(export), datetime(2026, 1, 2, 3, 4), {"counts": {"train": 32, "val": 8}})
    at = page
    at.run()
    choice = at.selectbox(key="train-export-True")
    label = next(o for o in choice.options if o.startswith(str(export)))
    assert "(32 train / 8 val)" in label
    choice.select(label).run()
    _start(at, 1_000_000)
    run = _runs(db)[0]
    assert run["export_dir"] == str(export)
    _wait(at, lambda: runner.read_run(Path(run["run_dir"])).step >= 1)  # it trains
    assert runner.is_alive(run["pid"])
    at.button(key=f"stop-{run['run_id']}").click().run()
    assert not runner.is_alive(run["pid"])
    run = _runs(db)[0]
    assert run["status"] == "stopped" and run["finished_at"] is not None
    assert "stopped" in _shown(at)


def test_the_page_on_an_empty_database_offers_the_smoke_run(monkeypatch, db):
    monkeypatch.setenv("ACDP_DB", str(db.path))
    at = AppTest.from_file("../app/main.py", default_timeout=60)
    at.run()
    at.switch_page("../pages/lora_runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No runs yet" in _shown(at)
    assert at.selectbox(key="train-export-True").options[0] == "smoke export built from the indexed repository"
    at.selectbox(key="train-base").select("Qwen/Qwen2.5-7B-Instruct").run()
    assert at.number_input(key="bs-7B").value == 1 and at.number_input(key="ga-7B").value == 16  # the size's defaults


def test_an_export_without_val_is_refused_in_red_until_confirmed(page, db, tmp_path):
    at = page
    export = write_smoke_export(SHOP, tmp_path / "no-val")
    (export / "val.jsonl").write_text("")
    at.selectbox(key="train-export-True").select("another directory…").run()
    at.text_input(key="train-export-dir").input(str(export)).run()
    assert f"`{export}` has no validation split" in at.error[0].value   # red, above the form
    _start(at, 2)
    assert not _runs(db) and "Not started: this export has no validation split" in at.error[-1].value
    assert not at.checkbox(key="train-no-val").value                  # the confirmation it asks for


def test_no_val_export_needs_confirmation_a_stopped_run_resumes_and_a_failed_validation_says_why(page, db,
                                                                                               tmp_path):
    at = page
    export = write_smoke_export(SHOP, tmp_path / "no-val")
    (export / "val.jsonl").write_text("")
    at.selectbox(key="train-export-True").select("another directory…").run()
    at.text_input(key="train-export-dir").input(str(export)).run()
    assert "has no validation split" in "\n".join(e.value for e in at.error)
    at.number_input(key="train-save").set_value(2)
    _start(at, 40)
    assert not _runs(db) and "Tick 'Train without a validation split'" in "\n".join(e.value for e in at.error)

    at.checkbox(key="train-no-val").check()
    _start(at, 400)          # long enough to be stopped mid-way on a quiet machine (40 steps take ~2 s)
    (run,) = _runs(db)
    assert "--save-steps 2" in "\n".join(c.value for c in at.code)  # the command it runs is shown
    _wait(at, lambda: rundir.last_checkpoint(Path(run["run_dir"])) is not None)
    at.button(key=f"stop-{run['run_id']}").click().run()
    assert _runs(db)[0]["status"] == "stopped"

    at.button(key=f"resume-{run['run_id']}").click().run()  # continues from its last checkpoint to the end
    assert not at.exception, [e.value for e in at.exception]
    _wait(at, lambda: _runs(db)[0]["status"] != "running", timeout=240)
    run = _runs(db)[0]
    assert run["status"] == "finished", run["message"]
    final = run["final_metrics"]
    assert final["steps"] == 400 and final["resumed_from"].startswith("checkpoint-")

    at.button(key=f"val-{run['run_id']}").click().run()  # an export without val: the validation fails
    _wait(at, lambda: not runner.validation_running(Path(run["run_dir"])))
    at.run()
    assert "Validation failed: the export" in "\n".join(e.value for e in at.error)
