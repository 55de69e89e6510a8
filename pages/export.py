"""Export: the curated set as an SFT dataset (train/val JSONL, dataset_info, manifest), downloadable as zip."""

from pathlib import Path

import streamlit as st

from app.export_view import past_exports, preview, run_export, zip_bytes
from app.state import HANDLED, database, problems_shown
from core.context import DEFAULT_DOMAINS

st.title("Export")
db = database()

with st.form("export-form"):
    out = st.text_input("Output directory", value="exports/latest", help="created by the export; must not exist unless overwrite")
    left, mid, right = st.columns(3)
    domains = left.text_input("Domains", value=",".join(DEFAULT_DOMAINS))
    lang = mid.selectbox("Language", ("both", "en", "zh"))
    val_ratio = right.slider("Validation share", 0.0, 0.5, 0.1, 0.05, help="the train / val split ratio")
    include_pending = st.checkbox("Include pending samples that pass validation", value=False,
                                  help="for a first training before review; rejected and failed samples are never exported")
    force = st.checkbox("Overwrite the directory if it exists")
    go = st.form_submit_button("Export", type="primary", icon=":material/download:")

if go:
    with problems_shown():
        try:
            counts = run_export(db, Path(out).expanduser(), [d.strip() for d in domains.split(",") if d.strip()],
                                lang, include_pending, force, val_ratio)
        except HANDLED:
            raise
        except Exception as exc:  # the app keeps working; the message says what broke
            st.error(f"The export failed: {type(exc).__name__}: {exc}")
            counts = None
        if counts is not None:
            st.session_state["last-export"] = str(Path(out).expanduser().resolve())
            st.success(f"Exported to `{st.session_state['last-export']}`: {counts}")

last = st.session_state.get("last-export")
if last and Path(last).is_dir():
    st.download_button("Download as zip", zip_bytes(Path(last)), file_name=f"{Path(last).name}.zip",
                       mime="application/zip", icon=":material/folder_zip:")

st.subheader("Preview")
with problems_shown():
    eligible = preview(db, include_pending)
    if not eligible:
        st.info("Nothing to export yet: accept or edit samples on the QA review and Design review pages "
                "(or tick *Include pending*).")
    else:
        st.caption(f"{eligible} sample(s) eligible before validation and domain filters; the first ones rendered above.")

st.subheader("Past exports")
with problems_shown():
    exports = past_exports(db)
    if not exports:
        st.caption("No exports recorded yet.")
    for rec in exports:
        with st.expander(f"{rec.get('created_at', '')} · {rec.get('out_dir', '')}"):
            st.json(rec.get("manifest", {}), expanded=False)
