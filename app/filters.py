"""Queue filters in the sidebar, turned into a `QueueFilter` for the review store."""

from __future__ import annotations

import streamlit as st

from storage.review_store import SORTS, STATUSES, VALIDATION_RESULTS, QueueFilter


def queue_filter(task_type: str, facets: dict[str, list[str]]) -> QueueFilter:
    """Sidebar widgets for one review page; keys are per page so QA and design filters stay apart."""
    side = st.sidebar
    side.subheader("Queue filters")
    k = f"{task_type}-f"
    statuses = side.multiselect("Status", STATUSES, default=["pending"], key=f"{k}-status")
    domains = side.multiselect("Domain", facets["domains"], key=f"{k}-domain")
    rule_kinds = side.multiselect("Rule kind", facets["rule_kinds"], key=f"{k}-rule")
    validation = side.multiselect("Validation result", VALIDATION_RESULTS, key=f"{k}-valid")
    low, high = side.slider("Quality score", 0.0, 1.0, (0.0, 1.0), step=0.05, key=f"{k}-score",
                            help="the full range also keeps samples not scored yet")
    backends = side.multiselect("Backend", facets["backends"], key=f"{k}-backend")
    languages = side.multiselect("Language", facets["languages"], key=f"{k}-lang")
    text = side.text_input("Search text", key=f"{k}-text", placeholder="words in question, answer or id")
    sort = side.selectbox("Sort", list(SORTS), key=f"{k}-sort")
    full_range = low <= 0.0 and high >= 1.0
    return QueueFilter(
        task_type=task_type, statuses=tuple(statuses), domains=tuple(domains), rule_kinds=tuple(rule_kinds),
        validation=tuple(validation), score_min=None if full_range else low, score_max=None if full_range else high,
        backends=tuple(backends), languages=tuple(languages), text=text, sort=sort,
    )
