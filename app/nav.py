"""The app's pages, in navigation order: one table, so links between pages cannot drift from the menu."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
PAGES = (  # the first is the default page: the app opens on it
    ("dashboard", "Dashboard", ":material/dashboard:"),
    ("pipeline", "Pipeline", ":material/play_circle:"),
    ("domain_map", "Domain map", ":material/account_tree:"),
    ("qa_review", "QA review", ":material/fact_check:"),
    ("design_review", "Design review", ":material/architecture:"),
    ("guidelines", "Guidelines", ":material/menu_book:"),
    ("export", "Export", ":material/download:"),
    ("lora_runs", "LoRA runs", ":material/model_training:"),
)


def page(name: str, default: bool = False):
    _, title, icon = next(p for p in PAGES if p[0] == name)
    return st.Page(PAGES_DIR / f"{name}.py", title=title, icon=icon, url_path=name, default=default)


def pages() -> list:
    return [page(name, default=i == 0) for i, (name, _, _) in enumerate(PAGES)]


def link(name: str, label: str) -> None:
    st.page_link(page(name), label=label, icon=next(p[2] for p in PAGES if p[0] == name))
