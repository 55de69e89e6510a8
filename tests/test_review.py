"""Review decisions and the queue: every action changes the database as it should, undo restores."""

from __future__ import annotations

import threading
from dataclasses import replace

import duckdb
import pytest
from test_review_support import seed

from core import review
from core.errors import UserError
from storage import DatabaseLocked
from storage import review_store as store
from storage.review_store import QueueFilter


@pytest.fixture
def seeded(db):
    seed(db)
    return db


def state(db, sid):
    with db.connect() as con:
        return store.get_sample(con, sid)


def events(db, sid):
    with db.connect() as con:
        return store.history(con, sid)


def test_queue_filters_sort_and_paging(seeded):
    with seeded.connect() as con:
        assert store.queue_count(con, QueueFilter()) == 12
        assert store.queue_count(con, QueueFilter(task_type="design")) == 4
        assert store.queue_count(con, QueueFilter(domains=("order",))) == 6
        assert store.queue_count(con, QueueFilter(rule_kinds=("guard",))) == 3
        assert store.queue_count(con, QueueFilter(validation=("warn",))) == 2
        assert store.queue_count(con, QueueFilter(score_min=0.8)) == 10
        assert store.queue_count(con, QueueFilter(text="item 7 ")) == 1
        assert store.queue_count(con, QueueFilter(languages=("zh",))) == 0
        page = store.queue_page(con, QueueFilter(sort="newest first"), limit=5, offset=5)
        assert [r["sample_id"] for r in page] == [f"qa-{n:06d}" for n in range(6, 1, -1)]
        low = store.queue_page(con, QueueFilter(sort="lowest score"), limit=2)
        assert all(r["validation"] == "warn" for r in low)


def test_accept_reject_skip_write_state_and_history(seeded):
    review.decide(seeded, "qa-000000", 1, "accept", "ann")
    review.decide(seeded, "qa-000001", 1, "reject", "ann", reason="duplicate: same as qa-0")
    review.decide(seeded, "qa-000002", 1, "skip", "ann")
    assert state(seeded, "qa-000000")["status"] == "accepted"
    rejected = state(seeded, "qa-000001")
    assert (rejected["status"], rejected["reason"], rejected["reviewer"]) == ("rejected", "duplicate: same as qa-0", "ann")
    assert state(seeded, "qa-000002")["status"] == "pending"
    [ev] = events(seeded, "qa-000000")
    assert (ev["action"], ev["before"], ev["after"]["status"]) == ("accept", None, "accepted")
    assert events(seeded, "qa-000002")[0]["action"] == "skip"
    with seeded.connect() as con:
        assert store.status_counts(con, QueueFilter(statuses=("pending",))) == {
            "pending": 10, "accepted": 1, "edited": 0, "rejected": 1}


def test_decisions_need_a_reviewer_and_a_reject_reason(seeded):
    with pytest.raises(UserError, match="reviewer"):
        review.decide(seeded, "qa-000000", 1, "accept", "  ")
    with pytest.raises(UserError, match="reason"):
        review.decide(seeded, "qa-000000", 1, "reject", "ann", reason="")
    assert state(seeded, "qa-000000")["status"] == "pending"


def test_undo_restores_step_by_step_and_only_own_decisions(seeded):
    review.decide(seeded, "qa-000000", 1, "accept", "ann")
    review.decide(seeded, "qa-000000", 1, "reject", "ann", reason="wrong answer")
    review.decide(seeded, "qa-000001", 1, "accept", "bob")
    review.decide(seeded, "qa-000003", 1, "skip", "ann")
    assert review.undo(seeded, "ann")["action"] == "reject"
    assert state(seeded, "qa-000000")["status"] == "accepted"
    assert review.undo(seeded, "ann")["action"] == "accept"
    assert state(seeded, "qa-000000")["status"] == "pending"
    assert review.undo(seeded, "ann") is None
    assert state(seeded, "qa-000001")["status"] == "accepted"
    actions = [e["action"] for e in events(seeded, "qa-000000")]
    assert actions == ["undo", "undo", "reject", "accept"]


def test_edit_keeps_original_revalidates_and_undo_restores(seeded):
    original = state(seeded, "qa-000004")["payload"]
    checks = review.edit(seeded, "qa-000004", 1, "ann", {"answer": "A curated, clearer answer."})
    assert {c["check_name"]: c["result"] for c in checks}["evidence"] == "pass"
    rec = state(seeded, "qa-000004")
    assert rec["status"] == "edited" and rec["edited_payload"]["answer"] == "A curated, clearer answer."
    assert rec["payload"] == original
    assert rec["validation"] == "pass"  # was warn before the edit: re-validation replaced the quality status
    # An edit that breaks the evidence fails re-validation, with the reason stored as a check.
    evidence = [{**original["evidence"][0], "text": "invented code"}]
    checks = review.edit(seeded, "qa-000004", 1, "ann", {"evidence": evidence})
    assert {c["check_name"]: c["result"] for c in checks}["evidence"] == "fail"
    assert state(seeded, "qa-000004")["validation"] == "fail"
    review.undo(seeded, "ann")
    rec = state(seeded, "qa-000004")
    assert rec["edited_payload"]["answer"] == "A curated, clearer answer."
    assert rec["validation"] == "pass"
    review.undo(seeded, "ann")
    assert state(seeded, "qa-000004")["status"] == "pending"


def test_accepting_an_edited_sample_keeps_the_edit(seeded):
    review.edit(seeded, "qa-000004", 1, "ann", {"answer": "A curated, clearer answer."})
    review.decide(seeded, "qa-000004", 1, "accept", "bo")
    rec = state(seeded, "qa-000004")
    assert (rec["status"], rec["reviewer"]) == ("edited", "bo")
    assert rec["effective"]["answer"] == "A curated, clearer answer."
    assert events(seeded, "qa-000004")[0]["action"] == "accept"
    review.undo(seeded, "bo")
    assert state(seeded, "qa-000004")["reviewer"] == "ann"


def test_an_edit_or_undo_stands_when_its_revalidation_fails(seeded, monkeypatch):
    def locked(db, sample):
        raise DatabaseLocked(db.path, None, "another process")

    monkeypatch.setattr(review, "revalidate_sample", locked)
    with pytest.raises(UserError, match="the edit is saved, but re-checking it failed"):
        review.edit(seeded, "qa-000004", 1, "ann", {"answer": "A curated, clearer answer."})
    assert state(seeded, "qa-000004")["effective"]["answer"] == "A curated, clearer answer."
    with pytest.raises(UserError, match="the undo is done, but re-checking it failed"):
        review.undo(seeded, "ann")
    assert state(seeded, "qa-000004")["status"] == "pending"


def test_a_write_conflict_that_persists_is_a_message(monkeypatch):
    monkeypatch.setattr(review.time, "sleep", lambda s: None)
    calls = []

    def conflicting():
        calls.append(1)
        raise duckdb.TransactionException("Conflict on update")

    with pytest.raises(UserError, match="nothing was saved"):
        review._retrying(conflicting)
    assert len(calls) == 5


def test_the_queue_shows_and_finds_the_curators_wording(seeded):
    review.edit(seeded, "qa-000004", 1, "ann", {"question": "Which guard protects the curated stock path?"})
    with seeded.connect() as con:
        rows = store.queue_page(con, QueueFilter(text="curated stock path"))
    assert [(r["sample_id"], r["question"]) for r in rows] == [("qa-000004", "Which guard protects the curated stock path?")]


def test_invalid_edit_is_refused_and_writes_nothing(seeded):
    bad_trace = [{"claim": "cites nothing real", "evidence_ids": ["E9"]}]
    with pytest.raises(UserError, match="not a valid sample"):
        review.edit(seeded, "qa-000000", 1, "ann", {"trace": bad_trace})
    assert state(seeded, "qa-000000")["status"] == "pending"
    assert events(seeded, "qa-000000") == []


def test_bulk_applies_to_whole_filtered_set_and_undoes_as_one(seeded):
    review.edit(seeded, "qa-000000", 1, "ann", {"answer": "edited"})
    f = QueueFilter(domains=("order",))
    with seeded.connect() as con:
        counts = store.status_counts(con, f)
    assert sum(counts[s] for s in store.STATUSES if s not in review.BULK_SKIPS["accept"]) == 5
    assert review.bulk(seeded, f, "accept", "ann") == {"changed": 5, "stale": 0}
    assert state(seeded, "qa-000000")["status"] == "edited"  # bulk accept keeps the edit
    with seeded.connect() as con:
        assert store.status_counts(con, f) == {"pending": 0, "accepted": 5, "edited": 1, "rejected": 0}
        assert store.status_counts(con, QueueFilter(domains=("stock",)))["pending"] == 6
    undone = review.undo(seeded, "ann")
    assert (undone["action"], undone["count"]) == ("accept", 5)
    with seeded.connect() as con:
        assert store.status_counts(con, f)["pending"] == 5
    assert review.bulk(seeded, QueueFilter(task_type="design"), "reject", "ann", reason="duplicate")["changed"] == 4
    assert review.bulk(seeded, QueueFilter(task_type="design"), "reset", "ann")["changed"] == 4
    assert state(seeded, "design-000000")["status"] == "pending"


def test_next_in_queue_follows_sort_even_after_leaving_the_filter(seeded):
    f = QueueFilter(statuses=("pending",))
    with seeded.connect() as con:
        assert store.next_in_queue(con, f, None) == ("qa-000000", 1)
    review.decide(seeded, "qa-000000", 1, "accept", "ann")
    with seeded.connect() as con:
        assert store.next_in_queue(con, f, "qa-000000") == ("qa-000001", 1)
        assert store.next_in_queue(con, QueueFilter(sort="newest first"), "qa-000005") == ("qa-000004", 1)
        assert store.next_in_queue(con, f, "qa-000011") is None


def test_two_sessions_deciding_at_once_lose_nothing(seeded):
    errors = []

    def reviewer(name, action):
        try:
            for n in range(12):
                review.decide(seeded, f"qa-{n:06d}", 1, action, name, reason="duplicate")
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=("ann", "accept")),
               threading.Thread(target=reviewer, args=("bob", "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for n in range(12):
        hist = events(seeded, f"qa-{n:06d}")
        assert sorted(e["reviewer"] for e in hist) == ["ann", "bob"]
        latest = hist[0]  # newest first: the last write is the state
        assert state(seeded, f"qa-{n:06d}")["status"] == latest["after"]["status"]


def rev(db, sid):
    return state(db, sid)["rev"]


def test_a_decision_on_a_state_that_changed_since_is_refused_and_says_who(seeded):
    seen = rev(seeded, "qa-000000")  # both tabs show qa-000000 as pending
    review.decide(seeded, "qa-000000", 1, "accept", "ann", seen=seen)
    with pytest.raises(review.Stale, match=r"ann accepted qa-000000 at .* your reject was not applied") as told:
        review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="duplicate", seen=seen)
    assert told.value.change["reviewer"] == "ann"
    with pytest.raises(review.Stale, match="your edit was not applied"):
        review.edit(seeded, "qa-000000", 1, "bob", {"answer": "bob's answer"}, seen=seen)
    assert (state(seeded, "qa-000000")["status"], len(events(seeded, "qa-000000"))) == ("accepted", 1)
    review.decide(seeded, "qa-000000", 1, "skip", "bob", seen=seen)  # a skip changes nothing: never stale
    assert rev(seeded, "qa-000000") == events(seeded, "qa-000000")[1]["event_id"]  # skips move no revision
    review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="duplicate", seen=rev(seeded, "qa-000000"))
    assert state(seeded, "qa-000000")["status"] == "rejected"


def test_undo_never_wipes_a_newer_decision_of_someone_else(seeded):
    review.decide(seeded, "qa-000000", 1, "accept", "ann", seen=0)
    review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="duplicate", seen=rev(seeded, "qa-000000"))
    with pytest.raises(review.Stale, match="bob rejected qa-000000 .* after your accept; that decision stands"):
        review.undo(seeded, "ann")
    assert (state(seeded, "qa-000000")["status"], state(seeded, "qa-000000")["reviewer"]) == ("rejected", "bob")
    assert [e["action"] for e in events(seeded, "qa-000000")] == ["reject", "accept"]
    # bob undoes his reject: ann's accept is in force again, and now hers to undo.
    assert review.undo(seeded, "bob")["action"] == "reject"
    assert state(seeded, "qa-000000")["status"] == "accepted"
    assert review.undo(seeded, "ann")["action"] == "accept"
    assert state(seeded, "qa-000000")["status"] == "pending"


def test_undo_refuses_when_the_latest_decision_is_not_the_one_the_curator_saw(seeded):
    review.decide(seeded, "qa-000000", 1, "accept", "ann")
    with seeded.connect() as con:
        seen_batch = store.last_undoable_batch(con, "ann")
    review.decide(seeded, "qa-000001", 1, "accept", "ann")  # another tab of ann's
    with pytest.raises(review.Stale, match="another decision since"):
        review.undo(seeded, "ann", batch=seen_batch)
    assert state(seeded, "qa-000001")["status"] == "accepted"


def test_bulk_leaves_samples_changed_after_the_count_and_its_undo_keeps_newer_decisions(seeded):
    f = QueueFilter(domains=("stock",), statuses=("pending",))
    with seeded.connect() as con:
        seen = store.latest_event_id(con)
    review.decide(seeded, "qa-000001", 1, "reject", "bob", reason="duplicate")  # after ann read the count
    assert review.bulk(seeded, replace(f, statuses=()), "accept", "ann", seen=seen) == {"changed": 5, "stale": 1}
    assert state(seeded, "qa-000001")["status"] == "rejected"
    review.decide(seeded, "qa-000003", 1, "reject", "bob", reason="wrong answer", seen=rev(seeded, "qa-000003"))
    undone = review.undo(seeded, "ann")
    assert (undone["count"], undone["of"], [k["sample_id"] for k in undone["kept"]]) == (4, 5, ["qa-000003"])
    assert state(seeded, "qa-000003")["status"] == "rejected"
    with seeded.connect() as con:
        assert store.status_counts(con, f) == {"pending": 4, "accepted": 0, "edited": 0, "rejected": 2}
