"""The State machines tab: per status field, its states with their labels and the methods that move between
them, drawn with Graphviz (rendered in the browser by Streamlit's bundled engine), then the transitions as a
table whose rows open their code and their samples."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.evidence_view import render_code_span
from app.source_samples import samples_list
from core.domain.state_machine import StateMachine, Transition, build, to_dot


def _state(machine: StateMachine, code: str) -> str:
    label = machine.label(code)
    return f"{code} {label}".strip()


def _from(machine: StateMachine, t: Transition) -> str:
    return ", ".join(_state(machine, c) for c in t.from_codes) if t.from_codes else "not derived"


def render(transition_rules: list[dict], dicts: list[dict], repo_id: str, root: str | None,
           encodings: dict[str, str]) -> None:
    machines = build(transition_rules, dicts)
    if not machines:
        st.caption("No transition rules for this selection: run the **extract** stage, or pick another domain.")
        return
    machine = st.selectbox("Status field", machines, key="map-machine",
                           format_func=lambda m: f"{m.key} · {len(m.states)} states, {len(m.transitions)} transitions")
    st.graphviz_chart(to_dot(machine), width="content")
    notes = [f"States from `{machine.dict_id}`." if machine.dict_id else "No status dictionary names these codes."]
    if machine.has_unknown_from:
        notes.append("A dashed arrow from **from: not derived** is a write whose starting state the code does not "
                     "pin down (no status test before it, or one extraction could not resolve); its guard column "
                     "shows what the code does test.")
    st.caption(" ".join(notes))
    rows = machine.transitions
    frame = pd.DataFrame([{
        "from": _from(machine, t), "to": _state(machine, t.to), "method": t.method,
        "via": "SQL update" if t.via == "sql" else "setter",
        "guard (status tests before the write)": " && ".join(t.guards) or "none found",
    } for t in rows])
    event = st.dataframe(frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"map-transitions-{machine.key}")
    picked = event.selection.rows if event is not None else []
    if not picked:
        st.caption("Select a transition to open its code and its samples.")
        return
    t = rows[picked[0]]
    st.markdown(f"**{t.method}**: {_from(machine, t)} → {_state(machine, t.to)}")
    for ev in t.evidence:
        render_code_span(root, ev["path"], ev["start_line"], ev["end_line"], encodings.get(ev["path"]))
    samples_list(repo_id, "rule", t.rule_ids)
