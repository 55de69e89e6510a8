"""The review page's place in its URL: `/qa_review?sample=qa-000042&status=pending&domain=stock`.

A reload, a bookmark or a link sent to a colleague opens the same sample
under the same filters. The URL is read once when a session first shows
the page (it seeds the filter widgets and the focus) and written after
every run, so it always says what the page shows. `sample` opens that
sample whatever the filters say.
"""

from __future__ import annotations

import streamlit as st

from app.filters import DEFAULTS, key
from storage.review_store import SORTS, STATUSES, VALIDATION_RESULTS, QueueFilter
from storage.rounds_store import STAGES

_LISTS = ("status", "domain", "rule", "valid", "backend", "lang", "stage")


def load(task: str, facets: dict[str, list[str]]) -> str | None:
    """Seed the filters from the URL the first time this session shows the page; returns its `sample`."""
    flag = f"{task}-url-read"
    if st.session_state.get(flag):
        return None
    st.session_state[flag] = True
    params = st.query_params
    choices = {"status": STATUSES, "domain": facets["domains"], "rule": facets["rule_kinds"],
               "valid": VALIDATION_RESULTS, "backend": facets["backends"], "lang": facets["languages"], "stage": STAGES}
    for name in _LISTS:
        if name in params:
            st.session_state[key(task, name)] = [v for v in params.get_all(name) if v in choices[name]]
    if "q" in params:
        st.session_state[key(task, "text")] = params["q"]
    if params.get("sort") in SORTS:
        st.session_state[key(task, "sort")] = params["sort"]
    if "score" in params:
        try:
            low, high = (min(1.0, max(0.0, float(x))) for x in params["score"].split("-", 1))
            st.session_state[key(task, "score")] = (min(low, high), max(low, high))
        except ValueError:
            pass
    return params.get("sample") or None


def save(task: str, f: QueueFilter, sample_id: str | None) -> None:
    """Write the page's state into the URL (only what differs from the defaults, to keep links short)."""
    values = {"status": list(f.statuses), "domain": list(f.domains), "rule": list(f.rule_kinds),
              "valid": list(f.validation), "backend": list(f.backends), "lang": list(f.languages),
              "stage": list(f.stages)}
    params: dict[str, str | list[str]] = {}
    if sample_id:
        params["sample"] = sample_id
    for name in _LISTS:
        if values[name] != DEFAULTS[name]:
            params[name] = values[name] or [""] if name == "status" else values[name]
    if f.score_min is not None or f.score_max is not None:
        params["score"] = f"{f.score_min or 0.0:g}-{1.0 if f.score_max is None else f.score_max:g}"
    if f.text:
        params["q"] = f.text
    if f.sort != DEFAULTS["sort"]:
        params["sort"] = f.sort
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


def link_params(**chosen: str) -> dict[str, str]:
    """Query parameters of a link that opens a review page on exactly `chosen` (e.g. status="pending",
    domain="order"): every other filter is given at its default, so filters left from before do not narrow it."""
    params = {name: "" for name in _LISTS} | {"q": "", "score": "0-1", "sort": DEFAULTS["sort"]}
    return params | chosen


def follow_links() -> None:
    """The review pages read their URL again on their next visit: a link from another page (the dashboard's
    next action) carries filters, and a page read once this session would otherwise ignore them."""
    for task in ("qa", "design"):
        st.session_state.pop(f"{task}-url-read", None)
