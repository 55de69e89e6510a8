"""Curator decisions: accept, edit, reject, skip, undo, and bulk actions.

Each decision is one transaction that writes the new review state and its
audit events together, so a page rerun (or a crash) right after a click
loses nothing. Two sessions deciding on the same sample: the later write
wins and the history keeps both. An edit keeps the generated sample as it
was (`samples.payload`), stores the curator's version in the review state,
and re-validates that version at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import duckdb
from pydantic import ValidationError

from core.errors import UserError
from core.models import Sample
from core.validate import revalidate_sample
from storage import Database, StorageError
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


def decide(db: Database, sample_id: str, version: int, action: str, reviewer: str, reason: str | None = None) -> dict | None:
    """Accept, reject or skip one sample version; returns its new review state."""
    reviewer = _reviewer(reviewer)
    if action == "reject" and not (reason or "").strip():
        raise UserError("choose a reason for the rejection")

    def work() -> dict | None:
        with db.transaction() as con:
            before = store.get_state(con, sample_id, version)
            if action == "skip":
                store.add_event(con, sample_id, version, "skip", reviewer, before, before, _batch())
                return before
            if action == "accept" and before and before["status"] == "edited":
                # the curator edited, then accepted: the edit is what they accept (as bulk accept does)
                after = {**before, "reviewer": reviewer, "updated_at": None}
            else:
                after = {"status": ACTION_STATUS[action], "reviewer": reviewer, "edited_payload": None,
                         "reason": reason if action == "reject" else None}
            store.put_state(con, sample_id, version, after)
            after = store.get_state(con, sample_id, version)
            store.add_event(con, sample_id, version, action, reviewer, before, after, _batch(), reason)
            return after

    if action not in ("accept", "reject", "skip"):
        raise ValueError(f"unknown action {action!r}")
    return _retrying(work)


def edit(db: Database, sample_id: str, version: int, reviewer: str, changes: dict) -> list[dict]:
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
            before = store.get_state(con, sample_id, version)
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


def undo(db: Database, reviewer: str) -> dict | None:
    """Revert this reviewer's latest decision (a bulk action counts as one); None when there is nothing to undo."""
    reviewer = _reviewer(reviewer)

    def work() -> dict | None:
        with db.transaction() as con:
            batch = store.last_undoable_batch(con, reviewer)
            if batch is None:
                return None
            action, count = store.batch_size(con, batch)
            samples = store.revert_batch(con, batch, reviewer, _batch())
            return {"action": action, "count": count, "samples": samples}

    result = _retrying(work)
    if result and result["action"] == "edit":
        with db.connect() as con:
            recs = [store.get_sample(con, sid, ver) for sid, ver in result["samples"]]
        for rec in filter(None, recs):
            _recheck(db, Sample.model_validate(rec["effective"]), "the undo is done")
    return result


def bulk(db: Database, f: store.QueueFilter, action: str, reviewer: str, reason: str | None = None) -> int:
    """One decision over the whole filtered set; returns how many samples changed."""
    reviewer = _reviewer(reviewer)
    if action == "reject" and not (reason or "").strip():
        raise UserError("choose a reason for the rejection")
    status, skip = {"accept": "accepted", "reject": "rejected", "reset": None}[action], BULK_SKIPS[action]

    def work() -> int:
        with db.transaction() as con:
            return store.bulk_decide(con, f, action, status, reviewer, reason, _batch(), skip)

    return _retrying(work)
