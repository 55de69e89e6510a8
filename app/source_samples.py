"""Between the domain map and the review pages: from a rule or flow to its samples, and from a sample back.

A link to a review page carries the sample (`?sample=…`, see app.url_state), which the page opens whatever
its filters say; a link to the domain map carries the rule or flow (`?rule=…` / `?flow=…`), which the map
opens in its Rules or Flows tab.
"""

from __future__ import annotations

import streamlit as st

from app.nav import page
from app.state import database
from storage import domain_store

_REVIEW_PAGE = {"qa": "qa_review", "design": "design_review"}
MAX_LINKS = 30


def _review_pages_read_url_again() -> None:
    """A review page reads its URL once per session; a link followed later must be read again."""
    for task in _REVIEW_PAGE:
        st.session_state.pop(f"{task}-url-read", None)


def samples_list(repo_id: str, source_kind: str, refs: list[str]) -> None:
    """The current samples generated from these rules or flows, each a link that opens it for review."""
    with database().connect() as con:
        rows = domain_store.samples_of(con, repo_id, source_kind, refs)
    if not rows:
        st.caption("No samples were generated from this yet.")
        return
    pending = sum(r["status"] == "pending" for r in rows)
    st.markdown(f"**{len(rows)} samples** from this {source_kind} ({pending} pending)")
    _review_pages_read_url_again()
    for r in rows[:MAX_LINKS]:
        question = r["question"].replace("\n", " ")
        label = (f"{r['sample_id']} · {r['status']} · {r['language']} · {r['question_kind'] or r['task_type']} — "
                 f"{question[:110]}{'…' if len(question) > 110 else ''}")
        st.page_link(page(_REVIEW_PAGE.get(r["task_type"], "qa_review")), label=label,
                     query_params={"sample": r["sample_id"]}, icon=":material/open_in_new:", width="stretch",
                     help=f"open {r['sample_id']} on its review page")
    if len(rows) > MAX_LINKS:
        st.caption(f"… and {len(rows) - MAX_LINKS} more.")


def source_link(sample: dict) -> None:
    """For a sample's card: a link to the rule or flow it was generated from, in the domain map."""
    source = sample.get("source") or {}
    kind, ref = source.get("kind"), source.get("ref")
    if kind not in ("rule", "flow") or not ref:
        return
    what = f"{source.get('rule_kind') or 'rule'} rule" if kind == "rule" else "flow"
    st.page_link(page("domain_map"), label=f"Open its {what} in the domain map", query_params={kind: ref},
                 icon=":material/account_tree:", help=f"{kind} {ref}: its code, its other samples")
