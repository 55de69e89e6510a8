"""The Pipeline page: run stages from the app on the CLI's code path (core.pipeline.run_stage), and the run history."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from app import failures, llm_cost, run_table
from app.progress import StreamlitProgress
from app.state import database, problems_shown
from core.context import DEFAULT_DOMAINS, Context
from core.pipeline import PIPELINE, exclusive, run_stage, stage_args
from core.validate.runner import DEFAULT_DUP_THRESHOLD
from storage import Database, dashboard_store
from storage import repos as repo_store


def run_stages(db: Database, repo: Path, domains: list[str], lang: str, backend: str, stages: tuple[str, ...],
               overrides: dict | None = None) -> dict:
    """Run `stages` in order with a progress bar each; the first failure stops the run and is raised.

    An LLM generation shows its cost estimate before it starts and its bill (every attempt) after."""
    box = st.container(border=True)
    progress = StreamlitProgress(box)
    ctx = Context(db=db, repo=repo, domains=domains, backend=backend, lang=lang, progress=progress)
    args = stage_args(stages, **(overrides or {}))
    counts = {}
    status = st.status(f"Running {' → '.join(stages)}", expanded=True)
    with exclusive(ctx, f"app: {' -> '.join(stages)} (pid {os.getpid()})"):   # one run per database, as the CLI
        for name in stages:
            status.update(label=f"Running {name} …")
            if name == "generate" and backend != "template":
                status.write(llm_cost.estimate_text(llm_cost.estimate(db, repo, domains, lang, backend, overrides or {})))
            try:
                counts[name] = run_stage(name, ctx, args)
            except BaseException:
                status.update(label=f"{name} failed", state="error", expanded=True)
                raise
            status.write(f"**{name}**: {_counts_text(counts[name])}")
            if spent := llm_cost.spend_text(counts[name]):
                status.write(f"**{name} cost**: {spent}")
    status.update(label="Pipeline finished", state="complete", expanded=False)
    return counts


def _counts_text(counts: dict) -> str:
    flat = {k: v for k, v in counts.items() if isinstance(v, int | float | str)}
    return ", ".join(f"{k} {v}" for k, v in flat.items()) or "done"


def history_table(db: Database, limit: int = 50) -> pd.DataFrame:
    with db.connect() as con:
        runs = repo_store.run_history(con, limit)
    return pd.DataFrame([{
        "run": r["run_id"], "repo": r["repo_id"], "stage": r["stage"], "status": r["status"],
        "reason": r["message"] or "", "started": r["started_at"],
        "seconds": (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else None,
        "LLM tokens": _tokens(r["counts"]), "cost (USD)": (r["counts"] or {}).get("cost_usd"),
        "counts": _counts_text(r["counts"]) if r["counts"] else "",
        "params": json.dumps(r["params"], ensure_ascii=False),
    } for r in runs])


def _tokens(counts: dict | None) -> str:
    if not counts or not counts.get("llm_calls"):
        return ""
    return f"{counts.get('tokens_in', 0):,} in / {counts.get('tokens_out', 0):,} out"


def _more_options() -> dict:
    """The stage flags that error messages name (--base-url, --retry-failed, --domain-config, --requirements,
    --full), as fields of the run form; an empty field keeps the flag's default."""
    left, right = st.columns(2)
    base_url = left.text_input("OpenAI-compatible server URL (--base-url)", placeholder="http://localhost:8000/v1",
                               help="for the openai backend; default OPENAI_BASE_URL")
    requirements = right.text_input("Design requirements file (--requirements)", placeholder="examples/requirements.yaml",
                                    help="a YAML list of user requirements for design samples")
    domain_config = left.text_input("Domain keyword file (--domain-config)", placeholder="domains.yaml",
                                    help="YAML adding or replacing domain keyword profiles, for domains not built in")
    retry_failed = right.checkbox("Ask again for answers recorded as failed (--retry-failed)",
                                  help="otherwise a failed LLM answer is never paid for twice")
    full = right.checkbox("Parse every file again (--full)", help="index even the files unchanged since the last run")
    dup_threshold = left.number_input("Near-duplicate threshold (--dup-threshold)", 0.05, 1.0, DEFAULT_DUP_THRESHOLD,
                                      0.05, key="pipeline-dup-threshold",
                                      help="validate: Jaccard similarity above which samples count as duplicates")
    return {"base_url": base_url.strip() or None, "requirements": Path(requirements.strip()) if requirements.strip() else None,
            "domain_config": Path(domain_config.strip()) if domain_config.strip() else None,
            "retry_failed": retry_failed, "full": full, "dup_threshold": dup_threshold}


def show_failures(db: Database) -> None:
    """Every stage whose last run failed, with the reason stored with the run (not only in a log), and the
    answers generation could not get."""
    with db.connect() as con:
        failing = dashboard_store.failing_stages(con)
        unanswered = dashboard_store.generation_failures(con)
    if unanswered:
        st.warning(failures.generation_failures(unanswered) + ". Tick *Ask again for answers recorded as failed* "
                   "under More options and run generate again.", icon=":material/warning:")
    for run in failing:
        st.error(failures.stage_failure(run), icon=":material/error:")


def default_repo(db: Database) -> str:
    """The repo indexed last, else the bundled example."""
    with db.connect() as con:
        latest = repo_store.latest_repo(con)
    if latest:
        return latest["root"]
    return str(Path(__file__).resolve().parent.parent / "examples" / "shop")


def render() -> None:
    st.title("Pipeline")
    db = database()
    st.caption("index → map → extract → generate → validate, the same code path as `python -m core run`.")

    with st.form("run-form"):
        repo = st.text_input("Repository path", value=default_repo(db), help="a local Java repository (directory)")
        left, mid, right = st.columns(3)
        domains = left.text_input("Domains", value=",".join(DEFAULT_DOMAINS), help="comma-separated, e.g. order,stock")
        lang = mid.selectbox("Language", ("en", "zh", "both"), index=2)
        backend = right.selectbox("Backend", ("template", "anthropic", "openai"),
                                  help="template is offline and deterministic; the others call an LLM")
        model_col, conc_col, budget_col = st.columns(3)
        model = model_col.text_input("Model (LLM backends)", placeholder="default: the newest Sonnet / OPENAI_MODEL")
        concurrency = conc_col.number_input("Requests in flight", min_value=1, max_value=64, value=4)
        budget = budget_col.number_input("Budget (USD, 0 = none)", min_value=0.0, value=0.0, step=1.0,
                                         help="--budget-usd: generation stops before its spend could exceed this")
        stages = st.multiselect("Stages", PIPELINE, default=list(PIPELINE))
        with st.expander("More options (what the stages' messages may ask for)"):
            extra = _more_options()
        left_button, right_button = st.columns(2)
        run = left_button.form_submit_button("Run pipeline", type="primary", icon=":material/play_arrow:")
        estimate = right_button.form_submit_button("Estimate generation cost", icon=":material/payments:",
                                                   help="what an LLM generation of this repository would ask and cost")

    root = Path(repo.strip()).expanduser()
    domain_list = [d.strip() for d in domains.split(",") if d.strip()]
    overrides = {"model": model.strip() or None, "concurrency": int(concurrency), "budget_usd": budget or None,
                 **extra}
    if estimate:
        with problems_shown():
            llm_cost.show_estimate(db, root, domain_list, lang, backend, overrides)
    if run:
        chosen = tuple(s for s in PIPELINE if s in stages)
        with problems_shown():
            counts = run_stages(db, root, domain_list, lang, backend, chosen, overrides)
            st.success(f"Finished {len(counts)} stage(s). Review the samples on the QA review and Design review pages.")
            for name, stage_counts in counts.items():
                if spent := llm_cost.spend_text(stage_counts):
                    st.info(f"Cost of {name}: {spent}", icon=":material/payments:")

    st.subheader("Run history")
    with problems_shown():
        show_failures(db)
        history = history_table(db)
        if history.empty:
            st.info("No runs yet: choose the repository above and press **Run pipeline** "
                    "(or run `python -m core run --repo PATH` in a terminal).")
        else:
            run_table.show(history, "seconds", "reason")
