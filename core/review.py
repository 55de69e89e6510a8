"""Curator decisions: accept, edit, reject, skip, undo, and bulk actions.

Each decision is one transaction that writes the new review state and its
audit events together, so a page rerun (or a crash) right after a click
loses nothing. An edit keeps the generated sample as it was
(`samples.payload`), stores the curator's version in the review state, and
re-validates that version at once.

Two curators on one sample: every decision carries the revision of the
state it was made on (`seen`, from `get_sample(...)["rev"]`). With one
reviewer per sample (the default), when someone changed the sample since,
nothing is written and `Stale` says who did what, so the curator looks again
instead of overwriting a colleague unseen. With second review on
(`reviewers_required` >= 2) each reviewer's decision is a vote of its own
(core.agreement): a colleague's decision in between is recorded beside it,
never in its place, so both are kept; only a change of the text itself (an
edit, or its undo) or the same reviewer deciding in another tab makes a
decision stale. Undo reverts only the reviewer's own latest decision, and
on each sample only while that decision is still the one in force.

A group decision (a sample with its twins and variants, one source) writes
one event per sample under one batch id: Undo reverts it as one step, and
if any member changed since the curator saw it nothing is written.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace

import duckdb
from pydantic import ValidationError

from core.errors import UserError
from core.models import Sample
from core.validate import revalidate_sample
from storage import Database, StorageError, rounds_store
from storage import review_store as store

REJECT_REASONS = (
    "wrong answer",
    "evidence does not support the answer",
    "evidence too broad",
    "trivial or unhelpful question",
    "duplicate",
    "poor language",
    "leaks secrets or personal data",
    "design ignores the architecture",
    "other",
)
BULK_SKIPS = {"accept": ("accepted", "edited"), "reject": ("rejected",), "reset": ("pending",)}
ACTION_STATUS = {"accept": "accepted", "edit": "edited", "reject": "rejected"}
MAX_REVIEWERS = 5


class Stale(UserError):
    """A decision made on a state that changed since: not applied. `change` is the newest event."""

    def __init__(self, message: str, change: dict | None):
        super().__init__(message)
        self.change = change


def describe(change: dict) -> str:
    """'bob rejected qa-000001 at 15:02:11 (duplicate)': one event as a curator reads it."""
    verb = {"accept": "accepted", "reject": "rejected", "edit": "edited", "reset": "reset", "undo": "undid a decision on"}
    when = change["created_at"]
    when = f"{when:%H:%M:%S}" if hasattr(when, "strftime") else str(when)
    reason = f" ({change['reason']})" if change.get("reason") else ""
    return f"{change['reviewer']} {verb.get(change['action'], change['action'])} {change['sample_id']} at {when}{reason}"


def _check_fresh(con, sample_id: str, version: int, seen: int | None, what: str, reviewer: str) -> dict | None:
    """Refuse a decision made on an older revision of the sample's state; returns the state now.

    Under second review only a change of the text, or this reviewer's own decision elsewhere, is stale:
    a colleague's vote in between stands beside this one.
    """
    if seen is not None:
        now = store.rev(con, sample_id, version)
        if now != seen:
            change = store.event(con, now) if now else None
            if _required(con) > 1:
                since = rounds_store.changes_since(con, sample_id, version, seen)
                blocking = [c for c in since if c["content_changed"] or c["reviewer"] == reviewer]
                if since and not blocking:
                    return store.get_state(con, sample_id, version)
                change = blocking[0] if blocking else change
            told = describe(change) if change else f"{sample_id} went back to pending"
            raise Stale(f"{told} after you opened it; your {what} was not applied. Look at it again and decide.",
                        change)
    return store.get_state(con, sample_id, version)


def _required(con) -> int:
    setting = rounds_store.get_setting(con, rounds_store.REVIEWERS_REQUIRED)
    try:
        return max(1, int(setting["value"])) if setting else 1
    except ValueError:
        return 1


def reviewers_required(db: Database) -> int:
    """How many distinct reviewers must agree before a sample is final (default 1)."""
    with db.connect() as con:
        return _required(con)


def set_reviewers_required(db: Database, count: int, reviewer: str) -> None:
    """Change the setting for everyone; samples already decided are re-staged at once (stages are derived)."""
    reviewer = _reviewer(reviewer)
    if not 1 <= int(count) <= MAX_REVIEWERS:
        raise UserError(f"reviewers per sample must be between 1 and {MAX_REVIEWERS}; got {count}")
    with db.transaction() as con:
        rounds_store.put_setting(con, rounds_store.REVIEWERS_REQUIRED, str(int(count)), reviewer)


def _retrying(work: Callable[[], object], attempts: int = 5) -> object:
    """Run a transaction again when a concurrent session wrote the same rows (last write wins)."""
    for attempt in range(attempts):
        try:
            return work()
        except (duckdb.TransactionException, duckdb.ConstraintException) as exc:  # "someone wrote it first"
            if attempt == attempts - 1:
                raise UserError("other sessions kept changing the same samples; nothing was saved, "
                                "press the button again") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _reviewer(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError("enter your reviewer name first (sidebar): every decision is recorded with it")
    return name


def _batch() -> str:
    return uuid.uuid4().hex[:16]


def _apply(con, sample_id: str, version: int, action: str, reviewer: str, reason: str | None, seen: int | None,
           batch: str) -> dict | None:
    """One accept, reject or skip inside the caller's transaction; returns the new state."""
    before = _check_fresh(con, sample_id, version, None if action == "skip" else seen, action, reviewer)
    if action == "skip":
        store.add_event(con, sample_id, version, "skip", reviewer, before, before, batch)
        return before
    if action == "accept" and before and before["status"] == "edited":
        # the curator edited, then accepted: the edit is what they accept (as bulk accept does)
        after = {**before, "reviewer": reviewer, "updated_at": None}
    else:
        after = {"status": ACTION_STATUS[action], "reviewer": reviewer, "edited_payload": None,
                 "reason": reason if action == "reject" else None}
    store.put_state(con, sample_id, version, after)
    after = store.get_state(con, sample_id, version)
    store.add_event(con, sample_id, version, action, reviewer, before, after, batch, reason)
    return after


def _checked(action: str, reviewer: str, reason: str | None) -> str:
    reviewer = _reviewer(reviewer)
    if action == "reject" and not (reason or "").strip():
        raise UserError("choose a reason for the rejection")
    return reviewer


def decide(db: Database, sample_id: str, version: int, action: str, reviewer: str, reason: str | None = None,
           seen: int | None = None) -> dict | None:
    """Accept, reject or skip one sample version; returns its new review state.

    `seen` is the revision the curator saw (None only for scripts that decide unseen);
    a skip changes no state and is never stale.
    """
    reviewer = _checked(action, reviewer, reason)
    if action not in ("accept", "reject", "skip"):
        raise ValueError(f"unknown action {action!r}")

    def work() -> dict | None:
        with db.transaction() as con:
            return _apply(con, sample_id, version, action, reviewer, reason, seen, _batch())

    return _retrying(work)


def decide_group(db: Database, members: list[tuple[str, int, int | None]], action: str, reviewer: str,
                 reason: str | None = None) -> int:
    """Accept or reject a sample with its twins and variants: one event per sample, one batch.

    `members` holds (sample_id, version, seen revision) for every sample the curator saw in the
    group. All or nothing: if any of them changed since (see `decide`), `Stale` names it and no
    sample is decided. Returns how many samples were decided.
    """
    reviewer = _checked(action, reviewer, reason)
    if action not in ("accept", "reject"):
        raise ValueError(f"a group can be accepted or rejected, not {action!r}")
    if not members:
        return 0

    def work() -> int:
        with db.transaction() as con:
            batch = _batch()
            for sample_id, version, seen in members:
                _apply(con, sample_id, version, action, reviewer, reason, seen, batch)
            return len(members)

    return _retrying(work)


def edit(db: Database, sample_id: str, version: int, reviewer: str, changes: dict, seen: int | None = None) -> list[dict]:
    """Save the curator's version of a sample and re-validate it; returns the new check results.

    `changes` holds the edited fields (question, answer, trace ...). An edit
    that breaks the sample's own contract (e.g. a claim citing unknown
    evidence) is refused with the reason and nothing is written.
    """
    reviewer = _reviewer(reviewer)
    with db.connect() as con:
        rec = store.get_sample(con, sample_id, version)
    if rec is None:
        raise UserError(f"sample {sample_id} v{version} no longer exists")
    try:
        edited = Sample.model_validate({**rec["effective"], **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"the edit is not a valid sample: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    payload = edited.model_dump(mode="json")

    def work() -> None:
        with db.transaction() as con:
            before = _check_fresh(con, sample_id, version, seen, "edit", reviewer)
            store.put_state(con, sample_id, version,
                            {"status": "edited", "reviewer": reviewer, "edited_payload": payload, "reason": None})
            after = store.get_state(con, sample_id, version)
            store.add_event(con, sample_id, version, "edit", reviewer, before, after, _batch())

    _retrying(work)
    return _recheck(db, edited, "the edit is saved")


def _recheck(db: Database, sample: Sample, done: str) -> list[dict]:
    """Re-validate after a committed decision; a failure says the decision stands, or the curator may redo it."""
    try:
        return revalidate_sample(db, sample)
    except (UserError, StorageError) as exc:
        raise UserError(f"{done}, but re-checking it failed: {exc} "
                        f"(re-check later with `python -m core validate --sample {sample.sample_id}`)") from exc


def undo(db: Database, reviewer: str, batch: str | None = None) -> dict | None:
    """Revert this reviewer's latest decision (a bulk action counts as one); None when there is nothing to undo.

    `batch` is the decision the curator saw as their latest; if another tab of theirs decided
    since, nothing is undone. On a sample where someone decided after this reviewer, the newer
    decision stands: the result lists those in `kept`, and when no sample could be reverted
    nothing is written and `Stale` says who decided later.
    """
    reviewer = _reviewer(reviewer)

    def work() -> dict | None:
        with db.transaction() as con:
            latest = store.last_undoable_batch(con, reviewer)
            if latest is None:
                return None
            if batch is not None and latest != batch:
                raise Stale("you made another decision since (in another tab?); nothing was undone. "
                            "Look at your latest decisions and undo again.", None)
            action, count = store.batch_size(con, latest)
            kept = store.overtaken(con, latest)
            samples = store.revert_batch(con, latest, reviewer, _batch())
            if not samples:
                first = kept[0] if kept else None
                told = describe(first) if first else "someone decided after you"
                raise Stale(f"{told} after your {action}; that decision stands, so nothing was undone.", first)
            return {"action": action, "count": len(samples), "samples": samples, "kept": kept, "of": count}

    result = _retrying(work)
    if result and result["action"] == "edit":
        with db.connect() as con:
            recs = [store.get_sample(con, sid, ver) for sid, ver in result["samples"]]
        for rec in filter(None, recs):
            _recheck(db, Sample.model_validate(rec["effective"]), "the undo is done")
    return result


def bulk_scope(f: store.QueueFilter, action: str, reviewer: str, required: int) -> tuple[store.QueueFilter, tuple]:
    """The samples a bulk action decides: the filter, and the review statuses it leaves alone.

    With one reviewer per sample, accept leaves accepted and edited samples alone (never discarding
    an edit), reject the rejected ones. Under second review a bulk accept or reject is this reviewer's
    vote on each sample: it leaves out the samples they already decided, and a bulk accept still
    leaves edited ones alone (accepting the generated text would drop the edit).
    """
    if required > 1 and action in ("accept", "reject"):
        return replace(f, undecided_by=reviewer), ("edited",) if action == "accept" else ()
    return f, BULK_SKIPS[action]


def bulk(db: Database, f: store.QueueFilter, action: str, reviewer: str, reason: str | None = None,
         seen: int | None = None) -> dict:
    """One decision over the whole filtered set (see `bulk_scope`); returns {"changed": n, "stale": m}.

    `seen` is `store.latest_event_id` when the curator confirmed the count: samples someone
    changed after that are left as they are (counted in `stale`), as for a single decision.
    """
    reviewer = _reviewer(reviewer)
    if action == "reject" and not (reason or "").strip():
        raise UserError("choose a reason for the rejection")
    status = {"accept": "accepted", "reject": "rejected", "reset": None}[action]

    def work() -> dict:
        with db.transaction() as con:
            scope, skip = bulk_scope(f, action, reviewer, _required(con))
            changed, stale = store.bulk_decide(con, scope, action, status, reviewer, reason, _batch(), skip, seen)
            return {"changed": changed, "stale": stale}

    return _retrying(work)
