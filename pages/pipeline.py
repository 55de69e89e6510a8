"""Pipeline: point the tool at a Java repository, run the stages, see the run history."""

from pathlib import Path

import streamlit as st

from app.pipeline_runner import default_repo, history_table, run_stages
from app.state import HANDLED, database, problems_shown
from core.context import DEFAULT_DOMAINS
from core.pipeline import PIPELINE

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
        try:
            counts = run_stages(db, Path(repo.strip()).expanduser(),
                                [d.strip() for d in domains.split(",") if d.strip()], lang, backend, chosen)
            st.success(f"Finished {len(counts)} stage(s). Review the samples on the QA review and Design review pages.")
        except HANDLED:
            raise
        except Exception as exc:  # a stage's bug: one line here, the details on request, the app keeps working
            st.error(f"The run failed: {type(exc).__name__}: {exc}")
            with st.expander("Details"):
                st.exception(exc)

st.subheader("Run history")
with problems_shown():
    history = history_table(db)
    if history.empty:
        st.info("No runs yet: choose the repository above and press **Run pipeline** "
                "(or run `python -m core run --repo PATH` in a terminal).")
    else:
        st.dataframe(history, hide_index=True, width="stretch")
