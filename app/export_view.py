"""Export from the app: the export stage (same code path as the CLI), a chat preview, a zip, past exports."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import streamlit as st

from core.answer_format import to_messages
from core.context import Context
from core.models import Sample
from core.pipeline import run_stage, stage_args
from storage import Database
from storage import review_store as store


def preview(db: Database, include_pending: bool, limit: int = 5) -> int:
    """Render the first samples the export would hold as chat messages; returns how many are eligible."""
    statuses = ("accepted", "edited", "pending") if include_pending else ("accepted", "edited")
    with db.connect() as con:
        eligible = sum(store.status_counts(con, store.QueueFilter(task_type=t))[s]
                       for t in ("qa", "design") for s in statuses)
        recs = store.reviewed_samples(con, statuses, limit=limit)
    for rec in recs:
        sample = Sample.model_validate(rec["payload"])
        with st.container(border=True):
            st.caption(f"{rec['sample_id']} · {sample.task_type} · {sample.domain} · {sample.language} · {rec['status']}")
            for msg in to_messages(sample):
                with st.chat_message(msg["role"], avatar={"system": ":material/settings:"}.get(msg["role"])):
                    if msg["role"] == "system":
                        st.caption(msg["content"])
                    else:
                        st.text(msg["content"])
    return eligible


def run_export(db: Database, out: Path, domains: list[str], lang: str, include_pending: bool, force: bool,
               val_ratio: float) -> dict:
    args = stage_args(("export",), out=out, include_pending=include_pending, force=force)
    for name in ("val_ratio", "val_share", "split"):
        if hasattr(args, name):
            setattr(args, name, val_ratio)
    ctx = Context(db=db, domains=domains, lang=lang)
    return run_stage("export", ctx, args)


def zip_bytes(directory: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(directory.parent))
    return buf.getvalue()


def past_exports(db: Database) -> list[dict]:
    """Past exports with their manifests, from the export stage's store once it is there."""
    try:
        from storage import export_store
    except ImportError:
        return []
    lister = getattr(export_store, "list_exports", None) or getattr(export_store, "past_exports", None)
    if lister is None:
        return []
    with db.connect() as con:
        rows = lister(con)
    for row in rows:
        if isinstance(row.get("manifest"), str):
            row["manifest"] = json.loads(row["manifest"])
    return rows
