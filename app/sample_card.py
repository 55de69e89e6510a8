"""One sample as the curator reads it: text, trace linked to evidence, checks, diff, history."""

from __future__ import annotations

import difflib
import json
import re

import pandas as pd
import streamlit as st

BADGE_COLORS = {"pass": "green", "warn": "orange", "fail": "red", "unchecked": "gray",
                "pending": "gray", "accepted": "green", "edited": "blue", "rejected": "red"}


def badge(text: str, color_key: str | None = None) -> str:
    color = BADGE_COLORS.get(color_key or text, "gray")
    safe = str(text).replace("[", "(").replace("]", ")")
    return f":{color}-badge[{safe}]"


_HEADING = re.compile(r"^#{1,4} ", re.M)


def _demoted(markdown: str) -> str:
    """Proposal headings as small headings: the page has its own structure above them."""
    return _HEADING.sub("##### ", markdown)


def header(rec: dict) -> None:
    s = rec["effective"]
    src = s.get("source", {})
    score = "–" if rec["score"] is None else f"{rec['score']:.2f}"
    st.markdown(
        f"**{rec['sample_id']}** v{rec['version']} · {s['domain']} · {s['language']} · "
        f"{src.get('rule_kind') or src.get('kind', '')} · {badge(rec['status'])} "
        f"{badge('validation: ' + rec['validation'], rec['validation'])} · score {score}"
        + (f" · by {rec['reviewer']}" if rec.get("reviewer") else "")
    )
    if rec["status"] == "rejected" and rec.get("reason"):
        st.caption(f"Rejected: {rec['reason']}")


def body(rec: dict, on_cite, key: str) -> None:
    """Question / requirement, answer / proposal, and the trace with a button per cited evidence id."""
    s = rec["effective"]
    is_design = s["task_type"] == "design"
    st.markdown("**Requirement**" if is_design else "**Question**")
    st.info(s["question"])
    st.markdown("**Proposal**" if is_design else "**Answer**")
    with st.container(border=True):
        st.markdown(_demoted(s["answer"]))
    st.markdown("**Reasoning trace**")
    for n, step in enumerate(s["trace"], 1):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(f"{n}. {step['claim']}")
        with right.container(horizontal=True, gap="small"):
            for ev_id in step["evidence_ids"]:
                st.button(ev_id, key=f"cite-{key}-{n}-{ev_id}", on_click=on_cite, args=(ev_id,),
                          help=f"show evidence {ev_id}", type="secondary")


def checks(results: list[dict]) -> None:
    if not results:
        st.caption("Not validated yet: run the validate stage.")
        return
    for c in results:
        st.markdown(f"{badge(c['result'])} **{c['check_name']}** {c.get('message') or ''}")


def diff(rec: dict) -> None:
    """The curator's edit against the generated original, field by field."""
    if not rec["edited_payload"]:
        return
    original, edited = rec["payload"], rec["edited_payload"]
    with st.expander("Edit diff (the generated original is kept)", expanded=True):
        for field in ("question", "answer", "trace", "evidence"):
            if original.get(field) == edited.get(field):
                continue
            a, b = (json.dumps(x.get(field), indent=1, ensure_ascii=False) if field in ("trace", "evidence")
                    else x.get(field, "") for x in (original, edited))
            lines = difflib.unified_diff(a.splitlines(), b.splitlines(), f"generated {field}", f"edited {field}", lineterm="")
            st.code("\n".join(lines), language="diff")


def history(events: list[dict]) -> None:
    if not events:
        st.caption("No decisions yet.")
        return
    rows = [{
        "when": e["created_at"], "who": e["reviewer"], "action": e["action"], "version": e["version"],
        "before": (e["before"] or {}).get("status", "pending"), "after": (e["after"] or {}).get("status", "pending"),
        "reason": e["reason"] or "",
        "edit": "yes" if (e["after"] or {}).get("edited_payload") else "",
    } for e in events]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    picked = st.selectbox("Event details", range(len(events)), key=f"event-{events[0]['event_id']}",
                          format_func=lambda i: f"{rows[i]['when']:%Y-%m-%d %H:%M:%S} · {rows[i]['who']} · {rows[i]['action']}")
    before, after = st.columns(2)
    before.caption("before")
    before.json(events[picked]["before"] or {"status": "pending"}, expanded=1)
    after.caption("after")
    after.json(events[picked]["after"] or {"status": "pending"}, expanded=1)
