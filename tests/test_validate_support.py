"""Helpers shared by the validate and export tests: an indexed copy of examples/shop and hand-built samples.

The samples are real `core.models.Sample` objects whose evidence is read from
the copy with `core.evidence.make_evidence`, stored through the generator's
own store, so the tests exercise the same rows the pipeline writes.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from core.cli import main
from core.evidence import SourceCache, make_evidence
from core.models import (
    DesignProposal,
    GeneratorInfo,
    LayerChange,
    ReuseItem,
    Sample,
    SampleSource,
    Span,
    TraceStep,
)
from storage import Database, review_store, samples_store

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
CONFIG = "shop-portal/src/main/resources/application.yml"


def indexed_shop(tmp_path: Path) -> tuple[Database, Path]:
    """A private copy of examples/shop (tests may change its files), indexed into a fresh database."""
    root = tmp_path / "shop"
    shutil.copytree(EXAMPLE, root)
    db_path = tmp_path / "acdp.duckdb"
    assert main(["index", "--repo", str(root), "--db", str(db_path)]) == 0
    return Database(db_path, wait=0.5), root


def find_line(root: Path, path: str, needle: str) -> int:
    for n, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def qa(root: Path, sample_id: str, question: str, answer: str, spans: list[tuple[str, int, int]], *,
       language: str = "en", claims: list[tuple[str, list[str]]] | None = None, ref: str | None = None,
       domain: str = "order") -> Sample:
    files = SourceCache(root)
    evidence = [make_evidence(files, Span(path=p, start_line=s, end_line=e), f"E{i}") for i, (p, s, e) in
                enumerate(spans, 1)]
    claims = claims or [("the cited lines show it", [e.id for e in evidence])]
    return Sample(
        sample_id=sample_id, repo_id="shop", task_type="qa", domain=domain, language=language, question=question,
        answer=answer, evidence=evidence, trace=[TraceStep(claim=c, evidence_ids=ids) for c, ids in claims],
        source=SampleSource(kind="rule", ref=ref or f"rule-{sample_id}"),
        generator=GeneratorInfo(backend="template", input_hash=f"in-{sample_id}", created_at=datetime(2026, 1, 1)),
    )


def design(root: Path, sample_id: str, answer: str, spans: list[tuple[str, int, int]], new_component: str,
           reuse: str = "OrdPortalOrderService") -> Sample:
    base = qa(root, sample_id, "Add an audit trail to order cancellation.", answer, spans)
    proposal = DesignProposal(
        understanding="Record who cancelled an order.",
        reuse=[ReuseItem(component=reuse, why="it cancels orders", evidence_ids=["E1"])],
        changes=[LayerChange(layer="service", component=new_component, change="write the audit row", is_new=True)])
    return base.model_copy(update={"task_type": "design", "design": proposal,
                                   "source": SampleSource(kind="requirement", ref=f"req-{sample_id}")})


def store(db: Database, samples: list[Sample]) -> None:
    rows = [{
        "sample_id": s.sample_id, "repo_id": s.repo_id, "task_type": s.task_type, "domain": s.domain,
        "language": s.language, "source_kind": s.source.kind, "source_ref": s.source.ref, "rule_kind": None,
        "question_kind": None, "question": s.question, "answer": s.answer, "payload": s.model_dump(mode="json"),
        "content_hash": s.content_hash(), "backend": s.generator.backend, "model": None, "prompt_hash": None,
        "input_hash": s.generator.input_hash, "tokens_in": None, "tokens_out": None, "cost_usd": None,
        "created_at": s.generator.created_at,
    } for s in samples]
    with db.transaction() as con:
        samples_store.save_samples(con, rows)


def decide(db: Database, sample_id: str, status: str, edited: Sample | None = None, reviewer: str = "ana") -> None:
    state = {"status": status, "reviewer": reviewer,
             "edited_payload": edited.model_dump(mode="json") if edited is not None else None}
    with db.connect() as con:
        review_store.put_state(con, sample_id, 1, state)
