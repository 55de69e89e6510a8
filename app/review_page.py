"""The review workflow shared by the QA and design pages: queue, focus view, actions.

Decisions run in button callbacks, which Streamlit executes before the
script reruns: the decision is committed, the focus moves to the next
sample of the queue, and the rerun renders it, in one round trip.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import sample_card
from app.evidence_view import render_evidence
from app.filters import queue_filter
from app.nav import link
from app.state import HANDLED, database, flash, problems_shown, reviewer, reviewer_input, show_flashes
from core import review
from storage import index_store
from storage import repos as repo_store
from storage import review_store as store
from storage.review_store import QueueFilter

PAGE_SIZE = 25
SHORTCUTS = {"accept": "A", "edit": "E", "reject": "X", "skip": "S", "undo": "U"}


def _focus_key(task: str) -> str:
    return f"focus-{task}"


def _move_on(task: str, f: QueueFilter, after: str) -> None:
    with database().connect() as con:
        nxt = store.next_in_queue(con, f, after)
    st.session_state[_focus_key(task)] = nxt[0] if nxt else None
    st.session_state.pop(f"{task}-pinned", None)


def _act(task: str, action: str, sample_id: str, version: int, f: QueueFilter) -> None:
    """A decision button's callback: commit, then point the focus at the next sample."""
    db = database()
    try:
        if action == "undo":
            undone = review.undo(db, reviewer())
            if undone is None:
                flash("Nothing of yours to undo.", "info")
                return
            flash(f"Undid {undone['action']} on {undone['count']} sample(s).", "info")
            st.session_state[_focus_key(task)] = st.session_state[f"{task}-pinned"] = undone["samples"][0][0]
            return
        reason = None
        if action == "reject":
            choice = st.session_state.get(f"{task}-reason")
            note = st.session_state.get(f"{task}-reason-note", "").strip()
            reason = "; ".join(x for x in (choice, note) if x) or None
        review.decide(db, sample_id, version, action, reviewer(), reason)
        st.session_state[f"{task}-reason-note"] = ""
        _move_on(task, f, sample_id)
    except HANDLED as exc:
        flash(str(exc), "warning")


def _start_edit(task: str, sample_id: str) -> None:
    st.session_state[f"{task}-editing"] = sample_id


def _select_row(task: str) -> None:
    selection = st.session_state.get(f"{task}-table")
    rows = st.session_state.get(f"{task}-rows", [])
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(rows):
        st.session_state[_focus_key(task)] = st.session_state[f"{task}-pinned"] = rows[picked[0]]


def _cite(task: str, sample_id: str):
    def show(ev_id: str) -> None:
        st.session_state[f"{task}-ev-{sample_id}"] = ev_id
    return show


@st.cache_data(show_spinner=False, max_entries=16)
def _facets(_con, db_path: str, task: str, stamp: tuple) -> dict[str, list[str]]:
    """Filter choices; recomputed only when the sample set changes (`stamp`)."""
    return store.facets(_con, task)


def render(task: str) -> None:
    """The page: one short-lived connection for all reads of this run."""
    title = {"qa": "QA review", "design": "Design review"}[task]
    st.title(title)
    db = database()
    name = reviewer_input()
    with db.connect() as con:
        stamp = store.sample_stamp(con, task)
        if stamp[0] == 0:
            st.info(f"No {'QA' if task == 'qa' else 'design'} samples yet. Run the pipeline first: open **Pipeline** "
                    "and press Run, or `python -m core run --repo PATH` in a terminal.", icon=":material/info:")
            link("pipeline", "Go to Pipeline")
            return
        f = queue_filter(task, _facets(con, str(db.path), task, stamp))
        if not name:
            st.warning("Enter your name as **Reviewer** in the sidebar to record decisions.", icon=":material/person:")
        show_flashes()
        counts = store.status_counts(con, f)
        in_queue = sum(counts[s] for s in (f.statuses or store.STATUSES))
        _progress(counts)
        _queue(con, task, f, in_queue)
        _bulk(task, f, in_queue, counts)

        focus = st.session_state.get(_focus_key(task))
        pinned = st.session_state.get(f"{task}-pinned")
        keep = focus and (focus == pinned or store.in_queue(con, f, focus))
        rec = store.get_sample(con, focus) if keep else None
        if rec is None or rec["task_type"] != task:
            nxt = store.next_in_queue(con, f, None)
            rec = store.get_sample(con, nxt[0]) if nxt else None
        if rec is None:
            st.success("The queue is empty under these filters.", icon=":material/task_alt:")
            return
        st.session_state[_focus_key(task)] = rec["sample_id"]
        results = store.checks_for(con, rec["sample_id"], rec["version"])
        root = repo_store.repo_root(con, rec["repo_id"])
        paths = sorted({e["path"] for e in rec["effective"]["evidence"]})
        encodings = index_store.file_encodings(con, rec["repo_id"], paths)
        st.divider()
        _focus(con, task, f, rec, results, root, encodings)


def _progress(counts: dict[str, int]) -> None:
    total = sum(counts.values())
    done = total - counts["pending"]
    st.progress(done / total if total else 0.0,
                text=f"Reviewed {done} of {total} · accepted {counts['accepted']} · edited {counts['edited']} · "
                     f"rejected {counts['rejected']} · pending {counts['pending']}")


def _queue(con, task: str, f: QueueFilter, in_queue: int) -> None:
    box = st.expander(f"Queue: {in_queue} sample(s)", key=f"{task}-queue-open", on_change="rerun")
    if not box.open:  # the table is read only while the curator looks at it
        return
    with box:
        pages = max(1, -(-in_queue // PAGE_SIZE))
        page = st.number_input(f"Page (of {pages})", 1, pages, 1, key=f"{task}-page", width=160) if pages > 1 else 1
        rows = store.queue_page(con, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        st.session_state[f"{task}-rows"] = [r["sample_id"] for r in rows]
        if rows:
            frame = pd.DataFrame(rows)[["sample_id", "status", "validation", "score", "domain", "language",
                                        "rule_kind", "question", "reviewer"]]
            st.dataframe(frame, hide_index=True, width="stretch", key=f"{task}-table", on_select=lambda: _select_row(task),
                         selection_mode="single-row",
                         column_config={"score": st.column_config.NumberColumn(format="%.2f"),
                                        "question": st.column_config.TextColumn(width="large")})
            st.caption("Select a row to open it.")


def _bulk(task: str, f: QueueFilter, in_queue: int, counts: dict[str, int]) -> None:
    with st.expander("Bulk action on the whole filtered set"):
        action = st.selectbox("Action", ("accept", "reject", "reset"), key=f"{task}-bulk-action",
                              format_func={"accept": "Accept", "reject": "Reject", "reset": "Reset to pending"}.get)
        reason = None
        if action == "reject":
            reason = st.selectbox("Reason", review.REJECT_REASONS, key=f"{task}-bulk-reason")
        skip = review.BULK_SKIPS[action]
        count = sum(counts[s] for s in (f.statuses or store.STATUSES) if s not in skip)
        st.caption(f"{in_queue} sample(s) match the filters; {count} would change "
                   "(bulk accept leaves edited samples as they are).")
        if st.button(f"{action.capitalize()} {count} sample(s)…", key=f"{task}-bulk-ask", disabled=count == 0):
            st.session_state[f"{task}-bulk-confirm"] = (action, count)
        pending = st.session_state.get(f"{task}-bulk-confirm")
        if pending and pending[0] == action:
            st.warning(f"This will {action} **{count}** sample(s), not only the visible page. Undo reverts it as one step.")
            yes, no = st.columns(2)
            if yes.button(f"Confirm: {action} {count}", key=f"{task}-bulk-yes", type="primary"):
                del st.session_state[f"{task}-bulk-confirm"]
                with problems_shown():
                    changed = review.bulk(database(), f, action, reviewer(), reason)
                    flash(f"Bulk {action}: {changed} sample(s) changed.")
                    st.rerun()
            if no.button("Cancel", key=f"{task}-bulk-no"):
                del st.session_state[f"{task}-bulk-confirm"]
                st.rerun()


def _focus(con, task: str, f: QueueFilter, rec: dict, results: list[dict],
           root: str | None, encodings: dict[str, str]) -> None:
    sid, ver = rec["sample_id"], rec["version"]
    sample_card.header(rec)
    _actions(task, f, sid, ver)
    editing = st.session_state.get(f"{task}-editing") == sid
    left, right = st.columns([1, 1], gap="large")
    with left:
        if editing:
            _edit_form(task, rec)
        else:
            sample_card.body(rec, _cite(task, sid), key=f"{task}-{sid}")
        st.markdown("**Validation**")
        sample_card.checks(results)
        sample_card.diff(rec)
        history = st.expander("Audit history", key=f"{task}-history-open", on_change="rerun")
        if history.open:
            with history:
                sample_card.history(store.history(con, sid))
    with right:
        evidence = rec["effective"]["evidence"]
        ids = [e["id"] for e in evidence]
        ev_key = f"{task}-ev-{sid}"
        if st.session_state.get(ev_key) not in ids:
            st.session_state[ev_key] = ids[0]
        st.segmented_control("Evidence", ids, key=ev_key, required=True)
        chosen = next(e for e in evidence if e["id"] == st.session_state[ev_key])
        render_evidence(chosen, root, encodings.get(chosen["path"]), key=f"{task}-{sid}-{chosen['id']}")


def _actions(task: str, f: QueueFilter, sid: str, ver: int) -> None:
    cols = st.columns([1, 1, 1, 1, 1, 3])
    labels = {"accept": ("Accept", "primary", ":material/check:"), "edit": ("Edit", "secondary", ":material/edit:"),
              "reject": ("Reject", "secondary", ":material/close:"), "skip": ("Skip", "secondary", ":material/skip_next:"),
              "undo": ("Undo", "secondary", ":material/undo:")}
    for col, (action, (label, kind, icon)) in zip(cols, labels.items()):
        if action == "edit":
            callback, args = _start_edit, (task, sid)
        else:
            callback, args = _act, (task, action, sid, ver, f)
        col.button(label, key=f"{task}-{action}", type=kind, icon=icon, shortcut=SHORTCUTS[action],
                   on_click=callback, args=args, width="stretch")
    with cols[5]:
        r1, r2 = st.columns([1, 1])
        r1.selectbox("Reject reason", review.REJECT_REASONS, key=f"{task}-reason", label_visibility="collapsed")
        r2.text_input("Reason details", key=f"{task}-reason-note", placeholder="reject note (optional)",
                      label_visibility="collapsed")


def _edit_form(task: str, rec: dict) -> None:
    s = rec["effective"]
    is_design = s["task_type"] == "design"
    with st.form(f"{task}-edit-form"):
        question = st.text_area("Requirement" if is_design else "Question", s["question"], height=80)
        answer = st.text_area("Proposal" if is_design else "Answer", s["answer"], height=220)
        claims = []
        for n, step in enumerate(s["trace"], 1):
            claim = st.text_input(f"Claim {n} (cites {', '.join(step['evidence_ids'])})", step["claim"])
            claims.append({"claim": claim, "evidence_ids": step["evidence_ids"]})
        save, cancel = st.columns(2)
        saved = save.form_submit_button("Save and re-validate", type="primary")
        cancelled = cancel.form_submit_button("Cancel")
    if cancelled:
        st.session_state.pop(f"{task}-editing", None)
        st.rerun()
    if saved:
        try:
            results = review.edit(database(), rec["sample_id"], rec["version"], reviewer(),
                                  {"question": question, "answer": answer, "trace": claims})
        except HANDLED as exc:
            st.warning(str(exc))
            return
        worst = next((r["result"] for r in results if r["result"] == "fail"), None) or \
            next((r["result"] for r in results if r["result"] == "warn"), "pass")
        flash(f"Edit saved and re-validated: {worst}.", "success" if worst == "pass" else "warning")
        st.session_state[f"{task}-pinned"] = rec["sample_id"]  # stay on it to show the diff and the new checks
        st.session_state.pop(f"{task}-editing", None)
        st.rerun()
