"""The app's pages, in navigation order; pages/lora_runs.py joins once it exists."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
PAGES = (
    ("pipeline", "Pipeline", ":material/play_circle:"),
    ("domain_map", "Domain map", ":material/account_tree:"),
    ("qa_review", "QA review", ":material/fact_check:"),
    ("design_review", "Design review", ":material/architecture:"),
    ("export", "Export", ":material/download:"),
    ("lora_runs", "LoRA runs", ":material/model_training:"),
)


def page(name: str):
    _, title, icon = next(p for p in PAGES if p[0] == name)
    return st.Page(PAGES_DIR / f"{name}.py", title=title, icon=icon, url_path=name)


def _lora_placeholder() -> None:
    st.title("LoRA runs")
    st.info("Training runs appear here once the training work lands (pages/lora_runs.py). "
            "Meanwhile: `python -m core train --export DIR --base-model ID_OR_PATH --out RUN_DIR`.")


def pages() -> list:
    """Every page file that exists; LoRA runs shows a placeholder until its file arrives."""
    found = []
    for name, title, icon in PAGES:
        if (PAGES_DIR / f"{name}.py").exists():
            found.append(page(name))
        elif name == "lora_runs":
            found.append(st.Page(_lora_placeholder, title=title, icon=icon, url_path=name))
    return found


def link(name: str, label: str) -> None:
    st.page_link(page(name), label=label, icon=next(p[2] for p in PAGES if p[0] == name))
