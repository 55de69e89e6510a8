"""The Pipeline page: run stages from the app on the CLI's code path (core.pipeline.run_stage), and the run history."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from app.progress import StreamlitProgress
from app.state import database, problems_shown
from core.context import DEFAULT_DOMAINS, Context
from core.pipeline import PIPELINE, run_stage, stage_args
from storage import Database
from storage import repos as repo_store


def run_stages(db: Database, repo: Path, domains: list[str], lang: str, backend: str, stages: tuple[str, ...]) -> dict:
    """Run `stages` in order with a progress bar each; the first failure stops the run and is raised."""
    box = st.container(border=True)
    progress = StreamlitProgress(box)
    ctx = Context(db=db, repo=repo, domains=domains, backend=backend, lang=lang, progress=progress)
    args = stage_args(stages)
    counts = {}
    status = st.status(f"Running {' → '.join(stages)}", expanded=True)
    for name in stages:
        status.update(label=f"Running {name} …")
        try:
            counts[name] = run_stage(name, ctx, args)
        except BaseException:
            status.update(label=f"{name} failed", state="error", expanded=True)
            raise
        status.write(f"**{name}**: {_counts_text(counts[name])}")
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
        "started": r["started_at"], "seconds": (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else None,
        "counts": _counts_text(r["counts"]) if r["counts"] else "", "message": r["message"] or "",
        "params": json.dumps(r["params"], ensure_ascii=False),
    } for r in runs])


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
        stages = st.multiselect("Stages", PIPELINE, default=list(PIPELINE))
        run = st.form_submit_button("Run pipeline", type="primary", icon=":material/play_arrow:")

    if run:
        chosen = tuple(s for s in PIPELINE if s in stages)
        with problems_shown():
            counts = run_stages(db, Path(repo.strip()).expanduser(),
                                [d.strip() for d in domains.split(",") if d.strip()], lang, backend, chosen)
            st.success(f"Finished {len(counts)} stage(s). Review the samples on the QA review and Design review pages.")

    st.subheader("Run history")
    with problems_shown():
        history = history_table(db)
        if history.empty:
            st.info("No runs yet: choose the repository above and press **Run pipeline** "
                    "(or run `python -m core run --repo PATH` in a terminal).")
        else:
            st.dataframe(history, hide_index=True, width="stretch")
