"""Which samples an export holds, and why the others are left out.

Final accepted and edited samples by default (an edited one with the
curator's content): final means as many distinct reviewers as the
`reviewers_required` setting agreed on it (core.agreement). Accepted or
edited samples still awaiting more reviewers only with `include_unconfirmed`;
pending ones only with `include_pending` (which takes the unconfirmed ones
too: a sample one reviewer kept is no worse than one nobody looked at), and
only when validation passed or warned. Never a sample whose reviewers
disagree (it waits in the disagreement queue), a rejected sample, a sample
whose validation failed, or one that was never validated (its evidence may
be stale). Of each duplicate
cluster exactly one eligible member goes: the one validation kept when it
is eligible, else the best eligible one (review first, then score).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.models import Sample
from core.validate.runner import REVIEW_RANK
from storage import Database, rounds_store
from storage import export_store as store

DISPUTED = "reviewers disagree (disagreement queue)"
UNCONFIRMED = "awaiting more reviewers (pass --include-unconfirmed)"


@dataclass(frozen=True)
class ExportFilters:
    domains: tuple[str, ...] = ()          # empty: all
    languages: tuple[str, ...] = ()
    task_types: tuple[str, ...] = ()
    include_pending: bool = False
    include_unconfirmed: bool = False      # accepted/edited samples that still await more reviewers

    def describe(self) -> dict:
        return {"domains": list(self.domains) or "all", "languages": list(self.languages) or "all",
                "task_types": list(self.task_types) or "all", "include_pending": self.include_pending,
                "include_unconfirmed": self.include_unconfirmed or self.include_pending}


@dataclass
class Chosen:
    sample_id: str
    payload: str              # the effective Sample as JSON (parsed only when rendered)
    review_status: str
    reviewer: str | None
    score: float

    def sample(self) -> Sample:
        return Sample.model_validate_json(self.payload)


@dataclass
class Selection:
    chosen: list[Chosen] = field(default_factory=list)       # in sample_id order
    excluded: Counter = field(default_factory=Counter)        # reason -> count


def select(db: Database, repo_id: str, filters: ExportFilters) -> Selection:
    with db.connect() as con:
        rows = store.export_candidates(con, repo_id, domains=filters.domains, languages=filters.languages,
                                       task_types=filters.task_types)
        stages = rounds_store.stages_of(con, repo_id)
    unconfirmed_ok = filters.include_unconfirmed or filters.include_pending
    sel = Selection()
    eligible = []
    for sid, review, reviewer, payload, quality, score, cluster, keep in rows:
        if stages.get(sid) == "disputed":
            sel.excluded[DISPUTED] += 1
        elif review == "rejected":
            sel.excluded["rejected"] += 1
        elif review == "pending" and not filters.include_pending:
            sel.excluded["pending (pass --include-pending)"] += 1
        elif review != "pending" and stages.get(sid) != "final" and not unconfirmed_ok:
            sel.excluded[UNCONFIRMED] += 1
        elif quality is None:
            sel.excluded["not validated (run validate)"] += 1
        elif quality == "fail":
            sel.excluded["failed validation"] += 1
        else:
            eligible.append((sid, review, reviewer, payload, score, cluster, keep))
    winners: dict[str, tuple] = {}
    for rec in eligible:
        cluster = rec[5]
        if cluster is None:
            continue
        best = winners.get(cluster)
        if best is None or _better(rec, best):
            winners[cluster] = rec
    for sid, review, reviewer, payload, score, cluster, _keep in eligible:
        if cluster is not None and winners[cluster][0] != sid:
            sel.excluded["duplicate of a kept sample"] += 1
            continue
        sel.chosen.append(Chosen(sid, payload, review, reviewer, score))
    return sel


def _better(a: tuple, b: tuple) -> bool:
    """Validation's choice first, then review status, score and id."""
    def key(r):
        return (not r[6], REVIEW_RANK[r[1]], -r[4], r[0])
    return key(a) < key(b)
