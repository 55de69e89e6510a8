"""The annotation guidelines on screen: beside the sample under review, and in full on their page.

The file is read on every run (it is small), so an edit in the repository
shows at the next click without restarting the app. Its text is escaped,
only `code` spans are set in monospace: a guidelines file is a team's
document, but nothing in it may make the page fetch an image or run markup.
"""

from __future__ import annotations

import html
import re

import streamlit as st

from core import guidelines
from core.errors import UserError

_CSS = """<style>
.acdp-gl { font-size: 0.9rem; line-height: 1.4; }
.acdp-gl h4 { margin: 0.2rem 0 0.3rem 0; font-size: 1rem; }
.acdp-gl .about { color: #555; margin-bottom: 0.4rem; }
.acdp-gl .cols { display: flex; gap: 1rem; }
.acdp-gl .cols > div { flex: 1; min-width: 0; }
.acdp-gl .acc b { color: #1e7b34; } .acdp-gl .rej b { color: #b42318; }
.acdp-gl ul { margin: 0.1rem 0 0.4rem 1.1rem; padding: 0; }
.acdp-gl li { margin: 0.1rem 0; font-size: 0.9rem; }
.acdp-gl .ex { border-left: 3px solid #ddd; padding: 0.2rem 0.5rem; margin: 0.2rem 0 0.5rem 0; }
.acdp-gl .ex.acc { border-color: #1e7b34; } .acdp-gl .ex.rej { border-color: #b42318; }
.acdp-gl code { font-size: 0.85em; }
.acdp-gl summary { cursor: pointer; color: #444; margin: 0.2rem 0; }
</style>"""


_TICKS = re.compile(r"`([^`\n]+)`")


def _inline(text: str) -> str:
    """Escaped text with `code` spans set in monospace (a document, so the backticks themselves are dropped)."""
    parts = _TICKS.split(text)
    return "".join(f"<code>{html.escape(p)}</code>" if n % 2 else html.escape(p) for n, p in enumerate(parts))


def _items(values: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_inline(v)}</li>" for v in values) + "</ul>" if values else ""


def _example(label: str, css: str, ex: guidelines.Example | None) -> str:
    if ex is None:
        return ""
    return (f'<div class="ex {css}"><b>{label}</b><br><i>Q:</i> {_inline(ex.question)}<br>'
            f"<i>A:</i> {_inline(ex.answer)}<br><i>Why:</i> {_inline(ex.why)}</div>")


def section_html(section: guidelines.Section, examples: bool = True, fold: bool = False) -> str:
    """One section: what it is about, accept and reject side by side, then an example of each
    (`fold`: the examples behind a click, so the evidence beside them stays in view)."""
    about = f'<div class="about">{_inline(section.about)}</div>' if section.about else ""
    cols = (f'<div class="cols"><div class="acc"><b>Accept when</b>{_items(section.accept)}</div>'
            f'<div class="rej"><b>Reject when</b>{_items(section.reject)}</div></div>')
    shown = ""
    if examples and (section.example_accept or section.example_reject):
        shown = (f'<div class="cols"><div>{_example("Example to accept", "acc", section.example_accept)}</div>'
                 f'<div>{_example("Example to reject", "rej", section.example_reject)}</div></div>')
        if fold:
            shown = f"<details><summary>Examples</summary>{shown}</details>"
    return f'<div class="acdp-gl"><h4>{html.escape(section.title)}</h4>{about}{cols}{shown}</div>'


def _load() -> guidelines.Guidelines | None:
    try:
        return guidelines.load()
    except UserError as exc:
        st.error(str(exc), icon=":material/menu_book:")
        return None


def beside(task_type: str, kind: str, key: str) -> None:
    """The guidelines for one sample: its kind's section with examples, then its task type's general rules."""
    rules = _load()
    if rules is None:
        return
    general, own = rules.for_sample(task_type, kind)
    title = own.title if own else general.title
    with st.expander(f"Guidelines: {title}", expanded=True, icon=":material/menu_book:", key=key):
        st.html(_CSS)
        if own:
            st.html(section_html(own, fold=True))
        else:
            st.caption(f"No guideline for kind `{kind or '(none)'}` yet: add `{task_type}.kinds.{kind or '…'}` "
                       f"to {guidelines.path()}.")
        rules_html = section_html(general, fold=True)
        st.html(f'<details class="acdp-gl"><summary>{html.escape(general.title)}: the general rules</summary>'
                f"{rules_html}</details>" if own else rules_html)


def full_page() -> None:
    """Every section of the file, one tab per task type."""
    rules = _load()
    if rules is None:
        return
    st.html(_CSS)
    for tab, task_type in zip(st.tabs(["QA samples", "Design samples"]), guidelines.TASK_TYPES):
        task = getattr(rules, task_type)
        with tab:
            with st.container(border=True):
                st.html(section_html(task.general))
            for kind, section in task.kinds.items():
                with st.container(border=True, key=f"gl-{task_type}-{kind}"):
                    st.caption(f"kind `{kind}`")
                    st.html(section_html(section))
