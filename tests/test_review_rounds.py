"""Second review: votes, stages, the disagreement queue, agreement figures, group decisions, final-only export."""

from __future__ import annotations

import threading

import pytest
from test_review_support import add_group, seed

from core import agreement, review
from core.errors import UserError
from core.export import ExportFilters, export_dataset
from core.export.select import DISPUTED, UNCONFIRMED
from storage import review_store as store
from storage import rounds_store
from storage.review_store import QueueFilter


@pytest.fixture
def seeded(db):
    seed(db)
    return db


def rev(db, sid):
    with db.connect() as con:
        return store.get_sample(con, sid)["rev"]


def stage(db, sid):
    with db.connect() as con:
        return rounds_store.stage(con, sid, 1)


def votes(db, sid):
    with db.connect() as con:
        return {v["reviewer"]: v["verdict"] for v in rounds_store.votes(con, sid, 1)}


def queue(db, **f):
    with db.connect() as con:
        return [r["sample_id"] for r in store.queue_page(con, QueueFilter(**f), limit=100)]


# ------------------------------------------------------------------ agreement figures --

def test_kappa_matches_a_hand_computed_example():
    # 50 items, two raters, yes/no: 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no.
    # p_o = 35/50 = 0.7; rater A says yes 25/50, B 30/50: p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert agreement.percent_agreement(pairs) == pytest.approx(70.0)
    assert agreement.cohen_kappa(pairs) == pytest.approx(0.4)
    # three labels, 10 items (A, B): diagonal 3 + 2 + 1 = 6 -> p_o = 0.6;
    # A: accepted 5, edited 3, rejected 2; B: accepted 4, edited 4, rejected 2
    # -> p_e = (5*4 + 3*4 + 2*2) / 100 = 0.36; kappa = (0.6 - 0.36) / (1 - 0.36) = 0.375
    three = ([("accepted", "accepted")] * 3 + [("accepted", "edited"), ("accepted", "rejected")]
             + [("edited", "edited")] * 2 + [("edited", "accepted"), ("rejected", "rejected"), ("rejected", "edited")])
    assert agreement.percent_agreement(three) == pytest.approx(60.0)
    assert agreement.cohen_kappa(three) == pytest.approx(0.375)


def test_kappa_is_undefined_without_pairs_or_variation():
    assert agreement.cohen_kappa([]) is None and agreement.percent_agreement([]) is None
    assert agreement.cohen_kappa([("accepted", "accepted")] * 4) is None  # chance explains it all
    assert agreement.cohen_kappa([("accepted", "rejected"), ("rejected", "accepted")]) == pytest.approx(-1.0)


# ------------------------------------------------------------------ one reviewer (default) --

def test_one_reviewer_is_final_by_default_and_a_stale_tab_is_still_refused(seeded):
    assert review.reviewers_required(seeded) == 1
    seen = rev(seeded, "qa-000000")
    review.decide(seeded, "qa-000000", 1, "accept", "ann", seen=seen)
    assert stage(seeded, "qa-000000") == "final"
    with pytest.raises(review.Stale, match="ann accepted"):
        review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="duplicate", seen=seen)
    assert stage(seeded, "qa-000000") == "final"
    # bob, having seen ann's accept, overrules it: two reviewers now disagree, so it is not final
    review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="duplicate", seen=rev(seeded, "qa-000000"))
    assert (stage(seeded, "qa-000000"), votes(seeded, "qa-000000")) == ("disputed", {"ann": "accepted",
                                                                                     "bob": "rejected"})


# ------------------------------------------------------------------ second review --

def test_two_reviewers_deciding_at_once_are_both_recorded_and_disagree(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    seen = rev(seeded, "qa-000000")  # both opened it while pending
    review.decide(seeded, "qa-000000", 1, "accept", "ann", seen=seen)
    assert stage(seeded, "qa-000000") == "awaiting"
    review.decide(seeded, "qa-000000", 1, "reject", "bob", reason="wrong answer", seen=seen)  # not stale: a vote
    assert votes(seeded, "qa-000000") == {"ann": "accepted", "bob": "rejected"}
    assert stage(seeded, "qa-000000") == "disputed"
    assert queue(seeded, stages=("disputed",)) == ["qa-000000"]
    # ann changes her mind: the two agree, the sample is final (rejected)
    review.decide(seeded, "qa-000000", 1, "reject", "ann", reason="wrong answer", seen=rev(seeded, "qa-000000"))
    assert stage(seeded, "qa-000000") == "final"
    assert queue(seeded, stages=("disputed",)) == []
    # ... and her undo brings the disagreement back
    review.undo(seeded, "ann")
    assert stage(seeded, "qa-000000") == "disputed"


def test_two_threads_deciding_every_sample_at_once_from_the_same_view_lose_nothing(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    errors = []

    def reviewer(name, action):
        try:
            for n in range(12):  # every decision made on the pending state both saw (seen=0)
                review.decide(seeded, f"qa-{n:06d}", 1, action, name, reason="duplicate", seen=0)
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
        assert votes(seeded, f"qa-{n:06d}") == {"ann": "accepted", "bob": "rejected"}
    assert agreement.round_counts(seeded, "qa")["disputed"] == 12


def test_second_review_is_stale_on_a_changed_text_or_the_same_reviewers_other_tab(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    seen = rev(seeded, "qa-000004")
    review.edit(seeded, "qa-000004", 1, "ann", {"answer": "A curated, clearer answer."}, seen=seen)
    with pytest.raises(review.Stale, match="ann edited"):
        review.decide(seeded, "qa-000004", 1, "accept", "bob", seen=seen)  # bob never saw ann's text
    review.decide(seeded, "qa-000004", 1, "accept", "bob", seen=rev(seeded, "qa-000004"))
    assert (stage(seeded, "qa-000004"), votes(seeded, "qa-000004")) == ("final", {"ann": "edited", "bob": "edited"})
    seen = rev(seeded, "qa-000005")
    review.decide(seeded, "qa-000005", 1, "accept", "ann", seen=seen)
    with pytest.raises(review.Stale, match="ann accepted"):
        review.decide(seeded, "qa-000005", 1, "reject", "ann", reason="duplicate", seen=seen)  # her other tab


def test_accepting_the_generated_text_does_not_agree_with_an_edit_of_it(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    review.decide(seeded, "qa-000002", 1, "accept", "ann", seen=rev(seeded, "qa-000002"))
    review.edit(seeded, "qa-000002", 1, "bob", {"answer": "Bob's wording."}, seen=rev(seeded, "qa-000002"))
    assert stage(seeded, "qa-000002") == "disputed"
    review.decide(seeded, "qa-000002", 1, "accept", "ann", seen=rev(seeded, "qa-000002"))  # ann accepts bob's edit
    assert (stage(seeded, "qa-000002"), votes(seeded, "qa-000002")) == ("final", {"ann": "edited", "bob": "edited"})
    # two different edits are two opinions
    review.edit(seeded, "qa-000002", 1, "ann", {"answer": "Ann's wording."}, seen=rev(seeded, "qa-000002"))
    assert stage(seeded, "qa-000002") == "disputed"


def test_a_reset_clears_the_votes_and_the_second_reviewer_queue_leaves_out_own_decisions(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    for n in range(3):
        review.decide(seeded, f"qa-{n:06d}", 1, "accept", "ann")
    review.decide(seeded, "qa-000001", 1, "accept", "bob")
    assert queue(seeded, stages=("awaiting",), undecided_by="bob") == ["qa-000000", "qa-000002"]
    assert queue(seeded, stages=("final",)) == ["qa-000001"]
    review.bulk(seeded, QueueFilter(text="item 1 "), "reset", "lead")
    assert (stage(seeded, "qa-000001"), votes(seeded, "qa-000001")) == ("unreviewed", {})
    review.undo(seeded, "lead")
    assert stage(seeded, "qa-000001") == "final"


def test_under_second_review_a_bulk_decision_is_the_reviewers_vote_on_what_they_have_not_decided(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    review.edit(seeded, "qa-000001", 1, "ann", {"answer": "Ann's wording."})
    review.decide(seeded, "qa-000003", 1, "accept", "bob")
    stock = QueueFilter(domains=("stock",), statuses=())  # the six odd samples
    # ann: five samples, not qa-000001 (her own edit); qa-000003 gets her vote beside bob's
    assert review.bulk(seeded, stock, "accept", "ann") == {"changed": 5, "stale": 0}
    assert stage(seeded, "qa-000003") == "final" and stage(seeded, "qa-000005") == "awaiting"
    assert votes(seeded, "qa-000001") == {"ann": "edited"}  # her edit stands
    # bob: five samples, not qa-000003 (his accept)
    assert review.bulk(seeded, stock, "reject", "bob", reason="duplicate") == {"changed": 5, "stale": 0}
    assert stage(seeded, "qa-000001") == "disputed" and votes(seeded, "qa-000003") == {"ann": "accepted",
                                                                                     "bob": "accepted"}
    review.undo(seeded, "bob")
    assert stage(seeded, "qa-000005") == "awaiting"


def test_a_decision_stored_without_an_event_counts_as_its_reviewers_vote(seeded):
    with seeded.connect() as con:
        store.put_state(con, "qa-000003", 1, {"status": "accepted", "reviewer": "imported"})
    assert votes(seeded, "qa-000003") == {"imported": "accepted"}
    review.set_reviewers_required(seeded, 2, "lead")
    review.decide(seeded, "qa-000003", 1, "accept", "bob")
    assert (stage(seeded, "qa-000003"), votes(seeded, "qa-000003")) == ("final", {"bob": "accepted",
                                                                                 "imported": "accepted"})


def test_the_setting_is_checked_and_counted(seeded):
    with pytest.raises(UserError, match="between 1 and"):
        review.set_reviewers_required(seeded, 0, "lead")
    with pytest.raises(UserError, match="reviewer"):
        review.set_reviewers_required(seeded, 2, "")
    review.set_reviewers_required(seeded, 3, "lead")
    assert review.reviewers_required(seeded) == 3
    with seeded.connect() as con:
        assert rounds_store.get_setting(con, rounds_store.REVIEWERS_REQUIRED)["updated_by"] == "lead"


def test_pair_agreement_and_stage_counts_follow_the_votes(seeded):
    review.set_reviewers_required(seeded, 2, "lead")
    # ann and bob on 4 samples: agree on 0, 1 (accept), 2 (reject); disagree on 3.
    for n, (a, b) in enumerate([("accept", "accept"), ("accept", "accept"), ("reject", "reject"), ("accept", "reject")]):
        review.decide(seeded, f"qa-{n:06d}", 1, a, "ann", reason="duplicate")
        review.decide(seeded, f"qa-{n:06d}", 1, b, "bob", reason="duplicate")
    review.decide(seeded, "qa-000005", 1, "accept", "cy")
    review.decide(seeded, "qa-000005", 1, "accept", "ann")
    [ann_bob, ann_cy] = agreement.pair_agreement(seeded, task_type="qa")
    assert (ann_bob.a, ann_bob.b, ann_bob.n, ann_bob.agreed, ann_bob.percent) == ("ann", "bob", 4, 3, 75.0)
    # p_o = 0.75; ann: acc 3 rej 1, bob: acc 2 rej 2 -> p_e = (6 + 2) / 16 = 0.5; kappa = 0.25 / 0.5
    assert ann_bob.kappa == pytest.approx(0.5)
    assert (ann_cy.n, ann_cy.percent, ann_cy.kappa) == (1, 100.0, None)
    assert agreement.round_counts(seeded, "qa") == {"unreviewed": 7, "awaiting": 0, "final": 4, "disputed": 1}
    # stock is the odd ones: 1 and 5 final, 3 disputed
    assert agreement.round_counts(seeded, "qa", ("stock",)) == {"unreviewed": 3, "awaiting": 0, "final": 2,
                                                               "disputed": 1}
    assert agreement.pair_agreement(seeded, task_type="design") == []


# ------------------------------------------------------------------ groups --

def test_a_group_holds_twins_and_variants_and_one_decision_records_each_sample(seeded):
    twin, variant = add_group(seeded, 0)
    with seeded.connect() as con:
        group = rounds_store.group_of(con, "qa-000000")
        assert [(g["sample_id"], g["language"]) for g in group] == [
            ("qa-000000", "en"), (variant, "en"), (twin, "zh")]
        assert rounds_store.group_of(con, "qa-000001") == [rounds_store.group_of(con, "qa-000001")[0]]
    members = [(g["sample_id"], g["version"], rev(seeded, g["sample_id"])) for g in group]
    assert review.decide_group(seeded, members, "accept", "ann") == 3
    with seeded.connect() as con:
        decided = [store.history(con, sid) for sid, _, _ in members]
    assert [len(h) for h in decided] == [1, 1, 1]
    assert len({h[0]["batch_id"] for h in decided}) == 1  # one batch: one undo
    with seeded.connect() as con:
        assert [store.get_state(con, sid, 1)["status"] for sid, _, _ in members] == ["accepted"] * 3
    undone = review.undo(seeded, "ann")
    assert undone["count"] == 3
    assert {stage(seeded, sid) for sid, _, _ in members} == {"unreviewed"}


def test_a_group_decision_is_all_or_nothing_when_a_member_changed(seeded):
    twin, variant = add_group(seeded, 0)
    members = [(sid, 1, rev(seeded, sid)) for sid in ("qa-000000", twin, variant)]
    review.decide(seeded, twin, 1, "reject", "bob", reason="poor language", seen=members[1][2])
    with pytest.raises(review.Stale, match=f"bob rejected {twin}"):
        review.decide_group(seeded, members, "accept", "ann")
    assert votes(seeded, "qa-000000") == {} and votes(seeded, variant) == {}
    with pytest.raises(UserError, match="reason"):
        review.decide_group(seeded, members, "reject", "ann")


# ------------------------------------------------------------------ export --

def test_export_takes_only_final_samples_unless_told(seeded, tmp_path):
    review.set_reviewers_required(seeded, 2, "lead")
    for sid in ("qa-000000", "qa-000002", "qa-000004"):
        review.decide(seeded, sid, 1, "accept", "ann")
    review.decide(seeded, "qa-000000", 1, "accept", "bob")                      # final
    review.decide(seeded, "qa-000002", 1, "reject", "bob", reason="duplicate")  # disputed (bob's reject is latest)
    review.decide(seeded, "qa-000002", 1, "accept", "cy")                       # still disputed, latest accept
    manifest = export_dataset(seeded, "shop", tmp_path / "final", ExportFilters(task_types=("qa",)))
    assert manifest["counts"]["total"] == 1
    assert manifest["counts"]["excluded"][DISPUTED] == 1 and manifest["counts"]["excluded"][UNCONFIRMED] == 1
    more = export_dataset(seeded, "shop", tmp_path / "more", ExportFilters(task_types=("qa",), include_unconfirmed=True))
    assert more["counts"]["total"] == 2 and more["counts"]["excluded"][DISPUTED] == 1
    assert more["filters"]["include_unconfirmed"] is True
