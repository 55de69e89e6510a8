"""Queue filters in the sidebar, turned into a `QueueFilter` for the review store.

Widget keys are per page (`qa-f-status` ...) so QA and design filters stay
apart; their values start from the URL (app.url_state), so each widget
takes its value from session state and no default of its own.
"""

from __future__ import annotations

import streamlit as st

from app.state import reviewer
from storage.review_store import SORTS, STATUSES, VALIDATION_RESULTS, QueueFilter
from storage.rounds_store import STAGES

DEFAULTS = {"status": ["pending"], "domain": [], "rule": [], "valid": [], "score": (0.0, 1.0), "backend": [],
            "lang": [], "text": "", "sort": next(iter(SORTS)), "stage": [], "mine": False}
STAGE_HELP = ("unreviewed: nobody decided yet · awaiting: fewer reviewers than required agree so far · "
              "final: enough reviewers agree · disputed: reviewers disagree (the disagreement queue)")


def key(task_type: str, name: str) -> str:
    return f"{task_type}-f-{name}"


def queue_filter(task_type: str, facets: dict[str, list[str]]) -> QueueFilter:
    """Sidebar widgets for one review page."""
    side = st.sidebar
    side.subheader("Queue filters")
    for name, value in DEFAULTS.items():
        st.session_state.setdefault(key(task_type, name), value)
    k = lambda name: key(task_type, name)  # noqa: E731
    statuses = side.multiselect("Status", STATUSES, key=k("status"))
    stages = side.multiselect("Review stage", STAGES, key=k("stage"), help=STAGE_HELP)
    mine = side.checkbox("Hide samples I decided", key=k("mine"),
                         help="second review: leave out the samples you already decided")
    domains = side.multiselect("Domain", facets["domains"], key=k("domain"))
    rule_kinds = side.multiselect("Rule kind", facets["rule_kinds"], key=k("rule"))
    validation = side.multiselect("Validation result", VALIDATION_RESULTS, key=k("valid"))
    low, high = side.slider("Quality score", 0.0, 1.0, step=0.05, key=k("score"),
                            help="the full range also keeps samples not scored yet")
    backends = side.multiselect("Backend", facets["backends"], key=k("backend"))
    languages = side.multiselect("Language", facets["languages"], key=k("lang"))
    text = side.text_input("Search text", key=k("text"), placeholder="words in question, answer or id")
    sort = side.selectbox("Sort", list(SORTS), key=k("sort"))
    full_range = low <= 0.0 and high >= 1.0
    return QueueFilter(
        task_type=task_type, statuses=tuple(statuses), domains=tuple(domains), rule_kinds=tuple(rule_kinds),
        validation=tuple(validation), score_min=None if full_range else low, score_max=None if full_range else high,
        backends=tuple(backends), languages=tuple(languages), text=text, sort=sort, stages=tuple(stages),
        undecided_by=reviewer() if mine else "",
    )
