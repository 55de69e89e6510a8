"""Validation of a repository's samples (the stage) and of one edited sample (the app).

The stage checks every current sample version (or a chosen few), then
clusters duplicates over all current samples, keeps the best of each
cluster, and stores per-check rows plus a quality summary. A curator's edit
re-checks that one version at once through `revalidate_sample`; duplicate
clusters are recomputed by the next stage run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import UserError
from core.models import Sample
from core.progress import NullProgress, Progress
from core.validate.checks import CHECK_NAMES, CHECK_WEIGHTS, CheckOutcome, Limits, RepoFacts, SampleChecker
from core.validate.dedup import find_duplicates
from core.validate.identifiers import Vocabulary
from storage import Database, samples_store
from storage import checks_store as store

CONTENT_CHECKS = tuple(n for n in CHECK_NAMES if n != "duplicate")
DEFAULT_DUP_THRESHOLD = 0.85
_BATCH = 10_000
# which member of a duplicate cluster to keep: a curator's yes, then no decision, then a no (export agrees)
REVIEW_RANK = {"accepted": 0, "edited": 0, "pending": 1, "rejected": 2}
_STATUS_RANK = {"pass": 0, "warn": 1, "fail": 2}
_facts_cache: dict[tuple, RepoFacts] = {}


def load_facts(db: Database, repo_id: str) -> RepoFacts:
    """The index facts of a repo, cached until it is re-indexed (edits re-check one sample at a time)."""
    with db.connect() as con:
        key = (str(db.path.resolve()), repo_id, store.index_stamp(con, repo_id))
        if key not in _facts_cache:
            raw = store.repo_facts(con, repo_id)
            _facts_cache.clear()
            _facts_cache[key] = RepoFacts(
                root=Path(raw["root"]) if raw["root"] else None,
                vocabulary=Vocabulary.build(raw["symbol_names"], raw["tables"], raw["code_texts"]),
                generated_paths=raw["generated_paths"],
                encodings=raw["encodings"],
                error_regions=raw["error_regions"],
            )
    return _facts_cache[key]


@contextmanager
def gc_paused() -> Iterator[None]:
    """For loops that allocate many small acyclic objects (check results, rendered records): cyclic GC
    passes over them only cost time, up to 3x at 100,000 samples."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _frame(keys: list[tuple[str, int]], outcomes: list[list[CheckOutcome]]) -> pd.DataFrame:
    sids, versions, names, results, messages = [], [], [], [], []
    for (sid, version), outs in zip(keys, outcomes):
        for o in outs:
            sids.append(sid)
            versions.append(version)
            names.append(o.name)
            results.append(o.result)
            messages.append(o.message)
    return pd.DataFrame({"sample_id": sids, "version": np.array(versions, dtype=np.int32), "check_name": names,
                         "result": results, "message": messages})


def validate_repo(
    db: Database, repo_id: str, *, sample_ids: Sequence[str] = (), only_failed: bool = False,
    dup_threshold: float = DEFAULT_DUP_THRESHOLD, limits: Limits | None = None, progress: Progress | None = None,
) -> dict:
    """Check samples of `repo_id`, re-cluster duplicates, store everything; returns run counts."""
    if not 0 < dup_threshold <= 1:
        raise UserError(f"--dup-threshold must be in (0, 1], got {dup_threshold}")
    progress = progress or NullProgress()
    facts = load_facts(db, repo_id)
    if facts.root is None:
        raise UserError(f"repository {repo_id} is not indexed: run `python -m core index --repo PATH` first")
    checker = SampleChecker(facts, limits)
    checked: set[str] = set()
    with db.transaction() as con:
        filtered = bool(sample_ids) or only_failed
        progress.start("validate", None if filtered else sum(samples_store.count_samples(con, repo_id).values()))
        # closing(): the reading cursor is closed before the transaction ends, even on an error
        with closing(store.samples_to_check(con, repo_id, sample_ids, only_failed, batch=_BATCH)) as batches:
            for batch in batches:
                with gc_paused():
                    outcomes = [checker.check_json(payload, sid) for sid, _, payload in batch]
                    frame = _frame([(sid, version) for sid, version, _ in batch], outcomes)
                store.replace_checks(con, frame, CONTENT_CHECKS)
                checked.update(sid for sid, _, _ in batch)
                progress.advance(len(batch))
        missing = sorted(set(sample_ids) - checked)
        if missing:
            raise UserError(f"no current sample with id {', '.join(missing[:5])} in repository {repo_id}")
        if not checked and not samples_store.count_samples(con, repo_id):
            raise UserError(f"no samples for {repo_id}: run `python -m core generate` first")
        clusters = _store_duplicates(con, repo_id, dup_threshold)
        counts = store.quality_counts(con, repo_id)
        per_check = store.result_counts(con, repo_id)
    summary = {"checked": len(checked), **counts, "dup_clusters": clusters}
    progress.finish(f"{len(checked)} checked: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail, "
                    f"{clusters} duplicate clusters")
    summary["checks"] = per_check
    return summary


def _store_duplicates(con, repo_id: str, threshold: float) -> int:
    """Cluster all current samples, keep the best of each, store the `duplicate` check and the summary."""
    cand = store.dedup_candidates(con, repo_id)
    if cand.empty:
        return 0
    quality = store.content_quality(con, repo_id, CHECK_WEIGHTS, exclude=("duplicate",))
    cand = cand.merge(quality, on=["sample_id", "version"], how="left")
    dups = find_duplicates(cand["text"].tolist(), threshold)
    sids = cand["sample_id"].tolist()
    rank = [
        (REVIEW_RANK[r], _STATUS_RANK.get(s, 2), -(q if q == q else 0.0), sid)  # q == q: not NaN
        for r, s, q, sid in zip(cand["review_status"], cand["status"].fillna("fail"), cand["score"], sids)
    ]
    results = ["pass"] * len(cand)
    messages = [""] * len(cand)
    cluster_of: list[str | None] = [None] * len(cand)
    keep = [True] * len(cand)
    clusters = dups.clusters()
    for members in clusters.values():
        best = min(members, key=rank.__getitem__)
        for i in members:
            cluster_of[i] = sids[best]
            if i == best:
                messages[i] = f"kept from a cluster of {len(members)} near-duplicates"
                continue
            keep[i] = False
            results[i] = "warn"
            if dups.digest[i] == dups.digest[best]:
                messages[i] = f"exact duplicate of {sids[best]}, which is kept (not exported)"
            else:
                messages[i] = (f"near-duplicate of {sids[best]} (similarity {dups.similarity[i]:.2f} to the cluster), "
                               "which is kept (not exported)")
    rows = pd.DataFrame({"sample_id": sids, "version": cand["version"].astype("int32"), "check_name": "duplicate",
                         "result": results, "message": messages})
    store.replace_checks(con, rows, ("duplicate",))
    keys = pd.DataFrame({"sample_id": sids, "version": cand["version"].astype("int32"),
                         "dup_cluster": cluster_of, "dup_keep": keep})
    store.refresh_quality(con, keys, CHECK_WEIGHTS)
    return len(clusters)


def revalidate_sample(db: Database, sample: Sample, limits: Limits | None = None) -> list[dict]:
    """Re-check one sample version (a curator's edit) and store the results; returns them.

    The version keeps its duplicate cluster until the next `validate` run re-clusters the corpus.
    """
    outcomes = SampleChecker(load_facts(db, sample.repo_id), limits).check(sample)
    key = (sample.sample_id, sample.version)
    with db.transaction() as con:
        store.replace_checks(con, _frame([key], [outcomes]), CONTENT_CHECKS)
        cluster, keep, dup_check = store.duplicate_state(con, *key)
        store.refresh_quality(con, pd.DataFrame({"sample_id": [key[0]], "version": [key[1]],
                                                 "dup_cluster": [cluster], "dup_keep": [keep]}), CHECK_WEIGHTS)
    results = [{"check_name": o.name, "result": o.result, "message": o.message} for o in outcomes]
    return results + ([dup_check] if dup_check else [])
