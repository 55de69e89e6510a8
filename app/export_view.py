"""The Export page body: core.export does the work (the same function as the CLI stage)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from app.progress import StreamlitProgress
from app.state import database, problems_shown
from core.errors import UserError
from core.export import ExportFilters, SplitOptions, export_dataset, list_exports, preview, zip_export
from core.export.split import GROUP_KEYS
from storage import repos as repo_store
from storage import review_store as store

CONTEXT_CHOICES = {"closed-book (question only)": "none", "open-book (evidence code in the prompt)": "evidence"}


def render() -> None:
    st.title("Export")
    db = database()
    with db.connect() as con:
        repos = [r["repo_id"] for r in repo_store.list_repos(con)]
        facets = {t: store.facets(con, t) for t in ("qa", "design")}
    if not repos:
        st.info("Nothing to export yet: run the pipeline on the **Pipeline** page, then accept or edit samples "
                "on the review pages.", icon=":material/info:")
        return
    domains = sorted({d for f in facets.values() for d in f["domains"]})
    left, mid, right = st.columns(3)
    repo_id = left.selectbox("Repository", repos)
    chosen_domains = mid.multiselect("Domains", domains, placeholder="all")
    languages = right.multiselect("Languages", ("en", "zh"), placeholder="all")
    left, mid, right = st.columns(3)
    task_types = left.multiselect("Task types", ("qa", "design"), placeholder="all")
    val_ratio = mid.slider("Validation share", 0.0, 0.5, 0.1, 0.05, key="export-val",
                           help="the train / val split ratio (grouped split, --val-ratio)")
    include_pending = right.checkbox("Include pending samples that pass validation",
                                     help="for a first training before review; rejected and failed samples never go out")
    unconfirmed = right.checkbox("Include accepted samples still awaiting more reviewers",
                                 help="--include-unconfirmed: samples fewer reviewers than required have accepted so far "
                                      "(never disputed ones); *Include pending* takes them too")
    filters = ExportFilters(domains=tuple(chosen_domains), languages=tuple(languages), task_types=tuple(task_types),
                            include_pending=include_pending, include_unconfirmed=unconfirmed)

    with st.form("export-form"):
        out = st.text_input("Output directory", value="exports/latest", key="export-out")
        left, mid, right = st.columns(3)
        context = left.selectbox("Context", CONTEXT_CHOICES, key="export-context",
                                 help="open-book puts the cited code in the user turn (--context evidence); "
                                      "closed-book asks the question alone")
        group_by = mid.multiselect("Group by", GROUP_KEYS, default=list(GROUP_KEYS),
                                   help="samples sharing one of these stay on one side of the split (--group-by); "
                                        "fewer keys split finer")
        seed = right.number_input("Split seed", 0, 2**31 - 1, 42, help="--seed of the grouped split")
        force = left.checkbox("Replace the directory if it exists", key="export-force", help="--force")
        parquet = mid.checkbox("Also write Parquet files", key="export-parquet", help="--parquet: train.parquet and val.parquet")
        go = st.form_submit_button("Write export", type="primary", icon=":material/save:")
    if go:
        with problems_shown():
            write(db, repo_id, Path(out), filters,
                  SplitOptions(val_ratio=val_ratio, seed=int(seed), group_by=tuple(group_by)),
                  force=force, parquet=parquet, context=CONTEXT_CHOICES[context])
    acknowledged = no_val_acknowledged()
    last = st.session_state.get("last-export")
    if acknowledged and last and Path(last).is_dir():
        # deferred: the zip is built when the curator clicks, not on every rerun of the page
        st.download_button("Download as zip", partial(zip_export, Path(last)), file_name=f"{Path(last).name}.zip",
                           mime="application/zip", icon=":material/folder_zip:", key="download-zip")

    st.subheader("Preview")
    with problems_shown():
        _preview(preview(db, repo_id, filters))
    st.subheader("Past exports")
    with problems_shown():
        _past(list_exports(db))


def write(db, repo_id: str, out: Path, filters: ExportFilters, split: SplitOptions, **options) -> None:
    """Write the export (core.export, as the CLI) and say what came out; an empty val split waits for the
    curator's acknowledgement, a short one is a warning."""
    target = out.expanduser().resolve()
    if target.exists() and not options["force"]:
        raise UserError(f"{target} already exists: tick *Replace the directory if it exists*, "
                        "or give another output directory")
    try:
        manifest = export_dataset(db, repo_id, out, filters, split, progress=StreamlitProgress(), **options)
    except UserError as exc:
        raise UserError(in_page_terms(str(exc))) from exc
    st.session_state["last-export"] = str(target)
    c = manifest["counts"]
    note = in_page_terms(manifest["grouping"].get("note", ""))
    if not c["val"]:   # written, but not a success: said in red until acknowledged
        st.session_state["unacknowledged-no-val"] = {"dir": str(target), "train": c["train"], "note": note}
        return
    st.success(f"Exported {c['total']} sample(s) ({c['train']} train, {c['val']} val) to `{target}`.")
    if note:
        st.warning(f"The validation split is smaller than asked: {note}.", icon=":material/warning:")


def no_val_acknowledged() -> bool:
    """An export without a validation split is not a detail: the curator acknowledges it before going on."""
    pending = st.session_state.get("unacknowledged-no-val")
    if not pending:
        return True
    note = f" ({pending['note']})" if pending["note"] else ""
    st.error(f"**The export has no validation split**: `{pending['dir']}` holds {pending['train']} train and "
             f"**0 val** samples{note}. Training on it measures no eval loss, keeps no best adapter and leaves "
             "nothing to validate the model on. Export again with a higher *Validation share*, fewer *Group by* "
             "keys or more samples, or acknowledge to keep it as it is.", icon=":material/warning:")
    if st.button("I understand: keep this export without a validation split", key="ack-no-val",
                 icon=":material/check:"):
        del st.session_state["unacknowledged-no-val"]
        st.rerun()
    return False


# the export's CLI flags named in core's messages -> the control of this page that sets them
_CONTROLS = {"pass --include-unconfirmed": "tick *Include accepted samples still awaiting more reviewers*",
             "pass --include-pending": "tick *Include pending samples that pass validation*",
             "--group-by rule,flow": "*Group by* rule and flow only"}


def in_page_terms(message: str) -> str:
    """A message of core.export with its CLI flags replaced by the controls of this page."""
    for flag, control in _CONTROLS.items():
        message = message.replace(flag, control)
    return message


def _preview(shown: dict) -> None:
    excluded = in_page_terms(", ".join(f"{n} {why}" for why, n in sorted(shown["excluded"].items())))
    st.caption(f"{shown['eligible']} sample(s) would be exported" + (f"; left out: {excluded}" if excluded else ""))
    if not shown["eligible"]:
        st.info("Nothing to export with these filters: accept or edit samples on the QA review and Design review "
                "pages, or tick *Include pending*.")
    for s in shown["samples"]:
        with st.container(border=True):
            st.caption(f"{s['sample_id']} · {s['task_type']} · {s['domain']} · {s['language']} · {s['review_status']}")
            for msg in s["messages"]:
                with st.chat_message(msg["role"], avatar=":material/settings:" if msg["role"] == "system" else None):
                    (st.caption if msg["role"] == "system" else st.text)(msg["content"])


def _past(exports: list[dict]) -> None:
    if not exports:
        st.caption("No exports yet.")
        return
    st.dataframe(pd.DataFrame([{
        "export": e["export_id"], "created": e["created_at"], "directory": e["out_dir"],
        "samples": e["manifest"].get("counts", {}).get("total"), "train": e["manifest"].get("counts", {}).get("train"),
        "val": e["manifest"].get("counts", {}).get("val"), "on disk": e["exists"],
    } for e in exports]).style.map(lambda v: "color: #c62828; font-weight: bold" if v == 0 else "", subset=["val"]),
        hide_index=True, width="stretch")
    if empty := [e["out_dir"] for e in exports if e["manifest"].get("counts", {}).get("val") == 0 and e["exists"]]:
        st.warning(f"{len(empty)} export(s) on disk have no validation split (val 0): " +
                   ", ".join(f"`{d}`" for d in empty[:5]) + ". The LoRA runs page trains on them only when told to.",
                   icon=":material/warning:")
    picked = st.selectbox("Manifest of", [e["export_id"] for e in exports])
    st.json(next(e["manifest"] for e in exports if e["export_id"] == picked), expanded=1)

