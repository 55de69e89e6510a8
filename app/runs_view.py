"""The LoRA runs page: the start form, live progress, runs table, validation results.

Runs are separate processes (core.train.runner); every view here is drawn
from the run directory and train_runs, so a page reload, a second browser
tab or a restarted app shows the same state.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from app import run_table
from app.state import database, flash, problems_shown, show_flashes
from core.errors import UserError
from core.train import rundir, runner
from core.train.config import DEFAULT_BASE_MODEL, SIZE_DEFAULTS, detect_size
from core.train.strict import summarize
from storage import Database, dashboard_store, export_store, runs_store
from storage import repos as repo_store

TINY = "tiny local model (CPU smoke run)"
LOCAL = "local directory…"
BASE_MODELS = (TINY, DEFAULT_BASE_MODEL, "Qwen/Qwen2.5-1.5B-Instruct", "Qwen/Qwen2.5-7B-Instruct", LOCAL)
SMOKE_EXPORT = "smoke export built from the indexed repository"
ENGINES = {"DDP (one process per GPU)": None, "DeepSpeed ZeRO-2": "zero2", "DeepSpeed ZeRO-3": "zero3"}
OTHER_EXPORT = "another directory…"
EXAMPLE_REPO = Path(__file__).resolve().parent.parent / "examples" / "shop"


@st.cache_resource(show_spinner="Looking for a GPU …")
def gpu_status() -> tuple[bool, str]:
    import torch

    if not torch.cuda.is_available():
        return False, "No CUDA GPU is visible to torch"
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return True, f"{len(names)} CUDA GPU(s): " + ", ".join(names)


def workspace(db: Database) -> Path:
    """Runs, the tiny model and smoke exports live beside the database file."""
    return db.path.resolve().parent


def _tiny_model(db: Database) -> Path:
    from core.train.tiny import build_tiny_model

    return build_tiny_model(workspace(db) / "tiny-qwen2")


def _smoke_export(db: Database) -> Path:
    from core.train.tiny import write_smoke_export

    with db.connect() as con:
        latest = repo_store.latest_repo(con)
    root = Path(latest["root"]) if latest else EXAMPLE_REPO
    return write_smoke_export(root, workspace(db) / "smoke-export")


def _export_options(db: Database, smoke: bool) -> dict[str, str | None]:
    with db.connect() as con:
        exports = export_store.list_exports(con)
    options: dict[str, str | None] = {}
    for rec in exports:
        counts = rec["manifest"].get("counts", {})
        size = f" ({counts.get('train', '?')} train / {counts.get('val', '?')} val)" if isinstance(counts, dict) else ""
        flag = "[no validation split] " if isinstance(counts, dict) and counts.get("val") == 0 else ""
        options[f"{flag}{rec['out_dir']} · {rec['created_at']:%Y-%m-%d %H:%M}{size}"] = rec["out_dir"]
    if smoke:
        options[SMOKE_EXPORT] = None
    options[OTHER_EXPORT] = ""
    return options


def start_form(db: Database) -> None:
    """Base model and export outside the form (hyperparameter defaults follow the model size), then Start."""
    has_cuda, gpu_text = gpu_status()
    if has_cuda:
        st.success(gpu_text, icon=":material/memory:")
    else:
        st.warning(f"{gpu_text}: fine-tuning a Qwen2.5 model on the CPU is impractically slow. "
                   "Choose the **CPU smoke run** on a tiny local model to check the whole path (data, training, "
                   "metrics, adapter, validation) in seconds, or run on a GPU machine (see docs/training.md).",
                   icon=":material/memory:")
    left, right = st.columns(2)
    choice = left.selectbox("Base model", BASE_MODELS, index=1 if has_cuda else 0, key="train-base")
    base = choice
    if choice == LOCAL:
        base = left.text_input("Model directory", key="train-base-dir", placeholder="/models/Qwen2.5-0.5B-Instruct")
    smoke = choice == TINY
    options = _export_options(db, smoke)
    export_label = right.selectbox("Export", list(options), key=f"train-export-{smoke}")
    export_dir = options[export_label]
    if export_label == OTHER_EXPORT:
        export_dir = right.text_input("Export directory", key="train-export-dir",
                                      placeholder="exports/latest (holds train.jsonl, val.jsonl)")
    size = "tiny" if smoke else detect_size(base or DEFAULT_BASE_MODEL)
    d = SIZE_DEFAULTS[size]
    busy = runner.gpu_runs(db) if not smoke else []
    if busy:
        st.warning("A GPU is already in use by run " + ", ".join(f"`{r['run_id']}`" for r in busy) +
                   ": a second run on the same GPU shares its memory and may run out of it.", icon=":material/warning:")
    no_val = bool(export_dir) and not runner.has_val(export_dir)
    if no_val:
        st.error(f"**`{export_dir}` has no validation split** (val.jsonl is missing or empty): training on it "
                 "measures no eval loss, keeps no best adapter and leaves nothing to validate on. Export again "
                 "with a validation share above 0, or confirm below to train without it.", icon=":material/rule:")
    with st.form("train-form"):
        st.caption(f"Defaults for the **{size}** size; LoRA on q, k, v, o, gate, up, down projections.")
        c = st.columns(4)
        hyper = {
            "epochs": c[0].number_input("Epochs", 0.1, 100.0, float(d["epochs"]), 0.5, key=f"ep-{size}"),
            "learning_rate": c[1].number_input("Learning rate", 1e-6, 1.0, float(d["learning_rate"]), format="%.1e",
                                               key=f"lr-{size}"),
            "max_length": c[2].number_input("Max length (tokens)", 64, 32768, d["max_length"], 64, key=f"ml-{size}",
                                            help="--max-length: longer samples are dropped"),
            "max_steps": c[3].number_input("Max steps (0 = all epochs)", 0, 10**7, 30 if smoke else 0,
                                           key=f"ms-{size}"),
            "lora_r": c[0].number_input("LoRA r", 1, 512, d["lora_r"], key=f"r-{size}"),
            "lora_alpha": c[1].number_input("LoRA alpha", 1, 1024, d["lora_alpha"], key=f"a-{size}"),
            "lora_dropout": c[2].number_input("LoRA dropout", 0.0, 0.9, float(d["lora_dropout"]), 0.05,
                                              key=f"dr-{size}"),
            "batch_size": c[3].number_input("Batch size (per device)", 1, 512, d["batch_size"], key=f"bs-{size}",
                                            help="--batch-size: lower it when GPU memory runs out"),
            "grad_accum": c[0].number_input("Gradient accumulation", 1, 512, d["grad_accum"], key=f"ga-{size}",
                                            help="--grad-accum: raise it to keep the effective batch"),
            "gpus": c[1].number_input("GPUs", 1, 64, 1, key="train-gpus", disabled=smoke,
                                      help="more than 1: `accelerate launch` starts one process per GPU (DDP)"),
            "deepspeed": ENGINES[c[2].selectbox("Engine", list(ENGINES), key="train-engine", disabled=smoke)],
            "save_steps": c[3].number_input("Checkpoint every N steps (0 = per epoch)", 0, 10**7, 0, key="train-save",
                                            help="--save-steps: what Resume continues from"),
            "packing": c[0].checkbox("Packing (padding-free)", key="train-packing"),
            "merge": c[1].checkbox("Write a merged model", key="train-merge", help="base + adapter, e.g. for vLLM"),
        }
        confirmed = no_val and st.checkbox("Train without a validation split (no eval loss, no best adapter, "
                                           "nothing to validate on)", key="train-no-val")
        started = st.form_submit_button("Start", type="primary", icon=":material/play_arrow:")
    if started:
        _start(db, base, smoke, export_dir, hyper, no_val and not confirmed)


# form values that mean "the train command's default": left off its command line
_UNSET = {"max_steps": 0, "save_steps": 0, "packing": False, "merge": False, "deepspeed": None, "gpus": 1}


def _start(db: Database, base: str, smoke: bool, export_dir: str | None, hyper: dict, refuse_no_val: bool) -> None:
    if not base:
        raise UserError("give the base model: a hub id or a local model directory")
    if refuse_no_val:
        st.error("**Not started: this export has no validation split.** Tick 'Train without a validation split' "
                 "to train on it anyway, or export again with a validation share above 0.", icon=":material/block:")
        return
    if smoke:
        with st.spinner("Building the tiny local model …"):
            base = str(_tiny_model(db))
    if export_dir is None:
        export_dir = str(_smoke_export(db))
    if not export_dir or not (Path(export_dir) / "train.jsonl").is_file():
        raise UserError(f"{export_dir or 'no directory'} holds no train.jsonl: pick a past export or run the Export page")
    hyper = {k: v for k, v in hyper.items() if k not in _UNSET or v != _UNSET[k]}
    if smoke:
        hyper["device"] = "cpu"
    run_id = runner.start_run(db, workspace(db) / "runs", export_dir, base, **hyper)
    st.session_state["train-selected"] = run_id
    with db.connect() as con:
        command = (runs_store.get_run(con, run_id)["config"] or {}).get("command", [])
    st.success(f"Started run `{run_id}`.", icon=":material/rocket_launch:")
    st.code(" ".join(command[1:]), language="bash")


def _runs(db: Database) -> list[dict]:
    with db.connect() as con:
        return runs_store.list_runs(con)


def live_runs(db: Database) -> None:
    """Every running run with its progress; redrawn every 2 s until none is running."""
    if any(r["status"] in ("running", "queued") for r in _runs(db)):
        _live(db)


@st.fragment(run_every=2.0)
def _live(db: Database) -> None:
    running = [r for r in _runs(db) if r["status"] in ("running", "queued")]
    changed = False
    for run in running:
        view = runner.sync_run(db, run)
        changed |= view.state not in ("running", "queued")
        with st.container(border=True):
            st.markdown(f"**{run['run_id']}** · {run['base_model']} · {view.state}")
            progress(view)
            if view.state == "running":
                st.button("Stop", key=f"stop-{run['run_id']}", icon=":material/stop:", on_click=_stop, args=(db, run))
            loss_chart(view)
            st.code(view.log_tail or "(no output yet)", language=None)
    if changed:
        st.rerun()  # a run ended: redraw the whole page (runs table, details)


def _stop(db: Database, run: dict) -> None:
    view = runner.stop_run(db, run)
    flash(f"Run {run['run_id']}: {view.state}.", "info")


def progress(view: runner.RunView) -> None:
    eta = f" · ETA {view.eta_s:.0f} s" if view.eta_s is not None and view.state == "running" else ""
    total = f"/{view.max_steps}" if view.max_steps else ""
    st.progress(view.fraction, text=f"{view.state}: step {view.step}{total}{eta}")
    if view.reason:
        (st.error if view.state == "failed" else st.info)(view.reason)


def loss_chart(view: runner.RunView) -> None:
    rows = [{"step": m["step"], "loss": m["loss"], "series": "train"} for m in view.train]
    rows += [{"step": m["step"], "loss": m["eval_loss"], "series": "eval"} for m in view.eval]
    if rows:
        st.line_chart(pd.DataFrame(rows), x="step", y="loss", color="series", height=220)


def final_metrics(final: dict) -> None:
    cols = st.columns(6)
    figures = (("train loss", final.get("train_loss"), "{:.4f}"), ("eval loss", final.get("eval_loss"), "{:.4f}"),
               ("steps", final.get("steps"), "{}"), ("tokens/s", final.get("tokens_per_s"), "{:,.0f}"),
               ("runtime", final.get("runtime_s"), "{:.0f} s"), ("peak memory", final.get("peak_memory_mb"), "{:,.0f} MB"))
    for col, (label, value, fmt) in zip(cols, figures):
        col.metric(label, "–" if value is None else fmt.format(value))


_SUMMARY_COLUMNS = {"answers": "answers", "layout_pct": "layout %", "citation_pct": "citations valid %",
                    "identifier_pct": "no invented names %", "support_pct": "claims supported %",
                    "rouge_l": "ROUGE-L F1"}


def _duration(run: dict) -> float | None:
    if not run["started_at"]:
        return None
    end = run["finished_at"] or datetime.now()
    return round((end - run["started_at"]).total_seconds(), 1)


def runs_table(db: Database) -> list[dict]:
    runs = _runs(db)
    if not runs:
        st.caption("No runs yet: start one above (or `python -m core train ...`, then `python -m core infer` "
                   "registers it here).")
        return runs
    frame = pd.DataFrame([{
        "run": r["run_id"], "status": r["status"], "base model": r["base_model"], "started": r["started_at"],
        "duration s": _duration(r), "steps": (r["final_metrics"] or {}).get("steps"),
        "train loss": (r["final_metrics"] or {}).get("train_loss"), "eval loss": (r["final_metrics"] or {}).get("eval_loss"),
        "tokens/s": (r["final_metrics"] or {}).get("tokens_per_s"),
        "adapter": str(Path(r["run_dir"]) / rundir.ADAPTER) if r["status"] == "finished" else "",
        "message": r["message"] or "",
    } for r in runs])
    run_table.show(frame, "duration s", "message")
    return runs


def run_details(db: Database, runs: list[dict]) -> None:
    if not runs:
        return
    ids = [r["run_id"] for r in runs]
    selected = st.session_state.get("train-selected")
    run_id = st.selectbox("Run", ids, index=ids.index(selected) if selected in ids else 0, key="train-details")
    run = next(r for r in runs if r["run_id"] == run_id)
    view = runner.read_run(Path(run["run_dir"]))
    if view.state == "running":
        st.caption("Running: its live progress, loss curves and log are shown above.")
        return
    progress(view)
    if runner.can_resume(run):
        if st.button("Resume from the last checkpoint", key=f"resume-{run_id}", icon=":material/replay:"):
            runner.resume_run(db, run)
            flash(f"Run {run_id} resumed from its last checkpoint.", "info")
            st.rerun()
    if view.final:
        final_metrics(view.final)
    loss_chart(view)
    command = (run["config"] or {}).get("command")
    st.caption(f"Run directory `{run['run_dir']}` · export `{run['export_dir']}`")
    if command:
        st.code(" ".join(command[1:]), language="bash")
    with st.expander("Log tail"):
        st.code(view.log_tail or "(empty)", language=None)
    st.markdown("**Strict inference validation** (base vs base+adapter on the export's val questions)")
    validation(db, run, view)


@st.fragment(run_every=2.0)
def _validation_wait(run_dir: Path) -> None:
    if not runner.validation_running(run_dir):
        st.rerun()  # results are in: redraw the page with them
    st.info("Validation is running …", icon=":material/hourglass:")
    st.code(rundir.tail(run_dir / runner.INFER_LOG, 10) or "(starting)", language=None)


def validation_failure(db: Database, run_dir: Path) -> str | None:
    """Why the run's last validation failed: the reason stored with its `infer` stage run, else (a process
    that died before recording it) the `error:` line of its log."""
    if runner.validation_running(run_dir):
        return None
    with db.connect() as con:
        last = dashboard_store.last_validation_run(con, str(run_dir.resolve()))
    if last is not None:
        return (last["message"] or "no reason recorded") if last["status"] != "ok" else None
    return runner.validation_error(run_dir)


def validation(db: Database, run: dict, view: runner.RunView) -> None:
    run_dir = Path(run["run_dir"])
    with db.connect() as con:
        rows = runs_store.infer_results(con, run["run_id"])
    if runner.validation_running(run_dir):
        _validation_wait(run_dir)
    elif view.state == "finished":
        c = st.columns(5)
        limit = c[0].number_input("Questions (0 = all)", 0, 100000, 0, key=f"lim-{run['run_id']}")
        tokens = c[1].number_input("Max new tokens (0 = follow the reference answers)", 0, 8192, 0, 16,
                                   key=f"tok-{run['run_id']}")
        batch = c[2].number_input("Batch size", 1, 512, 8, key=f"vbs-{run['run_id']}",
                                  help="questions generated together (--batch-size); lower it when GPU memory runs out")
        device = c[3].selectbox("Device", ("auto", "cpu", "cuda"), key=f"dev-{run['run_id']}", help="--device")
        if c[4].button("Validate", key=f"val-{run['run_id']}", icon=":material/rule:"):
            runner.start_validation(db, run_dir, limit or None, tokens or None, int(batch),
                                    None if device == "auto" else device)
            st.rerun()
    if error := validation_failure(db, run_dir):
        st.error(f"Validation failed: {error}", icon=":material/error:")
    if not rows:
        st.caption("No validation results for this run yet.")
        return
    summary = summarize(rows)
    st.dataframe(pd.DataFrame([{"model": kind, **{_SUMMARY_COLUMNS[k]: v for k, v in values.items()}}
                               for kind, values in summary.items()]), hide_index=True)
    st.dataframe(pd.DataFrame([{
        "sample": r["sample_id"], "model": r["model_kind"], "layout": r["layout_ok"], "citations": r["citations_ok"],
        "unknown names": ", ".join(r["unknown_identifiers"]), "supported": r["supported"],
        "unsupported claims": "; ".join(r["unsupported"])[:300], "ROUGE-L": r["overlap"], "output": r["output"][:300],
    } for r in rows]), hide_index=True, width="stretch")


def render() -> None:
    """Each part in its own error box: a locked database in one leaves the others drawn."""
    st.title("LoRA runs")
    db = database()
    show_flashes()
    with problems_shown():
        start_form(db)
    with problems_shown():
        live_runs(db)
    st.subheader("Runs")
    with problems_shown():
        run_details(db, runs_table(db))
