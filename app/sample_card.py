"""One sample as the curator reads it: text, trace linked to evidence, checks, diff, history.

Sample text is shown literally (app.literal): what the curator reads is the
string that will be trained on, and nothing in it can make the browser
render Markdown, typeset math or fetch an image.
"""

from __future__ import annotations

import difflib
import html
import json

import pandas as pd
import streamlit as st

from app.literal import literal_html, md_escape
from app.source_samples import source_link
from core.guidelines import kind_of

BADGE_COLORS = {"pass": "green", "warn": "orange", "fail": "red", "unchecked": "gray",
                "pending": "gray", "accepted": "green", "edited": "blue", "rejected": "red",
                "unreviewed": "gray", "awaiting": "orange", "final": "green", "disputed": "red"}


def badge(text: str, color_key: str | None = None) -> str:
    color = BADGE_COLORS.get(color_key or text, "gray")
    return f":{color}-badge[{md_escape(text)}]"


def header(rec: dict) -> None:
    s = rec["effective"]
    src = s.get("source", {})
    score = "–" if rec["score"] is None else f"{rec['score']:.2f}"
    st.markdown(
        f"**{md_escape(rec['sample_id'])}** v{rec['version']} · {md_escape(s['domain'])} · {md_escape(s['language'])} · "
        f"{md_escape(kind_of(s['task_type'], src.get('kind'), src.get('rule_kind'), src.get('question_kind')))} · "
        f"{badge(rec['status'])} "
        f"{badge('validation: ' + rec['validation'], rec['validation'])} · score {score}"
    )
    # names and reasons are typed by people: plain text, never Markdown (a URL in a name is not a link)
    if rec.get("reviewer"):
        reason = f" · reason: {rec['reason']}" if rec["status"] == "rejected" and rec.get("reason") else ""
        st.text(f"{rec['status']} by {rec['reviewer']}{reason}")
    source_link(s)  # the rule or flow it comes from, in the domain map


def votes(decided: list[dict], required: int, stage: str, me: str = "") -> None:
    """Each reviewer's decision in force and where that leaves the sample (shown once a second opinion matters).

    A disagreement is settled only when the reviewers agree (core.agreement): one of them decides again;
    a further reviewer's decision is one more opinion, not a casting vote."""
    if required < 2 and len(decided) < 2:
        return
    hint = ""
    if stage == "disputed":
        hint = (" · you disagree with a colleague: decide again if you changed your mind, or talk it over"
                if me in {v["reviewer"] for v in decided} else
                " · they disagree: final once they agree (your decision adds an opinion, it does not settle it)")
    st.markdown(f"Review {badge(stage)} · {len(decided)} of {required} reviewer(s) needed{hint}")
    if decided:
        st.text(" · ".join(f"{v['reviewer']} {v['verdict']}" + (f" ({v['reason']})" if v.get("reason") else "")
                           for v in decided))


def body(rec: dict, on_cite, key: str) -> None:
    """Question / requirement, answer / proposal, and the trace with a button per cited evidence id."""
    s = rec["effective"]
    is_design = s["task_type"] == "design"
    st.markdown("**Requirement**" if is_design else "**Question**")
    st.html(literal_html(s["question"], "acdp-literal q"))
    st.markdown("**Proposal**" if is_design else "**Answer**")
    st.html(literal_html(s["answer"]))
    st.markdown("**Reasoning trace**")
    for n, step in enumerate(s["trace"], 1):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.html(f'<div class="acdp-claim">{n}. {html.escape(step["claim"])}</div>')
        with right.container(horizontal=True, gap="small"):
            for ev_id in step["evidence_ids"]:
                st.button(ev_id, key=f"cite-{key}-{n}-{ev_id}", on_click=on_cite, args=(ev_id,),
                          help=f"show evidence {ev_id}", type="secondary")


def checks(results: list[dict]) -> None:
    if not results:
        st.caption("Not validated yet: run the validate stage.")
        return
    for c in results:
        st.markdown(f"{badge(c['result'])} **{md_escape(c['check_name'])}** {md_escape(c.get('message') or '')}")


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
