"""Synthetic samples over a real indexed repository, for the 100,000-sample benchmarks and tests.

Each sample cites real lines of a real file (so evidence verification does
its real work), names identifiers taken from those lines (so grounding
passes) and mixes its wording from a seeded generator (so near-duplicate
detection has both unique texts and deliberate near-copies to find).
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from core.evidence import SourceCache, make_evidence
from core.models import GeneratorInfo, Sample, SampleSource, Span, TraceStep

_IDENT = re.compile(r"\b(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)\b")
_WORDS = ("order", "stock", "payment", "status", "coupon", "member", "cart", "delivery", "refund", "timeout",
          "lock", "release", "discount", "amount", "points", "invoice", "warehouse", "customer", "price", "limit")
_AT = datetime(2026, 1, 1)


def _spans(files: SourceCache, paths: list[str], rng: random.Random, count: int) -> list[tuple[str, int, int]]:
    """Spans of 3-12 lines that mention at least one identifier."""
    spans = []
    while len(spans) < count:
        path = rng.choice(paths)
        lines = files.get(path).lines
        if len(lines) < 4:
            continue
        start = rng.randint(1, len(lines) - 3)
        end = min(len(lines), start + rng.randint(2, 11))
        if _IDENT.search(files.get(path).snippet(start, end)):
            spans.append((path, start, end))
    return spans


def synthetic_samples(root: Path, repo_id: str, paths: list[str], n: int, seed: int = 0,
                      duplicate_share: float = 0.05) -> list[Sample]:
    """`n` valid QA samples citing `paths` under `root`; about `duplicate_share` are near-copies."""
    rng = random.Random(seed)
    files = SourceCache(root)
    spans = _spans(files, sorted(paths), rng, max(50, n // 20))
    evidence_of = {}
    out: list[Sample] = []
    for i in range(n):
        if out and rng.random() < duplicate_share:
            base = rng.choice(out)
            out.append(base.model_copy(update={"sample_id": f"syn-{i:06d}", "answer": base.answer + " Indeed."}))
            continue
        span = rng.choice(spans)
        if span not in evidence_of:
            evidence_of[span] = make_evidence(files, Span(path=span[0], start_line=span[1], end_line=span[2]), "E1")
        ev = evidence_of[span]
        names = sorted(set(_IDENT.findall(ev.text)))
        name = rng.choice(names)
        words = rng.sample(_WORDS, 6)
        question = f"How does {name} handle the {words[0]} and {words[1]} of a {words[2]}? (case {i})"
        answer = (f"`{name}` checks the {words[3]} first, then updates the {words[4]} and records the {words[5]}. "
                  f"The lines cited show where {name} is used; " + " ".join(rng.sample(_WORDS, 8)) + ".")
        out.append(Sample(
            sample_id=f"syn-{i:06d}", repo_id=repo_id, task_type="qa", domain=rng.choice(("order", "stock")),
            language="en", question=question, answer=answer, evidence=[ev],
            trace=[TraceStep(claim=f"{name} appears in the cited lines", evidence_ids=["E1"])],
            source=SampleSource(kind="rule", ref=f"rule:{span[0]}:{span[1]}"),
            generator=GeneratorInfo(backend="synthetic", input_hash=f"in-{i}", created_at=_AT),
        ))
    return out


def sample_frame(samples: list[Sample]) -> pd.DataFrame:
    """Rows for storage.checks_store.insert_samples."""
    return pd.DataFrame({
        "sample_id": [s.sample_id for s in samples],
        "version": [s.version for s in samples],
        "repo_id": [s.repo_id for s in samples],
        "task_type": [s.task_type for s in samples],
        "domain": [s.domain for s in samples],
        "language": [s.language for s in samples],
        "source_kind": [s.source.kind for s in samples],
        "source_ref": [s.source.ref for s in samples],
        "question": [s.question for s in samples],
        "answer": [s.answer for s in samples],
        "payload": [s.model_dump_json() for s in samples],
        "content_hash": [s.content_hash() for s in samples],
        "backend": [s.generator.backend for s in samples],
        "input_hash": [s.generator.input_hash for s in samples],
        "created_at": [s.generator.created_at for s in samples],
        "is_current": True,
    })
