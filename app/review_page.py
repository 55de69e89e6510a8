"""The review workflow shared by the QA and design pages: queue, focus view, actions.

Decisions run in button callbacks, which Streamlit executes before the
script reruns: the decision is committed, the focus moves to the next
sample of the queue, and the rerun renders it, in one round trip.

Every decision carries the revision of the sample's state the page showed
(`rec["rev"]`). When a colleague changed the sample meanwhile, core.review
refuses it; the page stays on that sample and says who did what, so the
curator decides again on what is really there. A callback for a sample that
is no longer the one in focus (a second press that raced the redraw) does
nothing. The place (sample and filters) lives in the URL (app.url_state).

Beside the sample: the guidelines for its kind (app.guidelines_view), its
group (twins in other languages and variants from the same rule, flow or
requirement) with one decision for all of them, and under second review
each reviewer's decision in force. The disagreement queue is the queue
filtered to stage "disputed"; a button above the queue opens it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import guidelines_view, keys, sample_card, url_state
from app.evidence_view import render_evidence
from app.filters import key as filter_key
from app.filters import queue_filter
from app.literal import STYLE, literal_html, md_escape
from app.nav import link
from app.state import HANDLED, database, flash, reviewer, reviewer_input, show_flashes
from core import guidelines, review
from storage import index_store, rounds_store
from storage import repos as repo_store
from storage import review_store as store
from storage.review_store import QueueFilter

PAGE_SIZE = 25
STRIP = 8  # decisions shown in "your last decisions"
_ACTIONS = {"accept": ("Accept", "primary", ":material/check:", "A"),
            "edit": ("Edit", "secondary", ":material/edit:", "E"),
            "reject": ("Reject", "secondary", ":material/close:", "X"),
            "skip": ("Skip", "secondary", ":material/skip_next:", "S"),
            "undo": ("Undo", "secondary", ":material/undo:", "U")}
_DONE = {"accept": "accepted", "reject": "rejected", "edit": "edited", "reset": "reset", "skip": "skipped"}


def _focus_key(task: str) -> str:
    return f"focus-{task}"


def _reset_decision(task: str) -> None:
    """A new sample starts with no reject reason, no note and no open edit.

    The widgets' values are set, not deleted: a deleted key lets the browser keep showing (and send
    back) the last choice, which would then reject the next sample with the previous reason.
    """
    st.session_state[f"{task}-reason"] = None
    st.session_state[f"{task}-reason-note"] = ""
    for suffix in ("editing", "ask-save"):
        st.session_state.pop(f"{task}-{suffix}", None)


def _open(task: str, sample_id: str | None, pin: bool = True) -> None:
    """Put a sample in focus (kept in focus even when it leaves the filtered queue)."""
    if st.session_state.get(_focus_key(task)) != sample_id:
        _reset_decision(task)
    st.session_state[_focus_key(task)] = sample_id
    if pin:
        st.session_state[f"{task}-pinned"] = sample_id
    else:
        st.session_state.pop(f"{task}-pinned", None)


def _move_on(task: str, f: QueueFilter, after: str) -> None:
    with database().connect() as con:
        nxt = store.next_in_queue(con, f, after)
    _open(task, nxt[0] if nxt else None, pin=False)


def _stale(task: str, sample_id: str, exc: review.Stale) -> None:
    """Stay on the sample a colleague changed, and say so where the curator looks."""
    st.session_state[f"{task}-conflict"] = (sample_id, str(exc))
    st.session_state[_focus_key(task)] = st.session_state[f"{task}-pinned"] = sample_id


def _act(task: str, action: str, sample_id: str | None, version: int | None, rev: int | None, f: QueueFilter,
         batch: str | None) -> None:
    """A decision button's callback: commit, then point the focus at the next sample."""
    focus = st.session_state.get(_focus_key(task))
    if action != "undo" and (sample_id is None or focus != sample_id):
        return  # pressed for a sample no longer shown (a double press): nobody saw what it would decide
    st.session_state.pop(f"{task}-conflict", None)
    db = database()
    try:
        if action == "undo":
            _undo(task, db, batch)
            return
        if action == "accept" and st.session_state.get(f"{task}-editing") == sample_id:
            if _edit_changes(task, sample_id):
                st.session_state[f"{task}-ask-save"] = True  # an unsaved edit: ask, never drop it
                return
            st.session_state.pop(f"{task}-editing", None)
        picked, reason = _reason(task, action)
        if not picked:
            return
        review.decide(db, sample_id, version, action, reviewer(), reason, seen=rev)
        _move_on(task, f, sample_id)
    except review.Stale as exc:
        _stale(task, sample_id, exc)
    except HANDLED as exc:
        flash(str(exc), "warning")


def _undo(task: str, db, batch: str | None) -> None:
    try:
        undone = review.undo(db, reviewer(), batch=batch)
    except review.Stale as exc:
        flash(str(exc), "warning")
        return
    if undone is None:
        flash("Nothing of yours to undo.", "info")
        return
    kept = undone["kept"]
    note = "" if not kept else (f"; {len(kept)} sample(s) stay as a later decision left them, e.g. "
                                f"{review.describe(kept[0])}")
    flash(f"Undid {undone['action']} on {undone['count']} sample(s){note}.", "info" if not kept else "warning")
    _open(task, undone["samples"][0][0])


def _go_to(task: str, sample_id: str) -> None:
    _open(task, sample_id)
    st.session_state.pop(f"{task}-conflict", None)


def _select_row(task: str) -> None:
    selection = st.session_state.get(f"{task}-table")
    rows = st.session_state.get(f"{task}-rows", [])
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(rows):
        _go_to(task, rows[picked[0]])


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
    keys.install()
    st.html(STYLE)
    db = database()
    name = reviewer_input()
    with db.connect() as con:
        stamp = store.sample_stamp(con, task)
        if stamp[0] == 0:
            st.info(f"No {'QA' if task == 'qa' else 'design'} samples yet. Run the pipeline first: open **Pipeline** "
                    "and press Run, or `python -m core run --repo PATH` in a terminal.", icon=":material/info:")
            link("pipeline", "Go to Pipeline")
            return
        facets = _facets(con, str(db.path), task, stamp)
        linked = url_state.load(task, facets)
        if linked:
            _open(task, linked)
        f = queue_filter(task, facets)
        if not name:
            st.warning("Enter your name as **Reviewer** in the sidebar to record decisions.", icon=":material/person:")
        show_flashes()
        counts = store.status_counts(con, f)
        in_queue = sum(counts[s] for s in (f.statuses or store.STATUSES))
        required = review.reviewers_required(db)
        _progress(counts)
        _queues(con, task, name, required)
        _queue(con, task, f, in_queue)
        _bulk(con, task, f, in_queue, counts, name, required)
        recent = store.recent_decisions(con, name, task, STRIP) if name else []
        batch = store.last_undoable_batch(con, name) if name else None

        focus = st.session_state.get(_focus_key(task))
        pinned = st.session_state.get(f"{task}-pinned")
        # The sample on screen stays until the curator moves on or changes the filters: a colleague's
        # decision that takes it out of the queue must not swap it while a reason is being chosen.
        same_filter = st.session_state.get(f"{task}-shown-filter") == f
        st.session_state[f"{task}-shown-filter"] = f
        keep = focus and (focus == pinned or same_filter or store.in_queue(con, f, focus))
        rec = store.get_sample(con, focus) if keep else None
        if rec is None or rec["task_type"] != task:
            nxt = store.next_in_queue(con, f, None)
            rec = store.get_sample(con, nxt[0]) if nxt else None
        if rec is None:
            st.session_state[_focus_key(task)] = None
            url_state.save(task, f, None)
            st.divider()
            _actions(task, f, None, None, None, batch)
            _strip(task, recent)
            st.success("The queue is empty under these filters.", icon=":material/task_alt:")
            return
        if rec["sample_id"] != focus:
            _reset_decision(task)
        st.session_state[_focus_key(task)] = rec["sample_id"]
        url_state.save(task, f, rec["sample_id"])
        results = store.checks_for(con, rec["sample_id"], rec["version"])
        root = repo_store.repo_root(con, rec["repo_id"])
        evidence = rec["effective"]["evidence"]
        paths = sorted({e["path"] for e in evidence})
        encodings = index_store.file_encodings(con, rec["repo_id"], paths)
        members = {e["id"]: store.enclosing_member(con, rec["repo_id"], e["path"], e["start_line"], e["end_line"])
                   for e in evidence}
        history = store.history(con, rec["sample_id"])
        rounds = {"required": required, "votes": rounds_store.votes(con, rec["sample_id"], rec["version"]),
                  "stage": rounds_store.stage(con, rec["sample_id"], rec["version"]),
                  "group": rounds_store.group_of(con, rec["sample_id"])}
        st.divider()
        _focus(task, f, rec, results, root, encodings, members, history, recent, batch, rounds)


def _open_queue(task: str, stage: str, mine: bool) -> None:
    """Show one review stage's queue (any status): the disagreement queue, or what awaits a second look."""
    for name, value in (("status", []), ("stage", [stage]), ("mine", mine)):
        st.session_state[filter_key(task, name)] = value
    _open(task, None, pin=False)


def _queues(con, task: str, name: str, required: int) -> None:
    """Buttons for the queues of second review, with their sizes; shown once there is something in them."""
    disputed = store.queue_count(con, QueueFilter(task_type=task, stages=("disputed",)))
    awaiting = store.queue_count(con, QueueFilter(task_type=task, stages=("awaiting",), undecided_by=name)) \
        if required > 1 and name else 0
    if not (disputed or required > 1):
        return
    with st.container(horizontal=True, vertical_alignment="center", key=f"{task}-queues"):
        st.caption(f"Each sample needs {required} reviewer(s) who agree." if required > 1
                   else "One reviewer per sample (change it on the Guidelines page).")
        st.button(f"Disagreements: {disputed}", key=f"{task}-q-disputed", icon=":material/call_split:",
                  on_click=_open_queue, args=(task, "disputed", False), disabled=not disputed,
                  help="samples whose reviewers decided differently")
        if required > 1:
            st.button(f"Awaiting your review: {awaiting}", key=f"{task}-q-awaiting", icon=":material/group:",
                      on_click=_open_queue, args=(task, "awaiting", True), disabled=not awaiting or not name,
                      help="decided by fewer reviewers than required, not by you")


def _reason(task: str, action: str) -> tuple[bool, str | None]:
    """(picked, reason): a reject needs a reason (and takes the curator's note); without one nothing is decided."""
    if action != "reject":
        return True, None
    choice = st.session_state.get(f"{task}-reason")
    if not choice:
        flash("Choose a reject reason first (keys 1-9, or click one); nothing was decided.", "warning")
        return False, None
    note = (st.session_state.get(f"{task}-reason-note") or "").strip()
    return True, "; ".join(x for x in (choice, note) if x)


def _group_act(task: str, action: str, sid: str, members: list[tuple[str, int, int]], f: QueueFilter) -> None:
    """One decision for the sample and its group: each sample gets its own event, Undo takes them back together."""
    if st.session_state.get(_focus_key(task)) != sid:
        return
    st.session_state.pop(f"{task}-conflict", None)
    picked, reason = _reason(task, action)
    if not picked:
        return
    try:
        count = review.decide_group(database(), members, action, reviewer(), reason)
    except review.Stale as exc:
        _stale(task, sid, exc)
        return
    except HANDLED as exc:
        flash(str(exc), "warning")
        return
    flash(f"{_DONE[action].capitalize()} {count} samples of the group (Undo takes them back together).", "success")
    _move_on(task, f, sid)


_GROUP_STYLE = "<style>.acdp-literal.acdp-small { padding: 0.3rem 0.5rem; font-size: 0.85rem; line-height: 1.4; }</style>"


def _group(task: str, f: QueueFilter, sid: str, group: list[dict]) -> None:
    """The sample's twins and variants, each with its own status, question and answer (one click away: a
    group decision is made on what the curator can read); one decision may take them all."""
    me = next(g for g in group if g["sample_id"] == sid)
    twins = sum(g["language"] != me["language"] for g in group)
    variants = len(group) - 1 - twins
    with st.container(border=True, key=f"{task}-group"):
        st.html(_GROUP_STYLE)
        st.markdown(f"**Group: {len(group)} samples from one source** · {twins} twin(s) in another language · "
                    f"{variants} variant(s)")
        for g in group:
            head = (f"`{md_escape(g['sample_id'])}` · {md_escape(g['language'])} · "
                    f"{md_escape(g['question_kind'] or '')} · {sample_card.badge(g['status'])} "
                    f"{sample_card.badge(g['stage'], g['stage'])}")
            if g["sample_id"] == sid:
                st.markdown(f"**this sample** {head}")
                continue
            short = g["question"] if len(g["question"]) <= 70 else g["question"][:69] + "…"
            with st.expander(f"{head} · {md_escape(short)}", key=f"{task}-group-{g['sample_id']}"):
                st.html(literal_html(g["question"], "acdp-literal q acdp-small"))
                st.html(literal_html(g["answer"], "acdp-literal acdp-small"))
                st.button("Open this sample", key=f"{task}-group-open-{g['sample_id']}", on_click=_go_to,
                          args=(task, g["sample_id"]), type="tertiary", icon=":material/open_in_new:")
        members = [(g["sample_id"], g["version"], g["rev"]) for g in group]
        left, right, _ = st.columns([1, 1, 1])
        left.button(f"Accept all {len(group)}", key=f"{task}-group-accept", icon=":material/done_all:",
                    on_click=_group_act, args=(task, "accept", sid, members, f), width="stretch")
        right.button(f"Reject all {len(group)}", key=f"{task}-group-reject", icon=":material/block:",
                     on_click=_group_act, args=(task, "reject", sid, members, f), width="stretch",
                     help="with the reject reason chosen below")


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
            frame = pd.DataFrame(rows)[["sample_id", "status", "stage", "validation", "score", "domain", "language",
                                        "rule_kind", "question", "reviewer"]]
            st.dataframe(frame, hide_index=True, width="stretch", key=f"{task}-table", on_select=lambda: _select_row(task),
                         selection_mode="single-row",
                         column_config={"score": st.column_config.NumberColumn(format="%.2f"),
                                        "question": st.column_config.TextColumn(width="large")})
            st.caption("Select a row to open it.")


def _bulk_apply(task: str, f: QueueFilter, action: str, reason: str | None, seen: int) -> None:
    st.session_state.pop(f"{task}-bulk-confirm", None)
    _open(task, None, pin=False)  # the sample on screen may have left the queue with the others
    try:
        done = review.bulk(database(), f, action, reviewer(), reason, seen=seen)
    except HANDLED as exc:
        flash(str(exc), "warning")
        return
    stale = (f"; {done['stale']} sample(s) changed by someone since you counted were left as they are"
             if done["stale"] else "")
    flash(f"Bulk {action}: {done['changed']} sample(s) changed{stale}.", "warning" if done["stale"] else "success")


def _bulk(con, task: str, f: QueueFilter, in_queue: int, counts: dict[str, int], name: str, required: int) -> None:
    with st.expander("Bulk action on the whole filtered set"):
        action = st.selectbox("Action", ("accept", "reject", "reset"), key=f"{task}-bulk-action",
                              format_func={"accept": "Accept", "reject": "Reject", "reset": "Reset to pending"}.get)
        reason = None
        if action == "reject":
            reason = st.selectbox("Reason", review.REJECT_REASONS, key=f"{task}-bulk-reason", index=None,
                                  placeholder="choose a reason")
        scope, skip = review.bulk_scope(f, action, name, required)
        if scope != f:
            counts = store.status_counts(con, scope)
        count = sum(counts[s] for s in (f.statuses or store.STATUSES) if s not in skip)
        rule = ("it is your vote on each: samples you already decided are left out, and bulk accept leaves "
                "edited samples as they are" if scope != f else "bulk accept leaves edited samples as they are")
        st.caption(f"{in_queue} sample(s) match the filters; {count} would change ({rule}).")
        if st.button(f"{action.capitalize()} {count} sample(s)…", key=f"{task}-bulk-ask",
                     disabled=count == 0 or (action == "reject" and not reason)):
            # the states as they are now are what the curator confirms: later changes are left alone
            st.session_state[f"{task}-bulk-confirm"] = (action, count, store.latest_event_id(con))
        pending = st.session_state.get(f"{task}-bulk-confirm")
        if pending and pending[0] == action:
            st.warning(f"This will {action} **{count}** sample(s), not only the visible page. Undo reverts it as one step.")
            yes, no = st.columns(2)
            yes.button(f"Confirm: {action} {count}", key=f"{task}-bulk-yes", type="primary",
                       on_click=_bulk_apply, args=(task, f, action, reason, pending[2]))
            no.button("Cancel", key=f"{task}-bulk-no", on_click=lambda: st.session_state.pop(f"{task}-bulk-confirm", None))


def _focus(task: str, f: QueueFilter, rec: dict, results: list[dict], root: str | None,
           encodings: dict[str, str], members: dict, history: list[dict], recent: list[dict], batch: str | None,
           rounds: dict) -> None:
    sid = rec["sample_id"]
    with st.container(key=f"{task}-sample-head"):
        sample_card.header(rec)
        sample_card.votes(rounds["votes"], rounds["required"], rounds["stage"], reviewer())
    conflict = st.session_state.get(f"{task}-conflict")
    if conflict and conflict[0] == sid:
        st.warning(f"**Not applied.** {md_escape(conflict[1])}", icon=":material/group:")
    _actions(task, f, sid, rec["version"], rec["rev"], batch)
    _strip(task, recent)
    editing = st.session_state.get(f"{task}-editing") == sid
    left, right = st.columns([2, 3], gap="medium")
    with left:
        if editing:
            _edit_form(task, rec, f)
        else:
            sample_card.body(rec, _cite(task, sid), key=f"{task}-{sid}")
        if len(rounds["group"]) > 1:
            _group(task, f, sid, rounds["group"])
        st.markdown("**Validation**")
        sample_card.checks(results)
        sample_card.diff(rec)
        box = st.expander(f"Audit history ({len(history)} event(s))", key=f"{task}-history-open", on_change="rerun")
        if box.open:
            with box:
                sample_card.history(history)
    with right:
        src = rec["effective"].get("source") or {}
        guidelines_view.beside(task, guidelines.kind_of(task, src.get("kind"), src.get("rule_kind"),
                                                        src.get("question_kind")), key=f"{task}-guidelines-open")
        evidence = rec["effective"]["evidence"]
        ids = [e["id"] for e in evidence]
        ev_key = f"{task}-ev-{sid}"
        if st.session_state.get(ev_key) not in ids:
            st.session_state[ev_key] = ids[0]
        st.segmented_control("Evidence", ids, key=ev_key, required=True)
        chosen = next(e for e in evidence if e["id"] == st.session_state[ev_key])
        render_evidence(chosen, evidence, root, encodings.get(chosen["path"]), members.get(chosen["id"]))


def _actions(task: str, f: QueueFilter, sid: str | None, version: int | None, rev: int | None,
             batch: str | None) -> None:
    """The decision bar, then the reject reasons; Undo stays usable when the queue is empty."""
    cols = st.columns([1, 1, 1, 1, 1, 3])
    for col, (action, (label, kind, icon, key)) in zip(cols, _ACTIONS.items()):
        if action == "edit":
            callback, args = _start_edit, (task, sid)
        else:
            callback, args = _act, (task, action, sid, version, rev, f, batch)
        col.button(f"{label} {key}", key=f"{task}-{action}", type=kind, icon=icon, on_click=callback, args=args,
                   width="stretch", disabled=(sid is None and action != "undo") or (action == "undo" and not batch),
                   help=f"key {key}")
    if sid is None:
        return
    cols[5].text_input("Reason details", key=f"{task}-reason-note", placeholder="reject note (optional; Enter to go on)",
                       label_visibility="collapsed")
    st.pills("Reject reason (keys 1-9)", [f"{n} {r}" for n, r in enumerate(review.REJECT_REASONS, 1)],
             key=f"{task}-reason")


def _strip(task: str, recent: list[dict]) -> None:
    """Your last decisions on this page, newest first; each opens its sample."""
    if not recent:
        return
    with st.container(horizontal=True, horizontal_alignment="left", vertical_alignment="center", gap="small",
                      key=f"{task}-strip"):
        st.caption("Your last decisions:")
        for n, d in enumerate(recent):
            label = f"{d['sample_id']} {_DONE.get(d['action'], d['action'])}" + (" (undone)" if d["undone"] else "")
            st.button(label, key=f"{task}-strip-{n}", on_click=_go_to, args=(task, d["sample_id"]), type="tertiary",
                      help=f"open {d['sample_id']}")


def _start_edit(task: str, sample_id: str | None) -> None:
    if sample_id is not None and st.session_state.get(_focus_key(task)) == sample_id:
        st.session_state[f"{task}-editing"] = sample_id


def _edit_keys(task: str, sid: str) -> tuple[str, str]:
    return f"{task}-ed-q-{sid}", f"{task}-ed-a-{sid}"


def _edit_changes(task: str, sid: str) -> dict:
    """The fields the curator changed in the open edit (empty when nothing differs)."""
    original = st.session_state.get(f"{task}-ed-orig-{sid}")
    if not original:
        return {}
    q_key, a_key = _edit_keys(task, sid)
    changes = {}
    if st.session_state.get(q_key, original["question"]) != original["question"]:
        changes["question"] = st.session_state[q_key]
    if st.session_state.get(a_key, original["answer"]) != original["answer"]:
        changes["answer"] = st.session_state[a_key]
    claims = [st.session_state.get(f"{task}-ed-c{n}-{sid}", step["claim"]) for n, step in enumerate(original["trace"])]
    if claims != [s["claim"] for s in original["trace"]]:
        changes["trace"] = [{**step, "claim": c} for step, c in zip(original["trace"], claims)]
    return changes


def _close_edit(task: str, sid: str) -> None:
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{task}-ed-") and k.endswith(sid)]:
        del st.session_state[k]
    st.session_state.pop(f"{task}-editing", None)
    st.session_state.pop(f"{task}-ask-save", None)


def _save_edit(task: str, sid: str, version: int, rev: int, then_accept: bool) -> None:
    changes = _edit_changes(task, sid)
    db = database()
    try:
        results = review.edit(db, sid, version, reviewer(), changes, seen=rev) if changes else None
        if then_accept:
            with db.connect() as con:
                now = store.rev(con, sid, version)
            review.decide(db, sid, version, "accept", reviewer(), seen=now)
    except review.Stale as exc:
        _stale(task, sid, exc)
        return
    except HANDLED as exc:
        flash(str(exc), "warning")
        return
    _close_edit(task, sid)
    if results is not None:
        worst = next((r["result"] for r in results if r["result"] == "fail"), None) or \
            next((r["result"] for r in results if r["result"] == "warn"), "pass")
        flash(f"Edit saved and re-validated: {worst}.", "success" if worst == "pass" else "warning")
    if then_accept:
        flash(f"Accepted {sid}.", "success")
    st.session_state[f"{task}-pinned"] = sid  # stay on it to show the diff and the new checks


def _discard_and_accept(task: str, sid: str, version: int, rev: int, f: QueueFilter) -> None:
    _close_edit(task, sid)
    _act(task, "accept", sid, version, rev, f, None)


def _edit_form(task: str, rec: dict, f: QueueFilter) -> None:
    """Plain widgets, not a form: their values reach the server as the curator leaves a field, so Accept
    knows whether an edit is unsaved and asks instead of dropping it. Escape cancels."""
    s, sid, ver, rev = rec["effective"], rec["sample_id"], rec["version"], rec["rev"]
    is_design = s["task_type"] == "design"
    st.session_state.setdefault(f"{task}-ed-orig-{sid}", {"question": s["question"], "answer": s["answer"],
                                                         "trace": s["trace"]})
    if st.session_state.get(f"{task}-ask-save"):
        st.warning("This sample has an unsaved edit. Save it and accept, or discard it and accept the generated text?",
                   icon=":material/edit_note:")
        a, b, c = st.columns(3)
        a.button("Save edit and accept", key=f"{task}-ask-save-yes", type="primary", on_click=_save_edit,
                 args=(task, sid, ver, rev, True))
        b.button("Discard edit and accept", key=f"{task}-ask-discard", on_click=_discard_and_accept,
                 args=(task, sid, ver, rev, f))
        c.button("Keep editing", key=f"{task}-ask-keep", on_click=lambda: st.session_state.pop(f"{task}-ask-save", None))
    q_key, a_key = _edit_keys(task, sid)
    st.text_area("Requirement" if is_design else "Question", s["question"], height=80, key=q_key)
    st.text_area("Proposal" if is_design else "Answer", s["answer"], height=220, key=a_key)
    for n, step in enumerate(s["trace"]):
        st.text_input(f"Claim {n + 1} (cites {', '.join(step['evidence_ids'])})", step["claim"],
                      key=f"{task}-ed-c{n}-{sid}")
    save, cancel = st.columns(2)
    save.button("Save and re-validate", key=f"{task}-edit-save", type="primary", on_click=_save_edit,
                args=(task, sid, ver, rev, False))
    cancel.button("Cancel edit (Esc)", key=f"{task}-edit-cancel", on_click=_close_edit, args=(task, sid))


def _save_policy() -> None:
    try:
        review.set_reviewers_required(database(), st.session_state["policy-required"], reviewer())
    except HANDLED as exc:
        flash(str(exc), "warning")
        return
    flash(f"Each sample now needs {st.session_state['policy-required']} reviewer(s) who agree.", "success")


def policy() -> None:
    """How review works here: where the guidelines come from, and how many reviewers must agree (shared setting)."""
    db = database()
    name = reviewer_input()
    show_flashes()
    required = review.reviewers_required(db)
    st.caption(f"Read from `{guidelines.path()}`: edit it in the repository (or start the app with "
               "`--guidelines FILE`). Each review page shows the section for the sample's kind beside it.")
    with st.container(border=True, key="review-policy"):
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        st.session_state.setdefault("policy-required", required)
        chosen = left.number_input("Reviewers per sample", 1, review.MAX_REVIEWERS, key="policy-required")
        right.button("Save for everyone", key="policy-save", on_click=_save_policy,
                     disabled=chosen == required or not name,
                     help="enter your reviewer name in the sidebar first" if not name else None)
        st.caption(f"Now: {required}. A sample is final when that many different reviewers agree on it, and only "
                   "final samples are exported unless the export says otherwise. Agree means the same verdict on "
                   "the same text: both rejected, both accepted the generated text, or both kept the same edit "
                   "(accepting a colleague's edit agrees with it; accepting the generated text does not). Samples "
                   "whose reviewers disagree wait in the disagreement queue of the review pages until they agree: "
                   "one of them decides again (a further reviewer adds an opinion, not a casting vote).")
